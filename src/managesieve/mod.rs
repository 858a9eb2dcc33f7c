//! The ManageSieve protocol (RFC 5804) over [`crate::scripts`]: upload,
//! check, list, activate, fetch, rename and delete a user's Sieve scripts,
//! on port 4190 with STARTTLS and SASL.
//!
//! - [`parser`]: command lines and literals to typed commands.
//! - [`response`]: OK/NO/BYE with response codes, strings, the capability list.
//! - [`session`]: one client's state machine; [`ManageSieveHandler`]: what the server runs.
//!
//! Scripts are checked before they are stored by a [`ScriptChecker`] (the
//! Sieve compiler, plugged in by whoever builds the handler); this module
//! never parses Sieve itself.

mod compiler;
mod handler;
pub mod parser;
pub mod response;
pub mod session;

pub use compiler::SieveCompiler;
pub use handler::ManageSieveHandler;
pub use session::{Session, SessionContext, SessionSettings};

use std::fmt;

/// Where and why a script was refused, for the client to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptProblem {
    /// 1-based line of the problem.
    pub line: u32,
    /// 1-based column of the problem.
    pub column: u32,
    pub message: String,
}

impl fmt::Display for ScriptProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Checks a Sieve script before it is stored (RFC 5804 §2.6, §2.12). The
/// server's Sieve compiler implements it; ManageSieve and the admin CLI take
/// it as a trait object so both refuse the same scripts.
pub trait ScriptChecker: Send + Sync + 'static {
    /// `Ok` when the script compiles.
    fn check(&self, source: &str) -> Result<(), ScriptProblem>;

    /// The Sieve extensions the interpreter supports, as `require` names
    /// them (the SIEVE capability, RFC 5804 §1.7).
    fn extensions(&self) -> Vec<String>;
}
