//! The spool and the delivery queue: what SMTP has accepted, until every
//! recipient has it or has been told why not.
//!
//! This module holds the contracts between the three parties of a message's
//! journey: the SMTP session hands an accepted message to a [`MessageSink`]
//! (the spool), the queue worker delivers it locally or through a
//! [`RemoteTransport`] (the outbound SMTP client), and both speak of the
//! message through its [`Envelope`].

mod envelope;
mod sink;
mod transport;

pub use envelope::{BodyType, Envelope, Notify, QueueId, Recipient, Ret, ReversePath};
pub use sink::{MessageSink, SinkFuture, SpoolError, SpoolWriter};
pub use transport::{Outcome, OutcomeKind, RemoteJob, RemoteTransport, TransportFuture};
