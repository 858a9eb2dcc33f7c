//! Anti-spam at SMTP time on port 25: a message scoring at or above
//! `reject_threshold` (with `reject_at_smtp`), or failing DMARC under
//! `p=reject` (with `dmarc_reject`), is refused with `550 5.7.1` before its
//! commit and leaves nothing in the spool; anything else is queued, and
//! submission is never checked. Sessions run against the real spool.

mod dns_support;
mod smtp_support;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use dns_support::TestDns;
use postamt::antispam::{
    AntispamStage, Classifier, DnsListLookup, LookupError, LookupFuture, SenderAuthenticator,
};
use postamt::config::{AntispamSection, DnsList, Points};
use postamt::queue::{MessageSink, Spool};
use postamt::server::{MaybeTls, Shutdown};
use postamt::smtp::{InboundCheck, Role, Session, SessionContext, SessionSettings};
use smtp_support::{ALICE, Client, Fixture, PASSWORD, fixture, settings};

/// Scores exactly 5.5 with an untrained model: MISSING_MID (1.0),
/// LINK_TEXT_MISMATCH (2.0) and SUSPICIOUS_ATTACHMENT (2.5).
fn spam_from(from: &str) -> String {
    format!(
        "From: {from}\r\nTo: bob@example.test\r\nSubject: Your invoice\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the invoice.\r\n--b\r\nContent-Type: text/html\r\n\r\n<p><a href=\"http://evil.example/x\">http://bank.example/login</a></p>\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"invoice.exe\"\r\n\r\nMZ\r\n--b--\r\n"
    )
}

/// Well formed, plain text: no rule matches, score 0.
fn ham_from(from: &str) -> String {
    format!(
        "From: {from}\r\nTo: bob@example.test\r\nSubject: Lunch\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <lunch.1@example.net>\r\n\r\nShall we meet at noon?\r\n"
    )
}

fn rejecting_at(threshold: f64) -> AntispamSection {
    AntispamSection {
        reject_at_smtp: true,
        spam_threshold: Points::new(threshold.min(5.0)).unwrap(),
        reject_threshold: Points::new(threshold).unwrap(),
        authentication: false,
        ..AntispamSection::default()
    }
}

struct Setup {
    fixture: Fixture,
    spool: Arc<Spool>,
    check: Option<Arc<dyn InboundCheck>>,
    /// The zone the authenticator asks, when there is one.
    _dns: Option<TestDns>,
}

impl Setup {
    async fn new(stage: impl FnOnce(&Fixture) -> AntispamStage) -> Self {
        let fixture = fixture().await;
        let spool = Spool::open(fixture.data_dir()).unwrap();
        let check = stage(&fixture).inbound_check();
        Self {
            fixture,
            spool,
            check,
            _dns: None,
        }
    }

    /// With an untrained model and `settings`, no DNS.
    async fn scoring(settings: AntispamSection) -> Self {
        Self::new(|f| AntispamStage::new(Arc::new(Classifier::open(f.data_dir())), settings)).await
    }

    /// With `settings` and an authenticator that knows bank.example: SPF
    /// allows 192.0.2.0/24 only, DMARC says p=reject.
    async fn authenticating(settings: AntispamSection) -> Self {
        let dns = TestDns::start();
        dns.spf("bank.example", "v=spf1 ip4:192.0.2.0/24 -all");
        dns.dmarc("bank.example", "v=DMARC1; p=reject");
        let auth = SenderAuthenticator::new("mx.example.test", dns.resolver());
        let mut setup = Self::new(|f| {
            AntispamStage::new(Arc::new(Classifier::open(f.data_dir())), settings)
                .with_authenticator(Arc::new(auth))
        })
        .await;
        setup._dns = Some(dns);
        setup
    }

    /// A session in `role` after EHLO (and login on submission).
    async fn connect(&self, role: Role) -> Client {
        self.connect_from(role, settings(role).peer).await
    }

    /// The same, from the client address `peer`.
    async fn connect_from(&self, role: Role, peer: SocketAddr) -> Client {
        let mut context = SessionContext {
            sink: Arc::clone(&self.spool) as Arc<dyn MessageSink>,
            ..self.fixture.context.clone()
        };
        context.inbound_check = self.check.clone();
        let (client, server) = tokio::io::duplex(1 << 20);
        let session = Session::new(
            MaybeTls::Plain(server),
            context,
            SessionSettings {
                peer,
                ..settings(role)
            },
            Shutdown::never(),
        );
        tokio::spawn(session.run());
        let mut c = Client::new(client);
        c.expect("220 ").await;
        c.ehlo().await;
        if role == Role::Submission {
            c.auth_plain(ALICE, PASSWORD).await;
            c.expect("235 2.7.0").await;
        }
        c
    }

