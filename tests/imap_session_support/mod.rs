//! A transcript client for IMAP session tests: sessions run over
//! `tokio::io::duplex` against a store and directory in a temp dir, and a
//! test reads like the session it checks:
//! `c.send("a1 SELECT INBOX"); c.expect_ok("a1")`, `c.expect_code("a2", "TRYCREATE")`.
#![allow(dead_code)] // each test binary uses a different part

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use postamt::auth::{Authenticator, Directory, Password, ThrottleSettings};
use postamt::imap::parser::{Limits, LiteralMode};
use postamt::imap::session::AccountSessions;
use postamt::imap::{Session, SessionContext, SessionSettings};
use postamt::server::{MaybeTls, Shutdown};
use postamt::store::{AccountId, MailboxName, NewMessage, Store};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::io::{ReadHalf, WriteHalf};

pub const USER: &str = "alice@example.test";
pub const PASSWORD: &str = "secret-password";

/// How long a test waits for a line before it fails.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A store and directory with one user, and the settings sessions get.
pub struct Fixture {
    _dir: tempfile::TempDir,
    pub store: Store,
    pub account: AccountId,
    pub directory: Arc<Directory>,
    pub context: SessionContext,
    pub settings: SessionSettings,
}

pub fn limits() -> Limits {
    Limits {
        max_line: 8192,
        max_literal: 64 * 1024,
        max_message: 1024 * 1024,
        literal_mode: LiteralMode::Plus,
    }
}

pub async fn fixture() -> Fixture {
    fixture_with_sessions(AccountSessions::DEFAULT_MAX).await
}

pub async fn fixture_with_sessions(max_sessions: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let directory = Directory::open(dir.path()).unwrap();
    directory.add_domain("example.test").unwrap();
    let user = directory.add_user(USER, &Password::new(PASSWORD)).unwrap();
    let store = Store::open_maildir(dir.path());
    store.create_account(user.id).await.unwrap();
    let directory = Arc::new(directory);
    let authenticator = Arc::new(Authenticator::new(
        Arc::clone(&directory),
        ThrottleSettings::default(),
    ));
    let context = SessionContext {
        store: store.clone(),
        authenticator,
        sessions: Arc::new(AccountSessions::new(max_sessions)),
        training: None,
    };
    let peer: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let settings = SessionSettings {
        limits: limits(),
        idle_timeout: Duration::from_secs(60),
        peer,
        starttls: None,
        plaintext_auth: true,
    };
    Fixture {
        _dir: dir,
        store,
        account: user.id,
        directory,
        context,
        settings,
    }
}

impl Fixture {
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// A session with this fixture's settings; the greeting is read.
    pub async fn connect(&self) -> Client {
        self.connect_with(self.settings.clone()).await
    }

    pub async fn connect_with(&self, settings: SessionSettings) -> Client {
        let (client, server) = tokio::io::duplex(1 << 20);
        let session = Session::new(
            MaybeTls::Plain(server),
            self.context.clone(),
            settings,
            Shutdown::never(),
        );
        tokio::spawn(session.run());
        let (read, write) = tokio::io::split(client);
        let mut client = Client {
            reader: BufReader::new(read),
            writer: write,
            greeting: String::new(),
        };
        client.greeting = client.line().await;
        client
    }

    /// A logged-in session.
    pub async fn login(&self) -> Client {
        let mut c = self.connect().await;
        c.send(&format!("l1 LOGIN {USER} {PASSWORD}")).await;
        c.expect_ok("l1").await;
        c
    }

    /// A logged-in session with `mailbox` selected.
    pub async fn select(&self, mailbox: &str) -> Client {
        let mut c = self.login().await;
        c.send(&format!("s1 SELECT {mailbox}")).await;
        c.expect_ok("s1").await;
        c
    }

