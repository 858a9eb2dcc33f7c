//! The selected mailbox as one session sees it (RFC 9051 §2.3.1.2, §7.5.1):
//! the sequence number ↔ UID map and the flags last reported, and the
//! differences between that and the store's current state, turned into the
//! untagged updates the session may send. It decides nothing about *when*
//! updates are allowed: the caller says whether EXPUNGE may be sent now
//! (never during FETCH, STORE or SEARCH). No I/O.

use std::ops::Range;

use thiserror::Error;

use crate::imap::parser::{SeqNumber, SequenceSet};
use crate::store::{
    Changes, Flags, MailboxId, MailboxName, MailboxSnapshot, MessageSummary, ModSeq, Uid,
    UidValidity,
};

/// The messages that are `\Recent` to this session (RFC 3501 §2.3.2): the
/// UID ranges it claimed from the store, or, read-only, every UID from the
/// store's watermark on. Always empty in IMAP4rev2, which has no `\Recent`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recent {
    ranges: Vec<Range<Uid>>,
}

impl Recent {
    /// EXAMINE may not take `\Recent` from other sessions (RFC 3501
    /// §6.3.2), so it shows what nobody has claimed yet, now and later.
    pub fn unclaimed_from(watermark: Uid) -> Self {
        Self {
            ranges: vec![watermark..Uid(u32::MAX)],
        }
    }

    /// Adds UIDs the store handed to this session.
    pub fn claim(&mut self, claimed: Range<Uid>) {
        if claimed.is_empty() {
            return;
        }
        match self.ranges.last_mut() {
            Some(last) if last.end == claimed.start => last.end = claimed.end,
            _ => self.ranges.push(claimed),
        }
    }

    pub fn contains(&self, uid: Uid) -> bool {
        self.ranges.iter().any(|r| r.contains(&uid))
    }
}

/// One untagged update learned from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// `* n EXPUNGE`, numbered after the previous ones were applied (or,
    /// with QRESYNC, the UID in `* VANISHED`).
    Expunge { seq: u32, uid: Uid },
    /// `* n EXISTS`: the new message count.
    Exists(u32),
    /// `* n FETCH (FLAGS ...)`: another session changed the flags.
    Flags { seq: u32, message: MessageSummary },
}

/// A sequence set that names a message the session does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("invalid message sequence number")]
pub struct BadSequence;

/// The selected mailbox.
#[derive(Debug)]
pub struct SelectedView {
    pub mailbox: MailboxId,
    pub name: MailboxName,
    /// EXAMINE, or SELECT of a mailbox that may not be changed.
    pub read_only: bool,
    pub uid_validity: UidValidity,
    pub uid_next: Uid,
    pub highest_modseq: ModSeq,
    /// The messages as last reported, in sequence order.
    messages: Vec<MessageSummary>,
    /// The UIDs SEARCH RETURN (SAVE) saved, for `$` (RFC 5182); empty after SELECT.
    pub saved: Vec<Uid>,
    pub recent: Recent,
    /// Every store change up to this modseq is in the view, or waits in
    /// `expunged_elsewhere`. Only syncing moves it: the session's own STORE
    /// may be newer than another session's change it has not seen yet.
    synced: ModSeq,
    /// Messages gone from the store that stay in the view, keeping their
    /// sequence numbers, until EXPUNGE may be sent.
    expunged_elsewhere: Vec<Uid>,
    /// One above the highest UID this session has announced with EXISTS, so
    /// a message expunged elsewhere but still in the view is not re-added.
    announced_below: Uid,
}

impl SelectedView {
    pub fn new(
        mailbox: MailboxId,
        name: MailboxName,
        read_only: bool,
        snapshot: MailboxSnapshot,
    ) -> Self {
        let messages = snapshot.messages;
        let announced_below = messages
            .last()
            .map_or(Uid(0), |m| Uid(m.uid.0.saturating_add(1)));
        Self {
            mailbox,
            name,
            read_only,
            uid_validity: snapshot.uid_validity,
            uid_next: snapshot.uid_next,
            highest_modseq: snapshot.highest_modseq,
            messages,
            saved: Vec::new(),
            recent: Recent::default(),
            synced: snapshot.highest_modseq,
            expunged_elsewhere: Vec::new(),
            announced_below,
        }
    }

