//! Invariant 2: the index can be rebuilt from the files. `reconcile` makes
//! an index agree with the files (run on the first open of an account in a
//! process and by `reindex`); `rebuild` replaces a missing or corrupt index
//! and then reconciles. Neither ever deletes a message that was not
//! expunged, except the file of an append that never committed: its staged
//! copy is still in `tmp/`, so nobody was told it was stored, and indexing it
//! would deliver twice what the sender (or the queue, by its delivery id)
//! stores again.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rusqlite::Transaction;

use super::mailboxes::{ensure_defaults, remove_mailbox_dir, restore_mailbox};
use super::manifest;
use super::messages::link_next_uid;
use super::rows::{self, NewRow};
use super::{Account, MailboxRow, schema};
use super::{deliveries, files};
use crate::message;
use crate::store::AccountId;
use crate::store::backend::ReindexReport;
use crate::store::error::StoreError;
use crate::store::types::{Flags, InternalDate, MailboxId, MailboxName, ModSeq, Uid};

/// Brings the index in line with the files of every mailbox.
pub fn reconcile(account: &Account) -> Result<ReindexReport, StoreError> {
    // Before the stale ones go: an append that committed has already
    // removed its staged file, so a message sharing an inode with one did not.
    let uncommitted = files::inodes(&account.dir.tmp())?;
    let mut report = ReindexReport {
        removed: files::remove_stale_tmp(&account.dir.tmp())?,
        ..ReindexReport::default()
    };
    account.write(|tx| {
        let mut mailboxes = MailboxRow::all(tx)?;
        deliveries::prune(tx)?;
        recover_mailbox_dirs(account, tx, &mut mailboxes, &mut report)?;
        for mb in &mut mailboxes {
            reconcile_mailbox(account, tx, mb, &uncommitted, &mut report)?;
        }
        Ok(())
    })?;
    manifest::refresh(account);
    if report != ReindexReport::default() {
        tracing::info!(
            account = account.id.0,
            ?report,
            "index reconciled with the files"
        );
    }
    Ok(report)
}

/// Mailbox directories the index does not list: those of deleted mailboxes
/// are removed, empty ones too, the rest become mailboxes again under their
/// last known name.
fn recover_mailbox_dirs(
    account: &Account,
    tx: &Transaction<'_>,
    mailboxes: &mut Vec<MailboxRow>,
    report: &mut ReindexReport,
) -> Result<(), StoreError> {
    let known: HashSet<MailboxId> = mailboxes.iter().map(|m| m.id).collect();
    let deleted: HashSet<i64> = tx
        .prepare("SELECT id FROM deleted_mailboxes")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let manifest = manifest::read(&account.dir);
    let by_id = manifest.by_id();
    for id in files::scan_mailbox_dirs(&account.dir.mail())? {
        if known.contains(&id) {
            continue;
        }
        let (uids, foreign) = files::scan_messages(&account.dir.messages(id))?;
        if deleted.contains(&id.0) || (uids.is_empty() && foreign.is_empty()) {
            remove_mailbox_dir(&account.dir, id)?;
            continue;
        }
        let entry = by_id.get(&id);
        let free = |name: &MailboxName| !mailboxes.iter().any(|m| m.name == name.as_str());
        let name = match entry {
            Some(e) if free(&e.name) => e.name.clone(),
            _ => MailboxName::new(&format!("Recovered-{}", id.0))?,
        };
        restore_mailbox(tx, id, &name, entry.and_then(|e| e.special_use), false)?;
        mailboxes.push(MailboxRow::by_id(tx, id)?);
        report.mailboxes_recovered += 1;
    }
    Ok(())
}

