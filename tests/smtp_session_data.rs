//! Message data: DATA and BDAT, dot-unstuffing, the size limit, SMTP
//! smuggling attempts, pipelining and what reaches the spool.

mod smtp_support;

use std::sync::Arc;

use postamt::queue::BodyType;
use postamt::smtp::Role;
use smtp_support::{FailingCommitSink, FullSink, fixture, settings};

/// The message as committed, without the Received field the server added.
fn body_after_received(text: &str) -> &str {
    let at = text.find(";\r\n\t").unwrap();
    let rest = &text[at + 4..];
    &rest[rest.find("\r\n").unwrap() + 2..]
}

#[tokio::test]
async fn dot_unstuffing_is_exact() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.start_data("a@elsewhere.example", "bob@example.test")
        .await;
    c.send_raw(b"Subject: dots\r\n\r\n..leading\r\n...\r\n.trailing\r\n.\r\n")
        .await;
    c.expect("250 2.0.0").await;
    let text = f.committed()[0].text();
    assert_eq!(
        body_after_received(&text),
        "Subject: dots\r\n\r\n.leading\r\n..\r\ntrailing\r\n"
    );
}

#[tokio::test]
async fn bare_lf_dot_lf_does_not_end_the_data() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.start_data("a@elsewhere.example", "bob@example.test")
        .await;
    // A smuggled second message after "\n.\n" and after "\r\n.\n".
    c.send_raw(
        b"Subject: one\r\n\r\nbody\n.\nMAIL FROM:<evil@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n\r\nsmuggled\r\n.\nRSET\r\n.\r\n",
    )
    .await;
    c.expect("550 5.6.11").await;
    c.send("NOOP").await;
    c.expect("250 2.0.0").await;
    assert!(f.committed().is_empty());
}

#[tokio::test]
async fn size_declared_over_the_limit_is_refused_at_mail() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.send("MAIL FROM:<a@elsewhere.example> SIZE=100001").await;
    c.expect("552 5.3.4").await;
    c.send("MAIL FROM:<a@elsewhere.example> SIZE=100000").await;
    c.expect("250 2.1.0").await;
}

#[tokio::test]
async fn data_over_the_limit_is_read_to_the_end_then_refused() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.start_data("a@elsewhere.example", "bob@example.test")
        .await;
    let line = format!("{}\r\n", "x".repeat(998));
    c.send_raw(b"Subject: big\r\n\r\n").await;
    for _ in 0..150 {
        c.send_raw(line.as_bytes()).await;
    }
    c.send_raw(b".\r\n").await;
    c.expect("552 5.3.4").await;
    c.send("NOOP").await;
    c.expect("250 2.0.0").await;
    assert!(f.committed().is_empty());
}

#[tokio::test]
async fn a_whole_pipelined_transaction_is_answered_in_order() {
    let f = fixture().await;
    let mut c = f.connect(settings(Role::Inbound)).await;
    c.send_raw(
        b"EHLO client.example.org\r\nMAIL FROM:<a@elsewhere.example>\r\nRCPT TO:<bob@example.test>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n",
    )
    .await;
    c.expect("250 DSN").await;
    c.expect("250 2.1.0").await;
    c.expect("250 2.1.5").await;
    c.expect("550 5.1.1").await;
    c.expect("250 2.1.5").await;
    c.expect("354").await;
    c.send_raw(b"Subject: p\r\n\r\nx\r\n.\r\nQUIT\r\n").await;
    c.expect("250 2.0.0").await;
    c.expect("221 2.0.0").await;
    let committed = f.committed();
    let recipients: Vec<_> = committed[0]
        .envelope
        .recipients
        .iter()
        .map(|r| r.address.as_str())
        .collect();
    assert_eq!(recipients, ["bob@example.test", "alice@example.test"]);
}

#[tokio::test]
async fn bdat_chunks_are_taken_verbatim() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.send("MAIL FROM:<a@elsewhere.example> BODY=BINARYMIME")
        .await;
    c.expect("250").await;
    c.send("RCPT TO:<bob@example.test>").await;
    c.expect("250").await;
    let first = b"Subject: chunks\r\n\r\n.line with a dot\r\n";
    let second = b"\0binary\r\n.\r\nend";
    c.send_raw(format!("BDAT {}\r\n", first.len()).as_bytes())
        .await;
    c.send_raw(first).await;
    c.expect("250 2.0.0").await;
    c.send_raw(format!("BDAT {} LAST\r\n", second.len()).as_bytes())
        .await;
    c.send_raw(second).await;
    c.expect("250 2.0.0 Ok: queued as").await;
    let committed = &f.committed()[0];
    assert_eq!(committed.envelope.body, BodyType::BinaryMime);
    let mut expected = first.to_vec();
    expected.extend_from_slice(second);
    assert!(committed.message.ends_with(&expected));
}

#[tokio::test]
async fn data_after_bdat_is_a_bad_sequence() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.send("MAIL FROM:<a@elsewhere.example>").await;
    c.expect("250").await;
    c.send("RCPT TO:<bob@example.test>").await;
    c.expect("250").await;
    c.send_raw(b"BDAT 5\r\nhello").await;
    c.expect("250 2.0.0").await;
    c.send("DATA").await;
    c.expect("503 5.5.1").await;
}

#[tokio::test]
async fn bdat_out_of_sequence_still_consumes_its_octets() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    let chunk = b"RSET\r\nQUIT\r\n";
    c.send_raw(format!("BDAT {} LAST\r\n", chunk.len()).as_bytes())
        .await;
    c.send_raw(chunk).await;
    c.expect("503 5.5.1").await;
    c.send("NOOP").await;
    c.expect("250 2.0.0").await;
}

