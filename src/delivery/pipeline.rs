//! The local delivery pipeline: for each account a recipient resolves to,
//! refuse a disabled mailbox, run the stages in order, then append with the
//! account's quota. Answers one queue outcome per recipient.

use std::path::Path;
use std::sync::Arc;

use super::append::{AppendJob, append};
use super::stage::{DeliveryInfo, Disposition, Stage, Verdict, inbox};
use crate::auth::{Directory, DirectoryError, LocalRecipient, Resolution};
use crate::queue::{Outcome, OutcomeKind, QueueId, ReversePath};
use crate::store::{QuotaLimit, Store, StoreError};

/// One envelope recipient of one queued message to deliver locally.
#[derive(Debug)]
pub struct LocalRequest<'a> {
    pub queue_id: QueueId,
    /// The recipient's position in the envelope: with the queue id, what
    /// makes the delivery id the store de-duplicates on.
    pub index: u32,
    pub sender: &'a ReversePath,
    pub recipient: &'a str,
    pub message: &'a Path,
    pub size: u64,
}

/// The account directory could not answer.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error("account directory task failed")]
    TaskFailed,
}

/// The pipeline over the store and the account directory.
pub struct LocalDelivery {
    store: Store,
    directory: Arc<Directory>,
    stages: Vec<Box<dyn Stage>>,
}

impl LocalDelivery {
    pub fn new(store: Store, directory: Arc<Directory>) -> Self {
        Self {
            store,
            directory,
            stages: Vec::new(),
        }
    }

    /// Adds a stage after those already added (DESIGN.md order:
    /// authentication results, anti-spam, Sieve admin-before, user,
    /// admin-after).
    pub fn with_stage(mut self, stage: impl Stage) -> Self {
        self.stages.push(Box::new(stage));
        self
    }

    /// Where an address goes: local users (aliases, catch-all and
    /// plus-addressing resolved, one entry per account), or not ours.
    pub async fn resolve(&self, address: &str) -> Result<Resolution, LookupError> {
        let directory = self.directory.clone();
        let address = address.to_owned();
        Ok(
            tokio::task::spawn_blocking(move || directory.resolve_recipient(&address))
                .await
                .map_err(|_| LookupError::TaskFailed)??,
        )
    }

    /// Delivers to every account of `targets`. Transient if any account
    /// must be retried (those already done are skipped then by their
    /// delivery id), else delivered if any account has it, else the first
    /// refusal.
    pub async fn deliver(&self, request: &LocalRequest<'_>, targets: &[LocalRecipient]) -> Outcome {
        let mut outcomes = Vec::with_capacity(targets.len());
        for target in targets {
            outcomes.push(self.deliver_to(request, target).await);
        }
        combine(outcomes)
    }

    async fn deliver_to(&self, request: &LocalRequest<'_>, target: &LocalRecipient) -> Outcome {
        if !target.enabled {
            return outcome(OutcomeKind::Permanent, "5.2.1", "mailbox disabled");
        }
        let quota = match self.quota(target).await {
            Ok(Some(quota)) => quota,
            Ok(None) => return outcome(OutcomeKind::Permanent, "5.1.1", "no such user"),
            Err(error) => {
                tracing::warn!(%error, "account lookup failed");
                return outcome(OutcomeKind::Transient, "4.3.0", "account lookup failed");
            }
        };
        let info = DeliveryInfo {
            queue_id: request.queue_id,
            sender: request.sender,
            recipient: request.recipient,
            account: target.account,
            login: &target.login,
            detail: target.detail.as_deref(),
            message: request.message,
            size: request.size,
        };
        let mut disposition = Disposition::default();
        for stage in &self.stages {
            match stage.run(&info, &mut disposition).await {
                Ok(Verdict::Continue) => {}
                Ok(Verdict::Discard) => {
                    tracing::info!(stage = stage.name(), "message discarded");
                    return outcome(OutcomeKind::Delivered, "2.0.0", "discarded");
                }
                Ok(Verdict::Reject { reason }) => {
                    return outcome(OutcomeKind::Permanent, "5.7.1", &reason);
                }
                Err(error) => {
                    tracing::warn!(%error, "delivery stage failed");
                    return outcome(OutcomeKind::Transient, "4.3.0", &error.to_string());
                }
            }
        }
        self.store(request, target, disposition, quota).await
    }

