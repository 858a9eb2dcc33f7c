//! How the queue hands a message to the outside world: one attempt to
//! deliver to the recipients of one domain, answered per recipient. Retries,
//! backoff and bounces are the queue's business, not the transport's.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use super::envelope::{BodyType, QueueId, Recipient, Ret, ReversePath};

/// One delivery attempt: every recipient here is in `domain`.
#[derive(Debug, Clone)]
pub struct RemoteJob {
    pub queue_id: QueueId,
    /// The recipients' domain, lowercased: what the MX lookup asks for.
    pub domain: String,
    pub mail_from: ReversePath,
    pub recipients: Vec<Recipient>,
    /// The spooled message, read from the start; it stays in place.
    pub message: PathBuf,
    /// Its length in octets, for `SIZE=` (RFC 1870).
    pub size: u64,
    pub body: BodyType,
    pub smtputf8: bool,
    pub ret: Option<Ret>,
    pub envid: Option<String>,
}

/// How an attempt ended for one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeKind {
    /// The receiving server took responsibility (`250` after the data).
    Delivered,
    /// Try again later: 4xx replies, no answer, no route yet (RFC 5321 §4.2.5).
    Transient,
    /// Never going to work: 5xx replies, null MX (RFC 7505), no such domain.
    Permanent,
}

/// What happened to one recipient, with what a DSN reports of it
/// (RFC 3464 §2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub kind: OutcomeKind,
    /// The enhanced status code (RFC 3463), such as `5.1.1`.
    pub status: String,
    /// The `Diagnostic-Code`: `smtp; 550 5.1.1 no such user` for a remote
    /// answer, or a sentence of ours when there was none.
    pub diagnostic: String,
    /// The server that answered, for `Remote-MTA` (`dns; mx.example.org`).
    pub remote_mta: Option<String>,
}

/// A boxed future of one delivery attempt.
pub type TransportFuture<'a> = Pin<Box<dyn Future<Output = Vec<Outcome>> + Send + 'a>>;

/// Delivers to other servers.
pub trait RemoteTransport: Send + Sync + 'static {
    /// Attempts `job` once. Answers one [`Outcome`] per recipient of the
    /// job, in its order, whatever happens: a failure to connect is a
    /// transient outcome for each recipient, never a panic or an error.
    fn deliver(&self, job: RemoteJob) -> TransportFuture<'_>;
}
