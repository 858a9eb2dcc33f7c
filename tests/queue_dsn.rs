//! Delivery status notifications end to end: who gets one, when, and what
//! it says (RFC 3464, RFC 3461 NOTIFY and RET, RFC 5321 §4.5.5).

mod queue_support;

use std::time::Duration;

use postamt::queue::{Notify, OutcomeKind, Ret};
use queue_support::{Dsn, Harness, MESSAGE, envelope, test_settings, wait_for};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn disabled_user_bounces_to_the_local_sender() {
    let mut h = Harness::new();
    h.directory.set_enabled("bob@example.org", false).unwrap();
    h.start();
    h.submit(
        envelope(Some("alice@example.org"), &["bob@example.org"]),
        MESSAGE,
    )
    .await;
    h.drained().await;

    assert!(h.inbox(h.bob).await.is_empty());
    let inbox = h.inbox(h.alice).await;
    assert_eq!(inbox.len(), 1);
    let status = Dsn::parse(&inbox[0]).status();
    assert!(
        status.contains("Final-Recipient: rfc822; bob@example.org"),
        "{status}"
    );
    assert!(status.contains("Status: 5.2.1"), "{status}");
    assert!(status.contains("Action: failed"), "{status}");
}

#[tokio::test]
async fn unknown_local_user_bounces_with_5_1_1() {
    let mut h = Harness::new();
    h.start();
    h.submit(
        envelope(Some("alice@example.org"), &["nobody@example.org"]),
        MESSAGE,
    )
    .await;
    h.drained().await;

    let inbox = h.inbox(h.alice).await;
    assert_eq!(inbox.len(), 1);
    assert!(Dsn::parse(&inbox[0]).status().contains("Status: 5.1.1"));
}

#[tokio::test]
async fn remote_permanent_failure_sends_a_dsn_to_the_local_sender() {
    let mut h = Harness::new();
    h.transport.then(
        OutcomeKind::Permanent,
        "5.1.1",
        "smtp; 550 5.1.1 no such user",
    );
    h.start();
    let mut sent = envelope(Some("alice@example.org"), &["dave@remote.test"]);
    sent.recipients[0].orcpt = Some("rfc822;dave@remote.test".to_owned());
    sent.envid = Some("env-42".to_owned());
    h.submit(sent, MESSAGE).await;
    h.drained().await;

    assert_eq!(h.transport.attempts(), 1, "a failure is not retried");
    let inbox = h.inbox(h.alice).await;
    assert_eq!(inbox.len(), 1);
    assert!(text(&inbox[0]).starts_with("Return-Path: <>\r\n"));
    let dsn = Dsn::parse(&inbox[0]);
    assert_eq!(dsn.report_type, "delivery-status");
    assert!(
        dsn.from.contains("MAILER-DAEMON@mail.example.org"),
        "{}",
        dsn.from
    );
    assert_eq!(dsn.auto_submitted, "auto-replied");
    assert!(dsn.part("text/plain").unwrap().contains("dave@remote.test"));
    let status = dsn.status();
    for field in [
        "Reporting-MTA: dns; mail.example.org",
        "Original-Envelope-Id: env-42",
        "Arrival-Date: ",
        "Final-Recipient: rfc822; dave@remote.test",
        "Original-Recipient: rfc822;dave@remote.test",
        "Action: failed",
        "Status: 5.1.1",
        "Remote-MTA: dns; mx.remote.test",
        "Diagnostic-Code: smtp; 550 5.1.1 no such user",
    ] {
        assert!(status.contains(field), "{field} missing in {status}");
    }
    let returned = dsn.part("message/rfc822").expect("the message returned");
    assert!(returned.contains("Subject: Hello"));
    assert!(returned.contains("Hi Alice."));
}

