//! Carries out where a disposition stores the message: the keep and each
//! `fileinto` copy (RFC 5228 §2.10, §4.1), each folder once, with a missing
//! folder made (`:create`, RFC 5490 §3.2) or replaced by INBOX (RFC 5228
//! §4.1), and an over-quota append retried once after Trash made room.
//! It must not decide anything: the stages did.

use std::path::Path;

use super::append::{AppendJob, append};
use super::stage::{Disposition, inbox};
use super::trash;
use crate::queue::QueueId;
use crate::store::{AccountId, FlagOp, Flags, MailboxName, QuotaLimit, Store, StoreError};

/// Why the message could not be filed: each a temporary failure.
#[derive(Debug, thiserror::Error)]
pub(super) enum FilingError {
    #[error("mailbox full")]
    OverQuota,
    #[error("mail store: {0}")]
    Store(#[from] StoreError),
}

/// One account's filing of one delivery.
pub(super) struct Filing<'a> {
    pub store: &'a Store,
    pub account: AccountId,
    pub queue_id: QueueId,
    pub index: u32,
    pub prefix: &'a str,
    pub message: &'a Path,
    /// The message's size as stored, for making room under the quota.
    pub size: u64,
    pub quota: QuotaLimit,
}

/// One folder the message goes into.
#[derive(Debug)]
struct Target {
    folder: MailboxName,
    flags: Flags,
    /// The keep's delivery id stays `<queue id>:<index>`, as before copies
    /// existed, so a retry across an upgrade still finds it.
    is_keep: bool,
}

impl Filing<'_> {
    /// Stores the message everywhere `disposition` says; the number of
    /// folders it went into (0: nothing to store).
    pub async fn file(&self, disposition: &Disposition) -> Result<usize, FilingError> {
        let mut wanted = Vec::new();
        if disposition.keep {
            wanted.push((
                disposition.folder.clone(),
                disposition.flags.clone(),
                false,
                true,
            ));
        }
        for copy in &disposition.copies {
            wanted.push((copy.folder.clone(), copy.flags.clone(), copy.create, false));
        }
        if wanted.is_empty() {
            return Ok(0);
        }
        self.ensure_account().await?;
        let mut targets: Vec<Target> = Vec::new();
        for (folder, flags, create, is_keep) in wanted {
            let folder = self.resolve_folder(folder, create).await?;
            match targets.iter_mut().find(|t| t.folder == folder) {
                // RFC 5228 §2.10.3: the same folder twice is one message.
                Some(target) => {
                    target.flags = target.flags.apply(FlagOp::Add, &flags);
                    target.is_keep |= is_keep;
                }
                None => targets.push(Target {
                    folder,
                    flags,
                    is_keep,
                }),
            }
        }
        let mut purged = false;
        for target in &targets {
            match self.append(disposition, target).await {
                Err(StoreError::OverQuota) if !purged => {
                    purged = true;
                    trash::make_room(self.store, self.account, self.size, &self.quota).await?;
                    self.append(disposition, target).await.map_err(over_quota)?;
                }
                other => other.map_err(over_quota)?,
            }
        }
        Ok(targets.len())
    }

    async fn append(&self, disposition: &Disposition, target: &Target) -> Result<(), StoreError> {
        let delivery_id = if target.is_keep {
            format!("{}:{}", self.queue_id, self.index)
        } else {
            format!("{}:{}:{}", self.queue_id, self.index, target.folder)
        };
        append(
            self.store,
            AppendJob {
                account: self.account,
                folder: &target.folder,
                flags: target.flags.clone(),
                prefix: self.prefix,
                header: disposition.rewritten_header.as_deref(),
                message: self.message,
                delivery_id,
                quota: Some(self.quota),
            },
        )
        .await
    }

    /// A user added while the store was not told (or before it existed):
    /// their mailboxes are made on first delivery.
    async fn ensure_account(&self) -> Result<(), StoreError> {
        match self.store.mailbox_exists(self.account, &inbox()).await {
            Err(StoreError::NoAccount(_)) => self.store.create_account(self.account).await,
            _ => Ok(()),
        }
    }

    /// The folder itself when it exists (or could be made), else INBOX.
    async fn resolve_folder(
        &self,
        folder: MailboxName,
        create: bool,
    ) -> Result<MailboxName, StoreError> {
        match self.store.mailbox_exists(self.account, &folder).await {
            Ok(true) => Ok(folder),
            Ok(false) if create => {
                match self.store.create_mailbox(self.account, &folder, None).await {
                    Ok(_) | Err(StoreError::MailboxExists(_)) => {
                        tracing::info!(folder = folder.as_str(), "folder created for delivery");
                        Ok(folder)
                    }
                    Err(error) => {
                        tracing::info!(folder = folder.as_str(), %error, "cannot create folder; delivering to INBOX");
                        Ok(inbox())
                    }
                }
            }
            Ok(false) => {
                tracing::info!(
                    folder = folder.as_str(),
                    "no such folder; delivering to INBOX"
                );
                Ok(inbox())
            }
            Err(error) => Err(error),
        }
    }
}

fn over_quota(error: StoreError) -> FilingError {
    match error {
        StoreError::OverQuota => FilingError::OverQuota,
        other => FilingError::Store(other),
    }
}
