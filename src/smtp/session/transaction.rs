//! MAIL and RCPT (RFC 5321 §4.1.1.2, §4.1.1.3): who may send, and to whom.
//! Inbound accepts local recipients only and never relays; submission
//! needs a login, a sender the user owns and stays within the user's rate.
//! Directory lookups are blocking SQLite and run on the blocking pool.

use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite};

use super::{Role, Session, Transaction, bad_sequence, local_error};
use crate::auth::{Directory, DirectoryError, Resolution};
use crate::delivery::reclaimable_bytes;
use crate::queue::{Recipient, ReversePath as EnvelopeSender};
use crate::smtp::parser::{ForwardPath, MailParameters, RcptParameters, ReversePath};
use crate::smtp::reply::{Reply, Status};
use crate::smtp::sender::owns;
use crate::store::{AccountId, StoreError};

/// Runs a directory lookup on the blocking pool; a failed task is a
/// directory error like any other.
async fn blocking<T, F>(directory: &std::sync::Arc<Directory>, lookup: F) -> Option<T>
where
    T: Send + 'static,
    F: FnOnce(&Directory) -> Result<T, DirectoryError> + Send + 'static,
{
    let directory = std::sync::Arc::clone(directory);
    match tokio::task::spawn_blocking(move || lookup(&directory)).await {
        Ok(Ok(found)) => Some(found),
        Ok(Err(error)) => {
            tracing::error!(%error, "directory lookup failed");
            None
        }
        Err(error) => {
            tracing::error!(%error, "directory lookup task failed");
            None
        }
    }
}