#[tokio::test]
async fn ret_hdrs_returns_only_the_header() {
    let mut h = Harness::new();
    h.transport
        .then(OutcomeKind::Permanent, "5.1.1", "smtp; 550 5.1.1 no");
    h.start();
    let mut sent = envelope(Some("alice@example.org"), &["dave@remote.test"]);
    sent.ret = Some(Ret::Headers);
    h.submit(sent, MESSAGE).await;
    h.drained().await;

    let dsn = Dsn::parse(&h.inbox(h.alice).await[0]);
    assert!(dsn.part("message/rfc822").is_none());
    let header = dsn.part("text/rfc822-headers").unwrap();
    assert!(header.contains("Subject: Hello"));
    assert!(!header.contains("Hi Alice."));
}

#[tokio::test]
async fn null_sender_is_never_bounced() {
    let mut h = Harness::new();
    h.transport
        .then(OutcomeKind::Permanent, "5.1.1", "smtp; 550 5.1.1 no");
    h.directory.set_enabled("bob@example.org", false).unwrap();
    h.start();
    h.submit(
        envelope(None, &["dave@remote.test", "bob@example.org"]),
        MESSAGE,
    )
    .await;
    h.drained().await;

    assert_eq!(h.transport.attempts(), 1);
    assert!(h.inbox(h.alice).await.is_empty());
    assert!(h.inbox(h.bob).await.is_empty());
}

#[tokio::test]
async fn notify_never_suppresses_the_dsn() {
    let mut h = Harness::new();
    h.transport
        .then(OutcomeKind::Permanent, "5.1.1", "smtp; 550 5.1.1 no");
    h.start();
    let mut sent = envelope(Some("alice@example.org"), &["dave@remote.test"]);
    sent.recipients[0].notify = Notify {
        success: false,
        failure: false,
        delay: false,
    };
    h.submit(sent, MESSAGE).await;
    h.drained().await;

    assert!(h.inbox(h.alice).await.is_empty());
}

#[tokio::test]
async fn notify_success_reports_the_delivery() {
    let mut h = Harness::new();
    h.start();
    let mut sent = envelope(Some("alice@example.org"), &["dave@remote.test"]);
    sent.recipients[0].notify = Notify {
        success: true,
        failure: true,
        delay: false,
    };
    h.submit(sent, MESSAGE).await;
    h.drained().await;

    let inbox = h.inbox(h.alice).await;
    assert_eq!(inbox.len(), 1);
    let status = Dsn::parse(&inbox[0]).status();
    assert!(status.contains("Action: delivered"), "{status}");
    assert!(status.contains("Status: 2.0.0"), "{status}");
}

#[tokio::test]
async fn transient_failure_past_the_lifetime_bounces() {
    let mut settings = test_settings();
    settings.lifetime = Duration::ZERO;
    let mut h = Harness::with_settings(settings);
    h.transport
        .then(OutcomeKind::Transient, "4.4.1", "smtp; 421 4.4.1 busy");
    h.start();
    h.submit(
        envelope(Some("alice@example.org"), &["dave@remote.test"]),
        MESSAGE,
    )
    .await;
    h.drained().await;

    assert_eq!(h.transport.attempts(), 1);
    let status = Dsn::parse(&h.inbox(h.alice).await[0]).status();
    assert!(status.contains("Action: failed"), "{status}");
    assert!(status.contains("Status: 4.4.7"), "{status}");
    assert!(status.contains("421 4.4.1 busy"), "{status}");
}

#[tokio::test]
async fn full_mailbox_is_retried_then_bounced_at_expiry() {
    let mut settings = test_settings();
    settings.lifetime = Duration::from_millis(1500);
    let mut h = Harness::with_settings(settings);
    h.directory.set_quota("bob@example.org", Some(10)).unwrap();
    h.start();
    let id = h
        .submit(
            envelope(Some("alice@example.org"), &["bob@example.org"]),
            MESSAGE,
        )
        .await;
    let db = h.spool.db().clone();
    wait_for(|| {
        db.load(id)
            .unwrap()
            .is_some_and(|m| m.recipients[0].attempts >= 2)
    })
    .await;
    h.drained().await;

    assert!(h.inbox(h.bob).await.is_empty());
    let status = Dsn::parse(&h.inbox(h.alice).await[0]).status();
    assert!(status.contains("Status: 4.4.7"), "{status}");
    assert!(status.contains("mailbox full"), "{status}");
}

