//! The POP3 handler inside the real server over loopback sockets: STLS on
//! the same stream (pipelined plaintext dropped, capabilities changed),
//! passwords refused before STLS, login over implicit TLS, the goodbye at
//! shutdown, and the refusal over a connection limit.

mod server_support;

use std::sync::Arc;

use postamt::auth::{Authenticator, Directory, Password, ThrottleSettings};
use postamt::config::{Protocol, TlsMode};
use postamt::pop3::Pop3Handler;
use postamt::server::Handlers;
use postamt::store::Store;
use rustls_pki_types::ServerName;
use server_support::*;
use tokio::io::{AsyncRead, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const USER: &str = "carol@example.test";
const PASSWORD: &str = "pass-word-1";

async fn pop3_handlers(data_dir: &std::path::Path) -> Handlers {
    let directory = Directory::open(data_dir).unwrap();
    directory.add_domain("example.test").unwrap();
    let user = directory.add_user(USER, &Password::new(PASSWORD)).unwrap();
    let store = Store::open_maildir(data_dir);
    store.create_account(user.id).await.unwrap();
    let authenticator = Arc::new(Authenticator::new(
        Arc::new(directory),
        ThrottleSettings::default(),
    ));
    Handlers::default().with(
        Protocol::Pop3,
        Arc::new(Pop3Handler::new(store, authenticator)),
    )
}

/// The lines of a multi-line response, after its `+OK` line.
async fn multiline<S: AsyncRead + Unpin>(reader: &mut BufReader<S>) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let line = read_line(reader).await;
        assert!(!line.is_empty(), "closed inside a multi-line response");
        if line == ".\r\n" {
            return lines;
        }
        lines.push(line.trim_end().to_owned());
    }
}

#[tokio::test]
async fn stls_drops_pipelined_plaintext_and_changes_capabilities() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::Pop3, TlsMode::StartTls)]);
    let server = start(config, pop3_handlers(dir.path()).await).await;
    let mut plain = BufReader::new(TcpStream::connect(server.addresses[0]).await.unwrap());
    assert!(read_line(&mut plain).await.starts_with("+OK "));
    plain.get_mut().write_all(b"CAPA\r\n").await.unwrap();
    assert!(read_line(&mut plain).await.starts_with("+OK"));
    let before = multiline(&mut plain).await;
    assert!(before.contains(&"STLS".to_owned()), "{before:?}");
    assert!(!before.contains(&"USER".to_owned()), "{before:?}");
    // The USER rides in the same packet: it must not run after the handshake.
    plain
        .get_mut()
        .write_all(format!("STLS\r\nUSER {USER}\r\n").as_bytes())
        .await
        .unwrap();
    assert!(read_line(&mut plain).await.starts_with("+OK "));
    let connector = connector(&[&self_signed_certificate(dir.path())]);
    let name = ServerName::try_from("localhost").unwrap();
    let tls = connector.connect(name, plain.into_inner()).await.unwrap();
    let mut tls = BufReader::new(tls);
    tls.get_mut().write_all(b"CAPA\r\n").await.unwrap();
    assert!(read_line(&mut tls).await.starts_with("+OK"));
    let after = multiline(&mut tls).await;
    assert!(after.contains(&"USER".to_owned()), "{after:?}");
    assert!(!after.contains(&"STLS".to_owned()), "{after:?}");
    // Had the pipelined USER run, PASS would now log in.
    tls.get_mut()
        .write_all(format!("PASS {PASSWORD}\r\n").as_bytes())
        .await
        .unwrap();
    assert!(read_line(&mut tls).await.starts_with("-ERR"));
    tls.get_mut()
        .write_all(format!("USER {USER}\r\nPASS {PASSWORD}\r\nSTLS\r\n").as_bytes())
        .await
        .unwrap();
    assert!(read_line(&mut tls).await.starts_with("+OK"));
    assert!(read_line(&mut tls).await.starts_with("+OK"));
    assert!(read_line(&mut tls).await.starts_with("-ERR"));
}

#[tokio::test]
async fn passwords_are_refused_before_stls() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::Pop3, TlsMode::StartTls)]);
    let server = start(config, pop3_handlers(dir.path()).await).await;
    let mut plain = BufReader::new(TcpStream::connect(server.addresses[0]).await.unwrap());
    read_line(&mut plain).await;
    plain
        .get_mut()
        .write_all(format!("USER {USER}\r\nAUTH PLAIN\r\n").as_bytes())
        .await
        .unwrap();
    assert!(read_line(&mut plain).await.starts_with("-ERR [AUTH] "));
    assert!(read_line(&mut plain).await.starts_with("-ERR [AUTH] "));
}

#[tokio::test]
async fn login_over_implicit_tls_then_goodbye_at_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::Pop3, TlsMode::Implicit)]);
    let server = start(config, pop3_handlers(dir.path()).await).await;
    let connector = connector(&[&self_signed_certificate(dir.path())]);
    let mut c = connect_tls(&connector, server.addresses[0], "localhost").await;
    assert!(read_line(&mut c).await.starts_with("+OK "));
    c.get_mut()
        .write_all(format!("USER {USER}\r\nPASS {PASSWORD}\r\nSTAT\r\n").as_bytes())
        .await
        .unwrap();
    assert!(read_line(&mut c).await.starts_with("+OK"));
    assert!(read_line(&mut c).await.starts_with("+OK"));
    assert_eq!(read_line(&mut c).await, "+OK 0 0\r\n");
    server.handle.shutdown();
    assert_eq!(
        read_line(&mut c).await,
        "-ERR [SYS/TEMP] Server shutting down\r\n"
    );
    assert_eq!(read_line(&mut c).await, "");
}

#[tokio::test]
async fn a_client_over_the_connection_limit_is_told_to_try_later() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), &[(Protocol::Pop3, TlsMode::StartTls)]);
    config.limits.max_connections_per_ip = 1;
    let server = start(config, pop3_handlers(dir.path()).await).await;
    let mut first = BufReader::new(TcpStream::connect(server.addresses[0]).await.unwrap());
    assert!(read_line(&mut first).await.starts_with("+OK "));
    let mut second = BufReader::new(TcpStream::connect(server.addresses[0]).await.unwrap());
    assert!(read_line(&mut second).await.starts_with("-ERR [SYS/TEMP] "));
}
