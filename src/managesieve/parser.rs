//! ManageSieve command syntax (RFC 5804 §4): a command is an atom followed
//! by strings (quoted, or literals `{n+}`/`{n}` CRLF octets) and numbers,
//! ending in CRLF. [`tokenize_line`] splits one line and reports a trailing
//! literal, whose octets the session reads itself (checking the size before
//! allocating); [`parse_command`] turns the tokens into a [`Command`].

use thiserror::Error;

/// The longest command line (without literals) accepted, in octets.
pub const MAX_LINE: usize = 8 * 1024;

/// One argument or the command name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Atom(String),
    String(Vec<u8>),
    /// A literal over the size limit: its octets were skipped, only its
    /// length is known (PUTSCRIPT answers `NO (QUOTA/MAXSIZE)`).
    Oversized(u64),
}

/// A literal announced at the end of a line (§4: `{n+}` needs no
/// continuation; `{n}` is taken the same way, as ManageSieve has no
/// continuation response).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Literal {
    pub len: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("unterminated quoted string")]
    UnterminatedString,
    #[error("invalid character in a quoted string")]
    InvalidQuoted,
    #[error("invalid literal")]
    InvalidLiteral,
    #[error("invalid character {0:?}")]
    InvalidCharacter(char),
    #[error("empty command")]
    Empty,
    #[error("unknown command {0}")]
    UnknownCommand(String),
    #[error("wrong arguments for {0}")]
    Arguments(&'static str),
    #[error("a name must be UTF-8")]
    NotUtf8,
    #[error("argument too large")]
    Oversized,
}

/// Splits one line (without its CRLF) into tokens; the literal announced
/// at its end, if any, comes back separately.
pub fn tokenize_line(line: &[u8]) -> Result<(Vec<Token>, Option<Literal>), ParseError> {
    let mut tokens = Vec::new();
    let mut rest = line;
    loop {
        rest = trim_spaces(rest);
        let Some(&first) = rest.first() else {
            return Ok((tokens, None));
        };
        match first {
            b'"' => {
                let (string, after) = quoted(rest.get(1..).unwrap_or_default())?;
                tokens.push(Token::String(string));
                rest = after;
            }
            b'{' => {
                let literal = literal(rest)?;
                return Ok((tokens, Some(literal)));
            }
            byte if is_atom_char(byte) => {
                let end = rest
                    .iter()
                    .position(|b| !is_atom_char(*b))
                    .unwrap_or(rest.len());
                let (atom, after) = rest.split_at(end);
                tokens.push(Token::Atom(String::from_utf8_lossy(atom).into_owned()));
                rest = after;
            }
            byte => return Err(ParseError::InvalidCharacter(char::from(byte))),
        }
    }
}

fn trim_spaces(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != b' ').unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// Atoms are command names and numbers (§4 `atom`, `number`).
fn is_atom_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.')
}

/// The rest of a quoted string after its opening `"` (§4 `quoted`: `\`
/// escapes only `"` and `\`; no CR, LF or NUL).
fn quoted(bytes: &[u8]) -> Result<(Vec<u8>, &[u8]), ParseError> {
    let mut out = Vec::new();
    let mut iter = bytes.iter().enumerate();
    while let Some((index, &byte)) = iter.next() {
        match byte {
            b'"' => return Ok((out, bytes.get(index + 1..).unwrap_or_default())),
            b'\\' => match iter.next() {
                Some((_, &escaped @ (b'"' | b'\\'))) => out.push(escaped),
                Some(_) => return Err(ParseError::InvalidQuoted),
                None => return Err(ParseError::UnterminatedString),
            },
            b'\r' | b'\n' | 0 => return Err(ParseError::InvalidQuoted),
            byte => out.push(byte),
        }
    }
    Err(ParseError::UnterminatedString)
}

