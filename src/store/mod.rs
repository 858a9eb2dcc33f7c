//! Mailboxes and messages behind a trait, and the maildir + SQLite backend.
//!
//! Protocol code holds a [`Store`] (async, cheap to clone) and speaks of
//! accounts, mailboxes, UIDs, flags, modseqs and change feeds; it never sees
//! a file or a SQL statement. [`MailBackend`] is the blocking contract a
//! backend implements; [`MaildirBackend`] is the embedded one.

mod backend;
mod error;
mod facade;
pub mod feed;
mod flags;
mod maildir;
mod names;
mod stream;
mod types;

use serde::{Deserialize, Serialize};

pub use backend::{
    BlobBody, DELIVERY_ID_RETENTION, MailBackend, MessageBlob, MessageSource, NewMessage,
    ReindexReport, StagedMessage,
};
pub use error::{NameError, StoreError};
pub use facade::Store;
pub use maildir::MaildirBackend;
pub use stream::{MessageStream, StagedWriter};
pub use types::*;

/// The stable numeric id of an account, assigned by the account directory
/// (`auth`) and never reused. The store names a user's files by it, never by
/// the login name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountId(pub i64);
