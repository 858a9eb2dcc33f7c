//! Appending and reading messages: bytes and staged sources, sections and
//! partial fetches, quota, delivery de-duplication, UIDs not reused,
//! concurrent appenders in one and in two processes.

mod corpus;
mod store_support;

use std::collections::HashSet;

use postamt::message::{Section, SectionSpec};
use postamt::store::{FlagOp, Flags, NewMessage, QuotaLimit, Store, StoreError, SystemFlag, Uid};
use store_support::*;
use tokio::io::AsyncWriteExt;

fn whole() -> Section {
    Section {
        path: vec![],
        spec: SectionSpec::Full,
    }
}

async fn read(
    store: &Store,
    mailbox: postamt::store::MailboxId,
    uid: Uid,
    spec: SectionSpec,
) -> Vec<u8> {
    let section = Section { path: vec![], spec };
    let stream = store
        .open_message(ALICE, mailbox, uid, section, None)
        .await
        .unwrap();
    let len = stream.len();
    let bytes = stream.into_bytes().await.unwrap();
    assert_eq!(
        bytes.len() as u64,
        len,
        "announced length differs from content"
    );
    bytes
}

#[tokio::test]
async fn corpus_messages_read_back_identical() {
    let (_dir, store) = store().await;
    let messages = corpus(20);
    let new = messages
        .iter()
        .cloned()
        .map(NewMessage::from_bytes)
        .collect();
    let appended = store
        .append(ALICE, &name("INBOX"), new, None)
        .await
        .unwrap();
    let inbox = store.mailbox(ALICE, &name("INBOX")).await.unwrap().id;
    for (uid, original) in appended.uids.iter().zip(&messages) {
        assert_eq!(
            &read(&store, inbox, *uid, SectionSpec::Full).await,
            original
        );
    }
}

#[tokio::test]
async fn header_and_text_sections_split_at_the_blank_line() {
    let (_dir, store) = store().await;
    let raw = corpus(1).remove(0);
    let appended = store
        .append(
            ALICE,
            &name("INBOX"),
            vec![NewMessage::from_bytes(raw.clone())],
            None,
        )
        .await
        .unwrap();
    let inbox = store.mailbox(ALICE, &name("INBOX")).await.unwrap().id;
    let uid = appended.uids[0];
    let header = read(&store, inbox, uid, SectionSpec::Header).await;
    let text = read(&store, inbox, uid, SectionSpec::Text).await;
    assert!(header.ends_with(b"\r\n\r\n"));
    assert_eq!([header, text].concat(), raw);
}

#[tokio::test]
async fn metadata_is_cached_for_each_uid() {
    let (_dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 3).await;
    let meta = store.metadata(ALICE, inbox, uids.clone()).await.unwrap();
    assert_eq!(meta.iter().map(|(u, _)| *u).collect::<Vec<_>>(), uids);
    assert_eq!(meta[1].1.size, small_message(1).len() as u64);
}

#[tokio::test]
async fn staged_message_is_appended_without_bytes_in_memory() {
    let (_dir, store) = store().await;
    let raw = corpus(1).remove(0);
    let mut writer = store.stage(ALICE).await.unwrap();
    for chunk in raw.chunks(1000) {
        writer.write_all(chunk).await.unwrap();
    }
    assert_eq!(writer.written(), raw.len() as u64);
    let staged = writer.finish().await.unwrap();
    let message = NewMessage {
        source: postamt::store::MessageSource::Staged(staged),
        flags: Flags::new().with(SystemFlag::Seen),
        internal_date: Some(postamt::store::InternalDate(1_000_000)),
        delivery_id: None,
    };
    let appended = store
        .append(ALICE, &name("INBOX"), vec![message], None)
        .await
        .unwrap();
    let inbox = store.mailbox(ALICE, &name("INBOX")).await.unwrap().id;
    assert_eq!(
        read(&store, inbox, appended.uids[0], SectionSpec::Full).await,
        raw
    );
    let snap = store.snapshot(ALICE, inbox).await.unwrap();
    assert!(snap.messages[0].flags.contains(SystemFlag::Seen));
    assert_eq!(snap.messages[0].internal_date.0, 1_000_000);
}

