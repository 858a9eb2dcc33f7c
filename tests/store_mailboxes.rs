//! Accounts and the mailbox hierarchy: defaults, create, rename, delete,
//! protection, name validation, subscriptions, the `\Recent` watermark.

mod corpus;
mod store_support;

use postamt::store::{NameError, SpecialUse, Store, StoreError, Uid};
use store_support::*;

#[tokio::test]
async fn new_account_has_the_six_default_folders_with_special_use() {
    let (_dir, store) = store().await;
    let list = store.list_mailboxes(ALICE).await.unwrap();
    let got: Vec<_> = list
        .iter()
        .map(|m| (m.name.as_str().to_owned(), m.special_use))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Drafts".to_owned(), Some(SpecialUse::Drafts)),
            ("INBOX".to_owned(), None),
            ("Junk".to_owned(), Some(SpecialUse::Junk)),
            ("Sent".to_owned(), Some(SpecialUse::Sent)),
            ("Templates".to_owned(), None),
            ("Trash".to_owned(), Some(SpecialUse::Trash)),
        ]
    );
}

#[tokio::test]
async fn create_account_twice_keeps_mail_and_folders() {
    let (_dir, store) = store().await;
    fill(&store, "INBOX", 2).await;
    store.create_account(ALICE).await.unwrap();
    assert_eq!(store.list_mailboxes(ALICE).await.unwrap().len(), 6);
    assert_eq!(
        store
            .mailbox(ALICE, &name("INBOX"))
            .await
            .unwrap()
            .status
            .messages,
        2
    );
}

#[tokio::test]
async fn unknown_account_is_a_typed_error() {
    let (_dir, store) = store().await;
    let err = store.list_mailboxes(BOB).await.unwrap_err();
    assert!(
        matches!(err, StoreError::NoAccount(a) if a == BOB),
        "{err:?}"
    );
}

#[tokio::test]
async fn delete_account_removes_its_data() {
    let (dir, store) = store().await;
    fill(&store, "INBOX", 1).await;
    store.delete_account(ALICE).await.unwrap();
    assert!(!account_dir(dir.path(), ALICE).exists());
    assert!(matches!(
        store.list_mailboxes(ALICE).await,
        Err(StoreError::NoAccount(_))
    ));
}

#[tokio::test]
async fn inbox_is_case_insensitive() {
    let (_dir, store) = store().await;
    let lower = store.mailbox(ALICE, &name("inbox")).await.unwrap();
    assert_eq!(lower.name.as_str(), "INBOX");
    store
        .create_mailbox(ALICE, &name("iNbOx/child"), None)
        .await
        .unwrap();
    assert!(store.mailbox(ALICE, &name("INBOX/child")).await.is_ok());
}

#[tokio::test]
async fn create_makes_missing_parents() {
    let (_dir, store) = store().await;
    store
        .create_mailbox(ALICE, &name("a/b/c"), None)
        .await
        .unwrap();
    for n in ["a", "a/b", "a/b/c"] {
        assert!(store.mailbox(ALICE, &name(n)).await.is_ok(), "{n} missing");
    }
}

#[tokio::test]
async fn create_existing_mailbox_fails() {
    let (_dir, store) = store().await;
    store.create_mailbox(ALICE, &name("x"), None).await.unwrap();
    let err = store
        .create_mailbox(ALICE, &name("x"), None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::MailboxExists(_)), "{err:?}");
}

#[tokio::test]
async fn create_special_use_is_listed() {
    let (_dir, store) = store().await;
    store
        .create_mailbox(ALICE, &name("Archive"), Some(SpecialUse::Archive))
        .await
        .unwrap();
    let mb = store.mailbox(ALICE, &name("Archive")).await.unwrap();
    assert_eq!(mb.special_use, Some(SpecialUse::Archive));
}

