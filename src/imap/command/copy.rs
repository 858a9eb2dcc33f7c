//! COPY and MOVE with their UID forms (RFC 9051 §6.4.7, §6.4.8, RFC 6851),
//! answering with COPYUID (RFC 4315 §3) and TRYCREATE for a missing
//! destination (RFC 9051 §6.4.7).

use tokio::io::{AsyncRead, AsyncWrite};

use crate::imap::parser::{Mailbox, SequenceSet};
use crate::imap::response::{Code, Condition, NumberSet, Response, Status};
use crate::imap::session::Session;
use crate::store::{CopyResult, StoreError};

use super::Reply;
use super::error::store_failure;

fn copy_uid(result: &CopyResult) -> Code {
    Code::CopyUid {
        validity: result.uid_validity,
        source: NumberSet::in_order(result.pairs.iter().map(|(from, _)| from.0)),
        destination: NumberSet::in_order(result.pairs.iter().map(|(_, to)| to.0)),
    }
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    pub(crate) async fn copy_or_move(
        &mut self,
        uid: bool,
        set: &SequenceSet,
        mailbox: &Mailbox,
        moving: bool,
    ) -> Reply {
        let destination = match self.mailbox_name(mailbox) {
            Ok(name) => name,
            Err(reply) => return reply,
        };
        let (Some(view), Some(login)) = (self.selected.as_ref(), self.login.as_ref()) else {
            return Reply::bad("no mailbox selected");
        };
        if moving && view.read_only {
            return Reply::no(Some(Code::ReadOnly), "mailbox is read-only");
        }
        let uids: Vec<_> = match view.resolve(set, uid) {
            Ok(found) => found.into_iter().map(|(_, uid)| uid).collect(),
            Err(error) => return Reply::bad(error.to_string()),
        };
        if uids.is_empty() {
            // RFC 9051 §6.4.9: a UID set naming nothing is not an error.
            return Reply::ok();
        }
        let (account, from) = (login.user.account, view.mailbox);
        let store = &self.context.store;
        let result = if moving {
            store.move_messages(account, from, uids, &destination).await
        } else {
            store.copy(account, from, uids, &destination).await
        };
        let result = match result {
            Ok(result) => result,
            Err(StoreError::NoMailbox(_)) => {
                return Reply::no(Some(Code::TryCreate), "no such destination mailbox");
            }
            Err(error) => return store_failure(&error),
        };
        // Anti-spam training hook (issue 7): filing into or out of Junk.
        if let Some(training) = &self.context.training {
            let uids = result.pairs.iter().map(|(_, to)| *to).collect();
            training.filed(account, view.name.clone(), destination.clone(), uids);
        }
        if !moving {
            return Reply::ok_with(copy_uid(&result));
        }
        // RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGEs.
        self.queue(Response::Status(Status::untagged(
            Condition::Ok,
            Some(copy_uid(&result)),
            "Moved",
        )));
        let moved: Vec<_> = result.pairs.iter().map(|(from, _)| *from).collect();
        self.report_expunged(&moved);
        Reply::ok()
    }
}
