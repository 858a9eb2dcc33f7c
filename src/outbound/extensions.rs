//! What a server offers in its EHLO reply (RFC 5321 §4.1.1.1): the service
//! extensions the client may use in this session.
//!
//! Owns reading the keywords; it must not decide what to send with them: that is
//! `transaction`'s job.

use super::reply::Reply;

/// The extensions the outbound client knows how to use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extensions {
    /// RFC 3207.
    pub starttls: bool,
    /// RFC 1870; `Some(0)` when offered without a limit.
    pub size: Option<u64>,
    /// RFC 6152.
    pub eight_bit_mime: bool,
    /// RFC 3030.
    pub binary_mime: bool,
    pub chunking: bool,
    /// RFC 6531.
    pub smtputf8: bool,
    /// RFC 3461.
    pub dsn: bool,
    /// RFC 2920.
    pub pipelining: bool,
}

impl Extensions {
    /// Reads the keyword lines of an EHLO reply; keywords are case-insensitive
    /// (RFC 5321 §2.4) and unknown ones are ignored.
    pub fn from_ehlo(reply: &Reply) -> Extensions {
        let mut offered = Extensions::default();
        for line in reply.ehlo_lines() {
            let mut words = line.split_ascii_whitespace();
            let Some(keyword) = words.next() else {
                continue;
            };
            match keyword.to_ascii_uppercase().as_str() {
                "STARTTLS" => offered.starttls = true,
                "SIZE" => {
                    // RFC 1870 §4: a missing or unreadable limit means no fixed limit.
                    offered.size = Some(words.next().and_then(|n| n.parse().ok()).unwrap_or(0));
                }
                "8BITMIME" => offered.eight_bit_mime = true,
                "BINARYMIME" => offered.binary_mime = true,
                "CHUNKING" => offered.chunking = true,
                "SMTPUTF8" => offered.smtputf8 = true,
                "DSN" => offered.dsn = true,
                "PIPELINING" => offered.pipelining = true,
                _ => {}
            }
        }
        offered
    }

    /// The fixed message size limit the server announced, if any.
    pub fn size_limit(&self) -> Option<u64> {
        self.size.filter(|&limit| limit > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ehlo(lines: &[&str]) -> Extensions {
        Extensions::from_ehlo(&Reply {
            code: 250,
            lines: lines.iter().map(|l| (*l).to_owned()).collect(),
        })
    }

    #[test]
    fn keywords_are_case_insensitive() {
        let offered = ehlo(&["mx.test", "starttls", "Size 1000", "8bitmime", "pipelining"]);
        assert!(offered.starttls && offered.eight_bit_mime && offered.pipelining);
        assert_eq!(offered.size_limit(), Some(1000));
        assert!(!offered.dsn);
    }

    #[test]
    fn size_without_a_number_is_no_limit() {
        let offered = ehlo(&["mx.test", "SIZE"]);
        assert_eq!(offered.size, Some(0));
        assert_eq!(offered.size_limit(), None);
    }

    #[test]
    fn greeting_line_is_not_a_keyword() {
        assert_eq!(ehlo(&["STARTTLS here"]), Extensions::default());
    }
}
