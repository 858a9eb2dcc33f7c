//! The spool: what a commit makes durable, what a drop or a crash leaves.

mod queue_support;

use std::os::unix::fs::PermissionsExt;

use postamt::queue::{MessageSink, Origin, RecipientState, Spool};
use queue_support::{MESSAGE, envelope, submit};
use tokio::io::AsyncWriteExt;

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn committed_message_is_found_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path()).unwrap();
    let sent = envelope(
        Some("carol@remote.test"),
        &["alice@example.org", "bob@example.org"],
    );
    let id = submit(&spool, sent.clone(), MESSAGE).await;
    drop(spool);

    let spool = Spool::open(dir.path()).unwrap();
    let queued = spool.db().load(id).unwrap().unwrap();
    assert_eq!(queued.envelope, sent);
    assert_eq!(queued.size, MESSAGE.len() as u64);
    assert_eq!(queued.recipients.len(), 2);
    assert!(
        queued
            .recipients
            .iter()
            .all(|r| r.state == RecipientState::Pending)
    );
    assert_eq!(std::fs::read(spool.message_path(id)).unwrap(), MESSAGE);
}

#[tokio::test]
async fn dropped_writer_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path()).unwrap();
    let mut writer = spool.receive().await.unwrap();
    writer
        .write_all(b"Subject: half a message\r\n")
        .await
        .unwrap();
    assert_eq!(writer.written(), 25);
    drop(writer);

    assert!(files_in(&dir.path().join("queue/tmp")).is_empty());
    assert!(files_in(&dir.path().join("queue/messages")).is_empty());
    assert!(spool.db().ids().unwrap().is_empty());
}

#[tokio::test]
async fn ids_strictly_increase_across_reopen_and_removal() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path()).unwrap();
    let first = submit(&spool, envelope(None, &["alice@example.org"]), MESSAGE).await;
    let second = submit(&spool, envelope(None, &["alice@example.org"]), MESSAGE).await;
    assert!(second > first);
    // The newest message leaves the queue: its id must still not come back.
    assert!(spool.db().remove(second).unwrap());
    drop(spool);

    let spool = Spool::open(dir.path()).unwrap();
    let third = submit(&spool, envelope(None, &["alice@example.org"]), MESSAGE).await;
    assert!(third > second, "{third} after {second}");
}

#[tokio::test]
async fn stale_temporary_file_is_removed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    drop(Spool::open(dir.path()).unwrap());
    let stale = dir.path().join("queue/tmp/4242.0");
    std::fs::write(&stale, b"Subject: crashed mid-DATA\r\n").unwrap();

    let _spool = Spool::open(dir.path()).unwrap();
    assert!(!stale.exists());
}

#[tokio::test]
async fn message_file_without_row_is_removed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path()).unwrap();
    let kept = submit(&spool, envelope(None, &["alice@example.org"]), MESSAGE).await;
    drop(spool);
    // A crash after the rename, before the row was committed.
    let orphan = dir.path().join("queue/messages/00000000000000ff");
    std::fs::write(&orphan, MESSAGE).unwrap();

    let spool = Spool::open(dir.path()).unwrap();
    assert!(!orphan.exists());
    assert!(spool.message_path(kept).exists());
}

#[tokio::test]
async fn queue_files_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path()).unwrap();
    let id = submit(&spool, envelope(None, &["alice@example.org"]), MESSAGE).await;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("queue/queue.db")), 0o600);
    assert_eq!(mode(&spool.message_path(id)), 0o600);
    assert_eq!(mode(&dir.path().join("queue")), 0o700);
}

#[tokio::test]
async fn finished_message_left_by_a_crash_is_removed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path()).unwrap();
    let id = submit(&spool, envelope(None, &["alice@example.org"]), MESSAGE).await;
    let done = postamt::queue::LastOutcome {
        status: "2.0.0".to_owned(),
        diagnostic: "delivered".to_owned(),
        remote_mta: None,
    };
    spool
        .db()
        .record(id, 0, &postamt::queue::RecipientUpdate::Delivered(done))
        .unwrap();
    spool.db().mark_reported(id, &[0]).unwrap();
    drop(spool);

    let spool = Spool::open(dir.path()).unwrap();
    assert!(spool.db().load(id).unwrap().is_none());
    assert!(!spool.message_path(id).exists());
}

#[tokio::test]
async fn a_message_with_a_queued_origin_is_refused_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path()).unwrap();
    let origin = Origin("forward:1:0:7:r0".to_owned());
    assert!(!spool.queued_from(origin.clone()).await.unwrap());
    let mut writer = spool.receive_from(origin.clone()).await.unwrap();
    writer.write_all(MESSAGE).await.unwrap();
    let first = writer
        .commit(envelope(None, &["carol@remote.test"]))
        .await
        .unwrap();
    assert!(spool.queued_from(origin.clone()).await.unwrap());

    let mut again = spool.receive_from(origin.clone()).await.unwrap();
    again.write_all(MESSAGE).await.unwrap();
    assert!(
        again
            .commit(envelope(None, &["carol@remote.test"]))
            .await
            .is_err()
    );
    assert_eq!(spool.db().ids().unwrap(), vec![first]);
    assert_eq!(
        files_in(&dir.path().join("queue/messages")),
        vec![first.to_string()]
    );
    assert!(files_in(&dir.path().join("queue/tmp")).is_empty());
}

#[tokio::test]
async fn an_origin_outlives_its_message_until_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path()).unwrap();
    let origin = Origin("forward:2:0:7:r0".to_owned());
    let mut writer = spool.receive_from(origin.clone()).await.unwrap();
    writer.write_all(MESSAGE).await.unwrap();
    let id = writer
        .commit(envelope(None, &["carol@remote.test"]))
        .await
        .unwrap();
    assert!(spool.db().remove(id).unwrap());
    assert!(spool.queued_from(origin.clone()).await.unwrap());

    spool.db().forget_origins(i64::MAX).unwrap();
    assert!(!spool.queued_from(origin).await.unwrap());
}
