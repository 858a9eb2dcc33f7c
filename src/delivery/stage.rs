//! The contract of a pipeline stage: given what is being delivered to whom,
//! it may choose the folder, add flags, keywords and header fields, file
//! further copies, forward, ask for an automatic reply, record a spam
//! verdict, or end the delivery by discarding or rejecting the message.
//! Sieve (RFC 5228 and its extensions) and the anti-spam stage are its
//! implementations; the pipeline carries out what they decided.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;

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

/// What happens to the message: what stages decide, a keep into INBOX with
/// no flags until one does.
#[derive(Debug, Clone, PartialEq)]
pub struct Disposition {
    /// Where the keep stores the message (the anti-spam stage moves it to
    /// Junk; Sieve `keep` files here).
    pub folder: MailboxName,
    /// The flags of the keep (Sieve imap4flags, RFC 5232).
    pub flags: Flags,
    /// Whether the keep still happens: Sieve `fileinto`, `redirect` and
    /// `discard` cancel the implicit keep (RFC 5228 §2.10.2), `keep`
    /// restores it.
    pub keep: bool,
    /// Further copies, each stored once (`fileinto`, RFC 5228 §4.1). A copy
    /// into `folder` while `keep` holds is the same message, not a second one
    /// (§2.10.3).
    pub copies: Vec<FiledCopy>,
    /// Addresses the message is forwarded to (`redirect`, RFC 5228 §4.2;
    /// a user's automatic forwarding). The pipeline sends them through the
    /// queue with loop protection and SRS.
    pub redirects: Vec<String>,
    /// An automatic reply (`vacation`, RFC 5230). The pipeline decides
    /// whether it may go (RFC 3834: never to lists, bulk or automatic mail,
    /// the null sender, the user's own addresses or spam; once per sender
    /// per period).
    pub auto_reply: Option<AutoReply>,
    /// The anti-spam verdict, for the stages after it (Sieve `spamtest`,
    /// RFC 5235) and for the auto-reply rules.
    pub spam: Option<SpamVerdict>,
    /// Added above the message's header, in order.
    pub header_fields: Vec<HeaderField>,
    /// The message's own header section, rewritten (Sieve editheader,
    /// RFC 5293), CRLF line ends and the empty line that ends it included;
    /// stored in place of the original header. `None` keeps it as received.
    pub rewritten_header: Option<Vec<u8>>,
}

impl Default for Disposition {
    fn default() -> Self {
        Self {
            folder: inbox(),
            flags: Flags::new(),
            keep: true,
            copies: Vec::new(),
            redirects: Vec::new(),
            auto_reply: None,
            spam: None,
            header_fields: Vec::new(),
            rewritten_header: None,
        }
    }
}

/// One `fileinto` (RFC 5228 §4.1) with its flags (RFC 5232 §5) and
/// `:create` (RFC 5490 §3.2: make the mailbox when it is missing, instead of
/// storing into INBOX).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledCopy {
    pub folder: MailboxName,
    pub flags: Flags,
    pub create: bool,
}

/// A reply the user's rules ask for (RFC 5230 §4): sent to the envelope
/// sender, from the user's address unless `from` says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoReply {
    /// `:from`.
    pub from: Option<String>,
    /// `:subject`; without it the pipeline uses `Auto: <original subject>`.
    pub subject: Option<String>,
    /// The reason: plain text, or with `mime` a whole MIME entity.
    pub body: String,
    pub mime: bool,
    /// `:addresses`: more of the user's addresses, besides those the
    /// directory knows, that a message must be addressed to (RFC 5230 §4.5).
    pub addresses: Vec<String>,
    /// `:days` / `:seconds` (RFC 6131): no second reply to the same sender
    /// with the same `handle` within it.
    pub period: Duration,
    /// `:handle`, or one derived from the reply's text (RFC 5230 §4.2).
    pub handle: String,
}

/// What the anti-spam stage concluded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpamVerdict {
    /// The stage's score; above its threshold the message is spam.
    pub score: f64,
    pub is_spam: bool,
    /// RFC 5235 §3.2 `spamtest`: 1 (certainly not spam) to 10 (certainly spam).
    pub spamtest: u8,
    /// RFC 5235 §3.3 `spamtestplus` `:percent`: 0 to 100.
    pub percent: u8,
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
