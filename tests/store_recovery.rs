//! Invariant 2: the index is rebuilt from the files. Rows without files,
//! files without rows, a lost index, a corrupt index (for one account only),
//! stale temporary files, and expunged files that survived a crash.

mod corpus;
mod store_support;

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use postamt::message::{Section, SectionSpec};
use postamt::store::{FlagOp, Flags, MailboxId, Store, StoreError, SystemFlag, Uid};
use store_support::*;

fn message_path(data: &std::path::Path, mailbox: MailboxId, uid: Uid) -> PathBuf {
    account_dir(data, ALICE)
        .join("mail")
        .join(mailbox.0.to_string())
        .join("cur")
        .join(uid.0.to_string())
}

fn index_path(data: &std::path::Path, account: postamt::store::AccountId) -> PathBuf {
    account_dir(data, account).join("index.db")
}

async fn body(store: &Store, mailbox: MailboxId, uid: Uid) -> Vec<u8> {
    let whole = Section {
        path: vec![],
        spec: SectionSpec::Full,
    };
    store
        .open_message(ALICE, mailbox, uid, whole, None)
        .await
        .unwrap()
        .into_bytes()
        .await
        .unwrap()
}

fn remove_index(data: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let p = account_dir(data, ALICE).join(format!("index.db{suffix}"));
        let _ = std::fs::remove_file(p);
    }
}

#[tokio::test]
async fn reindex_indexes_files_whose_rows_were_deleted() {
    let (dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 3).await;
    let db = rusqlite::Connection::open(index_path(dir.path(), ALICE)).unwrap();
    db.execute("DELETE FROM messages WHERE uid = ?1", [uids[1].0])
        .unwrap();
    drop(db);
    let report = store.reindex(ALICE).await.unwrap();
    assert_eq!(report.indexed, 1);
    let snap = store.snapshot(ALICE, inbox).await.unwrap();
    assert_eq!(
        snap.messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
        uids
    );
    assert_eq!(body(&store, inbox, uids[1]).await, small_message(1));
}

#[tokio::test]
async fn reindex_expunges_rows_whose_files_are_gone() {
    let (dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 3).await;
    let mark = store.snapshot(ALICE, inbox).await.unwrap().highest_modseq;
    std::fs::remove_file(message_path(dir.path(), inbox, uids[0])).unwrap();
    let report = store.reindex(ALICE).await.unwrap();
    assert_eq!(report.expunged, 1);
    let changes = store.changes_since(ALICE, inbox, mark).await.unwrap();
    assert_eq!(changes.expunged, vec![uids[0]]);
    assert_eq!(
        store.snapshot(ALICE, inbox).await.unwrap().messages.len(),
        2
    );
}

#[tokio::test]
async fn lost_index_is_a_typed_error_until_reindex_rebuilds_it() {
    let (dir, store) = store().await;
    store
        .create_mailbox(ALICE, &name("Projects/2024"), None)
        .await
        .unwrap();
    let (old_id, uids) = fill(&store, "Projects/2024", 2).await;
    let old_validity = store
        .mailbox(ALICE, &name("Projects/2024"))
        .await
        .unwrap()
        .status
        .uid_validity;
    drop(store);
    remove_index(dir.path());

    let store = Store::open_maildir(dir.path());
    let err = store.list_mailboxes(ALICE).await.unwrap_err();
    assert!(
        matches!(err, StoreError::IndexCorrupt(a) if a == ALICE),
        "{err:?}"
    );

    let report = store.reindex(ALICE).await.unwrap();
    assert!(report.rebuilt);
    let mb = store.mailbox(ALICE, &name("Projects/2024")).await.unwrap();
    assert_eq!(mb.id, old_id);
    assert_eq!(mb.status.messages, 2);
    assert_ne!(
        mb.status.uid_validity, old_validity,
        "UIDs may have been reused"
    );
    assert_eq!(body(&store, mb.id, uids[1]).await, small_message(1));
    assert_eq!(store.list_mailboxes(ALICE).await.unwrap().len(), 8);
    let (_, next) = fill(&store, "Projects/2024", 1).await;
    assert!(next[0] > uids[1]);
}