    fn queued(&self) -> usize {
        self.spool.db().ids().unwrap().len()
    }

    /// Staged files left behind in the spool's tmp/.
    fn staged(&self) -> usize {
        std::fs::read_dir(self.fixture.data_dir().join("queue/tmp"))
            .unwrap()
            .count()
    }
}

#[tokio::test]
async fn spam_at_the_reject_threshold_is_refused_and_nothing_spooled() {
    let s = Setup::scoring(rejecting_at(5.5)).await;
    let mut c = s.connect(Role::Inbound).await;
    let from = "x@remote.test";
    let reply = c
        .transaction(from, "bob@example.test", &spam_from(from))
        .await;

    assert!(reply.starts_with("550 5.7.1 "), "{reply}");
    assert!(!reply.contains("score"), "{reply}");
    assert_eq!(s.queued(), 0);
    assert_eq!(s.staged(), 0);
}

#[tokio::test]
async fn spam_below_the_reject_threshold_is_queued() {
    let s = Setup::scoring(rejecting_at(5.6)).await;
    let mut c = s.connect(Role::Inbound).await;
    let from = "x@remote.test";
    let reply = c
        .transaction(from, "bob@example.test", &spam_from(from))
        .await;

    assert!(reply.starts_with("250 2.0.0"), "{reply}");
    assert_eq!(s.queued(), 1);
}

#[tokio::test]
async fn ham_is_queued_when_rejecting_is_on() {
    let s = Setup::scoring(rejecting_at(1.0)).await;
    let mut c = s.connect(Role::Inbound).await;
    let from = "x@remote.test";
    let reply = c
        .transaction(from, "bob@example.test", &ham_from(from))
        .await;

    assert!(reply.starts_with("250 2.0.0"), "{reply}");
    assert_eq!(s.queued(), 1);
}

#[tokio::test]
async fn the_session_goes_on_after_a_refusal() {
    let s = Setup::scoring(rejecting_at(5.5)).await;
    let mut c = s.connect(Role::Inbound).await;
    let from = "x@remote.test";
    let refused = c
        .transaction(from, "bob@example.test", &spam_from(from))
        .await;
    let accepted = c
        .transaction(from, "bob@example.test", &ham_from(from))
        .await;

    assert!(refused.starts_with("550 5.7.1"), "{refused}");
    assert!(accepted.starts_with("250 2.0.0"), "{accepted}");
    assert_eq!(s.queued(), 1);
}

#[tokio::test]
async fn bdat_spam_is_refused_too() {
    let s = Setup::scoring(rejecting_at(5.5)).await;
    let mut c = s.connect(Role::Inbound).await;
    let message = spam_from("x@remote.test");
    c.send("MAIL FROM:<x@remote.test>").await;
    c.expect("250 2.1.0").await;
    c.send("RCPT TO:<bob@example.test>").await;
    c.expect("250 2.1.5").await;
    c.send(&format!("BDAT {} LAST", message.len())).await;
    c.send_raw(message.as_bytes()).await;
    let reply = c.reply().await;

    assert!(reply.starts_with("550 5.7.1"), "{reply}");
    assert_eq!(s.queued(), 0);
}

#[tokio::test]
async fn with_reject_at_smtp_off_there_is_no_check() {
    let settings = AntispamSection {
        reject_at_smtp: false,
        ..rejecting_at(1.0)
    };
    let s = Setup::scoring(settings).await;
    assert!(s.check.is_none());
    let mut c = s.connect(Role::Inbound).await;
    let from = "x@remote.test";
    let reply = c
        .transaction(from, "bob@example.test", &spam_from(from))
        .await;

    assert!(reply.starts_with("250 2.0.0"), "{reply}");
    assert_eq!(s.queued(), 1);
}

#[tokio::test]
async fn submission_is_never_checked() {
    let s = Setup::scoring(rejecting_at(1.0)).await;
    let mut c = s.connect(Role::Submission).await;
    let reply = c
        .transaction(ALICE, "someone@remote.test", &spam_from(ALICE))
        .await;

    assert!(reply.starts_with("250 2.0.0"), "{reply}");
    assert_eq!(s.queued(), 1);
}

