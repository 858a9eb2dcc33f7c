//! SMTP command lines to typed commands (RFC 5321 §4.1 and the extensions
//! postamt offers). Takes one line without its CRLF; knows no session state,
//! so whether a command is allowed now (or a UTF-8 address without
//! SMTPUTF8) is the session's decision.

mod params;
mod path;
#[cfg(test)]
mod tests;

use std::fmt;

use nom::Parser;
use nom::bytes::complete::tag_no_case;

pub use params::{MailParameters, RcptParameters};
pub use path::{ClientIdentity, Mailbox};

/// `MAIL FROM:<reverse-path>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReversePath {
    /// `<>`: no bounce is ever sent for this message (RFC 5321 §4.5.5).
    Null,
    Mailbox(Mailbox),
}

/// `RCPT TO:<forward-path>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardPath {
    /// `<Postmaster>` without a domain (RFC 5321 §4.1.1.3): ours.
    Postmaster,
    Mailbox(Mailbox),
}

/// A SASL initial response: never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct InitialResponse(pub Vec<u8>);

impl fmt::Debug for InitialResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InitialResponse(<redacted>)")
    }
}

/// One SMTP command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Ehlo(ClientIdentity),
    Helo(ClientIdentity),
    Mail(ReversePath, MailParameters),
    Rcpt(ForwardPath, RcptParameters),
    Data,
    /// RFC 3030 §2: a chunk of `size` octets follows the line.
    Bdat {
        size: u64,
        last: bool,
    },
    Rset,
    Noop,
    Quit,
    Vrfy,
    Expn,
    Help,
    StartTls,
    /// RFC 4954 §4.
    Auth {
        mechanism: String,
        initial_response: Option<InitialResponse>,
    },
}