    async fn store(
        &self,
        request: &LocalRequest<'_>,
        target: &LocalRecipient,
        mut disposition: Disposition,
        quota: QuotaLimit,
    ) -> Outcome {
        match self
            .store
            .mailbox(target.account, &disposition.folder)
            .await
        {
            Ok(_) => {}
            Err(StoreError::NoAccount(_)) => {
                // A user added while the store was not told (or before it
                // existed): their mailboxes are made on first delivery.
                if let Err(error) = self.store.create_account(target.account).await {
                    tracing::warn!(%error, "cannot create the account's store");
                    return outcome(OutcomeKind::Transient, "4.3.0", "mail store unavailable");
                }
                if !disposition.folder.is_inbox() {
                    disposition.folder = inbox();
                }
            }
            Err(StoreError::NoMailbox(_)) => {
                // RFC 5228 §4.1: a fileinto that cannot be done keeps the message.
                tracing::info!(
                    folder = disposition.folder.as_str(),
                    "no such folder; delivering to INBOX"
                );
                disposition.folder = inbox();
            }
            Err(error) => {
                tracing::warn!(%error, "mail store unavailable");
                return outcome(OutcomeKind::Transient, "4.3.0", "mail store unavailable");
            }
        }
        let prefix = trace_fields(request, &disposition);
        let job = AppendJob {
            account: target.account,
            folder: &disposition.folder,
            flags: disposition.flags,
            prefix,
            message: request.message,
            delivery_id: format!("{}:{}", request.queue_id, request.index),
            quota: Some(quota),
        };
        match append(&self.store, job).await {
            Ok(()) => outcome(OutcomeKind::Delivered, "2.0.0", "delivered"),
            Err(StoreError::OverQuota) => outcome(OutcomeKind::Transient, "4.2.2", "mailbox full"),
            Err(error) => {
                tracing::warn!(%error, "local delivery failed");
                outcome(OutcomeKind::Transient, "4.3.0", "mail store error")
            }
        }
    }

    /// The account's quota, `None` when the account went away.
    async fn quota(&self, target: &LocalRecipient) -> Result<Option<QuotaLimit>, LookupError> {
        let directory = self.directory.clone();
        let account = target.account;
        let user = tokio::task::spawn_blocking(move || directory.user_by_id(account))
            .await
            .map_err(|_| LookupError::TaskFailed)??;
        Ok(user.map(|user| QuotaLimit {
            max_bytes: user.quota_bytes,
            max_messages: None,
        }))
    }
}

/// `Return-Path` (RFC 5321 §4.4) and `Delivered-To` (RFC 9228), then what
/// the stages added.
fn trace_fields(request: &LocalRequest<'_>, disposition: &Disposition) -> String {
    let sender = match request.sender {
        ReversePath::Null => "",
        ReversePath::Address(address) => address,
    };
    let mut prefix = format!(
        "Return-Path: <{sender}>\r\nDelivered-To: {}\r\n",
        request.recipient
    );
    for field in &disposition.header_fields {
        prefix.push_str(&field.to_line());
    }
    prefix
}

fn outcome(kind: OutcomeKind, status: &str, diagnostic: &str) -> Outcome {
    Outcome {
        kind,
        status: status.to_owned(),
        diagnostic: diagnostic.to_owned(),
        remote_mta: None,
    }
}

fn combine(outcomes: Vec<Outcome>) -> Outcome {
    let pick = |kind| outcomes.iter().find(|o| o.kind == kind).cloned();
    pick(OutcomeKind::Transient)
        .or_else(|| pick(OutcomeKind::Delivered))
        .or_else(|| pick(OutcomeKind::Permanent))
        .unwrap_or_else(|| outcome(OutcomeKind::Permanent, "5.1.1", "no such user"))
}
