//! Opening and closing the selected mailbox: SELECT and EXAMINE (RFC 9051
//! §6.3.2, §6.3.3; RFC 7162 §3.1.2 CONDSTORE, §3.2.11 CLOSED), CLOSE
//! (§6.4.1), UNSELECT (RFC 3691), EXPUNGE (§6.4.3) and UID EXPUNGE
//! (RFC 4315 §2.1).

use tokio::io::{AsyncRead, AsyncWrite};

use crate::imap::parser::{Mailbox, QResync, SelectParameters, SequenceSet};
use crate::imap::response::{
    Code, Condition, Data, FlagName, ListEntry, MailboxAttribute, Response, Status,
};
use crate::imap::session::Session;
use crate::imap::view::{Recent, SelectedView};
use crate::store::{AccountId, DELIMITER, Keyword, ModSeq, SpecialUse, StoreError, SystemFlag};

use super::Reply;
use super::error::store_failure;
use super::updates::flags_changed;

/// The LIST attribute of a special use (RFC 6154 §2).
fn attribute(special_use: SpecialUse) -> MailboxAttribute {
    match special_use {
        SpecialUse::All => MailboxAttribute::All,
        SpecialUse::Archive => MailboxAttribute::Archive,
        SpecialUse::Drafts => MailboxAttribute::Drafts,
        SpecialUse::Flagged => MailboxAttribute::Flagged,
        SpecialUse::Junk => MailboxAttribute::Junk,
        SpecialUse::Sent => MailboxAttribute::Sent,
        SpecialUse::Trash => MailboxAttribute::Trash,
    }
}

/// The keywords every mailbox announces in FLAGS (the common set).
const COMMON_KEYWORDS: [&str; 4] = ["$Forwarded", "$MDNSent", "$Junk", "$NotJunk"];

