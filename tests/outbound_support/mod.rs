//! A scripted SMTP server on 127.0.0.1 for the outbound client's tests: it
//! answers from a [`Script`], records what each connection sent (commands, the
//! data as it came over the wire, whether TLS was on), and can upgrade with
//! STARTTLS using a self-signed certificate. Plus a DNS that answers from a table
//! (or not at all), and helpers to build jobs and transports.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use postamt::config::{CertificateFiles, Config};
use postamt::outbound::{Dns, DnsError, DnsFuture, MxRecord, OutboundSettings, OutboundTransport};
use postamt::queue::{
    BodyType, Notify, Outcome, QueueId, Recipient, RemoteJob, RemoteTransport, ReversePath,
};
use postamt::server::TlsHandle;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// The longest a test waits for the client before it fails.
const PATIENCE: Duration = Duration::from_secs(10);

/// What the fake server answers.
#[derive(Clone)]
pub struct Script {
    pub greeting: String,
    /// The EHLO keyword lines.
    pub extensions: Vec<String>,
    /// The answer to EHLO instead of the keywords (HELO is always taken).
    pub ehlo_refusal: Option<String>,
    pub mail: String,
    /// One per RCPT, in order; recipients beyond the list get `250 2.1.5 ok`.
    pub rcpt: Vec<String>,
    pub data: String,
    pub end_of_data: String,
    /// Answer STARTTLS with `220`, then plaintext instead of a handshake.
    pub break_tls: bool,
    /// Send a plaintext reply right behind the `220` to STARTTLS, as an attacker
    /// in the path would to have it read as if it came over TLS.
    pub inject_after_starttls: bool,
    /// Close the connection instead of answering the end of data.
    pub vanish_after_data: bool,
    /// Answer DATA with `data` even when no recipient was taken (a broken server).
    pub data_without_recipients: bool,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            greeting: "220 mx.example.test ESMTP fake".to_owned(),
            extensions: vec!["PIPELINING".to_owned(), "8BITMIME".to_owned()],
            ehlo_refusal: None,
            mail: "250 2.1.0 sender ok".to_owned(),
            rcpt: Vec::new(),
            data: "354 go ahead".to_owned(),
            end_of_data: "250 2.0.0 queued as 1234".to_owned(),
            break_tls: false,
            inject_after_starttls: false,
            vanish_after_data: false,
            data_without_recipients: false,
        }
    }
}

impl Script {
    pub fn with_extensions(mut self, keywords: &[&str]) -> Self {
        self.extensions = keywords.iter().map(|k| (*k).to_owned()).collect();
        self
    }

    pub fn with_rcpt(mut self, replies: &[&str]) -> Self {
        self.rcpt = replies.iter().map(|r| (*r).to_owned()).collect();
        self
    }
}

/// What one connection sent.
#[derive(Debug, Default, Clone)]
pub struct Recorded {
    /// Command lines without CRLF, in order.
    pub commands: Vec<String>,
    /// The octets after 354 up to and including the end of data, or of BDAT
    /// chunks, as on the wire.
    pub data: Vec<u8>,
    /// Commands that came after STARTTLS succeeded.
    pub commands_over_tls: Vec<String>,
    /// MAIL arrived with further commands already behind it (RFC 2920).
    pub pipelined: bool,
}

impl Recorded {
    pub fn command(&self, verb: &str) -> Option<&str> {
        self.commands
            .iter()
            .find(|c| c.to_ascii_uppercase().starts_with(verb))
            .map(String::as_str)
    }

    /// The data with dot-stuffing undone and the end marker removed.
    pub fn unstuffed(&self) -> Vec<u8> {
        let body = self
            .data
            .strip_suffix(b".\r\n")
            .expect("data ends with the end marker");
        let mut out = Vec::new();
        for line in body.split_inclusive(|&b| b == b'\n') {
            out.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
        }
        out
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// A running fake server.
pub struct FakeServer {
    pub address: SocketAddr,
    pub certificate: PathBuf,
    sessions: Arc<Mutex<Vec<Recorded>>>,
    _dir: tempfile::TempDir,
}

impl FakeServer {
    pub async fn start(script: Script) -> FakeServer {
        Self::start_at(script, "127.0.0.1:0".parse().unwrap()).await
    }

    /// A server bound to `address`, e.g. a second loopback address on the port
    /// of another fake server, to stand for a second MX host.
    pub async fn start_at(script: Script, address: SocketAddr) -> FakeServer {
        let dir = tempfile::tempdir().unwrap();
        let files = CertificateFiles {
            certificate: dir.path().join("certs/self-signed.crt"),
            private_key: dir.path().join("certs/self-signed.key"),
            self_signed: true,
        };
        let tls = TlsHandle::load(&files, "mx.example.test").unwrap();
        let listener = TcpListener::bind(address).await.unwrap();
        let address = listener.local_addr().unwrap();
        let sessions = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&sessions);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let script = script.clone();
                let tls = tls.clone();
                let recorded = Arc::clone(&recorded);
                tokio::spawn(async move {
                    let mut record = Recorded::default();
                    let _ = serve(Box::new(stream), &script, &tls, &mut record).await;
                    recorded.lock().unwrap().push(record);
                });
            }
        });
        FakeServer {
            address,
            certificate: files.certificate,
            sessions,
            _dir: dir,
        }
    }

    /// Every finished connection, waiting a little for the last to finish.
    pub async fn sessions(&self, expected: usize) -> Vec<Recorded> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let sessions = self.sessions.lock().unwrap().clone();
            if sessions.len() >= expected || tokio::time::Instant::now() > deadline {
                return sessions;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// The one connection the test expected.
    pub async fn session(&self) -> Recorded {
        let mut sessions = self.sessions(1).await;
        assert_eq!(sessions.len(), 1, "expected exactly one connection");
        sessions.remove(0)
    }
}

