//! STARTTLS on submission (RFC 3207) with a self-signed certificate: what
//! EHLO offers before and after, and plaintext pipelined after STARTTLS
//! being discarded (CVE-2011-0411).

mod server_support;
mod smtp_support;

use std::time::Duration;

use postamt::config::CertificateFiles;
use postamt::server::{MaybeTls, Shutdown, TlsHandle};
use postamt::smtp::{Role, Session};
use rustls_pki_types::ServerName;
use smtp_support::{ALICE, Client, PASSWORD, fixture, settings, simple_message};

#[tokio::test]
async fn starttls_discards_pipelined_plaintext_and_then_offers_auth() {
    let f = fixture().await;
    let files = CertificateFiles {
        certificate: f.data_dir().join("certs/self-signed.crt"),
        private_key: f.data_dir().join("certs/self-signed.key"),
        self_signed: true,
    };
    let tls = TlsHandle::load(&files, "mx.example.test").unwrap();
    let mut s = settings(Role::Submission);
    s.plaintext_auth = false;
    s.starttls = Some((tls.acceptor(), Duration::from_secs(5)));
    let (client, server) = tokio::io::duplex(1 << 16);
    let session = Session::new(
        MaybeTls::Plain(server),
        f.context.clone(),
        s,
        Shutdown::never(),
    );
    tokio::spawn(session.run());

    let mut c = Client::new(client);
    c.expect("220 ").await;
    let ehlo = c.ehlo().await;
    assert!(
        ehlo.contains("250-STARTTLS\r\n") || ehlo.ends_with("250 STARTTLS\r\n"),
        "{ehlo}"
    );
    assert!(!ehlo.contains("AUTH"), "{ehlo}");
    c.send_raw(b"STARTTLS\r\nNOOP injected\r\n").await;
    c.expect("220 2.0.0").await;

    let plain = c.stream.into_inner();
    let name = ServerName::try_from("mx.example.test").unwrap();
    let tls_stream = server_support::connector(&[&files.certificate])
        .connect(name, plain)
        .await
        .unwrap();
    let mut c = Client::new(tls_stream);
    c.send("EHLO client.example.org").await;
    // Had the injected NOOP survived, its 250 would come first.
    let ehlo = c.expect("250 ").await;
    assert!(
        ehlo.starts_with("250-mx.example.test Hello client.example.org\r\n"),
        "{ehlo}"
    );
    assert!(ehlo.ends_with("250 AUTH PLAIN LOGIN\r\n"), "{ehlo}");
    assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
    c.auth_plain(ALICE, PASSWORD).await;
    c.expect("235 2.7.0").await;
    let reply = c
        .transaction(ALICE, "bob@example.test", &simple_message(ALICE))
        .await;
    assert!(reply.starts_with("250 2.0.0"), "{reply}");
    assert!(f.committed()[0].text().contains(" with ESMTPSA id "));
}
