//! Sieve (RFC 5228 and the extensions [`extensions`] lists): a hand-written
//! lexer and parser, a validator that compiles a script once, an
//! interpreter that runs it over a message many times, and the delivery
//! stage that runs a user's scripts. Knows nothing of ManageSieve or of how
//! scripts are stored (that is [`crate::delivery::ScriptStore`]).

mod ast;
mod compile;
mod error;
mod lexer;
mod matching;
mod message;
mod outcome;
mod parser;
mod run;
mod script;
mod stage;
mod variables;

pub use compile::{MAX_SCRIPT_SIZE, compile, extensions};
pub use error::CompileError;
pub use message::Message;
pub use outcome::{Action, Outcome, VacationRequest};
pub use run::{Envelope, Environment, Input, RunError, SpamScores, run};
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_actions: 32,
            max_redirects: 4,
            max_variable_size: 4096,
            max_script_size: 64 * 1024,
            body_bytes: 256 * 1024,
        }
    }
}
