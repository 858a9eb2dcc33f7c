//! STARTTLS: upgrading the same stream to TLS, driven over tokio::io::duplex.

mod server_support;

use std::time::Duration;

use postamt::config::CertificateFiles;
use postamt::server::{HandshakeError, MaybeTls, TlsHandle};
use rustls_pki_types::ServerName;
use server_support::{certificate_in, connector};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, duplex};

const TIMEOUT: Duration = Duration::from_secs(5);

fn tls_in(dir: &std::path::Path) -> (TlsHandle, std::path::PathBuf) {
    let files = CertificateFiles {
        certificate: dir.join("certs/self-signed.crt"),
        private_key: dir.join("certs/self-signed.key"),
        self_signed: true,
    };
    let handle = TlsHandle::load(&files, "mail.test").unwrap();
    (handle, files.certificate)
}

#[tokio::test]
async fn plaintext_stream_upgrades_to_tls_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let (tls, certificate) = tls_in(dir.path());
    let (client_end, server_end) = duplex(64 * 1024);

    let server = tokio::spawn(async move {
        let mut stream = MaybeTls::Plain(server_end);
        let mut command = [0u8; 10];
        stream.read_exact(&mut command).await.unwrap();
        assert_eq!(&command, b"STARTTLS\r\n");
        stream.write_all(b"OK go\r\n").await.unwrap();
        let mut stream = stream.upgrade(&tls.acceptor(), TIMEOUT).await.unwrap();
        assert!(stream.is_tls());
        let mut reader = BufReader::new(&mut stream);
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        stream
            .write_all(line.to_uppercase().as_bytes())
            .await
            .unwrap();
        stream.flush().await.unwrap();
        stream
    });

    let mut client_end = client_end;
    client_end.write_all(b"STARTTLS\r\n").await.unwrap();
    let mut reply = [0u8; 7];
    client_end.read_exact(&mut reply).await.unwrap();
    assert_eq!(&reply, b"OK go\r\n");
    let name = ServerName::try_from("mail.test").unwrap();
    let tls_client = connector(&[&certificate])
        .connect(name, client_end)
        .await
        .unwrap();
    assert_eq!(
        tls_client.get_ref().1.peer_certificates().unwrap()[0].to_vec(),
        certificate_in(&certificate)
    );
    let mut tls_client = BufReader::new(tls_client);
    tls_client.get_mut().write_all(b"secret\r\n").await.unwrap();
    let mut line = String::new();
    tls_client.read_line(&mut line).await.unwrap();
    assert_eq!(line, "SECRET\r\n");
    let stream = server.await.unwrap();
    assert!(stream.tls_parameters().is_some());
}

#[tokio::test]
async fn tls_stream_cannot_upgrade_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (tls, certificate) = tls_in(dir.path());
    let (client_end, server_end) = duplex(64 * 1024);
    let client = tokio::spawn(async move {
        let name = ServerName::try_from("mail.test").unwrap();
        connector(&[&certificate]).connect(name, client_end).await
    });
    let stream = MaybeTls::Plain(server_end)
        .upgrade(&tls.acceptor(), TIMEOUT)
        .await
        .unwrap();
    let _client = client.await.unwrap().unwrap();
    let again = stream.upgrade(&tls.acceptor(), TIMEOUT).await;
    assert!(matches!(again, Err(HandshakeError::AlreadyTls)));
}

#[tokio::test(start_paused = true)]
async fn silent_client_times_out_the_handshake() {
    let dir = tempfile::tempdir().unwrap();
    let (tls, _) = tls_in(dir.path());
    let (_client_end, server_end) = duplex(1024);
    let upgraded = MaybeTls::Plain(server_end)
        .upgrade(&tls.acceptor(), TIMEOUT)
        .await;
    assert!(matches!(upgraded, Err(HandshakeError::TimedOut(t)) if t == TIMEOUT));
}

#[tokio::test]
async fn garbage_instead_of_client_hello_fails_the_handshake() {
    let dir = tempfile::tempdir().unwrap();
    let (tls, _) = tls_in(dir.path());
    let (mut client_end, server_end) = duplex(1024);
    client_end.write_all(b"HELO plaintext\r\n").await.unwrap();
    let upgraded = MaybeTls::Plain(server_end)
        .upgrade(&tls.acceptor(), TIMEOUT)
        .await;
    assert!(matches!(upgraded, Err(HandshakeError::Failed(_))));
}
