//! The envelope commands as the client writes them: `MAIL FROM` with its
//! parameters (SIZE, BODY, SMTPUTF8, RET, ENVID) and `RCPT TO` with NOTIFY and
//! ORCPT, each only when the server offers the extension.
//!
//! Owns the syntax of those lines and xtext (RFC 3461 §4). It must not decide
//! whether a message may be sent to a server: `transaction` checks that first.

use super::extensions::Extensions;
use crate::queue::{BodyType, Recipient, RemoteJob, Ret, ReversePath};

/// An address that would break the command line it goes into.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the address {0:?} holds control characters")]
pub struct UnsafeAddress(pub String);

fn path(address: &str) -> Result<String, UnsafeAddress> {
    if address.chars().any(char::is_control) {
        return Err(UnsafeAddress(address.to_owned()));
    }
    Ok(format!("<{address}>"))
}

/// `MAIL FROM:<...>` and the parameters the server understands (RFC 5321
/// §4.1.1.2, RFC 1870 §6, RFC 6152 §2, RFC 3030 §3, RFC 6531 §3.4, RFC 3461 §4).
pub fn mail(job: &RemoteJob, offered: &Extensions) -> Result<String, UnsafeAddress> {
    let mut line = match &job.mail_from {
        ReversePath::Null => "MAIL FROM:<>".to_owned(),
        ReversePath::Address(address) => format!("MAIL FROM:{}", path(address)?),
    };
    if offered.size.is_some() {
        line.push_str(&format!(" SIZE={}", job.size));
    }
    match job.body {
        BodyType::SevenBit => {}
        BodyType::EightBitMime => line.push_str(" BODY=8BITMIME"),
        BodyType::BinaryMime => line.push_str(" BODY=BINARYMIME"),
    }
    if job.smtputf8 {
        line.push_str(" SMTPUTF8");
    }
    if offered.dsn {
        match job.ret {
            Some(Ret::Full) => line.push_str(" RET=FULL"),
            Some(Ret::Headers) => line.push_str(" RET=HDRS"),
            None => {}
        }
        if let Some(envid) = &job.envid {
            line.push_str(&format!(" ENVID={}", xtext(envid)));
        }
    }
    Ok(line)
}

/// `RCPT TO:<...>`, with NOTIFY and ORCPT when the server offers DSN
/// (RFC 3461 §4.1, §4.2).
pub fn rcpt(recipient: &Recipient, offered: &Extensions) -> Result<String, UnsafeAddress> {
    let mut line = format!("RCPT TO:{}", path(&recipient.address)?);
    if offered.dsn {
        let notify = recipient.notify;
        let mut when = Vec::new();
        if notify.success {
            when.push("SUCCESS");
        }
        if notify.failure {
            when.push("FAILURE");
        }
        if notify.delay {
            when.push("DELAY");
        }
        if when.is_empty() {
            when.push("NEVER");
        }
        line.push_str(&format!(" NOTIFY={}", when.join(",")));
        if let Some(orcpt) = recipient.orcpt.as_deref().and_then(orcpt_parameter) {
            line.push_str(&format!(" ORCPT={orcpt}"));
        }
    }
    Ok(line)
}

/// ORCPT as the submitting client sent it is already `type;xtext`; passed on as
/// it is when it is valid xtext, else its address part is encoded, so a decoded
/// value (`rfc822;a+b@example.org`) is not taken for a broken escape. An address
/// type that is not an atom (RFC 3461 §4.2) leaves ORCPT out: it is optional, and
/// the line must not break.
fn orcpt_parameter(orcpt: &str) -> Option<String> {
    let (address_type, address) = orcpt.split_once(';').unwrap_or(("rfc822", orcpt));
    let atom = !address_type.is_empty()
        && address_type
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !atom {
        return None;
    }
    if is_xtext(address) {
        Some(format!("{address_type};{address}"))
    } else {
        Some(format!("{address_type};{}", xtext(address)))
    }
}

/// RFC 3461 §4: printable ASCII but `+` and `=` as is, everything else `+XX`.
fn xtext(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if (b'!'..=b'~').contains(&byte) && byte != b'+' && byte != b'=' {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("+{byte:02X}"));
        }
    }
    encoded
}

fn is_xtext(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'+' => {
                let hex = |i: usize| {
                    bytes
                        .get(i)
                        .is_some_and(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b))
                };
                if !(hex(index + 1) && hex(index + 2)) {
                    return false;
                }
                index += 3;
            }
            b'!'..=b'~' if byte != b'=' => index += 1,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::{Notify, QueueId};

    fn job() -> RemoteJob {
        RemoteJob {
            queue_id: QueueId(1),
            domain: "example.org".to_owned(),
            mail_from: ReversePath::Address("alice@example.net".to_owned()),
            recipients: Vec::new(),
            message: "/dev/null".into(),
            size: 1234,
            body: BodyType::EightBitMime,
            smtputf8: false,
            ret: Some(Ret::Headers),
            envid: Some("id=1 x".to_owned()),
        }
    }

    fn everything() -> Extensions {
        Extensions {
            size: Some(0),
            eight_bit_mime: true,
            dsn: true,
            ..Extensions::default()
        }
    }

    #[test]
    fn mail_carries_the_offered_parameters() {
        assert_eq!(
            mail(&job(), &everything()).unwrap(),
            "MAIL FROM:<alice@example.net> SIZE=1234 BODY=8BITMIME RET=HDRS ENVID=id+3D1+20x"
        );
    }

    #[test]
    fn mail_leaves_out_what_is_not_offered() {
        let mut job = job();
        job.mail_from = ReversePath::Null;
        job.body = BodyType::SevenBit;
        assert_eq!(mail(&job, &Extensions::default()).unwrap(), "MAIL FROM:<>");
    }

    #[test]
    fn rcpt_carries_notify_and_orcpt_with_dsn() {
        let recipient = Recipient {
            address: "bob@example.org".to_owned(),
            orcpt: Some("rfc822;bob+tag@example.org".to_owned()),
            notify: Notify {
                success: true,
                failure: true,
                delay: false,
            },
        };
        assert_eq!(
            rcpt(&recipient, &everything()).unwrap(),
            "RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+2Btag@example.org"
        );
        assert_eq!(
            rcpt(&recipient, &Extensions::default()).unwrap(),
            "RCPT TO:<bob@example.org>"
        );
    }

    #[test]
    fn orcpt_already_in_xtext_is_passed_on() {
        assert_eq!(
            orcpt_parameter("rfc822;a+2Bb@x").as_deref(),
            Some("rfc822;a+2Bb@x")
        );
    }

    #[test]
    fn orcpt_with_a_broken_address_type_is_left_out() {
        assert_eq!(orcpt_parameter("rfc822\r\nRSET;a@x"), None);
    }

    #[test]
    fn notify_never_when_nothing_is_wanted() {
        let recipient = Recipient {
            address: "bob@example.org".to_owned(),
            orcpt: None,
            notify: Notify {
                success: false,
                failure: false,
                delay: false,
            },
        };
        assert!(
            rcpt(&recipient, &everything())
                .unwrap()
                .ends_with(" NOTIFY=NEVER")
        );
    }

    #[test]
    fn address_with_a_line_break_is_refused() {
        let recipient = Recipient {
            address: "bob@example.org>\r\nRSET".to_owned(),
            orcpt: None,
            notify: Notify::default(),
        };
        assert!(rcpt(&recipient, &everything()).is_err());
    }
}
