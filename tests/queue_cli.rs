//! `postamt queue list|flush|delete` against a spool with messages in it,
//! as an admin would run them beside the daemon.

mod queue_support;

use std::path::Path;
use std::process::{Command, Output};

use postamt::queue::{ActivitySnapshot, LastOutcome, RecipientUpdate, Spool, Step, now_ms};
use queue_support::{MESSAGE, envelope, submit};

fn postamt(data_dir: &Path, args: &[&str]) -> Output {
    let config = data_dir.join("postamt.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nhostname = \"mail.example.org\"\ndata_dir = \"{}\"\n",
            data_dir.display()
        ),
    )
    .unwrap();
    Command::new(env!("CARGO_BIN_EXE_postamt"))
        .arg("--config")
        .arg(&config)
        .arg("queue")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn list_shows_each_recipient_with_its_state_and_last_error() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path()).unwrap();
    let id = submit(
        &spool,
        envelope(
            Some("alice@example.org"),
            &["dave@remote.test", "bob@example.org"],
        ),
        MESSAGE,
    )
    .await;
    let deferred = RecipientUpdate::Retry {
        last: LastOutcome {
            status: "4.2.0".to_owned(),
            diagnostic: "smtp; 451 4.2.0 greylisted".to_owned(),
            remote_mta: None,
        },
        at_ms: now_ms() + 600_000,
    };
    spool.db().record(id, 0, &deferred).unwrap();

    let output = postamt(dir.path(), &["list"]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.contains(&format!("{id}  age ")), "{text}");
    assert!(
        text.contains(&format!(
            "{} bytes  from <alice@example.org>",
            MESSAGE.len()
        )),
        "{text}"
    );
    assert!(
        text.contains("dave@remote.test  deferred, next in 9m"),
        "{text}"
    );
    assert!(
        text.contains("attempts 1  4.2.0 smtp; 451 4.2.0 greylisted"),
        "{text}"
    );
    assert!(
        text.contains("bob@example.org  pending, due now  attempts 0"),
        "{text}"
    );
}

/// What a running daemon publishes: recipient 0 of `id` in the anti-spam
/// stage for 7 seconds.
fn publish_activity(spool: &Spool, id: postamt::queue::QueueId) {
    let now = now_ms();
    let snapshot = ActivitySnapshot {
        written_ms: now,
        steps: vec![Step {
            id: id.to_string(),
            recipient: 0,
            step: "antispam".to_owned(),
            since_ms: now - 7_000,
        }],
    };
    std::fs::write(
        spool.dir().join("activity.json"),
        serde_json::to_vec(&snapshot).unwrap(),
    )
    .unwrap();
}

#[tokio::test]
async fn list_shows_the_step_a_message_waits_in_and_for_how_long() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path()).unwrap();
    let id = submit(
        &spool,
        envelope(
            Some("alice@example.org"),
            &["bob@example.org", "carol@example.org"],
        ),
        MESSAGE,
    )
    .await;
    publish_activity(&spool, id);

    let text = stdout(&postamt(dir.path(), &["list"]));
    assert!(
        text.contains("bob@example.org  in delivery: antispam for 7s  attempts 0"),
        "{text}"
    );
    assert!(
        text.contains("carol@example.org  pending, due now, waiting for a delivery slot"),
        "{text}"
    );
}

#[tokio::test]
async fn list_of_an_empty_queue_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let output = postamt(dir.path(), &["list"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), "the queue is empty\n");
}

#[tokio::test]
async fn delete_removes_the_message_and_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path()).unwrap();
    let id = submit(
        &spool,
        envelope(Some("alice@example.org"), &["dave@remote.test"]),
        MESSAGE,
    )
    .await;

    let output = postamt(dir.path(), &["delete", &id.to_string()]);
    assert!(output.status.success(), "{output:?}");
    assert!(spool.db().load(id).unwrap().is_none());
    assert!(!spool.message_path(id).exists());
}

#[tokio::test]
async fn delete_of_an_unknown_id_fails_with_67() {
    let dir = tempfile::tempdir().unwrap();
    let output = postamt(dir.path(), &["delete", "ff"]);
    assert_eq!(output.status.code(), Some(67));
}

#[tokio::test]
async fn flush_makes_deferred_recipients_due() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path()).unwrap();
    let id = submit(
        &spool,
        envelope(Some("alice@example.org"), &["dave@remote.test"]),
        MESSAGE,
    )
    .await;
    let later = RecipientUpdate::Retry {
        last: LastOutcome {
            status: "4.2.0".to_owned(),
            diagnostic: "later".to_owned(),
            remote_mta: None,
        },
        at_ms: now_ms() + 3_600_000,
    };
    spool.db().record(id, 0, &later).unwrap();

    let output = postamt(dir.path(), &["flush"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), "1 recipient(s) due now\n");
    assert_eq!(spool.db().due(now_ms(), 10).unwrap(), vec![id]);
}
