//! A queue over a temporary data dir: spool, store, directory with
//! example.org (alice, bob), a scripted remote transport, and helpers to
//! submit a message and read a user's mailbox.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mail_parser::{MessageParser, MimeHeaders};
use postamt::auth::{Directory, Password};
use postamt::delivery::LocalDelivery;
use postamt::message::{Section, SectionSpec};
use postamt::queue::{
    BodyType, Envelope, MessageSink, Notify, Outcome, OutcomeKind, QueueId, QueueSettings,
    QueueWorker, Recipient, RemoteJob, RemoteTransport, ReversePath, Spool, TransportFuture,
};
use postamt::store::{AccountId, MailboxName, Store};
use tempfile::TempDir;
use tokio::io::AsyncWriteExt;
use tokio::task::JoinHandle;

/// Answers each attempt with the next scripted kind (then `Delivered`),
/// remembering every job.
#[derive(Default)]
pub struct FakeTransport {
    script: Mutex<VecDeque<Outcome>>,
    pub jobs: Mutex<Vec<RemoteJob>>,
}

impl FakeTransport {
    pub fn then(&self, kind: OutcomeKind, status: &str, diagnostic: &str) {
        self.script.lock().unwrap().push_back(Outcome {
            kind,
            status: status.to_owned(),
            diagnostic: diagnostic.to_owned(),
            remote_mta: Some("dns; mx.remote.test".to_owned()),
        });
    }

    pub fn attempts(&self) -> usize {
        self.jobs.lock().unwrap().len()
    }
}

impl RemoteTransport for FakeTransport {
    fn deliver(&self, job: RemoteJob) -> TransportFuture<'_> {
        let outcome = self.script.lock().unwrap().pop_front().unwrap_or(Outcome {
            kind: OutcomeKind::Delivered,
            status: "2.0.0".to_owned(),
            diagnostic: "smtp; 250 2.0.0 ok".to_owned(),
            remote_mta: Some("dns; mx.remote.test".to_owned()),
        });
        let count = job.recipients.len();
        self.jobs.lock().unwrap().push(job);
        Box::pin(async move { vec![outcome; count] })
    }
}

pub struct Harness {
    pub dir: TempDir,
    pub spool: Arc<Spool>,
    pub store: Store,
    pub directory: Arc<Directory>,
    pub transport: Arc<FakeTransport>,
    pub alice: AccountId,
    pub bob: AccountId,
    pub settings: QueueSettings,
    worker: Option<JoinHandle<()>>,
}

/// Short intervals so retries happen within a test.
pub fn test_settings() -> QueueSettings {
    QueueSettings {
        hostname: "mail.example.org".to_owned(),
        lifetime: Duration::from_secs(3600),
        retry_base: Duration::from_millis(20),
        retry_max: Duration::from_millis(100),
        max_per_domain: 2,
        concurrency: 64,
        delay_warning: None,
        poll_interval: Duration::from_millis(50),
    }
}

impl Harness {
    pub fn new() -> Self {
        Self::with_settings(test_settings())
    }

    pub fn with_settings(settings: QueueSettings) -> Self {
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
        Self {
            dir,
            spool,
            store,
            directory,
            transport: Arc::new(FakeTransport::default()),
            alice,
            bob,
            settings,
            worker: None,
        }
    }

    pub fn delivery(&self) -> Arc<LocalDelivery> {
        Arc::new(LocalDelivery::new(
            self.store.clone(),
            self.directory.clone(),
        ))
    }

    /// Starts (or restarts, over the same data dir) the worker.
    pub fn start(&mut self) {
        self.start_with(self.delivery());
    }

    pub fn start_with(&mut self, delivery: Arc<LocalDelivery>) {
        self.stop();
        self.worker = Some(QueueWorker::spawn(
            self.spool.clone(),
            delivery,
            self.transport.clone(),
            self.settings.clone(),
            std::future::pending(),
        ));
    }

