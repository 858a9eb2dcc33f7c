//! LIST over a real maildir + SQLite store: what the store reports for a
//! new account, created hierarchies and subscriptions is listed correctly.

mod imap_list_support;

use imap_list_support::{Account, lines};
use postamt::imap::mailbox_list::{NameMode, decode_mailbox_name};
use postamt::store::{AccountId, MailboxName, Store};

const ALICE: AccountId = AccountId(1);

async fn account_of(store: &Store) -> Account {
    Account {
        mailboxes: store.list_mailboxes(ALICE).await.unwrap(),
        subscriptions: store.subscriptions(ALICE).await.unwrap(),
    }
}

async fn new_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_maildir(dir.path());
    store.create_account(ALICE).await.unwrap();
    (dir, store)
}

#[tokio::test]
async fn a_new_account_lists_its_default_folders_subscribed() {
    let (_dir, store) = new_store().await;
    assert_eq!(
        account_of(&store).await.run(r#"LIST (SUBSCRIBED) "" "*""#),
        lines(&[
            r#"* LIST (\HasNoChildren \Subscribed) "/" INBOX"#,
            r#"* LIST (\HasNoChildren \Subscribed \Drafts) "/" Drafts"#,
            r#"* LIST (\HasNoChildren \Subscribed \Junk) "/" Junk"#,
            r#"* LIST (\HasNoChildren \Subscribed \Sent) "/" Sent"#,
            r#"* LIST (\HasNoChildren \Subscribed) "/" Templates"#,
            r#"* LIST (\HasNoChildren \Subscribed \Trash) "/" Trash"#,
        ])
    );
}

#[tokio::test]
async fn a_created_international_hierarchy_lists_in_modified_utf7() {
    let (_dir, store) = new_store().await;
    let name = decode_mailbox_name(b"Projekte/Entw&APw-rfe", NameMode::ModifiedUtf7).unwrap();
    store.create_mailbox(ALICE, &name, None).await.unwrap();
    store.set_subscribed(ALICE, &name, true).await.unwrap();
    let account = account_of(&store).await;
    assert_eq!(
        account.run(r#"LIST "" "Projekte*""#),
        lines(&[
            r#"* LIST (\HasChildren) "/" Projekte"#,
            r#"* LIST (\HasNoChildren) "/" Projekte/Entw&APw-rfe"#,
        ])
    );
    assert_eq!(
        account.run_utf8(r#"LIST (SUBSCRIBED RECURSIVEMATCH) "" "P%""#),
        lines(&[r#"* LIST (\HasChildren) "/" Projekte (CHILDINFO ("SUBSCRIBED"))"#])
    );
}

#[tokio::test]
async fn a_subscription_without_a_mailbox_is_nonexistent() {
    let (_dir, store) = new_store().await;
    let old = MailboxName::new("Old").unwrap();
    store.set_subscribed(ALICE, &old, true).await.unwrap();
    let account = account_of(&store).await;
    assert_eq!(
        account.run(r#"LIST (SUBSCRIBED) "" "O*""#),
        lines(&[r#"* LIST (\NonExistent \Subscribed) "/" Old"#])
    );
    assert_eq!(account.run(r#"LIST "" "O*""#), lines(&[]));
}
