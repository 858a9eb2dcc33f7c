//! FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9; RFC 3516 BINARY; RFC 7162
//! §3.1.4 CHANGEDSINCE). Sets `\Seen` for BODY[...] without PEEK (and
//! RFC822, RFC822.TEXT, BINARY) before answering, and reports the new FLAGS
//! in the same FETCH response. Large sections are streamed; each message's
//! response is written before the next is prepared.

use std::io;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::imap::parser::{FetchAttribute, FetchModifiers, FetchSection, SectionText, SequenceSet};
use crate::imap::response::{
    self as response, Code, Data, FetchItem, Payload, SectionData, SectionLabel,
};
use crate::imap::session::Session;
use crate::message::{MessageMetadata, Section, SectionSpec};
use crate::store::{
    AccountId, FlagOp, Flags, MailboxId, ModSeq, Partial, StoreError, SystemFlag, Uid,
};

use super::Reply;
use super::error::store_failure;
use super::section::{UnknownCte, binary_section, cut, decode_part, filter_header, part_at};

/// How many messages' metadata is read from the index at once.
const METADATA_BATCH: usize = 64;

/// An item with its data read, waiting to borrow the message's metadata.
enum Prepared {
    Item(FetchAttribute),
    Section {
        label: SectionLabel,
        origin: Option<u64>,
        data: SectionData,
    },
    Binary {
        path: Vec<u32>,
        origin: Option<u64>,
        data: SectionData,
    },
    BinarySize {
        path: Vec<u32>,
        size: u64,
    },
    Rfc822(SectionData),
    Rfc822Header(SectionData),
    Rfc822Text(SectionData),
}

/// Why a section could not be read.
enum SectionError {
    Store(StoreError),
    UnknownCte(UnknownCte),
}

impl From<StoreError> for SectionError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

fn sets_seen(attribute: &FetchAttribute) -> bool {
    matches!(
        attribute,
        FetchAttribute::BodySection { peek: false, .. }
            | FetchAttribute::Binary { peek: false, .. }
            | FetchAttribute::Rfc822
            | FetchAttribute::Rfc822Text
    )
}

fn needs_metadata(attribute: &FetchAttribute) -> bool {
    !matches!(
        attribute,
        FetchAttribute::Flags
            | FetchAttribute::Uid
            | FetchAttribute::InternalDate
            | FetchAttribute::Rfc822Size
            | FetchAttribute::ModSeq
    )
}