    /// Delivers messages straight into the store (as SMTP delivery would).
    pub async fn deliver(&self, mailbox: &str, messages: &[&[u8]]) {
        let name = MailboxName::new(mailbox).unwrap();
        let messages = messages
            .iter()
            .map(|m| NewMessage::from_bytes(m.to_vec()))
            .collect();
        self.store
            .append(self.account, &name, messages, None)
            .await
            .unwrap();
    }
}

pub fn message(n: usize) -> Vec<u8> {
    format!(
        "From: bob@example.test\r\nSubject: test {n}\r\nTo: alice@example.test\r\n\r\nbody {n}\r\n"
    )
    .into_bytes()
}

/// The client side of one session.
pub struct Client {
    reader: BufReader<ReadHalf<DuplexStream>>,
    writer: WriteHalf<DuplexStream>,
    pub greeting: String,
}

/// A tagged completion and the untagged lines before it.
#[derive(Debug)]
pub struct Transcript {
    pub untagged: Vec<String>,
    pub tagged: String,
}

impl Transcript {
    /// Whether an untagged response contains `text`.
    pub fn has(&self, text: &str) -> bool {
        self.untagged.iter().any(|l| l.contains(text))
    }
}

impl Client {
    /// Sends one line; CRLF is added.
    pub async fn send(&mut self, line: &str) {
        self.send_raw(format!("{line}\r\n").as_bytes()).await;
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    /// One response line with its literals inline (a literal's octets
    /// follow its `{n}` marker), CRLF removed.
    pub async fn line(&mut self) -> String {
        tokio::time::timeout(READ_TIMEOUT, self.read_line())
            .await
            .expect("no response within the timeout")
    }

    async fn read_line(&mut self) -> String {
        let mut out = Vec::new();
        loop {
            let mut line = Vec::new();
            let n = self.reader.read_until(b'\n', &mut line).await.unwrap();
            assert!(
                n > 0,
                "connection closed; got so far: {:?}",
                String::from_utf8_lossy(&out)
            );
            let line = line.strip_suffix(b"\r\n").unwrap_or(&line).to_vec();
            out.extend_from_slice(&line);
            let Some(size) = literal_size(&line) else {
                return String::from_utf8_lossy(&out).into_owned();
            };
            let mut literal = vec![0; size];
            self.reader.read_exact(&mut literal).await.unwrap();
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&literal);
        }
    }

    /// Whether the server closed the connection (reads to the end).
    pub async fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(READ_TIMEOUT, self.reader.read_to_end(&mut rest)).await;
        matches!(read, Ok(Ok(_)))
    }

    /// Reads to the tagged response of `tag`.
    pub async fn response(&mut self, tag: &str) -> Transcript {
        let mut untagged = Vec::new();
        loop {
            let line = self.line().await;
            if line.starts_with(&format!("{tag} ")) {
                return Transcript {
                    untagged,
                    tagged: line,
                };
            }
            untagged.push(line);
        }
    }

    pub async fn expect(&mut self, tag: &str, condition: &str) -> Transcript {
        let t = self.response(tag).await;
        assert!(
            t.tagged.starts_with(&format!("{tag} {condition}")),
            "expected {condition}, got {:?} after {:?}",
            t.tagged,
            t.untagged
        );
        t
    }

    pub async fn expect_ok(&mut self, tag: &str) -> Transcript {
        self.expect(tag, "OK").await
    }

    pub async fn expect_no(&mut self, tag: &str) -> Transcript {
        self.expect(tag, "NO").await
    }

    pub async fn expect_bad(&mut self, tag: &str) -> Transcript {
        self.expect(tag, "BAD").await
    }

    /// A tagged response (any condition) carrying `[code ...]`.
    pub async fn expect_code(&mut self, tag: &str, code: &str) -> Transcript {
        let t = self.response(tag).await;
        assert!(
            t.tagged.contains(&format!("[{code}")),
            "expected [{code}], got {:?}",
            t.tagged
        );
        t
    }
}

fn literal_size(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = body.get(open + 1..)?;
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    std::str::from_utf8(digits).ok()?.parse().ok()
}
