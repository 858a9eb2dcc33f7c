//! DNS blocklists (RFC 5782) and URI blocklists as anti-spam evidence,
//! answered from a table instead of DNS: a listed client address (IPv4 or
//! IPv6) or URL domain adds the list's score and reason, error codes and
//! failed or slow lookups list nothing, and a message's URL domains are
//! looked up only up to the cap.

mod queue_support;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};

use mail_parser::MessageParser;
use postamt::antispam::{
    AntispamStage, Classifier, DnsListLookup, DnsLists, LookupError, LookupFuture,
};
use postamt::config::{AntispamSection, DnsList, Points};
use postamt::delivery::LocalDelivery;
use queue_support::{Harness, envelope};

/// What a list answers: addresses, an error, or never.
#[derive(Clone)]
enum Answer {
    Listed(Vec<Ipv4Addr>),
    Fails,
    Hangs,
}

/// A DNS zone in a table; every name it does not hold is NXDOMAIN.
#[derive(Default)]
struct Zone {
    answers: HashMap<String, Answer>,
    asked: Mutex<Vec<String>>,
}

impl Zone {
    fn with(mut self, name: &str, answer: Answer) -> Self {
        self.answers.insert(name.to_owned(), answer);
        self
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl DnsListLookup for Zone {
    fn a_records<'a>(&'a self, name: &'a str) -> LookupFuture<'a> {
        self.asked.lock().unwrap().push(name.to_owned());
        let answer = self.answers.get(name).cloned();
        Box::pin(async move {
            match answer {
                Some(Answer::Listed(addresses)) => Ok(addresses),
                Some(Answer::Hangs) => std::future::pending().await,
                Some(Answer::Fails) => Err(LookupError("SERVFAIL".to_owned())),
                None => Err(LookupError("NXDOMAIN".to_owned())),
            }
        })
    }
}

fn listed() -> Answer {
    Answer::Listed(vec![Ipv4Addr::new(127, 0, 0, 2)])
}

fn list(zone: &str, score: f64) -> DnsList {
    DnsList {
        zone: zone.to_owned(),
        score: Points::new(score).unwrap(),
    }
}

fn settings() -> AntispamSection {
    AntispamSection {
        dnsbl: vec![list("bl.test", 3.0)],
        uribl: vec![list("uri.test", 2.5)],
        authentication: false,
        ..AntispamSection::default()
    }
}

fn lists(zone: Zone) -> (DnsLists, Arc<Zone>) {
    let zone = Arc::new(zone);
    let lists = DnsLists::new(&settings(), Arc::clone(&zone) as Arc<dyn DnsListLookup>).unwrap();
    (lists, zone)
}

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().unwrap())
}

fn hosts(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[tokio::test]
async fn listed_ipv4_client_adds_the_lists_score_and_reason() {
    let (lists, _) = lists(Zone::default().with("9.100.51.198.bl.test", listed()));
    let reasons = lists.check(ip("198.51.100.9"), &[]).await;

    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].name, "DNSBL bl.test");
    assert_eq!(reasons[0].score, 3.0);
}

#[tokio::test]
async fn listed_ipv6_client_is_asked_by_reversed_nibbles() {
    let name = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test";
    let (lists, _) = lists(Zone::default().with(name, listed()));
    let reasons = lists.check(ip("2001:db8::1"), &[]).await;

    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].name, "DNSBL bl.test");
}

#[tokio::test]
async fn ipv4_mapped_client_is_asked_as_ipv4() {
    let (lists, zone) = lists(Zone::default().with("9.100.51.198.bl.test", listed()));
    let reasons = lists.check(ip("::ffff:198.51.100.9"), &[]).await;

    assert_eq!(reasons.len(), 1);
    assert_eq!(zone.asked(), vec!["9.100.51.198.bl.test".to_owned()]);
}

#[tokio::test]
async fn loopback_client_is_never_asked_about() {
    let (lists, zone) = lists(Zone::default());
    lists.check(ip("127.0.0.1"), &[]).await;

    assert!(zone.asked().is_empty());
}

#[tokio::test]
async fn unlisted_client_adds_nothing() {
    let (lists, zone) = lists(Zone::default());
    let reasons = lists.check(ip("192.0.2.1"), &[]).await;

    assert!(reasons.is_empty());
    assert_eq!(zone.asked(), vec!["1.2.0.192.bl.test".to_owned()]);
}

