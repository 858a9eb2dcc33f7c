//! POP3 command lines to typed [`Command`]s (RFC 1939 §3 and §5-7, RFC 2449
//! §3 CAPA, RFC 2595 §4 STLS, RFC 5034 §4 AUTH).
//!
//! Owns the grammar only: a case-insensitive keyword, then arguments separated
//! by spaces. It gets one line without its CRLF, already bounded in length by
//! the session's reader, and never decides whether a command is allowed in the
//! current state: that is the session's job.

use nom::IResult;
use nom::Parser;
use nom::bytes::complete::take_while1;
use nom::character::complete::digit1;
use nom::combinator::{all_consuming, map_res};
use thiserror::Error;

use crate::auth::Password;

/// The longest command line a client may send, CRLF included (RFC 2449 §4).
pub const MAX_COMMAND_LINE: usize = 255;

/// A message number (RFC 1939 §3): 1 for the first message of the maildrop.
/// Zero parses, so the session can say "no such message" rather than a syntax error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MessageNumber(pub u32);

impl std::fmt::Display for MessageNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One client command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// RFC 2449 §5.
    Capa,
    /// RFC 1939 §6 (AUTHORIZATION: end, TRANSACTION: enter UPDATE).
    Quit,
    /// RFC 2595 §4.
    Stls,
    /// RFC 1939 §7.
    User(String),
    /// RFC 1939 §7: the rest of the line, spaces included.
    Pass(Password),
    /// RFC 1939 §7; recognised only to say why it is not offered.
    Apop,
    /// RFC 5034 §4; without a mechanism, the list of mechanisms.
    Auth {
        mechanism: Option<String>,
        initial_response: Option<Vec<u8>>,
    },
    /// RFC 1939 §5.
    Stat,
    List(Option<MessageNumber>),
    Retr(MessageNumber),
    Dele(MessageNumber),
    Noop,
    Rset,
    /// RFC 1939 §7: the header, the blank line and this many body lines.
    Top(MessageNumber, u64),
    Uidl(Option<MessageNumber>),
}

/// Why a command line was not understood; each is one `-ERR` line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("empty command")]
    Empty,
    #[error("unknown command")]
    Unknown,
    #[error("{command} needs {what}")]
    MissingArgument {
        command: &'static str,
        what: &'static str,
    },
    #[error("too many arguments to {0}")]
    TooManyArguments(&'static str),
    #[error("{0} is not a number")]
    NotANumber(String),
    #[error("arguments must be UTF-8")]
    NotUtf8,
}

/// Parses one command line (without CRLF).
pub fn parse_command(line: &[u8]) -> Result<Command, ParseError> {
    let (rest, keyword) = keyword(line).map_err(|_| {
        if line.iter().all(|b| *b == b' ') {
            ParseError::Empty
        } else {
            ParseError::Unknown
        }
    })?;
    let keyword = keyword.to_ascii_uppercase();
    let arguments = match rest.split_first() {
        None => &[][..],
        Some((b' ', arguments)) => arguments,
        Some(_) => return Err(ParseError::Unknown),
    };
    // PASS takes the whole rest of the line: a password may hold spaces (RFC 1939 §7).
    if keyword == b"PASS" {
        let password = std::str::from_utf8(arguments).map_err(|_| ParseError::NotUtf8)?;
        if password.is_empty() {
            return Err(missing("PASS", "a password"));
        }
        return Ok(Command::Pass(Password::new(password)));
    }
    let text = std::str::from_utf8(arguments).map_err(|_| ParseError::NotUtf8)?;
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    let command = match keyword.as_slice() {
        b"CAPA" => none("CAPA", &words, Command::Capa)?,
        b"QUIT" => none("QUIT", &words, Command::Quit)?,
        b"STLS" => none("STLS", &words, Command::Stls)?,
        b"STAT" => none("STAT", &words, Command::Stat)?,
        b"NOOP" => none("NOOP", &words, Command::Noop)?,
        b"RSET" => none("RSET", &words, Command::Rset)?,
        b"APOP" => Command::Apop,
        b"USER" => match words.as_slice() {
            [name] => Command::User((*name).to_owned()),
            [] => return Err(missing("USER", "a user name")),
            _ => return Err(ParseError::TooManyArguments("USER")),
        },
        b"AUTH" => match words.as_slice() {
            [] => Command::Auth {
                mechanism: None,
                initial_response: None,
            },
            [mechanism] => Command::Auth {
                mechanism: Some((*mechanism).to_owned()),
                initial_response: None,
            },
            [mechanism, response] => Command::Auth {
                mechanism: Some((*mechanism).to_owned()),
                initial_response: Some(response.as_bytes().to_vec()),
            },
            _ => return Err(ParseError::TooManyArguments("AUTH")),
        },
        b"LIST" => Command::List(optional_number("LIST", &words)?),
        b"UIDL" => Command::Uidl(optional_number("UIDL", &words)?),
        b"RETR" => Command::Retr(one_number("RETR", &words)?),
        b"DELE" => Command::Dele(one_number("DELE", &words)?),
        b"TOP" => match words.as_slice() {
            [message, lines] => Command::Top(message_number(message)?, line_count(lines)?),
            [] | [_] => return Err(missing("TOP", "a message number and a line count")),
            _ => return Err(ParseError::TooManyArguments("TOP")),
        },
        _ => return Err(ParseError::Unknown),
    };
    Ok(command)
}

/// A keyword: 3 or 4 printable characters by RFC 2449 §3; any run of
/// letters is taken so unknown ones are reported as such.
fn keyword(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while1(|b: u8| b.is_ascii_alphanumeric()).parse(i)
}