    /// The modseq to ask the store for changes after.
    pub fn synced(&self) -> ModSeq {
        self.synced
    }

    /// Messages gone from the store wait to be reported as expunged.
    pub fn expunge_pending(&self) -> bool {
        !self.expunged_elsewhere.is_empty()
    }

    /// How many messages in the view are `\Recent` to this session.
    pub fn recent_count(&self) -> u32 {
        let n = self
            .messages
            .iter()
            .filter(|m| self.recent.contains(m.uid))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The number of messages (the EXISTS count).
    pub fn exists(&self) -> u32 {
        u32::try_from(self.messages.len()).unwrap_or(u32::MAX)
    }

    pub fn messages(&self) -> &[MessageSummary] {
        &self.messages
    }

    /// The sequence number of `uid`, if the view has it.
    pub fn seq_of(&self, uid: Uid) -> Option<u32> {
        let index = self.messages.binary_search_by_key(&uid, |m| m.uid).ok()?;
        u32::try_from(index + 1).ok()
    }

    pub fn message(&self, seq: u32) -> Option<&MessageSummary> {
        self.messages
            .get(usize::try_from(seq).ok()?.checked_sub(1)?)
    }

    /// The first message without `\Seen` (RFC 3501 §7.1 UNSEEN).
    pub fn first_unseen(&self) -> Option<u32> {
        let index = self
            .messages
            .iter()
            .position(|m| !m.flags.contains(crate::store::SystemFlag::Seen))?;
        u32::try_from(index + 1).ok()
    }

    /// The messages a set names, as (sequence number, UID) in ascending
    /// order. Sequence numbers beyond the mailbox are an error (RFC 9051
    /// §6.4.5 BAD); UIDs that do not exist are skipped (§6.4.9). `$` names
    /// the saved result's messages that still exist (RFC 5182 §2.1).
    pub fn resolve(&self, set: &SequenceSet, uid: bool) -> Result<Vec<(u32, Uid)>, BadSequence> {
        let SequenceSet::Ranges(ranges) = set else {
            return Ok(self
                .saved
                .iter()
                .filter_map(|&uid| Some((self.seq_of(uid)?, uid)))
                .collect());
        };
        let largest = if uid {
            self.messages.last().map_or(0, |m| m.uid.0)
        } else {
            self.exists()
        };
        let value = |n: SeqNumber| match n {
            SeqNumber::Value(v) => v.get(),
            SeqNumber::Largest => largest,
        };
        let mut selected = vec![false; self.messages.len()];
        for range in ranges {
            let (a, b) = (value(range.first), value(range.last));
            let (low, high) = (a.min(b), a.max(b));
            if uid {
                let start = self.messages.partition_point(|m| m.uid.0 < low);
                let end = self.messages.partition_point(|m| m.uid.0 <= high);
                for flag in selected.get_mut(start..end).unwrap_or_default() {
                    *flag = true;
                }
            } else {
                // Numbers the client wrote must exist, and `*` names no
                // message in an empty mailbox (RFC 9051 §9 seq-number: BAD).
                // With `*`, `n:*` is `*:n` (§9 seq-range), so it reaches down
                // to the last message even when n is beyond it.
                let star = range.first == SeqNumber::Largest || range.last == SeqNumber::Largest;
                if star && self.exists() == 0 {
                    return Err(BadSequence);
                }
                let (low, high) = if star {
                    (low.min(self.exists()), self.exists())
                } else if high > self.exists() {
                    return Err(BadSequence);
                } else {
                    (low, high)
                };
                if low == 0 {
                    continue;
                }
                let range = (low as usize - 1)..(high as usize);
                for flag in selected.get_mut(range).unwrap_or_default() {
                    *flag = true;
                }
            }
        }
        Ok(selected
            .iter()
            .zip(&self.messages)
            .enumerate()
            .filter(|(_, (chosen, _))| **chosen)
            .filter_map(|(i, (_, m))| Some((u32::try_from(i + 1).ok()?, m.uid)))
            .collect())
    }

    /// Records flags this session set itself (and reported already).
    pub fn set_flags(&mut self, uid: Uid, flags: Flags, modseq: ModSeq) {
        if let Ok(i) = self.messages.binary_search_by_key(&uid, |m| m.uid)
            && let Some(m) = self.messages.get_mut(i)
        {
            m.flags = flags;
            m.modseq = modseq;
        }
        self.highest_modseq = self.highest_modseq.max(modseq);
    }

    /// Removes an expunged message; returns the sequence number it had.
    pub fn remove(&mut self, uid: Uid) -> Option<u32> {
        let seq = self.seq_of(uid)?;
        self.messages.retain(|m| m.uid != uid);
        Some(seq)
    }

    /// Applies what changed in the store since [`Self::synced`] and says
    /// what to tell the client. Without `allow_expunge` messages gone from
    /// the store stay in the view (and keep their numbers) until a later
    /// call may report them.
    pub fn sync(&mut self, changes: Changes, allow_expunge: bool) -> Vec<Update> {
        let mut updates = Vec::new();
        for uid in changes.expunged {
            if self.seq_of(uid).is_some() && !self.expunged_elsewhere.contains(&uid) {
                self.expunged_elsewhere.push(uid);
            }
        }
        if allow_expunge {
            let mut gone = std::mem::take(&mut self.expunged_elsewhere);
            gone.sort_unstable();
            for uid in gone {
                if let Some(seq) = self.remove(uid) {
                    updates.push(Update::Expunge { seq, uid });
                }
            }
        }
        let before = self.messages.len();
        for now in changes.changed {
            if now.uid >= self.announced_below {
                self.announced_below = Uid(now.uid.0.saturating_add(1));
                self.messages.push(now);
                continue;
            }
            let Some(seq) = self.seq_of(now.uid) else {
                continue;
            };
            let index = usize::try_from(seq - 1).unwrap_or(usize::MAX);
            if let Some(m) = self.messages.get_mut(index)
                && !now.flags.same_as(&m.flags)
            {
                *m = now;
                updates.push(Update::Flags {
                    seq,
                    message: m.clone(),
                });
            }
        }
        if self.messages.len() > before {
            updates.push(Update::Exists(self.exists()));
        }
        self.synced = self.synced.max(changes.highest_modseq);
        self.highest_modseq = self.highest_modseq.max(changes.highest_modseq);
        updates
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;
    use crate::imap::parser::SeqRange;
    use crate::store::{InternalDate, SystemFlag};

    fn summary(uid: u32, flags: Flags) -> MessageSummary {
        MessageSummary {
            uid: Uid(uid),
            flags,
            modseq: ModSeq(u64::from(uid)),
            size: 10,
            internal_date: InternalDate(0),
        }
    }

    fn snapshot(uids: &[u32]) -> MailboxSnapshot {
        MailboxSnapshot {
            uid_validity: UidValidity(1),
            uid_next: Uid(uids.last().map_or(1, |u| u + 1)),
            highest_modseq: ModSeq(1),
            recent_uid: Uid(1),
            messages: uids.iter().map(|&u| summary(u, Flags::new())).collect(),
        }
    }

    fn changes(highest: u64, changed: &[u32], expunged: &[u32]) -> Changes {
        Changes {
            highest_modseq: ModSeq(highest),
            changed: changed.iter().map(|&u| summary(u, Flags::new())).collect(),
            expunged: expunged.iter().map(|&u| Uid(u)).collect(),
        }
    }

    fn view(uids: &[u32]) -> SelectedView {
        let name = MailboxName::new("INBOX").unwrap();
        SelectedView::new(MailboxId(1), name, false, snapshot(uids))
    }

    fn range(a: u32, b: Option<u32>) -> SequenceSet {
        let v = |n: u32| SeqNumber::Value(NonZeroU32::new(n).unwrap());
        SequenceSet::Ranges(vec![SeqRange {
            first: v(a),
            last: b.map_or(SeqNumber::Largest, v),
        }])
    }

    #[test]
    fn expunges_are_numbered_as_each_one_is_applied() {
        let mut v = view(&[10, 20, 30, 40]);
        let updates = v.sync(changes(2, &[], &[20, 30]), true);
        let expunge = |seq, uid| Update::Expunge { seq, uid: Uid(uid) };
        assert_eq!(updates, vec![expunge(2, 20), expunge(2, 30)]);
        assert_eq!(v.seq_of(Uid(40)), Some(2));
    }

    #[test]
    fn deferred_expunge_keeps_numbers_and_still_announces_new_mail() {
        let mut v = view(&[10, 20]);
        let updates = v.sync(changes(3, &[30], &[10]), false);
        assert_eq!(updates, vec![Update::Exists(3)]);
        assert!(v.expunge_pending());
        assert_eq!(v.seq_of(Uid(10)), Some(1));
        let later = v.sync(changes(3, &[], &[]), true);
        assert_eq!(
            later,
            vec![Update::Expunge {
                seq: 1,
                uid: Uid(10)
            }]
        );
        assert!(!v.expunge_pending());
    }

    #[test]
    fn flag_change_elsewhere_is_reported_once() {
        let mut v = view(&[5]);
        let mut changed = changes(2, &[5], &[]);
        changed.changed[0].flags = Flags::new().with(SystemFlag::Seen);
        assert_eq!(v.sync(changed.clone(), true).len(), 1);
        assert!(v.sync(changed, true).is_empty());
        assert_eq!(v.synced(), ModSeq(2));
    }

    #[test]
    fn own_store_does_not_hide_an_older_change_from_another_session() {
        let mut v = view(&[5, 6]);
        v.set_flags(Uid(6), Flags::new().with(SystemFlag::Flagged), ModSeq(9));
        assert_eq!(v.synced(), ModSeq(1));
        let mut elsewhere = changes(9, &[5], &[]);
        elsewhere.changed[0].flags = Flags::new().with(SystemFlag::Seen);
        assert_eq!(v.sync(elsewhere, true).len(), 1);
    }

    #[test]
    fn a_message_expunged_before_it_was_announced_is_never_added() {
        let mut v = view(&[5]);
        assert!(v.sync(changes(3, &[], &[6]), true).is_empty());
        assert_eq!(v.exists(), 1);
    }

    #[test]
    fn recent_claims_join_and_examine_sees_everything_unclaimed() {
        let mut recent = Recent::default();
        recent.claim(Uid(3)..Uid(5));
        recent.claim(Uid(5)..Uid(7));
        recent.claim(Uid(7)..Uid(7));
        assert!(!recent.contains(Uid(2)));
        assert!(recent.contains(Uid(6)));
        assert!(!recent.contains(Uid(7)));
        let examined = Recent::unclaimed_from(Uid(4));
        assert!(examined.contains(Uid(1000)) && !examined.contains(Uid(3)));
    }

    #[test]
    fn sequence_beyond_the_mailbox_is_refused_but_uids_are_filtered() {
        let v = view(&[3, 7]);
        assert_eq!(v.resolve(&range(1, Some(3)), false), Err(BadSequence));
        assert_eq!(v.resolve(&range(4, None), true).unwrap(), vec![(2, Uid(7))]);
        assert_eq!(v.resolve(&range(2, Some(1)), false).unwrap().len(), 2);
    }

    #[test]
    fn star_in_an_empty_mailbox_is_bad_but_a_uid_range_is_empty() {
        let v = view(&[]);
        assert_eq!(v.resolve(&range(1, None), false), Err(BadSequence));
        assert_eq!(v.resolve(&range(1, Some(1)), false), Err(BadSequence));
        assert_eq!(v.resolve(&range(1, None), true).unwrap(), vec![]);
        let v = view(&[4, 9]);
        assert_eq!(
            v.resolve(&range(5, None), false).unwrap(),
            vec![(2, Uid(9))]
        );
    }
}
