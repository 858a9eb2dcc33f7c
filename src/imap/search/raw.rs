//! Reads and digests the raw messages the last search stage needs: the
//! header section for HEADER keys, or the whole message when the index
//! could not decide a text key. Many messages per trip to the blocking
//! pool, read and parsed there, so neither file I/O nor MIME parsing runs on
//! an async worker and only the digests (header fields, text capped like
//! the index) come back. Must not evaluate keys.

use std::io::{Read, Seek, SeekFrom};

use crate::message::{SearchText, Section, SectionSpec};
use crate::store::{BlobBody, MessageBlob, Store, StoreError, Uid};

use super::header_field::HeaderFields;
use super::{MailboxView, SearchError};

/// Messages per trip to the blocking pool.
pub const BATCH: usize = 64;

/// What the last stage learns from one message's octets.
#[derive(Debug)]
pub struct Digest {
    pub header: HeaderFields,
    /// Only when the whole message was read.
    pub text: Option<SearchText>,
}

/// One message to read: its UID and whether the whole message is needed.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub uid: Uid,
    pub whole: bool,
}

/// The digest of each request, in order; `None` for a message expunged
/// meanwhile (a search simply does not find it).
pub async fn digest(
    store: &Store,
    view: &MailboxView<'_>,
    requests: Vec<Request>,
) -> Result<Vec<Option<Digest>>, SearchError> {
    let backend = store.backend().clone();
    let (account, mailbox) = (view.account, view.mailbox);
    tokio::task::spawn_blocking(move || {
        requests
            .into_iter()
            .map(|r| {
                let spec = if r.whole {
                    SectionSpec::Full
                } else {
                    SectionSpec::Header
                };
                let section = Section {
                    path: Vec::new(),
                    spec,
                };
                match backend.open_message(account, mailbox, r.uid, &section, None) {
                    Ok(blob) => Ok(Some(digest_one(&octets(blob)?, r.whole))),
                    Err(StoreError::NoMessage) => Ok(None),
                    Err(e) => Err(SearchError::from(e)),
                }
            })
            .collect()
    })
    .await
    .map_err(|_| StoreError::TaskFailed)?
}

fn octets(blob: MessageBlob) -> std::io::Result<Vec<u8>> {
    let len = usize::try_from(blob.len).unwrap_or(usize::MAX);
    match blob.body {
        BlobBody::Bytes(mut bytes) => {
            bytes.truncate(len);
            Ok(bytes)
        }
        BlobBody::File { mut file, offset } => {
            file.seek(SeekFrom::Start(offset))?;
            let mut out = Vec::new();
            file.take(blob.len).read_to_end(&mut out)?;
            Ok(out)
        }
    }
}

fn digest_one(raw: &[u8], whole: bool) -> Digest {
    if !whole {
        return Digest {
            header: HeaderFields::parse(raw),
            text: None,
        };
    }
    let parsed = crate::message::parse(raw);
    let header_end = usize::try_from(parsed.metadata.body.offsets.body).unwrap_or(raw.len());
    Digest {
        header: HeaderFields::parse(raw.get(..header_end).unwrap_or(raw)),
        text: Some(parsed.search),
    }
}
