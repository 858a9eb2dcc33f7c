//! Submission (RFC 6409, ports 587 and 465): AUTH, the sender checks, what
//! the server adds to a message, and the per-user limits.

mod smtp_support;

use postamt::smtp::Role;
use smtp_support::{ALICE, PASSWORD, b64, fixture, settings, simple_message};

#[tokio::test]
async fn ehlo_offers_auth_on_loopback_when_plaintext_is_allowed() {
    let f = fixture().await;
    let mut c = f.connect(settings(Role::Submission)).await;
    let ehlo = c.ehlo().await;
    assert!(
        ehlo.ends_with("250-DSN\r\n250 AUTH PLAIN LOGIN\r\n"),
        "{ehlo}"
    );
}

#[tokio::test]
async fn without_tls_auth_is_neither_offered_nor_accepted() {
    let f = fixture().await;
    let mut s = settings(Role::Submission);
    s.plaintext_auth = false;
    let mut c = f.connect(s).await;
    let ehlo = c.ehlo().await;
    assert!(!ehlo.contains("AUTH"), "{ehlo}");
    c.auth_plain(ALICE, PASSWORD).await;
    c.expect("538 5.7.11").await;
}

#[tokio::test]
async fn auth_plain_with_and_without_initial_response() {
    let f = fixture().await;
    let mut c = f.connect(settings(Role::Submission)).await;
    c.ehlo().await;
    c.send("AUTH PLAIN").await;
    assert_eq!(c.reply().await, "334 \r\n");
    c.send(&smtp_support::plain_response(ALICE, PASSWORD)).await;
    c.expect("235 2.7.0").await;
    c.auth_plain(ALICE, PASSWORD).await;
    c.expect("503 5.5.1").await;
}

#[tokio::test]
async fn auth_login_prompts_for_user_and_password() {
    let f = fixture().await;
    let mut c = f.connect(settings(Role::Submission)).await;
    c.ehlo().await;
    c.send("AUTH LOGIN").await;
    assert_eq!(c.reply().await, "334 VXNlcm5hbWU6\r\n");
    c.send(&b64(ALICE)).await;
    assert_eq!(c.reply().await, "334 UGFzc3dvcmQ6\r\n");
    c.send(&b64(PASSWORD)).await;
    c.expect("235 2.7.0").await;
}

#[tokio::test]
async fn wrong_password_and_cancelled_exchange_are_refused() {
    let f = fixture().await;
    let mut c = f.connect(settings(Role::Submission)).await;
    c.ehlo().await;
    c.auth_plain(ALICE, "wrong").await;
    c.expect("535 5.7.8").await;
    c.send("AUTH LOGIN").await;
    c.expect("334").await;
    c.send("*").await;
    c.expect("501 5.0.0").await;
    c.send("AUTH CRAM-MD5").await;
    c.expect("504 5.5.4").await;
    c.send("MAIL FROM:<alice@example.test>").await;
    c.expect("530 5.7.0").await;
}

#[tokio::test]
async fn mail_before_auth_needs_authentication() {
    let f = fixture().await;
    let mut c = f.connect(settings(Role::Submission)).await;
    c.ehlo().await;
    c.send("MAIL FROM:<alice@example.test>").await;
    c.expect("530 5.7.0").await;
}

#[tokio::test]
async fn envelope_sender_must_be_the_users() {
    let f = fixture().await;
    let mut c = f.submission().await;
    c.send("MAIL FROM:<bob@example.test>").await;
    c.expect("553 5.7.1").await;
    for own in [
        "alice@example.test",
        "sales@example.test",
        "alice+tag@example.test",
    ] {
        c.send(&format!("MAIL FROM:<{own}>")).await;
        c.expect("250 2.1.0").await;
        c.send("RSET").await;
        c.expect("250").await;
    }
    c.send("MAIL FROM:<>").await;
    c.expect("250 2.1.0").await;
}

#[tokio::test]
async fn from_header_must_be_the_users() {
    let f = fixture().await;
    let mut c = f.submission().await;
    let reply = c
        .transaction(
            ALICE,
            "bob@example.test",
            &simple_message("Bob <bob@example.test>"),
        )
        .await;
    assert!(reply.starts_with("553 5.7.1"), "{reply}");
    assert!(f.committed().is_empty());
    let reply = c
        .transaction(
            ALICE,
            "bob@example.test",
            &simple_message("Sales <sales@example.test>"),
        )
        .await;
    assert!(reply.starts_with("250 2.0.0"), "{reply}");
}

