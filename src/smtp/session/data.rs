//! DATA (RFC 5321 §4.1.1.4) and BDAT (RFC 3030), and the end of a message:
//! the checks on what was received, the commit to the spool and the reply.
//! `250` is sent only after the spool's commit returned (DESIGN.md
//! invariant 1); a client that leaves mid-message leaves nothing.

use std::path::Path;
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite};

use super::receive::{Additions, ReceiveFailure, Receiver};
use super::transaction::sender_not_owned;
use super::{Role, Session, Step, Transaction, bad_sequence, local_error, unix_now};
use crate::queue::{BodyType, Envelope, ReversePath, SpoolError};
use crate::smtp::check::{InboundCheck, InboundMessage, InboundVerdict};
use crate::smtp::dot::{DotDecoder, LineEndingCheck};
use crate::smtp::reply::{Reply, Status};
use crate::smtp::sender::owns;
use crate::smtp::trace::{Received, received_field, with_protocol};

fn no_recipients() -> Reply {
    Reply::new(554, Status::new(5, 5, 1), "No valid recipients")
}

/// A bare CR or LF in a text message (RFC 5321 §2.3.8): refused, never
/// repaired, so no two servers can read its end differently.
fn bare_line_ending() -> Reply {
    Reply::new(
        550,
        Status::new(5, 6, 11),
        "Bare CR or LF in message data, use CRLF line endings",
    )
}

fn too_big() -> Reply {
    Reply::new(
        552,
        Status::new(5, 3, 4),
        "Message size exceeds fixed maximum message size",
    )
}

fn spool_error(error: &SpoolError) -> Reply {
    tracing::error!(%error, "the spool refused a message");
    match error {
        SpoolError::Full => Reply::new(
            452,
            Status::new(4, 3, 1),
            "Insufficient system storage, try again later",
        ),
        SpoolError::Io(_) | SpoolError::Database(_) => local_error(),
    }
}

