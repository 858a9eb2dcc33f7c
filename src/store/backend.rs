//! The blocking, object-safe backend contract every store implementation
//! fulfils. It speaks of accounts, mailboxes, UIDs, flags and modseqs, never
//! of files or SQL; protocol code reaches it only through [`super::Store`].

use crate::message::{MessageMetadata, Section};

use super::AccountId;
use super::error::StoreError;
use super::types::{
    AppendResult, Changes, CopyResult, FlagOp, Flags, InternalDate, MailboxId, MailboxInfo,
    MailboxName, MailboxSnapshot, ModSeq, Partial, QuotaLimit, QuotaUsage, SearchField, SpecialUse,
    StoreResult, Uid,
};

/// A message body the caller streamed into the store before appending it,
/// so that a large literal never has to sit in memory. Dropping it unused
/// discards it.
#[derive(Debug)]
pub struct StagedMessage {
    pub(crate) file: std::fs::File,
    pub(crate) path: std::path::PathBuf,
}

impl Drop for StagedMessage {
    fn drop(&mut self) {
        // Once appended the staged copy is redundant; if the append failed
        // the caller has not acknowledged it. Either way it goes.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Where the octets of a new message come from.
#[derive(Debug)]
pub enum MessageSource {
    Bytes(Vec<u8>),
    Staged(StagedMessage),
}

/// One message to append (RFC 9051 §6.3.12; several at once for RFC 3502).
#[derive(Debug)]
pub struct NewMessage {
    pub source: MessageSource,
    pub flags: Flags,
    /// `None` means now.
    pub internal_date: Option<InternalDate>,
    /// Set by local delivery to its queue id and recipient: a message whose
    /// id this account has already stored is not stored again, so a retry
    /// after a crash between the append and the queue update delivers once
    /// (DESIGN.md, "at-least-once and de-duplicated"). Remembered for
    /// [`DELIVERY_ID_RETENTION`].
    pub delivery_id: Option<String>,
}

/// How long the store remembers a delivery id.
pub const DELIVERY_ID_RETENTION: std::time::Duration =
    std::time::Duration::from_secs(14 * 24 * 3600);

impl NewMessage {
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self {
            source: MessageSource::Bytes(bytes),
            flags: Flags::new(),
            internal_date: None,
            delivery_id: None,
        }
    }
}

/// The octets of a message or section, with their length known up front
/// (IMAP literals announce it).
#[derive(Debug)]
pub struct MessageBlob {
    pub len: u64,
    pub body: BlobBody,
}

#[derive(Debug)]
pub enum BlobBody {
    /// `len` octets of `file` starting at `offset`.
    File {
        file: std::fs::File,
        offset: u64,
    },
    Bytes(Vec<u8>),
}

/// What a reindex found and repaired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReindexReport {
    /// The index was missing or corrupt and was rebuilt from the files.
    pub rebuilt: bool,
    /// Messages found on disk without an index row, now indexed.
    pub indexed: u64,
    /// Index rows without a message, now recorded as expunged.
    pub expunged: u64,
    /// Leftovers removed: stale temporary files and files of messages
    /// already expunged.
    pub removed: u64,
    /// Mailboxes found on disk without an index row, now listed again.
    pub mailboxes_recovered: u64,
}

/// The blocking store contract. Every method may block on disk or the index:
/// call it from the blocking pool (the [`super::Store`] facade does).
pub trait MailBackend: Send + Sync {
    /// Creates the account with its default mailboxes; idempotent.
    fn create_account(&self, account: AccountId) -> Result<(), StoreError>;
    /// Removes every mailbox and message of the account.
    fn delete_account(&self, account: AccountId) -> Result<(), StoreError>;