/// RFC 6531 §3.5: a UTF-8 address without SMTPUTF8.
fn utf8_not_permitted() -> Reply {
    Reply::new(
        553,
        Status::new(5, 6, 7),
        "Non-ASCII address requires SMTPUTF8",
    )
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    pub(super) async fn mail(&mut self, path: ReversePath, parameters: MailParameters) -> Reply {
        let Some(helo) = &self.helo else {
            return bad_sequence("Send EHLO or HELO first");
        };
        if self.transaction.is_some() {
            return bad_sequence("Nested MAIL command");
        }
        if !helo.extended && parameters != MailParameters::default() {
            return Reply::new(555, Status::new(5, 5, 4), "Parameters need EHLO");
        }
        if self.settings.role == Role::Submission && self.user.is_none() {
            return Reply::new(530, Status::new(5, 7, 0), "Authentication required");
        }
        if let ReversePath::Mailbox(mailbox) = &path
            && !mailbox.is_ascii()
            && !parameters.smtputf8
        {
            return utf8_not_permitted();
        }
        // RFC 1870 §6.1: refused at MAIL when the declared size is too big.
        if parameters
            .size
            .is_some_and(|size| size > self.settings.message_size)
        {
            return Reply::new(
                552,
                Status::new(5, 3, 4),
                "Message size exceeds fixed maximum message size",
            );
        }
        let mut owned = Vec::new();
        if let Some(user) = &self.user
            && self.settings.role == Role::Submission
        {
            let account = user.account;
            let directory = self.context.authenticator.directory();
            let Some(addresses) = blocking(directory, move |d| d.addresses_of(account)).await
            else {
                return local_error();
            };
            if let ReversePath::Mailbox(mailbox) = &path
                && !owns(&addresses, mailbox.as_str())
            {
                return sender_not_owned();
            }
            let per_hour = self.settings.smtp.submission_messages_per_hour;
            if !self.context.rate.allows(account, per_hour, Instant::now()) {
                // RFC 3463 4.7.1: not authorized now; the client retries later.
                return Reply::new(
                    451,
                    Status::new(4, 7, 1),
                    "Hourly message limit reached, try again later",
                );
            }
            owned = addresses;
        }
        let mail_from = match path {
            ReversePath::Null => EnvelopeSender::Null,
            ReversePath::Mailbox(mailbox) => EnvelopeSender::Address(mailbox.as_str().to_owned()),
        };
        self.transaction = Some(Transaction {
            mail_from,
            parameters,
            recipients: Vec::new(),
            owned,
            chunks: None,
        });
        Reply::new(250, Status::new(2, 1, 0), "Ok")
    }

    pub(super) async fn rcpt(&mut self, path: ForwardPath, parameters: RcptParameters) -> Reply {
        let Some(transaction) = &self.transaction else {
            return bad_sequence("Need MAIL command");
        };
        if transaction.chunks.is_some() {
            return bad_sequence("RCPT not allowed after BDAT");
        }
        let max = usize::try_from(self.settings.smtp.max_recipients).unwrap_or(usize::MAX);
        if transaction.recipients.len() >= max {
            // RFC 5321 §4.5.3.1.10: the client sends the rest in another transaction.
            return Reply::new(452, Status::new(4, 5, 3), "Too many recipients");
        }
        let smtputf8 = transaction.parameters.smtputf8;
        let address = match path {
            // RFC 5321 §4.5.1: Postmaster is always accepted.
            ForwardPath::Postmaster => format!("postmaster@{}", self.settings.hostname),
            ForwardPath::Mailbox(mailbox) => {
                if !mailbox.is_ascii() && !smtputf8 {
                    return utf8_not_permitted();
                }
                if let Err(refusal) = self.check_recipient(mailbox.as_str()).await {
                    return refusal;
                }
                mailbox.as_str().to_owned()
            }
        };
        let Some(transaction) = self.transaction.as_mut() else {
            return bad_sequence("Need MAIL command");
        };
        transaction.recipients.push(Recipient {
            address,
            orcpt: parameters.orcpt,
            notify: parameters.notify.unwrap_or_default(),
        });
        Reply::new(250, Status::new(2, 1, 5), "Ok")
    }

    /// Whether mail for `address` is accepted here, and if not, the reply.
    async fn check_recipient(&mut self, address: &str) -> Result<(), Reply> {
        if let Some(srs) = &self.context.srs
            && srs.reverse(address, unix_now()).is_some()
        {
            return Ok(());
        }
        let directory = self.context.authenticator.directory();
        let lookup = address.to_owned();
        let resolution = blocking(directory, move |d| match d.resolve_recipient(&lookup) {
            // Syntax the directory does not store (quoted local parts,
            // address literals): nobody local, on a local domain or not.
            Err(DirectoryError::InvalidAddress(_)) => {
                let domain = lookup.rsplit_once('@').map_or("", |(_, domain)| domain);
                match d.is_local_domain(domain) {
                    Ok(true) => Ok(Resolution::NoSuchUser),
                    Ok(false) | Err(DirectoryError::InvalidAddress(_)) => {
                        Ok(Resolution::DomainNotLocal)
                    }
                    Err(error) => Err(error),
                }
            }
            other => other,
        })
        .await
        .ok_or_else(local_error)?;
        let targets = match resolution {
            // DESIGN.md invariant 6: relay only for an authenticated client
            // (AUTH exists on submission only).
            Resolution::DomainNotLocal if self.user.is_some() => return Ok(()),
            Resolution::DomainNotLocal => {
                return Err(Reply::new(554, Status::new(5, 7, 1), "Relay access denied"));
            }
            Resolution::NoSuchUser => {
                return Err(Reply::new(550, Status::new(5, 1, 1), "No such user here"));
            }
            Resolution::Local(targets) => targets,
        };
        let enabled: Vec<_> = targets.into_iter().filter(|t| t.enabled).collect();
        if enabled.is_empty() {
            return Err(Reply::new(
                550,
                Status::new(5, 2, 1),
                "Mailbox disabled, not accepting messages",
            ));
        }
        // RFC 1870 §6.2: a declared SIZE that cannot fit is refused at RCPT.
        let declared = self
            .transaction
            .as_ref()
            .and_then(|t| t.parameters.size)
            .unwrap_or(0);
        for target in &enabled {
            if !self.over_quota(target.account, declared).await? {
                return Ok(());
            }
        }
        Err(Reply::new(
            452,
            Status::new(4, 2, 2),
            "Mailbox full, try again later",
        ))
    }

    /// Whether the account's quota is used up, or too short for `declared`
    /// more octets, even once delivery has purged Trash to make room.
    async fn over_quota(&mut self, account: AccountId, declared: u64) -> Result<bool, Reply> {
        let directory = self.context.authenticator.directory();
        let user = blocking(directory, move |d| d.user_by_id(account))
            .await
            .ok_or_else(local_error)?;
        let Some(quota) = user.and_then(|user| user.quota_bytes) else {
            return Ok(false);
        };
        let store = &self.context.store;
        let used = match store.quota_usage(account).await {
            Ok(usage) => reclaimable_bytes(store, account)
                .await
                .map(|trash| usage.bytes.saturating_sub(trash)),
            Err(error) => Err(error),
        };
        match used {
            Ok(used) => Ok(used >= quota || used.saturating_add(declared) > quota),
            // No mailbox yet holds nothing: the first delivery creates it.
            Err(StoreError::NoAccount(_)) => Ok(false),
            Err(error) => {
                tracing::error!(%error, "quota lookup failed");
                Err(local_error())
            }
        }
    }
}

/// RFC 6409 §6.1 and RFC 3463 5.7.1: the sender is not the user's to use.
pub(super) fn sender_not_owned() -> Reply {
    Reply::new(
        553,
        Status::new(5, 7, 1),
        "Sender address rejected: not owned by the authenticated user",
    )
}

/// Seconds since the Unix epoch, for SRS time stamps.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
