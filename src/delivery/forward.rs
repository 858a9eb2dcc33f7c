//! Forwarding (`redirect`, RFC 5228 §4.2; a user's automatic forwarding):
//! each target gets the message through the queue as a new message, with
//! the fields this delivery added and a `Delivered-To` of the forwarding
//! recipient on top, so the next hop can see the loop. The envelope sender
//! is rewritten with SRS when a remote sender's mail goes to a remote
//! target; the null sender stays null (RFC 5321 §4.5.5).
//!
//! Loops end three ways: a message that already carries a `Delivered-To`
//! of this recipient, or `max_hops` of them, is kept instead of forwarded
//! (keeping loses nothing, a bounce could start a storm of its own); and a
//! redirect to the recipient itself is dropped.
//!
//! Each forward has an origin (queue id, recipient index, account, redirect
//! index) that the queue records in the transaction that queues it, so a
//! retried delivery, even after a crash at any instant, finds it queued and
//! does not forward twice.

use std::path::Path;
use std::sync::Arc;

use super::actions::{DeliveryActions, now_secs};
use super::body::write_message;
use super::header::{Header, mentions};
use crate::auth::Directory;
use crate::queue::{
    BodyType, Envelope, Notify, Origin, QueueError, QueueId, Recipient, ReversePath, SpoolError,
};
use crate::store::AccountId;

/// A forward could not be queued: the delivery is retried.
#[derive(Debug, thiserror::Error)]
pub(super) enum ForwardError {
    #[error(transparent)]
    Spool(#[from] SpoolError),
    #[error("spool I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("delivery task failed")]
    TaskFailed,
}

/// Why a message is not forwarded, when it is not.
pub(super) fn loop_reason(
    header: &Header,
    recipient: &str,
    login: &str,
    max_hops: u32,
) -> Option<&'static str> {
    let mut hops = 0u32;
    for value in header.values("delivered-to") {
        if mentions(value, recipient) || mentions(value, login) {
            return Some("already delivered to this recipient");
        }
        hops += 1;
    }
    (hops >= max_hops).then_some("too many hops")
}

/// Whether `target` is the recipient itself, which would forward to itself.
pub(super) fn is_self(target: &str, recipient: &str, login: &str) -> bool {
    target.eq_ignore_ascii_case(recipient) || target.eq_ignore_ascii_case(login)
}

/// One delivery's forwards.
pub(super) struct Forward<'a> {
    pub actions: &'a DeliveryActions,
    pub directory: &'a Arc<Directory>,
    pub queue_id: QueueId,
    pub index: u32,
    pub account: AccountId,
    pub sender: &'a ReversePath,
    /// The forwarding recipient, for `Delivered-To`.
    pub recipient: &'a str,
    /// Header fields the stages added.
    pub added: &'a str,
    pub header: Option<&'a [u8]>,
    pub message: &'a Path,
}

impl Forward<'_> {
    /// Queues the message to each of `targets` not queued before.
    pub async fn send(&self, targets: &[String]) -> Result<(), ForwardError> {
        for (n, target) in targets.iter().enumerate() {
            let origin = Origin(format!(
                "forward:{}:{}:{}:r{n}",
                self.queue_id, self.index, self.account.0
            ));
            if self.actions.spool.queued_from(origin.clone()).await? {
                continue;
            }
            let mail_from = self.envelope_sender(target).await?;
            let id = self.enqueue(target, mail_from.clone(), origin).await?;
            let sender = match &mail_from {
                ReversePath::Null => "",
                ReversePath::Address(address) => address,
            };
            tracing::info!(to = target.as_str(), sender, queued = %id, "forwarded");
        }
        Ok(())
    }

    /// SRS when the sender is someone else's and the target too: then the
    /// target's SPF check would see our address for another's domain.
    async fn envelope_sender(&self, target: &str) -> Result<ReversePath, ForwardError> {
        let ReversePath::Address(sender) = self.sender else {
            return Ok(ReversePath::Null);
        };
        let Some(srs) = &self.actions.srs else {
            return Ok(self.sender.clone());
        };
        let sender_local = self.is_local(sender).await?;
        let target_local = self.is_local(target).await?;
        if sender_local || target_local {
            return Ok(self.sender.clone());
        }
        Ok(ReversePath::Address(srs.forward(sender, now_secs())))
    }

    async fn is_local(&self, address: &str) -> Result<bool, ForwardError> {
        let Some((_, domain)) = address.rsplit_once('@') else {
            return Ok(true);
        };
        let directory = self.directory.clone();
        let domain = domain.to_owned();
        match tokio::task::spawn_blocking(move || directory.is_local_domain(&domain)).await {
            Ok(Ok(local)) => Ok(local),
            // A domain the directory cannot even parse is no domain of ours.
            Ok(Err(_)) => Ok(false),
            Err(_) => Err(ForwardError::TaskFailed),
        }
    }

    /// Streams the message into the spool: never whole in memory.
    async fn enqueue(
        &self,
        target: &str,
        mail_from: ReversePath,
        origin: Origin,
    ) -> Result<QueueId, ForwardError> {
        let prefix = format!("Delivered-To: {}\r\n{}", self.recipient, self.added);
        let mut writer = self.actions.spool.receive_from(origin).await?;
        write_message(&mut *writer, prefix.as_bytes(), self.header, self.message).await?;
        let envelope = Envelope {
            mail_from,
            recipients: vec![Recipient {
                address: target.to_owned(),
                orcpt: None,
                notify: Notify::default(),
            }],
            // What the original was received as is not known here; 8BITMIME
            // is what any message read off the spool may need.
            body: BodyType::EightBitMime,
            smtputf8: !target.is_ascii(),
            ret: None,
            envid: None,
            submitter: None,
            received_at: i64::try_from(now_secs()).unwrap_or(i64::MAX),
        };
        Ok(writer.commit(envelope).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_delivered_to_stops_forwarding() {
        let header = Header::parse(
            b"Delivered-To: bob@example.org\r\nDelivered-To: alice@example.org\r\n\r\n",
        );
        assert_eq!(
            loop_reason(&header, "alice@example.org", "alice@example.org", 10),
            Some("already delivered to this recipient")
        );
        assert_eq!(
            loop_reason(&header, "carol@example.org", "carol@example.org", 10),
            None
        );
    }

    #[test]
    fn the_hop_limit_stops_forwarding() {
        let header = Header::parse(b"Delivered-To: a@x\r\nDelivered-To: b@x\r\n\r\n");
        assert_eq!(loop_reason(&header, "c@x", "c@x", 2), Some("too many hops"));
        assert_eq!(loop_reason(&header, "c@x", "c@x", 3), None);
    }
}
