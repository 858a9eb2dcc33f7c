//! APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502), literal8 (RFC 3516)
//! and the UTF8 data item (RFC 6855 §4): what precedes each message literal.
//! The message octets never pass through here: the framer streams them.

use super::command::Tag;
use super::datetime::{DateTime, date_time};
use super::error::{PResult, ParseError, fail, offset};
use super::flag::{Flag, flag_list};
use super::primitives::{byte, sp, trailing_literal, word};

/// One message of an APPEND, as announced before its literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMessage {
    pub flags: Vec<Flag>,
    /// The INTERNALDATE to set; `None` means now.
    pub date: Option<DateTime>,
    /// `UTF8 (~{n})`: the message may carry UTF-8 headers (RFC 6855 §4).
    pub utf8: bool,
    /// `~{n}`: literal8, may contain NUL (RFC 3516).
    pub binary: bool,
    /// Octets of the message literal.
    pub size: u64,
    /// `{n}`: the session answers with a continuation request (or a tagged
    /// NO) before the client sends the octets; `{n+}` sends them at once.
    pub synchronizing: bool,
}

/// `[SP flag-list] [SP date-time] SP (literal | literal8 | "UTF8" SP "(" literal8)`,
/// ending the input (the message octets follow outside this command).
pub(super) fn message_head(i: &[u8]) -> PResult<'_, AppendMessage> {
    let line = i.strip_suffix(b"\r\n").unwrap_or(i);
    let Some(announced) = trailing_literal(line) else {
        return fail(i, "message literal");
    };
    let mut rest = &line[..announced.start];
    let mut flags = Vec::new();
    if let Ok((r, ())) = sp(rest)
        && r.starts_with(b"(")
    {
        let (r, f) = flag_list(r)?;
        flags = f;
        rest = r;
    }
    let mut date = None;
    if let Ok((r, ())) = sp(rest)
        && r.starts_with(b"\"")
    {
        let (r, d) = date_time(r)?;
        date = Some(d);
        rest = r;
    }
    let (rest, ()) = sp(rest).or_else(|_| fail(rest, "SP"))?;
    let (rest, utf8) = match word("UTF8")(rest) {
        Ok((r, ())) => {
            let (r, ()) = sp(r).or_else(|_| fail(r, "SP"))?;
            let (r, ()) = byte(b'(', "(")(r).or_else(|_| fail(r, "("))?;
            if !announced.binary {
                return fail(r, "literal8");
            }
            (r, true)
        }
        Err(_) => (rest, false),
    };
    if !rest.is_empty() {
        return fail(rest, "message literal");
    }
    let message = AppendMessage {
        flags,
        date,
        utf8,
        binary: announced.binary,
        size: announced.size,
        synchronizing: announced.synchronizing,
    };
    Ok((&[], message))
}

/// Reads what follows a message literal of a running APPEND: the end of the
/// command (`Ok(None)`) or the next message of a MULTIAPPEND. `fragment` is
/// the rest of the line, CRLF included or not; `after_utf8` says the previous
/// message was `UTF8 (`, whose `)` must come first.
pub(super) fn parse_append_next(
    tag: &Tag,
    fragment: &[u8],
    after_utf8: bool,
) -> Result<Option<AppendMessage>, ParseError> {
    let line = fragment.strip_suffix(b"\r\n").unwrap_or(fragment);
    let syntax = |rest: &[u8], expected| ParseError::Syntax {
        tag: tag.clone(),
        command: "APPEND".to_owned(),
        expected,
        at: offset(line, rest),
    };
    let rest = if after_utf8 {
        line.strip_prefix(b")").ok_or_else(|| syntax(line, ")"))?
    } else {
        line
    };
    if rest.is_empty() {
        return Ok(None);
    }
    match message_head(rest) {
        Ok((_, message)) => Ok(Some(message)),
        Err(nom::Err::Error(f) | nom::Err::Failure(f)) => {
            Err(syntax(f.rest, f.expected.unwrap_or("message literal")))
        }
        Err(nom::Err::Incomplete(_)) => Err(syntax(rest, "message literal")),
    }
}