fn defined_flags() -> Vec<FlagName> {
    let mut flags: Vec<FlagName> = [
        SystemFlag::Answered,
        SystemFlag::Flagged,
        SystemFlag::Deleted,
        SystemFlag::Seen,
        SystemFlag::Draft,
    ]
    .into_iter()
    .map(FlagName::System)
    .collect();
    flags.extend(
        COMMON_KEYWORDS
            .into_iter()
            .filter_map(|k| Keyword::new(k).ok())
            .map(FlagName::Keyword),
    );
    flags
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    // RFC 9051 §6.3.2 (SELECT) and §6.3.3 (EXAMINE)
    pub(crate) async fn select(
        &mut self,
        mailbox: &Mailbox,
        parameters: SelectParameters,
        read_only: bool,
    ) -> Reply {
        if parameters.qresync.is_some() && !self.enabled.qresync {
            // RFC 7162 §3.2.5: BAD unless ENABLE QRESYNC came first.
            return Reply::bad("QRESYNC is not enabled");
        }
        if self.selected.take().is_some() {
            // RFC 7162 §3.2.11: the old mailbox is closed before anything
            // about the new one is said.
            self.queue(Response::Status(Status::untagged(
                Condition::Ok,
                Some(Code::Closed),
                "Previous mailbox closed",
            )));
        }
        let name = match self.mailbox_name(mailbox) {
            Ok(name) => name,
            Err(reply) => return reply,
        };
        let Some(account) = self.login.as_ref().map(|l| l.user.account) else {
            return Reply::bad("not authenticated");
        };
        if let Some(login) = self.login.as_mut() {
            // Everything up to the snapshot below is in the snapshot.
            login.changes.borrow_and_update();
        }
        let store = &self.context.store;
        let info = match store.mailbox(account, &name).await {
            Ok(info) => info,
            Err(error) => return store_failure(&error),
        };
        let snapshot = match store.snapshot(account, info.id).await {
            Ok(snapshot) => snapshot,
            Err(error) => return store_failure(&error),
        };
        if parameters.condstore {
            // Nothing is selected yet: HIGHESTMODSEQ comes with the rest.
            self.enabled.condstore = true;
        }
        let special_use = info.special_use;
        let rev1 = !self.enabled.rev2;
        let recent_uid = snapshot.recent_uid;
        let mut view = SelectedView::new(info.id, info.name, read_only, snapshot);
        if rev1 {
            // RFC 3501 §6.3.1: SELECT takes \Recent from every later
            // session; EXAMINE must leave it (§6.3.2).
            view.recent = if read_only {
                Recent::unclaimed_from(recent_uid)
            } else {
                match store.claim_recent(account, view.mailbox).await {
                    Ok(claimed) => {
                        let mut recent = Recent::default();
                        recent.claim(claimed);
                        recent
                    }
                    Err(error) => return store_failure(&error),
                }
            };
        }
        self.queue_data(Data::Flags(defined_flags()));
        self.queue_data(Data::Exists(view.exists()));
        if !rev1 {
            // RFC 9051 §6.3.2: IMAP4rev2 SELECT names the mailbox in a LIST
            // response (the special use is the attribute the store knows).
            self.queue_data(Data::List(ListEntry {
                attributes: special_use.map(attribute).into_iter().collect(),
                delimiter: Some(DELIMITER),
                name: view.name.as_str().to_owned(),
                extended: Vec::new(),
            }));
        }
        if rev1 {
            self.queue_data(Data::Recent(view.recent_count()));
            if let Some(unseen) = view.first_unseen() {
                self.untagged_ok(Code::Unseen(unseen), "First unseen");
            }
        }
        self.untagged_ok(Code::UidValidity(view.uid_validity), "UIDs valid");
        self.untagged_ok(Code::UidNext(view.uid_next), "Predicted next UID");
        let permanent = if read_only {
            Vec::new()
        } else {
            let mut flags = defined_flags();
            flags.push(FlagName::AnyKeyword);
            flags
        };
        self.untagged_ok(Code::PermanentFlags(permanent), "Flags permitted");
        if self.enabled.condstore {
            self.untagged_ok(Code::HighestModSeq(view.highest_modseq), "Highest");
        }
        if let Some(resync) = parameters.qresync
            && resync.uid_validity == view.uid_validity.0
            && let Err(error) = self.resynchronise(account, &view, &resync).await
        {
            return store_failure(&error);
        }
        self.selected = Some(view);
        self.resync = false;
        Reply::ok_with(if read_only {
            Code::ReadOnly
        } else {
            Code::ReadWrite
        })
    }

    /// RFC 7162 §3.2.5.2: what changed since the client's modseq, as
    /// `VANISHED (EARLIER)` for the known UIDs gone and FETCH for the
    /// messages changed. The expunge log is complete, so the sequence match
    /// data, a hint for servers that forget, is not needed.
    async fn resynchronise(
        &mut self,
        account: AccountId,
        view: &SelectedView,
        resync: &QResync,
    ) -> Result<(), StoreError> {
        let since = ModSeq(resync.modseq);
        let changes = self
            .context
            .store
            .changes_since(account, view.mailbox, since)
            .await?;
        let vanished = changes
            .expunged
            .into_iter()
            .filter(|uid| view.seq_of(*uid).is_none())
            .filter(|uid| {
                resync
                    .known_uids
                    .as_ref()
                    .is_none_or(|k| k.names_uid(uid.0))
            })
            .map(|uid| uid.0)
            .collect();
        self.queue_vanished(true, vanished);
        for (index, m) in view.messages().iter().enumerate() {
            if m.modseq <= since {
                continue;
            }
            let seq = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let recent = !self.enabled.rev2 && view.recent.contains(m.uid);
            self.queue_data(flags_changed(seq, m, recent, true));
        }
        Ok(())
    }

    pub(crate) fn untagged_ok(&mut self, code: Code, text: &str) {
        self.queue(Response::Status(Status::untagged(
            Condition::Ok,
            Some(code),
            text,
        )));
    }

    // RFC 9051 §6.4.1 CLOSE (expunges silently when read-write) and
    // RFC 3691 UNSELECT (does not).
    pub(crate) async fn close_mailbox(&mut self, expunge: bool) -> Reply {
        let (Some(view), Some(login)) = (self.selected.take(), self.login.as_ref()) else {
            return Reply::bad("no mailbox selected");
        };
        if expunge && !view.read_only {
            let store = &self.context.store;
            if let Err(error) = store.expunge(login.user.account, view.mailbox, None).await {
                return store_failure(&error);
            }
        }
        Reply::ok()
    }

    // RFC 9051 §6.4.3 EXPUNGE, RFC 4315 §2.1 UID EXPUNGE.
    pub(crate) async fn expunge(&mut self, only: Option<SequenceSet>) -> Reply {
        let (Some(view), Some(login)) = (self.selected.as_ref(), self.login.as_ref()) else {
            return Reply::bad("no mailbox selected");
        };
        if view.read_only {
            return Reply::no(Some(Code::ReadOnly), "mailbox is read-only");
        }
        let uids = match &only {
            None => None,
            Some(set) => match view.resolve(set, true) {
                Ok(found) => Some(found.into_iter().map(|(_, uid)| uid).collect()),
                Err(error) => return Reply::bad(error.to_string()),
            },
        };
        let (account, mailbox) = (login.user.account, view.mailbox);
        let expunged = match self.context.store.expunge(account, mailbox, uids).await {
            Ok(expunged) => expunged,
            Err(error) => return store_failure(&error),
        };
        self.report_expunged(&expunged);
        Reply::ok()
    }

    /// `* n EXPUNGE` for each UID this session removed, numbered as each
    /// one is applied; with QRESYNC one `* VANISHED` for them all.
    pub(crate) fn report_expunged(&mut self, uids: &[crate::store::Uid]) {
        let mut vanished = Vec::new();
        for &uid in uids {
            let seq = self.selected.as_mut().and_then(|v| v.remove(uid));
            match seq {
                Some(_) if self.enabled.qresync => vanished.push(uid.0),
                Some(seq) => self.queue_data(Data::Expunge(seq)),
                None => {}
            }
        }
        self.queue_vanished(false, vanished);
    }
}
