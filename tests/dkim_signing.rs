//! DKIM signing, verified by the anti-spam stage's own verifier fed the
//! records `dkim-keygen` prints: directly through the signer, and end to
//! end through an SMTP submission session into the spool.

mod dns_support;
mod smtp_support;

use std::sync::Arc;

use dns_support::{Authenticator, TestDns};
use postamt::antispam::SenderAuthenticator;
use postamt::auth::DomainName;
use postamt::dkim::keys;
use postamt::dkim::{DkimSigner, DomainKeys, KeyRecord};
use postamt::smtp::Role;
use smtp_support::{ALICE, Fixture, fixture, settings, simple_message};

const HEADER: &str = "From: Alice <alice@example.test>\r\nTo: bob@elsewhere.example\r\nSubject: Figures\r\nDate: Tue, 24 Nov 2026 09:00:00 +0000\r\nMessage-ID: <f1@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n";
const BODY: &str = "\r\nThe quarterly figures are attached.\r\n";

/// Keys for example.test under `data_dir`, and a verifier that knows their
/// records exactly as printed.
fn keys_and_verifier(data_dir: &std::path::Path) -> Authenticator {
    let domain = DomainName::parse("example.test").unwrap();
    let stored = keys::generate(data_dir, &domain, "postamt", false).unwrap();
    let dns = TestDns::start();
    for key in &stored {
        let record = KeyRecord::new(
            key.selector.clone(),
            "example.test",
            key.algorithm,
            &key.public_key().unwrap(),
        );
        let line = record.zone_line();
        let value: String = line.split('"').skip(1).step_by(2).collect();
        dns.dkim_key(key.selector.as_str(), "example.test", &value);
    }
    Authenticator::new("mx.elsewhere.example", dns)
}

fn signed(keys: &DomainKeys, header: &str, body: &str) -> String {
    let fields = keys.signature_fields(header.as_bytes(), body.as_bytes());
    format!("{}{header}{body}", String::from_utf8(fields).unwrap())
}

/// The `dkim=` results, one per signature, in the order verified.
async fn dkim_results(auth: &SenderAuthenticator, message: &str) -> Vec<String> {
    let report = auth.authenticate(message.as_bytes(), None, "").await;
    report
        .results
        .split(';')
        .map(str::trim)
        .filter(|part| part.starts_with("dkim="))
        .map(str::to_owned)
        .collect()
}

/// The `h=` list of each DKIM-Signature field, unfolded.
fn signed_fields(message: &str) -> Vec<Vec<String>> {
    let unfolded = message.replace("\r\n\t", " ").replace("\r\n ", " ");
    signature_fields(&unfolded)
        .iter()
        .map(|field| {
            let tags = field.split_once(':').unwrap().1;
            let h = tags
                .split(';')
                .map(str::trim)
                .find_map(|tag| tag.strip_prefix("h="))
                .unwrap();
            h.split(':').map(|name| name.trim().to_owned()).collect()
        })
        .collect()
}

fn signature_fields(message: &str) -> Vec<&str> {
    message
        .split("\r\n")
        .filter(|line| line.starts_with("DKIM-Signature:"))
        .collect()
}

#[tokio::test]
async fn both_signatures_verify_against_the_printed_records() {
    let dir = tempfile::tempdir().unwrap();
    let auth = keys_and_verifier(dir.path());
    let keys = DkimSigner::new(dir.path())
        .keys_for("example.test")
        .unwrap();
    let message = signed(&keys, HEADER, BODY);
    let fields = signature_fields(&message);
    assert_eq!(fields.len(), 2, "{message}");
    assert!(
        fields[0]
            .contains("a=ed25519-sha256; s=postamt-ed25519; d=example.test; c=relaxed/relaxed")
    );
    assert!(fields[1].contains("a=rsa-sha256; s=postamt-rsa; d=example.test; c=relaxed/relaxed"));
    let results = dkim_results(&auth, &message).await;
    assert_eq!(results.len(), 2, "{results:?}");
    for selector in ["postamt-ed25519", "postamt-rsa"] {
        assert!(
            results
                .iter()
                .any(|r| r.starts_with("dkim=pass") && r.contains(&format!("header.s={selector}"))),
            "{selector}: {results:?}"
        );
    }
}

#[tokio::test]
async fn from_is_oversigned_so_a_second_from_breaks_both_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let auth = keys_and_verifier(dir.path());
    let keys = DkimSigner::new(dir.path())
        .keys_for("example.test")
        .unwrap();
    let message = signed(&keys, HEADER, BODY);
    for field in signed_fields(&message) {
        assert_eq!(
            field.iter().filter(|name| *name == "From").count(),
            2,
            "{field:?}"
        );
    }
    let forged = message.replace(
        "From: Alice <alice@example.test>\r\n",
        "From: Alice <alice@example.test>\r\nFrom: ceo@bank.example\r\n",
    );
    let results = dkim_results(&auth, &forged).await;
    assert!(
        !results.is_empty() && results.iter().all(|r| !r.starts_with("dkim=pass")),
        "{results:?}"
    );
}

#[tokio::test]
async fn a_body_changed_after_signing_fails_verification() {
    let dir = tempfile::tempdir().unwrap();
    let auth = keys_and_verifier(dir.path());
    let keys = DkimSigner::new(dir.path())
        .keys_for("example.test")
        .unwrap();
    let message = signed(&keys, HEADER, BODY).replace("quarterly", "doctored");
    let results = dkim_results(&auth, &message).await;
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(
        // mail-auth reports a body hash mismatch as neutral (RFC 6376 §6.1.3).
        results
            .iter()
            .all(|r| !r.starts_with("dkim=pass") && r.contains("body hash did not verify")),
        "{results:?}"
    );
}

