//! Mailbox names from commands to the store's [`MailboxName`]: modified
//! UTF-7 in IMAP4rev1 (RFC 3501 §5.1.3), UTF-8 after ENABLE IMAP4rev2 or
//! UTF8=ACCEPT (RFC 9051 §5.1, RFC 6855 §3), decoded by `mailbox_list`. A
//! trailing delimiter is dropped (RFC 9051 §6.3.4: CREATE "foo/" creates "foo").

use tokio::io::{AsyncRead, AsyncWrite};

use crate::imap::mailbox_list::{self, ListError, NameMode};
use crate::imap::parser::Mailbox;
use crate::imap::response::Mode;
use crate::imap::session::Session;
use crate::store::{DELIMITER, MailboxName};

use super::Reply;
use super::error::name_failure;

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// How this session's client writes mailbox names.
    pub(crate) fn name_mode(&self) -> NameMode {
        match self.mode() {
            Mode::Utf8 => NameMode::Utf8,
            Mode::Rev1 => NameMode::ModifiedUtf7,
        }
    }

    /// The store name for a mailbox argument, or the NO that says why not.
    pub(crate) fn mailbox_name(&self, mailbox: &Mailbox) -> Result<MailboxName, Reply> {
        let raw = mailbox.as_bytes();
        let raw = raw.strip_suffix(&[DELIMITER as u8]).unwrap_or(raw);
        mailbox_list::decode_mailbox_name(raw, self.name_mode()).map_err(|e| list_failure(&e))
    }
}

/// The NO for a name or pattern `mailbox_list` refuses, with the reason.
pub(crate) fn list_failure(error: &ListError) -> Reply {
    match error {
        ListError::InvalidName(e) => name_failure(e),
        ListError::NotUtf8 | ListError::ModifiedUtf7(_) => Reply::no(None, error.to_string()),
    }
}