/// `{n+}` or `{n}`, which must end the line.
fn literal(bytes: &[u8]) -> Result<Literal, ParseError> {
    let inner = bytes
        .strip_prefix(b"{")
        .and_then(|rest| rest.strip_suffix(b"}"))
        .ok_or(ParseError::InvalidLiteral)?;
    let digits = inner.strip_suffix(b"+").unwrap_or(inner);
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(ParseError::InvalidLiteral);
    }
    let len = std::str::from_utf8(digits)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or(ParseError::InvalidLiteral)?;
    Ok(Literal { len })
}

/// A script's source as the client sent it, or only its size when it was
/// over the limit and skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptBody {
    Octets(Vec<u8>),
    Oversized(u64),
}

/// RFC 5804 §2 commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Authenticate {
        mechanism: String,
        initial_response: Option<Vec<u8>>,
    },
    StartTls,
    Logout,
    Capability,
    HaveSpace {
        name: String,
        size: u64,
    },
    PutScript {
        name: String,
        script: ScriptBody,
    },
    ListScripts,
    SetActive(String),
    GetScript(String),
    DeleteScript(String),
    RenameScript {
        old: String,
        new: String,
    },
    CheckScript(ScriptBody),
    Noop(Option<Vec<u8>>),
    Unauthenticate,
}

impl Command {
    /// The command's name for the log, never its arguments.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Authenticate { .. } => "AUTHENTICATE",
            Self::StartTls => "STARTTLS",
            Self::Logout => "LOGOUT",
            Self::Capability => "CAPABILITY",
            Self::HaveSpace { .. } => "HAVESPACE",
            Self::PutScript { .. } => "PUTSCRIPT",
            Self::ListScripts => "LISTSCRIPTS",
            Self::SetActive(_) => "SETACTIVE",
            Self::GetScript(_) => "GETSCRIPT",
            Self::DeleteScript(_) => "DELETESCRIPT",
            Self::RenameScript { .. } => "RENAMESCRIPT",
            Self::CheckScript(_) => "CHECKSCRIPT",
            Self::Noop(_) => "NOOP",
            Self::Unauthenticate => "UNAUTHENTICATE",
        }
    }
}

/// The command the tokens of one complete command spell.
pub fn parse_command(tokens: Vec<Token>) -> Result<Command, ParseError> {
    let mut tokens = tokens.into_iter();
    let Some(Token::Atom(name)) = tokens.next() else {
        return Err(ParseError::Empty);
    };
    let args: Vec<Token> = tokens.collect();
    let upper = name.to_ascii_uppercase();
    let command = match (upper.as_str(), args.as_slice()) {
        ("AUTHENTICATE", [mechanism]) => Command::Authenticate {
            mechanism: text(mechanism)?,
            initial_response: None,
        },
        ("AUTHENTICATE", [mechanism, initial]) => Command::Authenticate {
            mechanism: text(mechanism)?,
            initial_response: Some(octets(initial)?),
        },
        ("STARTTLS", []) => Command::StartTls,
        ("LOGOUT", []) => Command::Logout,
        ("CAPABILITY", []) => Command::Capability,
        ("HAVESPACE", [name, Token::Atom(size)]) => Command::HaveSpace {
            name: text(name)?,
            size: size
                .parse()
                .map_err(|_| ParseError::Arguments("HAVESPACE"))?,
        },
        ("PUTSCRIPT", [name, script]) => Command::PutScript {
            name: text(name)?,
            script: body(script)?,
        },
        ("LISTSCRIPTS", []) => Command::ListScripts,
        ("SETACTIVE", [name]) => Command::SetActive(text(name)?),
        ("GETSCRIPT", [name]) => Command::GetScript(text(name)?),
        ("DELETESCRIPT", [name]) => Command::DeleteScript(text(name)?),
        ("RENAMESCRIPT", [old, new]) => Command::RenameScript {
            old: text(old)?,
            new: text(new)?,
        },
        ("CHECKSCRIPT", [script]) => Command::CheckScript(body(script)?),
        ("NOOP", []) => Command::Noop(None),
        ("NOOP", [tag]) => Command::Noop(Some(octets(tag)?)),
        ("UNAUTHENTICATE", []) => Command::Unauthenticate,
        (
            "AUTHENTICATE" | "STARTTLS" | "LOGOUT" | "CAPABILITY" | "HAVESPACE" | "PUTSCRIPT"
            | "LISTSCRIPTS" | "SETACTIVE" | "GETSCRIPT" | "DELETESCRIPT" | "RENAMESCRIPT"
            | "CHECKSCRIPT" | "NOOP" | "UNAUTHENTICATE",
            _,
        ) => return Err(ParseError::Arguments(static_name(&upper))),
        _ => return Err(ParseError::UnknownCommand(loggable(&name))),
    };
    Ok(command)
}

