//! The anti-spam stage in the delivery pipeline over a temp-dir store:
//! spam goes to Junk with the verdict and its header fields, ham to INBOX,
//! and a user's threshold is theirs.

mod antispam_support;
mod dns_support;
mod queue_support;

use std::sync::Arc;

use dns_support::TestDns;
use mail_parser::MessageParser;
use postamt::antispam::{AntispamStage, Classifier, Label, Scope, SenderAuthenticator};
use postamt::config::{AntispamSection, Points};
use postamt::delivery::LocalDelivery;
use queue_support::{Harness, envelope};

/// A global model trained on two fifths of the corpus; indices divisible
/// by 5 are never seen.
fn trained(h: &Harness) -> Arc<Classifier> {
    let classifier = Arc::new(Classifier::open(h.dir.path()));
    for (kind, label) in [("ham", Label::Ham), ("spam", Label::Spam)] {
        for (i, m) in antispam_support::corpus(kind).iter().enumerate() {
            if !i.is_multiple_of(5) && i.is_multiple_of(2) {
                classifier.train(Scope::Global, m, label).unwrap();
            }
        }
    }
    classifier
}

fn crlf(message: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(message)
        .replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

/// Accounts made up front: a first delivery that makes the account's store
/// files into INBOX whatever the stages chose.
async fn start(h: &mut Harness, settings: AntispamSection) {
    h.store.create_account(h.alice).await.unwrap();
    h.store.create_account(h.bob).await.unwrap();
    let stage = AntispamStage::new(trained(h), settings);
    let delivery = LocalDelivery::new(h.store.clone(), h.directory.clone()).with_stage(stage);
    h.start_with(Arc::new(delivery));
}

fn header(stored: &[u8], name: &str) -> Option<String> {
    let parsed = MessageParser::default().parse(stored)?;
    parsed.header_raw(name).map(|v| v.trim().to_owned())
}

#[tokio::test]
async fn spam_goes_to_junk_with_its_verdict() {
    let mut h = Harness::new();
    start(&mut h, AntispamSection::default()).await;
    let spam = crlf(&antispam_support::corpus("spam")[5]);
    h.submit(
        envelope(Some("x@remote.test"), &["alice@example.org"]),
        &spam,
    )
    .await;
    h.drained().await;

    assert!(h.inbox(h.alice).await.is_empty());
    let junk = h.folder(h.alice, "Junk").await;
    assert_eq!(junk.len(), 1);
    let status = header(&junk[0], "X-Spam-Status").unwrap();
    assert!(status.starts_with("Yes, score="), "{status}");
    assert!(status.contains("tests=BAYES_"), "{status}");
    let score: f64 = header(&junk[0], "X-Spam-Score").unwrap().parse().unwrap();
    assert!(score >= 5.0, "{score}");
}

#[tokio::test]
async fn ham_goes_to_inbox_marked_no() {
    let mut h = Harness::new();
    start(&mut h, AntispamSection::default()).await;
    let ham = crlf(&antispam_support::corpus("ham")[5]);
    h.submit(
        envelope(Some("x@remote.test"), &["alice@example.org"]),
        &ham,
    )
    .await;
    h.drained().await;

    let inbox = h.inbox(h.alice).await;
    assert_eq!(inbox.len(), 1);
    let status = header(&inbox[0], "X-Spam-Status").unwrap();
    assert!(status.starts_with("No, score="), "{status}");
    assert!(h.folder(h.alice, "Junk").await.is_empty());
}

#[tokio::test]
async fn a_users_own_threshold_decides_for_them() {
    let mut h = Harness::new();
    let mut settings = AntispamSection::default();
    settings
        .user_threshold
        .insert("bob@example.org".to_owned(), Points::new(100.0).unwrap());
    start(&mut h, settings).await;
    let spam = crlf(&antispam_support::corpus("spam")[5]);
    h.submit(
        envelope(
            Some("x@remote.test"),
            &["alice@example.org", "bob@example.org"],
        ),
        &spam,
    )
    .await;
    h.drained().await;

    assert_eq!(h.folder(h.alice, "Junk").await.len(), 1);
    let bob = h.inbox(h.bob).await;
    assert_eq!(bob.len(), 1);
    assert!(
        header(&bob[0], "X-Spam-Status")
            .unwrap()
            .contains("required=100.0")
    );
}

#[tokio::test]
async fn disabled_stage_adds_nothing() {
    let mut h = Harness::new();
    start(
        &mut h,
        AntispamSection {
            enabled: false,
            ..AntispamSection::default()
        },
    )
    .await;
    let spam = crlf(&antispam_support::corpus("spam")[5]);
    h.submit(
        envelope(Some("x@remote.test"), &["alice@example.org"]),
        &spam,
    )
    .await;
    h.drained().await;

    let inbox = h.inbox(h.alice).await;
    assert_eq!(inbox.len(), 1);
    assert_eq!(header(&inbox[0], "X-Spam-Status"), None);
}

/// Claims to be from bank.example, whose SPF lists 192.0.2.0/24 and whose
/// DMARC says reject, but came from 198.51.100.9 unsigned.
const SPOOFED: &[u8] = b"Received: from evil.example (evil.example [198.51.100.9])\r\n\tby mx.example.org with ESMTP id 1; Mon, 23 Nov 2026 10:00:00 +0000\r\nFrom: Security <security@bank.example>\r\nTo: alice@example.org\r\nSubject: Verify your account\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <v1@bank.example>\r\n\r\nPlease verify your account.\r\n";

/// Starts delivery with an authenticator asking the zone of the returned
/// server (keep it for the test's length).
async fn start_authenticating(h: &mut Harness, settings: AntispamSection) -> TestDns {
    h.store.create_account(h.alice).await.unwrap();
    let dns = TestDns::start();
    dns.spf("bank.example", "v=spf1 ip4:192.0.2.0/24 -all");
    dns.dmarc("bank.example", "v=DMARC1; p=reject");
    let auth = SenderAuthenticator::new("mx.example.org", dns.resolver());
    let stage = AntispamStage::new(Arc::new(Classifier::open(h.dir.path())), settings)
        .with_authenticator(Arc::new(auth));
    let delivery = LocalDelivery::new(h.store.clone(), h.directory.clone()).with_stage(stage);
    h.start_with(Arc::new(delivery));
    dns
}

#[tokio::test]
async fn dmarc_reject_failure_is_filed_into_junk_by_default() {
    let mut h = Harness::new();
    let _dns = start_authenticating(&mut h, AntispamSection::default()).await;
    h.submit(
        envelope(Some("security@bank.example"), &["alice@example.org"]),
        SPOOFED,
    )
    .await;
    h.drained().await;

    let junk = h.folder(h.alice, "Junk").await;
    assert_eq!(junk.len(), 1);
    let results = header(&junk[0], "Authentication-Results").unwrap();
    assert!(results.starts_with("mx.example.org;"), "{results}");
    assert!(results.contains("spf=fail"), "{results}");
    assert!(results.contains("dmarc=fail"), "{results}");
    let status = header(&junk[0], "X-Spam-Status").unwrap();
    assert!(status.starts_with("Yes"), "{status}");
    assert!(status.contains("DMARC_FAIL"), "{status}");
}

/// With `dmarc_reject` the refusal happens in the SMTP session
/// (tests/antispam_smtp_reject.rs); one that got past it is never bounced.
#[tokio::test]
async fn dmarc_reject_failure_accepted_is_filed_into_junk_not_bounced() {
    let mut h = Harness::new();
    let _dns = start_authenticating(
        &mut h,
        AntispamSection {
            dmarc_reject: true,
            ..AntispamSection::default()
        },
    )
    .await;
    h.submit(
        envelope(Some("security@bank.example"), &["alice@example.org"]),
        SPOOFED,
    )
    .await;
    h.drained().await;

    assert!(h.inbox(h.alice).await.is_empty());
    assert_eq!(h.folder(h.alice, "Junk").await.len(), 1);
    assert_eq!(h.transport.attempts(), 0, "a bounce was sent");
}
