//! The contract of a pipeline stage: given what is being delivered to whom,
//! it may choose the folder, add flags, keywords and header fields, or end
//! the delivery by discarding or rejecting the message. Sieve (RFC 5228
//! `fileinto`, `addflag`, `discard`, `reject`) and the anti-spam stage are
//! its intended implementations.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use crate::auth::Address;
use crate::queue::{QueueId, ReversePath};
use crate::store::{AccountId, Flags, MailboxName};

/// What a stage sees of the delivery: read-only.
#[derive(Debug)]
pub struct DeliveryInfo<'a> {
    pub queue_id: QueueId,
    pub sender: &'a ReversePath,
    /// The envelope recipient as the client wrote it.
    pub recipient: &'a str,
    /// The account it resolved to, with its primary address.
    pub account: AccountId,
    pub login: &'a Address,
    /// The plus-address detail (RFC 5233), for Sieve `:detail`.
    pub detail: Option<&'a str>,
    /// The spooled message, as received; a stage reads what it needs.
    pub message: &'a Path,
    pub size: u64,
}

/// A header field a stage adds on top of the message (such as
/// `Authentication-Results` or `X-Spam-Status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderField {
    name: String,
    value: String,
}

impl HeaderField {
    /// A field name of printable ASCII without a colon and a value without
    /// CR or LF (RFC 5322 §2.2), so a stage cannot inject a second field or
    /// end the header; `None` otherwise.
    pub fn new(name: &str, value: &str) -> Option<Self> {
        let name_ok =
            !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b) && b != b':');
        let value_ok = !value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0);
        (name_ok && value_ok).then(|| Self {
            name: name.to_owned(),
            value: value.to_owned(),
        })
    }

    /// The field as it goes before the message, CRLF-terminated.
    pub fn to_line(&self) -> String {
        format!("{}: {}\r\n", self.name, self.value)
    }
}

/// Where and how the message is stored: what stages decide, INBOX with no
/// flags until one does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disposition {
    pub folder: MailboxName,
    pub flags: Flags,
    /// Added above the message's own header, in order.
    pub header_fields: Vec<HeaderField>,
}

impl Default for Disposition {
    fn default() -> Self {
        Self {
            folder: inbox(),
            flags: Flags::new(),
            header_fields: Vec::new(),
        }
    }
}

/// INBOX, the default folder.
pub(crate) fn inbox() -> MailboxName {
    // A constant no input reaches; RFC 9051 §5.1 makes it valid.
    MailboxName::new("INBOX").expect("INBOX is a valid mailbox name")
}

/// How a stage lets the delivery go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Go on to the next stage, then store.
    Continue,
    /// Drop the message silently: delivered as far as the sender is told
    /// (RFC 5228 §4.4 `discard`).
    Discard,
    /// Refuse it: a permanent failure that the sender gets a DSN about.
    Reject { reason: String },
}

/// A stage could not decide now (its service is down): try again later.
#[derive(Debug, thiserror::Error)]
#[error("{stage}: {reason}")]
pub struct StageError {
    pub stage: String,
    pub reason: String,
}

/// A boxed future of one stage run.
pub type StageFuture<'a> = Pin<Box<dyn Future<Output = Result<Verdict, StageError>> + Send + 'a>>;

/// One step of the local delivery pipeline. Stages run in the order they
/// were added, each for each account a recipient resolves to.
pub trait Stage: Send + Sync + 'static {
    /// For logs and error messages.
    fn name(&self) -> &str;

    fn run<'a>(
        &'a self,
        delivery: &'a DeliveryInfo<'a>,
        disposition: &'a mut Disposition,
    ) -> StageFuture<'a>;
}

#[cfg(test)]
mod tests {
    use super::HeaderField;

    #[test]
    fn header_field_is_one_line() {
        let field = HeaderField::new("X-Spam-Status", "No, score=0.1").unwrap();
        assert_eq!(field.to_line(), "X-Spam-Status: No, score=0.1\r\n");
    }

    #[test]
    fn header_field_refuses_an_injected_line() {
        assert!(HeaderField::new("X-Test", "ok\r\nBcc: victim@example.org").is_none());
        assert!(HeaderField::new("X-Test", "ok\nmore").is_none());
    }

    #[test]
    fn header_field_name_must_be_printable_without_colon() {
        assert!(HeaderField::new("X Test", "v").is_none());
        assert!(HeaderField::new("X:Test", "v").is_none());
        assert!(HeaderField::new("", "v").is_none());
    }
}