    pub fn stop(&mut self) {
        if let Some(worker) = self.worker.take() {
            worker.abort();
        }
    }

    /// Reopens the spool as a restarted daemon would.
    pub fn reopen_spool(&mut self) {
        self.stop();
        self.spool = Spool::open(self.dir.path()).unwrap();
    }

    pub async fn submit(&self, envelope: Envelope, message: &[u8]) -> QueueId {
        submit(&self.spool, envelope, message).await
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

    pub async fn inbox(&self, account: AccountId) -> Vec<Vec<u8>> {
        self.folder(account, "INBOX").await
    }

    /// Waits (up to 10 s) until the user's INBOX holds `count` messages.
    pub async fn inbox_when(&self, account: AccountId, count: usize) -> Vec<Vec<u8>> {
        for _ in 0..1000 {
            let inbox = self.inbox(account).await;
            if inbox.len() >= count {
                return inbox;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("INBOX did not reach {count} message(s) within 10 s");
    }

    /// Waits (up to 10 s) until the queue is empty.
    pub async fn drained(&self) {
        wait_for(|| self.spool.db().ids().unwrap().is_empty()).await;
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.stop();
    }
}

pub async fn submit(spool: &Spool, envelope: Envelope, message: &[u8]) -> QueueId {
    let mut writer = spool.receive().await.unwrap();
    writer.write_all(message).await.unwrap();
    writer.commit(envelope).await.unwrap()
}

/// Polls `done` until it holds; fails the test after 10 s.
pub async fn wait_for(mut done: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not reached within 10 s");
}

pub fn recipient(address: &str) -> Recipient {
    Recipient {
        address: address.to_owned(),
        orcpt: None,
        notify: Notify::default(),
    }
}

pub fn envelope(from: Option<&str>, to: &[&str]) -> Envelope {
    Envelope {
        mail_from: from.map_or(ReversePath::Null, |a| ReversePath::Address(a.to_owned())),
        recipients: to.iter().map(|a| recipient(a)).collect(),
        body: BodyType::SevenBit,
        smtputf8: false,
        ret: None,
        envid: None,
        submitter: None,
        received_at: 1_700_000_000,
    }
}

pub const MESSAGE: &[u8] =
    b"From: Carol <carol@remote.test>\r\nTo: alice@example.org\r\nSubject: Hello\r\nMessage-ID: <m1@remote.test>\r\n\r\nHi Alice.\r\n";

/// A DSN as a reader sees it: the message's fields and its parts by type.
pub struct Dsn {
    pub from: String,
    pub auto_submitted: String,
    pub report_type: String,
    pub parts: Vec<(String, Vec<u8>)>,
}

impl Dsn {
    pub fn parse(stored: &[u8]) -> Dsn {
        let message = MessageParser::default().parse(stored).unwrap();
        let root = message.root_part();
        let report_type = root
            .content_type()
            .and_then(|ct| ct.attribute("report-type"))
            .unwrap_or_default()
            .to_owned();
        let parts = root
            .sub_parts()
            .unwrap_or_default()
            .iter()
            .map(|&id| {
                let part = message.part(id).unwrap();
                let ct = part.content_type().unwrap();
                let kind = format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default());
                (kind.to_ascii_lowercase(), part.contents().to_vec())
            })
            .collect();
        Dsn {
            from: message
                .header_raw("From")
                .unwrap_or_default()
                .trim()
                .to_owned(),
            auto_submitted: message
                .header_raw("Auto-Submitted")
                .unwrap_or_default()
                .trim()
                .to_owned(),
            report_type,
            parts,
        }
    }

    pub fn part(&self, kind: &str) -> Option<String> {
        self.parts
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, body)| String::from_utf8_lossy(body).into_owned())
    }

    pub fn status(&self) -> String {
        self.part("message/delivery-status")
            .expect("a delivery-status part")
    }
}