/// Why a line is no command. Each maps to one reply (see `reply.rs`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// `500 5.5.1`.
    #[error("unknown command")]
    UnknownCommand,
    /// `501 5.5.2`: the arguments do not follow the grammar.
    #[error("syntax error: {0}")]
    Syntax(&'static str),
    /// `501 5.5.4`: a parameter with a bad value, or given twice.
    #[error("invalid parameter: {0}")]
    InvalidParameter(&'static str),
    /// `555 5.5.4`: a MAIL or RCPT parameter postamt does not know.
    #[error("parameter {0} not implemented")]
    ParameterNotImplemented(String),
}

/// The verb: up to the first space, case-insensitive.
fn split_verb(line: &[u8]) -> (Vec<u8>, &[u8]) {
    match line.iter().position(|&b| b == b' ') {
        Some(at) => (
            line.get(..at).unwrap_or_default().to_ascii_uppercase(),
            line.get(at + 1..).unwrap_or_default(),
        ),
        None => (line.to_ascii_uppercase(), &[]),
    }
}

/// Parses one command line (CRLF removed).
pub fn parse_command(line: &[u8]) -> Result<Command, ParseError> {
    let (verb, args) = split_verb(line);
    match verb.as_slice() {
        b"EHLO" => Ok(Command::Ehlo(identity(args)?)),
        b"HELO" => Ok(Command::Helo(identity(args)?)),
        b"MAIL" => mail(args),
        b"RCPT" => rcpt(args),
        b"DATA" => no_arguments(args, Command::Data),
        b"BDAT" => bdat(args),
        b"RSET" => no_arguments(args, Command::Rset),
        // RFC 5321 §4.1.1.9: NOOP may carry a string, which is ignored.
        b"NOOP" => Ok(Command::Noop),
        b"QUIT" => no_arguments(args, Command::Quit),
        b"VRFY" => with_argument(args, Command::Vrfy),
        b"EXPN" => with_argument(args, Command::Expn),
        b"HELP" => Ok(Command::Help),
        b"STARTTLS" => no_arguments(args, Command::StartTls),
        b"AUTH" => auth(args),
        _ => Err(ParseError::UnknownCommand),
    }
}

fn no_arguments(args: &[u8], command: Command) -> Result<Command, ParseError> {
    if args.iter().all(|&b| b == b' ') {
        Ok(command)
    } else {
        Err(ParseError::Syntax("this command takes no arguments"))
    }
}

fn with_argument(args: &[u8], command: Command) -> Result<Command, ParseError> {
    if args.iter().any(|&b| b != b' ') {
        Ok(command)
    } else {
        Err(ParseError::Syntax("an argument is required"))
    }
}

fn identity(args: &[u8]) -> Result<ClientIdentity, ParseError> {
    let args = trim_end(args);
    match path::client_identity(args) {
        Ok((&[], identity)) => Ok(identity),
        _ => Err(ParseError::Syntax(
            "a domain or address literal is required",
        )),
    }
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(0, |at| at + 1);
    bytes.get(..end).unwrap_or_default()
}

/// `"FROM:" <path>` or `"TO:" <path>`, tolerating spaces after the colon
/// as Postfix and most servers do; returns what follows the path.
fn after_keyword<'a>(args: &'a [u8], keyword: &'static str) -> Result<&'a [u8], ParseError> {
    let found: nom::IResult<&[u8], &[u8]> = tag_no_case(keyword.as_bytes()).parse(args);
    let (rest, _) =
        found.map_err(|_| ParseError::Syntax("expected FROM:<address> or TO:<address>"))?;
    Ok(rest.strip_prefix(b" ").map_or(rest, |r| {
        let start = r.iter().position(|&b| b != b' ').unwrap_or(r.len());
        r.get(start..).unwrap_or_default()
    }))
}

/// What follows a path: nothing, or SP and parameters.
fn parameters_after(rest: &[u8]) -> Result<&[u8], ParseError> {
    match rest {
        [] => Ok(rest),
        [b' ', tail @ ..] => Ok(tail),
        _ => Err(ParseError::Syntax("malformed address")),
    }
}

fn mail(args: &[u8]) -> Result<Command, ParseError> {
    let rest = after_keyword(args, "FROM:")?;
    let (rest, reverse) = if let Some(rest) = rest.strip_prefix(b"<>") {
        (rest, ReversePath::Null)
    } else {
        let (rest, found) =
            path::path(rest).map_err(|_| ParseError::Syntax("malformed address"))?;
        (rest, ReversePath::Mailbox(found))
    };
    let parameters = params::mail(parameters_after(rest)?)?;
    Ok(Command::Mail(reverse, parameters))
}

fn rcpt(args: &[u8]) -> Result<Command, ParseError> {
    let rest = after_keyword(args, "TO:")?;
    let (rest, forward) = match rest.get(..12) {
        Some(head) if head.eq_ignore_ascii_case(b"<Postmaster>") => {
            (rest.get(12..).unwrap_or_default(), ForwardPath::Postmaster)
        }
        _ => {
            let (rest, found) =
                path::path(rest).map_err(|_| ParseError::Syntax("malformed address"))?;
            (rest, ForwardPath::Mailbox(found))
        }
    };
    let parameters = params::rcpt(parameters_after(rest)?)?;
    Ok(Command::Rcpt(forward, parameters))
}

/// RFC 3030 §2: `BDAT SP chunk-size [ SP end-marker ]`, `chunk-size = 1*DIGIT`.
fn bdat(args: &[u8]) -> Result<Command, ParseError> {
    let args = trim_end(args);
    let mut words = args.split(|&b| b == b' ');
    let size = words.next().unwrap_or_default();
    if size.is_empty() || size.len() > 19 || !size.iter().all(u8::is_ascii_digit) {
        return Err(ParseError::Syntax("BDAT needs a chunk size"));
    }
    let size = std::str::from_utf8(size)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or(ParseError::Syntax("BDAT needs a chunk size"))?;
    let last = match (words.next(), words.next()) {
        (None, _) => false,
        (Some(marker), None) if marker.eq_ignore_ascii_case(b"LAST") => true,
        _ => return Err(ParseError::Syntax("BDAT takes a size and LAST")),
    };
    Ok(Command::Bdat { size, last })
}

/// RFC 4954 §4: `AUTH SP sasl-mech [SP initial-response]`.
fn auth(args: &[u8]) -> Result<Command, ParseError> {
    let mut words = trim_end(args).split(|&b| b == b' ');
    let mechanism = words.next().unwrap_or_default();
    // sasl-mech = 1*20(UPPER-ALPHA / DIGIT / "-" / "_") (RFC 4422 §3.1), any case here.
    let valid = !mechanism.is_empty()
        && mechanism.len() <= 20
        && mechanism
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        return Err(ParseError::Syntax("AUTH needs a mechanism"));
    }
    let initial_response = match (words.next(), words.next()) {
        (None, _) => None,
        (Some(response), None) if !response.is_empty() => Some(InitialResponse(response.to_vec())),
        _ => return Err(ParseError::Syntax("AUTH takes a mechanism and a response")),
    };
    Ok(Command::Auth {
        mechanism: String::from_utf8_lossy(mechanism).into_owned(),
        initial_response,
    })
}
