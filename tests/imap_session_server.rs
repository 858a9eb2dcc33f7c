//! The IMAP handler inside the real server over loopback sockets: STARTTLS
//! on the same stream (pipelined plaintext dropped, capabilities changed),
//! login over implicit TLS, and `* BYE` at shutdown.

mod server_support;

use std::sync::Arc;

use postamt::auth::{Authenticator, Directory, Password, ThrottleSettings};
use postamt::config::{Protocol, TlsMode};
use postamt::imap::ImapHandler;
use postamt::server::Handlers;
use postamt::store::Store;
use rustls_pki_types::ServerName;
use server_support::*;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const USER: &str = "carol@example.test";
const PASSWORD: &str = "pass-word-1";

async fn imap_handlers(data_dir: &std::path::Path) -> Handlers {
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
        Protocol::Imap,
        Arc::new(ImapHandler::new(store, authenticator)),
    )
}

#[tokio::test]
async fn starttls_drops_pipelined_plaintext_and_changes_capabilities() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::Imap, TlsMode::StartTls)]);
    let server = start(config, imap_handlers(dir.path()).await).await;
    let mut plain = BufReader::new(TcpStream::connect(server.addresses[0]).await.unwrap());
    let greeting = read_line(&mut plain).await;
    assert!(greeting.contains(" STARTTLS "), "{greeting}");
    assert!(greeting.contains("LOGINDISABLED"), "{greeting}");
    // The NOOP rides in the same packet: it must not run after the handshake.
    plain
        .get_mut()
        .write_all(b"a1 STARTTLS\r\na2 NOOP\r\n")
        .await
        .unwrap();
    assert_eq!(
        read_line(&mut plain).await,
        "a1 OK Begin TLS negotiation now\r\n"
    );
    let connector = connector(&[&self_signed_certificate(dir.path())]);
    let name = ServerName::try_from("localhost").unwrap();
    let tls = connector.connect(name, plain.into_inner()).await.unwrap();
    let mut tls = BufReader::new(tls);
    tls.get_mut().write_all(b"b1 CAPABILITY\r\n").await.unwrap();
    let caps = read_line(&mut tls).await;
    assert!(caps.starts_with("* CAPABILITY "), "{caps}");
    assert!(
        caps.contains("AUTH=PLAIN") && !caps.contains("STARTTLS"),
        "{caps}"
    );
    assert_eq!(read_line(&mut tls).await, "b1 OK CAPABILITY completed\r\n");
}

#[tokio::test]
async fn login_over_implicit_tls_then_bye_at_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::Imap, TlsMode::Implicit)]);
    let server = start(config, imap_handlers(dir.path()).await).await;
    let connector = connector(&[&self_signed_certificate(dir.path())]);
    let mut c = connect_tls(&connector, server.addresses[0], "localhost").await;
    let greeting = read_line(&mut c).await;
    assert!(greeting.contains("AUTH=PLAIN"), "{greeting}");
    let login = format!("a1 LOGIN {USER} {PASSWORD}\r\n");
    c.get_mut().write_all(login.as_bytes()).await.unwrap();
    assert!(read_line(&mut c).await.starts_with("a1 OK [CAPABILITY "));
    server.handle.shutdown();
    assert_eq!(
        read_line(&mut c).await,
        "* BYE [UNAVAILABLE] Server shutting down\r\n"
    );
}
