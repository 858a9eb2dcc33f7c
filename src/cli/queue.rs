//! `postamt queue list|flush|delete ID`: the queue database seen from the
//! command line. Safe while the daemon runs: it opens the spool without
//! start-up recovery (which could remove a message the daemon is about to
//! commit) and changes rows in single transactions the worker tolerates.

use std::time::Duration;

use anyhow::anyhow;
use postamt::queue::{
    ActivitySnapshot, QueueError, QueueId, QueuedMessage, RecipientState, ReversePath, Spool,
    now_ms,
};

use super::args::QueueCommand;
use super::context::Context;
use super::failure::{CommandResult, Exit, Failure};

pub fn run(context: &Context, command: QueueCommand) -> CommandResult {
    context.prepare_data_dir()?;
    let spool = Spool::open_without_recovery(context.data_dir()).map_err(failure)?;
    match command {
        QueueCommand::List => {
            let messages = spool.db().list().map_err(failure)?;
            if messages.is_empty() {
                println!("the queue is empty");
            }
            let now = now_ms();
            let activity = ActivitySnapshot::read_fresh(spool.dir(), now);
            for message in &messages {
                print!("{}", describe(message, activity.as_ref(), now));
            }
        }
        QueueCommand::Flush => {
            let due = spool.db().flush().map_err(failure)?;
            println!("{due} recipient(s) due now");
        }
        QueueCommand::Delete { id } => {
            let id = parse_id(&id)?;
            if !spool.db().remove(id).map_err(failure)? {
                return Err(Failure::new(
                    Exit::NoUser,
                    anyhow!("no queued message {id}"),
                ));
            }
            match std::fs::remove_file(spool.message_path(id)) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Failure::new(Exit::IoErr, error));
                }
                _ => {}
            }
            println!("deleted {id}");
        }
    }
    Ok(())
}

/// Ids are shown as 16 hex digits; leading zeros may be left out.
fn parse_id(text: &str) -> Result<QueueId, Failure> {
    u64::from_str_radix(text, 16)
        .map(QueueId)
        .map_err(|_| Failure::new(Exit::DataErr, anyhow!("not a queue id: {text}")))
}

fn failure(error: QueueError) -> Failure {
    let busy = matches!(
        &error,
        QueueError::Database(rusqlite::Error::SqliteFailure(code, _))
            if matches!(code.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    Failure::new(if busy { Exit::TempFail } else { Exit::IoErr }, error)
}

/// One message: a line for it, one per recipient, saying what it waits
/// for: the step of its delivery under way (from the running daemon's
/// `activity`), a delivery slot, or its next retry.
fn describe(message: &QueuedMessage, activity: Option<&ActivitySnapshot>, now: i64) -> String {
    let sender = match &message.envelope.mail_from {
        ReversePath::Null => "<>".to_owned(),
        ReversePath::Address(address) => format!("<{address}>"),
    };
    let mut text = format!(
        "{}  age {}  {} bytes  from {sender}\n",
        message.id,
        span(now - message.arrived_ms),
        message.size
    );
    for recipient in &message.recipients {
        let step = activity.and_then(|a| a.step(message.id, recipient.index));
        let state = match recipient.state {
            RecipientState::Pending if let Some(step) = step => {
                format!(
                    "in delivery: {} for {}",
                    step.step,
                    span(now - step.since_ms)
                )
            }
            RecipientState::Pending if recipient.next_attempt_ms > now => {
                format!(
                    "deferred, next in {}",
                    span(recipient.next_attempt_ms - now)
                )
            }
            RecipientState::Pending if activity.is_some() => {
                "pending, due now, waiting for a delivery slot".to_owned()
            }
            RecipientState::Pending => "pending, due now".to_owned(),
            RecipientState::Delivered => "delivered".to_owned(),
            RecipientState::Failed => "failed".to_owned(),
        };
        text.push_str(&format!(
            "  {}  {state}  attempts {}",
            recipient.address, recipient.attempts
        ));
        if let Some(last) = &recipient.last {
            text.push_str(&format!("  {} {}", last.status, last.diagnostic));
        }
        text.push('\n');
    }
    text
}

/// A duration for people: `2d 3h`, `4m 10s`, `0s`.
fn span(millis: i64) -> String {
    let seconds = Duration::from_millis(u64::try_from(millis).unwrap_or(0)).as_secs();
    let (days, hours, minutes, seconds) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds}s"),
        (0, 0, _) => format!("{minutes}m {seconds}s"),
        (0, _, _) => format!("{hours}h {minutes}m"),
        _ => format!("{days}d {hours}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_naturally() {
        assert_eq!(span(0), "0s");
        assert_eq!(span(250_000), "4m 10s");
        assert_eq!(span(3 * 3_600_000 + 60_000), "3h 1m");
        assert_eq!(span(2 * 86_400_000 + 3_600_000), "2d 1h");
    }

    #[test]
    fn ids_parse_with_or_without_leading_zeros() {
        assert_eq!(parse_id("000000000000002a").unwrap(), QueueId(42));
        assert_eq!(parse_id("2a").unwrap(), QueueId(42));
        assert!(parse_id("xyz").is_err());
    }
}
