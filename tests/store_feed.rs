//! The per-account change feed: immediate wake-up for changes made through
//! this store, wake-up within a second for changes by another process.

mod corpus;
mod store_support;

use std::time::Duration;

use postamt::store::{NewMessage, Store};
use store_support::*;

#[tokio::test]
async fn append_in_this_process_wakes_the_feed_at_once() {
    let (_dir, store) = store().await;
    let mut rx = store.watch(ALICE).await;
    assert!(!rx.has_changed().unwrap());
    fill(&store, "INBOX", 1).await;
    assert!(rx.has_changed().unwrap(), "not woken when append returned");
    rx.borrow_and_update();
    store.list_mailboxes(ALICE).await.unwrap();
    assert!(!rx.has_changed().unwrap(), "woken by a read");
}

#[tokio::test]
async fn change_by_another_process_wakes_the_feed_within_a_second() {
    let (dir, store) = store().await;
    let mut rx = store.watch(ALICE).await;
    // A second, independent store on the same data dir stands for the CLI.
    let cli = Store::open_maildir(dir.path());
    cli.append(
        ALICE,
        &name("INBOX"),
        vec![NewMessage::from_bytes(small_message(0))],
        None,
    )
    .await
    .unwrap();
    tokio::time::timeout(Duration::from_secs(1), rx.changed())
        .await
        .expect("no wake-up within a second")
        .unwrap();
}

#[tokio::test]
async fn feed_of_another_account_stays_quiet() {
    let (_dir, store) = store().await;
    store.create_account(BOB).await.unwrap();
    let rx = store.watch(BOB).await;
    fill(&store, "INBOX", 1).await;
    assert!(!rx.has_changed().unwrap());
}
