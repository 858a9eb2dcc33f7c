//! The local delivery pipeline: for each account a recipient resolves to,
//! refuse a disabled mailbox, run the stages in order, then carry out their
//! disposition (store, forward, reply) under the account's quota. Answers
//! one queue outcome per recipient.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::actions::DeliveryActions;
use super::filing::{Filing, FilingError};
use super::forward::{self, Forward};
use super::header::Header;
use super::stage::{DeliveryInfo, Disposition, Stage, Verdict};
use super::vacation;
use crate::auth::{Directory, DirectoryError, LocalRecipient, Resolution};
use crate::queue::{Outcome, OutcomeKind, QueueId, ReversePath};
use crate::store::{QuotaLimit, Store};

/// One envelope recipient of one queued message to deliver locally.
pub struct LocalRequest<'a> {
    pub queue_id: QueueId,
    /// The recipient's position in the envelope: with the queue id, what
    /// makes the delivery id the store de-duplicates on.
    pub index: u32,
    pub sender: &'a ReversePath,
    pub recipient: &'a str,
    pub message: &'a Path,
    pub size: u64,
    /// Told the name of each step as it starts (a stage's name, then
    /// "store"), so the queue can show where a message waits.
    pub progress: &'a (dyn Fn(&str) + Sync),
}

/// A step taking this long is logged: the log then says where a message
/// waited (a slow DNS answer, a busy disk).
const SLOW_STEP: Duration = Duration::from_secs(1);

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
    /// Forwarding and automatic replies; without them a redirect is kept
    /// and no reply goes.
    actions: Option<Arc<DeliveryActions>>,
}

impl LocalDelivery {
    pub fn new(store: Store, directory: Arc<Directory>) -> Self {
        Self {
            store,
            directory,
            stages: Vec::new(),
            actions: None,
        }
    }

    /// Lets the pipeline forward, answer automatically and reverse SRS.
    pub fn with_actions(mut self, actions: Arc<DeliveryActions>) -> Self {
        self.actions = Some(actions);
        self
    }

    /// Adds a stage after those already added (DESIGN.md order:
    /// authentication results, anti-spam, Sieve admin-before, user,
    /// admin-after).
    pub fn with_stage(mut self, stage: impl Stage) -> Self {
        self.stages.push(Box::new(stage));
        self
    }

    /// Where an address goes: local users (aliases, catch-all and
    /// plus-addressing resolved, one entry per account), or not ours. An
    /// SRS address of ours whose original sender is local resolves to that
    /// sender: a bounce of a forward finds its way back.
    pub async fn resolve(&self, address: &str) -> Result<Resolution, LookupError> {
        if let Some(original) = self.srs_reverse(address) {
            let resolution = self.resolve_plain(&original).await?;
            if matches!(resolution, Resolution::Local(_)) {
                tracing::info!(original = original.as_str(), "SRS address resolved");
                return Ok(resolution);
            }
        }
        self.resolve_plain(address).await
    }

    /// The original address behind an SRS address of ours, for the queue
    /// to route a bounce of a forward to a remote sender.
    pub fn srs_reverse(&self, address: &str) -> Option<String> {
        self.actions
            .as_ref()
            .and_then(|actions| actions.srs_reverse(address))
    }

