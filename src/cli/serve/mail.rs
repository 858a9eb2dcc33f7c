//! The mail system behind the protocols: the spool SMTP accepts into, the local delivery
//! pipeline with its stages (anti-spam, then Sieve) and actions, and the background tasks that
//! run beside the sessions (the queue worker, Trash expiry, learning from read mail) until
//! shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use postamt::antispam::{AntispamStage, Classifier, ImapTraining, SenderAuthenticator};
use postamt::auth::Directory;
use postamt::config::Config;
use postamt::delivery::{DeliveryActions, DeliverySettings, LocalDelivery, Srs, TrashExpiry};
use postamt::dkim::DkimSigner;
use postamt::dns::Resolver;
use postamt::outbound::{OutboundSettings, OutboundTransport};
use postamt::queue::{QueueSettings, QueueWorker, RemoteTransport, Spool};
use postamt::scripts::ScriptStorage;
use postamt::server::Shutdown;
use postamt::sieve::{Limits, SieveStage};
use postamt::smtp::InboundCheck;
use postamt::store::Store;
use tokio::task::JoinHandle;

use super::super::failure::{Exit, Failure};

/// How long shutdown waits for the background tasks to record what they cut short.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// How often read mail that stayed where it was is learnt as ham.
const HAM_LEARNING_INTERVAL: Duration = Duration::from_secs(3600);

/// What is opened before the listeners are bound.
pub struct MailSystem {
    pub spool: Arc<Spool>,
    /// Decodes our SRS addresses, when forwards are rewritten with SRS.
    pub srs: Option<Arc<Srs>>,
    /// Trains the anti-spam models from what users do over IMAP.
    pub training: Arc<ImapTraining>,
    /// Users' Sieve scripts and settings: ManageSieve edits them, delivery runs them.
    pub scripts: Arc<ScriptStorage>,
    /// The anti-spam check SMTP runs on port 25 before it accepts a message,
    /// when `reject_at_smtp` or `dmarc_reject` asks for one.
    pub inbound_check: Option<Arc<dyn InboundCheck>>,
    /// Signs submitted mail and automatic replies from domains with keys.
    pub dkim: Arc<DkimSigner>,
    /// Every DNS question of the daemon, with one answer cache.
    resolver: Arc<Resolver>,
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
        let resolver = Arc::new(Resolver::from_config(&config.dns));
        let settings = DeliverySettings::from_config(config);
        let srs = if settings.srs {
            let srs =
                Srs::open(data_dir, &settings.hostname).map_err(|e| io("the SRS secret", &e))?;
            Some(Arc::new(srs))
        } else {
            None
        };
        let dkim = Arc::new(DkimSigner::new(data_dir));
        let actions = DeliveryActions::open(data_dir, Arc::clone(&spool), settings.clone())
            .map_err(|e| io("the delivery state", &e))?
            .with_dkim(Arc::clone(&dkim));
        let actions = Arc::new(actions);
        let classifier = Arc::new(Classifier::open(data_dir));
        let training = ImapTraining::open(
            data_dir,
            store.clone(),
            Arc::clone(&classifier),
            &config.antispam,
        )
        .map_err(|e| io("the anti-spam training state", &e))?;
        let mut antispam = AntispamStage::new(classifier, config.antispam.clone());
        let lists = !config.antispam.dnsbl.is_empty() || !config.antispam.uribl.is_empty();
        if config.antispam.authentication || lists {
            let checker = SenderAuthenticator::new(&config.server.hostname, Arc::clone(&resolver));
            let checker = Arc::new(checker);
            // One resolver and answer cache for authentication and blocklists.
            antispam = antispam
                .with_authenticator(Arc::clone(&checker))
                .with_dns_lists(checker);
        }
        let inbound_check = antispam.inbound_check();
        let scripts = ScriptStorage::open(data_dir, Arc::clone(&directory))
            .map_err(|e| io("the Sieve scripts", &e))?;
        let scripts = Arc::new(scripts);
        let sieve = SieveStage::new(
            Arc::clone(&scripts) as Arc<dyn postamt::delivery::ScriptStore>,
            store.clone(),
            Limits::from(&config.sieve),
        )
        .with_host_name(&config.server.hostname)
        .with_duplicates(Arc::clone(actions.state()));
        // DESIGN.md's order: the anti-spam verdict is there for Sieve's spamtest.
        let delivery = LocalDelivery::new(store.clone(), Arc::clone(&directory))
            .with_actions(Arc::clone(&actions))
            .with_stage(antispam)
            .with_stage(sieve);
        Ok(Self {
            spool,
            srs,
            training: Arc::new(training),
            scripts,
            inbound_check,
            dkim,
            resolver,
            actions,
            delivery: Arc::new(delivery),
            settings,
            store,
            directory,
        })
    }

    /// Starts the queue worker and Trash expiry; they end when `shutdown` fires.
    pub fn start(self, config: &Config, shutdown: &Shutdown) -> Result<BackgroundTasks, Failure> {
        let outbound = OutboundSettings::from_config(config, &self.resolver)
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
        let ham = tokio::spawn(learn_read_ham(Arc::clone(&self.training), shutdown.clone()));
        Ok(BackgroundTasks(vec![queue, trash, ham]))
    }
}

/// Learns read mail that stayed in its folder as ham, hourly, until shutdown.
async fn learn_read_ham(training: Arc<ImapTraining>, shutdown: Shutdown) {
    let mut tick = tokio::time::interval(HAM_LEARNING_INTERVAL);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = shutdown.requested() => return,
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        match training.learn_read_ham(now).await {
            Ok(0) => {}
            Ok(learnt) => tracing::info!(learnt, "read mail learnt as ham"),
            Err(error) => tracing::warn!(%error, "learning read mail as ham failed"),
        }
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