#[tokio::test]
async fn append_over_quota_appends_nothing() {
    let (_dir, store) = store().await;
    fill(&store, "INBOX", 2).await;
    let batch = (0..3)
        .map(|i| NewMessage::from_bytes(small_message(i)))
        .collect();
    let limit = QuotaLimit {
        max_bytes: None,
        max_messages: Some(4),
    };
    let err = store
        .append(ALICE, &name("INBOX"), batch, Some(limit))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::OverQuota), "{err:?}");
    assert_eq!(store.quota_usage(ALICE).await.unwrap().messages, 2);
}

#[tokio::test]
async fn quota_usage_counts_bytes_and_messages_of_all_mailboxes() {
    let (_dir, store) = store().await;
    fill(&store, "INBOX", 2).await;
    fill(&store, "Sent", 1).await;
    let usage = store.quota_usage(ALICE).await.unwrap();
    let bytes = [0, 1, 0]
        .iter()
        .map(|&i| small_message(i).len() as u64)
        .sum();
    assert_eq!((usage.messages, usage.bytes), (3, bytes));
}

#[tokio::test]
async fn append_to_missing_mailbox_is_no_mailbox() {
    let (_dir, store) = store().await;
    let err = store
        .append(
            ALICE,
            &name("nope"),
            vec![NewMessage::from_bytes(small_message(0))],
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NoMailbox(_)), "{err:?}");
}

#[tokio::test]
async fn uids_are_not_reused_after_expunge_and_reopen() {
    let (dir, store) = store().await;
    let (inbox, uids) = fill(&store, "INBOX", 3).await;
    let deleted = Flags::new().with(SystemFlag::Deleted);
    store
        .store_flags(ALICE, inbox, vec![uids[2]], FlagOp::Add, deleted, None)
        .await
        .unwrap();
    store.expunge(ALICE, inbox, None).await.unwrap();
    drop(store);
    let store = Store::open_maildir(dir.path());
    let (_, next) = fill(&store, "INBOX", 1).await;
    assert_eq!(next, vec![Uid(uids[2].0 + 1)]);
}

#[tokio::test]
async fn sixteen_concurrent_appenders_get_distinct_uids() {
    let (_dir, store) = store().await;
    let mut tasks = Vec::new();
    for t in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut uids = Vec::new();
            for i in 0..5 {
                let m = NewMessage::from_bytes(small_message(t * 100 + i));
                uids.extend(
                    store
                        .append(ALICE, &name("INBOX"), vec![m], None)
                        .await
                        .unwrap()
                        .uids,
                );
            }
            uids
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(distinct.len(), 80);
    let inbox = store.mailbox(ALICE, &name("INBOX")).await.unwrap().id;
    let snap = store.snapshot(ALICE, inbox).await.unwrap();
    assert_eq!(snap.messages.len(), 80);
    let mut bodies = HashSet::new();
    for m in &snap.messages {
        bodies.insert(read(&store, inbox, m.uid, SectionSpec::Full).await);
    }
    assert_eq!(bodies.len(), 80, "a message was lost or duplicated");
}