#[tokio::test]
async fn a_message_already_carrying_our_signatures_is_not_signed_again() {
    let dir = tempfile::tempdir().unwrap();
    let auth = keys_and_verifier(dir.path());
    let keys = DkimSigner::new(dir.path())
        .keys_for("example.test")
        .unwrap();
    let once = signed(&keys, HEADER, BODY);
    let (header, body) = once.split_at(once.find("\r\n\r\n").unwrap() + 2);
    let again = keys.signature_fields(header.as_bytes(), body.as_bytes());
    assert!(again.is_empty(), "{}", String::from_utf8_lossy(&again));
    let results = dkim_results(&auth, &once).await;
    assert!(
        results.iter().all(|r| r.starts_with("dkim=pass")),
        "{results:?}"
    );
}

#[test]
fn a_domain_without_keys_has_nothing_to_sign_with() {
    let dir = tempfile::tempdir().unwrap();
    keys_and_verifier(dir.path());
    let signer = DkimSigner::new(dir.path());
    assert!(signer.keys_for("other.test").is_none());
    assert!(signer.keys_for("not a domain").is_none());
}

/// The session fixture with a signer over its own data dir, keys for
/// example.test made, and the verifier for them.
async fn signing_fixture() -> (Fixture, Authenticator) {
    let mut f = fixture().await;
    let auth = keys_and_verifier(f.data_dir());
    f.context.dkim = Some(Arc::new(DkimSigner::new(f.data_dir())));
    (f, auth)
}

#[tokio::test]
async fn a_submitted_message_reaches_the_spool_signed_with_both_keys() {
    let (f, auth) = signing_fixture().await;
    let mut c = f.submission().await;
    let message = format!("{HEADER}{BODY}").replace(
        "Date: Tue, 24 Nov 2026 09:00:00 +0000\r\nMessage-ID: <f1@example.test>\r\n",
        "",
    );
    let reply = c
        .transaction(ALICE, "bob@elsewhere.example", &message)
        .await;
    assert!(reply.starts_with("250 "), "{reply}");
    let spooled = f.committed()[0].text();
    // The signatures come first and cover the Date and Message-ID added.
    assert!(
        spooled.starts_with("DKIM-Signature: v=1; a=ed25519-sha256"),
        "{spooled}"
    );
    assert_eq!(signature_fields(&spooled).len(), 2, "{spooled}");
    assert!(spooled.contains("\r\nMessage-ID: <"), "{spooled}");
    let results = dkim_results(&auth, &spooled).await;
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(
        results.iter().all(|r| r.starts_with("dkim=pass")),
        "{results:?}"
    );
}

#[tokio::test]
async fn a_message_sent_in_bdat_chunks_is_signed_over_all_of_them() {
    let (f, auth) = signing_fixture().await;
    let mut c = f.submission().await;
    let message = format!("{HEADER}{BODY}");
    let (first, second) = message.split_at(40);
    c.send(&format!("MAIL FROM:<{ALICE}>")).await;
    c.expect("250 ").await;
    c.send("RCPT TO:<bob@elsewhere.example>").await;
    c.expect("250 ").await;
    c.send(&format!("BDAT {}", first.len())).await;
    c.send_raw(first.as_bytes()).await;
    c.expect("250 ").await;
    c.send(&format!("BDAT {} LAST", second.len())).await;
    c.send_raw(second.as_bytes()).await;
    c.expect("250 ").await;
    let spooled = f.committed()[0].text();
    let results = dkim_results(&auth, &spooled).await;
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(
        results.iter().all(|r| r.starts_with("dkim=pass")),
        "{results:?}"
    );
}

#[tokio::test]
async fn mail_from_a_domain_without_keys_is_spooled_unsigned() {
    let (f, _auth) = signing_fixture().await;
    f.directory.add_domain("plain.test").unwrap();
    f.directory.add_alias("info@plain.test", &[ALICE]).unwrap();
    let mut c = f.submission().await;
    let reply = c
        .transaction(
            ALICE,
            "bob@elsewhere.example",
            &simple_message("info@plain.test"),
        )
        .await;
    assert!(reply.starts_with("250 "), "{reply}");
    let spooled = f.committed()[0].text();
    assert!(signature_fields(&spooled).is_empty(), "{spooled}");
    assert!(spooled.ends_with("Hi Bob.\r\n"), "{spooled}");
}

#[tokio::test]
async fn inbound_mail_is_never_signed() {
    let (f, _auth) = signing_fixture().await;
    let mut c = f.connect(settings(Role::Inbound)).await;
    c.ehlo().await;
    let reply = c
        .transaction(
            "someone@elsewhere.example",
            "bob@example.test",
            &simple_message(ALICE),
        )
        .await;
    assert!(reply.starts_with("250 "), "{reply}");
    let spooled = f.committed()[0].text();
    assert!(signature_fields(&spooled).is_empty(), "{spooled}");
}

#[tokio::test]
async fn a_client_leaving_mid_message_leaves_nothing_in_the_spool() {
    let (f, _auth) = signing_fixture().await;
    let mut c = f.submission().await;
    c.send(&format!("MAIL FROM:<{ALICE}>")).await;
    c.expect("250 ").await;
    c.send("RCPT TO:<bob@elsewhere.example>").await;
    c.expect("250 ").await;
    c.send("DATA").await;
    c.expect("354 ").await;
    c.send_raw(format!("{HEADER}{BODY}").as_bytes()).await;
    drop(c);
    f.sink.wait_for_drops(1).await;
    assert!(f.committed().is_empty());
}
