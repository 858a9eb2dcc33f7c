//! SMTP replies as the client reads them (RFC 5321 §4.2): a three-digit code on
//! every line, `-` after it on all but the last, and the enhanced status code of
//! RFC 3463 at the start of the text when the server sends one (RFC 2034).
//!
//! Owns parsing reply lines and deriving what a DSN reports of a reply. It must not
//! do I/O: `wire` reads the lines and feeds them here.

use std::fmt;

/// The most lines one reply may have; a server sending more is broken or hostile.
pub const MAX_REPLY_LINES: usize = 128;

/// Why a line is not part of a well-formed reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("reply line without a three-digit code")]
    NoCode,
    #[error("reply line continues with code {found}, not {expected}")]
    CodeChanged { expected: u16, found: u16 },
    #[error("reply of more than {MAX_REPLY_LINES} lines")]
    TooManyLines,
}

/// An enhanced status code (RFC 3463 §2): `class.subject.detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnhancedStatus {
    pub class: u8,
    pub subject: u16,
    pub detail: u16,
}

impl EnhancedStatus {
    pub const fn new(class: u8, subject: u16, detail: u16) -> Self {
        Self {
            class,
            subject,
            detail,
        }
    }

    /// Reads `class.subject.detail` (RFC 3463 §2: class 2, 4 or 5, subject and
    /// detail of one to three digits).
    fn parse(word: &str) -> Option<EnhancedStatus> {
        let mut parts = word.split('.');
        let class = parts.next()?;
        let subject = parts.next()?;
        let detail = parts.next()?;
        if parts.next().is_some() {
            return None;
        }
        let number =
            |part: &str| (1..=3).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
        if !(class.len() == 1 && number(subject) && number(detail)) {
            return None;
        }
        let class: u8 = class.parse().ok()?;
        if !matches!(class, 2 | 4 | 5) {
            return None;
        }
        Some(EnhancedStatus::new(
            class,
            subject.parse().ok()?,
            detail.parse().ok()?,
        ))
    }
}

impl fmt::Display for EnhancedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// A whole reply: its code and the text of each line, without code and separator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    /// 2xx: the command succeeded.
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// 5xx: never going to work (RFC 5321 §4.2.1).
    pub fn is_permanent(&self) -> bool {
        (500..600).contains(&self.code)
    }

    /// The enhanced status code of the first line when it agrees with the reply
    /// code's class (RFC 3463 §3), else one derived from the code: `x.0.0`.
    pub fn status(&self) -> EnhancedStatus {
        let class = u8::try_from(self.code / 100).unwrap_or(4);
        self.lines
            .first()
            .and_then(|line| line.split(' ').next())
            .and_then(EnhancedStatus::parse)
            .filter(|status| status.class == class)
            .unwrap_or(EnhancedStatus::new(class, 0, 0))
    }

    /// The DSN `Diagnostic-Code` (RFC 3464 §2.3.6): `smtp; 550 5.1.1 text`, the
    /// lines joined by spaces, with control characters replaced so the value is
    /// safe in a header field.
    pub fn diagnostic(&self) -> String {
        let text: String = self
            .lines
            .join(" ")
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!("smtp; {} {}", self.code, text.trim())
            .trim_end()
            .to_owned()
    }

    /// The EHLO keywords and their parameters: every line but the first
    /// (RFC 5321 §4.1.1.1).
    pub fn ehlo_lines(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().skip(1).map(String::as_str)
    }
}

/// Collects the lines of one reply.
#[derive(Debug, Default)]
pub struct ReplyBuilder {
    code: Option<u16>,
    lines: Vec<String>,
}

