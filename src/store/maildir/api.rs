//! [`MailBackend`] for [`MaildirBackend`]: resolves the account and hands
//! each call to the module that owns the operation.

use super::files::{self, AccountDir};
use super::{Account, MaildirBackend, changes, lock, mailboxes, messages, recover, schema, search};
use crate::message::{MessageMetadata, Section};
use crate::store::AccountId;
use crate::store::backend::{MailBackend, MessageBlob, NewMessage, ReindexReport, StagedMessage};
use crate::store::error::StoreError;
use crate::store::types::{
    AppendResult, Changes, CopyResult, FlagOp, Flags, MailboxId, MailboxInfo, MailboxName,
    MailboxSnapshot, ModSeq, Partial, QuotaLimit, QuotaUsage, SearchField, SpecialUse, StoreResult,
    Uid,
};

impl MaildirBackend {
    fn open_and_reconcile(
        &self,
        account: AccountId,
        dir: &AccountDir,
    ) -> Result<(Account, ReindexReport), StoreError> {
        let writer = schema::open_existing(&dir.index(), account)?;
        let open = Account::new(account, dir.clone(), writer)?;
        let report = recover::reconcile(&open).map_err(|e| open.classify(e))?;
        Ok((open, report))
    }
}

impl MailBackend for MaildirBackend {
    fn create_account(&self, account: AccountId) -> Result<(), StoreError> {
        mailboxes::create_account(&self.dir(account), account)
    }

    fn delete_account(&self, account: AccountId) -> Result<(), StoreError> {
        self.forget(account);
        let dir = self.dir(account);
        match std::fs::remove_dir_all(dir.root()) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(StoreError::NoAccount(account))
            }
            Err(e) => Err(e.into()),
            Ok(()) => {
                if let Some(parent) = dir.root().parent() {
                    files::sync_dir(parent)?;
                }
                Ok(())
            }
        }
    }

    fn list_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxInfo>, StoreError> {
        self.with(account, mailboxes::list)
    }

    fn mailbox(&self, account: AccountId, name: &MailboxName) -> Result<MailboxInfo, StoreError> {
        self.with(account, |a| mailboxes::get(a, name))
    }

    fn mailbox_exists(&self, account: AccountId, name: &MailboxName) -> Result<bool, StoreError> {
        self.with(account, |a| a.read(|conn| mailboxes::exists(conn, name)))
    }

    fn create_mailbox(
        &self,
        account: AccountId,
        name: &MailboxName,
        special_use: Option<SpecialUse>,
    ) -> Result<MailboxId, StoreError> {
        self.with(account, |a| mailboxes::create(a, name, special_use))
    }

    fn rename_mailbox(
        &self,
        account: AccountId,
        from: &MailboxName,
        to: &MailboxName,
    ) -> Result<(), StoreError> {
        self.with(account, |a| mailboxes::rename(a, from, to))
    }

    fn delete_mailbox(&self, account: AccountId, name: &MailboxName) -> Result<(), StoreError> {
        self.with(account, |a| mailboxes::delete(a, name))
    }

    fn set_subscribed(
        &self,
        account: AccountId,
        name: &MailboxName,
        subscribed: bool,
    ) -> Result<(), StoreError> {
        self.with(account, |a| mailboxes::set_subscribed(a, name, subscribed))
    }

    fn subscriptions(&self, account: AccountId) -> Result<Vec<MailboxName>, StoreError> {
        self.with(account, mailboxes::subscriptions)
    }

    fn stage(&self, account: AccountId) -> Result<StagedMessage, StoreError> {
        self.with(account, messages::stage)
    }

    fn append(
        &self,
        account: AccountId,
        mailbox: &MailboxName,
        messages: Vec<NewMessage>,
        quota: Option<QuotaLimit>,
    ) -> Result<AppendResult, StoreError> {
        self.with(account, |a| messages::append(a, mailbox, messages, quota))
    }

    fn snapshot(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<MailboxSnapshot, StoreError> {
        self.with(account, |a| messages::snapshot(a, mailbox))
    }

    fn claim_recent(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<std::ops::Range<Uid>, StoreError> {
        self.with(account, |a| messages::claim_recent(a, mailbox))
    }

    fn metadata(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[Uid],
    ) -> Result<Vec<(Uid, MessageMetadata)>, StoreError> {
        self.with(account, |a| messages::metadata(a, mailbox, uids))
    }

    fn open_message(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uid: Uid,
        section: &Section,
        partial: Option<Partial>,
    ) -> Result<MessageBlob, StoreError> {
        self.with(account, |a| {
            messages::open_message(a, mailbox, uid, section, partial)
        })
    }

    fn store_flags(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[Uid],
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> Result<StoreResult, StoreError> {
        self.with(account, |a| {
            changes::store_flags(a, mailbox, uids, op, flags, unchanged_since)
        })
    }

    fn copy(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[Uid],
        to: &MailboxName,
    ) -> Result<CopyResult, StoreError> {
        self.with(account, |a| changes::copy(a, from, uids, to))
    }

    fn move_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[Uid],
        to: &MailboxName,
    ) -> Result<CopyResult, StoreError> {
        self.with(account, |a| changes::move_messages(a, from, uids, to))
    }

    fn expunge(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        only: Option<&[Uid]>,
    ) -> Result<Vec<Uid>, StoreError> {
        self.with(account, |a| changes::expunge(a, mailbox, only))
    }

    fn changes_since(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        since: ModSeq,
    ) -> Result<Changes, StoreError> {
        self.with(account, |a| changes::changes_since(a, mailbox, since))
    }

    fn quota_usage(&self, account: AccountId) -> Result<QuotaUsage, StoreError> {
        self.with(account, |a| a.read(messages::quota_usage_of))
    }

    fn search_text(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        field: SearchField,
        needle: &str,
    ) -> Result<Vec<Uid>, StoreError> {
        self.with(account, |a| search::search_text(a, mailbox, field, needle))
    }

    fn reindex(&self, account: AccountId) -> Result<ReindexReport, StoreError> {
        self.forget(account);
        let dir = self.dir(account);
        if !dir.root().is_dir() {
            return Err(StoreError::NoAccount(account));
        }
        let (open, report) = match self.open_and_reconcile(account, &dir) {
            Err(StoreError::IndexCorrupt(_)) => {
                let rebuilt = recover::rebuild(account, &dir)?;
                let report = recover::reconcile(&rebuilt)?;
                (
                    rebuilt,
                    ReindexReport {
                        rebuilt: true,
                        ..report
                    },
                )
            }
            other => other?,
        };
        lock(&self.accounts).insert(account, std::sync::Arc::new(open));
        Ok(report)
    }

    fn change_version(&self, account: AccountId) -> Result<u64, StoreError> {
        self.with(account, |a| {
            a.read(|conn| {
                Ok(conn
                    .prepare_cached("SELECT version FROM account_state WHERE id = 0")?
                    .query_row([], |r| r.get::<_, i64>(0))?
                    .max(0) as u64)
            })
        })
    }
}