#[tokio::test]
async fn corrupt_index_of_one_account_leaves_another_working() {
    let (dir, store) = store().await;
    store.create_account(BOB).await.unwrap();
    fill(&store, "INBOX", 2).await;
    drop(store);
    remove_index(dir.path());
    std::fs::write(index_path(dir.path(), ALICE), vec![0xA5; 8192]).unwrap();

    let store = Store::open_maildir(dir.path());
    let err = store.list_mailboxes(ALICE).await.unwrap_err();
    assert!(matches!(err, StoreError::IndexCorrupt(_)), "{err:?}");
    assert_eq!(store.list_mailboxes(BOB).await.unwrap().len(), 6);

    let report = store.reindex(ALICE).await.unwrap();
    assert!(report.rebuilt);
    let inbox = store.mailbox(ALICE, &name("INBOX")).await.unwrap();
    assert_eq!(inbox.status.messages, 2);
}

#[tokio::test]
async fn expunged_message_stays_gone_when_the_unlink_was_lost() {
    let (dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 2).await;
    let path = message_path(dir.path(), inbox, uids[0]);
    let keep = dir.path().join("keep");
    std::fs::hard_link(&path, &keep).unwrap();
    let deleted = Flags::new().with(SystemFlag::Deleted);
    store
        .store_flags(ALICE, inbox, vec![uids[0]], FlagOp::Add, deleted, None)
        .await
        .unwrap();
    store.expunge(ALICE, inbox, None).await.unwrap();
    drop(store);
    // As if the process died after the commit and before the unlink.
    std::fs::hard_link(&keep, &path).unwrap();

    let store = Store::open_maildir(dir.path());
    let snap = store.snapshot(ALICE, inbox).await.unwrap();
    assert_eq!(
        snap.messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
        vec![uids[1]]
    );
    assert!(!path.exists());
}

#[tokio::test]
async fn file_linked_before_a_crashed_commit_is_indexed_on_open() {
    let (dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 1).await;
    drop(store);
    let orphan = Uid(uids[0].0 + 1);
    std::fs::write(message_path(dir.path(), inbox, orphan), small_message(7)).unwrap();

    let store = Store::open_maildir(dir.path());
    let snap = store.snapshot(ALICE, inbox).await.unwrap();
    assert_eq!(
        snap.messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
        vec![uids[0], orphan]
    );
    assert_eq!(body(&store, inbox, orphan).await, small_message(7));
    let (_, next) = fill(&store, "INBOX", 1).await;
    assert!(next[0] > orphan, "UID {next:?} reused");
}

#[tokio::test]
async fn mailbox_directory_missing_from_the_index_is_recovered_by_name() {
    let (dir, store) = store().await;
    store
        .create_mailbox(ALICE, &name("Lists"), None)
        .await
        .unwrap();
    let (id, _) = fill(&store, "Lists", 1).await;
    drop(store);
    let db = rusqlite::Connection::open(index_path(dir.path(), ALICE)).unwrap();
    db.execute("DELETE FROM mailboxes WHERE id = ?1", [id.0])
        .unwrap();
    db.execute("DELETE FROM messages WHERE mailbox_id = ?1", [id.0])
        .unwrap();
    drop(db);

    let store = Store::open_maildir(dir.path());
    let report = store.reindex(ALICE).await.unwrap();
    assert_eq!((report.mailboxes_recovered, report.indexed), (1, 1));
    let mb = store.mailbox(ALICE, &name("Lists")).await.unwrap();
    assert_eq!((mb.id, mb.status.messages), (id, 1));
}

