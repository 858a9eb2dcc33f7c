//! A transcript client for SMTP session tests: sessions run over
//! `tokio::io::duplex` against a directory and store in a temp dir and an
//! in-memory spool, and a test reads like the dialogue it checks:
//! `c.send("RCPT TO:<bob@example.test>"); c.expect("550 5.1.1").await`.
#![allow(dead_code)] // each test binary uses a different part

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine;
use postamt::auth::{Authenticator, Directory, Password, ThrottleSettings};
use postamt::config::SmtpSection;
use postamt::queue::{Envelope, MessageSink, QueueId, SinkFuture, SpoolError, SpoolWriter};
use postamt::server::{MaybeTls, Shutdown};
use postamt::smtp::rate::SubmissionRate;
use postamt::smtp::{Role, Session, SessionContext, SessionSettings};
use postamt::store::{MailboxName, NewMessage, Store};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

pub const ALICE: &str = "alice@example.test";
pub const PASSWORD: &str = "secret-password";

const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// One committed message.
#[derive(Debug, Clone)]
pub struct Committed {
    pub envelope: Envelope,
    pub message: Vec<u8>,
}

impl Committed {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.message).into_owned()
    }
}

/// A spool in memory: records what is committed.
#[derive(Default)]
pub struct MemorySink {
    pub committed: Arc<Mutex<Vec<Committed>>>,
    /// Writers handed out, committed or not.
    pub started: Arc<Mutex<u32>>,
    /// Writers dropped without a commit.
    pub dropped: Arc<Mutex<u32>>,
}

impl MemorySink {
    /// Waits until `count` writers were dropped uncommitted.
    pub async fn wait_for_drops(&self, count: u32) {
        let wait = async {
            while *self.dropped.lock().unwrap() < count {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        tokio::time::timeout(READ_TIMEOUT, wait)
            .await
            .expect("the writer was not dropped");
    }
}

struct MemoryWriter {
    bytes: Vec<u8>,
    committed: Arc<Mutex<Vec<Committed>>>,
    dropped: Option<Arc<Mutex<u32>>>,
}

impl Drop for MemoryWriter {
    fn drop(&mut self) {
        if let Some(dropped) = &self.dropped {
            *dropped.lock().unwrap() += 1;
        }
    }
}

impl AsyncWrite for MemoryWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().bytes.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl SpoolWriter for MemoryWriter {
    fn written(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn commit(mut self: Box<Self>, envelope: Envelope) -> SinkFuture<'static, QueueId> {
        self.dropped = None;
        Box::pin(async move {
            let mut committed = self.committed.lock().unwrap();
            committed.push(Committed {
                envelope,
                message: std::mem::take(&mut self.bytes),
            });
            Ok(QueueId(committed.len() as u64))
        })
    }
}

impl MessageSink for MemorySink {
    fn receive(&self) -> SinkFuture<'_, Box<dyn SpoolWriter>> {
        *self.started.lock().unwrap() += 1;
        let committed = Arc::clone(&self.committed);
        let dropped = Some(Arc::clone(&self.dropped));
        Box::pin(async move {
            Ok(Box::new(MemoryWriter {
                bytes: Vec::new(),
                committed,
                dropped,
            }) as Box<dyn SpoolWriter>)
        })
    }
}

/// A spool whose commit fails: the disk went away after the data.
pub struct FailingCommitSink;

struct FailingWriter;

impl AsyncWrite for FailingWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl SpoolWriter for FailingWriter {
    fn written(&self) -> u64 {
        0
    }

    fn commit(self: Box<Self>, _: Envelope) -> SinkFuture<'static, QueueId> {
        Box::pin(async { Err(SpoolError::Io(io::ErrorKind::StorageFull.into())) })
    }
}

impl MessageSink for FailingCommitSink {
    fn receive(&self) -> SinkFuture<'_, Box<dyn SpoolWriter>> {
        Box::pin(async { Ok(Box::new(FailingWriter) as Box<dyn SpoolWriter>) })
    }
}

/// A spool that is always full.
pub struct FullSink;

impl MessageSink for FullSink {
    fn receive(&self) -> SinkFuture<'_, Box<dyn SpoolWriter>> {
        Box::pin(async { Err(SpoolError::Full) })
    }
}

/// A directory with users, a store and a spool.
///
/// - alice@example.test (password [`PASSWORD`]), alias sales@example.test;
/// - bob@example.test; carol@example.test, disabled;
/// - dave@example.test, over his 10-byte quota.
pub struct Fixture {
    dir: tempfile::TempDir,
    pub store: Store,
    pub directory: Arc<Directory>,
    pub sink: Arc<MemorySink>,
    pub context: SessionContext,
}

pub async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let directory = Directory::open(dir.path()).unwrap();
    directory.add_domain("example.test").unwrap();
    let store = Store::open_maildir(dir.path());
    for login in ["alice", "bob", "carol", "dave"] {
        let user = directory
            .add_user(&format!("{login}@example.test"), &Password::new(PASSWORD))
            .unwrap();
        store.create_account(user.id).await.unwrap();
    }
    directory.add_alias("sales@example.test", &[ALICE]).unwrap();
    directory.set_enabled("carol@example.test", false).unwrap();
    directory.set_quota("dave@example.test", Some(10)).unwrap();
    let dave = directory.user("dave@example.test").unwrap().unwrap();
    store
        .append(
            dave.id,
            &MailboxName::new("INBOX").unwrap(),
            vec![NewMessage::from_bytes(
                b"Subject: fills the quota\r\n\r\nmore than ten bytes\r\n".to_vec(),
            )],
            None,
        )
        .await
        .unwrap();
    let directory = Arc::new(directory);
    let authenticator = Arc::new(Authenticator::new(
        Arc::clone(&directory),
        ThrottleSettings::default(),
    ));
    let sink = Arc::new(MemorySink::default());
    let context = SessionContext {
        store: store.clone(),
        authenticator,
        sink: Arc::clone(&sink) as Arc<dyn MessageSink>,
        rate: Arc::new(SubmissionRate::default()),
        srs: None,
        dkim: None,
        inbound_check: None,
    };
    Fixture {
        dir,
        store,
        directory,
        sink,
        context,
    }
}

