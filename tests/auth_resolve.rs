//! Recipient resolution as SMTP RCPT and delivery will use it.

use postamt::auth::{Directory, DirectoryError, LocalRecipient, Password, Resolution};
use postamt::store::AccountId;
use tempfile::TempDir;

struct Fixture {
    _dir: TempDir,
    directory: Directory,
    alice: AccountId,
    bob: AccountId,
}

/// example.org with users alice and bob; nothing else.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let directory = Directory::open(dir.path()).unwrap();
    directory.add_domain("example.org").unwrap();
    let password = Password::new("pw");
    let alice = directory
        .add_user("alice@example.org", &password)
        .unwrap()
        .id;
    let bob = directory.add_user("bob@example.org", &password).unwrap().id;
    Fixture {
        _dir: dir,
        directory,
        alice,
        bob,
    }
}

fn local(resolution: Resolution) -> Vec<LocalRecipient> {
    match resolution {
        Resolution::Local(recipients) => recipients,
        other => panic!("expected local recipients, got {other:?}"),
    }
}

fn accounts_and_details(resolution: Resolution) -> Vec<(AccountId, Option<String>)> {
    local(resolution)
        .into_iter()
        .map(|r| (r.account, r.detail))
        .collect()
}

#[test]
fn user_address_resolves_case_insensitively() {
    let f = fixture();
    let recipients = local(f.directory.resolve_recipient("ALICE@Example.Org").unwrap());
    assert_eq!(recipients.len(), 1);
    assert_eq!(recipients[0].account, f.alice);
    assert_eq!(recipients[0].login.as_str(), "alice@example.org");
    assert!(recipients[0].enabled);
    assert_eq!(recipients[0].detail, None);
}

#[test]
fn plus_address_resolves_to_the_user_with_the_detail_as_given() {
    let f = fixture();
    let resolution = f
        .directory
        .resolve_recipient("alice+Lists.Rust@example.org")
        .unwrap();
    assert_eq!(
        accounts_and_details(resolution),
        [(f.alice, Some("Lists.Rust".into()))]
    );
}

#[test]
fn alias_resolves_to_each_target_once() {
    let f = fixture();
    f.directory
        .add_alias(
            "team@example.org",
            &["alice@example.org", "bob@example.org", "Alice@example.org"],
        )
        .unwrap();
    let resolution = f.directory.resolve_recipient("Team@example.org").unwrap();
    assert_eq!(
        accounts_and_details(resolution),
        [(f.alice, None), (f.bob, None)]
    );
}

#[test]
fn plus_address_through_an_alias_keeps_the_detail() {
    let f = fixture();
    f.directory
        .add_alias(
            "team@example.org",
            &["alice@example.org", "bob@example.org"],
        )
        .unwrap();
    let resolution = f
        .directory
        .resolve_recipient("team+Urgent@example.org")
        .unwrap();
    let detail = Some("Urgent".to_owned());
    assert_eq!(
        accounts_and_details(resolution),
        [(f.alice, detail.clone()), (f.bob, detail)]
    );
}

#[test]
fn exact_alias_with_a_plus_wins_over_the_stripped_user() {
    let f = fixture();
    f.directory
        .add_alias("alice+sales@example.org", &["bob@example.org"])
        .unwrap();
    let resolution = f
        .directory
        .resolve_recipient("alice+sales@example.org")
        .unwrap();
    assert_eq!(accounts_and_details(resolution), [(f.bob, None)]);
}

#[test]
fn unknown_address_goes_to_the_catch_all() {
    let f = fixture();
    f.directory
        .add_alias("@example.org", &["bob@example.org"])
        .unwrap();
    let resolution = f
        .directory
        .resolve_recipient("whoever@example.org")
        .unwrap();
    assert_eq!(accounts_and_details(resolution), [(f.bob, None)]);
}

#[test]
fn catch_all_does_not_take_a_users_mail() {
    let f = fixture();
    f.directory
        .add_alias("@example.org", &["bob@example.org"])
        .unwrap();
    let resolution = f
        .directory
        .resolve_recipient("alice+x@example.org")
        .unwrap();
    assert_eq!(
        accounts_and_details(resolution),
        [(f.alice, Some("x".into()))]
    );
}

#[test]
fn unknown_address_without_catch_all_is_no_such_user() {
    let f = fixture();
    assert_eq!(
        f.directory.resolve_recipient("carol@example.org").unwrap(),
        Resolution::NoSuchUser
    );
    assert_eq!(
        f.directory
            .resolve_recipient("carol+x@example.org")
            .unwrap(),
        Resolution::NoSuchUser
    );
}

#[test]
fn address_in_a_foreign_domain_is_not_local() {
    let f = fixture();
    assert_eq!(
        f.directory.resolve_recipient("alice@example.com").unwrap(),
        Resolution::DomainNotLocal
    );
}

#[test]
fn disabled_user_is_reported_disabled() {
    let f = fixture();
    f.directory.set_enabled("alice@example.org", false).unwrap();
    let recipients = local(f.directory.resolve_recipient("alice@example.org").unwrap());
    assert_eq!(recipients.len(), 1);
    assert!(!recipients[0].enabled);
}

#[test]
fn malformed_address_is_an_error() {
    let f = fixture();
    assert!(matches!(
        f.directory.resolve_recipient("no-at-sign"),
        Err(DirectoryError::InvalidAddress(_))
    ));
}

#[test]
fn catch_all_keeps_the_detail_of_an_unknown_plus_address() {
    let f = fixture();
    f.directory
        .add_alias("@example.org", &["bob@example.org"])
        .unwrap();
    let resolution = f
        .directory
        .resolve_recipient("carol+Tag@example.org")
        .unwrap();
    assert_eq!(
        accounts_and_details(resolution),
        [(f.bob, Some("Tag".into()))]
    );
}