async fn write_line(stream: &mut BufReader<Box<dyn Stream>>, line: &str) -> std::io::Result<()> {
    stream
        .get_mut()
        .write_all(format!("{line}\r\n").as_bytes())
        .await?;
    stream.get_mut().flush().await
}

async fn read_line(stream: &mut BufReader<Box<dyn Stream>>) -> std::io::Result<Option<String>> {
    let mut line = String::new();
    let read = tokio::time::timeout(PATIENCE, stream.read_line(&mut line))
        .await
        .map_err(|_| std::io::Error::other("client silent"))??;
    if read == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()))
}

async fn serve(
    stream: Box<dyn Stream>,
    script: &Script,
    tls: &TlsHandle,
    record: &mut Recorded,
) -> std::io::Result<()> {
    let mut stream = BufReader::new(stream);
    let mut over_tls = false;
    let mut rcpt_replies = script.rcpt.iter();
    let mut sender_taken = false;
    let mut recipients_taken = 0;
    write_line(&mut stream, &script.greeting).await?;
    while let Some(command) = read_line(&mut stream).await? {
        record.commands.push(command.clone());
        if over_tls {
            record.commands_over_tls.push(command.clone());
        }
        let verb = command.split(' ').next().unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => match &script.ehlo_refusal {
                Some(refusal) => write_line(&mut stream, refusal).await?,
                None => {
                    let mut lines = vec!["mx.example.test hello".to_owned()];
                    lines.extend(
                        script
                            .extensions
                            .iter()
                            .filter(|k| !(over_tls && k.as_str() == "STARTTLS"))
                            .cloned(),
                    );
                    let last = lines.len() - 1;
                    for (index, line) in lines.iter().enumerate() {
                        let separator = if index == last { ' ' } else { '-' };
                        write_line(&mut stream, &format!("250{separator}{line}")).await?;
                    }
                }
            },
            "HELO" => write_line(&mut stream, "250 mx.example.test").await?,
            "STARTTLS" => {
                if script.inject_after_starttls {
                    write_line(&mut stream, "220 2.0.0 go ahead\r\n250 injected").await?;
                } else {
                    write_line(&mut stream, "220 2.0.0 go ahead").await?;
                }
                if script.break_tls {
                    write_line(&mut stream, "this is not a TLS record").await?;
                    return Ok(());
                }
                let plain = stream.into_inner();
                let secured = tls.acceptor().accept(plain).await?;
                stream = BufReader::new(Box::new(secured));
                over_tls = true;
            }
            "MAIL" => {
                record.pipelined = !stream.buffer().is_empty();
                sender_taken = script.mail.starts_with('2');
                write_line(&mut stream, &script.mail).await?;
            }
            "RCPT" => {
                let reply = rcpt_replies
                    .next()
                    .map(String::as_str)
                    .unwrap_or("250 2.1.5 ok");
                if sender_taken && reply.starts_with('2') {
                    recipients_taken += 1;
                }
                write_line(&mut stream, reply).await?;
            }
            "DATA" if recipients_taken == 0 && !script.data_without_recipients => {
                // RFC 2920 §3.1: what a pipelining server says after a failed envelope.
                write_line(&mut stream, "554 5.5.1 no valid recipients").await?;
            }
            "DATA" => {
                write_line(&mut stream, &script.data).await?;
                if !script.data.starts_with("354") {
                    continue;
                }
                loop {
                    let mut line = Vec::new();
                    let read = stream.read_until(b'\n', &mut line).await?;
                    if read == 0 {
                        return Ok(());
                    }
                    record.data.extend_from_slice(&line);
                    if line == b".\r\n" {
                        break;
                    }
                }
                if script.vanish_after_data {
                    return Ok(());
                }
                write_line(&mut stream, &script.end_of_data).await?;
            }
            "BDAT" => {
                // RFC 3030 §2: exactly the announced octets follow the command.
                let size: u64 = command
                    .split(' ')
                    .nth(1)
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                let mut chunk = Vec::new();
                (&mut stream).take(size).read_to_end(&mut chunk).await?;
                record.data.extend_from_slice(&chunk);
                write_line(&mut stream, &script.end_of_data).await?;
            }
            "RSET" | "NOOP" => write_line(&mut stream, "250 2.0.0 ok").await?,
            "QUIT" => {
                write_line(&mut stream, "221 2.0.0 bye").await?;
                return Ok(());
            }
            _ => write_line(&mut stream, "500 5.5.2 what?").await?,
        }
    }
    Ok(())
}

