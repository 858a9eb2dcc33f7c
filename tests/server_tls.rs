//! Implicit TLS listeners, the self-signed certificate, TLS versions and certificate reload.

mod server_support;

use postamt::config::{Protocol, TlsMode};
use postamt::server::Handlers;
use server_support::*;
use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn implicit_tls_listener_greets_with_the_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::Imap, TlsMode::Implicit)]);
    let server = start(config, Handlers::default()).await;
    let connector = connector(&[&self_signed_certificate(dir.path())]);
    let mut client = connect_tls(&connector, server.addresses[0], "localhost").await;
    let greeting = read_line(&mut client).await;
    assert!(greeting.starts_with("* BYE [UNAVAILABLE] "), "{greeting:?}");
    assert_eq!(
        read_line(&mut client).await,
        "",
        "closed after the greeting"
    );
}

#[tokio::test]
async fn self_signed_certificate_covers_the_hostname() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::Pop3, TlsMode::Implicit)]);
    let server = start(config, Handlers::default()).await;
    let connector = connector(&[&self_signed_certificate(dir.path())]);
    let mut client = connect_tls(&connector, server.addresses[0], "mail.test").await;
    assert!(read_line(&mut client).await.starts_with("-ERR [SYS/TEMP] "));
}

#[tokio::test]
async fn self_signed_certificate_is_reused_across_starts() {
    let dir = tempfile::tempdir().unwrap();
    let listeners = [(Protocol::Smtp, TlsMode::Implicit)];
    let first = start(config(dir.path(), &listeners), Handlers::default()).await;
    let generated = certificate_in(&self_signed_certificate(dir.path()));
    first.handle.shutdown();
    first.task.await.unwrap();

    let second = start(config(dir.path(), &listeners), Handlers::default()).await;
    let connector = connector(&[&self_signed_certificate(dir.path())]);
    let client = connect_tls(&connector, second.addresses[0], "localhost").await;
    assert_eq!(served_certificate(&client), generated);
}

/// Runs Python's ssl client pinned to one TLS version; prints `ok <version>` or the error.
fn python_handshake(port: u16, version: &str) -> String {
    let script = format!(
        "import socket, ssl\n\
         ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n\
         ctx.check_hostname = False\n\
         ctx.verify_mode = ssl.CERT_NONE\n\
         ctx.set_ciphers('DEFAULT:@SECLEVEL=0')\n\
         ctx.minimum_version = ssl.TLSVersion.{version}\n\
         ctx.maximum_version = ssl.TLSVersion.{version}\n\
         try:\n\
         \x20   with socket.create_connection(('127.0.0.1', {port})) as raw:\n\
         \x20       with ctx.wrap_socket(raw) as tls:\n\
         \x20           print('ok', tls.version())\n\
         except Exception as e:\n\
         \x20   print('error', e)\n"
    );
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_1_1_is_refused_and_1_2_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::Imap, TlsMode::Implicit)]);
    let server = start(config, Handlers::default()).await;
    let port = server.addresses[0].port();
    let (old, current) = tokio::task::spawn_blocking(move || {
        (
            python_handshake(port, "TLSv1_1"),
            python_handshake(port, "TLSv1_2"),
        )
    })
    .await
    .unwrap();
    // An alert means the server refused; a client-side refusal would say otherwise.
    assert!(old.starts_with("error") && old.contains("alert"), "{old}");
    assert_eq!(current, "ok TLSv1.2");
}

#[tokio::test]
async fn reload_serves_the_new_certificate_and_keeps_old_connections() {
    let dir = tempfile::tempdir().unwrap();
    let (certificate, key) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
    let write_pair = || {
        let pair = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        std::fs::write(&certificate, pair.cert.pem()).unwrap();
        std::fs::write(&key, pair.signing_key.serialize_pem()).unwrap();
        pair.cert.der().to_vec()
    };
    let old_der = write_pair();
    let old_pem = dir.path().join("old.crt");
    std::fs::copy(&certificate, &old_pem).unwrap();
    let mut config = config(dir.path(), &[(Protocol::Imap, TlsMode::Implicit)]);
    config.tls.certificate = Some(certificate.clone());
    config.tls.private_key = Some(key.clone());
    let server = start(config, Echo::handlers(Protocol::Imap, false)).await;
    let connector_old = connector(&[&old_pem]);
    let mut old_client = connect_tls(&connector_old, server.addresses[0], "localhost").await;
    assert_eq!(read_line(&mut old_client).await, "+ hello\r\n");
    assert_eq!(served_certificate(&old_client), old_der);

    let new_der = write_pair();
    server.handle.reload().await.unwrap();

    let connector_new = connector(&[&certificate]);
    let new_client = connect_tls(&connector_new, server.addresses[0], "localhost").await;
    assert_eq!(served_certificate(&new_client), new_der);
    old_client
        .get_mut()
        .write_all(b"still here\r\n")
        .await
        .unwrap();
    assert_eq!(read_line(&mut old_client).await, "still here\r\n");
}

#[tokio::test]
async fn failed_certificate_reload_keeps_the_old_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::Imap, TlsMode::Implicit)]);
    let server = start(config, Handlers::default()).await;
    let certificate = self_signed_certificate(dir.path());
    let served = certificate_in(&certificate);
    let trusted = dir.path().join("trusted.crt");
    std::fs::copy(&certificate, &trusted).unwrap();
    // A corrupt certificate: the pair exists, so it is not regenerated, and fails to load.
    std::fs::write(&certificate, b"-----BEGIN CERTIFICATE-----\ngarbage\n").unwrap();
    assert!(server.handle.reload().await.is_err());
    let client = connect_tls(&connector(&[&trusted]), server.addresses[0], "localhost").await;
    assert_eq!(served_certificate(&client), served);
}