fn label(section: &FetchSection) -> SectionLabel {
    use response::SectionText as R;
    SectionLabel {
        path: section.path.clone(),
        text: section.text.as_ref().map(|t| match t {
            SectionText::Header => R::Header,
            SectionText::HeaderFields(f) => R::HeaderFields(f.clone()),
            SectionText::HeaderFieldsNot(f) => R::HeaderFieldsNot(f.clone()),
            SectionText::Text => R::Text,
            SectionText::Mime => R::Mime,
        }),
    }
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    // RFC 9051 §6.4.5
    pub(crate) async fn fetch(
        &mut self,
        uid: bool,
        set: &SequenceSet,
        mut attributes: Vec<FetchAttribute>,
        modifiers: FetchModifiers,
    ) -> io::Result<Reply> {
        let (Some(view), Some(login)) = (self.selected.as_ref(), self.login.as_ref()) else {
            return Ok(Reply::bad("no mailbox selected"));
        };
        if modifiers.vanished && !self.enabled.qresync {
            return Ok(Reply::bad("VANISHED needs QRESYNC, which is not enabled"));
        }
        // RFC 7162 §3.2.6: only UID FETCH with CHANGEDSINCE takes VANISHED.
        if modifiers.vanished && (!uid || modifiers.changed_since.is_none()) {
            return Ok(Reply::bad("VANISHED needs UID FETCH with CHANGEDSINCE"));
        }
        let mut targets = match view.resolve(set, uid) {
            Ok(targets) => targets,
            Err(error) => return Ok(Reply::bad(error.to_string())),
        };
        let (account, mailbox, read_only) = (login.user.account, view.mailbox, view.read_only);
        if let Some(since) = modifiers.changed_since {
            targets.retain(|(seq, _)| view.message(*seq).is_some_and(|m| m.modseq.0 > since));
            if modifiers.vanished {
                let store = &self.context.store;
                let changes = match store.changes_since(account, mailbox, ModSeq(since)).await {
                    Ok(changes) => changes,
                    Err(error) => return Ok(store_failure(&error)),
                };
                let vanished = changes
                    .expunged
                    .into_iter()
                    .filter(|u| set.names_uid(u.0) && view.seq_of(*u).is_none())
                    .map(|u| u.0)
                    .collect();
                self.queue_vanished(true, vanished);
            }
        }
        if modifiers.changed_since.is_some() || attributes.contains(&FetchAttribute::ModSeq) {
            self.enable_condstore();
        }
        if uid && !attributes.contains(&FetchAttribute::Uid) {
            attributes.insert(0, FetchAttribute::Uid);
        }
        if self.enabled.condstore
            && modifiers.changed_since.is_some()
            && !attributes.contains(&FetchAttribute::ModSeq)
        {
            attributes.push(FetchAttribute::ModSeq);
        }
        if !read_only && attributes.iter().any(sets_seen) {
            let newly_seen = self.mark_seen(account, mailbox, &targets).await;
            // RFC 9051 §6.4.5: the \Seen change is reported in this FETCH.
            if !newly_seen.is_empty() && !attributes.contains(&FetchAttribute::Flags) {
                attributes.push(FetchAttribute::Flags);
            }
        }
        let metadata_needed = attributes.iter().any(needs_metadata);
        for batch in targets.chunks(METADATA_BATCH) {
            let mut metadata = Vec::new();
            if metadata_needed {
                let uids = batch.iter().map(|(_, uid)| *uid).collect();
                metadata = match self.context.store.metadata(account, mailbox, uids).await {
                    Ok(found) => found,
                    Err(error) => return Ok(store_failure(&error)),
                };
            }
            for &(seq, uid) in batch {
                let meta = metadata.iter().find(|(u, _)| *u == uid).map(|(_, m)| m);
                if metadata_needed && meta.is_none() {
                    // Expunged by another session since: nothing to say.
                    continue;
                }
                match self
                    .fetch_one(account, mailbox, seq, uid, meta, &attributes)
                    .await
                {
                    Ok(()) => {}
                    Err(SectionError::Store(error)) => return Ok(store_failure(&error)),
                    Err(SectionError::UnknownCte(error)) => {
                        return Ok(Reply::no(Some(Code::UnknownCte), error.to_string()));
                    }
                }
                self.flush_if_large().await?;
            }
        }
        Ok(Reply::ok())
    }

    /// Sets `\Seen` on the targets that lack it; returns their UIDs.
    async fn mark_seen(
        &mut self,
        account: AccountId,
        mailbox: MailboxId,
        targets: &[(u32, Uid)],
    ) -> Vec<Uid> {
        let Some(view) = self.selected.as_ref() else {
            return Vec::new();
        };
        let unseen: Vec<Uid> = targets
            .iter()
            .filter(|(seq, _)| {
                view.message(*seq)
                    .is_some_and(|m| !m.flags.contains(SystemFlag::Seen))
            })
            .map(|(_, uid)| *uid)
            .collect();
        if unseen.is_empty() {
            return unseen;
        }
        let seen = Flags::new().with(SystemFlag::Seen);
        let store = &self.context.store;
        match store
            .store_flags(account, mailbox, unseen, FlagOp::Add, seen, None)
            .await
        {
            Ok(result) => {
                let mut changed = Vec::new();
                if let Some(view) = self.selected.as_mut() {
                    for update in result.updated {
                        changed.push(update.uid);
                        view.set_flags(update.uid, update.flags, update.modseq);
                    }
                }
                changed
            }
            Err(error) => {
                tracing::warn!(%error, "cannot set \\Seen during FETCH");
                Vec::new()
            }
        }
    }

    /// Prepares and queues the FETCH response of one message.
    async fn fetch_one(
        &mut self,
        account: AccountId,
        mailbox: MailboxId,
        seq: u32,
        uid: Uid,
        meta: Option<&MessageMetadata>,
        attributes: &[FetchAttribute],
    ) -> Result<(), SectionError> {
        let mut prepared = Vec::with_capacity(attributes.len());
        for attribute in attributes {
            prepared.push(
                self.prepare(account, mailbox, uid, meta, attribute.clone())
                    .await?,
            );
        }
        let Some(message) = self.selected.as_ref().and_then(|v| v.message(seq)).cloned() else {
            return Ok(());
        };
        let mut items = Vec::with_capacity(prepared.len());
        for p in prepared {
            let item = match p {
                Prepared::Item(attribute) => match (attribute, meta) {
                    (FetchAttribute::Flags, _) => FetchItem::Flags {
                        flags: &message.flags,
                        recent: self.is_recent(message.uid),
                    },
                    (FetchAttribute::Uid, _) => FetchItem::Uid(message.uid),
                    (FetchAttribute::InternalDate, _) => {
                        FetchItem::InternalDate(message.internal_date)
                    }
                    (FetchAttribute::Rfc822Size, _) => FetchItem::Rfc822Size(message.size),
                    (FetchAttribute::ModSeq, _) => FetchItem::ModSeq(message.modseq),
                    (FetchAttribute::Envelope, Some(m)) => FetchItem::Envelope(&m.envelope),
                    (FetchAttribute::Body, Some(m)) => FetchItem::Body(&m.body),
                    (FetchAttribute::BodyStructure, Some(m)) => FetchItem::BodyStructure(&m.body),
                    _ => continue,
                },
                Prepared::Section {
                    label,
                    origin,
                    data,
                } => FetchItem::BodySection {
                    section: label,
                    origin,
                    data,
                },
                Prepared::Binary { path, origin, data } => FetchItem::Binary { path, origin, data },
                Prepared::BinarySize { path, size } => FetchItem::BinarySize { path, size },
                Prepared::Rfc822(data) => FetchItem::Rfc822(data),
                Prepared::Rfc822Header(data) => FetchItem::Rfc822Header(data),
                Prepared::Rfc822Text(data) => FetchItem::Rfc822Text(data),
            };
            items.push(item);
        }
        self.queue_data(Data::Fetch { seq, items });
        Ok(())
    }

    async fn prepare(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uid: Uid,
        meta: Option<&MessageMetadata>,
        attribute: FetchAttribute,
    ) -> Result<Prepared, SectionError> {
        let whole = |spec| Section {
            path: Vec::new(),
            spec,
        };
        Ok(match (attribute, meta) {
            (
                FetchAttribute::BodySection {
                    section, partial, ..
                },
                Some(meta),
            ) => {
                let data = self
                    .body_section(account, mailbox, uid, meta, &section, partial)
                    .await?;
                Prepared::Section {
                    label: label(&section),
                    origin: partial.map(|p| p.origin),
                    data,
                }
            }
            (FetchAttribute::Binary { part, partial, .. }, Some(meta)) => {
                let decoded = self.binary(account, mailbox, uid, meta, &part).await?;
                Prepared::Binary {
                    origin: partial.map(|p| p.origin),
                    data: decoded.map_or(SectionData::Nil, |d| {
                        SectionData::Data(Payload::Bytes(cut(d, partial)))
                    }),
                    path: part,
                }
            }
            (FetchAttribute::BinarySize { part }, Some(meta)) => {
                let decoded = self.binary(account, mailbox, uid, meta, &part).await?;
                Prepared::BinarySize {
                    size: decoded.map_or(0, |d| d.len() as u64),
                    path: part,
                }
            }
            (FetchAttribute::Rfc822, Some(meta)) => Prepared::Rfc822(
                self.read(account, mailbox, uid, meta, whole(SectionSpec::Full), None)
                    .await?,
            ),
            (FetchAttribute::Rfc822Header, Some(meta)) => Prepared::Rfc822Header(
                self.read(
                    account,
                    mailbox,
                    uid,
                    meta,
                    whole(SectionSpec::Header),
                    None,
                )
                .await?,
            ),
            (FetchAttribute::Rfc822Text, Some(meta)) => Prepared::Rfc822Text(
                self.read(account, mailbox, uid, meta, whole(SectionSpec::Text), None)
                    .await?,
            ),
            (attribute, _) => Prepared::Item(attribute),
        })
    }

    /// A section streamed from the store, or NIL if the message has none.
    async fn read(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uid: Uid,
        meta: &MessageMetadata,
        section: Section,
        partial: Option<Partial>,
    ) -> Result<SectionData, SectionError> {
        if meta.locate(&section).is_none() {
            return Ok(SectionData::Nil);
        }
        let stream = self
            .context
            .store
            .open_message(account, mailbox, uid, section, partial)
            .await?;
        Ok(SectionData::Data(Payload::Stream(stream)))
    }

    async fn body_section(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uid: Uid,
        meta: &MessageMetadata,
        section: &FetchSection,
        partial: Option<Partial>,
    ) -> Result<SectionData, SectionError> {
        let (names, exclude) = match &section.text {
            Some(SectionText::HeaderFields(names)) => (names, false),
            Some(SectionText::HeaderFieldsNot(names)) => (names, true),
            _ => {
                return self
                    .read(account, mailbox, uid, meta, section.section(), partial)
                    .await;
            }
        };
        let header = self
            .read(account, mailbox, uid, meta, section.section(), None)
            .await?;
        let SectionData::Data(Payload::Stream(stream)) = header else {
            return Ok(SectionData::Nil);
        };
        let header = stream.into_bytes().await.map_err(StoreError::Io)?;
        let filtered = filter_header(&header, names, exclude);
        Ok(SectionData::Data(Payload::Bytes(cut(filtered, partial))))
    }

    /// The decoded content of a part for BINARY (RFC 3516 §4.2); `None` if
    /// the part does not exist.
    async fn binary(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uid: Uid,
        meta: &MessageMetadata,
        path: &[u32],
    ) -> Result<Option<Vec<u8>>, SectionError> {
        let encoding = if path.is_empty() {
            String::new()
        } else {
            match part_at(meta, path) {
                Some(part) => part.encoding.clone(),
                None => return Ok(None),
            }
        };
        let raw = self
            .read(account, mailbox, uid, meta, binary_section(path), None)
            .await?;
        let SectionData::Data(Payload::Stream(stream)) = raw else {
            return Ok(None);
        };
        let raw = stream.into_bytes().await.map_err(StoreError::Io)?;
        decode_part(&encoding, raw)
            .map(Some)
            .map_err(SectionError::UnknownCte)
    }
}