    async fn resolve_plain(&self, address: &str) -> Result<Resolution, LookupError> {
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
            (request.progress)(stage.name());
            let started = Instant::now();
            let verdict = stage.run(&info, &mut disposition).await;
            log_if_slow(stage.name(), started);
            match verdict {
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
        (request.progress)("store");
        let started = Instant::now();
        let outcome = self.carry_out(request, target, disposition, quota).await;
        log_if_slow("store", started);
        outcome
    }

    /// Carries out the disposition: loop checks, then the store, then the
    /// forwards, then the automatic reply. Each step is idempotent on
    /// retry (delivery ids, forward keys, the vacation tracker).
    async fn carry_out(
        &self,
        request: &LocalRequest<'_>,
        target: &LocalRecipient,
        mut disposition: Disposition,
        quota: QuotaLimit,
    ) -> Outcome {
        let needs_header = !disposition.redirects.is_empty() || disposition.auto_reply.is_some();
        let header = if needs_header {
            match Header::read(request.message).await {
                Ok(header) => header,
                Err(error) => {
                    tracing::warn!(%error, "cannot read the spooled message");
                    return outcome(OutcomeKind::Transient, "4.3.0", "spool unavailable");
                }
            }
        } else {
            Header::default()
        };
        let redirects = self.allowed_redirects(request, target, &header, &mut disposition);
        let added = added_fields(&disposition);
        let prefix = format!("{}{added}", trace_fields(request));
        let filing = Filing {
            store: &self.store,
            account: target.account,
            queue_id: request.queue_id,
            index: request.index,
            prefix: &prefix,
            message: request.message,
            size: request.size + prefix.len() as u64,
            quota,
        };
        match filing.file(&disposition).await {
            Ok(0) if redirects.is_empty() => {
                tracing::info!("message discarded: no keep, copy or forward");
            }
            Ok(_) => {}
            Err(FilingError::OverQuota) => {
                return outcome(OutcomeKind::Transient, "4.2.2", "mailbox full");
            }
            Err(error) => {
                tracing::warn!(%error, "local delivery failed");
                return outcome(OutcomeKind::Transient, "4.3.0", "mail store error");
            }
        }
        if let Some(actions) = &self.actions {
            if !redirects.is_empty() {
                let forward = Forward {
                    actions,
                    directory: &self.directory,
                    queue_id: request.queue_id,
                    index: request.index,
                    account: target.account,
                    sender: request.sender,
                    recipient: request.recipient,
                    added: &added,
                    header: disposition.rewritten_header.as_deref(),
                    message: request.message,
                };
                if let Err(error) = forward.send(&redirects).await {
                    tracing::warn!(%error, "cannot queue a forward");
                    return outcome(OutcomeKind::Transient, "4.3.0", "forwarding failed");
                }
            }
            if let Some(reply) = &disposition.auto_reply {
                let incoming = vacation::Incoming {
                    account: target.account,
                    login: target.login.as_str(),
                    recipient: request.recipient,
                    sender: request.sender,
                    header: &header,
                    spam: disposition.spam.as_ref(),
                };
                if let Some(reason) =
                    vacation::answer(actions, &self.directory, &incoming, reply).await
                {
                    tracing::info!(reason, "no automatic reply");
                }
            }
        }
        outcome(OutcomeKind::Delivered, "2.0.0", "delivered")
    }

    /// The redirects that may go; when none may and nothing else would
    /// store the message, the keep comes back, so nothing is lost.
    fn allowed_redirects(
        &self,
        request: &LocalRequest<'_>,
        target: &LocalRecipient,
        header: &Header,
        disposition: &mut Disposition,
    ) -> Vec<String> {
        if disposition.redirects.is_empty() {
            return Vec::new();
        }
        let login = target.login.as_str();
        let redirects = match &self.actions {
            None => {
                tracing::warn!("forwarding is not set up; keeping the message");
                Vec::new()
            }
            Some(actions) => {
                match forward::loop_reason(
                    header,
                    request.recipient,
                    login,
                    actions.settings.max_hops,
                ) {
                    Some(reason) => {
                        tracing::info!(reason, "not forwarding; keeping the message");
                        Vec::new()
                    }
                    None => disposition
                        .redirects
                        .iter()
                        .filter(|to| !forward::is_self(to, request.recipient, login))
                        .cloned()
                        .collect(),
                }
            }
        };
        if redirects.is_empty() && disposition.copies.is_empty() {
            disposition.keep = true;
        }
        redirects
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

fn log_if_slow(step: &str, started: Instant) {
    let elapsed = started.elapsed();
    if elapsed >= SLOW_STEP {
        tracing::info!(
            step,
            elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            "slow delivery step"
        );
    }
}

/// `Return-Path` (RFC 5321 §4.4) and `Delivered-To` (RFC 9228).
fn trace_fields(request: &LocalRequest<'_>) -> String {
    let sender = match request.sender {
        ReversePath::Null => "",
        ReversePath::Address(address) => address,
    };
    format!(
        "Return-Path: <{sender}>\r\nDelivered-To: {}\r\n",
        request.recipient
    )
}

/// What the stages added above the message, in order.
fn added_fields(disposition: &Disposition) -> String {
    disposition
        .header_fields
        .iter()
        .map(|field| field.to_line())
        .collect()
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
