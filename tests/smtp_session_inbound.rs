//! Inbound SMTP (port 25): who is accepted, who is refused and why, and the
//! session limits; driven over tokio::io::duplex.

mod smtp_support;

use std::sync::Arc;

use postamt::delivery::Srs;
use postamt::smtp::Role;
use smtp_support::{fixture, settings, simple_message};

#[tokio::test]
async fn greeting_and_ehlo_name_the_host_and_offer_no_auth() {
    let f = fixture().await;
    let mut c = f.connect(settings(Role::Inbound)).await;
    c.send("EHLO client.example.org").await;
    let ehlo = c.expect("250 ").await;
    assert_eq!(
        ehlo,
        "250-mx.example.test Hello client.example.org\r\n250-PIPELINING\r\n250-SIZE 100000\r\n\
         250-8BITMIME\r\n250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250-CHUNKING\r\n\
         250-BINARYMIME\r\n250 DSN\r\n"
    );
}

#[tokio::test]
async fn helo_gets_a_single_line_without_extensions() {
    let f = fixture().await;
    let mut c = f.connect(settings(Role::Inbound)).await;
    c.send("HELO client.example.org").await;
    assert_eq!(
        c.reply().await,
        "250 mx.example.test Hello client.example.org\r\n"
    );
}

#[tokio::test]
async fn relay_attempt_is_denied() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.send("MAIL FROM:<spammer@elsewhere.example>").await;
    c.expect("250 2.1.0").await;
    c.send("RCPT TO:<victim@elsewhere.example>").await;
    c.expect("554 5.7.1").await;
    c.send("RCPT TO:<alice@[192.0.2.1]>").await;
    c.expect("554 5.7.1").await;
}

#[tokio::test]
async fn auth_is_not_available_on_inbound() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.auth_plain("alice@example.test", "secret-password").await;
    c.expect("502 5.5.1").await;
}

#[tokio::test]
async fn unknown_disabled_and_full_mailboxes_are_refused_at_rcpt() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.send("MAIL FROM:<someone@elsewhere.example>").await;
    c.expect("250 2.1.0").await;
    c.send("RCPT TO:<nobody@example.test>").await;
    c.expect("550 5.1.1").await;
    c.send("RCPT TO:<\"no body\"@example.test>").await;
    c.expect("550 5.1.1").await;
    c.send("RCPT TO:<carol@example.test>").await;
    c.expect("550 5.2.1").await;
    c.send("RCPT TO:<dave@example.test>").await;
    c.expect("452 4.2.2").await;
}

#[tokio::test]
async fn aliases_plus_addresses_and_postmaster_are_accepted() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.send("MAIL FROM:<someone@elsewhere.example>").await;
    c.expect("250 2.1.0").await;
    for rcpt in ["sales@example.test", "Bob+Lists@Example.TEST", "Postmaster"] {
        c.send(&format!("RCPT TO:<{rcpt}>")).await;
        c.expect("250 2.1.5").await;
    }
}

#[tokio::test]
async fn accepted_message_gets_a_received_field_and_nothing_else() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    let message = "Subject: hi\r\n\r\nbody\r\n";
    let reply = c
        .transaction("someone@elsewhere.example", "bob@example.test", message)
        .await;
    assert!(reply.starts_with("250 2.0.0 Ok: queued as "), "{reply}");
    let committed = f.committed();
    assert_eq!(committed.len(), 1);
    let text = committed[0].text();
    let (received, rest) = text.split_once("Subject: hi\r\n").unwrap();
    assert!(
        received.starts_with(
            "Received: from client.example.org ([127.0.0.1])\r\n\tby mx.example.test with ESMTP id 0123456789ab.1\r\n\tfor <bob@example.test>;\r\n\t"
        ),
        "{received}"
    );
    assert_eq!(rest, "\r\nbody\r\n");
    let envelope = &committed[0].envelope;
    assert_eq!(envelope.submitter, None);
    assert_eq!(envelope.recipients[0].address, "bob@example.test");
}

#[tokio::test]
async fn commands_out_of_order_get_503() {
    let f = fixture().await;
    let mut c = f.connect(settings(Role::Inbound)).await;
    c.send("MAIL FROM:<a@elsewhere.example>").await;
    c.expect("503 5.5.1").await;
    c.ehlo().await;
    c.send("RCPT TO:<bob@example.test>").await;
    c.expect("503 5.5.1").await;
    c.send("DATA").await;
    c.expect("503 5.5.1").await;
    c.send("MAIL FROM:<a@elsewhere.example>").await;
    c.expect("250 2.1.0").await;
    c.send("MAIL FROM:<a@elsewhere.example>").await;
    c.expect("503 5.5.1").await;
    c.send("DATA").await;
    c.expect("554 5.5.1").await;
}

