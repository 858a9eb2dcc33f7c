//! Mailbox management: CREATE with USE (RFC 9051 §6.3.4, RFC 6154 §5.3),
//! DELETE (§6.3.5; the store deletes children and their messages), RENAME
//! (§6.3.6, with children), SUBSCRIBE and UNSUBSCRIBE (§6.3.7, §6.3.8).
//! The special folders are protected by the store (NO [CANNOT]).

use tokio::io::{AsyncRead, AsyncWrite};

use crate::imap::parser::{Mailbox, UseAttr};
use crate::imap::response::Code;
use crate::imap::session::Session;

use super::Reply;
use super::error::store_failure;

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    pub(crate) fn account(&self) -> Option<crate::store::AccountId> {
        self.login.as_ref().map(|l| l.user.account)
    }

    // RFC 9051 §6.3.4
    pub(crate) async fn create(&mut self, mailbox: &Mailbox, use_attrs: &[UseAttr]) -> Reply {
        let name = match self.mailbox_name(mailbox) {
            Ok(name) => name,
            Err(reply) => return reply,
        };
        if name.is_inbox() {
            return Reply::no(Some(Code::AlreadyExists), "INBOX always exists");
        }
        // RFC 6154 §3: a special use postamt does not know creates nothing.
        let mut special_use = Vec::with_capacity(use_attrs.len());
        for attr in use_attrs {
            match attr {
                UseAttr::Supported(known) => special_use.push(*known),
                UseAttr::Unsupported(name) => {
                    return Reply::no(
                        Some(Code::UseAttr),
                        format!("unsupported special use {name}"),
                    );
                }
            }
        }
        // The store keeps one special use per mailbox (RFC 6154 §5.3 USEATTR).
        let special_use = match special_use.as_slice() {
            [] => None,
            [one] => Some(*one),
            _ => return Reply::no(Some(Code::UseAttr), "one special use per mailbox"),
        };
        let Some(account) = self.account() else {
            return Reply::bad("not authenticated");
        };
        match self
            .context
            .store
            .create_mailbox(account, &name, special_use)
            .await
        {
            Ok(_) => Reply::ok(),
            Err(error) => store_failure(&error),
        }
    }

    // RFC 9051 §6.3.5
    pub(crate) async fn delete(&mut self, mailbox: &Mailbox) -> Reply {
        let name = match self.mailbox_name(mailbox) {
            Ok(name) => name,
            Err(reply) => return reply,
        };
        let Some(account) = self.account() else {
            return Reply::bad("not authenticated");
        };
        match self.context.store.delete_mailbox(account, &name).await {
            Ok(()) => {
                // The selected mailbox (or an ancestor) is gone: nothing to
                // report from it any more (RFC 9051 §6.3.5 leaves it open).
                if self
                    .selected
                    .as_ref()
                    .is_some_and(|v| v.name == name || v.name.is_below(&name))
                {
                    self.selected = None;
                }
                Reply::ok()
            }
            Err(error) => store_failure(&error),
        }
    }

    // RFC 9051 §6.3.6
    pub(crate) async fn rename(&mut self, from: &Mailbox, to: &Mailbox) -> Reply {
        let (from, to) = match (self.mailbox_name(from), self.mailbox_name(to)) {
            (Ok(from), Ok(to)) => (from, to),
            (Err(reply), _) | (_, Err(reply)) => return reply,
        };
        let Some(account) = self.account() else {
            return Reply::bad("not authenticated");
        };
        match self.context.store.rename_mailbox(account, &from, &to).await {
            Ok(()) => {
                if let Some(view) = self.selected.as_mut()
                    && let Some(renamed) = view.name.reparent(&from, &to)
                {
                    view.name = renamed;
                }
                Reply::ok()
            }
            Err(error) => store_failure(&error),
        }
    }

    // RFC 9051 §6.3.7 and §6.3.8: the name need not exist.
    pub(crate) async fn subscribe(&mut self, mailbox: &Mailbox, subscribed: bool) -> Reply {
        let name = match self.mailbox_name(mailbox) {
            Ok(name) => name,
            Err(reply) => return reply,
        };
        let Some(account) = self.account() else {
            return Reply::bad("not authenticated");
        };
        match self
            .context
            .store
            .set_subscribed(account, &name, subscribed)
            .await
        {
            Ok(()) => Reply::ok(),
            Err(error) => store_failure(&error),
        }
    }
}
