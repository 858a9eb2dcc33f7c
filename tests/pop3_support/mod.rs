//! A transcript client for POP3 session tests: sessions run over
//! `tokio::io::duplex` against a store and directory in a temp dir, and a
//! test reads like the session it checks:
//! `c.send("DELE 1"); c.ok()`, `c.err_code("IN-USE")`.
#![allow(dead_code)] // each test binary uses a different part

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use postamt::auth::{Authenticator, Directory, Password, ThrottleSettings};
use postamt::config::Pop3Section;
use postamt::pop3::lock::Maildrops;
use postamt::pop3::{Session, SessionContext, SessionSettings};
use postamt::server::{MaybeTls, Shutdown};
use postamt::store::{AccountId, MailboxName, NewMessage, Store, Uid};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::io::{ReadHalf, WriteHalf};

pub const USER: &str = "alice@example.test";
pub const PASSWORD: &str = "secret-password";

/// How long a test waits for a line before it fails.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A store and directory with one user, and the settings sessions get.
pub struct Fixture {
    dir: tempfile::TempDir,
    pub store: Store,
    pub account: AccountId,
    pub directory: Arc<Directory>,
    context: SessionContext,
    pub settings: SessionSettings,
}

pub async fn fixture() -> Fixture {
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
        maildrops: Arc::new(Maildrops::default()),
    };
    let peer: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let settings = SessionSettings {
        idle_timeout: Duration::from_secs(60),
        peer,
        starttls: None,
        plaintext_auth: true,
        pop3: Pop3Section::default(),
    };
    Fixture {
        dir,
        store,
        account: user.id,
        directory,
        context,
        settings,
    }
}

impl Fixture {
    pub fn data_dir(&self) -> &std::path::Path {
        self.dir.path()
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

    /// A session in the TRANSACTION state.
    pub async fn login(&self) -> Client {
        let mut c = self.connect().await;
        c.send(&format!("USER {USER}")).await;
        c.ok().await;
        c.send(&format!("PASS {PASSWORD}")).await;
        c.ok().await;
        c
    }

    /// Delivers messages straight into a mailbox (as SMTP delivery would).
    pub async fn deliver(&self, mailbox: &str, messages: &[&[u8]]) -> Vec<Uid> {
        let name = MailboxName::new(mailbox).unwrap();
        let messages = messages
            .iter()
            .map(|m| NewMessage::from_bytes(m.to_vec()))
            .collect();
        self.store
            .append(self.account, &name, messages, None)
            .await
            .unwrap()
            .uids
    }

    /// How many messages `mailbox` holds now.
    pub async fn count(&self, mailbox: &str) -> usize {
        let name = MailboxName::new(mailbox).unwrap();
        let id = self.store.mailbox(self.account, &name).await.unwrap().id;
        self.store
            .snapshot(self.account, id)
            .await
            .unwrap()
            .messages
            .len()
    }

    /// The flags of every message of `mailbox`, in UID order, as IMAP names them.
    pub async fn flags(&self, mailbox: &str) -> Vec<Vec<String>> {
        let name = MailboxName::new(mailbox).unwrap();
        let id = self.store.mailbox(self.account, &name).await.unwrap().id;
        let snapshot = self.store.snapshot(self.account, id).await.unwrap();
        snapshot
            .messages
            .iter()
            .map(|m| m.flags.system().map(|f| f.as_imap().to_owned()).collect())
            .collect()
    }
}

/// A message with CRLF line endings, as SMTP and IMAP deliver them.
pub fn message(n: usize) -> Vec<u8> {
    format!(
        "From: bob@example.test\r\nSubject: test {n}\r\nTo: alice@example.test\r\n\r\nbody {n}\r\nline two\r\n"
    )
    .into_bytes()
}

/// The client side of one session.
pub struct Client {
    reader: BufReader<ReadHalf<DuplexStream>>,
    writer: WriteHalf<DuplexStream>,
    pub greeting: String,
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

    /// One response line, CRLF removed (which it must have).
    pub async fn line(&mut self) -> String {
        let line = tokio::time::timeout(READ_TIMEOUT, self.raw_line())
            .await
            .expect("no response within the timeout");
        let text = line
            .strip_suffix(b"\r\n")
            .unwrap_or_else(|| panic!("line without CRLF: {line:?}"));
        String::from_utf8_lossy(text).into_owned()
    }

    async fn raw_line(&mut self) -> Vec<u8> {
        let mut line = Vec::new();
        let n = self.reader.read_until(b'\n', &mut line).await.unwrap();
        assert!(n > 0, "connection closed");
        line
    }

    /// Expects `+OK`; returns the line.
    pub async fn ok(&mut self) -> String {
        let line = self.line().await;
        assert!(line.starts_with("+OK"), "expected +OK, got {line:?}");
        line
    }

    /// Expects `-ERR`; returns the line.
    pub async fn err(&mut self) -> String {
        let line = self.line().await;
        assert!(line.starts_with("-ERR"), "expected -ERR, got {line:?}");
        line
    }

    /// Expects `-ERR [code]`.
    pub async fn err_code(&mut self, code: &str) -> String {
        let line = self.line().await;
        assert!(
            line.starts_with(&format!("-ERR [{code}]")),
            "expected -ERR [{code}], got {line:?}"
        );
        line
    }

    /// Expects `+OK` and a multi-line body; returns the lines, unstuffed.
    pub async fn multiline(&mut self) -> Vec<String> {
        self.ok().await;
        let body = self.body().await;
        String::from_utf8_lossy(&body)
            .split_terminator("\r\n")
            .map(str::to_owned)
            .collect()
    }

    /// The octets of a multi-line body up to the terminator, unstuffed, with
    /// each line's CRLF: what a client saves as the message.
    pub async fn body(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let line = tokio::time::timeout(READ_TIMEOUT, self.raw_line())
                .await
                .expect("no terminator within the timeout");
            assert!(line.ends_with(b"\r\n"), "line without CRLF: {line:?}");
            if line == b".\r\n" {
                return out;
            }
            let line = line.strip_prefix(b".").unwrap_or(&line);
            out.extend_from_slice(line);
        }
    }

    /// The next line, or `None` once the server has closed the connection.
    pub async fn next_line_or_end(&mut self) -> Option<String> {
        let mut line = Vec::new();
        let read = tokio::time::timeout(READ_TIMEOUT, self.reader.read_until(b'\n', &mut line))
            .await
            .expect("neither a line nor the end within the timeout");
        match read {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                let text = line
                    .strip_suffix(b"\r\n")
                    .unwrap_or_else(|| panic!("line without CRLF: {line:?}"));
                Some(String::from_utf8_lossy(text).into_owned())
            }
        }
    }

    /// Whether the server closed the connection with nothing more to say.
    pub async fn closed_silently(&mut self) -> bool {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(READ_TIMEOUT, self.reader.read_to_end(&mut rest)).await;
        matches!(read, Ok(Ok(0)))
    }

    /// Whether the server closed the connection (reads to the end).
    pub async fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(READ_TIMEOUT, self.reader.read_to_end(&mut rest)).await;
        matches!(read, Ok(Ok(_)))
    }
}
