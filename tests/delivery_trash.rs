//! Trash: purged oldest first to make room under the quota, and expired
//! after the retention, never earlier.

mod delivery_support;

use std::time::Duration;

use delivery_support::{Env, MESSAGE};
use postamt::delivery::TrashExpiry;
use postamt::queue::OutcomeKind;
use postamt::store::{AccountId, Flags, MailboxName, MessageSource, NewMessage, SpecialUse, Store};

const DAY_MS: i64 = 24 * 3600 * 1000;

async fn trash(store: &Store, account: AccountId) -> MailboxName {
    let name = MailboxName::new("Trash").unwrap();
    store.create_account(account).await.ok();
    store
        .create_mailbox(account, &name, Some(SpecialUse::Trash))
        .await
        .ok();
    name
}

async fn put(store: &Store, account: AccountId, folder: &MailboxName, body: &str, size: usize) {
    let mut octets = format!("Subject: {body}\r\n\r\n").into_bytes();
    octets.resize(size, b'x');
    let message = NewMessage {
        source: MessageSource::Bytes(octets),
        flags: Flags::new(),
        internal_date: None,
        delivery_id: None,
    };
    store
        .append(account, folder, vec![message], None)
        .await
        .unwrap();
}

async fn subjects(env: &Env, folder: &str) -> Vec<String> {
    env.folder(env.alice, folder)
        .await
        .iter()
        .map(|m| {
            String::from_utf8_lossy(&m[..m.iter().position(|&b| b == b'\r').unwrap()]).into_owned()
        })
        .collect()
}

#[tokio::test]
async fn over_quota_delivery_purges_trash_oldest_first_just_enough() {
    let env = Env::new();
    let trash = trash(&env.store, env.alice).await;
    for name in ["old", "middle", "new"] {
        put(&env.store, env.alice, &trash, name, 1000).await;
    }
    let used = env.store.quota_usage(env.alice).await.unwrap().bytes;
    env.directory
        .set_quota("alice@example.org", Some(used + 50))
        .unwrap();
    let pipeline = env.pipeline(|_, _| {});
    let outcome = env
        .deliver(
            &pipeline,
            1,
            Some("carol@remote.test"),
            "alice@example.org",
            MESSAGE,
        )
        .await;
    assert_eq!(outcome.kind, OutcomeKind::Delivered, "{outcome:?}");
    assert_eq!(env.folder(env.alice, "INBOX").await.len(), 1);
    assert_eq!(
        subjects(&env, "Trash").await,
        ["Subject: middle", "Subject: new"]
    );
}

#[tokio::test]
async fn over_quota_without_room_in_trash_stays_transient() {
    let env = Env::new();
    trash(&env.store, env.alice).await;
    env.directory
        .set_quota("alice@example.org", Some(10))
        .unwrap();
    let pipeline = env.pipeline(|_, _| {});
    let outcome = env
        .deliver(
            &pipeline,
            1,
            Some("carol@remote.test"),
            "alice@example.org",
            MESSAGE,
        )
        .await;
    assert_eq!(outcome.kind, OutcomeKind::Transient);
    assert_eq!(outcome.status, "4.2.2");
}

#[tokio::test]
async fn expiry_removes_only_messages_in_trash_longer_than_the_retention() {
    let env = Env::new();
    let trash = trash(&env.store, env.alice).await;
    let state = env.actions.state().clone();
    let retention = Duration::from_secs(7 * 24 * 3600);
    let start = 1_800_000_000_000;
    put(&env.store, env.alice, &trash, "old", 100).await;
    TrashExpiry::pass(&env.store, &env.directory, &state, retention, start).await;
    put(&env.store, env.alice, &trash, "recent", 100).await;
    TrashExpiry::pass(
        &env.store,
        &env.directory,
        &state,
        retention,
        start + 6 * DAY_MS,
    )
    .await;
    assert_eq!(
        subjects(&env, "Trash").await.len(),
        2,
        "nothing is 7 days in Trash yet"
    );
    TrashExpiry::pass(
        &env.store,
        &env.directory,
        &state,
        retention,
        start + 7 * DAY_MS,
    )
    .await;
    assert_eq!(subjects(&env, "Trash").await, ["Subject: recent"]);
    TrashExpiry::pass(
        &env.store,
        &env.directory,
        &state,
        retention,
        start + 13 * DAY_MS + 1,
    )
    .await;
    assert!(subjects(&env, "Trash").await.is_empty());
}
