//! The pipeline carries out the keep, the copies and a rewritten header as
//! a stage decided them.

mod delivery_support;

use delivery_support::{Env, MESSAGE, contains};
use postamt::delivery::FiledCopy;
use postamt::queue::OutcomeKind;
use postamt::store::{Flags, MailboxName, SystemFlag};

fn copy(folder: &str, flag: SystemFlag, create: bool) -> FiledCopy {
    FiledCopy {
        folder: MailboxName::new(folder).unwrap(),
        flags: Flags::new().with(flag),
        create,
    }
}

async fn flags_in(env: &Env, folder: &str) -> Vec<Flags> {
    let info = env
        .store
        .mailbox(env.alice, &MailboxName::new(folder).unwrap())
        .await
        .unwrap();
    let snapshot = env.store.snapshot(env.alice, info.id).await.unwrap();
    snapshot.messages.into_iter().map(|m| m.flags).collect()
}

#[tokio::test]
async fn cancelled_keep_with_two_copies_files_two_folders_and_no_inbox() {
    let env = Env::new();
    for folder in ["Work", "Archive"] {
        env.store.create_account(env.alice).await.ok();
        env.store
            .create_mailbox(env.alice, &MailboxName::new(folder).unwrap(), None)
            .await
            .unwrap();
    }
    let pipeline = env.pipeline(|_, d| {
        d.keep = false;
        d.copies.push(copy("Work", SystemFlag::Flagged, false));
        d.copies.push(copy("Archive", SystemFlag::Seen, false));
    });
    let outcome = env
        .deliver(
            &pipeline,
            1,
            Some("carol@remote.test"),
            "alice@example.org",
            MESSAGE,
        )
        .await;
    assert_eq!(outcome.kind, OutcomeKind::Delivered);
    assert!(env.folder(env.alice, "INBOX").await.is_empty());
    assert_eq!(env.folder(env.alice, "Work").await.len(), 1);
    assert_eq!(env.folder(env.alice, "Archive").await.len(), 1);
    assert!(flags_in(&env, "Work").await[0].contains(SystemFlag::Flagged));
    assert!(!flags_in(&env, "Work").await[0].contains(SystemFlag::Seen));
    assert!(flags_in(&env, "Archive").await[0].contains(SystemFlag::Seen));
}

#[tokio::test]
async fn copy_into_the_keeps_folder_is_the_keep() {
    let env = Env::new();
    let pipeline = env.pipeline(|_, d| d.copies.push(copy("INBOX", SystemFlag::Flagged, false)));
    env.deliver(
        &pipeline,
        1,
        Some("carol@remote.test"),
        "alice@example.org",
        MESSAGE,
    )
    .await;
    assert_eq!(env.folder(env.alice, "INBOX").await.len(), 1);
    assert!(flags_in(&env, "INBOX").await[0].contains(SystemFlag::Flagged));
}

#[tokio::test]
async fn copy_into_a_missing_folder_goes_to_inbox_without_create() {
    let env = Env::new();
    let pipeline = env.pipeline(|_, d| {
        d.keep = false;
        d.copies.push(copy("Missing", SystemFlag::Seen, false));
    });
    env.deliver(
        &pipeline,
        1,
        Some("carol@remote.test"),
        "alice@example.org",
        MESSAGE,
    )
    .await;
    assert_eq!(env.folder(env.alice, "INBOX").await.len(), 1);
    assert!(
        env.store
            .mailbox(env.alice, &MailboxName::new("Missing").unwrap())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn copy_with_create_makes_the_missing_folder() {
    let env = Env::new();
    let pipeline = env.pipeline(|_, d| {
        d.keep = false;
        d.copies.push(copy("Made", SystemFlag::Seen, true));
    });
    env.deliver(
        &pipeline,
        1,
        Some("carol@remote.test"),
        "alice@example.org",
        MESSAGE,
    )
    .await;
    assert!(env.folder(env.alice, "INBOX").await.is_empty());
    assert_eq!(env.folder(env.alice, "Made").await.len(), 1);
}

#[tokio::test]
async fn a_retried_delivery_stores_each_copy_once() {
    let env = Env::new();
    let pipeline = env.pipeline(|_, d| {
        d.copies.push(copy("Made", SystemFlag::Seen, true));
    });
    // The same queue id and index: a retry after a crash past the append.
    for _ in 0..2 {
        env.deliver(
            &pipeline,
            7,
            Some("carol@remote.test"),
            "alice@example.org",
            MESSAGE,
        )
        .await;
    }
    assert_eq!(env.folder(env.alice, "INBOX").await.len(), 1);
    assert_eq!(env.folder(env.alice, "Made").await.len(), 1);
}

#[tokio::test]
async fn no_keep_no_copy_no_redirect_is_a_delivered_discard() {
    let env = Env::new();
    let pipeline = env.pipeline(|_, d| d.keep = false);
    let outcome = env
        .deliver(
            &pipeline,
            1,
            Some("carol@remote.test"),
            "alice@example.org",
            MESSAGE,
        )
        .await;
    assert_eq!(outcome.kind, OutcomeKind::Delivered);
    assert!(env.folder(env.alice, "INBOX").await.is_empty());
}

#[tokio::test]
async fn rewritten_header_replaces_the_original_and_keeps_the_body() {
    let env = Env::new();
    let pipeline = env.pipeline(|_, d| {
        d.rewritten_header = Some(b"From: carol@remote.test\r\nSubject: Edited\r\n\r\n".to_vec());
    });
    env.deliver(
        &pipeline,
        1,
        Some("carol@remote.test"),
        "alice@example.org",
        MESSAGE,
    )
    .await;
    let stored = &env.folder(env.alice, "INBOX").await[0];
    assert!(contains(stored, "Subject: Edited\r\n"));
    assert!(!contains(stored, "Subject: Hello"));
    assert!(contains(stored, "Delivered-To: alice@example.org\r\n"));
    assert!(stored.ends_with(b"\r\n\r\nHi Alice.\r\n"));
}
