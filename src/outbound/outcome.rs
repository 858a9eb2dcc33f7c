//! Turning what a server said, or failed to say, into the per-recipient
//! [`Outcome`] the queue acts on (RFC 3464 §2.3: status, diagnostic, remote MTA).
//!
//! Owns the mapping of reply classes and connection failures to outcome kinds and
//! enhanced status codes (RFC 3463), in one place. It must not talk to servers.

use crate::queue::{Outcome, OutcomeKind};

use super::reply::Reply;

/// `Remote-MTA` (RFC 3464 §2.3.5) for a host.
pub fn remote_mta(host: &str) -> String {
    format!("dns; {host}")
}

/// The outcome a reply means: 2xx delivered, 5xx permanent, anything else
/// (4xx, or a code that makes no sense here) transient.
pub fn from_reply(reply: &Reply, host: &str) -> Outcome {
    let kind = if reply.is_positive() {
        OutcomeKind::Delivered
    } else if reply.is_permanent() {
        OutcomeKind::Permanent
    } else {
        OutcomeKind::Transient
    };
    let status = if reply.is_positive() || reply.is_permanent() || reply.code / 100 == 4 {
        reply.status().to_string()
    } else {
        "4.5.0".to_owned()
    };
    Outcome {
        kind,
        status,
        diagnostic: reply.diagnostic(),
        remote_mta: Some(remote_mta(host)),
    }
}

/// An outcome of ours, with no reply behind it.
pub fn ours(
    kind: OutcomeKind,
    status: &str,
    why: impl std::fmt::Display,
    host: Option<&str>,
) -> Outcome {
    Outcome {
        kind,
        status: status.to_owned(),
        diagnostic: why.to_string(),
        remote_mta: host.map(remote_mta),
    }
}

/// RFC 3463 X.4.2: the connection broke or went silent after it was made.
pub fn connection_lost(why: impl std::fmt::Display, host: &str) -> Outcome {
    ours(OutcomeKind::Transient, "4.4.2", why, Some(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: u16, text: &str) -> Reply {
        Reply {
            code,
            lines: vec![text.to_owned()],
        }
    }

    #[test]
    fn reply_classes_map_to_kinds() {
        let delivered = from_reply(&reply(250, "2.0.0 ok"), "mx.test");
        assert_eq!(delivered.kind, OutcomeKind::Delivered);
        assert_eq!(delivered.remote_mta.as_deref(), Some("dns; mx.test"));
        assert_eq!(
            from_reply(&reply(452, "full"), "mx").kind,
            OutcomeKind::Transient
        );
        let refused = from_reply(&reply(550, "5.1.1 no such user"), "mx");
        assert_eq!(refused.kind, OutcomeKind::Permanent);
        assert_eq!(refused.status, "5.1.1");
        assert_eq!(refused.diagnostic, "smtp; 550 5.1.1 no such user");
    }

    #[test]
    fn nonsense_code_is_transient() {
        let odd = from_reply(&reply(354, "go ahead"), "mx");
        assert_eq!(odd.kind, OutcomeKind::Transient);
        assert_eq!(odd.status, "4.5.0");
    }
}
