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

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// A corpus message as it travels on the wire: mbox "From " line stripped,
/// CRLF line endings.
pub fn wire_format(raw: &[u8]) -> Vec<u8> {
    let raw = if raw.starts_with(b"From ") {
        raw.iter()
            .position(|&b| b == b'\n')
            .map_or(&raw[..0], |i| &raw[i + 1..])
    } else {
        raw
    };
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 32);
    for &b in raw {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// The first `n` corpus messages (ham then spam), in wire format.
pub fn corpus(n: usize) -> Vec<Vec<u8>> {
    let mut paths = Vec::new();
    for sub in ["ham", "spam"] {
        let mut p: Vec<_> = std::fs::read_dir(corpus_dir().join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        p.sort();
        paths.extend(p);
    }
    paths
        .into_iter()
        .take(n)
        .map(|p| wire_format(&std::fs::read(p).unwrap()))
        .collect()
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
