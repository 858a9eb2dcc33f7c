//! SMTP: inbound mail on port 25 (RFC 5321) and message submission on 587
//! with STARTTLS and 465 with implicit TLS (RFC 6409, RFC 8314).
//!
//! - [`parser`]: command lines to typed commands (no I/O).
//! - [`reply`]: typed replies with enhanced status codes to bytes.
//! - [`dot`]: the DATA encoding: end of data and dot-unstuffing.
//! - [`trace`]: the fields the server adds (Received, Date, Message-ID).
//! - [`sender`]: which addresses a user may send as.
//! - [`rate`]: messages per hour per submitting user.
//! - [`session`]: the state machine over a stream.
//! - [`check`]: what an inbound session asks before it commits a message.
//! - [`SmtpHandler`]: the server's entry point for both roles.
//!
//! Accepted messages go to a [`crate::queue::MessageSink`]; delivery is the
//! queue's business, not this module's.

pub mod check;
pub mod dot;
mod handler;
pub mod parser;
pub mod rate;
pub mod reply;
pub mod sender;
pub mod session;
pub mod trace;

pub use check::{CheckFuture, InboundCheck, InboundMessage, InboundVerdict};
pub use handler::SmtpHandler;
pub use session::{Role, Session, SessionContext, SessionSettings};
