//! Mailboxes and messages behind a trait, and the maildir + SQLite backend.

use serde::{Deserialize, Serialize};

/// The stable numeric id of an account, assigned by the account directory
/// (`auth`) and never reused. The store names a user's files by it, never by
/// the login name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountId(pub i64);
