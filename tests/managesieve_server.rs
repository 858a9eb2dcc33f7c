//! The ManageSieve handler inside the real server over loopback sockets: a
//! replay of sieve-connect's recorded sessions (../shared/clients), STARTTLS
//! dropping pipelined plaintext, and the refusal over a connection limit.

mod server_support;

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use postamt::auth::{Authenticator, Directory, Password, ThrottleSettings};
use postamt::config::{Protocol, TlsMode};
use postamt::managesieve::{ManageSieveHandler, ScriptChecker, ScriptProblem};
use postamt::scripts::ScriptStorage;
use postamt::server::Handlers;
use rustls_pki_types::ServerName;
use server_support::*;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const USER: &str = "alice@example.test";
const PASSWORD: &str = "pass-word-1";
const RECORDING: &str = "../shared/clients/sieve-connect-managesieve.txt";

/// Accepts every script: the replay is about the protocol, not Sieve.
struct AcceptAll;

impl ScriptChecker for AcceptAll {
    fn check(&self, _source: &str) -> Result<(), ScriptProblem> {
        Ok(())
    }

    fn extensions(&self) -> Vec<String> {
        vec!["fileinto".into()]
    }
}

fn handlers(data_dir: &std::path::Path) -> Handlers {
    let directory = Directory::open(data_dir).unwrap();
    directory.add_domain("example.test").unwrap();
    directory.add_user(USER, &Password::new(PASSWORD)).unwrap();
    let directory = Arc::new(directory);
    let scripts = Arc::new(ScriptStorage::open(data_dir, Arc::clone(&directory)).unwrap());
    let authenticator = Arc::new(Authenticator::new(directory, ThrottleSettings::default()));
    Handlers::default().with(
        Protocol::ManageSieve,
        Arc::new(ManageSieveHandler::new(
            authenticator,
            scripts,
            Arc::new(AcceptAll),
        )),
    )
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Lines up to and with the status line (OK, NO or BYE), without CRLF.
async fn response<S: AsyncRead + Unpin>(reader: &mut BufReader<S>) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let line = read_line(reader).await;
        assert!(!line.is_empty(), "closed inside a response: {lines:?}");
        let line = line.trim_end().to_owned();
        let done = ["OK", "NO", "BYE"]
            .iter()
            .any(|word| line == *word || line.starts_with(&format!("{word} ")));
        lines.push(line);
        if done {
            return lines;
        }
    }
}

/// One client command of the recording, and the status word the reference
/// server answered it with, with the data lines before it.
struct Exchange {
    command: Vec<u8>,
    answer: Vec<String>,
}

/// The recording's connections as exchanges. Redacted SASL literals become
/// this test's credentials; script literals are rebuilt from their `| ` lines.
fn recorded_connections() -> Vec<Vec<Exchange>> {
    let text = std::fs::read_to_string(RECORDING).unwrap();
    let mut connections: Vec<Vec<Exchange>> = Vec::new();
    let mut current: Option<usize> = None;
    let mut greeting_done = false;
    let plain = STANDARD.encode(format!("\0{USER}\0{PASSWORD}"));
    for line in text.lines() {
        let fields: Vec<&str> = line.trim_start().splitn(3, ' ').collect();
        let [_, connection, rest] = fields.as_slice() else {
            continue;
        };
        let Some(number) = connection
            .strip_prefix('c')
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue;
        };
        if current != Some(number) {
            connections.push(Vec::new());
            current = Some(number);
            greeting_done = false;
        }
        let exchanges = connections.last_mut().unwrap();
        if let Some(client) = rest.strip_prefix("C: ") {
            if let Some(script_line) = client.strip_prefix("| ") {
                let command = &mut exchanges.last_mut().unwrap().command;
                command.extend_from_slice(script_line.as_bytes());
                command.push(b'\n');
            } else if client.starts_with("<literal") && client.contains("redacted") {
                exchanges
                    .last_mut()
                    .unwrap()
                    .command
                    .extend_from_slice(plain.as_bytes());
            } else if client.starts_with("<literal") {
                // A script literal: its `| ` lines follow.
            } else if client.is_empty() {
                exchanges
                    .last_mut()
                    .unwrap()
                    .command
                    .extend_from_slice(b"\r\n");
            } else {
                let client = client.replace("{24+}", &format!("{{{}+}}", plain.len()));
                let mut command = client.into_bytes();
                command.extend_from_slice(b"\r\n");
                exchanges.push(Exchange {
                    command,
                    answer: Vec::new(),
                });
            }
        } else if let Some(server) = rest.strip_prefix("S: ") {
            if !greeting_done {
                greeting_done = server.starts_with("OK");
                continue;
            }
            if let Some(exchange) = exchanges.last_mut() {
                exchange.answer.push(server.to_owned());
            }
        } else if *rest == "C:" && !exchanges.is_empty() {
            exchanges
                .last_mut()
                .unwrap()
                .command
                .extend_from_slice(b"\r\n");
        }
    }
    connections
}

/// The status word, and for data lines the line itself (minus texts that
/// differ between implementations).
fn shape(answer: &[String]) -> Vec<String> {
    answer
        .iter()
        .filter(|line| {
            line.starts_with("OK")
                || line.starts_with("NO")
                || !line.starts_with('"')
                || line.ends_with("ACTIVE")
        })
        .map(|line| match line.split_once(' ') {
            Some((word @ ("OK" | "NO" | "BYE"), rest)) if rest.starts_with("(TAG") => {
                format!("{word} {}", rest.split_once(')').unwrap().0)
            }
            Some((word @ ("OK" | "NO" | "BYE"), _)) => word.to_owned(),
            _ => line.clone(),
        })
        .collect()
}