fn reconcile_mailbox(
    account: &Account,
    tx: &Transaction<'_>,
    mb: &mut MailboxRow,
    uncommitted: &HashSet<(u64, u64)>,
    report: &mut ReindexReport,
) -> Result<(), StoreError> {
    let cur = account.dir.messages(mb.id);
    files::create_dir_durable(&cur)?;
    let (on_disk, foreign) = files::scan_messages(&cur)?;
    let indexed: HashMap<Uid, i64> = rows::all(tx, mb.id)?
        .into_iter()
        .map(|r| (r.summary.uid, r.id))
        .collect();
    let expunged: HashSet<u32> = tx
        .prepare("SELECT uid FROM expunged WHERE mailbox_id = ?1")?
        .query_map([mb.id.0], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut modseq: Option<ModSeq> = None;
    let on_disk_set: HashSet<Uid> = on_disk.iter().copied().collect();

    for uid in on_disk.iter().filter(|u| !indexed.contains_key(u)) {
        let path = account.dir.message(mb.id, *uid);
        if expunged.contains(&uid.0) || uncommitted.contains(&files::inode(&path)?) {
            // Expunged and committed, but the unlink did not happen; or
            // linked by an append that never committed.
            files::remove_if_present(&path)?;
            report.removed += 1;
            continue;
        }
        let m = take_modseq(tx, mb, &mut modseq)?;
        index_file(tx, mb.id, *uid, &path, m)?;
        if uid.0 >= mb.uid_next.0 {
            mb.uid_next = Uid(uid.0.checked_add(1).ok_or(StoreError::UidsExhausted)?);
        }
        report.indexed += 1;
    }
    for path in foreign {
        let uid = link_next_uid(account, mb, &path)?;
        let m = take_modseq(tx, mb, &mut modseq)?;
        index_file(tx, mb.id, uid, &account.dir.message(mb.id, uid), m)?;
        files::remove_if_present(&path)?;
        report.indexed += 1;
    }
    for (uid, id) in indexed.iter().filter(|(u, _)| !on_disk_set.contains(u)) {
        let m = take_modseq(tx, mb, &mut modseq)?;
        rows::expunge(tx, mb.id, *id, *uid, m)?;
        report.expunged += 1;
    }
    files::sync_dir(&cur)?;
    mb.save_uid_next(tx)
}

fn take_modseq(
    tx: &Transaction<'_>,
    mb: &mut MailboxRow,
    modseq: &mut Option<ModSeq>,
) -> Result<ModSeq, StoreError> {
    match modseq {
        Some(m) => Ok(*m),
        None => Ok(*modseq.insert(mb.next_modseq(tx)?)),
    }
}

/// Gives a file found on disk an index row. Flags are not kept in files, so
/// a recovered message starts without flags; its internal date is the
/// file's modification time.
fn index_file(
    tx: &Transaction<'_>,
    mailbox: MailboxId,
    uid: Uid,
    path: &Path,
    modseq: ModSeq,
) -> Result<(), StoreError> {
    let bytes = std::fs::read(path)?;
    let internal_date = std::fs::metadata(path)?
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| InternalDate(d.as_secs() as i64))
        .unwrap_or(InternalDate(0));
    let parsed = message::parse(&bytes);
    let metadata = serde_json::to_string(&parsed.metadata)?;
    let flags = Flags::new();
    let row = NewRow {
        size: bytes.len() as u64,
        internal_date,
        flags: &flags,
        metadata: &metadata,
    };
    let id = rows::insert(tx, mailbox, uid, modseq, &row)?;
    rows::insert_search(tx, id, &parsed.search)
}

/// Replaces a missing or corrupt index by one built from the manifest and
/// the files. Every mailbox gets a new UIDVALIDITY: UIDs are kept from the
/// file names, but which higher UIDs were once given out is not known.
pub fn rebuild(account: AccountId, dir: &super::AccountDir) -> Result<Account, StoreError> {
    let index = dir.index();
    if index.exists() {
        let stamp = super::messages::now().0;
        for suffix in ["", "-wal", "-shm"] {
            let from = index.with_file_name(format!("index.db{suffix}"));
            if from.exists() {
                let to = index.with_file_name(format!("index.db{suffix}.corrupt-{stamp}"));
                std::fs::rename(&from, &to)?;
            }
        }
        tracing::warn!(account = account.0, "corrupt index moved aside, rebuilding");
    }
    files::create_dir_durable(&dir.tmp())?;
    files::create_dir_durable(&dir.mail())?;
    let handle = Account::new(account, dir.clone(), schema::create(&index)?)?;
    let manifest = manifest::read(dir);
    handle.write(|tx| {
        let last = manifest
            .mailboxes
            .iter()
            .map(|e| e.uid_validity.0)
            .max()
            .unwrap_or(0);
        tx.execute(
            "UPDATE account_state SET last_uid_validity = max(last_uid_validity, ?1)",
            [last],
        )?;
        for e in &manifest.mailboxes {
            if e.protected || dir.mailbox(e.id).is_dir() {
                restore_mailbox(tx, e.id, &e.name, e.special_use, e.protected)?;
            }
        }
        for name in &manifest.subscriptions {
            tx.execute(
                "INSERT OR IGNORE INTO subscriptions (name) VALUES (?1)",
                [name.as_str()],
            )?;
        }
        Ok(())
    })?;
    ensure_defaults(&handle)?;
    Ok(handle)
}