#[tokio::test]
async fn rename_moves_children_and_keeps_messages() {
    let (_dir, store) = store().await;
    store
        .create_mailbox(ALICE, &name("a/b"), None)
        .await
        .unwrap();
    let (old_id, _) = fill(&store, "a/b", 3).await;
    store
        .rename_mailbox(ALICE, &name("a"), &name("z/y"))
        .await
        .unwrap();
    let names: Vec<_> = store
        .list_mailboxes(ALICE)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name.to_string())
        .collect();
    assert!(names.contains(&"z/y/b".to_owned()), "{names:?}");
    assert!(names.contains(&"z".to_owned()), "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("a")), "{names:?}");
    let moved = store.mailbox(ALICE, &name("z/y/b")).await.unwrap();
    assert_eq!(moved.id, old_id);
    assert_eq!(moved.status.messages, 3);
}

#[tokio::test]
async fn rename_into_own_child_is_refused() {
    let (_dir, store) = store().await;
    store.create_mailbox(ALICE, &name("a"), None).await.unwrap();
    let err = store
        .rename_mailbox(ALICE, &name("a"), &name("a/b"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::RenameIntoSelf), "{err:?}");
}

#[tokio::test]
async fn rename_onto_existing_mailbox_fails() {
    let (_dir, store) = store().await;
    store.create_mailbox(ALICE, &name("a"), None).await.unwrap();
    store.create_mailbox(ALICE, &name("b"), None).await.unwrap();
    let err = store
        .rename_mailbox(ALICE, &name("a"), &name("b"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::MailboxExists(_)), "{err:?}");
}

#[tokio::test]
async fn delete_removes_children_and_their_messages() {
    let (dir, store) = store().await;
    store
        .create_mailbox(ALICE, &name("p/c"), None)
        .await
        .unwrap();
    let (child, _) = fill(&store, "p/c", 2).await;
    store.delete_mailbox(ALICE, &name("p")).await.unwrap();
    assert!(matches!(
        store.mailbox(ALICE, &name("p/c")).await,
        Err(StoreError::NoMailbox(_))
    ));
    let child_dir = account_dir(dir.path(), ALICE)
        .join("mail")
        .join(child.0.to_string());
    assert!(!child_dir.exists());
    assert_eq!(store.quota_usage(ALICE).await.unwrap().messages, 0);
}

#[tokio::test]
async fn default_folders_cannot_be_renamed_or_deleted() {
    let (_dir, store) = store().await;
    for n in [
        "INBOX",
        "Sent",
        "Drafts",
        "Trash",
        "Junk",
        "Templates",
        "inbox",
    ] {
        let err = store.delete_mailbox(ALICE, &name(n)).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Protected(_)),
            "delete {n}: {err:?}"
        );
        let err = store
            .rename_mailbox(ALICE, &name(n), &name("Other"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Protected(_)),
            "rename {n}: {err:?}"
        );
    }
}

#[test]
fn bad_names_are_refused_with_the_reason() {
    use postamt::store::MailboxName;
    let cases = [
        ("", NameError::Empty),
        ("/a", NameError::DelimiterAtEdge),
        ("a/", NameError::DelimiterAtEdge),
        ("a//b", NameError::EmptyPart),
        ("a\u{7}b", NameError::ControlCharacter(7)),
        ("a*", NameError::Wildcard('*')),
    ];
    for (input, want) in cases {
        assert_eq!(MailboxName::new(input), Err(want), "{input:?}");
    }
    let long = "x".repeat(2000);
    assert!(matches!(
        MailboxName::new(&long),
        Err(NameError::TooLong { .. })
    ));
}

