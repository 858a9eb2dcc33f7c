//! STORE and UID STORE (RFC 9051 §6.4.6) with .SILENT and UNCHANGEDSINCE
//! (RFC 7162 §3.1.3, the MODIFIED response code).

use tokio::io::{AsyncRead, AsyncWrite};

use crate::imap::parser::{Flag, SequenceSet, StoreAction};
use crate::imap::response::{Code, Data, FetchItem, NumberSet};
use crate::imap::session::Session;
use crate::store::{FlagOp, Flags, ModSeq};

use super::Reply;
use super::error::store_failure;

/// A STORE command's arguments.
pub(crate) struct StoreRequest {
    pub uid: bool,
    pub set: SequenceSet,
    pub unchanged_since: Option<u64>,
    pub action: StoreAction,
    pub silent: bool,
    pub flags: Vec<Flag>,
}

/// The store's flags for a command's flag list; `\Recent` is ignored (the
/// server sets it, RFC 3501 §2.3.2) and other `\` extensions are refused.
pub(crate) fn to_store_flags(flags: &[Flag]) -> Result<Flags, Reply> {
    let mut out = Flags::new();
    for flag in flags {
        match flag {
            Flag::System(f) => out.insert(*f),
            Flag::Keyword(k) => out.insert_keyword(k.clone()),
            Flag::Extension(name) if name.eq_ignore_ascii_case("Recent") => {}
            Flag::Extension(name) => {
                return Err(Reply::bad(format!("flag \\{name} cannot be set")));
            }
        }
    }
    Ok(out)
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    // RFC 9051 §6.4.6
    pub(crate) async fn store(&mut self, request: StoreRequest) -> Reply {
        if request.unchanged_since.is_some() {
            self.enable_condstore();
        }
        let (Some(view), Some(login)) = (self.selected.as_ref(), self.login.as_ref()) else {
            return Reply::bad("no mailbox selected");
        };
        if view.read_only {
            return Reply::no(Some(Code::ReadOnly), "mailbox is read-only");
        }
        let flags = match to_store_flags(&request.flags) {
            Ok(flags) => flags,
            Err(reply) => return reply,
        };
        let targets = match view.resolve(&request.set, request.uid) {
            Ok(targets) => targets,
            Err(error) => return Reply::bad(error.to_string()),
        };
        let op = match request.action {
            StoreAction::Replace => FlagOp::Replace,
            StoreAction::Add => FlagOp::Add,
            StoreAction::Remove => FlagOp::Remove,
        };
        let uids = targets.iter().map(|(_, uid)| *uid).collect();
        let (account, mailbox) = (login.user.account, view.mailbox);
        // Anti-spam training hook (issue 7): what `$Junk`, `$NotJunk` and `\Seen` are added to.
        let training_flags = (op != FlagOp::Remove).then(|| flags.clone());
        let result = match self
            .context
            .store
            .store_flags(
                account,
                mailbox,
                uids,
                op,
                flags,
                request.unchanged_since.map(ModSeq),
            )
            .await
        {
            Ok(result) => result,
            Err(error) => return store_failure(&error),
        };
        if let (Some(training), Some(added)) = (&self.context.training, training_flags) {
            let changed = result.updated.iter().map(|u| u.uid).collect();
            training.flagged(account, mailbox, changed, added);
        }
        let Some(view) = self.selected.as_mut() else {
            return Reply::ok();
        };
        for update in &result.updated {
            view.set_flags(update.uid, update.flags.clone(), update.modseq);
        }
        let condstore = self.enabled.condstore;
        let mut reported = Vec::new();
        for (seq, uid) in &targets {
            if result.modified.contains(uid) {
                continue;
            }
            let changed = result.updated.iter().any(|u| u.uid == *uid);
            // RFC 7162 §3.1.3: with UNCHANGEDSINCE even .SILENT reports
            // the new MODSEQ of what changed.
            let report = !request.silent || (condstore && changed);
            if let Some(m) = view.message(*seq).filter(|_| report) {
                reported.push((*seq, m.clone()));
            }
        }
        for (seq, m) in &reported {
            let mut items = Vec::new();
            if !request.silent {
                items.push(FetchItem::Flags {
                    flags: &m.flags,
                    recent: self.is_recent(m.uid),
                });
            }
            if request.uid {
                items.push(FetchItem::Uid(m.uid));
            }
            if condstore {
                items.push(FetchItem::ModSeq(m.modseq));
            }
            self.queue_data(Data::Fetch { seq: *seq, items });
        }
        if result.modified.is_empty() {
            return Reply::ok();
        }
        let numbers = targets
            .iter()
            .filter(|(_, uid)| result.modified.contains(uid))
            .map(|(seq, uid)| if request.uid { uid.0 } else { *seq });
        Reply {
            text: "some messages were modified since".to_owned(),
            ..Reply::ok_with(Code::Modified(NumberSet::from_numbers(numbers)))
        }
    }
}
