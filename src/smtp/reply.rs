//! SMTP replies (RFC 5321 §4.2) with enhanced status codes (RFC 2034,
//! RFC 3463), and their wire form: the only place that writes reply bytes.
//! Multiline replies (`250-...` then `250 ...`) carry the code on every
//! line; the greeting, the EHLO reply and 3xx replies carry no enhanced
//! code (RFC 2034 §3).

use std::fmt;

use super::parser::ParseError;

/// An enhanced status code, `class.subject.detail` (RFC 3463 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    class: u8,
    subject: u16,
    detail: u16,
}

impl Status {
    pub const fn new(class: u8, subject: u16, detail: u16) -> Self {
        Self {
            class,
            subject,
            detail,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// One reply: a three-digit code, an optional enhanced status, and one or
/// more lines of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    code: u16,
    status: Option<Status>,
    lines: Vec<String>,
}

/// Keeps client-supplied or configured text from breaking the reply's
/// framing: every control character becomes a space.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

impl Reply {
    /// A one-line reply with an enhanced status code.
    pub fn new(code: u16, status: Status, text: &str) -> Self {
        Self {
            code,
            status: Some(status),
            lines: vec![clean(text)],
        }
    }

    /// A reply without an enhanced status code: greeting, 3xx, SASL challenges.
    pub fn plain(code: u16, text: &str) -> Self {
        Self {
            code,
            status: None,
            lines: vec![clean(text)],
        }
    }

    /// A multiline reply without enhanced codes (EHLO, RFC 5321 §4.1.1.1).
    pub fn lines(code: u16, lines: impl IntoIterator<Item = String>) -> Self {
        let mut lines: Vec<String> = lines.into_iter().map(|line| clean(&line)).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        Self {
            code,
            status: None,
            lines,
        }
    }

    pub fn code(&self) -> u16 {
        self.code
    }

    /// A 5xx reply: the command failed for good (counts as a client error).
    pub fn is_permanent_failure(&self) -> bool {
        self.code >= 500
    }

    /// Appends the wire form to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let last = self.lines.len().saturating_sub(1);
        for (index, line) in self.lines.iter().enumerate() {
            let separator = if index == last { ' ' } else { '-' };
            let text = match self.status {
                Some(status) => format!("{}{separator}{status} {line}\r\n", self.code),
                None if line.is_empty() => format!("{}{separator}\r\n", self.code),
                None => format!("{}{separator}{line}\r\n", self.code),
            };
            out.extend_from_slice(text.as_bytes());
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

impl From<&ParseError> for Reply {
    fn from(error: &ParseError) -> Self {
        match error {
            ParseError::UnknownCommand => {
                Reply::new(500, Status::new(5, 5, 1), "Command not recognized")
            }
            ParseError::Syntax(why) => Reply::new(501, Status::new(5, 5, 2), &syntax(why)),
            ParseError::InvalidParameter(why) => {
                Reply::new(501, Status::new(5, 5, 4), &syntax(why))
            }
            ParseError::ParameterNotImplemented(keyword) => Reply::new(
                555,
                Status::new(5, 5, 4),
                &format!("Parameter {keyword} not implemented"),
            ),
        }
    }
}

fn syntax(why: &str) -> String {
    format!("Syntax error: {why}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(reply: &Reply) -> String {
        String::from_utf8(reply.to_bytes()).unwrap()
    }

    #[test]
    fn one_line_reply_carries_the_enhanced_code() {
        let reply = Reply::new(550, Status::new(5, 1, 1), "No such user");
        assert_eq!(text(&reply), "550 5.1.1 No such user\r\n");
        assert!(reply.is_permanent_failure());
    }

    #[test]
    fn multiline_reply_uses_dashes_until_the_last_line() {
        let reply = Reply::lines(
            250,
            ["mx.test".into(), "PIPELINING".into(), "SIZE 10".into()],
        );
        assert_eq!(
            text(&reply),
            "250-mx.test\r\n250-PIPELINING\r\n250 SIZE 10\r\n"
        );
    }

    #[test]
    fn plain_reply_has_no_enhanced_code_and_empty_text_is_allowed() {
        assert_eq!(text(&Reply::plain(334, "")), "334 \r\n");
        assert_eq!(text(&Reply::lines(250, Vec::new())), "250 \r\n");
        assert_eq!(text(&Reply::plain(354, "Go on")), "354 Go on\r\n");
    }

    #[test]
    fn control_characters_cannot_break_the_framing() {
        let reply = Reply::plain(220, "a\r\n250 injected");
        assert_eq!(text(&reply), "220 a  250 injected\r\n");
    }

    #[test]
    fn parse_errors_map_to_their_codes() {
        let code = |e: ParseError| text(&Reply::from(&e))[..9].to_owned();
        assert_eq!(code(ParseError::UnknownCommand), "500 5.5.1");
        assert_eq!(code(ParseError::Syntax("x")), "501 5.5.2");
        assert_eq!(code(ParseError::InvalidParameter("x")), "501 5.5.4");
        assert_eq!(
            code(ParseError::ParameterNotImplemented("X".into())),
            "555 5.5.4"
        );
    }
}
