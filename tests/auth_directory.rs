//! The account directory: domains, users and aliases as the admin CLI manages them.

use postamt::auth::{AliasAddress, Directory, DirectoryError, Password};
use postamt::store::AccountId;
use tempfile::TempDir;

fn directory_with_domain() -> (TempDir, Directory) {
    let dir = tempfile::tempdir().unwrap();
    let directory = Directory::open(dir.path()).unwrap();
    directory.add_domain("example.org").unwrap();
    (dir, directory)
}

fn password() -> Password {
    Password::new("correct horse")
}

#[test]
fn domains_are_added_lowercased_and_listed_sorted() {
    let (_dir, directory) = directory_with_domain();
    directory.add_domain("Beispiel.DE").unwrap();
    let names: Vec<_> = directory
        .list_domains()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(names, ["beispiel.de", "example.org"]);
    assert!(directory.is_local_domain("EXAMPLE.org").unwrap());
    assert!(!directory.is_local_domain("example.com").unwrap());
}

#[test]
fn adding_a_domain_twice_is_refused() {
    let (_dir, directory) = directory_with_domain();
    assert!(
        matches!(directory.add_domain("Example.org"), Err(DirectoryError::DomainExists(d)) if d == "example.org")
    );
}

#[test]
fn invalid_domain_is_refused() {
    let (_dir, directory) = directory_with_domain();
    assert!(matches!(
        directory.add_domain("not a domain"),
        Err(DirectoryError::InvalidAddress(_))
    ));
}

#[test]
fn unused_domain_is_deleted() {
    let (_dir, directory) = directory_with_domain();
    directory.delete_domain("example.org").unwrap();
    assert!(directory.list_domains().unwrap().is_empty());
    assert!(matches!(
        directory.delete_domain("example.org"),
        Err(DirectoryError::DomainNotFound(_))
    ));
}

#[test]
fn domain_delete_is_refused_while_a_user_or_alias_uses_it() {
    let (_dir, directory) = directory_with_domain();
    directory
        .add_user("alice@example.org", &password())
        .unwrap();
    directory
        .add_alias("@example.org", &["alice@example.org"])
        .unwrap();
    let refused = directory.delete_domain("example.org");
    assert!(
        matches!(&refused, Err(DirectoryError::DomainInUse { domain, users: 1, aliases: 1 }) if domain == "example.org"),
        "{refused:?}"
    );
    directory.delete_user("alice@example.org").unwrap();
    directory.delete_domain("example.org").unwrap();
}

#[test]
fn user_is_added_lowercased_enabled_without_quota() {
    let (_dir, directory) = directory_with_domain();
    let user = directory
        .add_user("Alice@Example.ORG", &password())
        .unwrap();
    assert_eq!(user.login.as_str(), "alice@example.org");
    assert!(user.enabled);
    assert_eq!(user.quota_bytes, None);
    assert_eq!(
        directory.user("ALICE@example.org").unwrap(),
        Some(user.clone())
    );
    assert_eq!(directory.user_by_id(user.id).unwrap(), Some(user));
}

#[test]
fn user_in_a_non_local_domain_is_refused_naming_the_domain() {
    let (_dir, directory) = directory_with_domain();
    let refused = directory.add_user("bob@example.com", &password());
    assert!(matches!(refused, Err(DirectoryError::DomainNotLocal(d)) if d == "example.com"));
}

#[test]
fn adding_a_user_twice_is_refused() {
    let (_dir, directory) = directory_with_domain();
    directory
        .add_user("alice@example.org", &password())
        .unwrap();
    let refused = directory.add_user("ALICE@example.org", &password());
    assert!(matches!(refused, Err(DirectoryError::UserExists(_))));
}

#[test]
fn users_are_listed_sorted_by_login() {
    let (_dir, directory) = directory_with_domain();
    directory
        .add_user("carol@example.org", &password())
        .unwrap();
    directory
        .add_user("alice@example.org", &password())
        .unwrap();
    let logins: Vec<_> = directory
        .list_users()
        .unwrap()
        .iter()
        .map(|u| u.login.to_string())
        .collect();
    assert_eq!(logins, ["alice@example.org", "carol@example.org"]);
}

#[test]
fn user_is_disabled_and_enabled_again() {
    let (_dir, directory) = directory_with_domain();
    directory
        .add_user("alice@example.org", &password())
        .unwrap();
    directory.set_enabled("alice@example.org", false).unwrap();
    assert!(
        !directory
            .user("alice@example.org")
            .unwrap()
            .unwrap()
            .enabled
    );
    directory.set_enabled("alice@example.org", true).unwrap();
    assert!(
        directory
            .user("alice@example.org")
            .unwrap()
            .unwrap()
            .enabled
    );
}

