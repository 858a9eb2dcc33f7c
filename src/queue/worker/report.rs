//! What happens once recipients are final: a DSN to the sender for those
//! that asked for one (RFC 3461 §4.1 NOTIFY; never for a null reverse path,
//! RFC 5321 §4.5.5), queued like any message with the null reverse path,
//! and, when every recipient is final and reported, the message leaves the
//! queue (rows first, then the file: a crash between leaves a file without
//! a row, which the next start removes).
//!
//! `NOTIFY=SUCCESS` is answered with `Action: delivered` both for local
//! deliveries and for a remote server's acceptance; we do not distinguish
//! RFC 3461 §5.2 "relayed" (the transport does not say whether the next hop
//! spoke DSN).

use std::sync::Arc;

use super::{Shared, blocking};
use crate::queue::bounce::{self, DsnAction, RecipientReport, Report};
use crate::queue::db::{QueueError, QueuedMessage, RecipientRow, RecipientState};
use crate::queue::envelope::{BodyType, Envelope, Notify, QueueId, Recipient, ReversePath};
use crate::queue::spool::now_ms;

/// Reports on newly final recipients and removes a finished message.
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
    if !quiet.is_empty() {
        let indexes: Vec<u32> = quiet.iter().map(|r| r.index).collect();
        blocking(shared.spool.db(), move |db| db.mark_reported(id, &indexes)).await?;
    }
    if !wanted.is_empty() {
        send_dsn(shared, &message, &wanted).await?;
    }
    if message
        .recipients
        .iter()
        .all(|r| r.state != RecipientState::Pending)
    {
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

/// Builds the DSN about `rows` and queues it to the sender, marking them
/// reported in the same transaction.
async fn send_dsn(
    shared: &Arc<Shared>,
    message: &QueuedMessage,
    rows: &[&RecipientRow],
) -> Result<(), QueueError> {
    let ReversePath::Address(sender) = &message.envelope.mail_from else {
        return Ok(());
    };
    let path = shared.spool.message_path(message.id);
    let hostname = shared.settings.hostname.clone();
    let owned = message.clone();
    let reported: Vec<(u32, DsnAction)> = rows
        .iter()
        .map(|r| {
            let action = if r.state == RecipientState::Delivered {
                DsnAction::Delivered
            } else {
                DsnAction::Failed
            };
            (r.index, action)
        })
        .collect();
    let indexes: Vec<u32> = reported.iter().map(|&(index, _)| index).collect();
    let octets = tokio::task::spawn_blocking(move || {
        let recipients = reported
            .iter()
            .filter_map(|&(index, action)| recipient_report(&owned, index, action))
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
    let reports_on: Vec<(QueueId, u32)> = indexes.into_iter().map(|i| (message.id, i)).collect();
    let dsn = shared.spool.enqueue(envelope, octets, reports_on).await?;
    tracing::info!(queue_id = %message.id, dsn = %dsn, "delivery status notification queued");
    Ok(())
}

fn recipient_report(
    message: &QueuedMessage,
    index: u32,
    action: DsnAction,
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
    })
}
