//! One attempt at one queued message: every due recipient is resolved,
//! local ones go through the delivery pipeline, remote ones are grouped by
//! domain into [`RemoteJob`]s for the transport, and each outcome is
//! recorded right after it is known (RFC 5321 §4.5.4.1 retry rules).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;

use super::{Shared, blocking, report};
use crate::auth::{DirectoryError, Resolution};
use crate::delivery::{LocalRequest, LookupError};
use crate::queue::db::{LastOutcome, QueueError, QueuedMessage, RecipientState, RecipientUpdate};
use crate::queue::envelope::{QueueId, Recipient};
use crate::queue::spool::now_ms;
use crate::queue::transport::{Outcome, OutcomeKind, RemoteJob};

/// Attempts the due recipients of `id`, then reports on those now final.
pub(super) async fn attempt(shared: Arc<Shared>, id: QueueId) -> Result<(), QueueError> {
    let Some(message) = blocking(shared.spool.db(), move |db| db.load(id)).await? else {
        return Ok(());
    };
    let path = shared.spool.message_path(id);
    let now = now_ms();
    let due: Vec<u32> = message
        .recipients
        .iter()
        .filter(|r| r.state == RecipientState::Pending && r.next_attempt_ms <= now)
        .map(|r| r.index)
        .collect();
    if !due.is_empty() {
        // An error here (not "missing") is ours: the attempt fails and the
        // worker tries the message again later.
        if tokio::fs::try_exists(&path).await? {
            deliver(&shared, &message, &due).await?;
        } else {
            tracing::error!(queue_id = %id, "the queued message file is missing; failing its recipients");
            let lost = own_outcome(
                OutcomeKind::Permanent,
                "5.3.0",
                "the queued message was lost from the spool",
            );
            for &index in &due {
                record(&shared, &message, index, &lost).await?;
            }
        }
    }
    shared.activity.end_message(id);
    report::finish(&shared, id).await
}

/// Where a recipient goes.
enum Route {
    Local(Vec<crate::auth::LocalRecipient>),
    Remote(String),
    /// Nowhere now: the outcome says whether for good or for this attempt.
    Decided(Outcome),
}

async fn route(shared: &Shared, address: &str) -> Route {
    let domain = || {
        address
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase())
    };
    match shared.delivery.resolve(address).await {
        Ok(Resolution::Local(targets)) => Route::Local(targets),
        Ok(Resolution::DomainNotLocal) => match domain() {
            Some(domain) => Route::Remote(domain),
            None => Route::Decided(own_outcome(
                OutcomeKind::Permanent,
                "5.1.3",
                "bad recipient address syntax",
            )),
        },
        Ok(Resolution::NoSuchUser) => {
            Route::Decided(own_outcome(OutcomeKind::Permanent, "5.1.1", "no such user"))
        }
        // Quoted local parts are no account's address but may be another
        // server's: the domain decides.
        Err(LookupError::Directory(DirectoryError::InvalidAddress(_))) => match domain() {
            Some(domain) if !domain.is_empty() => Route::Remote(domain),
            _ => Route::Decided(own_outcome(
                OutcomeKind::Permanent,
                "5.1.3",
                "bad recipient address syntax",
            )),
        },
        Err(error) => {
            tracing::warn!(%error, "recipient lookup failed");
            Route::Decided(own_outcome(
                OutcomeKind::Transient,
                "4.3.0",
                "recipient lookup failed",
            ))
        }
    }
}

