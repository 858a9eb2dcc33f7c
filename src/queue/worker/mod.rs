//! The queue worker: a task that runs beside the listeners, finds the
//! messages with a recipient due, and makes one attempt for each (see
//! [`attempt`]), then reports on recipients that became final (see
//! [`report`]). It is woken by the spool on every commit, when an attempt
//! ends, and at least every [`QueueSettings::poll_interval`], which is how a
//! `postamt queue flush` from another process reaches it.
//!
//! It never holds a message in memory and never runs SQLite on a tokio
//! worker thread. A message is attempted by one task at a time.

mod attempt;
mod domains;
mod report;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;
use tracing::Instrument;

use super::activity::Activity;
use super::db::{QueueDb, QueueError};
use super::envelope::QueueId;
use super::settings::QueueSettings;
use super::spool::{Spool, now_ms};
use super::transport::RemoteTransport;
use crate::delivery::LocalDelivery;
use domains::DomainLimits;

/// How often old queue origins are forgotten.
const FORGET_INTERVAL: Duration = Duration::from_secs(3600);
/// How often what the worker is doing is published for `postamt queue list`.
const PUBLISH_INTERVAL: Duration = Duration::from_secs(1);

/// Starts the queue worker.
pub struct QueueWorker;

/// What every attempt shares.
struct Shared {
    spool: Arc<Spool>,
    delivery: Arc<LocalDelivery>,
    transport: Arc<dyn RemoteTransport>,
    settings: QueueSettings,
    domains: DomainLimits,
    activity: Arc<Activity>,
}