#[test]
fn quota_is_set_and_removed() {
    let (_dir, directory) = directory_with_domain();
    directory
        .add_user("alice@example.org", &password())
        .unwrap();
    directory
        .set_quota("alice@example.org", Some(1 << 30))
        .unwrap();
    assert_eq!(
        directory
            .user("alice@example.org")
            .unwrap()
            .unwrap()
            .quota_bytes,
        Some(1 << 30)
    );
    directory.set_quota("alice@example.org", None).unwrap();
    assert_eq!(
        directory
            .user("alice@example.org")
            .unwrap()
            .unwrap()
            .quota_bytes,
        None
    );
    assert!(matches!(
        directory.set_quota("alice@example.org", Some(u64::MAX)),
        Err(DirectoryError::QuotaTooLarge(_))
    ));
}

#[test]
fn changing_an_unknown_user_is_refused() {
    let (_dir, directory) = directory_with_domain();
    assert!(matches!(
        directory.set_enabled("nobody@example.org", false),
        Err(DirectoryError::UserNotFound(_))
    ));
    assert!(matches!(
        directory.delete_user("nobody@example.org"),
        Err(DirectoryError::UserNotFound(_))
    ));
}

#[test]
fn deleted_user_is_gone() {
    let (_dir, directory) = directory_with_domain();
    let alice = directory
        .add_user("alice@example.org", &password())
        .unwrap();
    directory.delete_user("alice@example.org").unwrap();
    assert_eq!(directory.user("alice@example.org").unwrap(), None);
    assert_eq!(directory.user_by_id(alice.id).unwrap(), None);
}

#[test]
fn ids_are_never_reused_after_delete_even_across_reopen() {
    let (dir, directory) = directory_with_domain();
    let first = directory
        .add_user("alice@example.org", &password())
        .unwrap()
        .id;
    let second = directory
        .add_user("bob@example.org", &password())
        .unwrap()
        .id;
    directory.delete_user("bob@example.org").unwrap();
    drop(directory);
    let directory = Directory::open(dir.path()).unwrap();
    let third = directory
        .add_user("bob@example.org", &password())
        .unwrap()
        .id;
    assert!(
        first < second && second < third,
        "{first:?} {second:?} {third:?}"
    );
}

#[test]
fn alias_lists_its_targets_once_each() {
    let (_dir, directory) = directory_with_domain();
    directory
        .add_user("alice@example.org", &password())
        .unwrap();
    directory.add_user("bob@example.org", &password()).unwrap();
    directory
        .add_alias(
            "Team@example.org",
            &["bob@example.org", "alice@example.org", "BOB@example.org"],
        )
        .unwrap();
    let aliases = directory.list_aliases().unwrap();
    assert_eq!(aliases.len(), 1);
    assert_eq!(aliases[0].address.to_string(), "team@example.org");
    let targets: Vec<_> = aliases[0].targets.iter().map(|t| t.to_string()).collect();
    assert_eq!(targets, ["alice@example.org", "bob@example.org"]);
}

#[test]
fn alias_to_an_unknown_user_is_refused_naming_it() {
    let (_dir, directory) = directory_with_domain();
    let refused = directory.add_alias("team@example.org", &["ghost@example.org"]);
    assert!(
        matches!(refused, Err(DirectoryError::AliasTargetUnknown(t)) if t == "ghost@example.org")
    );
    assert!(directory.list_aliases().unwrap().is_empty());
}

#[test]
fn alias_cannot_shadow_a_user_nor_a_user_an_alias() {
    let (_dir, directory) = directory_with_domain();
    directory
        .add_user("alice@example.org", &password())
        .unwrap();
    let refused = directory.add_alias("alice@example.org", &["alice@example.org"]);
    assert!(matches!(refused, Err(DirectoryError::AddressIsUser(_))));
    directory
        .add_alias("team@example.org", &["alice@example.org"])
        .unwrap();
    assert!(matches!(
        directory.add_user("team@example.org", &password()),
        Err(DirectoryError::AddressIsAlias(_))
    ));
}

#[test]
fn alias_in_a_non_local_domain_is_refused() {
    let (_dir, directory) = directory_with_domain();
    directory
        .add_user("alice@example.org", &password())
        .unwrap();
    let refused = directory.add_alias("team@example.com", &["alice@example.org"]);
    assert!(matches!(refused, Err(DirectoryError::DomainNotLocal(d)) if d == "example.com"));
}

