//! Delivery status notifications (RFC 3464) about a queued message: a
//! `multipart/report; report-type=delivery-status` with a human-readable
//! part, the `message/delivery-status` part and the returned message (all
//! of it or its header, per `RET=`, RFC 3461 §4.3; only the header for
//! delay and success reports), from
//! `MAILER-DAEMON@<hostname>`, marked `Auto-Submitted: auto-replied`
//! (RFC 3834 §5). It only builds the octets; whether a DSN is due and how it
//! travels (null reverse path, through the queue) is the worker's call.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use mail_builder::MessageBuilder;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::date::Date;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::{BodyPart, MimePart};

use super::envelope::{Envelope, QueueId, Recipient, Ret};

/// The largest message a DSN returns whole; above it only the header goes
/// back, so a DSN never holds a 50 MB message in memory.
pub const MAX_RETURNED_MESSAGE: u64 = 1 << 20;
/// The most of a header returned; a longer one is cut at a line end.
const MAX_RETURNED_HEADER: usize = 64 * 1024;

/// `Action:` (RFC 3464 §2.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DsnAction {
    Failed,
    Delayed,
    Delivered,
}

impl DsnAction {
    fn as_str(self) -> &'static str {
        match self {
            Self::Failed => "failed",
            Self::Delayed => "delayed",
            Self::Delivered => "delivered",
        }
    }
}

/// What a DSN says about one recipient (RFC 3464 §2.3).
#[derive(Debug, Clone)]
pub struct RecipientReport<'a> {
    pub recipient: &'a Recipient,
    pub action: DsnAction,
    /// Enhanced status code (RFC 3463).
    pub status: &'a str,
    /// `smtp; 550 ...` from a remote server, or a sentence of ours.
    pub diagnostic: &'a str,
    pub remote_mta: Option<&'a str>,
    /// For a delayed recipient: when the queue gives up, seconds since the
    /// Unix epoch (`Will-Retry-Until`, RFC 3464 §2.3.9).
    pub retry_until: Option<i64>,
}

/// Everything a DSN is built from.
#[derive(Debug)]
pub struct Report<'a> {
    pub hostname: &'a str,
    pub queue_id: QueueId,
    pub envelope: &'a Envelope,
    /// The spooled message; `None` when it is gone.
    pub message: Option<&'a Path>,
    pub size: u64,
    pub recipients: Vec<RecipientReport<'a>>,
    /// Now, seconds since the Unix epoch.
    pub now: i64,
}

/// Builds the DSN. Blocking: it reads the spooled message.
pub fn build(report: &Report<'_>) -> std::io::Result<Vec<u8>> {
    let sender = match &report.envelope.mail_from {
        super::ReversePath::Address(address) => address.as_str(),
        super::ReversePath::Null => "",
    };
    let mailer_daemon = format!("MAILER-DAEMON@{}", report.hostname);
    let any_failed = report
        .recipients
        .iter()
        .any(|r| r.action == DsnAction::Failed);
    let any_delayed = report
        .recipients
        .iter()
        .any(|r| r.action == DsnAction::Delayed);
    let subject = if any_failed {
        "Undelivered Mail Returned to Sender"
    } else if any_delayed {
        "Delayed Mail (still being retried)"
    } else {
        "Successful Mail Delivery Report"
    };
    let mut parts = vec![
        MimePart::new(
            ContentType::new("text/plain").attribute("charset", "utf-8"),
            BodyPart::Text(human_part(report).into()),
        ),
        raw_part("message/delivery-status", status_part(report).into_bytes()),
    ];
    if let Some(returned) = returned_part(report)? {
        parts.push(returned);
    }
    let message_id = format!(
        "{}.{:016x}@{}",
        report.queue_id,
        rand::random::<u64>(),
        report.hostname
    );
    MessageBuilder::new()
        .from(("Mail Delivery System", mailer_daemon.as_str()))
        .to(sender)
        .subject(subject)
        .date(Date::new(report.now))
        .message_id(message_id)
        .header("Auto-Submitted", Raw::new("auto-replied"))
        .body(MimePart::new(
            ContentType::new("multipart/report").attribute("report-type", "delivery-status"),
            BodyPart::Multipart(parts),
        ))
        .write_to_vec()
}

