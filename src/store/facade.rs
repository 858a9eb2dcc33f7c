//! The async face of the store that protocol code holds: every call runs
//! the blocking backend on tokio's blocking pool, and every change wakes the
//! account's change feed. Cheap to clone; holds no state of its own besides
//! the feeds.

use std::io::{Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::watch;

use super::AccountId;
use super::backend::{BlobBody, MailBackend, NewMessage, ReindexReport};
use super::error::StoreError;
use super::feed::Feeds;
use super::maildir::MaildirBackend;
use super::stream::{MessageStream, StagedWriter};
use super::types::{
    AppendResult, Changes, CopyResult, FlagOp, Flags, MailboxId, MailboxInfo, MailboxName,
    MailboxSnapshot, ModSeq, Partial, QuotaLimit, QuotaUsage, SearchField, SpecialUse, StoreResult,
    Uid,
};
use crate::message::{MessageMetadata, Section};

#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn MailBackend>,
    feeds: Arc<Feeds>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    pub fn new(backend: Arc<dyn MailBackend>) -> Self {
        Self {
            backend,
            feeds: Arc::new(Feeds::default()),
        }
    }

    /// The embedded maildir + SQLite store under `data_dir`.
    pub fn open_maildir(data_dir: impl Into<PathBuf>) -> Self {
        Self::new(Arc::new(MaildirBackend::new(data_dir)))
    }

    /// The blocking backend, for callers already off the async workers (the CLI).
    pub fn backend(&self) -> &Arc<dyn MailBackend> {
        &self.backend
    }

    /// Runs a read on the blocking pool.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn MailBackend) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let backend = self.backend.clone();
        tokio::task::spawn_blocking(move || f(&*backend))
            .await
            .map_err(|_| StoreError::TaskFailed)?
    }

    /// Runs a change on the blocking pool and wakes the account's feed.
    async fn change<T: Send + 'static>(
        &self,
        account: AccountId,
        f: impl FnOnce(&dyn MailBackend) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let result = self.read(f).await;
        if result.is_ok() {
            self.feeds.notify(account);
        }
        result
    }

    /// Subscribes to the account's change feed: the value changes after
    /// every committed change, from this process at once, from others
    /// within [`super::feed::POLL_INTERVAL`].
    pub async fn watch(&self, account: AccountId) -> watch::Receiver<u64> {
        let baseline = self.read(move |b| b.change_version(account)).await.ok();
        self.feeds
            .subscribe(account, self.backend.clone(), baseline)
    }

    pub async fn create_account(&self, account: AccountId) -> Result<(), StoreError> {
        self.change(account, move |b| b.create_account(account))
            .await
    }

    pub async fn delete_account(&self, account: AccountId) -> Result<(), StoreError> {
        self.change(account, move |b| b.delete_account(account))
            .await
    }

    pub async fn list_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxInfo>, StoreError> {
        self.read(move |b| b.list_mailboxes(account)).await
    }

    pub async fn mailbox(
        &self,
        account: AccountId,
        name: &MailboxName,
    ) -> Result<MailboxInfo, StoreError> {
        let name = name.clone();
        self.read(move |b| b.mailbox(account, &name)).await
    }

    /// Whether the mailbox exists; `NoAccount` when the account does not.
    pub async fn mailbox_exists(
        &self,
        account: AccountId,
        name: &MailboxName,
    ) -> Result<bool, StoreError> {
        let name = name.clone();
        self.read(move |b| b.mailbox_exists(account, &name)).await
    }

    pub async fn create_mailbox(
        &self,
        account: AccountId,
        name: &MailboxName,
        special_use: Option<SpecialUse>,
    ) -> Result<MailboxId, StoreError> {
        let name = name.clone();
        self.change(account, move |b| {
            b.create_mailbox(account, &name, special_use)
        })
        .await
    }

    pub async fn rename_mailbox(
        &self,
        account: AccountId,
        from: &MailboxName,
        to: &MailboxName,
    ) -> Result<(), StoreError> {
        let (from, to) = (from.clone(), to.clone());
        self.change(account, move |b| b.rename_mailbox(account, &from, &to))
            .await
    }

    pub async fn delete_mailbox(
        &self,
        account: AccountId,
        name: &MailboxName,
    ) -> Result<(), StoreError> {
        let name = name.clone();
        self.change(account, move |b| b.delete_mailbox(account, &name))
            .await
    }

    pub async fn set_subscribed(
        &self,
        account: AccountId,
        name: &MailboxName,
        subscribed: bool,
    ) -> Result<(), StoreError> {
        let name = name.clone();
        self.change(account, move |b| {
            b.set_subscribed(account, &name, subscribed)
        })
        .await
    }

    pub async fn subscriptions(&self, account: AccountId) -> Result<Vec<MailboxName>, StoreError> {
        self.read(move |b| b.subscriptions(account)).await
    }

    /// A writer to stream a large message into before [`Store::append`].
    pub async fn stage(&self, account: AccountId) -> Result<StagedWriter, StoreError> {
        let staged = self.read(move |b| b.stage(account)).await?;
        Ok(StagedWriter::new(staged)?)
    }

    /// Appends atomically and durably; on `Ok` the caller may acknowledge.
    pub async fn append(
        &self,
        account: AccountId,
        mailbox: &MailboxName,
        messages: Vec<NewMessage>,
        quota: Option<QuotaLimit>,
    ) -> Result<AppendResult, StoreError> {
        let mailbox = mailbox.clone();
        self.change(account, move |b| {
            b.append(account, &mailbox, messages, quota)
        })
        .await
    }

    pub async fn snapshot(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<MailboxSnapshot, StoreError> {
        self.read(move |b| b.snapshot(account, mailbox)).await
    }

    pub async fn claim_recent(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<std::ops::Range<Uid>, StoreError> {
        // Not a change sessions are told about: nothing they show differs.
        self.read(move |b| b.claim_recent(account, mailbox)).await
    }

    pub async fn metadata(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: Vec<Uid>,
    ) -> Result<Vec<(Uid, MessageMetadata)>, StoreError> {
        self.read(move |b| b.metadata(account, mailbox, &uids))
            .await
    }

    /// A message or section (or part of one) as a stream of known length.
    pub async fn open_message(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uid: Uid,
        section: Section,
        partial: Option<Partial>,
    ) -> Result<MessageStream, StoreError> {
        let blob = self
            .read(move |b| {
                let mut blob = b.open_message(account, mailbox, uid, &section, partial)?;
                if let BlobBody::File { file, offset } = &mut blob.body {
                    file.seek(SeekFrom::Start(*offset))?;
                }
                Ok(blob)
            })
            .await?;
        Ok(MessageStream::from_positioned(blob))
    }

    pub async fn store_flags(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: Vec<Uid>,
        op: FlagOp,
        flags: Flags,
        unchanged_since: Option<ModSeq>,
    ) -> Result<StoreResult, StoreError> {
        self.change(account, move |b| {
            b.store_flags(account, mailbox, &uids, op, &flags, unchanged_since)
        })
        .await
    }

    pub async fn copy(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: Vec<Uid>,
        to: &MailboxName,
    ) -> Result<CopyResult, StoreError> {
        let to = to.clone();
        self.change(account, move |b| b.copy(account, from, &uids, &to))
            .await
    }

    pub async fn move_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: Vec<Uid>,
        to: &MailboxName,
    ) -> Result<CopyResult, StoreError> {
        let to = to.clone();
        self.change(account, move |b| b.move_messages(account, from, &uids, &to))
            .await
    }

    pub async fn expunge(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        only: Option<Vec<Uid>>,
    ) -> Result<Vec<Uid>, StoreError> {
        self.change(account, move |b| {
            b.expunge(account, mailbox, only.as_deref())
        })
        .await
    }

    pub async fn changes_since(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        since: ModSeq,
    ) -> Result<Changes, StoreError> {
        self.read(move |b| b.changes_since(account, mailbox, since))
            .await
    }

    pub async fn quota_usage(&self, account: AccountId) -> Result<QuotaUsage, StoreError> {
        self.read(move |b| b.quota_usage(account)).await
    }

    pub async fn search_text(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        field: SearchField,
        needle: &str,
    ) -> Result<Vec<Uid>, StoreError> {
        let needle = needle.to_owned();
        self.read(move |b| b.search_text(account, mailbox, field, &needle))
            .await
    }

    pub async fn reindex(&self, account: AccountId) -> Result<ReindexReport, StoreError> {
        self.change(account, move |b| b.reindex(account)).await
    }
}
