//! Automatic replies (`vacation`, RFC 5230; RFC 3834): whether one may go,
//! and the reply itself, queued with the null envelope sender (RFC 3834
//! §3.3: nothing answers it, no bounce comes back) and
//! `Auto-Submitted: auto-replied` (RFC 3834 §5).
//!
//! It never answers: the null sender, the user's own addresses, list and
//! daemon senders (RFC 3834 §2: `owner-`, `-request`, `MAILER-DAEMON`),
//! automatic or bulk mail (`Auto-Submitted` other than `no`, `List-*`,
//! `Precedence: bulk|list|junk`, `X-Auto-Response-Suppress`), spam, mail
//! not addressed to the user in To/Cc/Bcc/Resent-* (RFC 5230 §4.5), or a
//! sender answered for the same handle within the period (RFC 5230 §4.2).

use std::sync::Arc;

use mail_builder::MessageBuilder;
use mail_builder::mime::MimePart;

use super::actions::DeliveryActions;
use super::header::{Header, mentions};
use super::stage::{AutoReply, SpamVerdict};
use crate::auth::{AliasAddress, Directory};
use crate::queue::{BodyType, Envelope, Notify, Recipient, ReversePath, now_ms};
use crate::store::AccountId;

/// Fields that carry the message's recipients (RFC 5230 §4.5).
const ADDRESS_FIELDS: [&str; 6] = ["to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc"];
/// Fields only lists and bulk senders set (RFC 2369, RFC 2919).
const LIST_FIELDS: [&str; 4] = [
    "list-id",
    "list-unsubscribe",
    "list-post",
    "x-auto-response-suppress",
];

/// The delivery a reply would answer.
pub(super) struct Incoming<'a> {
    pub account: AccountId,
    pub login: &'a str,
    /// The envelope recipient, an address the user receives at.
    pub recipient: &'a str,
    pub sender: &'a ReversePath,
    pub header: &'a Header,
    pub spam: Option<&'a SpamVerdict>,
}

/// Why no reply went, for the log; `None` when one was queued.
pub(super) async fn answer(
    actions: &DeliveryActions,
    directory: &Arc<Directory>,
    incoming: &Incoming<'_>,
    reply: &AutoReply,
) -> Option<&'static str> {
    let ReversePath::Address(sender) = incoming.sender else {
        return Some("null sender");
    };
    if is_daemon(sender) {
        return Some("list or daemon sender");
    }
    if let Some(reason) = automatic(incoming.header) {
        return Some(reason);
    }
    if incoming.spam.is_some_and(|verdict| verdict.is_spam) {
        return Some("spam");
    }
    let mut own = vec![incoming.login.to_owned(), incoming.recipient.to_owned()];
    own.extend(reply.addresses.iter().cloned());
    let lookup = directory.clone();
    let account = incoming.account;
    if let Ok(Ok(addresses)) =
        tokio::task::spawn_blocking(move || lookup.addresses_of(account)).await
    {
        own.extend(addresses.into_iter().filter_map(|address| match address {
            AliasAddress::Address(address) => Some(address.as_str().to_owned()),
            AliasAddress::CatchAll(_) => None,
        }));
    }
    if own
        .iter()
        .any(|address| address.eq_ignore_ascii_case(sender))
    {
        return Some("own address");
    }
    let addressed = ADDRESS_FIELDS.iter().any(|field| {
        incoming
            .header
            .values(field)
            .any(|value| own.iter().any(|address| mentions(value, address)))
    });
    if !addressed {
        return Some("not addressed to the user");
    }
    let state = actions.state.clone();
    let (claim_sender, handle, period) = (sender.clone(), reply.handle.clone(), reply.period);
    let claimed = tokio::task::spawn_blocking(move || {
        state.claim_vacation_reply(account, &claim_sender, &handle, period, now_ms())
    })
    .await;
    match claimed {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => return Some("already answered within the period"),
        Ok(Err(error)) => {
            tracing::warn!(%error, "vacation tracker unavailable");
            return Some("tracker unavailable");
        }
        Err(_) => return Some("tracker unavailable"),
    }
    let from = reply
        .from
        .clone()
        .unwrap_or_else(|| incoming.login.to_owned());
    let octets = match build(actions, incoming, reply, &from, sender) {
        Ok(octets) => sign(actions, &from, &own, octets).await,
        Err(error) => {
            tracing::warn!(%error, "cannot build the automatic reply");
            release(actions, account, sender, &reply.handle).await;
            return Some("reply not built");
        }
    };
    let envelope = Envelope {
        mail_from: ReversePath::Null,
        recipients: vec![Recipient {
            address: sender.clone(),
            orcpt: None,
            notify: Notify {
                success: false,
                failure: false,
                delay: false,
            },
        }],
        body: BodyType::EightBitMime,
        smtputf8: false,
        ret: None,
        envid: None,
        submitter: Some(account),
        received_at: now_ms() / 1000,
    };
    match actions.spool.enqueue(envelope, octets, Vec::new()).await {
        Ok(id) => {
            tracing::info!(to = sender.as_str(), queued = %id, "automatic reply sent");
            None
        }
        Err(error) => {
            tracing::warn!(%error, "cannot queue the automatic reply");
            release(actions, account, sender, &reply.handle).await;
            Some("reply not queued")
        }
    }
}