#[tokio::test]
async fn message_id_and_date_are_added_when_missing() {
    let f = fixture().await;
    let mut c = f.submission().await;
    let reply = c
        .transaction(ALICE, "someone@elsewhere.example", &simple_message(ALICE))
        .await;
    assert!(reply.starts_with("250 2.0.0"), "{reply}");
    let committed = &f.committed()[0];
    let text = committed.text();
    assert!(text.starts_with("Received: from client.example.org ([127.0.0.1])\r\n\tby mx.example.test with ESMTPA id "), "{text}");
    let header = text.split("\r\n\r\n").next().unwrap();
    assert!(header.contains("\r\nDate: "), "{header}");
    assert!(
        header.contains("\r\nMessage-ID: <0123456789ab.1."),
        "{header}"
    );
    assert!(header.ends_with("@mx.example.test>"), "{header}");
    assert!(text.ends_with("\r\n\r\nHi Bob.\r\n"));
    assert_eq!(
        committed.envelope.submitter,
        Some(f.directory.user(ALICE).unwrap().unwrap().id)
    );
}

#[tokio::test]
async fn present_date_and_message_id_are_kept() {
    let f = fixture().await;
    let mut c = f.submission().await;
    let message = format!(
        "Date: Mon, 23 Nov 2026 19:46:09 +0000\r\nMessage-Id: <x@vm>\r\n{}",
        simple_message(ALICE)
    );
    c.transaction(ALICE, "bob@example.test", &message).await;
    let text = f.committed()[0].text();
    assert_eq!(text.matches("Date:").count(), 1);
    assert_eq!(text.to_ascii_lowercase().matches("message-id:").count(), 1);
}

#[tokio::test]
async fn remote_recipients_are_accepted_and_unknown_local_ones_refused() {
    let f = fixture().await;
    let mut c = f.submission().await;
    c.send("MAIL FROM:<alice@example.test>").await;
    c.expect("250").await;
    c.send("RCPT TO:<friend@elsewhere.example>").await;
    c.expect("250 2.1.5").await;
    c.send("RCPT TO:<nobody@example.test>").await;
    c.expect("550 5.1.1").await;
}

#[tokio::test]
async fn hourly_message_limit_answers_451_4_7_1() {
    let f = fixture().await;
    let mut s = settings(Role::Submission);
    s.smtp.submission_messages_per_hour = 1;
    let mut c = f.connect(s).await;
    c.ehlo().await;
    c.auth_plain(ALICE, PASSWORD).await;
    c.expect("235").await;
    let reply = c
        .transaction(ALICE, "bob@example.test", &simple_message(ALICE))
        .await;
    assert!(reply.starts_with("250 2.0.0"), "{reply}");
    c.send("MAIL FROM:<alice@example.test>").await;
    c.expect("451 4.7.1").await;
}

#[tokio::test]
async fn too_many_recipients_per_message_answers_452_4_5_3() {
    let f = fixture().await;
    let mut s = settings(Role::Submission);
    s.smtp.max_recipients = 1;
    let mut c = f.connect(s).await;
    c.ehlo().await;
    c.auth_plain(ALICE, PASSWORD).await;
    c.expect("235").await;
    c.send("MAIL FROM:<alice@example.test>").await;
    c.expect("250").await;
    c.send("RCPT TO:<a@elsewhere.example>").await;
    c.expect("250").await;
    c.send("RCPT TO:<b@elsewhere.example>").await;
    c.expect("452 4.5.3").await;
}

#[tokio::test]
async fn a_message_without_a_body_gets_the_fields_after_its_last_line() {
    let f = fixture().await;
    let mut c = f.submission().await;
    let reply = c
        .transaction(
            ALICE,
            "bob@example.test",
            "From: alice@example.test\r\nSubject: only a header\r\n",
        )
        .await;
    assert!(reply.starts_with("250 2.0.0"), "{reply}");
    let text = f.committed()[0].text();
    let after = text.split_once("Subject: only a header\r\n").unwrap().1;
    assert!(after.starts_with("Date: "), "{after}");
    assert!(after.contains("\r\nMessage-ID: <"), "{after}");
    assert!(after.ends_with(">\r\n"), "{after}");
}
