//! Automatic replies (RFC 5230, RFC 3834): once per sender per period,
//! never to lists, automatic mail, the null sender, spam, or mail not
//! addressed to the user; with Auto-Submitted and threading fields.

mod delivery_support;

use std::time::Duration;

use delivery_support::{Env, MESSAGE, contains};
use postamt::delivery::{AutoReply, SpamVerdict};
use postamt::queue::ReversePath;

fn vacation() -> AutoReply {
    AutoReply {
        from: None,
        subject: None,
        body: "I am away.".to_owned(),
        mime: false,
        addresses: Vec::new(),
        period: Duration::from_secs(7 * 24 * 3600),
        handle: "away".to_owned(),
    }
}

fn with_field(field: &str) -> Vec<u8> {
    let mut message = format!("{field}\r\n").into_bytes();
    message.extend_from_slice(MESSAGE);
    message
}

/// Delivers `message` from carol to alice with a vacation set; the number
/// of replies queued.
async fn replies_to(message: &[u8], sender: Option<&str>, spam: bool) -> usize {
    let env = Env::new();
    let pipeline = env.pipeline(move |_, d| {
        d.auto_reply = Some(vacation());
        if spam {
            d.spam = Some(SpamVerdict {
                score: 12.0,
                is_spam: true,
                spamtest: 10,
                percent: 100,
            });
        }
    });
    env.deliver(&pipeline, 1, sender, "alice@example.org", message)
        .await;
    assert_eq!(env.folder(env.alice, "INBOX").await.len(), 1);
    env.queued().len()
}

#[tokio::test]
async fn reply_goes_once_per_sender_per_period_with_auto_submitted_and_in_reply_to() {
    let env = Env::new();
    let pipeline = env.pipeline(|_, d| d.auto_reply = Some(vacation()));
    env.deliver(
        &pipeline,
        1,
        Some("carol@remote.test"),
        "alice@example.org",
        MESSAGE,
    )
    .await;
    env.deliver(
        &pipeline,
        2,
        Some("carol@remote.test"),
        "alice@example.org",
        MESSAGE,
    )
    .await;
    let queued = env.queued();
    assert_eq!(queued.len(), 1);
    let (message, reply) = &queued[0];
    assert_eq!(message.envelope.mail_from, ReversePath::Null);
    assert_eq!(message.envelope.recipients[0].address, "carol@remote.test");
    assert!(contains(reply, "Auto-Submitted: auto-replied\r\n"));
    assert!(contains(reply, "In-Reply-To: <m1@remote.test>"));
    assert!(contains(reply, "Subject: Auto: Hello"));
    assert!(contains(reply, "I am away."));
    env.deliver(
        &pipeline,
        3,
        Some("dave@remote.test"),
        "alice@example.org",
        MESSAGE,
    )
    .await;
    assert_eq!(env.queued().len(), 2, "another sender is answered");
}

#[tokio::test]
async fn no_reply_to_list_or_bulk_mail() {
    for field in [
        "List-Id: <news.remote.test>",
        "List-Unsubscribe: <mailto:leave@remote.test>",
        "List-Post: <mailto:news@remote.test>",
        "Precedence: bulk",
        "Precedence: list",
        "Precedence: junk",
        "X-Auto-Response-Suppress: All",
        "Auto-Submitted: auto-generated",
    ] {
        assert_eq!(
            replies_to(&with_field(field), Some("carol@remote.test"), false).await,
            0,
            "{field}"
        );
    }
}

#[tokio::test]
async fn auto_submitted_no_is_answered() {
    let message = with_field("Auto-Submitted: no");
    assert_eq!(
        replies_to(&message, Some("carol@remote.test"), false).await,
        1
    );
}

#[tokio::test]
async fn no_reply_to_the_null_sender() {
    assert_eq!(replies_to(MESSAGE, None, false).await, 0);
}

#[tokio::test]
async fn no_reply_to_a_daemon_sender() {
    assert_eq!(
        replies_to(MESSAGE, Some("MAILER-DAEMON@remote.test"), false).await,
        0
    );
    assert_eq!(
        replies_to(MESSAGE, Some("news-request@remote.test"), false).await,
        0
    );
}

#[tokio::test]
async fn no_reply_to_spam() {
    assert_eq!(
        replies_to(MESSAGE, Some("carol@remote.test"), true).await,
        0
    );
}

#[tokio::test]
async fn no_reply_to_the_users_own_address() {
    assert_eq!(
        replies_to(MESSAGE, Some("alice@example.org"), false).await,
        0
    );
}

#[tokio::test]
async fn no_reply_when_not_addressed_to_the_user() {
    let message = b"From: carol@remote.test\r\nTo: list@remote.test\r\nSubject: Hi\r\n\r\nBody\r\n";
    assert_eq!(
        replies_to(message, Some("carol@remote.test"), false).await,
        0
    );
}

#[tokio::test]
async fn cc_and_extra_addresses_count_as_addressed() {
    let cc = b"From: carol@remote.test\r\nTo: x@remote.test\r\nCc: Alice <alice@example.org>\r\n\r\nB\r\n";
    assert_eq!(replies_to(cc, Some("carol@remote.test"), false).await, 1);
    let env = Env::new();
    let pipeline = env.pipeline(|_, d| {
        let mut reply = vacation();
        reply.addresses.push("a.smith@old.test".to_owned());
        d.auto_reply = Some(reply);
    });
    let old = b"From: carol@remote.test\r\nTo: a.smith@old.test\r\n\r\nB\r\n";
    env.deliver(
        &pipeline,
        1,
        Some("carol@remote.test"),
        "alice@example.org",
        old,
    )
    .await;
    assert_eq!(env.queued().len(), 1);
}

#[tokio::test]
async fn from_subject_and_a_mime_body_are_used_as_given() {
    let env = Env::new();
    let pipeline = env.pipeline(|_, d| {
        let mut reply = vacation();
        reply.from = Some("office@example.org".to_owned());
        reply.subject = Some("Closed until Monday".to_owned());
        reply.mime = true;
        reply.body = "Content-Type: text/html\r\n\r\n<p>Closed</p>\r\n".to_owned();
        d.auto_reply = Some(reply);
    });
    env.deliver(
        &pipeline,
        1,
        Some("carol@remote.test"),
        "alice@example.org",
        MESSAGE,
    )
    .await;
    let queued = env.queued();
    let reply = &queued[0].1;
    assert!(contains(reply, "From: <office@example.org>\r\n"));
    assert!(contains(reply, "Subject: Closed until Monday"));
    assert!(contains(
        reply,
        "Content-Type: text/html\r\n\r\n<p>Closed</p>"
    ));
}