#[test]
fn one_target_is_removed_then_the_whole_alias() {
    let (_dir, directory) = directory_with_domain();
    directory
        .add_user("alice@example.org", &password())
        .unwrap();
    directory.add_user("bob@example.org", &password()).unwrap();
    directory
        .add_alias(
            "team@example.org",
            &["alice@example.org", "bob@example.org"],
        )
        .unwrap();
    directory
        .remove_alias_target("team@example.org", "bob@example.org")
        .unwrap();
    assert_eq!(directory.list_aliases().unwrap()[0].targets.len(), 1);
    assert!(matches!(
        directory.remove_alias_target("team@example.org", "bob@example.org"),
        Err(DirectoryError::AliasTargetNotFound { .. })
    ));
    directory.remove_alias("team@example.org").unwrap();
    assert!(directory.list_aliases().unwrap().is_empty());
    assert!(matches!(
        directory.remove_alias("team@example.org"),
        Err(DirectoryError::AliasNotFound(_))
    ));
}

#[test]
fn deleting_a_user_removes_them_from_aliases() {
    let (_dir, directory) = directory_with_domain();
    directory
        .add_user("alice@example.org", &password())
        .unwrap();
    directory
        .add_alias("team@example.org", &["alice@example.org"])
        .unwrap();
    directory.delete_user("alice@example.org").unwrap();
    assert!(directory.list_aliases().unwrap().is_empty());
}

#[test]
fn addresses_of_a_user_are_primary_then_aliases() {
    let (_dir, directory) = directory_with_domain();
    let alice = directory
        .add_user("alice@example.org", &password())
        .unwrap();
    directory.add_user("bob@example.org", &password()).unwrap();
    directory
        .add_alias(
            "team@example.org",
            &["alice@example.org", "bob@example.org"],
        )
        .unwrap();
    directory
        .add_alias("@example.org", &["alice@example.org"])
        .unwrap();
    directory
        .add_alias("bobs@example.org", &["bob@example.org"])
        .unwrap();
    let addresses: Vec<_> = directory
        .addresses_of(alice.id)
        .unwrap()
        .iter()
        .map(AliasAddress::to_string)
        .collect();
    assert_eq!(
        addresses,
        ["alice@example.org", "@example.org", "team@example.org"]
    );
    assert!(matches!(
        directory.addresses_of(AccountId(999)),
        Err(DirectoryError::UserNotFound(_))
    ));
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(Directory::open(dir.path()).unwrap());
    let connection = rusqlite::Connection::open(dir.path().join("postamt.db")).unwrap();
    connection.pragma_update(None, "user_version", 99).unwrap();
    drop(connection);
    assert!(matches!(
        Directory::open(dir.path()),
        Err(DirectoryError::SchemaTooNew {
            found: 99,
            supported: 1
        })
    ));
}

#[test]
fn two_handles_on_one_file_see_each_others_writes() {
    let (dir, daemon) = directory_with_domain();
    let cli = Directory::open(dir.path()).unwrap();
    cli.add_user("alice@example.org", &password()).unwrap();
    assert!(daemon.user("alice@example.org").unwrap().is_some());
}

#[test]
fn empty_password_is_refused() {
    let (_dir, directory) = directory_with_domain();
    let refused = directory.add_user("alice@example.org", &Password::new(""));
    assert!(matches!(refused, Err(DirectoryError::EmptyPassword)));
    directory
        .add_user("alice@example.org", &password())
        .unwrap();
    let refused = directory.set_password("alice@example.org", &Password::new(""));
    assert!(matches!(refused, Err(DirectoryError::EmptyPassword)));
}

#[test]
fn alias_without_targets_is_refused() {
    let (_dir, directory) = directory_with_domain();
    assert!(matches!(
        directory.add_alias("team@example.org", &[]),
        Err(DirectoryError::NoAliasTargets)
    ));
}

#[test]
fn database_file_is_private_to_the_owner() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, _directory) = directory_with_domain();
    let mode = std::fs::metadata(dir.path().join("postamt.db"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn concurrent_writers_on_two_handles_wait_for_each_other() {
    let (dir, daemon) = directory_with_domain();
    let cli = Directory::open(dir.path()).unwrap();
    std::thread::scope(|scope| {
        for (prefix, directory) in [("d", &daemon), ("c", &cli)] {
            scope.spawn(move || {
                for n in 0..5 {
                    directory
                        .add_user(&format!("{prefix}{n}@example.org"), &password())
                        .unwrap();
                    directory
                        .set_quota(&format!("{prefix}{n}@example.org"), Some(n))
                        .unwrap();
                }
            });
        }
    });
    assert_eq!(daemon.list_users().unwrap().len(), 10);
}
