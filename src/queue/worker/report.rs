//! What the sender is told, after each attempt: a DSN for recipients that
//! became final and asked for one (RFC 3461 §4.1 NOTIFY), and once, for
//! recipients still retried after `delay_warning`, a "delayed" DSN. Never
//! to the null reverse path (RFC 5321 §4.5.5). A DSN is queued like any
//! message, with the null reverse path, and marks the recipients it reports
//! on in the same transaction. When every recipient is final and reported
//! the message leaves the queue (rows first, then the file: a crash between
//! leaves a file without a row, which the next start removes).
//!
//! `NOTIFY=SUCCESS` is answered with `Action: delivered` both for local
//! deliveries and for a remote server's acceptance; we do not distinguish
//! RFC 3461 §5.2 "relayed" (the transport does not say whether the next hop
//! spoke DSN).

use std::sync::Arc;

use super::{Shared, blocking};
use crate::queue::bounce::{self, DsnAction, RecipientReport, Report};
use crate::queue::db::{
    QueueError, QueuedMessage, RecipientRow, RecipientState, ReportKind, ReportMark,
};
use crate::queue::envelope::{BodyType, Envelope, Notify, QueueId, Recipient, ReversePath};
use crate::queue::spool::now_ms;

/// Reports on recipients that need it and removes a finished message.
pub(super) async fn finish(shared: &Arc<Shared>, id: QueueId) -> Result<(), QueueError> {
    let Some(message) = blocking(shared.spool.db(), move |db| db.load(id)).await? else {
        return Ok(());
    };
    let unreported: Vec<&RecipientRow> = message
        .recipients
        .iter()
        .filter(|r| r.state != RecipientState::Pending && !r.reported)
        .collect();
    let (wanted, quiet): (Vec<&RecipientRow>, Vec<&RecipientRow>) = unreported
        .into_iter()
        .partition(|row| wants_dsn(&message.envelope, row));
    let finished = message
        .recipients
        .iter()
        .all(|r| r.state != RecipientState::Pending);
    // A finished message that owes nobody a report just goes: marking its
    // rows reported first would cost a commit for rows about to be deleted.
    let goes_unreported = finished && wanted.is_empty();
    if !quiet.is_empty() && !goes_unreported {
        let indexes: Vec<u32> = quiet.iter().map(|r| r.index).collect();
        blocking(shared.spool.db(), move |db| db.mark_reported(id, &indexes)).await?;
    }
    if !wanted.is_empty() {
        let reports = wanted
            .iter()
            .map(|row| {
                let action = if row.state == RecipientState::Delivered {
                    DsnAction::Delivered
                } else {
                    DsnAction::Failed
                };
                (row.index, action)
            })
            .collect();
        send_dsn(shared, &message, reports, ReportKind::Final).await?;
    }
    let delayed: Vec<(u32, DsnAction)> = message
        .recipients
        .iter()
        .filter(|row| wants_delay_dsn(shared, &message, row))
        .map(|row| (row.index, DsnAction::Delayed))
        .collect();
    if !delayed.is_empty() {
        send_dsn(shared, &message, delayed, ReportKind::Delay).await?;
    }
    if finished {
        blocking(shared.spool.db(), move |db| db.remove(id)).await?;
        match tokio::fs::remove_file(shared.spool.message_path(id)).await {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                tracing::warn!(%error, "cannot remove a delivered message's file");
            }
            _ => {}
        }
        tracing::info!(queue_id = %id, "message left the queue");
    }
    Ok(())
}

/// A DSN is due for a failed recipient unless NOTIFY excluded failures, for
/// a delivered one only with NOTIFY=SUCCESS, and never to `<>`.
fn wants_dsn(envelope: &Envelope, row: &RecipientRow) -> bool {
    if envelope.mail_from == ReversePath::Null {
        return false;
    }
    let Some(recipient) = envelope.recipients.get(row.index as usize) else {
        return false;
    };
    match row.state {
        RecipientState::Failed => recipient.notify.failure,
        RecipientState::Delivered => recipient.notify.success,
        RecipientState::Pending => false,
    }
}

