//! The contract between an inbound SMTP session and a content check run
//! when a message's data is complete but not yet committed (the SMTP-time
//! spam check of issue 7): the session hands over where the staged octets
//! are and who sent them, and refuses with `550 5.7.1` what the check
//! refuses. Only port 25 asks; submission never does.
//!
//! The check owns its errors: one that cannot decide must accept, so a
//! broken check never loses or refuses mail.

use std::future::Future;
use std::net::IpAddr;
use std::path::Path;
use std::pin::Pin;

use crate::queue::ReversePath;

/// A message received on the inbound port, before its commit.
#[derive(Debug, Clone, Copy)]
pub struct InboundMessage<'a> {
    /// The staged file: our `Received:` field first, then the client's octets.
    pub path: &'a Path,
    /// Its size in octets.
    pub size: u64,
    pub mail_from: &'a ReversePath,
    /// The connecting client's address.
    pub client: IpAddr,
    /// The client's EHLO or HELO name.
    pub helo: &'a str,
}

/// What the check decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundVerdict {
    Accept,
    /// Refused with `550 5.7.1` and this text (one line, no score details).
    Reject(String),
}

/// A boxed future of a check.
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = InboundVerdict> + Send + 'a>>;

/// A check of inbound messages before they are committed.
pub trait InboundCheck: Send + Sync + 'static {
    fn check<'a>(&'a self, message: InboundMessage<'a>) -> CheckFuture<'a>;
}
