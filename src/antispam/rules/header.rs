//! Header rules: Message-ID and Date (RFC 5322 §3.6.1, §3.6.4), and
//! Received chains that do not look like what a real MTA writes
//! (RFC 5321 §4.4).

use std::net::IpAddr;

use super::{RuleHit, hit};
use crate::antispam::message::Scanned;

pub(super) fn check(scanned: &Scanned<'_>, hits: &mut Vec<RuleHit>) {
    let message = &scanned.message;
    match message.header_raw("Message-ID") {
        None => hit(hits, "MISSING_MID", 1.0),
        Some(raw) if !is_msg_id(raw.trim()) => hit(hits, "INVALID_MID", 1.2),
        Some(_) => {}
    }
    match message.header_raw("Date") {
        None => hit(hits, "MISSING_DATE", 1.2),
        Some(_) if message.date().is_none_or(|d| !d.is_valid()) => hit(hits, "INVALID_DATE", 1.2),
        Some(_) => {}
    }
    if message
        .headers_raw()
        .filter(|(name, _)| name.eq_ignore_ascii_case("Received"))
        .any(|(_, value)| is_forged_received(value))
    {
        hit(hits, "FORGED_RECEIVED", 1.0);
    }
}

/// `<id-left@id-right>` (RFC 5322 §3.6.4), both sides non-empty, no
/// spaces.
fn is_msg_id(raw: &str) -> bool {
    let Some(inner) = raw.strip_prefix('<').and_then(|r| r.strip_suffix('>')) else {
        return false;
    };
    match inner.split_once('@') {
        Some((left, right)) => {
            !left.is_empty()
                && !right.is_empty()
                && !inner.contains(|c: char| c.is_whitespace() || c == '<' || c == '>')
        }
        None => false,
    }
}

/// A `Received:` field that claims a `from` without the TCP-info comment an
/// MTA adds (`from helo (host [ip])`), names an address literal that is no
/// address (`[300.1.2.3]`), or lacks its `by` clause.
fn is_forged_received(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let trimmed = lower.trim_start();
    if !trimmed.starts_with("from ") {
        return false;
    }
    if !lower.contains(" by ") && !lower.contains("\tby ") && !lower.contains("\nby ") {
        return true;
    }
    for literal in bracketed(&lower) {
        let address = literal.strip_prefix("ipv6:").unwrap_or(literal);
        if address.parse::<IpAddr>().is_err() {
            return true;
        }
    }
    false
}

fn bracketed(text: &str) -> impl Iterator<Item = &str> {
    text.split('[')
        .skip(1)
        .filter_map(|rest| rest.split_once(']').map(|(inside, _)| inside.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msg_id_shapes() {
        assert!(is_msg_id("<abc@example.org>"));
        assert!(!is_msg_id("abc@example.org"));
        assert!(!is_msg_id("<abc>"));
        assert!(!is_msg_id("<a b@c>"));
    }

    #[test]
    fn received_shapes() {
        assert!(!is_forged_received(
            "from mx.example.org (mx.example.org [192.0.2.1]) by mail.example.net with ESMTP"
        ));
        assert!(is_forged_received("from mx.example.org ([300.1.2.3]) by x"));
        assert!(is_forged_received("from r-smtp.example - 192.0.2.7"));
    }
}
