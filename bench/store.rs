//! Store benchmark: appends every message of ../shared/corpus (mbox "From "
//! line stripped, LF turned into CRLF) one append at a time, each durable
//! (fsync of file and directory, SQLite commit with synchronous=FULL); then
//! reads the cached metadata of all of them; then updates flags, one STORE
//! per message and one STORE for all. Prints messages per second for each.
//!
//! Run: `cargo bench --bench store` (release build).

use std::path::Path;
use std::time::Instant;

use postamt::store::{AccountId, FlagOp, Flags, MailboxName, NewMessage, Store, SystemFlag, Uid};

#[path = "../tests/corpus/mod.rs"]
mod corpus;

const ACCOUNT: AccountId = AccountId(1);

fn report(what: &str, count: usize, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{what:<40} {count:>5} messages in {secs:>7.3} s = {:>9.0} messages/s",
        count as f64 / secs
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let messages = corpus::wire_messages();
    let bytes: usize = messages.iter().map(Vec::len).sum();
    println!(
        "corpus: {} messages, {:.1} MiB",
        messages.len(),
        bytes as f64 / (1 << 20) as f64
    );
    // On the same disk as the build, not a tmpfs, so fsync costs what it costs.
    let dir = tempfile::tempdir_in(Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))?;
    let store = Store::open_maildir(dir.path());
    store.create_account(ACCOUNT).await?;
    let inbox_name = MailboxName::new("INBOX")?;

    let started = Instant::now();
    let mut uids: Vec<Uid> = Vec::with_capacity(messages.len());
    for raw in &messages {
        let new = vec![NewMessage::from_bytes(raw.clone())];
        uids.extend(store.append(ACCOUNT, &inbox_name, new, None).await?.uids);
    }
    report("append (one durable append each)", uids.len(), started);
    let inbox = store.mailbox(ACCOUNT, &inbox_name).await?.id;

    let started = Instant::now();
    let metadata = store.metadata(ACCOUNT, inbox, uids.clone()).await?;
    report(
        "cached metadata (one call for all)",
        metadata.len(),
        started,
    );

    let started = Instant::now();
    for uid in uids.iter().take(500) {
        store.metadata(ACCOUNT, inbox, vec![*uid]).await?;
    }
    report("cached metadata (one call each)", 500, started);

    let started = Instant::now();
    let snapshot = store.snapshot(ACCOUNT, inbox).await?;
    report(
        "snapshot (SELECT: uid, flags, modseq)",
        snapshot.messages.len(),
        started,
    );

    let seen = Flags::new().with(SystemFlag::Seen);
    let started = Instant::now();
    for uid in &uids {
        store
            .store_flags(ACCOUNT, inbox, vec![*uid], FlagOp::Add, seen.clone(), None)
            .await?;
    }
    report("flags (one STORE per message)", uids.len(), started);

    let flagged = Flags::new().with(SystemFlag::Flagged);
    let started = Instant::now();
    let result = store
        .store_flags(ACCOUNT, inbox, uids.clone(), FlagOp::Add, flagged, None)
        .await?;
    report("flags (one STORE for all)", result.updated.len(), started);
    Ok(())
}