impl QueueWorker {
    /// Runs the worker until `shutdown` completes (the daemon passes
    /// `async move { shutdown.requested().await }` for its
    /// [`crate::server::Shutdown`]). Attempts under way then are abandoned:
    /// nothing is lost, a local delivery done but not recorded is recognised
    /// by its delivery id on the next start.
    pub fn spawn(
        spool: Arc<Spool>,
        delivery: Arc<LocalDelivery>,
        transport: Arc<dyn RemoteTransport>,
        settings: QueueSettings,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> JoinHandle<()> {
        let shared = Arc::new(Shared {
            spool,
            delivery,
            transport,
            domains: DomainLimits::new(settings.max_per_domain),
            settings,
            activity: Arc::new(Activity::default()),
        });
        tokio::spawn(run(shared, shutdown))
    }
}

async fn run(shared: Arc<Shared>, shutdown: impl Future<Output = ()> + Send + 'static) {
    let mut shutdown = std::pin::pin!(shutdown);
    let mut running: JoinSet<Result<(), QueueError>> = JoinSet::new();
    let mut tasks: HashMap<tokio::task::Id, QueueId> = HashMap::new();
    // Messages whose last attempt failed on our side (database, disk) rest
    // for a poll interval instead of spinning.
    let mut cooling: HashMap<QueueId, Instant> = HashMap::new();
    let mut origins_forgotten: Option<Instant> = None;
    let mut publish = tokio::time::interval(PUBLISH_INTERVAL);
    publish.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut published_ms = 0;
    loop {
        let now = Instant::now();
        cooling.retain(|_, until| *until > now);
        if origins_forgotten.is_none_or(|at| now.duration_since(at) >= FORGET_INTERVAL) {
            forget_origins(&shared).await;
            origins_forgotten = Some(now);
        }
        let wait = match pass(&shared, &mut running, &mut tasks, &cooling).await {
            Ok(wait) => wait,
            Err(error) => {
                tracing::error!(%error, "queue pass failed");
                shared.settings.poll_interval
            }
        };
        tokio::select! {
            () = &mut shutdown => break,
            () = shared.spool.woken().notified() => {}
            () = tokio::time::sleep(wait) => {}
            _ = publish.tick() => {
                published_ms = publish_activity(&shared, published_ms).await;
            }
            Some(done) = running.join_next_with_id(), if !running.is_empty() => {
                let (task, failed) = match done {
                    Ok((task, result)) => (task, result.err().map(|e| e.to_string())),
                    Err(error) => (error.id(), Some(error.to_string())),
                };
                if let Some(id) = tasks.remove(&task)
                    && let Some(error) = failed
                {
                    tracing::error!(queue_id = %id, %error, "queue attempt failed");
                    cooling.insert(id, Instant::now() + shared.settings.poll_interval);
                }
            }
        }
    }
    running.shutdown().await;
}

/// Publishes the worker's steps (see [`Activity`]); answers when they were
/// last written. A failure is logged: only `postamt queue list` misses it.
async fn publish_activity(shared: &Arc<Shared>, mut published_ms: i64) -> i64 {
    let activity = Arc::clone(&shared.activity);
    let dir = shared.spool.dir().to_owned();
    let written = tokio::task::spawn_blocking(move || {
        activity
            .publish(&dir, &mut published_ms)
            .map(|()| published_ms)
    })
    .await;
    match written {
        Ok(Ok(at)) => at,
        Ok(Err(error)) => {
            tracing::debug!(%error, "cannot publish the queue's activity");
            published_ms
        }
        Err(_) => published_ms,
    }
}

/// Forgets the origins of messages queued longer ago than any delivery is
/// retried (twice the queue lifetime), so the table stays small.
async fn forget_origins(shared: &Arc<Shared>) {
    let retention = shared.settings.lifetime.saturating_mul(2);
    let before = now_ms().saturating_sub(i64::try_from(retention.as_millis()).unwrap_or(i64::MAX));
    match blocking(shared.spool.db(), move |db| db.forget_origins(before)).await {
        Ok(forgotten) => tracing::debug!(forgotten, "forgot old queue origins"),
        Err(error) => tracing::warn!(%error, "cannot forget old queue origins"),
    }
}

/// Starts an attempt for every due message not already under way; answers
/// how long to wait for the next one to become due.
async fn pass(
    shared: &Arc<Shared>,
    running: &mut JoinSet<Result<(), QueueError>>,
    tasks: &mut HashMap<tokio::task::Id, QueueId>,
    cooling: &HashMap<QueueId, Instant>,
) -> Result<Duration, QueueError> {
    let now = now_ms();
    let limit = shared.settings.concurrency;
    let (due, next) = blocking(shared.spool.db(), move |db| {
        Ok((db.due(now, limit * 2)?, db.next_due_ms()?))
    })
    .await?;
    let busy: HashSet<QueueId> = tasks.values().copied().collect();
    for id in due {
        if tasks.len() >= limit {
            break;
        }
        if busy.contains(&id) || cooling.contains_key(&id) {
            continue;
        }
        let span = tracing::info_span!("queue", queue_id = %id);
        let handle = running.spawn(attempt::attempt(shared.clone(), id).instrument(span));
        tasks.insert(handle.id(), id);
    }
    let poll = shared.settings.poll_interval;
    Ok(match next {
        Some(at) if at > now => {
            Duration::from_millis(u64::try_from(at - now).unwrap_or(0)).min(poll)
        }
        _ => poll,
    })
}

/// Runs a database call on the blocking pool.
async fn blocking<T: Send + 'static>(
    db: &Arc<QueueDb>,
    f: impl FnOnce(&QueueDb) -> Result<T, QueueError> + Send + 'static,
) -> Result<T, QueueError> {
    let db = db.clone();
    tokio::task::spawn_blocking(move || f(&db))
        .await
        .map_err(|_| QueueError::TaskFailed)?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Directory;
    use crate::queue::{Outcome, RemoteJob, TransportFuture};
    use crate::store::Store;

    struct Unreachable;

    impl RemoteTransport for Unreachable {
        fn deliver(&self, _: RemoteJob) -> TransportFuture<'_> {
            Box::pin(async { Vec::<Outcome>::new() })
        }
    }

    #[tokio::test]
    async fn worker_ends_on_shutdown() {
        let dir = tempfile::tempdir().unwrap();
        let directory = Arc::new(Directory::open(dir.path()).unwrap());
        let delivery = Arc::new(LocalDelivery::new(
            Store::open_maildir(dir.path()),
            directory,
        ));
        let mut settings =
            QueueSettings::from_config(&crate::config::Config::from_toml_str("").unwrap());
        settings.poll_interval = Duration::from_secs(3600);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = QueueWorker::spawn(
            Spool::open(dir.path()).unwrap(),
            delivery,
            Arc::new(Unreachable),
            settings,
            async move {
                let _ = stopped.await;
            },
        );
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), worker)
            .await
            .expect("the worker ends")
            .unwrap();
    }
}