fn static_name(upper: &str) -> &'static str {
    [
        "AUTHENTICATE",
        "STARTTLS",
        "LOGOUT",
        "CAPABILITY",
        "HAVESPACE",
        "PUTSCRIPT",
        "LISTSCRIPTS",
        "SETACTIVE",
        "GETSCRIPT",
        "DELETESCRIPT",
        "RENAMESCRIPT",
        "CHECKSCRIPT",
        "NOOP",
        "UNAUTHENTICATE",
    ]
    .into_iter()
    .find(|known| *known == upper)
    .unwrap_or("the command")
}

/// A client's command name, bounded for the reply.
fn loggable(name: &str) -> String {
    name.chars().take(32).collect()
}

fn octets(token: &Token) -> Result<Vec<u8>, ParseError> {
    match token {
        Token::String(bytes) => Ok(bytes.clone()),
        Token::Atom(_) => Err(ParseError::Arguments("a string argument")),
        Token::Oversized(_) => Err(ParseError::Oversized),
    }
}

fn text(token: &Token) -> Result<String, ParseError> {
    String::from_utf8(octets(token)?).map_err(|_| ParseError::NotUtf8)
}

fn body(token: &Token) -> Result<ScriptBody, ParseError> {
    match token {
        Token::String(bytes) => Ok(ScriptBody::Octets(bytes.clone())),
        Token::Oversized(len) => Ok(ScriptBody::Oversized(*len)),
        Token::Atom(_) => Err(ParseError::Arguments("a script argument")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_ending_in_a_literal_reports_it() {
        let (tokens, literal) = tokenize_line(b"PUTSCRIPT \"work\" {121+}").unwrap();
        assert_eq!(
            tokens,
            vec![
                Token::Atom("PUTSCRIPT".into()),
                Token::String(b"work".to_vec())
            ]
        );
        assert_eq!(literal, Some(Literal { len: 121 }));
        assert_eq!(
            tokenize_line(b"X {12}").unwrap().1,
            Some(Literal { len: 12 })
        );
    }

    #[test]
    fn escapes_other_than_quote_and_backslash_are_refused() {
        assert_eq!(
            tokenize_line(b"X \"a\\nb\""),
            Err(ParseError::InvalidQuoted)
        );
        assert_eq!(
            tokenize_line(b"X \"ab"),
            Err(ParseError::UnterminatedString)
        );
        assert_eq!(tokenize_line(b"X {1x}"), Err(ParseError::InvalidLiteral));
        assert_eq!(
            tokenize_line(b"X {99999999999999999999+}"),
            Err(ParseError::InvalidLiteral)
        );
    }

    #[test]
    fn commands_are_case_insensitive_and_checked_for_arguments() {
        let tokens = tokenize_line(b"havespace \"a b\" 1000").unwrap().0;
        assert_eq!(
            parse_command(tokens).unwrap(),
            Command::HaveSpace {
                name: "a b".into(),
                size: 1000
            }
        );
        let tokens = tokenize_line(b"GETSCRIPT").unwrap().0;
        assert_eq!(
            parse_command(tokens),
            Err(ParseError::Arguments("GETSCRIPT"))
        );
    }
}