#[tokio::test]
async fn sieve_connect_recording_replays_upload_activate_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::ManageSieve, TlsMode::StartTls)]);
    let server = start(config, handlers(dir.path())).await;
    let connector = connector(&[&self_signed_certificate(dir.path())]);
    let connections = recorded_connections();
    assert_eq!(connections.len(), 3);
    for exchanges in connections {
        let tcp = TcpStream::connect(server.addresses[0]).await.unwrap();
        let mut stream: BufReader<Box<dyn Stream>> = BufReader::new(Box::new(tcp));
        let greeting = response(&mut stream).await;
        assert!(
            greeting.contains(&"\"STARTTLS\"".to_owned()),
            "{greeting:?}"
        );
        for exchange in exchanges {
            stream.get_mut().write_all(&exchange.command).await.unwrap();
            if exchange.command.starts_with(b"STARTTLS") {
                assert!(response(&mut stream).await[0].starts_with("OK"));
                let name = ServerName::try_from("localhost").unwrap();
                let tls = connector.connect(name, stream.into_inner()).await.unwrap();
                stream = BufReader::new(Box::new(tls));
                // RFC 5804 §2.2: the capabilities again, then OK.
                let again = response(&mut stream).await;
                assert!(!again.contains(&"\"STARTTLS\"".to_owned()), "{again:?}");
                assert!(again.last().unwrap().starts_with("OK"));
                continue;
            }
            let mut answer = response(&mut stream).await;
            let mut expected = exchange.answer.clone();
            if exchange.command.starts_with(b"NOOP") {
                // The recording interleaves the post-TLS capabilities here.
                expected.retain(|line| line.starts_with("OK (TAG"));
                answer.retain(|line| line.starts_with("OK (TAG"));
            }
            assert_eq!(
                shape(&answer),
                shape(&expected),
                "answer to {}",
                String::from_utf8_lossy(&exchange.command)
            );
        }
    }
}

#[tokio::test]
async fn starttls_drops_pipelined_plaintext_and_auth_before_tls_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::ManageSieve, TlsMode::StartTls)]);
    let server = start(config, handlers(dir.path())).await;
    let mut plain = BufReader::new(TcpStream::connect(server.addresses[0]).await.unwrap());
    let greeting = response(&mut plain).await;
    assert!(
        greeting.contains(&"\"SASL\" \"\"".to_owned()),
        "{greeting:?}"
    );
    let credentials = STANDARD.encode(format!("\0{USER}\0{PASSWORD}"));
    plain
        .get_mut()
        .write_all(format!("AUTHENTICATE \"PLAIN\" \"{credentials}\"\r\n").as_bytes())
        .await
        .unwrap();
    assert!(response(&mut plain).await[0].starts_with("NO (ENCRYPT-NEEDED)"));
    // The NOOP rides in the same packet as STARTTLS: it must not be answered.
    plain
        .get_mut()
        .write_all(b"STARTTLS\r\nNOOP \"injected\"\r\n")
        .await
        .unwrap();
    assert!(response(&mut plain).await[0].starts_with("OK"));
    let connector = connector(&[&self_signed_certificate(dir.path())]);
    let name = ServerName::try_from("localhost").unwrap();
    let tls = connector.connect(name, plain.into_inner()).await.unwrap();
    let mut tls = BufReader::new(tls);
    let capabilities = response(&mut tls).await;
    assert!(capabilities.contains(&"\"SASL\" \"PLAIN LOGIN\"".to_owned()));
    tls.get_mut()
        .write_all(
            format!("NOOP \"after\"\r\nAUTHENTICATE \"PLAIN\" \"{credentials}\"\r\n").as_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(
        response(&mut tls).await,
        vec!["OK (TAG \"after\") \"Done\""]
    );
    assert_eq!(response(&mut tls).await, vec!["OK \"Logged in\""]);
}

#[tokio::test]
async fn a_client_over_the_connection_limit_is_told_to_try_later() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), &[(Protocol::ManageSieve, TlsMode::StartTls)]);
    config.limits.max_connections_per_ip = 1;
    let server = start(config, handlers(dir.path())).await;
    let mut first = BufReader::new(TcpStream::connect(server.addresses[0]).await.unwrap());
    response(&mut first).await;
    let mut second = BufReader::new(TcpStream::connect(server.addresses[0]).await.unwrap());
    let refusal = read_line(&mut second).await;
    assert!(refusal.starts_with("BYE (TRYLATER) "), "{refusal}");
}

#[tokio::test]
async fn shutdown_says_bye_trylater() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::ManageSieve, TlsMode::StartTls)]);
    let server = start(config, handlers(dir.path())).await;
    let mut client = BufReader::new(TcpStream::connect(server.addresses[0]).await.unwrap());
    response(&mut client).await;
    server.handle.shutdown();
    assert_eq!(
        read_line(&mut client).await,
        "BYE (TRYLATER) \"Server shutting down\"\r\n"
    );
    assert_eq!(read_line(&mut client).await, "");
}
