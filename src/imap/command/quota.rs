//! The QUOTA extension (RFC 9208): one quota root per account, named `""`,
//! holding the STORAGE resource (in units of 1024 octets) when the admin
//! gave the user a quota. Without one the account has no quota root. The
//! limit is set with `postamt user quota`, never over IMAP (no SETQUOTA:
//! a user must not raise their own limit).

use tokio::io::{AsyncRead, AsyncWrite};

use crate::imap::parser::Mailbox;
use crate::imap::response::{Code, Data, QuotaResource};
use crate::imap::session::Session;
use crate::store::{AccountId, QuotaLimit};

use super::Reply;
use super::error::store_failure;

/// The name of the account's one quota root.
const ROOT: &str = "";

/// RFC 9208 §5.1: STORAGE counts units of 1024 octets.
const STORAGE_UNIT: u64 = 1024;

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// The user's storage quota in octets, as the directory holds it now (an
    /// admin may change it while the session lives).
    pub(crate) async fn quota_bytes(&self, account: AccountId) -> Result<Option<u64>, Reply> {
        let directory = std::sync::Arc::clone(self.context.authenticator.directory());
        match tokio::task::spawn_blocking(move || directory.user_by_id(account)).await {
            Ok(Ok(user)) => Ok(user.and_then(|u| u.quota_bytes)),
            Ok(Err(error)) => {
                tracing::warn!(%error, "cannot read the user's quota");
                Err(Reply::no(Some(Code::Unavailable), "quota unavailable"))
            }
            Err(error) => {
                tracing::warn!(%error, "quota lookup task failed");
                Err(Reply::no(Some(Code::ServerBug), "quota unavailable"))
            }
        }
    }

    /// The limit APPEND stores under.
    pub(crate) async fn quota_limit(&self, account: AccountId) -> Result<QuotaLimit, Reply> {
        Ok(QuotaLimit {
            max_bytes: self.quota_bytes(account).await?,
            max_messages: None,
        })
    }

    // RFC 9208 §4.3
    pub(crate) async fn get_quota_root(&mut self, mailbox: &Mailbox) -> Reply {
        let Some(account) = self.account() else {
            return Reply::bad("not authenticated");
        };
        let name = match self.mailbox_name(mailbox) {
            Ok(name) => name,
            Err(reply) => return reply,
        };
        if let Err(error) = self.context.store.mailbox(account, &name).await {
            return store_failure(&error);
        }
        let limit = match self.quota_bytes(account).await {
            Ok(limit) => limit,
            Err(reply) => return reply,
        };
        let roots = limit.map(|_| vec![ROOT.to_owned()]).unwrap_or_default();
        self.queue_data(Data::QuotaRoot {
            mailbox: name.as_str().to_owned(),
            roots,
        });
        if let Some(limit) = limit {
            return self.queue_quota(account, limit).await;
        }
        Reply::ok()
    }

    // RFC 9208 §4.2
    pub(crate) async fn get_quota(&mut self, root: &[u8]) -> Reply {
        let Some(account) = self.account() else {
            return Reply::bad("not authenticated");
        };
        let limit = match self.quota_bytes(account).await {
            Ok(limit) => limit,
            Err(reply) => return reply,
        };
        match limit {
            Some(limit) if root == ROOT.as_bytes() => self.queue_quota(account, limit).await,
            _ => Reply::no(Some(Code::NonExistent), "no such quota root"),
        }
    }

    async fn queue_quota(&mut self, account: AccountId, limit: u64) -> Reply {
        let usage = match self.context.store.quota_usage(account).await {
            Ok(usage) => usage,
            Err(error) => return store_failure(&error),
        };
        self.queue_data(Data::Quota {
            root: ROOT.to_owned(),
            resources: vec![QuotaResource {
                name: "STORAGE".to_owned(),
                usage: usage.bytes / STORAGE_UNIT,
                limit: limit / STORAGE_UNIT,
            }],
        });
        Reply::ok()
    }
}
