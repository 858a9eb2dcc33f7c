//! Changing messages in place: STORE, COPY, MOVE, EXPUNGE, and the change
//! log read back by CONDSTORE/QRESYNC. Expunged files are unlinked only after
//! the index commit; the `expunged` rows keep a crash in between from
//! bringing them back (recovery deletes such files).

use std::path::PathBuf;

use rusqlite::Transaction;

use super::files;
use super::messages::link_next_uid;
use super::rows::{self, MessageRow, NewRow};
use super::{Account, MailboxRow};
use crate::store::error::StoreError;
use crate::store::types::{
    Changes, CopyResult, FlagOp, FlagUpdate, Flags, MailboxId, MailboxName, ModSeq, StoreResult,
    SystemFlag, Uid,
};

fn rows_for(
    tx: &Transaction<'_>,
    mailbox: MailboxId,
    uids: &[Uid],
) -> Result<Vec<MessageRow>, StoreError> {
    let mut uids = uids.to_vec();
    uids.sort_unstable();
    uids.dedup();
    let mut out = Vec::with_capacity(uids.len());
    for uid in uids {
        if let Some(row) = rows::get(tx, mailbox, uid)? {
            out.push(row);
        }
    }
    Ok(out)
}

/// STORE (RFC 9051 §6.4.6) with UNCHANGEDSINCE (RFC 7162 §3.1.3). All
/// messages changed by one call share one new modseq; a message whose flags
/// would not change keeps its modseq.
pub fn store_flags(
    account: &Account,
    mailbox: MailboxId,
    uids: &[Uid],
    op: FlagOp,
    flags: &Flags,
    unchanged_since: Option<ModSeq>,
) -> Result<StoreResult, StoreError> {
    account.write(|tx| {
        let mut mb = MailboxRow::by_id(tx, mailbox)?;
        let mut result = StoreResult::default();
        let mut modseq = None;
        for row in rows_for(tx, mailbox, uids)? {
            let old = &row.summary;
            if unchanged_since.is_some_and(|since| old.modseq > since) {
                result.modified.push(old.uid);
                continue;
            }
            let new = old.flags.apply(op, flags);
            if new.same_as(&old.flags) {
                continue;
            }
            let m = match modseq {
                Some(m) => m,
                None => *modseq.insert(mb.next_modseq(tx)?),
            };
            rows::set_flags(tx, row.id, &new, m)?;
            result.updated.push(FlagUpdate {
                uid: old.uid,
                flags: new,
                modseq: m,
            });
        }
        Ok(result)
    })
}

/// Copies rows and links files into `to`; returns the pairs and the new
/// file names (to take back if the transaction fails).
fn copy_in_tx(
    account: &Account,
    tx: &Transaction<'_>,
    source: &[MessageRow],
    from: MailboxId,
    to: &mut MailboxRow,
    linked: &mut Vec<PathBuf>,
) -> Result<Vec<(Uid, Uid)>, StoreError> {
    if source.is_empty() {
        return Ok(Vec::new());
    }
    let modseq = to.next_modseq(tx)?;
    let mut pairs = Vec::with_capacity(source.len());
    for row in source {
        let s = &row.summary;
        let uid = link_next_uid(account, to, &account.dir.message(from, s.uid))?;
        linked.push(account.dir.message(to.id, uid));
        let new = NewRow {
            size: s.size,
            internal_date: s.internal_date,
            flags: &s.flags,
            metadata: &row.metadata,
        };
        let id = rows::insert(tx, to.id, uid, modseq, &new)?;
        rows::copy_search(tx, row.id, id)?;
        pairs.push((s.uid, uid));
    }
    files::sync_dir(&account.dir.messages(to.id))?;
    to.save_uid_next(tx)?;
    Ok(pairs)
}

fn expunge_in_tx(
    tx: &Transaction<'_>,
    mailbox: &mut MailboxRow,
    victims: &[MessageRow],
) -> Result<Vec<Uid>, StoreError> {
    if victims.is_empty() {
        return Ok(Vec::new());
    }
    let modseq = mailbox.next_modseq(tx)?;
    for row in victims {
        rows::expunge(tx, mailbox.id, row.id, row.summary.uid, modseq)?;
    }
    Ok(victims.iter().map(|r| r.summary.uid).collect())
}

