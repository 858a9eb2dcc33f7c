//! Shared helpers for the store tests: a fresh store with one account, real
//! corpus messages in wire format, and short constructors.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use postamt::store::{AccountId, MailboxId, MailboxName, NewMessage, Store, Uid};

pub const ALICE: AccountId = AccountId(1);
pub const BOB: AccountId = AccountId(2);

pub fn name(s: &str) -> MailboxName {
    MailboxName::new(s).unwrap()
}

/// A store in a fresh directory with ALICE created.
pub async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_maildir(dir.path());
    store.create_account(ALICE).await.unwrap();
    (dir, store)
}

pub fn account_dir(data: &Path, account: AccountId) -> PathBuf {
    data.join("users").join(account.0.to_string())
}

/// The first `n` corpus messages (ham then spam), in wire format.
pub fn corpus(n: usize) -> Vec<Vec<u8>> {
    crate::corpus::wire_messages().into_iter().take(n).collect()
}

pub fn small_message(n: usize) -> Vec<u8> {
    format!("Subject: test {n}\r\nFrom: a@example.org\r\n\r\nbody {n}\r\n").into_bytes()
}

/// Appends small messages to a mailbox; returns its id and the new UIDs.
pub async fn fill(store: &Store, mailbox: &str, count: usize) -> (MailboxId, Vec<Uid>) {
    let mb = name(mailbox);
    let messages = (0..count)
        .map(|i| NewMessage::from_bytes(small_message(i)))
        .collect();
    let appended = store.append(ALICE, &mb, messages, None).await.unwrap();
    let id = store.mailbox(ALICE, &mb).await.unwrap().id;
    (id, appended.uids)
}
