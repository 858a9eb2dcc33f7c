//! STARTTLS from the client side (RFC 3207) under each `[outbound] tls` policy,
//! against a scripted server with a self-signed certificate.

mod outbound_support;

use outbound_support::{
    FakeServer, MESSAGE, Script, deliver, deliver_via, job, settings_via, spool, transport,
};
use postamt::outbound::OutboundTransport;
use postamt::queue::OutcomeKind;

fn starttls_server() -> Script {
    Script::default().with_extensions(&["PIPELINING", "8BITMIME", "STARTTLS"])
}

#[tokio::test]
async fn starttls_is_used_when_offered_and_the_message_goes_over_tls() {
    let server = FakeServer::start(starttls_server()).await;
    let outcomes = deliver_via(server.address, &["bob@example.test"], MESSAGE).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Delivered);
    let session = server.session().await;
    assert_eq!(
        session.commands[..2],
        ["EHLO client.example.net", "STARTTLS"]
    );
    assert_eq!(
        session.commands_over_tls[..2],
        ["EHLO client.example.net", "MAIL FROM:<alice@example.net>"]
    );
    assert!(session.commands_over_tls.iter().any(|c| c == "DATA"));
    assert_eq!(session.unstuffed(), MESSAGE);
}

#[tokio::test]
async fn plaintext_when_starttls_is_not_offered_under_the_opportunistic_policy() {
    let server = FakeServer::start(Script::default()).await;
    let outcomes = deliver_via(server.address, &["bob@example.test"], MESSAGE).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Delivered);
    let session = server.session().await;
    assert_eq!(session.command("STARTTLS"), None);
    assert!(session.commands_over_tls.is_empty());
}

#[tokio::test]
async fn failed_handshake_is_retried_in_plaintext_under_the_opportunistic_policy() {
    let server = FakeServer::start(Script {
        break_tls: true,
        ..starttls_server()
    })
    .await;
    let outcomes = deliver_via(server.address, &["bob@example.test"], MESSAGE).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Delivered);
    let sessions = server.sessions(2).await;
    assert_eq!(sessions.len(), 2);
    let plaintext = sessions
        .iter()
        .find(|s| s.command("MAIL").is_some())
        .expect("a session with the envelope");
    assert_eq!(plaintext.command("STARTTLS"), None);
    assert_eq!(plaintext.unstuffed(), MESSAGE);
}

#[tokio::test]
async fn required_tls_without_starttls_is_transient_4_7_10() {
    let server = FakeServer::start(Script::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let outcomes = deliver(
        &transport(settings_via(server.address, "tls = \"required\"")),
        job(&["bob@example.test"], &message),
    )
    .await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Transient);
    assert_eq!(outcomes[0].status, "4.7.10");
    assert_eq!(server.session().await.command("MAIL"), None);
}

#[tokio::test]
async fn required_tls_does_not_fall_back_after_a_failed_handshake() {
    let server = FakeServer::start(Script {
        break_tls: true,
        ..starttls_server()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let outcomes = deliver(
        &transport(settings_via(server.address, "tls = \"required\"")),
        job(&["bob@example.test"], &message),
    )
    .await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Transient);
    assert_eq!(outcomes[0].status, "4.7.5");
    assert_eq!(server.session().await.command("MAIL"), None);
}

fn verifying(server: &FakeServer, ca_file: &std::path::Path) -> OutboundTransport {
    let extra = format!(
        "tls = \"verify\"\nca_file = {:?}",
        ca_file.display().to_string()
    );
    transport(settings_via(server.address, &extra))
}

#[tokio::test]
async fn verified_tls_delivers_to_a_trusted_certificate() {
    let server = FakeServer::start(starttls_server()).await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    // The route names 127.0.0.1, which the self-signed certificate covers.
    let outcomes = deliver(
        &verifying(&server, &server.certificate),
        job(&["bob@example.test"], &message),
    )
    .await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Delivered);
    assert!(!server.session().await.commands_over_tls.is_empty());
}

#[tokio::test]
async fn verified_tls_refuses_an_untrusted_certificate() {
    let server = FakeServer::start(starttls_server()).await;
    let stranger = FakeServer::start(Script::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let outcomes = deliver(
        &verifying(&server, &stranger.certificate),
        job(&["bob@example.test"], &message),
    )
    .await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Transient);
    assert_eq!(outcomes[0].status, "4.7.5");
    assert_eq!(server.session().await.command("MAIL"), None);
}

#[tokio::test]
async fn verify_policy_without_trust_anchors_fails_at_startup() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let extra = format!(
        "tls = \"verify\"\nca_file = {:?}",
        empty.display().to_string()
    );
    let settings = settings_via("127.0.0.1:25".parse().unwrap(), &extra);
    assert!(OutboundTransport::new(settings).is_err());
}

#[tokio::test]
async fn plaintext_behind_the_starttls_reply_ends_the_session() {
    let server = FakeServer::start(Script {
        inject_after_starttls: true,
        ..starttls_server()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let outcomes = deliver(
        &transport(settings_via(server.address, "tls = \"required\"")),
        job(&["bob@example.test"], &message),
    )
    .await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Transient);
    assert_eq!(outcomes[0].status, "4.7.5");
    assert!(outcomes[0].diagnostic.contains("after its STARTTLS reply"));
    assert_eq!(server.session().await.command("MAIL"), None);
}