async fn deliver(
    shared: &Arc<Shared>,
    message: &QueuedMessage,
    due: &[u32],
) -> Result<(), QueueError> {
    let path = shared.spool.message_path(message.id);
    let mut remote: BTreeMap<String, Vec<(u32, Recipient)>> = BTreeMap::new();
    let mut local = Vec::new();
    for &index in due {
        shared.activity.begin(message.id, index, "routing");
        let Some(recipient) = message.envelope.recipients.get(index as usize) else {
            let missing = own_outcome(
                OutcomeKind::Permanent,
                "5.3.0",
                "recipient missing from the envelope",
            );
            record(shared, message, index, &missing).await?;
            continue;
        };
        // A bounce of a forward to a remote sender comes back to our SRS
        // address: it goes on to the sender the address stands for.
        let original = shared.delivery.srs_reverse(&recipient.address);
        let address = original.as_deref().unwrap_or(&recipient.address);
        match route(shared, address).await {
            Route::Local(targets) => local.push((index, recipient, targets)),
            Route::Remote(domain) => {
                let mut recipient = recipient.clone();
                recipient.address = address.to_owned();
                remote.entry(domain).or_default().push((index, recipient));
            }
            Route::Decided(outcome) => {
                record(shared, message, index, &outcome).await?;
            }
        }
    }
    let mut jobs = JoinSet::new();
    for (domain, recipients) in remote {
        let (indexes, recipients): (Vec<u32>, Vec<Recipient>) = recipients.into_iter().unzip();
        let step = format!("remote delivery to {domain}");
        for &index in &indexes {
            shared.activity.begin(message.id, index, &step);
        }
        let job = RemoteJob {
            queue_id: message.id,
            domain,
            mail_from: message.envelope.mail_from.clone(),
            recipients,
            message: path.clone(),
            size: message.size,
            body: message.envelope.body,
            smtputf8: message.envelope.smtputf8,
            ret: message.envelope.ret,
            envid: message.envelope.envid.clone(),
        };
        let shared = shared.clone();
        jobs.spawn(async move {
            let count = job.recipients.len();
            let _slot = shared.domains.acquire(&job.domain).await;
            let mut outcomes = shared.transport.deliver(job).await;
            // The transport answers one outcome per recipient; a short
            // answer must not leave a recipient unrecorded.
            outcomes.resize(
                count,
                own_outcome(
                    OutcomeKind::Transient,
                    "4.4.0",
                    "no outcome from the transport",
                ),
            );
            indexes.into_iter().zip(outcomes).collect::<Vec<_>>()
        });
    }
    for (index, recipient, targets) in local {
        let request = LocalRequest {
            queue_id: message.id,
            index,
            sender: &message.envelope.mail_from,
            recipient: &recipient.address,
            message: &path,
            size: message.size,
            progress: &|step| shared.activity.begin(message.id, index, step),
        };
        let outcome = shared.delivery.deliver(&request, &targets).await;
        record(shared, message, index, &outcome).await?;
    }
    // A transport that panicked left its recipients as they were: the
    // attempt reports an error so the worker rests the message a while.
    let mut lost_job = false;
    while let Some(done) = jobs.join_next().await {
        let Ok(outcomes) = done else {
            lost_job = true;
            continue;
        };
        for (index, outcome) in outcomes {
            record(shared, message, index, &outcome).await?;
        }
    }
    if lost_job {
        return Err(QueueError::TaskFailed);
    }
    Ok(())
}

/// Records one outcome: delivered and permanent are final; a transient
/// one is retried after the backoff, or fails once the message has been
/// queued longer than the lifetime.
async fn record(
    shared: &Shared,
    message: &QueuedMessage,
    index: u32,
    outcome: &Outcome,
) -> Result<(), QueueError> {
    let now = now_ms();
    let attempts = message
        .recipients
        .iter()
        .find(|r| r.index == index)
        .map_or(0, |r| r.attempts)
        .saturating_add(1);
    let last = LastOutcome {
        status: outcome.status.clone(),
        diagnostic: outcome.diagnostic.clone(),
        remote_mta: outcome.remote_mta.clone(),
    };
    let lifetime = i64::try_from(shared.settings.lifetime.as_millis()).unwrap_or(i64::MAX);
    let update = match outcome.kind {
        OutcomeKind::Delivered => RecipientUpdate::Delivered(last),
        OutcomeKind::Permanent => RecipientUpdate::Failed(last),
        OutcomeKind::Transient if now.saturating_sub(message.arrived_ms) >= lifetime => {
            // RFC 3463 X.4.7: delivery time expired; the last error says why.
            RecipientUpdate::Failed(LastOutcome {
                status: "4.4.7".to_owned(),
                diagnostic: format!(
                    "delivery time expired after {attempts} attempt(s); last error: {}",
                    last.diagnostic
                ),
                remote_mta: last.remote_mta,
            })
        }
        OutcomeKind::Transient => RecipientUpdate::Retry {
            at_ms: now.saturating_add(millis(shared.settings.backoff(attempts))),
            last,
        },
    };
    tracing::info!(
        queue_id = %message.id,
        recipient = index,
        status = outcome.status.as_str(),
        diagnostic = outcome.diagnostic.as_str(),
        "delivery attempt"
    );
    let id = message.id;
    blocking(shared.spool.db(), move |db| db.record(id, index, &update)).await?;
    shared.activity.end(id, index);
    Ok(())
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// An outcome we decided ourselves, without a remote server.
fn own_outcome(kind: OutcomeKind, status: &str, diagnostic: &str) -> Outcome {
    Outcome {
        kind,
        status: status.to_owned(),
        diagnostic: diagnostic.to_owned(),
        remote_mta: None,
    }
}
