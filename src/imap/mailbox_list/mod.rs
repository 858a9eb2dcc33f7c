//! What LIST, LSUB and STATUS answer, computed from the account's mailboxes
//! and subscriptions (RFC 9051 §6.3.9-§6.3.11, RFC 3501 §6.3.9 LSUB,
//! RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE, RFC 5819 LIST-STATUS), and
//! how a client's mailbox argument becomes a store name.
//!
//! Pure functions: the session fetches [`MailboxInfo`] and subscriptions
//! from the store, calls these, and writes the returned data. Nothing here
//! does I/O, writes bytes, or decides which response a session sends when.

mod pattern;
mod select;
mod status;

use thiserror::Error;

use super::mailbox_name::{self, Utf7Error};
use super::parser::ListArgs;
use super::response::ListEntry;
use crate::store::{MailboxName, NameError};

pub use select::{list, lsub};
pub use status::status_items;

/// How mailbox names travel on this connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMode {
    /// IMAP4rev1 without UTF8=ACCEPT: modified UTF-7 (RFC 3501 §5.1.3).
    ModifiedUtf7,
    /// IMAP4rev2 or UTF8=ACCEPT enabled: UTF-8 (RFC 9051 §5.1, RFC 6855 §3).
    Utf8,
}

/// Why a mailbox argument or LIST pattern was refused. Every variant is a
/// tagged NO carrying this text (RFC 9051 §6.3: the name is not acceptable).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ListError {
    #[error("mailbox name is not valid UTF-8")]
    NotUtf8,
    #[error("mailbox name is not valid modified UTF-7: {0}")]
    ModifiedUtf7(#[from] Utf7Error),
    #[error("{0}")]
    InvalidName(#[from] NameError),
}

/// Turns a client's mailbox argument into a store name: modified UTF-7 is
/// decoded in [`NameMode::ModifiedUtf7`], UTF-8 is taken as is in
/// [`NameMode::Utf8`], and INBOX is recognised in any case (RFC 9051 §5.1).
pub fn decode_mailbox_name(raw: &[u8], names: NameMode) -> Result<MailboxName, ListError> {
    let name = decode_text(raw, names)?;
    Ok(MailboxName::new(&name)?)
}

/// The UTF-8 text of a name or pattern as the client sent it.
fn decode_text(raw: &[u8], names: NameMode) -> Result<String, ListError> {
    let text = std::str::from_utf8(raw).map_err(|_| ListError::NotUtf8)?;
    match names {
        NameMode::ModifiedUtf7 => Ok(mailbox_name::decode(text)?),
        NameMode::Utf8 => Ok(text.to_owned()),
    }
}

/// The STATUS items a `RETURN (STATUS (...))` asks for (RFC 5819 §2), if
/// any. The session answers them, after each selectable entry's LIST line.
pub fn requested_status(args: &ListArgs) -> Option<&[super::parser::StatusItem]> {
    args.return_options.iter().find_map(|option| match option {
        super::parser::ListReturn::Status(items) => Some(items.as_slice()),
        _ => None,
    })
}

/// Whether an entry names a mailbox that can be selected, and so gets a
/// STATUS line under LIST-STATUS (RFC 5819 §2: not for \NoSelect or
/// \NonExistent names).
pub fn is_selectable(entry: &ListEntry) -> bool {
    use super::response::MailboxAttribute as A;
    !entry
        .attributes
        .iter()
        .any(|a| matches!(a, A::NoSelect | A::NonExistent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf7_mode_decodes_and_utf8_mode_takes_the_octets() {
        let utf7 = decode_mailbox_name(b"Entw&APw-rfe", NameMode::ModifiedUtf7).unwrap();
        assert_eq!(utf7.as_str(), "Entw\u{fc}rfe");
        let utf8 = decode_mailbox_name("Entw\u{fc}rfe".as_bytes(), NameMode::Utf8).unwrap();
        assert_eq!(utf8, utf7);
        let literal = decode_mailbox_name(b"Tom &AOQ-", NameMode::Utf8).unwrap();
        assert_eq!(literal.as_str(), "Tom &AOQ-");
    }

    #[test]
    fn raw_eight_bit_is_refused_in_utf7_mode() {
        assert_eq!(
            decode_mailbox_name("Entw\u{fc}rfe".as_bytes(), NameMode::ModifiedUtf7),
            Err(ListError::ModifiedUtf7(Utf7Error::InvalidCharacter(0xfc)))
        );
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert_eq!(
            decode_mailbox_name(b"a\xff", NameMode::Utf8),
            Err(ListError::NotUtf8)
        );
    }
}
