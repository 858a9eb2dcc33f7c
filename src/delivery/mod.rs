//! Local delivery: what happens to a queued message for one of our users
//! (DESIGN.md "How a message travels"): resolve the recipient, run the
//! pipeline's stages (authentication results, anti-spam and Sieve plug in
//! here), then append to the mailbox they chose through the store, which
//! wakes the user's sessions itself.
//!
//! It answers each recipient with a queue [`Outcome`](crate::queue::Outcome);
//! retries, backoff and bounces are the queue's business, not this module's.
//! It never reads a message whole into memory: the spool file is streamed
//! into the store.

mod append;
mod pipeline;
mod scripts;
mod stage;

pub use pipeline::{LocalDelivery, LocalRequest, LookupError};
pub use scripts::{IncludeLocation, ScriptKind, ScriptStore, ScriptStoreError, StoredScript};
pub use stage::{
    AutoReply, DeliveryInfo, Disposition, FiledCopy, HeaderField, SpamVerdict, Stage, StageError,
    StageFuture, Verdict,
};