/// Appends to one account commit in groups: one call refused inside a
/// group (no such mailbox, over quota) must leave the others of the group
/// committed, and nothing of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_appends_among_concurrent_ones_leave_the_others_committed() {
    let (dir, store) = store().await;
    let one_message = QuotaLimit {
        max_bytes: None,
        max_messages: Some(1),
    };
    let mut tasks = Vec::new();
    for t in 0..24 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let (mailbox, quota) = match t % 4 {
                0 => ("nope", None),
                1 => ("INBOX", Some(one_message)),
                _ => ("INBOX", None),
            };
            let m = NewMessage::from_bytes(small_message(t));
            (t, store.append(ALICE, &name(mailbox), vec![m], quota).await)
        }));
    }
    let mut stored = Vec::new();
    for task in tasks {
        let (t, result) = task.await.unwrap();
        match (t % 4, result) {
            (0, Err(StoreError::NoMailbox(_))) => {}
            (1, Err(StoreError::OverQuota)) => {}
            (1, Ok(appended)) => stored.extend(appended.uids),
            (2 | 3, Ok(appended)) => stored.extend(appended.uids),
            (t, other) => panic!("append {t}: {other:?}"),
        }
    }
    let inbox = store.mailbox(ALICE, &name("INBOX")).await.unwrap().id;
    let snap = store.snapshot(ALICE, inbox).await.unwrap();
    let listed: HashSet<Uid> = snap.messages.iter().map(|m| m.uid).collect();
    assert_eq!(listed, stored.iter().copied().collect::<HashSet<_>>());
    assert!(snap.messages.len() >= 12, "{}", snap.messages.len());
    let files = std::fs::read_dir(account_dir(dir.path(), ALICE).join("mail"))
        .unwrap()
        .flatten()
        .flat_map(|mailbox| {
            std::fs::read_dir(mailbox.path().join("cur"))
                .into_iter()
                .flatten()
        })
        .count();
    assert_eq!(files, snap.messages.len(), "a refused append left a file");
}

#[tokio::test]
async fn reading_an_unknown_uid_is_no_message() {
    let (_dir, store) = store().await;
    let (inbox, _) = fill(&store, "INBOX", 1).await;
    let err = store
        .open_message(ALICE, inbox, Uid(99), whole(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NoMessage), "{err:?}");
}

#[tokio::test]
async fn a_delivery_retried_with_the_same_id_is_stored_once() {
    let (_dir, store) = store().await;
    let delivery = |n| NewMessage {
        delivery_id: Some("queue-42/alice@example.org".to_owned()),
        ..NewMessage::from_bytes(small_message(n))
    };
    let first = store
        .append(ALICE, &name("INBOX"), vec![delivery(1)], None)
        .await
        .unwrap();
    let retry = store
        .append(ALICE, &name("INBOX"), vec![delivery(1)], None)
        .await
        .unwrap();
    assert_eq!(first.uids, retry.uids);
    assert_eq!(store.quota_usage(ALICE).await.unwrap().messages, 1);
}

#[tokio::test]
async fn two_processes_appending_at_once_get_distinct_uids() {
    let (dir, daemon) = store().await;
    // A second store on the same data dir has its own index connections,
    // as the CLI would: only SQLite's lock keeps them apart.
    let cli = Store::open_maildir(dir.path());
    let mut tasks = Vec::new();
    for (t, store) in [daemon.clone(), cli].into_iter().enumerate() {
        for k in 0..4 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut uids = Vec::new();
                for i in 0..5 {
                    let m = NewMessage::from_bytes(small_message(t * 1000 + k * 100 + i));
                    let r = store
                        .append(ALICE, &name("INBOX"), vec![m], None)
                        .await
                        .unwrap();
                    uids.extend(r.uids);
                }
                uids
            }));
        }
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 40);
    let inbox = daemon.mailbox(ALICE, &name("INBOX")).await.unwrap().id;
    assert_eq!(
        daemon.snapshot(ALICE, inbox).await.unwrap().messages.len(),
        40
    );
}

#[tokio::test]
async fn partial_fetch_reads_only_the_requested_octets() {
    let (_dir, store) = store().await;
    let raw = corpus(1).remove(0);
    let appended = store
        .append(
            ALICE,
            &name("INBOX"),
            vec![NewMessage::from_bytes(raw.clone())],
            None,
        )
        .await
        .unwrap();
    let inbox = store.mailbox(ALICE, &name("INBOX")).await.unwrap().id;
    let partial = postamt::store::Partial {
        origin: 10,
        octets: 100,
    };
    let stream = store
        .open_message(ALICE, inbox, appended.uids[0], whole(), Some(partial))
        .await
        .unwrap();
    assert_eq!(stream.len(), 100);
    assert_eq!(stream.into_bytes().await.unwrap(), raw[10..110]);
}