#[tokio::test]
async fn client_leaving_mid_data_leaves_nothing_committed() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.start_data("a@elsewhere.example", "bob@example.test")
        .await;
    c.send_raw(b"Subject: cut\r\n\r\nhalf a mess").await;
    drop(c);
    f.sink.wait_for_drops(1).await;
    assert_eq!(*f.sink.started.lock().unwrap(), 1);
    assert!(f.committed().is_empty());
}

#[tokio::test]
async fn utf8_addresses_need_smtputf8() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.send("MAIL FROM:<jörg@bücher.example>").await;
    c.expect("553 5.6.7").await;
    c.send("MAIL FROM:<jörg@bücher.example> SMTPUTF8").await;
    c.expect("250 2.1.0").await;
    c.send("RCPT TO:<bob@example.test>").await;
    c.expect("250 2.1.5").await;
    c.send("DATA").await;
    c.expect("354").await;
    c.send_raw("Subject: grüße\r\n\r\nhallo\r\n.\r\n".as_bytes())
        .await;
    c.expect("250 2.0.0").await;
    let committed = &f.committed()[0];
    assert!(committed.envelope.smtputf8);
    assert!(committed.text().contains("with UTF8SMTP id"));
}

#[tokio::test]
async fn a_full_spool_answers_452_4_3_1() {
    let f = fixture().await;
    let mut c = f
        .connect_to(Arc::new(FullSink), settings(Role::Inbound))
        .await;
    c.ehlo().await;
    c.send("MAIL FROM:<a@elsewhere.example>").await;
    c.expect("250").await;
    c.send("RCPT TO:<bob@example.test>").await;
    c.expect("250").await;
    c.send("DATA").await;
    c.expect("452 4.3.1").await;
}

#[tokio::test]
async fn a_failed_commit_answers_451_4_3_0_never_250() {
    let f = fixture().await;
    let mut c = f
        .connect_to(Arc::new(FailingCommitSink), settings(Role::Inbound))
        .await;
    c.ehlo().await;
    let reply = c
        .transaction(
            "a@elsewhere.example",
            "bob@example.test",
            "Subject: x\r\n\r\ny\r\n",
        )
        .await;
    assert!(reply.starts_with("451 4.3.0"), "{reply}");
}

#[tokio::test]
async fn dsn_parameters_reach_the_envelope() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.send("MAIL FROM:<a@elsewhere.example> RET=HDRS ENVID=id+2B1 BODY=8BITMIME")
        .await;
    c.expect("250 2.1.0").await;
    c.send("RCPT TO:<bob@example.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;bob@example.test")
        .await;
    c.expect("250 2.1.5").await;
    c.send("DATA").await;
    c.expect("354").await;
    c.send_raw(b"Subject: dsn\r\n\r\nx\r\n.\r\n").await;
    c.expect("250 2.0.0").await;
    let envelope = f.committed()[0].envelope.clone();
    assert_eq!(envelope.ret, Some(postamt::queue::Ret::Headers));
    assert_eq!(envelope.envid.as_deref(), Some("id+1"));
    assert_eq!(envelope.body, BodyType::EightBitMime);
    let recipient = &envelope.recipients[0];
    assert!(recipient.notify.success && recipient.notify.delay && !recipient.notify.failure);
    assert_eq!(recipient.orcpt.as_deref(), Some("rfc822;bob@example.test"));
    assert_eq!(
        envelope.mail_from,
        postamt::queue::ReversePath::Address("a@elsewhere.example".into())
    );
}

#[tokio::test]
async fn a_bdat_chunk_over_the_limit_ends_the_transaction_with_552() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.send("MAIL FROM:<a@elsewhere.example>").await;
    c.expect("250").await;
    c.send("RCPT TO:<bob@example.test>").await;
    c.expect("250").await;
    let chunk = vec![b'x'; 100_001];
    c.send_raw(format!("BDAT {}\r\n", chunk.len()).as_bytes())
        .await;
    c.send_raw(&chunk).await;
    c.expect("552 5.3.4").await;
    c.send_raw(b"BDAT 3 LAST\r\nabc").await;
    c.expect("503 5.5.1").await;
    assert!(f.committed().is_empty());
}

#[tokio::test]
async fn parameters_after_helo_are_refused() {
    let f = fixture().await;
    let mut c = f.connect(settings(Role::Inbound)).await;
    c.send("HELO client.example.org").await;
    c.expect("250").await;
    c.send("MAIL FROM:<a@elsewhere.example> BODY=8BITMIME")
        .await;
    c.expect("555 5.5.4").await;
    c.start_data("a@elsewhere.example", "bob@example.test")
        .await;
    c.send_raw(b"Subject: old\r\n\r\nx\r\n.\r\n").await;
    c.expect("250 2.0.0").await;
    assert!(f.committed()[0].text().contains(" with SMTP id "));
}

#[tokio::test]
async fn bare_lf_in_bdat_of_a_text_message_is_refused() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    c.send("MAIL FROM:<a@elsewhere.example>").await;
    c.expect("250").await;
    c.send("RCPT TO:<bob@example.test>").await;
    c.expect("250").await;
    let chunk = b"Subject: x\r\n\r\nbody\n.\nMAIL FROM:<evil@example.test>\r\n";
    c.send_raw(format!("BDAT {} LAST\r\n", chunk.len()).as_bytes())
        .await;
    c.send_raw(chunk).await;
    c.expect("550 5.6.11").await;
    assert!(f.committed().is_empty());
}
