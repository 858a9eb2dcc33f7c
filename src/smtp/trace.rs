//! What the server writes into a message's header section: the `Received:`
//! trace field (RFC 5321 §4.4), and on submission `Date:` and `Message-ID:`
//! when the client left them out (RFC 6409 §8.2, §8.3); and what it reads
//! from it: the Received count (loop detection, RFC 5321 §6.3) and the
//! From: addresses. Pure text; no I/O.

use std::net::IpAddr;

use mail_parser::{HeaderName, HeaderValue, MessageParser};

/// The `with` protocol of a Received field (RFC 3848, RFC 6531 §3.7.3).
pub fn with_protocol(extended: bool, tls: bool, authenticated: bool, smtputf8: bool) -> String {
    let base = match (smtputf8, extended) {
        (true, _) => "UTF8SMTP",
        (false, true) => "ESMTP",
        (false, false) => "SMTP",
    };
    let mut protocol = base.to_owned();
    if tls {
        protocol.push('S');
    }
    if authenticated {
        protocol.push('A');
    }
    protocol
}

/// What the Received field says.
#[derive(Debug, Clone)]
pub struct Received<'a> {
    /// The EHLO/HELO argument.
    pub helo: &'a str,
    pub peer: IpAddr,
    pub hostname: &'a str,
    pub with: &'a str,
    pub id: &'a str,
    /// Named only when the message has exactly one recipient, so a copy for
    /// one recipient does not disclose the others.
    pub recipient: Option<&'a str>,
    pub timestamp: i64,
}

/// `Received: from <helo> ([ip]) by <host> with <proto> id <id> [for <rcpt>]; <date>`,
/// folded, CRLF-terminated. No reverse DNS is looked up.
pub fn received_field(received: &Received<'_>) -> String {
    let literal = match received.peer {
        IpAddr::V4(ip) => format!("[{ip}]"),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => format!("[{v4}]"),
            None => format!("[IPv6:{ip}]"),
        },
    };
    let helo = sanitise(received.helo);
    let mut field = format!(
        "Received: from {helo} ({literal})\r\n\tby {} with {} id {}",
        received.hostname, received.with, received.id
    );
    if let Some(recipient) = received.recipient {
        field.push_str(&format!("\r\n\tfor <{}>", sanitise(recipient)));
    }
    field.push_str(&format!(";\r\n\t{}\r\n", rfc5322_date(received.timestamp)));
    field
}

/// Keeps a client-given word from breaking the field.
fn sanitise(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() || c == ' ' { '_' } else { c })
        .collect()
}

/// `Date:` for now, CRLF-terminated.
pub fn date_field(timestamp: i64) -> String {
    format!("Date: {}\r\n", rfc5322_date(timestamp))
}

/// `Message-ID: <unique@hostname>`, CRLF-terminated.
pub fn message_id_field(unique: &str, hostname: &str) -> String {
    format!("Message-ID: <{unique}@{hostname}>\r\n")
}

/// RFC 5322 §3.3 `date-time` in UTC: `Tue, 24 Nov 2026 05:47:06 +0000`.
pub fn rfc5322_date(timestamp: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = timestamp.div_euclid(86_400);
    let seconds = timestamp.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let weekday = DAYS
        .get(usize::try_from(days.rem_euclid(7)).unwrap_or(0))
        .unwrap_or(&"Thu");
    let month_name = MONTHS
        .get(usize::try_from(month - 1).unwrap_or(0))
        .unwrap_or(&"Jan");
    format!(
        "{weekday}, {day} {month_name} {year} {:02}:{:02}:{:02} +0000",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// Howard Hinnant's civil_from_days: days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// What the server needs to know of a header section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderFacts {
    pub received: usize,
    pub has_date: bool,
    pub has_message_id: bool,
    /// The addresses of every From: field, as written.
    pub from: Vec<String>,
    /// A From: field whose addresses could not be read.
    pub from_unreadable: bool,
}

/// Reads the facts from a header section (without the blank line).
pub fn header_facts(header: &[u8]) -> HeaderFacts {
    let mut facts = HeaderFacts::default();
    let mut from_fields = 0;
    for line in header.split(|&b| b == b'\n') {
        // A continuation line starts with white space; a field with its name.
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            continue;
        }
        let name = line.get(..colon).unwrap_or_default().trim_ascii_end();
        if name.eq_ignore_ascii_case(b"Received") {
            facts.received += 1;
        } else if name.eq_ignore_ascii_case(b"Date") {
            facts.has_date = true;
        } else if name.eq_ignore_ascii_case(b"Message-ID") {
            facts.has_message_id = true;
        } else if name.eq_ignore_ascii_case(b"From") {
            from_fields += 1;
        }
    }
    if from_fields == 0 {
        return facts;
    }
    let mut section = header.to_vec();
    section.extend_from_slice(b"\r\n\r\n");
    let parsed = MessageParser::new().parse_headers(&section);
    let mut seen = 0;
    for header in parsed.iter().flat_map(|m| m.headers()) {
        if header.name != HeaderName::From {
            continue;
        }
        seen += 1;
        match &header.value {
            HeaderValue::Address(address) => {
                let before = facts.from.len();
                facts.from.extend(
                    address
                        .iter()
                        .filter_map(|addr| addr.address().map(str::to_owned)),
                );
                if facts.from.len() == before {
                    facts.from_unreadable = true;
                }
            }
            _ => facts.from_unreadable = true,
        }
    }
    if seen != from_fields {
        facts.from_unreadable = true;
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_is_rfc5322_in_utc() {
        assert_eq!(rfc5322_date(0), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc5322_date(1_795_412_826),
            "Mon, 23 Nov 2026 05:47:06 +0000"
        );
    }

    #[test]
    fn with_protocol_follows_rfc3848_and_rfc6531() {
        assert_eq!(with_protocol(true, false, false, false), "ESMTP");
        assert_eq!(with_protocol(true, true, true, false), "ESMTPSA");
        assert_eq!(with_protocol(false, false, false, false), "SMTP");
        assert_eq!(with_protocol(true, true, false, true), "UTF8SMTPS");
    }

    #[test]
    fn received_field_names_the_single_recipient_and_the_ip_literal() {
        let field = received_field(&Received {
            helo: "client.test",
            peer: "2001:db8::1".parse().unwrap(),
            hostname: "mx.test",
            with: "ESMTPS",
            id: "abc",
            recipient: Some("bob@example.test"),
            timestamp: 0,
        });
        assert_eq!(
            field,
            "Received: from client.test ([IPv6:2001:db8::1])\r\n\tby mx.test with ESMTPS id abc\r\n\tfor <bob@example.test>;\r\n\tThu, 1 Jan 1970 00:00:00 +0000\r\n"
        );
    }

    #[test]
    fn facts_count_received_and_find_date_message_id_and_from() {
        let header = b"Received: a\r\nreceived : b\r\n\tcontinued: x\r\nDate: now\r\nMessage-Id: <x@y>\r\nFrom: \"A, B\" <a@example.test>, c@example.test\r\n";
        let facts = header_facts(header);
        assert_eq!(facts.received, 2);
        assert!(facts.has_date && facts.has_message_id);
        assert_eq!(facts.from, ["a@example.test", "c@example.test"]);
        assert!(!facts.from_unreadable);
    }

    #[test]
    fn from_without_an_address_is_unreadable() {
        let facts = header_facts(b"From: nobody\r\n");
        assert!(facts.from_unreadable, "{facts:?}");
    }
}
