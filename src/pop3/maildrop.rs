//! The maildrop of one POP3 session: INBOX as it was at login (RFC 1939 §8:
//! numbers and sizes do not change during a session), with the deletion
//! marks DELE sets and RSET clears.
//!
//! Pure bookkeeping: no I/O. The session loads it from a store snapshot and
//! applies [`Maildrop::marked`] at QUIT.

use thiserror::Error;

use super::parser::MessageNumber;
use crate::store::{MailboxId, MailboxSnapshot, SystemFlag, Uid, UidValidity};

/// A message as the session sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaildropMessage {
    pub uid: Uid,
    /// Octets RETR sends before byte-stuffing: the stored message, which the
    /// store keeps exactly as delivered (CRLF line endings from SMTP and IMAP).
    pub size: u64,
    /// `\Seen` at login, or set by a RETR since.
    pub seen: bool,
    pub deleted: bool,
}

/// Why a message number cannot be used; each is one `-ERR` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum MessageError {
    #[error("no message {number}: the maildrop has {count} messages")]
    NoSuchMessage { number: MessageNumber, count: usize },
    #[error("message {0} is already deleted")]
    Deleted(MessageNumber),
}

/// A unique-id listing value (RFC 1939 §7 UIDL): the UIDVALIDITY and the UID
/// in hex. UIDs are never reused within a UIDVALIDITY, and a recreated
/// mailbox gets a new UIDVALIDITY, so a value never names two messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueId(String);

impl UniqueId {
    pub fn new(validity: UidValidity, uid: Uid) -> Self {
        Self(format!("{:08x}{:08x}", validity.0, uid.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// INBOX at login, numbered from 1.
#[derive(Debug, Clone)]
pub struct Maildrop {
    pub mailbox: MailboxId,
    uid_validity: UidValidity,
    messages: Vec<MaildropMessage>,
}

impl Maildrop {
    pub fn new(mailbox: MailboxId, snapshot: &MailboxSnapshot) -> Self {
        Self {
            mailbox,
            uid_validity: snapshot.uid_validity,
            messages: snapshot
                .messages
                .iter()
                .map(|m| MaildropMessage {
                    uid: m.uid,
                    size: m.size,
                    seen: m.flags.contains(SystemFlag::Seen),
                    deleted: false,
                })
                .collect(),
        }
    }

    /// STAT (RFC 1939 §5): messages not marked deleted, and their octets.
    pub fn stat(&self) -> (usize, u64) {
        self.live()
            .fold((0, 0), |(count, size), (_, m)| (count + 1, size + m.size))
    }

    /// The messages not marked deleted, with their numbers.
    pub fn live(&self) -> impl Iterator<Item = (MessageNumber, &MaildropMessage)> {
        (1u32..)
            .zip(&self.messages)
            .filter(|(_, m)| !m.deleted)
            .map(|(n, m)| (MessageNumber(n), m))
    }

    /// A message that exists and is not marked deleted.
    pub fn get(&self, number: MessageNumber) -> Result<&MaildropMessage, MessageError> {
        let message = self.slot(number)?;
        if message.deleted {
            return Err(MessageError::Deleted(number));
        }
        Ok(message)
    }

    /// DELE (RFC 1939 §5).
    pub fn delete(&mut self, number: MessageNumber) -> Result<(), MessageError> {
        self.get(number)?;
        let index = self.index(number)?;
        if let Some(message) = self.messages.get_mut(index) {
            message.deleted = true;
        }
        Ok(())
    }

    /// RSET (RFC 1939 §5).
    pub fn reset(&mut self) {
        for message in &mut self.messages {
            message.deleted = false;
        }
    }

    /// Remembers that RETR set `\Seen`, so a second RETR does not set it again.
    pub fn mark_seen(&mut self, uid: Uid) {
        if let Some(message) = self.messages.iter_mut().find(|m| m.uid == uid) {
            message.seen = true;
        }
    }

    /// The UIDs marked deleted, for the UPDATE state.
    pub fn marked(&self) -> Vec<Uid> {
        self.messages
            .iter()
            .filter(|m| m.deleted)
            .map(|m| m.uid)
            .collect()
    }

    pub fn unique_id(&self, message: &MaildropMessage) -> UniqueId {
        UniqueId::new(self.uid_validity, message.uid)
    }

    fn slot(&self, number: MessageNumber) -> Result<&MaildropMessage, MessageError> {
        self.messages
            .get(self.index(number)?)
            .ok_or(self.no_such(number))
    }

    fn index(&self, number: MessageNumber) -> Result<usize, MessageError> {
        let index = usize::try_from(number.0)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .ok_or(self.no_such(number))?;
        if index < self.messages.len() {
            Ok(index)
        } else {
            Err(self.no_such(number))
        }
    }

    fn no_such(&self, number: MessageNumber) -> MessageError {
        MessageError::NoSuchMessage {
            number,
            count: self.messages.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Flags, InternalDate, MessageSummary, ModSeq};

    fn maildrop(sizes: &[u64]) -> Maildrop {
        let snapshot = MailboxSnapshot {
            uid_validity: UidValidity(0x1234),
            uid_next: Uid(100),
            highest_modseq: ModSeq(1),
            recent_uid: Uid(100),
            messages: sizes
                .iter()
                .zip(10u32..)
                .map(|(&size, uid)| MessageSummary {
                    uid: Uid(uid),
                    flags: Flags::new(),
                    modseq: ModSeq(1),
                    size,
                    internal_date: InternalDate(0),
                })
                .collect(),
        };
        Maildrop::new(MailboxId(1), &snapshot)
    }

    #[test]
    fn stat_counts_what_is_not_deleted() {
        let mut drop = maildrop(&[100, 200, 300]);
        assert_eq!(drop.stat(), (3, 600));
        drop.delete(MessageNumber(2)).unwrap();
        assert_eq!(drop.stat(), (2, 400));
        assert_eq!(drop.marked(), vec![Uid(11)]);
    }

    #[test]
    fn deleted_and_out_of_range_numbers_are_refused() {
        let mut drop = maildrop(&[100, 200]);
        drop.delete(MessageNumber(1)).unwrap();
        assert_eq!(
            drop.get(MessageNumber(1)),
            Err(MessageError::Deleted(MessageNumber(1)))
        );
        assert_eq!(
            drop.delete(MessageNumber(1)),
            Err(MessageError::Deleted(MessageNumber(1)))
        );
        for n in [0, 3, u32::MAX] {
            assert_eq!(
                drop.get(MessageNumber(n)),
                Err(MessageError::NoSuchMessage {
                    number: MessageNumber(n),
                    count: 2
                })
            );
        }
    }

    #[test]
    fn reset_unmarks_everything() {
        let mut drop = maildrop(&[1, 2]);
        drop.delete(MessageNumber(1)).unwrap();
        drop.delete(MessageNumber(2)).unwrap();
        drop.reset();
        assert_eq!(drop.stat(), (2, 3));
        assert!(drop.marked().is_empty());
    }

    #[test]
    fn unique_ids_join_validity_and_uid() {
        let drop = maildrop(&[1]);
        let (_, first) = drop.live().next().unwrap();
        assert_eq!(drop.unique_id(first).as_str(), "000012340000000a");
    }
}
