//! POP3 responses to bytes: status lines with their RFC 2449 §8 / RFC 3206
//! response codes, and multi-line responses with their terminator
//! (RFC 1939 §3). The only place that knows how a response is spelled;
//! message octets are encoded by [`super::stuffing`] as they stream.

/// Extended response codes (RFC 2449 §8.1, RFC 3206 §4-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// Another session holds the maildrop (RFC 2449 §8.1.2).
    InUse,
    /// The account logged in too recently (RFC 2449 §8.1.1).
    LoginDelay,
    /// A server fault that may go away (RFC 3206 §4).
    SysTemp,
    /// A server fault that will not go away by itself (RFC 3206 §4).
    SysPerm,
    /// The credentials, or the way they were sent, were refused (RFC 3206 §5).
    Auth,
}

impl Code {
    fn as_str(self) -> &'static str {
        match self {
            Code::InUse => "IN-USE",
            Code::LoginDelay => "LOGIN-DELAY",
            Code::SysTemp => "SYS/TEMP",
            Code::SysPerm => "SYS/PERM",
            Code::Auth => "AUTH",
        }
    }
}

/// `+OK text` CRLF.
pub fn ok(text: &str) -> Vec<u8> {
    status("+OK", None, text)
}

/// `-ERR [code] text` CRLF.
pub fn err(code: Option<Code>, text: &str) -> Vec<u8> {
    status("-ERR", code, text)
}

/// A SASL challenge (RFC 5034 §4): `+ ` and the base64 text.
pub fn challenge(base64: &str) -> Vec<u8> {
    format!("+ {base64}\r\n").into_bytes()
}

/// `+OK text`, the lines, and the terminator; each line beginning with `.`
/// is byte-stuffed (RFC 1939 §3).
pub fn multiline<I, L>(text: &str, lines: I) -> Vec<u8>
where
    I: IntoIterator<Item = L>,
    L: AsRef<str>,
{
    let mut out = ok(text);
    for line in lines {
        let line = line.as_ref();
        if line.starts_with('.') {
            out.push(b'.');
        }
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(TERMINATOR);
    out
}

/// The end of a multi-line response.
pub const TERMINATOR: &[u8] = b".\r\n";

fn status(indicator: &str, code: Option<Code>, text: &str) -> Vec<u8> {
    // A CR or LF in the text would end the line early and forge another response.
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    let line = match (code, text.is_empty()) {
        (Some(code), _) => format!("{indicator} [{}] {text}\r\n", code.as_str()),
        (None, true) => format!("{indicator}\r\n"),
        (None, false) => format!("{indicator} {text}\r\n"),
    };
    line.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_carry_their_code_in_brackets() {
        assert_eq!(ok("2 messages"), b"+OK 2 messages\r\n");
        assert_eq!(
            err(Some(Code::InUse), "maildrop locked"),
            b"-ERR [IN-USE] maildrop locked\r\n"
        );
        assert_eq!(
            err(Some(Code::SysTemp), "try later"),
            b"-ERR [SYS/TEMP] try later\r\n"
        );
        assert_eq!(ok(""), b"+OK\r\n");
    }

    #[test]
    fn line_breaks_in_the_text_cannot_forge_a_response() {
        assert_eq!(err(None, "a\r\n+OK b"), b"-ERR a+OK b\r\n");
    }

    #[test]
    fn multiline_stuffs_leading_dots_and_terminates() {
        assert_eq!(
            multiline("list", ["1 10", ".hidden", "2 20"]),
            b"+OK list\r\n1 10\r\n..hidden\r\n2 20\r\n.\r\n"
        );
        assert_eq!(
            multiline("none", Vec::<String>::new()),
            b"+OK none\r\n.\r\n"
        );
    }
}
