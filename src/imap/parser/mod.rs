//! IMAP command parsing: bytes to typed commands, no I/O.
//!
//! Two layers, both pure:
//! - [`Framer`] cuts the client's byte stream into commands. It finds literal
//!   announcements, checks every limit before it buffers anything, tells the
//!   session when to send a continuation request, streams APPEND message
//!   literals out instead of buffering them, and resynchronises after a
//!   refused command (skipping the octets of a refused non-synchronising
//!   literal). It also hands out raw lines for IDLE's `DONE` and for
//!   AUTHENTICATE responses.
//! - [`parse_command`] turns one assembled command (its lines with the
//!   literals inline, wire form) into a [`Command`] (RFC 9051 §9 grammar,
//!   RFC 3501 where rev1 differs, and the extensions postamt speaks), or a
//!   [`ParseError`] that keeps the tag.
//!
//! This module does not decide what a command means in the current state,
//! does not decode mailbox names (modified UTF-7 or UTF-8 is the session's
//! call) and never writes responses.

mod append;
mod command;
mod commands;
mod datetime;
mod error;
mod fetch;
mod flag;
mod framer;
mod list;
mod primitives;
mod search;
mod sequence;

pub use append::AppendMessage;
pub use command::{Command, CommandBody, IdParameter, Mailbox, Secret, StoreAction, Tag};
pub use commands::parse_command;
pub use datetime::{Date, DateTime};
pub use error::ParseError;
pub use fetch::{FetchAttribute, FetchModifiers, FetchSection, SectionText};
pub use flag::Flag;
pub use framer::{Event, FrameError, Framer, LITERAL_MINUS_MAX, Limits, LiteralMode, is_idle_done};
pub use list::{
    ListArgs, ListReturn, ListSelection, QResync, SelectParameters, StatusItem, UseAttr,
};
pub use search::{
    EntryType, MAX_SEARCH_DEPTH, SearchArgs, SearchKey, SearchReturn, SortArgs, SortCriterion,
    SortKey, ThreadArgs,
};
pub use sequence::{SeqNumber, SeqRange, SequenceSet};