fn dmarc_rejecting(dmarc_reject: bool) -> AntispamSection {
    AntispamSection {
        dmarc_reject,
        authentication: true,
        ..AntispamSection::default()
    }
}

#[tokio::test]
async fn dmarc_reject_failure_is_refused_with_dmarc_reject_on() {
    let s = Setup::authenticating(dmarc_rejecting(true)).await;
    let mut c = s.connect(Role::Inbound).await;
    let from = "security@bank.example";
    let reply = c
        .transaction(from, "bob@example.test", &ham_from(from))
        .await;

    assert!(reply.starts_with("550 5.7.1 "), "{reply}");
    assert!(reply.contains("DMARC"), "{reply}");
    assert_eq!(s.queued(), 0);
}

#[tokio::test]
async fn dmarc_reject_failure_is_queued_with_dmarc_reject_off() {
    let s = Setup::authenticating(dmarc_rejecting(false)).await;
    assert!(s.check.is_none());
    let mut c = s.connect(Role::Inbound).await;
    let from = "security@bank.example";
    let reply = c
        .transaction(from, "bob@example.test", &ham_from(from))
        .await;

    assert!(reply.starts_with("250 2.0.0"), "{reply}");
    assert_eq!(s.queued(), 1);
}

#[tokio::test]
async fn dmarc_pass_is_queued_with_dmarc_reject_on() {
    let s = Setup::authenticating(dmarc_rejecting(true)).await;
    let mut c = s.connect(Role::Inbound).await;
    let from = "someone@other.example";
    let reply = c
        .transaction(from, "bob@example.test", &ham_from(from))
        .await;

    assert!(reply.starts_with("250 2.0.0"), "{reply}");
    assert_eq!(s.queued(), 1);
}

#[tokio::test]
async fn dmarc_reject_without_authentication_has_no_check() {
    let settings = AntispamSection {
        authentication: false,
        ..dmarc_rejecting(true)
    };
    let s = Setup::authenticating(settings).await;
    assert!(s.check.is_none());
}

/// A DNS blocklist that lists 198.51.100.9 and nothing else.
struct ListsOne;

impl DnsListLookup for ListsOne {
    fn a_records<'a>(&'a self, name: &'a str) -> LookupFuture<'a> {
        let listed = name == "9.100.51.198.bl.test";
        Box::pin(async move {
            if listed {
                Ok(vec![Ipv4Addr::new(127, 0, 0, 2)])
            } else {
                Err(LookupError("NXDOMAIN".to_owned()))
            }
        })
    }
}

#[tokio::test]
async fn a_client_on_a_blocklist_scoring_over_the_threshold_is_refused() {
    let settings = AntispamSection {
        dnsbl: vec![DnsList {
            zone: "bl.test".to_owned(),
            score: Points::new(20.0).unwrap(),
        }],
        ..rejecting_at(15.0)
    };
    let s = Setup::new(|f| {
        AntispamStage::new(Arc::new(Classifier::open(f.data_dir())), settings)
            .with_dns_lists(Arc::new(ListsOne))
    })
    .await;
    let from = "x@remote.test";
    let mut listed = s
        .connect_from(Role::Inbound, "198.51.100.9:40000".parse().unwrap())
        .await;
    let refused = listed
        .transaction(from, "bob@example.test", &ham_from(from))
        .await;
    let mut unlisted = s
        .connect_from(Role::Inbound, "198.51.100.10:40000".parse().unwrap())
        .await;
    let accepted = unlisted
        .transaction(from, "bob@example.test", &ham_from(from))
        .await;

    assert!(refused.starts_with("550 5.7.1"), "{refused}");
    assert!(accepted.starts_with("250 2.0.0"), "{accepted}");
    assert_eq!(s.queued(), 1);
}

#[tokio::test]
async fn a_message_that_cannot_be_scored_is_accepted() {
    // The models' directory is a file: the classifier cannot open them.
    let broken = tempfile::tempdir().unwrap();
    std::fs::write(broken.path().join("antispam"), b"not a directory").unwrap();
    let classifier = Arc::new(Classifier::open(broken.path()));
    let s = Setup::new(|_| AntispamStage::new(classifier, rejecting_at(-100.0))).await;
    let mut c = s.connect(Role::Inbound).await;
    let from = "x@remote.test";
    let reply = c
        .transaction(from, "bob@example.test", &spam_from(from))
        .await;

    assert!(reply.starts_with("250 2.0.0"), "{reply}");
    assert_eq!(s.queued(), 1);
}
