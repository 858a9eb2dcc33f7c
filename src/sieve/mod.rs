//! Sieve (RFC 5228 and the extensions [`extensions`] lists): a hand-written
//! lexer and parser, a validator that compiles a script once, an
//! interpreter that runs it over a message many times, and the delivery
//! stage that runs a user's scripts. Knows nothing of ManageSieve or of how
//! scripts are stored (that is [`crate::delivery::ScriptStore`]).

mod ast;
mod compile;
mod dates;
mod error;
mod lexer;
mod matching;
mod message;
mod outcome;
mod parser;
mod pattern;
mod run;
mod script;
mod stage;
mod variables;

pub use compile::{MAX_SCRIPT_SIZE, compile, extensions};
pub use error::CompileError;
pub use message::Message;
pub use outcome::{Action, DuplicateMark, Outcome, VacationRequest};
pub use run::{Envelope, Environment, Input, RunError, SpamScores, run, run_as};
pub use script::Script;
pub use stage::SieveStage;

/// How far one delivery's scripts may go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Actions one delivery's scripts may take together.
    pub max_actions: usize,
    /// Distinct `redirect` addresses.
    pub max_redirects: usize,
    /// Longest variable value in bytes (RFC 5229 §6: longer is cut).
    pub max_variable_size: usize,
    /// Largest script the stage compiles and runs, in bytes.
    pub max_script_size: usize,
    /// Body bytes read for `body` tests (RFC 5173).
    pub body_bytes: usize,
    /// How deep `include` may nest (RFC 6609 §3.2).
    pub max_include_depth: usize,
    /// Scripts one top-level script may include in all.
    pub max_includes: usize,
    /// `duplicate` without `:seconds` (RFC 7352 §3.3).
    pub duplicate_default_seconds: u64,
    /// The longest `duplicate :seconds` honoured.
    pub duplicate_max_seconds: u64,
}

impl Default for Limits {
    /// The `[sieve]` defaults.
    fn default() -> Self {
        Self::from(&crate::config::SieveSection::default())
    }
}

impl From<&crate::config::SieveSection> for Limits {
    fn from(section: &crate::config::SieveSection) -> Self {
        let size = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
        Self {
            max_actions: size(section.max_actions),
            max_redirects: size(section.max_redirects),
            max_variable_size: size(section.max_variable_size),
            max_script_size: size(section.max_script_size),
            body_bytes: size(section.body_bytes),
            max_include_depth: size(section.max_include_depth),
            max_includes: size(section.max_includes),
            duplicate_default_seconds: section.duplicate_default_seconds,
            duplicate_max_seconds: section.duplicate_max_seconds,
        }
    }
}