impl ReplyBuilder {
    /// Takes one line without its CRLF; answers the reply when it was the last.
    pub fn push(&mut self, line: &str) -> Result<Option<Reply>, ReplyError> {
        let bytes = line.as_bytes();
        let code = match bytes.get(..3) {
            Some(digits) if digits.iter().all(u8::is_ascii_digit) && digits[0] != b'0' => digits
                .iter()
                .fold(0u16, |code, digit| code * 10 + u16::from(digit - b'0')),
            _ => return Err(ReplyError::NoCode),
        };
        if let Some(expected) = self.code
            && expected != code
        {
            return Err(ReplyError::CodeChanged {
                expected,
                found: code,
            });
        }
        if self.lines.len() == MAX_REPLY_LINES {
            return Err(ReplyError::TooManyLines);
        }
        self.code = Some(code);
        let last = bytes.get(3) != Some(&b'-');
        // RFC 5321 §4.2: "250" alone is a whole line; the text follows one separator.
        self.lines.push(line.get(4..).unwrap_or("").to_owned());
        if last {
            Ok(Some(Reply {
                code,
                lines: std::mem::take(&mut self.lines),
            }))
        } else {
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(lines: &[&str]) -> Result<Reply, ReplyError> {
        let mut builder = ReplyBuilder::default();
        for (index, line) in lines.iter().enumerate() {
            if let Some(reply) = builder.push(line)? {
                assert_eq!(index, lines.len() - 1, "reply ended early");
                return Ok(reply);
            }
        }
        panic!("reply did not end")
    }

    #[test]
    fn multi_line_reply_keeps_every_line() {
        let reply = parse(&["250-mx.test hello", "250-SIZE 1000", "250 8BITMIME"]).unwrap();
        assert_eq!(reply.code, 250);
        assert_eq!(
            reply.ehlo_lines().collect::<Vec<_>>(),
            ["SIZE 1000", "8BITMIME"]
        );
    }

    #[test]
    fn bare_code_is_a_whole_reply() {
        let reply = parse(&["250"]).unwrap();
        assert_eq!(reply.lines, [""]);
        assert_eq!(reply.diagnostic(), "smtp; 250");
    }

    #[test]
    fn enhanced_status_is_read_from_the_text() {
        let reply = parse(&["550 5.1.1 no such user"]).unwrap();
        assert_eq!(reply.status().to_string(), "5.1.1");
        assert_eq!(reply.diagnostic(), "smtp; 550 5.1.1 no such user");
    }

    #[test]
    fn missing_or_mismatched_enhanced_status_is_derived_from_the_code() {
        assert_eq!(
            parse(&["451 try later"]).unwrap().status().to_string(),
            "4.0.0"
        );
        assert_eq!(
            parse(&["550 4.2.2 full"]).unwrap().status().to_string(),
            "5.0.0"
        );
        assert_eq!(parse(&["554 5.1"]).unwrap().status().to_string(), "5.0.0");
    }

    #[test]
    fn changing_code_mid_reply_is_an_error() {
        assert_eq!(
            parse(&["250-first", "251 second"]),
            Err(ReplyError::CodeChanged {
                expected: 250,
                found: 251
            })
        );
    }

    #[test]
    fn line_without_code_is_an_error() {
        assert_eq!(parse(&["hello"]), Err(ReplyError::NoCode));
        assert_eq!(parse(&["25"]), Err(ReplyError::NoCode));
    }

    #[test]
    fn endless_continuation_is_cut_off() {
        let mut builder = ReplyBuilder::default();
        for _ in 0..MAX_REPLY_LINES {
            assert_eq!(builder.push("250-more"), Ok(None));
        }
        assert_eq!(builder.push("250-more"), Err(ReplyError::TooManyLines));
    }

    #[test]
    fn random_lines_give_replies_or_errors_never_panics() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(5321);
        let alphabet = b"0123459- .\t\xc3\xa4ab";
        for _ in 0..10_000 {
            let mut builder = ReplyBuilder::default();
            for _ in 0..rng.gen_range(1..6) {
                let line: Vec<u8> = (0..rng.gen_range(0..12))
                    .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
                    .collect();
                let line = String::from_utf8_lossy(&line);
                match builder.push(&line) {
                    Ok(Some(reply)) => {
                        assert!((100..1000).contains(&reply.code));
                        let _ = (reply.status(), reply.diagnostic());
                        break;
                    }
                    Ok(None) => {}
                    Err(_) => break,
                }
            }
        }
    }

    #[test]
    fn diagnostic_drops_control_characters() {
        let reply = parse(&["550-5.7.1 bad\tthing", "550 5.7.1 \u{1b}[31mred"]).unwrap();
        assert_eq!(
            reply.diagnostic(),
            "smtp; 550 5.7.1 bad thing 5.7.1  [31mred"
        );
    }
}
