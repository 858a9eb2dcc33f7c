//! The mail system behind the protocols: the spool SMTP accepts into, the local delivery
//! pipeline with its stages and actions, and the background tasks that run beside the
//! sessions (the queue worker, Trash expiry) until shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use postamt::auth::Directory;
use postamt::config::Config;
use postamt::delivery::{DeliveryActions, DeliverySettings, LocalDelivery, Srs, TrashExpiry};
use postamt::outbound::{OutboundSettings, OutboundTransport};
use postamt::queue::{QueueSettings, QueueWorker, RemoteTransport, Spool};
use postamt::server::Shutdown;
use postamt::store::Store;
use tokio::task::JoinHandle;

use super::super::failure::{Exit, Failure};

/// How long shutdown waits for the background tasks to record what they cut short.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// What is opened before the listeners are bound.
pub struct MailSystem {
    pub spool: Arc<Spool>,
    /// Decodes our SRS addresses, when forwards are rewritten with SRS.
    pub srs: Option<Arc<Srs>>,
    actions: Arc<DeliveryActions>,
    delivery: Arc<LocalDelivery>,
    settings: DeliverySettings,
    store: Store,
    directory: Arc<Directory>,
}

impl MailSystem {
    /// Opens the spool (finishing what a crash left, before any client is answered) and
    /// the delivery state.
    pub fn open(config: &Config, store: Store, directory: Arc<Directory>) -> Result<Self, Failure> {
        let data_dir = &config.server.data_dir;
        let io = |what: &str, e: &dyn std::fmt::Display| {
            Failure::new(Exit::IoErr, anyhow!("cannot open {what}: {e}"))
        };
        let spool = Spool::open(data_dir).map_err(|e| io("the queue", &e))?;
        let settings = DeliverySettings::from_config(config);
        let srs = if settings.srs {
            let srs =
                Srs::open(data_dir, &settings.hostname).map_err(|e| io("the SRS secret", &e))?;
            Some(Arc::new(srs))
        } else {
            None
        };
        let actions = DeliveryActions::open(data_dir, Arc::clone(&spool), settings.clone())
            .map_err(|e| io("the delivery state", &e))?;
        let actions = Arc::new(actions);
        let delivery = LocalDelivery::new(store.clone(), Arc::clone(&directory))
            .with_actions(Arc::clone(&actions));
        Ok(Self {
            spool,
            srs,
            actions,
            delivery: Arc::new(delivery),
            settings,
            store,
            directory,
        })
    }

    /// Starts the queue worker and Trash expiry; they end when `shutdown` fires.
    pub fn start(self, config: &Config, shutdown: &Shutdown) -> Result<BackgroundTasks, Failure> {
        let outbound = OutboundSettings::from_config(config)
            .and_then(OutboundTransport::new)
            .map_err(|e| Failure::new(Exit::Config, anyhow!("outbound delivery: {e}")))?;
        let transport: Arc<dyn RemoteTransport> = Arc::new(outbound);
        let queue = QueueWorker::spawn(
            self.spool,
            self.delivery,
            transport,
            QueueSettings::from_config(config),
            stopped(shutdown),
        );
        let trash = TrashExpiry::spawn(
            self.store,
            self.directory,
            Arc::clone(self.actions.state()),
            self.settings,
            stopped(shutdown),
        );
        Ok(BackgroundTasks(vec![queue, trash]))
    }
}

fn stopped(shutdown: &Shutdown) -> impl Future<Output = ()> + Send + 'static {
    let shutdown = shutdown.clone();
    async move { shutdown.requested().await }
}

/// The tasks beside the sessions.
pub struct BackgroundTasks(Vec<JoinHandle<()>>);

impl BackgroundTasks {
    /// Waits, after shutdown was requested, for the tasks to end.
    pub async fn finish(self) {
        let all = async {
            for task in self.0 {
                let _ = task.await;
            }
        };
        if tokio::time::timeout(STOP_GRACE, all).await.is_err() {
            tracing::warn!("background tasks did not stop in time; they resume at the next start");
        }
    }
}
