//! Changing stored messages: STORE with UNCHANGEDSINCE, keywords, COPY and
//! MOVE UID mapping, EXPUNGE and UID EXPUNGE, changes since a modseq.

mod corpus;
mod store_support;

use postamt::message::{Section, SectionSpec};
use postamt::store::{
    FlagOp, Flags, Keyword, MailboxId, ModSeq, Store, StoreError, SystemFlag, Uid,
};
use store_support::*;

async fn read(store: &Store, mailbox: MailboxId, uid: Uid) -> Vec<u8> {
    let section = Section {
        path: vec![],
        spec: SectionSpec::Full,
    };
    let stream = store
        .open_message(ALICE, mailbox, uid, section, None)
        .await
        .unwrap();
    stream.into_bytes().await.unwrap()
}

#[tokio::test]
async fn modseq_strictly_increases_with_each_change() {
    let (_dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 1).await;
    let mut last = store.snapshot(ALICE, inbox).await.unwrap().highest_modseq;
    for op in [FlagOp::Add, FlagOp::Remove, FlagOp::Add] {
        let flags = Flags::new().with(SystemFlag::Flagged);
        let r = store
            .store_flags(ALICE, inbox, uids.clone(), op, flags, None)
            .await
            .unwrap();
        let now = r.updated[0].modseq;
        assert!(now > last, "{now:?} <= {last:?}");
        last = now;
    }
}

#[tokio::test]
async fn keywords_compare_case_insensitively() {
    let (_dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 1).await;
    let add = Flags::new().with_keyword(Keyword::new("$Forwarded").unwrap());
    store
        .store_flags(ALICE, inbox, uids.clone(), FlagOp::Add, add, None)
        .await
        .unwrap();
    let remove = Flags::new().with_keyword(Keyword::new("$FORWARDED").unwrap());
    let r = store
        .store_flags(ALICE, inbox, uids, FlagOp::Remove, remove, None)
        .await
        .unwrap();
    assert!(r.updated[0].flags.keywords().is_empty());
}

#[tokio::test]
async fn unchanged_since_reports_modified_uids_and_leaves_them_alone() {
    let (_dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 2).await;
    let before = store.snapshot(ALICE, inbox).await.unwrap().highest_modseq;
    let seen = Flags::new().with(SystemFlag::Seen);
    store
        .store_flags(ALICE, inbox, vec![uids[0]], FlagOp::Add, seen, None)
        .await
        .unwrap();
    let flagged = Flags::new().with(SystemFlag::Flagged);
    let r = store
        .store_flags(
            ALICE,
            inbox,
            uids.clone(),
            FlagOp::Add,
            flagged,
            Some(before),
        )
        .await
        .unwrap();
    assert_eq!(r.modified, vec![uids[0]]);
    assert_eq!(
        r.updated.iter().map(|u| u.uid).collect::<Vec<_>>(),
        vec![uids[1]]
    );
    let snap = store.snapshot(ALICE, inbox).await.unwrap();
    assert!(!snap.messages[0].flags.contains(SystemFlag::Flagged));
}

#[tokio::test]
async fn copy_maps_source_to_new_destination_uids() {
    let (_dir, store) = store().await;
    fill(&store, "Trash", 2).await; // destination UIDs start above 2
    let (inbox, uids) = fill(&store, "INBOX", 3).await;
    let r = store
        .copy(ALICE, inbox, vec![uids[2], uids[0]], &name("Trash"))
        .await
        .unwrap();
    assert_eq!(r.pairs, vec![(uids[0], Uid(3)), (uids[2], Uid(4))]);
    let trash = store.mailbox(ALICE, &name("Trash")).await.unwrap();
    assert_eq!(r.uid_validity, trash.status.uid_validity);
    assert_eq!(read(&store, trash.id, Uid(4)).await, small_message(2));
    assert_eq!(
        store.snapshot(ALICE, inbox).await.unwrap().messages.len(),
        3
    );
}