#[tokio::test]
async fn error_code_answer_127_255_255_254_is_ignored() {
    let answer = Answer::Listed(vec![Ipv4Addr::new(127, 255, 255, 254)]);
    let (lists, _) = lists(Zone::default().with("9.100.51.198.bl.test", answer));

    assert!(lists.check(ip("198.51.100.9"), &[]).await.is_empty());
}

#[tokio::test]
async fn failed_lookup_is_not_listed() {
    let (lists, _) = lists(Zone::default().with("9.100.51.198.bl.test", Answer::Fails));

    assert!(lists.check(ip("198.51.100.9"), &[]).await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn lookup_that_times_out_is_not_listed() {
    let (lists, _) = lists(
        Zone::default()
            .with("9.100.51.198.bl.test", Answer::Hangs)
            .with("spam.example.uri.test", listed()),
    );
    let reasons = lists
        .check(ip("198.51.100.9"), &hosts(&["spam.example"]))
        .await;

    let names: Vec<&str> = reasons.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, vec!["URIBL uri.test"]);
}

#[tokio::test]
async fn url_host_is_looked_up_by_its_registrable_domain() {
    let (lists, zone) = lists(Zone::default().with("spam.example.uri.test", listed()));
    let reasons = lists
        .check(None, &hosts(&["www.shop.spam.example", "clean.test"]))
        .await;

    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].name, "URIBL uri.test");
    assert_eq!(reasons[0].score, 2.5);
    assert!(zone.asked().contains(&"clean.test.uri.test".to_owned()));
}

#[tokio::test]
async fn one_list_counts_once_however_many_hosts_it_lists() {
    let (lists, _) = lists(
        Zone::default()
            .with("one.example.uri.test", listed())
            .with("two.example.uri.test", listed()),
    );
    let reasons = lists
        .check(None, &hosts(&["one.example", "two.example"]))
        .await;

    assert_eq!(reasons.len(), 1);
}

#[tokio::test]
async fn no_more_than_the_host_cap_is_looked_up() {
    let many: Vec<String> = (0..15).map(|i| format!("www.site{i}.example")).collect();
    let (lists, zone) = lists(Zone::default());
    lists.check(None, &many).await;

    let mut asked = zone.asked();
    asked.sort();
    let mut expected: Vec<String> = (0..10)
        .map(|i| format!("site{i}.example.uri.test"))
        .collect();
    expected.sort();
    assert_eq!(asked, expected);
}

#[test]
fn no_lists_configured_means_none_to_ask() {
    let none = DnsLists::new(
        &AntispamSection::default(),
        Arc::new(Zone::default()) as Arc<dyn DnsListLookup>,
    );
    assert!(none.is_none());
}

/// From 198.51.100.9 (as our Received field says), linking to spam.example.
const LISTED_MESSAGE: &[u8] = b"Received: from relay.example (relay.example [198.51.100.9])\r\n\tby mx.example.org with ESMTP id 1; Mon, 23 Nov 2026 10:00:00 +0000\r\nFrom: Sender <sender@relay.example>\r\nTo: alice@example.org\r\nSubject: offer\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <o1@relay.example>\r\n\r\nSee http://www.spam.example/offer today.\r\n";

#[tokio::test]
async fn delivery_stage_records_list_hits_in_x_spam_status() {
    let mut h = Harness::new();
    h.store.create_account(h.alice).await.unwrap();
    let zone = Zone::default()
        .with("9.100.51.198.bl.test", listed())
        .with("spam.example.uri.test", listed());
    let stage = AntispamStage::new(Arc::new(Classifier::open(h.dir.path())), settings())
        .with_dns_lists(Arc::new(zone));
    let delivery = LocalDelivery::new(h.store.clone(), h.directory.clone()).with_stage(stage);
    h.start_with(Arc::new(delivery));
    h.submit(
        envelope(Some("sender@relay.example"), &["alice@example.org"]),
        LISTED_MESSAGE,
    )
    .await;
    h.drained().await;

    // 3.0 + 2.5 = 5.5: over the default spam threshold of 5.
    let junk = h.folder(h.alice, "Junk").await;
    assert_eq!(junk.len(), 1);
    let parsed = MessageParser::default().parse(&junk[0]).unwrap();
    let status = parsed
        .header_raw("X-Spam-Status")
        .unwrap()
        .trim()
        .to_owned();
    assert!(status.contains("DNSBL bl.test"), "{status}");
    assert!(status.contains("URIBL uri.test"), "{status}");
}