#[tokio::test]
async fn stale_temporary_files_are_removed_and_fresh_ones_kept() {
    let (dir, store) = store().await;
    let tmp = account_dir(dir.path(), ALICE).join("tmp");
    let stale = tmp.join("stale");
    let fresh = tmp.join("fresh");
    std::fs::write(&stale, b"x").unwrap();
    std::fs::write(&fresh, b"y").unwrap();
    let old = SystemTime::now() - Duration::from_secs(3 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let report = store.reindex(ALICE).await.unwrap();
    assert_eq!(report.removed, 1);
    assert!(!stale.exists() && fresh.exists());
}

#[tokio::test]
async fn foreign_file_dropped_into_a_mailbox_gets_a_new_uid() {
    let (dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 1).await;
    let cur = message_path(dir.path(), inbox, uids[0])
        .parent()
        .unwrap()
        .to_owned();
    std::fs::write(cur.join("hand-made.eml"), small_message(9)).unwrap();
    let report = store.reindex(ALICE).await.unwrap();
    assert_eq!(report.indexed, 1);
    let snap = store.snapshot(ALICE, inbox).await.unwrap();
    let new = snap.messages.last().unwrap().uid;
    assert!(new > uids[0]);
    assert_eq!(body(&store, inbox, new).await, small_message(9));
    assert!(!cur.join("hand-made.eml").exists());
}

#[tokio::test]
async fn rebuild_picks_a_new_uidvalidity_and_a_uidnext_above_every_file() {
    let (dir, store) = store().await;
    let (_, uids) = fill(&store, "INBOX", 3).await;
    let before = store.mailbox(ALICE, &name("INBOX")).await.unwrap().status;
    drop(store);
    remove_index(dir.path());
    let store = Store::open_maildir(dir.path());
    store.reindex(ALICE).await.unwrap();
    let after = store.mailbox(ALICE, &name("INBOX")).await.unwrap().status;
    assert!(after.uid_next > *uids.last().unwrap());
    assert!(after.uid_validity > before.uid_validity);
}

#[tokio::test]
async fn deleted_mailbox_stays_deleted_when_its_directory_survived_a_crash() {
    let (dir, store) = store().await;
    store
        .create_mailbox(ALICE, &name("Old"), None)
        .await
        .unwrap();
    let (id, uids) = fill(&store, "Old", 1).await;
    let keep = dir.path().join("keep");
    std::fs::hard_link(message_path(dir.path(), id, uids[0]), &keep).unwrap();
    store.delete_mailbox(ALICE, &name("Old")).await.unwrap();
    drop(store);
    // As if the process died after the commit and before removing the tree.
    let path = message_path(dir.path(), id, uids[0]);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::hard_link(&keep, &path).unwrap();

    let store = Store::open_maildir(dir.path());
    let names: Vec<_> = store
        .list_mailboxes(ALICE)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name.to_string())
        .collect();
    assert_eq!(names.len(), 6, "{names:?}");
    assert!(!path.exists());
}

#[tokio::test]
async fn a_message_linked_by_an_append_that_never_committed_is_removed_not_indexed() {
    let (dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 1).await;
    // The state kill -9 leaves between link and commit: the staged file in
    // tmp/ and its second name under the next UID, with no index row.
    let staged = account_dir(dir.path(), ALICE).join("tmp").join("in-flight");
    std::fs::write(&staged, small_message(7)).unwrap();
    let orphan = message_path(dir.path(), inbox, Uid(uids[0].0 + 1));
    std::fs::hard_link(&staged, &orphan).unwrap();
    let report = store.reindex(ALICE).await.unwrap();
    assert_eq!((report.indexed, report.removed), (0, 1));
    assert!(!orphan.exists());
    let snap = store.snapshot(ALICE, inbox).await.unwrap();
    assert_eq!(
        snap.messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
        uids
    );
}

#[tokio::test]
async fn a_file_without_a_row_and_no_staged_twin_is_still_indexed() {
    let (dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 1).await;
    let restored = message_path(dir.path(), inbox, Uid(uids[0].0 + 1));
    std::fs::write(&restored, small_message(8)).unwrap();
    let report = store.reindex(ALICE).await.unwrap();
    assert_eq!(report.indexed, 1);
    assert_eq!(
        store.snapshot(ALICE, inbox).await.unwrap().messages.len(),
        2
    );
}
