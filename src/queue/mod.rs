//! The spool and the delivery queue: what SMTP has accepted, until every
//! recipient has it or has been told why not.
//!
//! This module holds the contracts between the three parties of a message's
//! journey: the SMTP session hands an accepted message to a [`MessageSink`]
//! (the spool), the queue worker delivers it locally or through a
//! [`RemoteTransport`] (the outbound SMTP client), and both speak of the
//! message through its [`Envelope`]. It also holds the parties of our own:
//! the [`Spool`], the [`QueueWorker`] and the DSNs of [`bounce`].

mod activity;
pub mod bounce;
mod db;
mod envelope;
mod settings;
mod sink;
mod spool;
mod transport;
mod worker;

pub use activity::{ActivitySnapshot, Step};
pub use db::{
    LastOutcome, Origin, QueueDb, QueueError, QueuedMessage, RecipientRow, RecipientState,
    RecipientUpdate, ReportKind, ReportMark,
};
pub use envelope::{BodyType, Envelope, Notify, QueueId, Recipient, Ret, ReversePath};
pub use settings::QueueSettings;
pub use sink::{MessageSink, SinkFuture, SpoolError, SpoolWriter};
pub use spool::{Spool, now_ms};
pub use transport::{Outcome, OutcomeKind, RemoteJob, RemoteTransport, TransportFuture};
pub use worker::QueueWorker;
