//! A delivery pipeline over a temporary data dir: directory with
//! example.org (alice, bob), store, spool and delivery actions (SRS on,
//! host mail.example.org), a stage that sets the disposition as a test
//! says, and helpers to deliver, read folders and read the queue.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use postamt::auth::{Directory, Password, Resolution};
use postamt::delivery::{
    DeliveryActions, DeliveryInfo, DeliverySettings, Disposition, LocalDelivery, LocalRequest,
    Stage, StageFuture, Verdict,
};
use postamt::message::{Section, SectionSpec};
use postamt::queue::{Outcome, QueueId, QueuedMessage, ReversePath, Spool};
use postamt::store::{AccountId, MailboxName, Store};
use tempfile::TempDir;

pub type Decide = dyn Fn(&DeliveryInfo<'_>, &mut Disposition) + Send + Sync;

/// Sets the disposition fields directly, as Sieve would.
pub struct SetStage(pub Arc<Decide>);

impl Stage for SetStage {
    fn name(&self) -> &str {
        "test"
    }

    fn run<'a>(
        &'a self,
        delivery: &'a DeliveryInfo<'a>,
        disposition: &'a mut Disposition,
    ) -> StageFuture<'a> {
        (self.0)(delivery, disposition);
        Box::pin(async { Ok(Verdict::Continue) })
    }
}

pub fn settings() -> DeliverySettings {
    DeliverySettings {
        hostname: "mail.example.org".to_owned(),
        trash_retention: Some(std::time::Duration::from_secs(7 * 24 * 3600)),
        max_hops: 10,
        srs: true,
        vacation_retention: std::time::Duration::from_secs(365 * 24 * 3600),
    }
}

pub struct Env {
    pub dir: TempDir,
    pub directory: Arc<Directory>,
    pub store: Store,
    pub spool: Arc<Spool>,
    pub actions: Arc<DeliveryActions>,
    pub alice: AccountId,
    pub bob: AccountId,
    next_id: std::sync::atomic::AtomicU64,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let directory = Arc::new(Directory::open(dir.path()).unwrap());
        directory.add_domain("example.org").unwrap();
        let password = Password::new("pw");
        let alice = directory
            .add_user("alice@example.org", &password)
            .unwrap()
            .id;
        let bob = directory.add_user("bob@example.org", &password).unwrap().id;
        let store = Store::open_maildir(dir.path());
        let spool = Spool::open(dir.path()).unwrap();
        let actions =
            Arc::new(DeliveryActions::open(dir.path(), spool.clone(), settings()).unwrap());
        Env {
            dir,
            directory,
            store,
            spool,
            actions,
            alice,
            bob,
            next_id: std::sync::atomic::AtomicU64::new(1),
        }
    }

    /// A pipeline whose only stage is `decide`.
    pub fn pipeline(
        &self,
        decide: impl Fn(&DeliveryInfo<'_>, &mut Disposition) + Send + Sync + 'static,
    ) -> LocalDelivery {
        LocalDelivery::new(self.store.clone(), self.directory.clone())
            .with_actions(self.actions.clone())
            .with_stage(SetStage(Arc::new(decide)))
    }

    /// Writes `message` to a file, as the spool would hold it.
    pub fn message_file(&self, message: &[u8]) -> PathBuf {
        let n = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = self.dir.path().join(format!("incoming-{n}"));
        std::fs::write(&path, message).unwrap();
        path
    }

    /// Delivers `message` from `sender` to `recipient` as queue message
    /// `queue_id`.
    pub async fn deliver(
        &self,
        pipeline: &LocalDelivery,
        queue_id: u64,
        sender: Option<&str>,
        recipient: &str,
        message: &[u8],
    ) -> Outcome {
        let path = self.message_file(message);
        let sender = sender.map_or(ReversePath::Null, |s| ReversePath::Address(s.to_owned()));
        let Resolution::Local(targets) = pipeline.resolve(recipient).await.unwrap() else {
            panic!("{recipient} is not local");
        };
        let request = LocalRequest {
            queue_id: QueueId(queue_id),
            index: 0,
            sender: &sender,
            recipient,
            message: &path,
            size: message.len() as u64,
            progress: &|_| {},
        };
        pipeline.deliver(&request, &targets).await
    }

    /// The messages in a user's folder, oldest first.
    pub async fn folder(&self, account: AccountId, folder: &str) -> Vec<Vec<u8>> {
        let name = MailboxName::new(folder).unwrap();
        let Ok(info) = self.store.mailbox(account, &name).await else {
            return Vec::new();
        };
        let snapshot = self.store.snapshot(account, info.id).await.unwrap();
        let mut messages = Vec::new();
        for summary in snapshot.messages {
            let section = Section {
                path: Vec::new(),
                spec: SectionSpec::Full,
            };
            let stream = self
                .store
                .open_message(account, info.id, summary.uid, section, None)
                .await
                .unwrap();
            messages.push(stream.into_bytes().await.unwrap());
        }
        messages
    }

    /// Every queued message with its octets.
    pub fn queued(&self) -> Vec<(QueuedMessage, Vec<u8>)> {
        self.spool
            .db()
            .list()
            .unwrap()
            .into_iter()
            .map(|message| {
                let octets = std::fs::read(self.spool.message_path(message.id)).unwrap();
                (message, octets)
            })
            .collect()
    }
}

pub const MESSAGE: &[u8] = b"From: Carol <carol@remote.test>\r\nTo: alice@example.org\r\nSubject: Hello\r\nMessage-ID: <m1@remote.test>\r\n\r\nHi Alice.\r\n";

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}
