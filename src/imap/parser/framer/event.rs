//! The framer's vocabulary: its limits, why it refuses a command, and the
//! events it hands to the session.

use thiserror::Error;

use crate::config::LimitsSection;

use crate::imap::parser::append::AppendMessage;
use crate::imap::parser::command::{Command, Tag};
use crate::imap::parser::error::ParseError;

/// The largest non-synchronising literal under LITERAL- (RFC 7888 §4).
pub const LITERAL_MINUS_MAX: u64 = 4096;

/// Which non-synchronising literals the server advertised (RFC 7888).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralMode {
    /// LITERAL+: any size.
    Plus,
    /// LITERAL-: at most 4096 octets.
    Minus,
}

/// The limits the framer enforces (from `[limits]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The command line without its literals, in octets (CRLFs included).
    pub max_line: usize,
    /// All literals of one command other than APPEND messages, together.
    pub max_literal: u64,
    /// One APPEND message.
    pub max_message: u64,
    pub literal_mode: LiteralMode,
}

impl Limits {
    /// The IMAP limits of the `[limits]` section.
    pub fn from_config(limits: &LimitsSection, literal_mode: LiteralMode) -> Self {
        Self {
            max_line: usize::try_from(limits.imap_max_line).unwrap_or(usize::MAX),
            max_literal: u64::from(limits.imap_max_literal),
            max_message: limits.message_size,
            literal_mode,
        }
    }
}

/// Why the framer refused a command before parsing it. Each maps to one
/// response: `MessageTooLarge` to `NO [TOOBIG]` (RFC 9051 §7.1, RFC 4469),
/// the others to `BAD` with `[TOOBIG]`, `[LIMIT]` for the line (RFC 5530).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameError {
    #[error("command line longer than {max} octets")]
    LineTooLong { max: usize },
    #[error("literal of {size} octets exceeds the limit of {max}")]
    LiteralTooLarge { size: u64, max: u64 },
    #[error("message of {size} octets exceeds the limit of {max}")]
    MessageTooLarge { size: u64, max: u64 },
    #[error("non-synchronizing literal of {size} octets exceeds 4096 (LITERAL-)")]
    NonSyncLiteralTooLarge { size: u64 },
}

/// What the session must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A complete command. For APPEND it is the command up to its first
    /// message literal: `MessageData`, `MessageEnd` and `AppendNext` or
    /// `AppendEnd` follow. A synchronising message literal waits for the
    /// session's continuation request (or [`super::Framer::refuse_message`]).
    Command(Command),
    /// A command that does not parse: answer BAD (tagged when possible).
    Invalid(ParseError),
    /// A command refused for a limit; the framer skips what the client
    /// still sends of it.
    Refused { tag: Option<Tag>, error: FrameError },
    /// A synchronising literal inside a command was accepted: send `+ ...`.
    ContinuationRequest,
    /// The next octets of the current APPEND message.
    MessageData(Vec<u8>),
    /// The current APPEND message is complete.
    MessageEnd,
    /// MULTIAPPEND: another message follows (same tag and mailbox).
    AppendNext(AppendMessage),
    /// The APPEND command is complete.
    AppendEnd,
}
