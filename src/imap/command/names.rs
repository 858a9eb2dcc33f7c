//! Mailbox names from commands to the store's [`MailboxName`]: modified
//! UTF-7 in IMAP4rev1 (RFC 3501 §5.1.3), UTF-8 after ENABLE IMAP4rev2 or
//! UTF8=ACCEPT (RFC 9051 §5.1, RFC 6855 §3). A trailing delimiter is dropped
//! (RFC 9051 §6.3.4: CREATE "foo/" creates "foo").

use tokio::io::{AsyncRead, AsyncWrite};

use crate::imap::mailbox_name;
use crate::imap::parser::Mailbox;
use crate::imap::session::Session;
use crate::store::{DELIMITER, MailboxName};

use super::Reply;
use super::error::name_failure;

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// The store name for a mailbox argument, or the NO that says why not.
    pub(crate) fn mailbox_name(&self, mailbox: &Mailbox) -> Result<MailboxName, Reply> {
        let Ok(text) = std::str::from_utf8(mailbox.as_bytes()) else {
            return Err(Reply::no(None, "mailbox name is not UTF-8"));
        };
        let name = if self.mode() == crate::imap::response::Mode::Utf8 {
            text.to_owned()
        } else {
            mailbox_name::decode(text)
                .map_err(|e| Reply::no(None, format!("invalid modified UTF-7 name: {e}")))?
        };
        let name = name.strip_suffix(DELIMITER).unwrap_or(&name);
        MailboxName::new(name).map_err(|e| name_failure(&e))
    }
}