#[tokio::test]
async fn too_many_recipients_get_452() {
    let f = fixture().await;
    let mut s = settings(Role::Inbound);
    s.smtp.max_recipients = 2;
    let mut c = f.connect(s).await;
    c.ehlo().await;
    c.send("MAIL FROM:<a@elsewhere.example>").await;
    c.expect("250").await;
    for _ in 0..2 {
        c.send("RCPT TO:<bob@example.test>").await;
        c.expect("250 2.1.5").await;
    }
    c.send("RCPT TO:<alice@example.test>").await;
    c.expect("452 4.5.3").await;
}

#[tokio::test]
async fn too_many_errors_close_the_session_with_421() {
    let f = fixture().await;
    let mut s = settings(Role::Inbound);
    s.smtp.max_errors = 3;
    let mut c = f.connect(s).await;
    c.send("FOO").await;
    c.expect("500 5.5.1").await;
    c.send("BAR").await;
    c.expect("500 5.5.1").await;
    c.send("BAZ").await;
    c.expect("500 5.5.1").await;
    c.expect("421 4.7.0").await;
    assert!(c.closed().await);
}

#[tokio::test]
async fn over_long_line_gets_500_5_5_6_and_the_session_goes_on() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.send(&format!(
        "MAIL FROM:<{}@elsewhere.example>",
        "a".repeat(3000)
    ))
    .await;
    c.expect("500 5.5.6").await;
    c.send(&format!("NOOP {}", "x".repeat(20_000))).await;
    c.expect("500 5.5.6").await;
    c.send("NOOP").await;
    c.expect("250 2.0.0").await;
}

#[tokio::test]
async fn nul_byte_in_a_command_is_refused() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.send_raw(b"MAIL FROM:<a@elsewhere.example>\0 SIZE=1\r\n")
        .await;
    c.expect("500 5.5.2").await;
    c.send("RSET").await;
    c.expect("250 2.0.0").await;
}

#[tokio::test]
async fn mail_loop_is_refused_at_the_end_of_data() {
    let f = fixture().await;
    let mut s = settings(Role::Inbound);
    s.smtp.max_received = 2;
    let mut c = f.connect(s).await;
    c.ehlo().await;
    let message = format!(
        "Received: a\r\nReceived: b\r\nReceived: c\r\n{}",
        simple_message("x@y.example")
    );
    let reply = c
        .transaction("someone@elsewhere.example", "bob@example.test", &message)
        .await;
    assert!(reply.starts_with("554 5.4.6"), "{reply}");
    assert!(f.committed().is_empty());
}

#[tokio::test]
async fn vrfy_neither_confirms_nor_denies_and_quit_closes() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.send("VRFY bob").await;
    c.expect("252 2.5.0").await;
    c.send("QUIT").await;
    c.expect("221 2.0.0").await;
    assert!(c.closed().await);
}

#[tokio::test]
async fn a_user_with_a_quota_but_no_mailbox_yet_is_accepted() {
    let f = fixture().await;
    f.directory
        .add_user("erin@example.test", &postamt::auth::Password::new("pw"))
        .unwrap();
    f.directory
        .set_quota("erin@example.test", Some(1000))
        .unwrap();
    let mut c = f.inbound().await;
    c.send("MAIL FROM:<a@elsewhere.example>").await;
    c.expect("250").await;
    c.send("RCPT TO:<erin@example.test>").await;
    c.expect("250 2.1.5").await;
}

#[tokio::test]
async fn a_declared_size_beyond_the_quota_left_is_refused_at_rcpt() {
    let f = fixture().await;
    f.directory
        .set_quota("bob@example.test", Some(1000))
        .unwrap();
    let mut c = f.inbound().await;
    c.send("MAIL FROM:<a@elsewhere.example> SIZE=2000").await;
    c.expect("250").await;
    c.send("RCPT TO:<bob@example.test>").await;
    c.expect("452 4.2.2").await;
    c.send("RSET").await;
    c.expect("250").await;
    c.send("MAIL FROM:<a@elsewhere.example> SIZE=500").await;
    c.expect("250").await;
    c.send("RCPT TO:<bob@example.test>").await;
    c.expect("250 2.1.5").await;
}

#[tokio::test]
async fn a_bounce_to_our_srs_address_is_accepted_and_a_forged_one_is_not() {
    let mut f = fixture().await;
    let srs = Arc::new(Srs::open(f.data_dir(), "mx.example.test").unwrap());
    f.context.srs = Some(Arc::clone(&srs));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let ours = srs.forward("carol@remote.example", now);
    let mut c = f.inbound().await;
    c.send("MAIL FROM:<>").await;
    c.expect("250 2.1.0").await;
    c.send(&format!("RCPT TO:<{ours}>")).await;
    c.expect("250 2.1.5").await;
    c.send("RCPT TO:<SRS0=AAAA=ZZ=remote.example=carol@mx.example.test>")
        .await;
    c.expect("554 5.7.1").await;
}