/// A "delayed" DSN is due once for a recipient still pending after a
/// failed attempt, `delay_warning` after arrival, if NOTIFY allows delays.
fn wants_delay_dsn(shared: &Shared, message: &QueuedMessage, row: &RecipientRow) -> bool {
    let Some(after) = shared.settings.delay_warning else {
        return false;
    };
    let after = i64::try_from(after.as_millis()).unwrap_or(i64::MAX);
    row.state == RecipientState::Pending
        && row.attempts > 0
        && !row.delay_reported
        && message.envelope.mail_from != ReversePath::Null
        && now_ms().saturating_sub(message.arrived_ms) >= after
        && message
            .envelope
            .recipients
            .get(row.index as usize)
            .is_some_and(|r| r.notify.delay)
}

/// Builds the DSN about `reports` and queues it to the sender, marking
/// them reported (as `kind`) in the same transaction.
async fn send_dsn(
    shared: &Arc<Shared>,
    message: &QueuedMessage,
    reports: Vec<(u32, DsnAction)>,
    kind: ReportKind,
) -> Result<(), QueueError> {
    let ReversePath::Address(sender) = &message.envelope.mail_from else {
        return Ok(());
    };
    let path = shared.spool.message_path(message.id);
    let hostname = shared.settings.hostname.clone();
    let lifetime = i64::try_from(shared.settings.lifetime.as_millis()).unwrap_or(i64::MAX);
    let retry_until = message.arrived_ms.saturating_add(lifetime) / 1000;
    let owned = message.clone();
    let marks: Vec<ReportMark> = reports
        .iter()
        .map(|&(index, _)| ReportMark {
            message: message.id,
            index,
            kind,
        })
        .collect();
    let octets = tokio::task::spawn_blocking(move || {
        let recipients = reports
            .iter()
            .filter_map(|&(index, action)| recipient_report(&owned, index, action, retry_until))
            .collect();
        let exists = path.exists();
        bounce::build(&Report {
            hostname: &hostname,
            queue_id: owned.id,
            envelope: &owned.envelope,
            message: exists.then_some(path.as_path()),
            size: owned.size,
            recipients,
            now: now_ms() / 1000,
        })
    })
    .await
    .map_err(|_| QueueError::TaskFailed)??;
    let envelope = Envelope {
        mail_from: ReversePath::Null,
        recipients: vec![Recipient {
            address: sender.clone(),
            orcpt: None,
            notify: Notify {
                success: false,
                failure: false,
                delay: false,
            },
        }],
        // The returned message may carry 8-bit octets (RFC 3464 §2.1).
        body: if octets.is_ascii() {
            BodyType::SevenBit
        } else {
            BodyType::EightBitMime
        },
        smtputf8: message.envelope.smtputf8,
        ret: None,
        envid: None,
        submitter: None,
        received_at: now_ms() / 1000,
    };
    let dsn = shared.spool.enqueue(envelope, octets, marks).await?;
    tracing::info!(queue_id = %message.id, dsn = %dsn, "delivery status notification queued");
    Ok(())
}

fn recipient_report(
    message: &QueuedMessage,
    index: u32,
    action: DsnAction,
    retry_until: i64,
) -> Option<RecipientReport<'_>> {
    let recipient = message.envelope.recipients.get(index as usize)?;
    let row = message.recipients.iter().find(|r| r.index == index)?;
    let last = row.last.as_ref();
    Some(RecipientReport {
        recipient,
        action,
        status: last.map_or("5.0.0", |l| l.status.as_str()),
        diagnostic: last.map_or("", |l| l.diagnostic.as_str()),
        remote_mta: last.and_then(|l| l.remote_mta.as_deref()),
        retry_until: (action == DsnAction::Delayed).then_some(retry_until),
    })
}
