//! LIST (RFC 9051 §6.3.9 with RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE and RFC 5819
//! LIST-STATUS), LSUB (RFC 3501 §6.3.9) and STATUS (RFC 9051 §6.3.11): the account's mailboxes
//! and subscriptions through `mailbox_list`, which decides names, attributes and order.

use tokio::io::{AsyncRead, AsyncWrite};

use crate::imap::mailbox_list::{self, is_selectable, requested_status, status_items};
use crate::imap::parser::{ListArgs, Mailbox, StatusItem};
use crate::imap::response::{self, Data};
use crate::imap::session::Session;
use crate::store::{AccountId, MailboxInfo, MailboxName};

use super::Reply;
use super::error::store_failure;
use super::names::list_failure;

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// The account's mailboxes and subscriptions, or the NO for a store failure.
    async fn mailboxes_and_subscriptions(
        &self,
        account: AccountId,
    ) -> Result<(Vec<MailboxInfo>, Vec<MailboxName>), Reply> {
        let store = &self.context.store;
        let mailboxes = store
            .list_mailboxes(account)
            .await
            .map_err(|e| store_failure(&e))?;
        let subscriptions = store
            .subscriptions(account)
            .await
            .map_err(|e| store_failure(&e))?;
        Ok((mailboxes, subscriptions))
    }

    // RFC 9051 §6.3.9, RFC 5258 §3, RFC 5819 §2
    pub(crate) async fn list(&mut self, args: &ListArgs) -> Reply {
        let Some(account) = self.account() else {
            return Reply::bad("not authenticated");
        };
        let (mailboxes, subscriptions) = match self.mailboxes_and_subscriptions(account).await {
            Ok(both) => both,
            Err(reply) => return reply,
        };
        let entries = match mailbox_list::list(&mailboxes, &subscriptions, args, self.name_mode()) {
            Ok(entries) => entries,
            Err(error) => return list_failure(&error),
        };
        let status = requested_status(args);
        for entry in entries {
            let status_line = status
                .filter(|_| is_selectable(&entry))
                .and_then(|items| self.status_data(&mailboxes, &entry.name, items));
            self.queue_data(Data::List(entry));
            if let Some(line) = status_line {
                self.queue_data(line);
            }
        }
        Reply::ok()
    }

    // RFC 3501 §6.3.9
    pub(crate) async fn lsub(&mut self, reference: &[u8], pattern: &[u8]) -> Reply {
        let Some(account) = self.account() else {
            return Reply::bad("not authenticated");
        };
        let (mailboxes, subscriptions) = match self.mailboxes_and_subscriptions(account).await {
            Ok(both) => both,
            Err(reply) => return reply,
        };
        match mailbox_list::lsub(
            &mailboxes,
            &subscriptions,
            reference,
            pattern,
            self.name_mode(),
        ) {
            Ok(entries) => {
                for entry in entries {
                    self.queue_data(Data::Lsub(entry));
                }
                Reply::ok()
            }
            Err(error) => list_failure(&error),
        }
    }

    // RFC 9051 §6.3.11
    pub(crate) async fn status(&mut self, mailbox: &Mailbox, items: &[StatusItem]) -> Reply {
        // RFC 7162 §3.1: STATUS with HIGHESTMODSEQ is a CONDSTORE enabling command.
        if items.contains(&StatusItem::HighestModSeq) {
            self.enable_condstore();
        }
        let name = match self.mailbox_name(mailbox) {
            Ok(name) => name,
            Err(reply) => return reply,
        };
        let Some(account) = self.account() else {
            return Reply::bad("not authenticated");
        };
        match self.context.store.mailbox(account, &name).await {
            Ok(info) => {
                let line = self.status_data(&[info], name.as_str(), items);
                if let Some(line) = line {
                    self.queue_data(line);
                }
                Reply::ok()
            }
            Err(error) => store_failure(&error),
        }
    }

    /// The STATUS response for the mailbox called `name` among `mailboxes`. RECENT is an
    /// IMAP4rev1 item: an IMAP4rev2 session never gets it (RFC 9051 Appendix E).
    fn status_data(
        &self,
        mailboxes: &[MailboxInfo],
        name: &str,
        items: &[StatusItem],
    ) -> Option<Data<'static>> {
        let info = mailboxes.iter().find(|info| info.name.as_str() == name)?;
        let mut answered = status_items(info, items);
        if self.enabled.rev2 {
            answered.retain(|item| !matches!(item, response::StatusItem::Recent(_)));
        }
        Some(Data::MailboxStatus {
            mailbox: name.to_owned(),
            items: answered,
        })
    }
}
