//! The one place that says how a store failure or a login failure is
//! answered (RFC 9051 §7.1 and the RFC 5530 response codes).

use crate::auth::AuthFailure;
use crate::imap::response::Code;
use crate::store::{NameError, StoreError};

use super::Reply;

/// The tagged NO for a store failure.
pub(crate) fn store_failure(error: &StoreError) -> Reply {
    match error {
        StoreError::NoMailbox(_) => Reply::no(Some(Code::NonExistent), "no such mailbox"),
        StoreError::MailboxExists(_) => {
            Reply::no(Some(Code::AlreadyExists), "mailbox already exists")
        }
        StoreError::Protected(_) => Reply::no(
            Some(Code::Cannot),
            "this special mailbox cannot be renamed or deleted",
        ),
        StoreError::RenameIntoSelf => {
            Reply::no(Some(Code::Cannot), "cannot rename a mailbox below itself")
        }
        StoreError::InvalidName(e) => name_failure(e),
        StoreError::NoMessage => Reply::no(Some(Code::ExpungeIssued), "message was expunged"),
        StoreError::NoSection => Reply::no(None, "no such section"),
        StoreError::UidsExhausted => Reply::no(Some(Code::Limit), "mailbox has used every UID"),
        StoreError::OverQuota => Reply::no(Some(Code::OverQuota), "quota exceeded"),
        StoreError::NoAccount(_)
        | StoreError::IndexCorrupt(_)
        | StoreError::Index(_)
        | StoreError::Io(_)
        | StoreError::Metadata(_)
        | StoreError::TaskFailed => {
            tracing::error!(%error, "store failure");
            Reply::no(Some(Code::ServerBug), "internal error, see the server log")
        }
    }
}

/// The NO for a mailbox name the store refuses, with the reason.
pub(crate) fn name_failure(error: &NameError) -> Reply {
    Reply::no(Some(Code::Cannot), format!("invalid mailbox name: {error}"))
}

/// The NO for a failed login (see [`AuthFailure`]).
pub(crate) fn auth_failure(failure: AuthFailure) -> Reply {
    match failure {
        AuthFailure::InvalidCredentials => {
            Reply::no(Some(Code::AuthenticationFailed), "invalid credentials")
        }
        AuthFailure::AccountDisabled => Reply::no(Some(Code::ContactAdmin), "account disabled"),
        AuthFailure::TemporarilyUnavailable => Reply::no(
            Some(Code::Unavailable),
            "authentication temporarily unavailable",
        ),
    }
}
