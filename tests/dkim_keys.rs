//! `dkim-keygen`'s key files and DNS records, and how the signer picks up
//! keys created, replaced or broken while the server runs.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use postamt::auth::DomainName;
use postamt::dkim::keys::{self, domain_dir};
use postamt::dkim::{Algorithm, DkimSigner, KeyError, KeyRecord, StoredKey};

fn domain() -> DomainName {
    DomainName::parse("example.test").unwrap()
}

fn records(stored: &[StoredKey]) -> Vec<KeyRecord> {
    stored
        .iter()
        .map(|key| {
            KeyRecord::new(
                key.selector.clone(),
                "example.test",
                key.algorithm,
                &key.public_key().unwrap(),
            )
        })
        .collect()
}

/// The strings of a zone line `<name> IN TXT "a" "b"`, joined as a
/// resolver joins them.
fn txt_of(line: &str) -> (String, String) {
    let (name, strings) = line.split_once(" IN TXT ").unwrap();
    let value: String = strings.split('"').skip(1).step_by(2).collect();
    (name.to_owned(), value)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn keygen_writes_two_private_key_files_readable_only_by_the_owner() {
    let dir = tempfile::tempdir().unwrap();
    let stored = keys::generate(dir.path(), &domain(), "postamt", false).unwrap();
    let algorithms: Vec<Algorithm> = stored.iter().map(|k| k.algorithm).collect();
    assert_eq!(algorithms, [Algorithm::Ed25519, Algorithm::Rsa]);
    let key_dir = domain_dir(dir.path(), &domain());
    let mut names: Vec<String> = std::fs::read_dir(&key_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["postamt-ed25519.ed25519.pem", "postamt-rsa.rsa.pem"]
    );
    for name in names {
        let path = key_dir.join(name);
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        let pem = std::fs::read_to_string(&path).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
    }
    let reread = keys::read(&key_dir).unwrap();
    assert_eq!(reread.len(), 2);
    assert_eq!(reread[1].pkcs8, stored[1].pkcs8);
}

#[test]
fn printed_records_parse_as_dkim_key_records() {
    let dir = tempfile::tempdir().unwrap();
    let stored = keys::generate(dir.path(), &domain(), "mail", false).unwrap();
    let lines: Vec<String> = records(&stored).iter().map(KeyRecord::zone_line).collect();
    assert!(
        lines[0]
            .starts_with("mail-ed25519._domainkey.example.test. IN TXT \"v=DKIM1; k=ed25519; p=")
    );
    assert!(lines[1].starts_with("mail-rsa._domainkey.example.test. IN TXT \"v=DKIM1; k=rsa; p="));
    for line in &lines {
        let (name, value) = txt_of(line);
        assert!(name.ends_with("._domainkey.example.test."), "{name}");
        DomainKey::parse(value.as_bytes()).unwrap();
    }
    // The RSA record needs two strings; each is at most 255 octets.
    let rsa_strings: Vec<&str> = lines[1].split('"').skip(1).step_by(2).collect();
    assert!(rsa_strings.len() >= 2, "{}", lines[1]);
    assert!(rsa_strings.iter().all(|s| s.len() <= 255));
}

#[test]
fn existing_keys_are_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let first = keys::generate(dir.path(), &domain(), "postamt", false).unwrap();
    let refused = keys::generate(dir.path(), &domain(), "other", false);
    assert!(
        matches!(refused, Err(KeyError::Exists { .. })),
        "{refused:?}"
    );
    let key_dir = domain_dir(dir.path(), &domain());
    assert_eq!(keys::read(&key_dir).unwrap()[0].pkcs8, first[0].pkcs8);

    keys::generate(dir.path(), &domain(), "2027", true).unwrap();
    let selectors: Vec<String> = keys::read(&key_dir)
        .unwrap()
        .iter()
        .map(|k| k.selector.as_str().to_owned())
        .collect();
    assert_eq!(selectors, ["2027-ed25519", "2027-rsa"]);
}

#[test]
fn an_invalid_selector_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let refused = keys::generate(dir.path(), &domain(), "../x", false);
    assert!(
        matches!(refused, Err(KeyError::InvalidSelector(_))),
        "{refused:?}"
    );
    assert!(!domain_dir(dir.path(), &domain()).exists());
}

#[test]
fn keys_created_after_start_are_used_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let signer = DkimSigner::new(dir.path());
    assert!(signer.keys_for("example.test").is_none());
    keys::generate(dir.path(), &domain(), "postamt", false).unwrap();
    let keys = signer.keys_for("Example.TEST").unwrap();
    assert_eq!(keys.selectors(), ["postamt-ed25519", "postamt-rsa"]);

    keys::generate(dir.path(), &domain(), "next", true).unwrap();
    let keys = signer.keys_for("example.test").unwrap();
    assert_eq!(keys.selectors(), ["next-ed25519", "next-rsa"]);
}

#[test]
fn a_broken_key_is_left_out_and_the_other_still_signs() {
    let dir = tempfile::tempdir().unwrap();
    keys::generate(dir.path(), &domain(), "postamt", false).unwrap();
    let key_dir = domain_dir(dir.path(), &domain());
    std::fs::write(
        key_dir.join("postamt-ed25519.ed25519.pem"),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let signer = DkimSigner::new(dir.path());
    let keys = signer.keys_for("example.test").unwrap();
    assert_eq!(keys.selectors(), ["postamt-rsa"]);
}

#[test]
fn a_domain_whose_keys_are_all_unreadable_is_not_signed() {
    let dir = tempfile::tempdir().unwrap();
    keys::generate(dir.path(), &domain(), "postamt", false).unwrap();
    let key_dir = domain_dir(dir.path(), &domain());
    for name in ["postamt-ed25519.ed25519.pem", "postamt-rsa.rsa.pem"] {
        std::fs::write(key_dir.join(name), "not a key\n").unwrap();
    }
    let signer = DkimSigner::new(dir.path());
    assert!(signer.keys_for("example.test").is_none());
}

/// Sets a directory's modification time, as a later change would.
fn set_dir_time(dir: &Path, time: std::time::SystemTime) {
    std::fs::File::open(dir)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

#[test]
fn keys_are_read_again_only_when_their_directory_changes() {
    let dir = tempfile::tempdir().unwrap();
    keys::generate(dir.path(), &domain(), "postamt", false).unwrap();
    let key_dir = domain_dir(dir.path(), &domain());
    let a_minute_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    set_dir_time(&key_dir, a_minute_ago);
    let signer = DkimSigner::new(dir.path());
    assert!(signer.keys_for("example.test").is_some());

    // Rewritten in place, the directory's time unchanged: the cached keys stay.
    for name in ["postamt-ed25519.ed25519.pem", "postamt-rsa.rsa.pem"] {
        std::fs::write(key_dir.join(name), "not a key\n").unwrap();
    }
    set_dir_time(&key_dir, a_minute_ago);
    assert!(signer.keys_for("example.test").is_some());

    set_dir_time(&key_dir, std::time::SystemTime::now());
    assert!(signer.keys_for("example.test").is_none());
}