pub fn settings(role: Role) -> SessionSettings {
    SessionSettings {
        role,
        hostname: "mx.example.test".to_owned(),
        peer: "127.0.0.1:40000".parse::<SocketAddr>().unwrap(),
        session_id: "0123456789ab".to_owned(),
        idle_timeout: Duration::from_secs(60),
        starttls: None,
        plaintext_auth: true,
        message_size: 100_000,
        smtp: SmtpSection::default(),
    }
}

impl Fixture {
    pub fn committed(&self) -> Vec<Committed> {
        self.sink.committed.lock().unwrap().clone()
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// A session with `settings`, the greeting read.
    pub async fn connect(&self, settings: SessionSettings) -> Client {
        self.connect_to(Arc::clone(&self.context.sink), settings)
            .await
    }

    /// A session handing its messages to `sink`.
    pub async fn connect_to(
        &self,
        sink: Arc<dyn MessageSink>,
        settings: SessionSettings,
    ) -> Client {
        let context = SessionContext {
            sink,
            ..self.context.clone()
        };
        let (client, server) = tokio::io::duplex(1 << 20);
        let session = Session::new(
            MaybeTls::Plain(server),
            context,
            settings,
            Shutdown::never(),
        );
        tokio::spawn(session.run());
        let mut client = Client::new(client);
        client.expect("220 ").await;
        client
    }

    /// An inbound session after EHLO.
    pub async fn inbound(&self) -> Client {
        let mut c = self.connect(settings(Role::Inbound)).await;
        c.ehlo().await;
        c
    }

    /// A submission session logged in as alice (plaintext on loopback).
    pub async fn submission(&self) -> Client {
        let mut c = self.connect(settings(Role::Submission)).await;
        c.ehlo().await;
        c.auth_plain(ALICE, PASSWORD).await;
        c.expect("235 2.7.0").await;
        c
    }
}

pub fn plain_response(user: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"))
}

pub fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// The client side of a session over any stream.
pub struct Client<S = tokio::io::DuplexStream> {
    pub stream: BufReader<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    pub fn new(stream: S) -> Self {
        Self {
            stream: BufReader::new(stream),
        }
    }

    /// Sends one line; CRLF is added.
    pub async fn send(&mut self, line: &str) {
        self.send_raw(format!("{line}\r\n").as_bytes()).await;
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.get_mut().write_all(bytes).await.unwrap();
        self.stream.get_mut().flush().await.unwrap();
    }

    /// One whole reply (every line of a multiline one), CRLFs kept.
    pub async fn reply(&mut self) -> String {
        tokio::time::timeout(READ_TIMEOUT, self.read_reply())
            .await
            .expect("no reply within the timeout")
    }

    async fn read_reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            let n = self.stream.read_line(&mut line).await.unwrap();
            assert!(n > 0, "connection closed; got so far: {reply:?}");
            reply.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return reply;
            }
        }
    }

    /// Reads one reply and checks that its last line starts with `start`.
    pub async fn expect(&mut self, start: &str) -> String {
        let reply = self.reply().await;
        let last = reply.lines().last().unwrap_or_default();
        assert!(last.starts_with(start), "expected {start:?}, got {reply:?}");
        reply
    }

    /// Whether the server closed the connection (after any pending reply).
    pub async fn closed(&mut self) -> bool {
        let mut line = String::new();
        matches!(
            tokio::time::timeout(READ_TIMEOUT, self.stream.read_line(&mut line)).await,
            Ok(Ok(0))
        )
    }

    pub async fn ehlo(&mut self) -> String {
        self.send("EHLO client.example.org").await;
        self.expect("250 ").await
    }

    pub async fn auth_plain(&mut self, user: &str, password: &str) {
        self.send(&format!("AUTH PLAIN {}", plain_response(user, password)))
            .await;
    }

    /// MAIL, RCPT, DATA and the message, checking each intermediate reply;
    /// returns the final reply.
    /// MAIL, RCPT and DATA, each accepted: the client may send the data.
    pub async fn start_data(&mut self, from: &str, to: &str) {
        self.send(&format!("MAIL FROM:<{from}>")).await;
        self.expect("250 2.1.0").await;
        self.send(&format!("RCPT TO:<{to}>")).await;
        self.expect("250 2.1.5").await;
        self.send("DATA").await;
        self.expect("354 ").await;
    }

    pub async fn transaction(&mut self, from: &str, to: &str, message: &str) -> String {
        self.start_data(from, to).await;
        self.send_raw(message.as_bytes()).await;
        self.send_raw(b".\r\n").await;
        self.reply().await
    }
}

pub fn simple_message(from: &str) -> String {
    format!("From: {from}\r\nTo: bob@example.test\r\nSubject: hello\r\n\r\nHi Bob.\r\n")
}