async fn release(actions: &DeliveryActions, account: AccountId, sender: &str, handle: &str) {
    let state = actions.state.clone();
    let (sender, handle) = (sender.to_owned(), handle.to_owned());
    let _ = tokio::task::spawn_blocking(move || {
        state.release_vacation_reply(account, &sender, &handle)
    })
    .await;
}

/// RFC 3834 §2: mail from these is mail from a program or a list.
fn is_daemon(sender: &str) -> bool {
    let local = sender
        .rsplit_once('@')
        .map_or(sender, |(local, _)| local)
        .to_ascii_lowercase();
    local == "mailer-daemon"
        || local == "postmaster"
        || local == "listserv"
        || local == "majordomo"
        || local.starts_with("owner-")
        || local.ends_with("-request")
        || local.starts_with("srs0=")
}

/// Why the header says the message was sent by a program or a list.
fn automatic(header: &Header) -> Option<&'static str> {
    let submitted = header.values("auto-submitted").any(|value| {
        let keyword = value.split(';').next().unwrap_or_default().trim();
        !keyword.eq_ignore_ascii_case("no")
    });
    if submitted {
        return Some("auto-submitted");
    }
    if LIST_FIELDS.iter().any(|field| header.has(field)) {
        return Some("list or bulk mail");
    }
    let bulk = header.values("precedence").any(|value| {
        let value = value.trim().to_ascii_lowercase();
        matches!(value.as_str(), "bulk" | "list" | "junk")
    });
    bulk.then_some("bulk precedence")
}

/// The reply: from the user, to the sender, threaded under the original.
fn build(
    actions: &DeliveryActions,
    incoming: &Incoming<'_>,
    reply: &AutoReply,
    from: &str,
    sender: &str,
) -> std::io::Result<Vec<u8>> {
    let subject = match &reply.subject {
        Some(subject) => subject.clone(),
        None => format!(
            "Auto: {}",
            incoming.header.first("subject").unwrap_or_default()
        ),
    };
    let mut message = MessageBuilder::new()
        .from(from.to_owned())
        .to(sender.to_owned())
        .subject(subject)
        .message_id(message_id(&actions.settings.hostname))
        .header(
            "Auto-Submitted",
            mail_builder::headers::raw::Raw::new("auto-replied"),
        );
    if let Some(original) = incoming.header.first("message-id") {
        let original = strip_angles(original);
        let mut references: Vec<String> = incoming
            .header
            .first("references")
            .map(|refs| {
                refs.split_whitespace()
                    .map(|r| strip_angles(r).to_owned())
                    .collect()
            })
            .unwrap_or_default();
        references.push(original.to_owned());
        message = message
            .in_reply_to(original.to_owned())
            .references(references);
    }
    let message = if reply.mime {
        message.body(MimePart::raw(reply.body.clone()))
    } else {
        message.text_body(reply.body.clone())
    };
    message.write_to_vec()
}

/// Signs the reply with the DKIM keys of its From domain, as submission
/// signs what the user sends, when From is one of the user's own addresses
/// (a `:from` naming someone else's is sent unsigned). Unsigned when the
/// domain has no keys or signing fails: a reply is never held back for it.
async fn sign(actions: &DeliveryActions, from: &str, own: &[String], octets: Vec<u8>) -> Vec<u8> {
    let Some(signer) = &actions.dkim else {
        return octets;
    };
    let address = from
        .rsplit_once('<')
        .map_or(from, |(_, rest)| rest.trim_end_matches('>'))
        .trim();
    let Some((_, domain)) = address.rsplit_once('@') else {
        return octets;
    };
    if !own.iter().any(|own| own.eq_ignore_ascii_case(address)) {
        return octets;
    }
    let Some(keys) = Arc::clone(signer).prepare(domain.to_owned()).await else {
        return octets;
    };
    let Some(end) = octets.windows(4).position(|w| w == b"\r\n\r\n") else {
        return octets;
    };
    let (header, body) = octets.split_at(end + 2);
    match keys.sign(header.to_vec(), body.to_vec()).await {
        Some(signed) => [signed.fields, signed.header, signed.body].concat(),
        None => octets,
    }
}

fn strip_angles(id: &str) -> &str {
    id.trim().trim_start_matches('<').trim_end_matches('>')
}

fn message_id(hostname: &str) -> String {
    let mut random = [0u8; 12];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random);
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}.{hex}@{hostname}", now_ms())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_and_daemon_senders_are_recognised() {
        assert!(is_daemon("MAILER-DAEMON@example.net"));
        assert!(is_daemon("owner-list@example.net"));
        assert!(is_daemon("list-request@example.net"));
        assert!(!is_daemon("carol@example.net"));
    }

    #[test]
    fn auto_submitted_no_is_a_person() {
        let person = Header::parse(b"Auto-Submitted: no\r\n\r\n");
        assert_eq!(automatic(&person), None);
        let program = Header::parse(b"Auto-Submitted: auto-generated\r\n\r\n");
        assert_eq!(automatic(&program), Some("auto-submitted"));
    }
}