/// What the inbound check says of a staged message, as a refusal
/// (RFC 3463 5.7.1: delivery not authorized, message refused) when it
/// refuses. A free function: the session (which may hold a spool writer)
/// is not borrowed across the check.
async fn inbound_refusal(check: &dyn InboundCheck, message: InboundMessage<'_>) -> Option<Reply> {
    match check.check(message).await {
        InboundVerdict::Accept => None,
        InboundVerdict::Reject(reason) => {
            tracing::info!(%reason, "message refused before its commit");
            Some(Reply::new(550, Status::new(5, 7, 1), &reason))
        }
    }
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    pub(super) async fn data(&mut self) -> Step {
        let Some(transaction) = &self.transaction else {
            return Step::Reply(bad_sequence("Need MAIL command"));
        };
        if transaction.chunks.is_some() {
            return Step::Reply(bad_sequence("DATA cannot follow BDAT"));
        }
        if transaction.recipients.is_empty() {
            return Step::Reply(no_recipients());
        }
        if transaction.parameters.body == Some(BodyType::BinaryMime) {
            // RFC 3030 §3: BINARYMIME data cannot be sent with DATA.
            return Step::Reply(bad_sequence("BINARYMIME requires BDAT"));
        }
        let mut receiver = match self.start_message().await {
            Ok(receiver) => receiver,
            Err(reply) => return Step::Reply(reply),
        };
        self.io
            .queue(&Reply::plain(354, "End data with <CR><LF>.<CR><LF>"));
        let mut decoder = DotDecoder::default();
        let mut decoded = Vec::new();
        loop {
            let input = match self.io.take_available().await {
                Ok(input) => input,
                // Dropping the receiver drops the spool writer: nothing stays.
                Err(end) => return Step::End(end),
            };
            decoded.clear();
            let end = decoder.feed(&input, &mut decoded);
            receiver.push(&decoded).await;
            if let Some(consumed) = end {
                self.io.unread(input.get(consumed..).unwrap_or_default());
                break;
            }
        }
        if decoder.saw_bare_line_ending() {
            self.transaction = None;
            return Step::Reply(bare_line_ending());
        }
        Step::Reply(self.finish_message(receiver).await)
    }

    /// BDAT: the chunk's octets are always read, so they can never be taken
    /// for commands, whatever is answered.
    pub(super) async fn bdat(&mut self, size: u64, last: bool) -> Step {
        let refusal = match &self.transaction {
            None => Some(bad_sequence("Need MAIL command")),
            Some(transaction) if transaction.recipients.is_empty() => Some(no_recipients()),
            Some(_) => None,
        };
        if let Some(refusal) = refusal {
            return match self.discard(size).await {
                Ok(()) => Step::Reply(refusal),
                Err(end) => Step::End(end),
            };
        }
        let existing = self.transaction.as_mut().and_then(|t| t.chunks.take());
        let (mut receiver, mut line_endings) = match existing {
            Some(started) => started,
            None => match self.start_message().await {
                Ok(receiver) => (receiver, LineEndingCheck::default()),
                Err(reply) => {
                    self.transaction = None;
                    return match self.discard(size).await {
                        Ok(()) => Step::Reply(reply),
                        Err(end) => Step::End(end),
                    };
                }
            },
        };
        let mut remaining = size;
        while remaining > 0 {
            let chunk = match self.io.take_at_most(remaining).await {
                Ok(chunk) => chunk,
                Err(end) => return Step::End(end),
            };
            remaining -= chunk.len() as u64;
            line_endings.feed(&chunk);
            receiver.push(&chunk).await;
        }
        if receiver.failed() || last {
            let binary = self
                .transaction
                .as_ref()
                .is_some_and(|t| t.parameters.body == Some(BodyType::BinaryMime));
            if last && !binary && line_endings.saw_bare_line_ending() {
                self.transaction = None;
                return Step::Reply(bare_line_ending());
            }
            return Step::Reply(self.finish_message(receiver).await);
        }
        let octets = receiver.octets();
        if let Some(transaction) = self.transaction.as_mut() {
            transaction.chunks = Some((receiver, line_endings));
        }
        Step::Reply(Reply::new(
            250,
            Status::new(2, 0, 0),
            &format!("{size} octets received, {octets} in total"),
        ))
    }

    async fn discard(&mut self, mut remaining: u64) -> Result<(), super::io::End> {
        while remaining > 0 {
            let chunk = self.io.take_at_most(remaining).await?;
            remaining -= chunk.len() as u64;
        }
        Ok(())
    }

    /// Opens the spool for the current transaction's message.
    async fn start_message(&mut self) -> Result<Receiver, Reply> {
        let writer = self
            .context
            .sink
            .receive()
            .await
            .map_err(|error| spool_error(&error))?;
        let Some(transaction) = &self.transaction else {
            return Err(bad_sequence("Need MAIL command"));
        };
        let helo = self.helo.as_ref();
        let with = with_protocol(
            helo.is_some_and(|h| h.extended),
            self.io.is_tls(),
            self.user.is_some(),
            transaction.parameters.smtputf8,
        );
        let id = format!("{}.{}", self.settings.session_id, self.accepted + 1);
        let now = unix_now();
        let recipient = match transaction.recipients.as_slice() {
            [only] => Some(only.address.as_str()),
            _ => None,
        };
        let field = received_field(&Received {
            helo: helo.map_or("unknown", |h| h.identity.as_str()),
            peer: self.settings.peer.ip(),
            hostname: &self.settings.hostname,
            with: &with,
            id: &id,
            recipient,
            timestamp: now,
        });
        let additions = (self.settings.role == Role::Submission).then(|| Additions {
            unique: format!("{}.{:016x}", id, rand::random::<u64>()),
            hostname: self.settings.hostname.clone(),
            timestamp: now,
            dkim: self.context.dkim.clone(),
        });
        Ok(Receiver::new(
            writer,
            self.settings.message_size,
            field,
            additions,
        ))
    }

    /// The end of the data: checks, commit, reply. The transaction ends
    /// whatever the outcome.
    async fn finish_message(&mut self, receiver: Receiver) -> Reply {
        let Some(transaction) = self.transaction.take() else {
            return bad_sequence("Need MAIL command");
        };
        let octets = receiver.octets();
        let (writer, facts) = match receiver.finish().await {
            Ok(finished) => finished,
            Err(ReceiveFailure::TooBig | ReceiveFailure::HeaderTooBig) => return too_big(),
            Err(ReceiveFailure::Spool(error)) => return spool_error(&SpoolError::Io(error)),
        };
        let max_received = usize::try_from(self.settings.smtp.max_received).unwrap_or(usize::MAX);
        if facts.received > max_received {
            // RFC 5321 §6.3 and RFC 3463 5.4.6: a routing loop.
            return Reply::new(
                554,
                Status::new(5, 4, 6),
                "Too many Received fields, mail loop suspected",
            );
        }
        if self.settings.role == Role::Submission
            && (facts.from_unreadable || !facts.from.iter().all(|a| owns(&transaction.owned, a)))
        {
            return sender_not_owned();
        }
        if self.settings.role == Role::Inbound
            && let Some(check) = self.context.inbound_check.clone()
            && let Some(staged) = writer.staged_path().map(Path::to_path_buf)
        {
            let helo = self
                .helo
                .as_ref()
                .map_or_else(|| "unknown".to_owned(), |h| h.identity.clone());
            let message = InboundMessage {
                path: &staged,
                size: writer.written(),
                mail_from: &transaction.mail_from,
                client: self.settings.peer.ip(),
                helo: &helo,
            };
            if let Some(refusal) = inbound_refusal(check.as_ref(), message).await {
                return refusal;
            }
        }
        let envelope = self.envelope(transaction);
        let recipients = envelope.recipients.len();
        let from = match &envelope.mail_from {
            ReversePath::Null => String::new(),
            ReversePath::Address(address) => address.clone(),
        };
        match writer.commit(envelope).await {
            Ok(queue_id) => {
                self.accepted += 1;
                if let Some(user) = &self.user
                    && self.settings.role == Role::Submission
                {
                    let per_hour = self.settings.smtp.submission_messages_per_hour;
                    self.context
                        .rate
                        .record(user.account, per_hour, Instant::now());
                }
                tracing::info!(%queue_id, from, recipients, octets, "message queued");
                Reply::new(
                    250,
                    Status::new(2, 0, 0),
                    &format!("Ok: queued as {queue_id}"),
                )
            }
            Err(error) => spool_error(&error),
        }
    }

    fn envelope(&self, transaction: Transaction) -> Envelope {
        let parameters = transaction.parameters;
        Envelope {
            mail_from: transaction.mail_from,
            recipients: transaction.recipients,
            body: parameters.body.unwrap_or_default(),
            smtputf8: parameters.smtputf8,
            ret: parameters.ret,
            envid: parameters.envid,
            submitter: match self.settings.role {
                Role::Submission => self.user.as_ref().map(|user| user.account),
                Role::Inbound => None,
            },
            received_at: unix_now(),
        }
    }
}
