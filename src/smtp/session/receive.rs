//! One message on its way into the spool: counts octets against the size
//! limit, buffers the header section only (bounded), prepends the trace
//! field, adds `Date:` and `Message-ID:` on submission, and streams the
//! rest. Knows nothing of DATA or BDAT framing.
//!
//! A submitted message whose From: domain has DKIM keys is the exception:
//! its signature fields go first, so the message is held (within the size
//! limit) until its end and signed on the blocking pool before any octet
//! reaches the spool (RFC 6376 §5).

use std::sync::Arc;

use tokio::io::AsyncWriteExt;

use crate::dkim::{DkimSigner, DomainKeys};
use crate::queue::SpoolWriter;
use crate::smtp::trace::{HeaderFacts, date_field, header_facts, message_id_field};

/// The header section is kept in memory up to this size at most.
const MAX_HEADER_SECTION: u64 = 1024 * 1024;

/// Why a message cannot be accepted, known by the end of its data.
#[derive(Debug)]
pub enum ReceiveFailure {
    /// Over `limits.message_size` (`552 5.3.4`).
    TooBig,
    /// No end of the header section within the buffer (`552 5.3.4`).
    HeaderTooBig,
    /// The spool failed to take an octet (`451 4.3.0`).
    Spool(std::io::Error),
}

/// What the server adds to a submitted message when it is missing.
#[derive(Debug, Clone)]
pub struct Additions {
    pub unique: String,
    pub hostname: String,
    pub timestamp: i64,
    /// Signs messages from domains with DKIM keys.
    pub dkim: Option<Arc<DkimSigner>>,
}

/// A message held for signing: what would have been written so far.
struct Held {
    keys: Arc<DomainKeys>,
    /// The header section as the spool gets it, without the blank line.
    header: Vec<u8>,
    /// From the blank line on.
    body: Vec<u8>,
}

/// A message being received.
pub struct Receiver {
    writer: Option<Box<dyn SpoolWriter>>,
    /// The header section while its end is not yet seen.
    header: Option<Vec<u8>>,
    header_limit: usize,
    octets: u64,
    limit: u64,
    received_field: String,
    additions: Option<Additions>,
    facts: HeaderFacts,
    failure: Option<ReceiveFailure>,
    held: Option<Held>,
}

impl Receiver {
    pub fn new(
        writer: Box<dyn SpoolWriter>,
        limit: u64,
        received_field: String,
        additions: Option<Additions>,
    ) -> Self {
        Self {
            writer: Some(writer),
            header: Some(Vec::new()),
            header_limit: usize::try_from(limit.min(MAX_HEADER_SECTION)).unwrap_or(usize::MAX),
            octets: 0,
            limit,
            received_field,
            additions,
            facts: HeaderFacts::default(),
            failure: None,
            held: None,
        }
    }

    /// Whether the message is already refused; what follows is discarded.
    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// Octets of the message as the client sent them (after dot-unstuffing).
    pub fn octets(&self) -> u64 {
        self.octets
    }

    /// Takes the next message octets.
    pub async fn push(&mut self, bytes: &[u8]) {
        if self.failure.is_some() || bytes.is_empty() {
            return;
        }
        self.octets = self.octets.saturating_add(bytes.len() as u64);
        if self.octets > self.limit {
            self.fail(ReceiveFailure::TooBig);
            return;
        }
        let Some(header) = self.header.as_mut() else {
            self.write(bytes).await;
            return;
        };
        let search_from = header.len().saturating_sub(3);
        header.extend_from_slice(bytes);
        let end = if header.starts_with(b"\r\n") {
            Some(0)
        } else {
            header
                .get(search_from..)
                .unwrap_or_default()
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map(|at| search_from + at + 2)
        };
        match end {
            Some(end) => {
                let whole = self.header.take().unwrap_or_default();
                let (fields, rest) = whole.split_at(end.min(whole.len()));
                self.write_header(fields).await;
                self.write(rest).await;
            }
            None if header.len() > self.header_limit => self.fail(ReceiveFailure::HeaderTooBig),
            None => {}
        }
    }

    /// The end of the data: the writer to commit, and what the header said.
    pub async fn finish(mut self) -> Result<(Box<dyn SpoolWriter>, HeaderFacts), ReceiveFailure> {
        if let Some(header) = self.header.take() {
            // No blank line: the whole message is a header section (RFC 5322 §3.5).
            let mut fields = header;
            if !fields.is_empty() && !fields.ends_with(b"\r\n") {
                fields.extend_from_slice(b"\r\n");
            }
            self.write_header(&fields).await;
        }
        if let Some(failure) = self.failure.take() {
            return Err(failure);
        }
        if let Some(held) = self.held.take() {
            let signed = held
                .keys
                .sign(held.header, held.body)
                .await
                .ok_or_else(|| {
                    ReceiveFailure::Spool(std::io::Error::other("DKIM signing failed"))
                })?;
            self.write(&signed.fields).await;
            self.write(&signed.header).await;
            self.write(&signed.body).await;
            if let Some(failure) = self.failure.take() {
                return Err(failure);
            }
        }
        let Some(mut writer) = self.writer.take() else {
            return Err(ReceiveFailure::Spool(
                std::io::ErrorKind::NotConnected.into(),
            ));
        };
        writer.flush().await.map_err(ReceiveFailure::Spool)?;
        Ok((writer, self.facts))
    }

    /// The trace field, the client's fields, and what submission adds.
    async fn write_header(&mut self, fields: &[u8]) {
        self.facts = header_facts(fields);
        let mut out = self.received_field.clone().into_bytes();
        out.extend_from_slice(fields);
        if let Some(additions) = &self.additions {
            if !self.facts.has_date {
                out.extend_from_slice(date_field(additions.timestamp).as_bytes());
            }
            if !self.facts.has_message_id {
                out.extend_from_slice(
                    message_id_field(&additions.unique, &additions.hostname).as_bytes(),
                );
            }
        }
        if let Some((signer, domain)) = self.signing_domain()
            && let Some(keys) = signer.prepare(domain).await
        {
            self.held = Some(Held {
                keys,
                header: out,
                body: Vec::new(),
            });
            return;
        }
        self.write(&out).await;
    }

    /// The signer and the From: domain whose keys it signs with, on submission.
    fn signing_domain(&self) -> Option<(Arc<DkimSigner>, String)> {
        let signer = self.additions.as_ref()?.dkim.as_ref()?;
        if self.facts.from_unreadable {
            return None;
        }
        let (_, domain) = self.facts.from.first()?.rsplit_once('@')?;
        Some((Arc::clone(signer), domain.to_owned()))
    }

    async fn write(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if let Some(held) = self.held.as_mut() {
            // Bounded: push refused anything over the size limit.
            held.body.extend_from_slice(bytes);
            return;
        }
        let Some(writer) = self.writer.as_mut() else {
            return;
        };
        if let Err(error) = writer.write_all(bytes).await {
            self.fail(ReceiveFailure::Spool(error));
        }
    }

    /// Drops the spool writer (discarding what it holds) and the header buffer.
    fn fail(&mut self, failure: ReceiveFailure) {
        self.writer = None;
        self.header = None;
        self.held = None;
        self.failure = Some(failure);
    }
}