#[tokio::test]
async fn move_maps_uids_and_expunges_the_source() {
    let (_dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 3).await;
    let before = store.snapshot(ALICE, inbox).await.unwrap().highest_modseq;
    let r = store
        .move_messages(ALICE, inbox, vec![uids[1]], &name("Junk"))
        .await
        .unwrap();
    assert_eq!(r.pairs, vec![(uids[1], Uid(1))]);
    let left: Vec<_> = store
        .snapshot(ALICE, inbox)
        .await
        .unwrap()
        .messages
        .iter()
        .map(|m| m.uid)
        .collect();
    assert_eq!(left, vec![uids[0], uids[2]]);
    let changes = store.changes_since(ALICE, inbox, before).await.unwrap();
    assert_eq!(changes.expunged, vec![uids[1]]);
    let junk = store.mailbox(ALICE, &name("Junk")).await.unwrap().id;
    assert_eq!(read(&store, junk, Uid(1)).await, small_message(1));
}

#[tokio::test]
async fn copy_to_missing_mailbox_changes_nothing() {
    let (_dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 1).await;
    let err = store
        .copy(ALICE, inbox, uids, &name("nope"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NoMailbox(_)), "{err:?}");
}

#[tokio::test]
async fn expunge_removes_only_deleted_messages() {
    let (_dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 3).await;
    let deleted = Flags::new().with(SystemFlag::Deleted);
    store
        .store_flags(
            ALICE,
            inbox,
            vec![uids[0], uids[2]],
            FlagOp::Add,
            deleted,
            None,
        )
        .await
        .unwrap();
    let gone = store.expunge(ALICE, inbox, None).await.unwrap();
    assert_eq!(gone, vec![uids[0], uids[2]]);
    let left = store.snapshot(ALICE, inbox).await.unwrap().messages;
    assert_eq!(
        left.iter().map(|m| m.uid).collect::<Vec<_>>(),
        vec![uids[1]]
    );
}

#[tokio::test]
async fn uid_expunge_is_restricted_to_the_given_uids() {
    let (_dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 3).await;
    let deleted = Flags::new().with(SystemFlag::Deleted);
    store
        .store_flags(ALICE, inbox, uids.clone(), FlagOp::Add, deleted, None)
        .await
        .unwrap();
    let gone = store
        .expunge(ALICE, inbox, Some(vec![uids[1]]))
        .await
        .unwrap();
    assert_eq!(gone, vec![uids[1]]);
    assert_eq!(
        store.snapshot(ALICE, inbox).await.unwrap().messages.len(),
        2
    );
}

#[tokio::test]
async fn changes_since_lists_flag_changes_and_expunges_after_the_modseq() {
    let (_dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 3).await;
    let mark = store.snapshot(ALICE, inbox).await.unwrap().highest_modseq;
    let flags = Flags::new().with(SystemFlag::Deleted);
    store
        .store_flags(
            ALICE,
            inbox,
            vec![uids[0], uids[1]],
            FlagOp::Add,
            flags,
            None,
        )
        .await
        .unwrap();
    store
        .expunge(ALICE, inbox, Some(vec![uids[0]]))
        .await
        .unwrap();
    let changes = store.changes_since(ALICE, inbox, mark).await.unwrap();
    assert_eq!(
        changes.changed.iter().map(|c| c.uid).collect::<Vec<_>>(),
        vec![uids[1]]
    );
    assert_eq!(changes.expunged, vec![uids[0]]);
    let none = store
        .changes_since(ALICE, inbox, changes.highest_modseq)
        .await
        .unwrap();
    assert!(none.changed.is_empty() && none.expunged.is_empty());
    assert!(changes.highest_modseq > mark && mark > ModSeq(0));
}

#[tokio::test]
async fn move_within_one_mailbox_renumbers_the_message() {
    let (_dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 2).await;
    let r = store
        .move_messages(ALICE, inbox, vec![uids[0]], &name("INBOX"))
        .await
        .unwrap();
    assert_eq!(r.pairs, vec![(uids[0], Uid(3))]);
    let snap = store.snapshot(ALICE, inbox).await.unwrap();
    assert_eq!(
        snap.messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
        vec![uids[1], Uid(3)]
    );
    assert_eq!(read(&store, inbox, Uid(3)).await, small_message(0));
}
