//! Appending and reading messages. Append follows invariant 1: the file is
//! written in tmp/ and fsynced, linked under its UID, the directory is
//! fsynced, and only then is the index committed and the call returns.

use std::collections::BTreeSet;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::files;
use super::rows::{self, NewRow};
use super::{Account, MailboxRow, deliveries, lock};
use crate::message::{self, SearchText, Section};
use crate::store::backend::{BlobBody, MessageBlob, MessageSource, NewMessage, StagedMessage};
use crate::store::error::StoreError;
use crate::store::types::{
    AppendResult, Flags, InternalDate, MailboxId, MailboxName, MailboxSnapshot, Partial,
    QuotaLimit, QuotaUsage, Uid,
};

/// The file a new message is linked from. Either kind removes its name
/// when dropped: once linked under a UID it is redundant, and if the append
/// failed nothing was acknowledged.
enum Source {
    Tmp(PathBuf),
    Staged(StagedMessage),
}

impl Source {
    fn path(&self) -> &std::path::Path {
        match self {
            Self::Tmp(path) => path,
            Self::Staged(staged) => &staged.path,
        }
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        if let Self::Tmp(path) = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A message written durably to tmp/ and parsed, ready to be linked.
struct Prepared {
    source: Source,
    size: u64,
    metadata: String,
    search: SearchText,
    flags: Flags,
    internal_date: InternalDate,
    delivery_id: Option<String>,
}

pub fn now() -> InternalDate {
    InternalDate(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
    )
}

fn prepare(account: &Account, message: NewMessage) -> Result<Prepared, StoreError> {
    let (source, bytes) = match message.source {
        MessageSource::Bytes(bytes) => {
            let path = account.dir.new_tmp();
            let source = Source::Tmp(path);
            files::write_synced(source.path(), &bytes)?;
            (source, bytes)
        }
        MessageSource::Staged(mut staged) => {
            staged.file.sync_all()?;
            // The parser needs the octets in one slice; they are read here,
            // on a blocking thread, not held while the literal arrived.
            let mut bytes = Vec::new();
            staged.file.seek(SeekFrom::Start(0))?;
            staged.file.read_to_end(&mut bytes)?;
            (Source::Staged(staged), bytes)
        }
    };
    let parsed = message::parse(&bytes);
    Ok(Prepared {
        source,
        size: bytes.len() as u64,
        metadata: serde_json::to_string(&parsed.metadata)?,
        search: parsed.search,
        flags: message.flags,
        internal_date: message.internal_date.unwrap_or_else(now),
        delivery_id: message.delivery_id,
    })
}

/// Gives `from` the next free UID's name in `mailbox`; a name already taken
/// (a file left by a crashed writer) is skipped, never overwritten.
pub fn link_next_uid(
    account: &Account,
    mailbox: &mut MailboxRow,
    from: &std::path::Path,
) -> Result<Uid, StoreError> {
    loop {
        let uid = mailbox.uid_next;
        mailbox.uid_next = Uid(uid.0.checked_add(1).ok_or(StoreError::UidsExhausted)?);
        match files::link_no_replace(from, &account.dir.message(mailbox.id, uid)) {
            Ok(()) => return Ok(uid),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

pub fn quota_usage_of(conn: &rusqlite::Connection) -> Result<QuotaUsage, StoreError> {
    Ok(conn
        .prepare_cached("SELECT coalesce(sum(size), 0), count(*) FROM messages")?
        .query_row([], |r| {
            Ok(QuotaUsage {
                bytes: r.get::<_, i64>(0)?.max(0) as u64,
                messages: r.get::<_, i64>(1)?.max(0) as u64,
            })
        })?)
}

fn check_quota(
    conn: &rusqlite::Connection,
    limit: QuotaLimit,
    new: &[&Prepared],
) -> Result<(), StoreError> {
    // The usage is a sum over the whole index: not worth reading without a limit.
    if limit.max_bytes.is_none() && limit.max_messages.is_none() {
        return Ok(());
    }
    let usage = quota_usage_of(conn)?;
    let bytes = usage.bytes + new.iter().map(|p| p.size).sum::<u64>();
    let messages = usage.messages + new.len() as u64;
    if limit.max_bytes.is_some_and(|max| bytes > max)
        || limit.max_messages.is_some_and(|max| messages > max)
    {
        return Err(StoreError::OverQuota);
    }
    Ok(())
}

/// APPEND / MULTIAPPEND (RFC 9051 §6.3.12, RFC 3502): all messages or none.
///
/// Appends to one account commit in groups: each call writes and fsyncs its
/// files on its own thread, then queues its rows; whichever queued call gets
/// the account's writer next commits every call queued by then in one
/// transaction, with one fsync per mailbox directory and one WAL commit for
/// them all. Each call returns only once its own rows are committed. A call
/// refused by its checks (no such mailbox, over quota) writes nothing and
/// leaves the others be; a failed write fails the whole group, unacknowledged.
pub fn append(
    account: &Account,
    name: &MailboxName,
    messages: Vec<NewMessage>,
    quota: Option<QuotaLimit>,
) -> Result<AppendResult, StoreError> {
    if messages.is_empty() {
        let mailbox = account.read(|conn| MailboxRow::by_name(conn, name))?;
        return Ok(AppendResult {
            uid_validity: mailbox.uid_validity,
            uids: Vec::new(),
        });
    }
    let prepared = messages
        .into_iter()
        .map(|m| prepare(account, m))
        .collect::<Result<Vec<_>, _>>()?;
    let outcome = Arc::new(Mutex::new(None));
    lock(&account.appends.0).push(QueuedAppend {
        name: name.clone(),
        prepared,
        quota,
        outcome: Arc::clone(&outcome),
    });
    let mut conn = lock(&account.conn);
    // The writer before us may have committed ours with its own group.
    if let Some(result) = lock(&outcome).take() {
        return result;
    }
    let group = std::mem::take(&mut *lock(&account.appends.0));
    commit_group(account, &mut conn, group);
    drop(conn);
    lock(&outcome)
        .take()
        .unwrap_or(Err(StoreError::Io(io::Error::other(
            "append left out of its commit group",
        ))))
}

/// One APPEND call waiting for the account's writer.
struct QueuedAppend {
    name: MailboxName,
    prepared: Vec<Prepared>,
    quota: Option<QuotaLimit>,
    outcome: Arc<Mutex<Option<Result<AppendResult, StoreError>>>>,
}

/// The appends waiting for the account's writer.
#[derive(Default)]
pub(super) struct AppendQueue(Mutex<Vec<QueuedAppend>>);

impl std::fmt::Debug for AppendQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AppendQueue")
            .field(&lock(&self.0).len())
            .finish()
    }
}

/// Commits `group` in one transaction and sets each call's outcome.
fn commit_group(account: &Account, conn: &mut Connection, group: Vec<QueuedAppend>) {
    let mut outcomes = Vec::with_capacity(group.len());
    let mut linked_by_call = Vec::with_capacity(group.len());
    let committed = (|| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut dirs = BTreeSet::new();
        // No savepoint per call: FTS5 would flush its pending terms at each.
        for queued in &group {
            let mut linked = Vec::new();
            let result = append_rows(account, &tx, queued, &mut linked, &mut dirs);
            linked_by_call.push(linked);
            outcomes.push(result?);
        }
        for dir in &dirs {
            files::sync_dir(dir)?;
        }
        tx.prepare_cached("UPDATE account_state SET version = version + 1")?
            .execute([])?;
        tx.commit()?;
        Ok::<_, StoreError>(())
    })();
    if let Err(error) = committed {
        // Nothing was acknowledged: take the new names back so a reindex
        // does not resurrect them, and tell every call why.
        linked_by_call.iter().for_each(|linked| remove_all(linked));
        let reason = error.to_string();
        outcomes = std::iter::once(Err(error))
            .chain(std::iter::repeat_with(|| {
                Err(StoreError::Io(io::Error::other(reason.clone())))
            }))
            .take(group.len())
            .collect();
    }
    for (queued, outcome) in group.iter().zip(outcomes) {
        *lock(&queued.outcome) = Some(outcome);
    }
}

/// The rows of one APPEND call, inside the group's transaction: the call's
/// own refusal inside (its checks ran before it wrote anything), a failed
/// write outside. The files it linked are listed in `linked`, the
/// directories to fsync in `dirs`.
fn append_rows(
    account: &Account,
    tx: &Transaction<'_>,
    queued: &QueuedAppend,
    linked: &mut Vec<PathBuf>,
    dirs: &mut BTreeSet<PathBuf>,
) -> Result<Result<AppendResult, StoreError>, StoreError> {
    let checked = (|| {
        let mailbox = MailboxRow::by_name(tx, &queued.name)?;
        let earlier = queued
            .prepared
            .iter()
            .map(|p| deliveries::stored_uid(tx, p.delivery_id.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        let new: Vec<&Prepared> = queued
            .prepared
            .iter()
            .zip(&earlier)
            .filter(|(_, e)| e.is_none())
            .map(|(p, _)| p)
            .collect();
        if let Some(limit) = queued.quota {
            check_quota(tx, limit, &new)?;
        }
        Ok(Checked {
            mailbox,
            nothing_new: new.is_empty(),
            earlier,
        })
    })();
    match checked {
        Ok(checked) => write_rows(account, tx, &queued.prepared, checked, linked, dirs).map(Ok),
        Err(refusal) => Ok(Err(refusal)),
    }
}

/// What the checks of one APPEND call found.
struct Checked {
    mailbox: MailboxRow,
    /// Every message was stored before under its delivery id.
    nothing_new: bool,
    /// The UID each message was stored under before, if it was.
    earlier: Vec<Option<Uid>>,
}

/// The writes of one checked APPEND call.
fn write_rows(
    account: &Account,
    tx: &Transaction<'_>,
    prepared: &[Prepared],
    checked: Checked,
    linked: &mut Vec<PathBuf>,
    dirs: &mut BTreeSet<PathBuf>,
) -> Result<AppendResult, StoreError> {
    let Checked {
        mut mailbox,
        nothing_new,
        earlier,
    } = checked;
    let modseq = if nothing_new {
        mailbox.highest_modseq
    } else {
        mailbox.next_modseq(tx)?
    };
    let mut uids = Vec::with_capacity(prepared.len());
    for (p, earlier) in prepared.iter().zip(earlier) {
        if let Some(uid) = earlier {
            uids.push(uid);
            continue;
        }
        let uid = link_next_uid(account, &mut mailbox, p.source.path())?;
        linked.push(account.dir.message(mailbox.id, uid));
        let row = NewRow {
            size: p.size,
            internal_date: p.internal_date,
            flags: &p.flags,
            metadata: &p.metadata,
        };
        let id = rows::insert(tx, mailbox.id, uid, modseq, &row)?;
        rows::insert_search(tx, id, &p.search)?;
        deliveries::record(tx, p.delivery_id.as_deref(), uid)?;
        uids.push(uid);
    }
    dirs.insert(account.dir.messages(mailbox.id));
    mailbox.save_uid_next(tx)?;
    Ok(AppendResult {
        uid_validity: mailbox.uid_validity,
        uids,
    })
}

fn remove_all(paths: &[PathBuf]) {
    for path in paths {
        let _ = files::remove_if_present(path);
    }
}

pub fn snapshot(account: &Account, mailbox: MailboxId) -> Result<MailboxSnapshot, StoreError> {
    account.read(|conn| {
        let tx = conn.unchecked_transaction()?;
        let row = MailboxRow::by_id(&tx, mailbox)?;
        let messages = rows::all(&tx, mailbox)?
            .into_iter()
            .map(|r| r.summary)
            .collect();
        Ok(MailboxSnapshot {
            uid_validity: row.uid_validity,
            uid_next: row.uid_next,
            highest_modseq: row.highest_modseq,
            recent_uid: row.recent_uid,
            messages,
        })
    })
}

/// Claims the messages not yet `\Recent` to any session (RFC 3501 §2.3.2):
/// the UIDs from the old watermark up to UIDNEXT, which becomes the new one.
pub fn claim_recent(account: &Account, mailbox: MailboxId) -> Result<Range<Uid>, StoreError> {
    account.write(|tx| {
        let row = MailboxRow::by_id(tx, mailbox)?;
        if row.recent_uid < row.uid_next {
            tx.prepare_cached("UPDATE mailboxes SET recent_uid = ?2 WHERE id = ?1")?
                .execute(rusqlite::params![mailbox.0, row.uid_next.0])?;
        }
        Ok(row.recent_uid..row.uid_next)
    })
}

pub fn metadata(
    account: &Account,
    mailbox: MailboxId,
    uids: &[Uid],
) -> Result<Vec<(Uid, message::MessageMetadata)>, StoreError> {
    let mut uids = uids.to_vec();
    uids.sort_unstable();
    uids.dedup();
    account.read(|conn| {
        let tx = conn.unchecked_transaction()?;
        MailboxRow::by_id(&tx, mailbox)?;
        let mut out = Vec::with_capacity(uids.len());
        for uid in uids {
            if let Some(row) = rows::get(&tx, mailbox, uid)? {
                out.push((uid, rows::metadata(&row.metadata)?));
            }
        }
        Ok(out)
    })
}

pub fn open_message(
    account: &Account,
    mailbox: MailboxId,
    uid: Uid,
    section: &Section,
    partial: Option<Partial>,
) -> Result<MessageBlob, StoreError> {
    let row = account
        .read(|conn| rows::get(conn, mailbox, uid))?
        .ok_or(StoreError::NoMessage)?;
    let range = rows::metadata(&row.metadata)?
        .locate(section)
        .ok_or(StoreError::NoSection)?;
    let range = match partial {
        Some(p) => p.narrow(range),
        None => range,
    };
    let file = std::fs::File::open(account.dir.message(mailbox, uid)).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            // Expunged by another session between the lookup and the open.
            StoreError::NoMessage
        } else {
            e.into()
        }
    })?;
    Ok(MessageBlob {
        len: range.end.saturating_sub(range.start),
        body: BlobBody::File {
            file,
            offset: range.start,
        },
    })
}

/// A staging file in the account's tmp/ directory.
pub fn stage(account: &Account) -> Result<StagedMessage, StoreError> {
    let path = account.dir.new_tmp();
    let file = files::create_tmp(&path)?;
    Ok(StagedMessage { file, path })
}