#[tokio::test]
async fn dot_dot_name_stays_inside_the_account_directory() {
    let (dir, store) = store().await;
    // A name of its own: another process may well own /tmp/x.
    let target = format!("escape-{}", std::process::id());
    let evil_text = format!("../../{target}");
    let evil = name(&evil_text);
    let id = store.create_mailbox(ALICE, &evil, None).await.unwrap();
    let mb = store.mailbox(ALICE, &evil).await.unwrap();
    assert_eq!(mb.id, id);
    fill(&store, &evil_text, 1).await;
    assert!(!dir.path().join(&target).exists());
    assert!(!dir.path().parent().unwrap().join(&target).exists());
    let mailbox_dir = account_dir(dir.path(), ALICE)
        .join("mail")
        .join(id.0.to_string());
    assert_eq!(
        std::fs::read_dir(mailbox_dir.join("cur")).unwrap().count(),
        1
    );
}

#[tokio::test]
async fn subscriptions_may_name_missing_mailboxes() {
    let (_dir, store) = store().await;
    store
        .set_subscribed(ALICE, &name("ghost"), true)
        .await
        .unwrap();
    let subs = store.subscriptions(ALICE).await.unwrap();
    assert!(subs.contains(&name("ghost")));
    store
        .set_subscribed(ALICE, &name("ghost"), false)
        .await
        .unwrap();
    assert!(
        !store
            .subscriptions(ALICE)
            .await
            .unwrap()
            .contains(&name("ghost"))
    );
}

#[tokio::test]
async fn list_counts_messages_unseen_deleted_and_size() {
    use postamt::store::{FlagOp, Flags, SystemFlag};
    let (_dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 3).await;
    let seen = Flags::new()
        .with(SystemFlag::Seen)
        .with(SystemFlag::Deleted);
    store
        .store_flags(ALICE, inbox, vec![uids[0]], FlagOp::Add, seen, None)
        .await
        .unwrap();
    let list = store.list_mailboxes(ALICE).await.unwrap();
    let status = list.iter().find(|m| m.name.is_inbox()).unwrap().status;
    let size: u64 = (0..3).map(|i| small_message(i).len() as u64).sum();
    assert_eq!(
        (status.messages, status.unseen, status.deleted, status.size),
        (3, 2, 1, size)
    );
}

#[tokio::test]
async fn rename_carries_subscriptions_along() {
    let (_dir, store) = store().await;
    store
        .create_mailbox(ALICE, &name("old/kid"), None)
        .await
        .unwrap();
    store
        .set_subscribed(ALICE, &name("old/kid"), true)
        .await
        .unwrap();
    store
        .rename_mailbox(ALICE, &name("old"), &name("new"))
        .await
        .unwrap();
    let subs = store.subscriptions(ALICE).await.unwrap();
    assert!(subs.contains(&name("new/kid")), "{subs:?}");
    assert!(!subs.contains(&name("old/kid")), "{subs:?}");
}

#[tokio::test]
async fn claiming_recent_hands_each_new_message_to_one_caller() {
    let (_dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 2).await;
    let status = store.mailbox(ALICE, &name("INBOX")).await.unwrap().status;
    assert_eq!(status.recent, 2);
    assert_eq!(
        store.claim_recent(ALICE, inbox).await.unwrap(),
        uids[0]..Uid(uids[1].0 + 1)
    );
    assert!(store.claim_recent(ALICE, inbox).await.unwrap().is_empty());
    let status = store.mailbox(ALICE, &name("INBOX")).await.unwrap().status;
    assert_eq!(status.recent, 0);
}

#[tokio::test]
async fn an_index_from_before_recent_gains_it_with_nothing_recent() {
    let (dir, store) = store().await;
    fill(&store, "INBOX", 2).await;
    drop(store);
    let index = account_dir(dir.path(), ALICE).join("index.db");
    let db = rusqlite::Connection::open(index).unwrap();
    db.execute_batch("ALTER TABLE mailboxes DROP COLUMN recent_uid")
        .unwrap();
    drop(db);
    let reopened = Store::open_maildir(dir.path());
    let status = reopened
        .mailbox(ALICE, &name("INBOX"))
        .await
        .unwrap()
        .status;
    assert_eq!((status.messages, status.recent), (2, 0));
}