#[tokio::test]
async fn missing_message_file_fails_and_bounces() {
    let mut h = Harness::new();
    let id = h
        .submit(
            envelope(Some("alice@example.org"), &["bob@example.org"]),
            MESSAGE,
        )
        .await;
    std::fs::remove_file(h.spool.message_path(id)).unwrap();
    h.reopen_spool();
    h.start();
    h.drained().await;

    assert!(h.inbox(h.bob).await.is_empty());
    let dsn = Dsn::parse(&h.inbox(h.alice).await[0]);
    assert!(dsn.status().contains("Status: 5.3.0"));
    assert!(dsn.part("message/rfc822").is_none());
}

#[tokio::test]
async fn a_failure_recorded_before_a_crash_is_still_reported() {
    let mut h = Harness::new();
    let id = h
        .submit(
            envelope(Some("alice@example.org"), &["dave@remote.test"]),
            MESSAGE,
        )
        .await;
    // The daemon recorded the failure and died before queueing the DSN.
    let failed = postamt::queue::RecipientUpdate::Failed(postamt::queue::LastOutcome {
        status: "5.1.1".to_owned(),
        diagnostic: "smtp; 550 5.1.1 no such user".to_owned(),
        remote_mta: None,
    });
    h.spool.db().record(id, 0, &failed).unwrap();
    h.reopen_spool();
    h.start();
    h.drained().await;

    assert_eq!(h.transport.attempts(), 0);
    let status = Dsn::parse(&h.inbox(h.alice).await[0]).status();
    assert!(status.contains("Status: 5.1.1"), "{status}");
}

#[tokio::test]
async fn sender_is_told_once_when_delivery_is_delayed() {
    let mut settings = test_settings();
    settings.delay_warning = Some(Duration::ZERO);
    settings.retry_base = Duration::from_secs(3600);
    settings.retry_max = Duration::from_secs(3600);
    let mut h = Harness::with_settings(settings);
    h.transport.then(
        OutcomeKind::Transient,
        "4.2.0",
        "smtp; 451 4.2.0 greylisted",
    );
    h.start();
    let id = h
        .submit(
            envelope(Some("alice@example.org"), &["dave@remote.test"]),
            MESSAGE,
        )
        .await;
    let inbox = h.inbox_when(h.alice, 1).await;

    let dsn = Dsn::parse(&inbox[0]);
    let status = dsn.status();
    assert!(status.contains("Action: delayed"), "{status}");
    assert!(status.contains("Status: 4.2.0"), "{status}");
    assert!(status.contains("Will-Retry-Until: "), "{status}");
    assert!(dsn.part("message/rfc822").is_none());
    assert!(dsn.part("text/rfc822-headers").is_some());
    let queued = h.spool.db().load(id).unwrap().unwrap();
    assert!(queued.recipients[0].delay_reported);
    assert_eq!(
        queued.recipients[0].state,
        postamt::queue::RecipientState::Pending
    );
}

#[tokio::test]
async fn a_large_message_bounces_with_its_header_only() {
    let mut h = Harness::new();
    h.transport
        .then(OutcomeKind::Permanent, "5.2.3", "smtp; 552 5.2.3 too big");
    h.start();
    let mut large = MESSAGE.to_vec();
    large.extend(
        std::iter::repeat_n(
            b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd\r\n".as_slice(),
            32 * 1024,
        )
        .flatten(),
    );
    h.submit(
        envelope(Some("alice@example.org"), &["dave@remote.test"]),
        &large,
    )
    .await;
    h.drained().await;

    let stored = &h.inbox(h.alice).await[0];
    assert!(
        stored.len() < 128 * 1024,
        "the DSN holds {} octets",
        stored.len()
    );
    let dsn = Dsn::parse(stored);
    assert!(dsn.part("message/rfc822").is_none());
    assert!(
        dsn.part("text/rfc822-headers")
            .unwrap()
            .contains("Subject: Hello")
    );
}