/// Unlinks the files of committed expunges. A failure does not undo the
/// expunge: the `expunged` rows make the next open remove the file.
fn unlink_all(account: &Account, mailbox: MailboxId, uids: &[Uid]) {
    for uid in uids {
        if let Err(error) = files::remove_if_present(&account.dir.message(mailbox, *uid)) {
            tracing::warn!(account = account.id.0, mailbox = mailbox.0, uid = uid.0, %error, "expunged file not removed");
        }
    }
}

fn copy_or_move(
    account: &Account,
    from: MailboxId,
    uids: &[Uid],
    to: &MailboxName,
    remove_source: bool,
) -> Result<CopyResult, StoreError> {
    let mut linked = Vec::new();
    let result = account.write(|tx| {
        let mut source = MailboxRow::by_id(tx, from)?;
        let mut dest = MailboxRow::by_name(tx, to)?;
        let rows = rows_for(tx, from, uids)?;
        if dest.id == source.id && remove_source {
            // RFC 6851 §3.3: moving into the same mailbox still renumbers.
            let pairs = copy_in_tx(account, tx, &rows, from, &mut dest, &mut linked)?;
            source.uid_next = dest.uid_next;
            source.highest_modseq = dest.highest_modseq;
            let gone = expunge_in_tx(tx, &mut source, &rows)?;
            return Ok((pairs, dest.uid_validity, gone));
        }
        let pairs = copy_in_tx(account, tx, &rows, from, &mut dest, &mut linked)?;
        let gone = if remove_source {
            expunge_in_tx(tx, &mut source, &rows)?
        } else {
            Vec::new()
        };
        Ok((pairs, dest.uid_validity, gone))
    });
    match result {
        Ok((pairs, uid_validity, gone)) => {
            unlink_all(account, from, &gone);
            Ok(CopyResult {
                uid_validity,
                pairs,
            })
        }
        Err(e) => {
            for path in linked {
                let _ = files::remove_if_present(&path);
            }
            Err(e)
        }
    }
}

/// COPY (RFC 9051 §6.4.7): hard links, so a copy costs no message bytes.
pub fn copy(
    account: &Account,
    from: MailboxId,
    uids: &[Uid],
    to: &MailboxName,
) -> Result<CopyResult, StoreError> {
    copy_or_move(account, from, uids, to, false)
}

/// MOVE (RFC 6851): copy and expunge in one index transaction.
pub fn move_messages(
    account: &Account,
    from: MailboxId,
    uids: &[Uid],
    to: &MailboxName,
) -> Result<CopyResult, StoreError> {
    copy_or_move(account, from, uids, to, true)
}

/// EXPUNGE (RFC 9051 §6.4.3) or UID EXPUNGE (RFC 4315 §2.1).
pub fn expunge(
    account: &Account,
    mailbox: MailboxId,
    only: Option<&[Uid]>,
) -> Result<Vec<Uid>, StoreError> {
    let gone = account.write(|tx| {
        let mut mb = MailboxRow::by_id(tx, mailbox)?;
        let candidates = match only {
            Some(uids) => rows_for(tx, mailbox, uids)?,
            None => rows::all(tx, mailbox)?,
        };
        let victims: Vec<_> = candidates
            .into_iter()
            .filter(|r| r.summary.flags.contains(SystemFlag::Deleted))
            .collect();
        expunge_in_tx(tx, &mut mb, &victims)
    })?;
    unlink_all(account, mailbox, &gone);
    Ok(gone)
}

/// What changed after `since` (RFC 7162 §3.1.4 CHANGEDSINCE, §3.2.5 QRESYNC).
pub fn changes_since(
    account: &Account,
    mailbox: MailboxId,
    since: ModSeq,
) -> Result<Changes, StoreError> {
    account.read(|conn| {
        let tx = conn.unchecked_transaction()?;
        let mb = MailboxRow::by_id(&tx, mailbox)?;
        let changed = rows::changed_since(&tx, mailbox, since)?
            .into_iter()
            .map(|r| r.summary)
            .collect();
        let mut stmt = tx.prepare_cached(
            "SELECT uid FROM expunged WHERE mailbox_id = ?1 AND modseq > ?2 ORDER BY uid",
        )?;
        let expunged = stmt
            .query_map(rusqlite::params![mailbox.0, since.0 as i64], |r| {
                Ok(Uid(r.get(0)?))
            })?
            .collect::<Result<_, _>>()?;
        Ok(Changes {
            highest_modseq: mb.highest_modseq,
            changed,
            expunged,
        })
    })
}
