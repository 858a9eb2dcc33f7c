//! What can be wrong with a command, as typed errors the session answers with
//! exactly one response: `tag BAD ...` when the tag could be read, `* BAD ...`
//! otherwise. Also the nom error type the parsers use internally, which
//! remembers the innermost thing that was expected and where.

use nom::error::{ContextError, ErrorKind};
use thiserror::Error;

use super::command::Tag;

/// A command that could not be parsed (RFC 9051 §7.1.5: answered with BAD).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// Not even a tag could be read: the answer is an untagged `* BAD`.
    #[error("missing or invalid tag")]
    MissingTag,
    /// A tag but no command name after it.
    #[error("missing command name")]
    MissingCommand { tag: Tag },
    /// The arguments of a known command do not follow the grammar.
    #[error("{command}: {expected} expected at octet {at}")]
    Syntax {
        tag: Tag,
        /// The command name, upper-cased (`UID FETCH` for UID forms).
        command: String,
        /// What the grammar wanted where parsing stopped.
        expected: &'static str,
        /// Offset of that place from the start of the command.
        at: usize,
    },
}

impl ParseError {
    /// The tag to answer with, if one could be read.
    pub fn tag(&self) -> Option<&Tag> {
        match self {
            Self::MissingTag => None,
            Self::MissingCommand { tag } | Self::Syntax { tag, .. } => Some(tag),
        }
    }
}

/// The nom error of the internal parsers: where parsing stopped and the
/// innermost expectation that failed there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Failure<'a> {
    pub rest: &'a [u8],
    pub expected: Option<&'static str>,
}

impl<'a> nom::error::ParseError<&'a [u8]> for Failure<'a> {
    fn from_error_kind(input: &'a [u8], _: ErrorKind) -> Self {
        Self {
            rest: input,
            expected: None,
        }
    }

    fn append(_: &'a [u8], _: ErrorKind, other: Self) -> Self {
        other
    }

    /// Between two failed alternatives, the one that got further says more.
    fn or(self, other: Self) -> Self {
        if other.rest.len() < self.rest.len() {
            other
        } else {
            self
        }
    }
}

impl<'a> ContextError<&'a [u8]> for Failure<'a> {
    fn add_context(_: &'a [u8], ctx: &'static str, mut other: Self) -> Self {
        other.expected.get_or_insert(ctx);
        other
    }
}

/// The result type of every internal parser.
pub(super) type PResult<'a, O> = nom::IResult<&'a [u8], O, Failure<'a>>;

/// A failure at `rest` that no alternative may recover from.
pub(super) fn fail<'a, O>(rest: &'a [u8], expected: &'static str) -> PResult<'a, O> {
    Err(nom::Err::Failure(Failure {
        rest,
        expected: Some(expected),
    }))
}

/// A recoverable failure at `rest` (an `alt` may try the next branch).
pub(super) fn miss<'a, O>(rest: &'a [u8], expected: &'static str) -> PResult<'a, O> {
    Err(nom::Err::Error(Failure {
        rest,
        expected: Some(expected),
    }))
}

/// Where `part` (a subslice of `whole`) starts within `whole`.
pub(super) fn offset(whole: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize)
        .saturating_sub(whole.as_ptr() as usize)
        .min(whole.len())
}