fn missing(command: &'static str, what: &'static str) -> ParseError {
    ParseError::MissingArgument { command, what }
}

fn none(name: &'static str, words: &[&str], command: Command) -> Result<Command, ParseError> {
    if words.is_empty() {
        Ok(command)
    } else {
        Err(ParseError::TooManyArguments(name))
    }
}

fn optional_number(
    name: &'static str,
    words: &[&str],
) -> Result<Option<MessageNumber>, ParseError> {
    match words {
        [] => Ok(None),
        [word] => message_number(word).map(Some),
        _ => Err(ParseError::TooManyArguments(name)),
    }
}

fn one_number(name: &'static str, words: &[&str]) -> Result<MessageNumber, ParseError> {
    match words {
        [word] => message_number(word),
        [] => Err(missing(name, "a message number")),
        _ => Err(ParseError::TooManyArguments(name)),
    }
}

fn decimal(word: &str) -> IResult<&str, u64> {
    all_consuming(map_res(digit1, str::parse::<u64>)).parse(word)
}

fn message_number(word: &str) -> Result<MessageNumber, ParseError> {
    decimal(word)
        .ok()
        .and_then(|(_, n)| u32::try_from(n).ok())
        .map(MessageNumber)
        .ok_or_else(|| ParseError::NotANumber(word.to_owned()))
}

/// A TOP line count; a count beyond u64 (clients send "all" as a huge one)
/// still means every line.
fn line_count(word: &str) -> Result<u64, ParseError> {
    if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
        Ok(decimal(word).map_or(u64::MAX, |(_, n)| n))
    } else {
        Err(ParseError::NotANumber(word.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Command, ParseError> {
        parse_command(line.as_bytes())
    }

    #[test]
    fn keywords_are_case_insensitive() {
        assert_eq!(parse("capa"), Ok(Command::Capa));
        assert_eq!(parse("Stat"), Ok(Command::Stat));
        assert_eq!(parse("rEtR 3"), Ok(Command::Retr(MessageNumber(3))));
    }

    #[test]
    fn list_and_uidl_take_an_optional_message_number() {
        assert_eq!(parse("LIST"), Ok(Command::List(None)));
        assert_eq!(parse("LIST 2"), Ok(Command::List(Some(MessageNumber(2)))));
        assert_eq!(parse("UIDL"), Ok(Command::Uidl(None)));
        assert_eq!(parse("UIDL 7"), Ok(Command::Uidl(Some(MessageNumber(7)))));
        assert_eq!(parse("LIST 1 2"), Err(ParseError::TooManyArguments("LIST")));
    }

    #[test]
    fn top_takes_a_message_and_a_line_count() {
        assert_eq!(
            parse("TOP 1 99999999"),
            Ok(Command::Top(MessageNumber(1), 99_999_999))
        );
        assert_eq!(
            parse("TOP 1 999999999999999999999999"),
            Ok(Command::Top(MessageNumber(1), u64::MAX))
        );
        assert!(matches!(
            parse("TOP 1"),
            Err(ParseError::MissingArgument { .. })
        ));
        assert_eq!(parse("TOP 1 -1"), Err(ParseError::NotANumber("-1".into())));
    }

    #[test]
    fn bad_message_numbers_are_refused() {
        assert_eq!(parse("RETR x"), Err(ParseError::NotANumber("x".into())));
        assert_eq!(parse("DELE -1"), Err(ParseError::NotANumber("-1".into())));
        assert_eq!(
            parse("RETR 99999999999"),
            Err(ParseError::NotANumber("99999999999".into()))
        );
        assert!(matches!(
            parse("RETR"),
            Err(ParseError::MissingArgument { .. })
        ));
        assert_eq!(parse("RETR 0"), Ok(Command::Retr(MessageNumber(0))));
    }

    #[test]
    fn pass_keeps_spaces_in_the_password() {
        let Ok(Command::Pass(password)) = parse("PASS  two words ") else {
            panic!("PASS did not parse");
        };
        assert_eq!(password.expose(), " two words ");
    }

    #[test]
    fn user_needs_exactly_one_name() {
        assert_eq!(
            parse("USER bob@example.test"),
            Ok(Command::User("bob@example.test".into()))
        );
        assert!(matches!(
            parse("USER"),
            Err(ParseError::MissingArgument { .. })
        ));
        assert_eq!(parse("USER a b"), Err(ParseError::TooManyArguments("USER")));
    }

    #[test]
    fn auth_with_and_without_mechanism_and_initial_response() {
        assert_eq!(
            parse("AUTH"),
            Ok(Command::Auth {
                mechanism: None,
                initial_response: None
            })
        );
        assert_eq!(
            parse("AUTH PLAIN AGEAYg=="),
            Ok(Command::Auth {
                mechanism: Some("PLAIN".into()),
                initial_response: Some(b"AGEAYg==".to_vec())
            })
        );
    }

    #[test]
    fn unknown_and_empty_lines_are_errors() {
        assert_eq!(parse("XYZZY"), Err(ParseError::Unknown));
        assert_eq!(parse(""), Err(ParseError::Empty));
        assert_eq!(parse("   "), Err(ParseError::Empty));
        assert_eq!(parse("LIST\t1"), Err(ParseError::Unknown));
        assert_eq!(parse("NOOP now"), Err(ParseError::TooManyArguments("NOOP")));
    }

    #[test]
    fn non_utf8_arguments_are_refused_not_panicked_on() {
        assert_eq!(parse_command(b"USER \xff\xfe"), Err(ParseError::NotUtf8));
        assert_eq!(parse_command(b"\xff"), Err(ParseError::Unknown));
    }
}
