//! SmtpHandler behind the real server on loopback TCP: the inbound and
//! implicit-TLS submission listeners, the connection-limit refusal, the idle
//! timeout and shutdown, each in SMTP's words.

mod server_support;
mod smtp_support;

use std::sync::Arc;

use postamt::config::{Protocol, TlsMode};
use postamt::server::{Handlers, ProtocolHandler};
use postamt::smtp::SmtpHandler;
use server_support::{config, connect_tls, connector, start};
use smtp_support::{Client, fixture};
use tokio::net::TcpStream;

fn handlers(f: &smtp_support::Fixture) -> Handlers {
    let handler: Arc<dyn ProtocolHandler> = Arc::new(SmtpHandler::new(
        f.store.clone(),
        Arc::clone(&f.context.authenticator),
        f.context.sink.clone(),
    ));
    Handlers::default()
        .with(Protocol::Smtp, Arc::clone(&handler))
        .with(Protocol::Submission, handler)
}

#[tokio::test]
async fn inbound_greets_and_implicit_tls_submission_offers_auth() {
    let f = fixture().await;
    let mut cfg = config(
        f.data_dir(),
        &[
            (Protocol::Smtp, TlsMode::StartTls),
            (Protocol::Submission, TlsMode::Implicit),
        ],
    );
    cfg.auth.allow_plaintext_on_loopback = false;
    let running = start(cfg, handlers(&f)).await;

    let mut inbound = Client::new(TcpStream::connect(running.addresses[0]).await.unwrap());
    inbound.expect("220 mail.test ESMTP").await;
    let ehlo = inbound.ehlo().await;
    assert!(
        ehlo.ends_with("250 STARTTLS\r\n") && !ehlo.contains("AUTH"),
        "{ehlo}"
    );

    let certificate = f.data_dir().join("certs/self-signed.crt");
    let tls = connect_tls(
        &connector(&[&certificate]),
        running.addresses[1],
        "mail.test",
    )
    .await;
    let mut submission = Client { stream: tls };
    submission.expect("220 mail.test ESMTP").await;
    let ehlo = submission.ehlo().await;
    assert!(ehlo.ends_with("250 AUTH PLAIN LOGIN\r\n"), "{ehlo}");
    assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
    running.handle.shutdown();
}

#[tokio::test]
async fn shutdown_says_421_4_3_2() {
    let f = fixture().await;
    let running = start(
        config(f.data_dir(), &[(Protocol::Smtp, TlsMode::StartTls)]),
        handlers(&f),
    )
    .await;
    let mut c = Client::new(TcpStream::connect(running.addresses[0]).await.unwrap());
    c.expect("220 ").await;
    c.ehlo().await;
    running.handle.shutdown();
    c.expect("421 4.3.2").await;
    assert!(c.closed().await);
}

#[tokio::test]
async fn a_client_over_the_per_ip_limit_is_told_421_4_7_0() {
    let f = fixture().await;
    let mut cfg = config(f.data_dir(), &[(Protocol::Smtp, TlsMode::StartTls)]);
    cfg.limits.max_connections_per_ip = 1;
    let running = start(cfg, handlers(&f)).await;
    let mut first = Client::new(TcpStream::connect(running.addresses[0]).await.unwrap());
    first.expect("220 ").await;
    let mut second = Client::new(TcpStream::connect(running.addresses[0]).await.unwrap());
    second
        .expect("421 4.7.0 mail.test Too many connections")
        .await;
    assert!(second.closed().await);
    running.handle.shutdown();
}

#[tokio::test]
async fn an_idle_client_is_told_421_4_4_2() {
    let f = fixture().await;
    let mut s = smtp_support::settings(postamt::smtp::Role::Inbound);
    s.idle_timeout = std::time::Duration::from_millis(50);
    let mut c = f.connect(s).await;
    c.expect("421 4.4.2").await;
    assert!(c.closed().await);
}
