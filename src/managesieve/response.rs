//! ManageSieve responses to bytes (RFC 5804 §1.3, §4): `OK`, `NO` and
//! `BYE` with an optional response code and a human-readable string, data
//! lines, and strings sent quoted when safe and as literals otherwise.

/// A response code (RFC 5804 §1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    EncryptNeeded,
    QuotaMaxScripts,
    QuotaMaxSize,
    TryLater,
    Active,
    NonExistent,
    AlreadyExists,
    /// The tag a client gave NOOP, echoed back (§2.13).
    Tag(Vec<u8>),
}

impl Code {
    fn render(&self, out: &mut Vec<u8>) {
        let atom: &str = match self {
            Self::EncryptNeeded => "ENCRYPT-NEEDED",
            Self::QuotaMaxScripts => "QUOTA/MAXSCRIPTS",
            Self::QuotaMaxSize => "QUOTA/MAXSIZE",
            Self::TryLater => "TRYLATER",
            Self::Active => "ACTIVE",
            Self::NonExistent => "NONEXISTENT",
            Self::AlreadyExists => "ALREADYEXISTS",
            Self::Tag(tag) => {
                out.extend_from_slice(b"TAG ");
                string(out, tag);
                return;
            }
        };
        out.extend_from_slice(atom.as_bytes());
    }
}

/// The longest string sent quoted; longer ones go as literals.
const MAX_QUOTED: usize = 1024;

/// Appends `text` as a string: quoted (`\` and `"` escaped) when it has no
/// CR, LF or NUL and is short, else as a literal `{n}` CRLF text (§4).
pub fn string(out: &mut Vec<u8>, text: &[u8]) {
    let quotable = text.len() <= MAX_QUOTED && !text.iter().any(|b| matches!(b, b'\r' | b'\n' | 0));
    if quotable {
        out.push(b'"');
        for &byte in text {
            if byte == b'"' || byte == b'\\' {
                out.push(b'\\');
            }
            out.push(byte);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(format!("{{{}}}\r\n", text.len()).as_bytes());
        out.extend_from_slice(text);
    }
}

fn status(word: &str, code: Option<&Code>, text: &str) -> Vec<u8> {
    let mut out = word.as_bytes().to_vec();
    if let Some(code) = code {
        out.extend_from_slice(b" (");
        code.render(&mut out);
        out.push(b')');
    }
    if !text.is_empty() {
        out.push(b' ');
        string(&mut out, text.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

pub fn ok(code: Option<&Code>, text: &str) -> Vec<u8> {
    status("OK", code, text)
}

pub fn no(code: Option<&Code>, text: &str) -> Vec<u8> {
    status("NO", code, text)
}

pub fn bye(code: Option<&Code>, text: &str) -> Vec<u8> {
    status("BYE", code, text)
}

/// A line of strings separated by spaces, e.g. a capability or a SASL challenge.
pub fn strings_line(items: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push(b' ');
        }
        string(&mut out, item);
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// What the capability list depends on.
#[derive(Debug, Clone)]
pub struct CapabilityState {
    pub extensions: Vec<String>,
    /// STARTTLS is offered: a STARTTLS listener, not yet in TLS.
    pub starttls: bool,
    /// Passwords may be sent now; otherwise the SASL list is empty (§1.7).
    pub auth_allowed: bool,
    pub authenticated: bool,
}

/// The capability lines (RFC 5804 §1.7), without the closing OK.
pub fn capabilities(state: &CapabilityState) -> Vec<u8> {
    let mechanisms: Vec<&str> = if state.auth_allowed && !state.authenticated {
        crate::auth::sasl::advertised_mechanisms()
            .iter()
            .map(|mechanism| mechanism.name())
            .collect()
    } else {
        Vec::new()
    };
    let extensions = state.extensions.join(" ");
    let mut out = strings_line(&[b"IMPLEMENTATION", b"postamt"]);
    out.extend(strings_line(&[b"SIEVE", extensions.as_bytes()]));
    out.extend(strings_line(&[b"SASL", mechanisms.join(" ").as_bytes()]));
    if state.starttls {
        out.extend(strings_line(&[b"STARTTLS"]));
    }
    out.extend(strings_line(&[b"UNAUTHENTICATE"]));
    out.extend(strings_line(&[b"VERSION", b"1.0"]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_with_a_line_break_goes_as_a_literal() {
        let mut out = Vec::new();
        string(&mut out, b"a\r\nb");
        assert_eq!(out, b"{4}\r\na\r\nb");
    }

    #[test]
    fn quotes_are_escaped_and_codes_rendered() {
        assert_eq!(
            no(Some(&Code::QuotaMaxSize), "too \"big\""),
            b"NO (QUOTA/MAXSIZE) \"too \\\"big\\\"\"\r\n"
        );
        assert_eq!(
            ok(Some(&Code::Tag(b"x".to_vec())), "Done"),
            b"OK (TAG \"x\") \"Done\"\r\n"
        );
    }
}
