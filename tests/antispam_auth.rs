//! SPF, DKIM and DMARC against a zone served by a DNS server on loopback
//! (NXDOMAIN for any name the zone lacks), through the daemon's resolver.

use std::net::IpAddr;

use mail_auth::SpfResult;
use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use mail_auth::dmarc::Policy;
use postamt::antispam::{Client, SenderAuthenticator, client_from_received};

mod dns_support;
use dns_support::{Authenticator, TestDns};

const HOST: &str = "mx.example.test";

fn client(ip: &str) -> Client {
    Client {
        ip: ip.parse::<IpAddr>().unwrap(),
        helo: "out.sender.example".to_owned(),
    }
}

fn authenticator() -> Authenticator {
    let dns = TestDns::start();
    dns.spf("sender.example", "v=spf1 ip4:192.0.2.0/24 -all");
    dns.spf("soft.example", "v=spf1 ip4:192.0.2.0/24 ~all");
    Authenticator::new(HOST, dns)
}

fn message(from: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: alice@example.test\r\nSubject: Report\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <r1@sender.example>\r\n\r\nThe quarterly figures.\r\n"
    )
    .into_bytes()
}

/// Signs `raw` for `domain` with a fresh ed25519 key published in the zone.
fn signed(dns: &TestDns, domain: &str, raw: &[u8]) -> Vec<u8> {
    let pkcs8 = Ed25519Key::generate_pkcs8().unwrap();
    let key = Ed25519Key::from_pkcs8_der(&pkcs8).unwrap();
    let public = base64_encode(&key.public_key());
    dns.dkim_key("s1", domain, &format!("v=DKIM1; k=ed25519; p={public}"));
    let signature = DkimSigner::from_key(key)
        .domain(domain)
        .selector("s1")
        .headers(["From", "To", "Subject", "Date", "Message-ID"])
        .sign(raw)
        .unwrap();
    let mut out = signature.to_header().into_bytes();
    out.extend_from_slice(raw);
    out
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn spf_pass_from_a_listed_address() {
    let report = authenticator()
        .authenticate(
            &message("a@sender.example"),
            Some(&client("192.0.2.10")),
            "a@sender.example",
        )
        .await;
    assert_eq!(report.spf, Some(SpfResult::Pass));
    assert!(report.results.contains("spf=pass"), "{}", report.results);
}

#[tokio::test]
async fn spf_fail_from_an_unlisted_address() {
    let report = authenticator()
        .authenticate(
            &message("a@sender.example"),
            Some(&client("198.51.100.7")),
            "a@sender.example",
        )
        .await;
    assert_eq!(report.spf, Some(SpfResult::Fail));
    assert!(report.reasons.iter().any(|r| r.name == "SPF_FAIL"));
}

#[tokio::test]
async fn spf_softfail_under_tilde_all() {
    let report = authenticator()
        .authenticate(
            &message("a@soft.example"),
            Some(&client("198.51.100.7")),
            "a@soft.example",
        )
        .await;
    assert_eq!(report.spf, Some(SpfResult::SoftFail));
    assert!(report.reasons.iter().any(|r| r.name == "SPF_SOFTFAIL"));
}

#[tokio::test]
async fn spf_none_without_a_record() {
    let report = authenticator()
        .authenticate(
            &message("a@norecord.example"),
            Some(&client("198.51.100.7")),
            "a@norecord.example",
        )
        .await;
    assert_eq!(report.spf, Some(SpfResult::None));
    assert!(report.results.contains("spf=none"), "{}", report.results);
}

#[tokio::test]
async fn dkim_signature_round_trip_verifies() {
    let auth = authenticator();
    let raw = signed(&auth.dns, "sender.example", &message("a@sender.example"));
    let report = auth.authenticate(&raw, None, "a@sender.example").await;
    assert!(report.dkim_pass, "{}", report.results);
    assert!(report.results.contains("dkim=pass"), "{}", report.results);
}

#[tokio::test]
async fn dkim_signature_over_a_changed_body_fails() {
    let auth = authenticator();
    let mut raw = signed(&auth.dns, "sender.example", &message("a@sender.example"));
    let text = String::from_utf8(raw.clone())
        .unwrap()
        .replace("quarterly", "doctored");
    raw = text.into_bytes();
    let report = auth.authenticate(&raw, None, "a@sender.example").await;
    assert!(!report.dkim_pass);
    assert!(report.reasons.iter().any(|r| r.name == "DKIM_INVALID"));
}

#[tokio::test]
async fn dmarc_passes_when_dkim_is_aligned_with_from() {
    let auth = authenticator();
    auth.dns.dmarc("sender.example", "v=DMARC1; p=reject");
    let raw = signed(&auth.dns, "sender.example", &message("a@sender.example"));
    let report = auth
        .authenticate(&raw, Some(&client("198.51.100.7")), "bounce@other.example")
        .await;
    assert_eq!(report.dmarc_failed, None);
    assert!(report.results.contains("dmarc=pass"), "{}", report.results);
}

#[tokio::test]
async fn dmarc_fails_with_the_policy_when_nothing_aligns() {
    let auth = authenticator();
    auth.dns.dmarc("bank.example", "v=DMARC1; p=reject");
    // Signed and SPF-authorised for sender.example, but claiming bank.example.
    let raw = signed(
        &auth.dns,
        "sender.example",
        &message("security@bank.example"),
    );
    let report = auth
        .authenticate(&raw, Some(&client("192.0.2.10")), "a@sender.example")
        .await;
    assert_eq!(report.dmarc_failed, Some(Policy::Reject));
    assert!(report.results.contains("dmarc=fail"), "{}", report.results);
    assert!(report.reasons.iter().any(|r| r.name == "DMARC_FAIL"));
}

#[tokio::test]
async fn a_message_is_authenticated_once() {
    let auth = authenticator();
    let raw = message("a@sender.example");
    let first = auth
        .authenticate(&raw, Some(&client("192.0.2.10")), "a@sender.example")
        .await;
    assert_eq!(auth.remembered(&raw, "a@sender.example"), Some(first));
    assert_eq!(auth.remembered(&raw, "b@sender.example"), None);
    assert_eq!(
        auth.remembered(b"Subject: other\r\n\r\n", "a@sender.example"),
        None
    );
}

#[tokio::test]
async fn a_lookup_that_fails_is_a_temporary_error_and_not_remembered() {
    let dead = dns_support::DeadDns::start();
    let auth = SenderAuthenticator::new(HOST, dead.resolver(5));
    let raw = message("a@sender.example");
    let report = auth
        .authenticate(&raw, Some(&client("192.0.2.10")), "a@sender.example")
        .await;
    assert_eq!(report.spf, Some(SpfResult::TempError));
    assert!(report.temporary_error);
    assert!(report.reasons.is_empty(), "{:?}", report.reasons);
    assert_eq!(auth.remembered(&raw, "a@sender.example"), None);
}

#[test]
fn client_comes_from_our_received_field() {
    let raw = b"Received: from out.sender.example ([IPv6:2001:db8::1])\r\n\tby mx.example.test with ESMTPS id abc\r\nSubject: x\r\n\r\nhi\r\n";
    let found = client_from_received(raw).unwrap();
    assert_eq!(found.helo, "out.sender.example");
    assert_eq!(found.ip, "2001:db8::1".parse::<IpAddr>().unwrap());
}