    /// Every mailbox with its counts, by name.
    fn list_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxInfo>, StoreError>;
    /// One mailbox with its counts (STATUS, RFC 9051 §6.3.11).
    fn mailbox(&self, account: AccountId, name: &MailboxName) -> Result<MailboxInfo, StoreError>;
    /// Whether the mailbox exists, without counting its messages (what
    /// delivery asks before every append).
    fn mailbox_exists(&self, account: AccountId, name: &MailboxName) -> Result<bool, StoreError>;
    /// Creates a mailbox and its missing parents (RFC 9051 §6.3.4, RFC 6154 §5.3).
    fn create_mailbox(
        &self,
        account: AccountId,
        name: &MailboxName,
        special_use: Option<SpecialUse>,
    ) -> Result<MailboxId, StoreError>;
    /// Renames a mailbox and all its children (RFC 9051 §6.3.6).
    fn rename_mailbox(
        &self,
        account: AccountId,
        from: &MailboxName,
        to: &MailboxName,
    ) -> Result<(), StoreError>;
    /// Deletes a mailbox, its children and their messages.
    fn delete_mailbox(&self, account: AccountId, name: &MailboxName) -> Result<(), StoreError>;
    /// SUBSCRIBE / UNSUBSCRIBE; the name need not exist (RFC 9051 §6.3.7).
    fn set_subscribed(
        &self,
        account: AccountId,
        name: &MailboxName,
        subscribed: bool,
    ) -> Result<(), StoreError>;
    fn subscriptions(&self, account: AccountId) -> Result<Vec<MailboxName>, StoreError>;

    /// A place to stream a message into before appending it.
    fn stage(&self, account: AccountId) -> Result<StagedMessage, StoreError>;
    /// Appends messages atomically: all or none, durable before it returns.
    /// A message whose delivery id was stored before is skipped and reported
    /// with the UID it got then.
    fn append(
        &self,
        account: AccountId,
        mailbox: &MailboxName,
        messages: Vec<NewMessage>,
        quota: Option<QuotaLimit>,
    ) -> Result<AppendResult, StoreError>;

    /// The messages of a mailbox, by ascending UID.
    fn snapshot(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<MailboxSnapshot, StoreError>;
    /// Takes the messages no session has seen as `\Recent` for the caller
    /// (RFC 3501 §2.3.2): the UID range that is recent to it alone.
    fn claim_recent(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<std::ops::Range<Uid>, StoreError>;
    /// Cached metadata of the given UIDs that exist, by ascending UID.
    fn metadata(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[Uid],
    ) -> Result<Vec<(Uid, MessageMetadata)>, StoreError>;
    /// The octets of a message or one of its sections, or of part of it.
    fn open_message(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uid: Uid,
        section: &Section,
        partial: Option<Partial>,
    ) -> Result<MessageBlob, StoreError>;

    /// STORE with optional UNCHANGEDSINCE (RFC 9051 §6.4.6, RFC 7162 §3.1.3).
    fn store_flags(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[Uid],
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> Result<StoreResult, StoreError>;
    /// COPY (RFC 9051 §6.4.7, RFC 4315 COPYUID).
    fn copy(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[Uid],
        to: &MailboxName,
    ) -> Result<CopyResult, StoreError>;
    /// MOVE, atomic (RFC 6851).
    fn move_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[Uid],
        to: &MailboxName,
    ) -> Result<CopyResult, StoreError>;
    /// EXPUNGE, or UID EXPUNGE when `only` is given (RFC 4315 §2.1).
    /// Returns the expunged UIDs, ascending.
    fn expunge(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        only: Option<&[Uid]>,
    ) -> Result<Vec<Uid>, StoreError>;
    /// Changes after `since` (RFC 7162 CHANGEDSINCE and QRESYNC).
    fn changes_since(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        since: ModSeq,
    ) -> Result<Changes, StoreError>;
    fn quota_usage(&self, account: AccountId) -> Result<QuotaUsage, StoreError>;
    /// UIDs whose `field` contains `needle`, case-insensitively (RFC 9051
    /// §6.4.4), ascending.
    fn search_text(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        field: SearchField,
        needle: &str,
    ) -> Result<Vec<Uid>, StoreError>;

    /// Reconciles the index with the files, rebuilding a lost index.
    fn reindex(&self, account: AccountId) -> Result<ReindexReport, StoreError>;
    /// A number that grows with every committed change to the account, by
    /// any process; the change feed polls it.
    fn change_version(&self, account: AccountId) -> Result<u64, StoreError>;
}