/// A part written as given: `message/*` parts must not be base64-encoded
/// (RFC 2046 §5.2.1, RFC 3464 §2.1).
fn raw_part(content_type: &'static str, octets: Vec<u8>) -> MimePart<'static> {
    let encoding = if octets.is_ascii() { "7bit" } else { "8bit" };
    MimePart::new(
        ContentType::new(content_type),
        BodyPart::Binary(Cow::Owned(octets)),
    )
    .header("Content-Transfer-Encoding", Raw::new(encoding))
}

fn human_part(report: &Report<'_>) -> String {
    let mut text = format!("This is the mail system at {}.\r\n\r\n", report.hostname);
    for (action, intro) in [
        (
            DsnAction::Failed,
            "Your message could not be delivered to these recipients:",
        ),
        (
            DsnAction::Delayed,
            "Your message has not been delivered yet to these recipients; delivery is still being tried:",
        ),
        (
            DsnAction::Delivered,
            "Your message was delivered to these recipients:",
        ),
    ] {
        let listed: Vec<_> = report
            .recipients
            .iter()
            .filter(|r| r.action == action)
            .collect();
        if listed.is_empty() {
            continue;
        }
        text.push_str(intro);
        text.push_str("\r\n\r\n");
        for recipient in listed {
            text.push_str(&format!(
                "  <{}>: {}\r\n",
                recipient.recipient.address,
                one_line(recipient.diagnostic)
            ));
        }
        text.push_str("\r\n");
    }
    text
}

/// The `message/delivery-status` body (RFC 3464 §2.2, §2.3).
fn status_part(report: &Report<'_>) -> String {
    let mut fields = format!("Reporting-MTA: dns; {}\r\n", report.hostname);
    if let Some(envid) = &report.envelope.envid {
        fields.push_str(&format!("Original-Envelope-Id: {}\r\n", one_line(envid)));
    }
    fields.push_str(&format!(
        "Arrival-Date: {}\r\n",
        Date::new(report.envelope.received_at).to_rfc822()
    ));
    for recipient in &report.recipients {
        fields.push_str("\r\n");
        fields.push_str(&format!(
            "Final-Recipient: {}\r\n",
            typed_address(&recipient.recipient.address)
        ));
        if let Some(orcpt) = &recipient.recipient.orcpt {
            fields.push_str(&format!("Original-Recipient: {}\r\n", one_line(orcpt)));
        }
        fields.push_str(&format!("Action: {}\r\n", recipient.action.as_str()));
        fields.push_str(&format!("Status: {}\r\n", one_line(recipient.status)));
        if let Some(mta) = recipient.remote_mta {
            fields.push_str(&format!("Remote-MTA: {}\r\n", one_line(mta)));
        }
        fields.push_str(&format!(
            "Diagnostic-Code: {}\r\n",
            diagnostic_code(recipient.diagnostic)
        ));
        if let Some(until) = recipient.retry_until {
            fields.push_str(&format!(
                "Will-Retry-Until: {}\r\n",
                Date::new(until).to_rfc822()
            ));
        }
    }
    fields
}

/// `rfc822; addr`, or `utf-8; addr` for an internationalised address
/// (RFC 6533 §3).
fn typed_address(address: &str) -> String {
    let kind = if address.is_ascii() {
        "rfc822"
    } else {
        "utf-8"
    };
    format!("{kind}; {}", one_line(address))
}

/// A diagnostic is `type; text` (RFC 3464 §2.3.6): a remote answer comes
/// typed already (`smtp; 550 ...`); our own sentences get our type.
fn diagnostic_code(diagnostic: &str) -> String {
    let typed = diagnostic.split_once(';').is_some_and(|(kind, _)| {
        !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if typed {
        one_line(diagnostic)
    } else {
        format!("X-Postamt; {}", one_line(diagnostic))
    }
}

/// Folds anything a remote server said onto one line: a CR or LF in a
/// field would end it.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The returned message (`message/rfc822`) or its header
/// (`text/rfc822-headers`, RFC 6522 §4), per `RET=` and size.
fn returned_part(report: &Report<'_>) -> std::io::Result<Option<MimePart<'static>>> {
    let Some(path) = report.message else {
        return Ok(None);
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    // RET governs failure DSNs (RFC 3461 §4.3); others carry the header only.
    let failed = report
        .recipients
        .iter()
        .any(|r| r.action == DsnAction::Failed);
    let whole =
        failed && report.envelope.ret != Some(Ret::Headers) && report.size <= MAX_RETURNED_MESSAGE;
    if whole {
        let mut octets = Vec::with_capacity(usize::try_from(report.size).unwrap_or(0));
        file.take(MAX_RETURNED_MESSAGE).read_to_end(&mut octets)?;
        return Ok(Some(raw_part("message/rfc822", octets)));
    }
    let mut head = Vec::with_capacity(MAX_RETURNED_HEADER);
    file.take(MAX_RETURNED_HEADER as u64)
        .read_to_end(&mut head)?;
    let end = head
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 2)
        .or_else(|| head.iter().rposition(|&b| b == b'\n').map(|at| at + 1))
        .unwrap_or(0);
    head.truncate(end);
    Ok(Some(raw_part("text/rfc822-headers", head)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_diagnostic_keeps_its_type() {
        assert_eq!(
            diagnostic_code("smtp; 550 5.1.1 unknown"),
            "smtp; 550 5.1.1 unknown"
        );
    }

    #[test]
    fn our_diagnostic_gets_our_type() {
        assert_eq!(diagnostic_code("mailbox full"), "X-Postamt; mailbox full");
        assert_eq!(
            diagnostic_code("gave up; last error: x"),
            "X-Postamt; gave up; last error: x"
        );
    }

    #[test]
    fn a_remote_answer_cannot_add_a_field() {
        assert_eq!(
            diagnostic_code("smtp; 550 no\r\nAction: delivered"),
            "smtp; 550 no  Action: delivered"
        );
    }

    #[test]
    fn internationalised_address_is_typed_utf8() {
        assert_eq!(typed_address("jörg@example.org"), "utf-8; jörg@example.org");
        assert_eq!(
            typed_address("joerg@example.org"),
            "rfc822; joerg@example.org"
        );
    }
}
