//! The POP3 protocol (RFC 1939, RFC 2449 CAPA and response codes, RFC 2595
//! STLS, RFC 5034 SASL, RFC 3206 SYS and AUTH codes) over the store's INBOX.
//!
//! - [`parser`]: command lines to typed commands.
//! - [`response`]: status and multi-line responses to bytes; [`stuffing`]:
//!   messages byte-stuffed as they stream.
//! - [`capability`]: the CAPA list, from the session's state.
//! - [`maildrop`]: INBOX as snapshotted at login, with deletion marks.
//! - [`lock`]: one session per maildrop, and LOGIN-DELAY.
//! - [`session`]: the state machine; [`Pop3Handler`]: what the server runs.

pub mod capability;
mod handler;
pub mod lock;
pub mod maildrop;
pub mod parser;
pub mod response;
pub mod session;
pub mod stuffing;

pub use handler::Pop3Handler;
pub use session::{Session, SessionContext, SessionSettings};