/// A DNS that answers from tables; with empty tables every name is unknown.
#[derive(Default)]
pub struct TableDns {
    pub mx: HashMap<String, Vec<MxRecord>>,
    pub a: HashMap<String, Vec<Ipv4Addr>>,
}

impl Dns for TableDns {
    fn mx(&self, domain: &str) -> DnsFuture<'_, Vec<MxRecord>> {
        let answer = self.mx.get(domain).cloned().ok_or(DnsError::NoSuchDomain);
        Box::pin(async move { answer })
    }

    fn ipv4(&self, host: &str) -> DnsFuture<'_, Vec<Ipv4Addr>> {
        let answer = self.a.get(host).cloned().ok_or(DnsError::NoSuchDomain);
        Box::pin(async move { answer })
    }

    fn ipv6(&self, host: &str) -> DnsFuture<'_, Vec<Ipv6Addr>> {
        let known = self.a.contains_key(host);
        Box::pin(async move {
            if known {
                Ok(Vec::new())
            } else {
                Err(DnsError::NoSuchDomain)
            }
        })
    }
}

/// A configuration whose `[outbound]` is `outbound` (TOML lines).
pub fn config(outbound: &str) -> Config {
    Config::from_toml_str(&format!(
        "[server]\nhostname = \"client.example.net\"\n[outbound]\n{outbound}\n"
    ))
    .unwrap()
}

/// Settings routing `example.test` to `server`, with a DNS that knows nothing.
pub fn settings_via(server: SocketAddr, extra: &str) -> OutboundSettings {
    let config = config(&format!(
        "routes = {{ \"example.test\" = \"{server}\" }}\n{extra}"
    ));
    OutboundSettings::with_dns(&config, Arc::new(TableDns::default())).unwrap()
}

pub fn transport(settings: OutboundSettings) -> OutboundTransport {
    OutboundTransport::new(settings).unwrap()
}

/// A spooled message in `dir`: CRLF lines, as the spool keeps them.
pub fn spool(dir: &Path, octets: &[u8]) -> PathBuf {
    let path = dir.join("message");
    std::fs::write(&path, octets).unwrap();
    path
}

pub const MESSAGE: &[u8] =
    b"From: alice@example.net\r\nTo: bob@example.test\r\nSubject: hi\r\n\r\nHello Bob.\r\n";

/// A job for `recipients` at example.test with the message at `message`.
pub fn job(recipients: &[&str], message: &Path) -> RemoteJob {
    RemoteJob {
        queue_id: QueueId(7),
        domain: "example.test".to_owned(),
        mail_from: ReversePath::Address("alice@example.net".to_owned()),
        recipients: recipients
            .iter()
            .map(|address| Recipient {
                address: (*address).to_owned(),
                orcpt: None,
                notify: Notify::default(),
            })
            .collect(),
        size: std::fs::metadata(message).unwrap().len(),
        message: message.to_owned(),
        body: BodyType::SevenBit,
        smtputf8: false,
        ret: None,
        envid: None,
    }
}

/// Runs one attempt, failing the test if it hangs.
pub async fn deliver(transport: &OutboundTransport, job: RemoteJob) -> Vec<Outcome> {
    tokio::time::timeout(PATIENCE, transport.deliver(job))
        .await
        .expect("the delivery attempt hung")
}

/// Delivers `octets` to `recipients` at example.test through `server`,
/// with the default outbound settings.
pub async fn deliver_via(server: SocketAddr, recipients: &[&str], octets: &[u8]) -> Vec<Outcome> {
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), octets);
    deliver(
        &transport(settings_via(server, "")),
        job(recipients, &message),
    )
    .await
}

/// A port on 127.0.0.1 where nothing listens.
pub async fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    address
}
