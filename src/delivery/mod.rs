//! Local delivery: what happens to a queued message for one of our users
//! (DESIGN.md "How a message travels"): resolve the recipient, run the
//! pipeline's stages (authentication results, anti-spam and Sieve plug in
//! here), then carry out what they decided: store the keep and each copy,
//! forward, answer automatically; and keep Trash within its retention.
//!
//! It answers each recipient with a queue [`Outcome`](crate::queue::Outcome);
//! retries, backoff and bounces are the queue's business, not this module's.
//! It never reads a message whole into memory: the spool file is streamed
//! into the store and into forwards.

mod actions;
mod append;
mod body;
mod filing;
mod forward;
mod header;
mod pipeline;
mod scripts;
mod settings;
mod srs;
mod stage;
mod state;
mod trash;
mod vacation;

pub use actions::{ActionsError, DeliveryActions};
pub use pipeline::{LocalDelivery, LocalRequest, LookupError};
pub use scripts::{IncludeLocation, ScriptKind, ScriptStore, ScriptStoreError, StoredScript};
pub use settings::DeliverySettings;
pub use srs::{Srs, SrsError};
pub use stage::{
    AutoReply, DeliveryInfo, Disposition, FiledCopy, HeaderField, SpamVerdict, Stage, StageError,
    StageFuture, Verdict,
};
pub use state::{DeliveryState, StateError, TrashMark};
pub use trash::{TrashExpiry, reclaimable_bytes};
