//! The TRANSACTION state (RFC 1939 §5, §7) and the UPDATE state its QUIT
//! enters (§6): STAT, LIST, UIDL, RETR, TOP, DELE, RSET, and committing the
//! deletions. Messages stream from the store through the dot-stuffer, a chunk
//! at a time: never a whole message in memory.
//!
//! RETR sets `\Seen` (`[pop3] retr_marks_seen`) as soon as it has written the
//! message, not at QUIT, as Dovecot does: it records that the mail was read,
//! which no RSET takes back, and clients that leave mail on the server often
//! drop the connection without QUIT. TOP never sets it (RFC 1939 gives TOP no
//! such effect; clients use it to preview).

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};

use super::{Ended, Session, State};
use crate::auth::AuthenticatedUser;
use crate::config::Pop3Deleted;
use crate::message::{Section, SectionSpec};
use crate::pop3::lock::MaildropLock;
use crate::pop3::maildrop::Maildrop;
use crate::pop3::parser::{Command, MessageNumber};
use crate::pop3::response::{self, Code};
use crate::pop3::stuffing::DotStuffer;
use crate::store::{
    AccountId, FlagOp, Flags, MailboxId, MailboxName, SpecialUse, Store, StoreError, SystemFlag,
    Uid,
};

/// How much of a message is read from the store at once.
const CHUNK: usize = 64 * 1024;

/// What of a message RETR or TOP sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    Message,
    /// The header, the blank line and this many body lines.
    Top {
        lines: u64,
    },
}

/// A logged-in session's hold on its maildrop.
pub(super) struct Transaction {
    pub(super) user: AuthenticatedUser,
    pub(super) maildrop: Maildrop,
    /// Released when the session ends, however it ends.
    _lock: MaildropLock,
}

impl Transaction {
    /// Snapshots INBOX: the maildrop is INBOX only (issue 5).
    pub(super) async fn open(
        store: &Store,
        user: AuthenticatedUser,
        lock: MaildropLock,
    ) -> Result<Self, StoreError> {
        let inbox = MailboxName::new("INBOX")?;
        let mailbox = store.mailbox(user.account, &inbox).await?.id;
        let snapshot = store.snapshot(user.account, mailbox).await?;
        Ok(Self {
            maildrop: Maildrop::new(mailbox, &snapshot),
            user,
            _lock: lock,
        })
    }
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    pub(super) async fn transaction(&mut self, command: Command) -> Result<(), Ended> {
        let State::Transaction(transaction) = &mut self.state else {
            return Ok(());
        };
        let maildrop = &mut transaction.maildrop;
        let answer = match command {
            Command::Stat => {
                let (count, size) = maildrop.stat();
                Ok(response::ok(&format!("{count} {size}")))
            }
            Command::List(Some(number)) => maildrop
                .get(number)
                .map(|m| response::ok(&format!("{number} {}", m.size))),
            Command::List(None) => {
                let (count, size) = maildrop.stat();
                let lines = maildrop.live().map(|(n, m)| format!("{n} {}", m.size));
                Ok(response::multiline(
                    &format!("{count} messages ({size} octets)"),
                    lines,
                ))
            }
            Command::Uidl(Some(number)) => maildrop
                .get(number)
                .map(|m| response::ok(&format!("{number} {}", maildrop.unique_id(m).as_str()))),
            Command::Uidl(None) => {
                let lines = maildrop
                    .live()
                    .map(|(n, m)| format!("{n} {}", maildrop.unique_id(m).as_str()));
                Ok(response::multiline("Unique-id listing follows", lines))
            }
            Command::Dele(number) => maildrop
                .delete(number)
                .map(|()| response::ok(&format!("Message {number} deleted"))),
            Command::Rset => {
                maildrop.reset();
                let (count, size) = maildrop.stat();
                Ok(response::ok(&format!(
                    "Maildrop has {count} messages ({size} octets)"
                )))
            }
            Command::Retr(number) => return self.send_message(number, Sent::Message).await,
            Command::Top(number, lines) => {
                return self.send_message(number, Sent::Top { lines }).await;
            }
            Command::User(_) | Command::Pass(_) | Command::Auth { .. } | Command::Apop => {
                self.fail(None, "Already logged in");
                return Ok(());
            }
            Command::Stls => {
                self.fail(None, "STLS is allowed only before login");
                return Ok(());
            }
            Command::Noop => Ok(response::ok("")),
            // Answered for every state before the state is looked at.
            Command::Capa | Command::Quit => return Ok(()),
        };
        match answer {
            Ok(bytes) => self.succeed(bytes),
            Err(error) => self.fail(None, &error.to_string()),
        }
        Ok(())
    }

    /// RETR and TOP (RFC 1939 §5, §7): `+OK`, the message through `stuffer`,
    /// and the terminator. A store failure after `+OK` cannot be told to the
    /// client any more, so it ends the session (without UPDATE).
    async fn send_message(&mut self, number: MessageNumber, sent: Sent) -> Result<(), Ended> {
        let State::Transaction(transaction) = &self.state else {
            return Ok(());
        };
        let message = match transaction.maildrop.get(number) {
            Ok(message) => *message,
            Err(error) => {
                self.fail(None, &error.to_string());
                return Ok(());
            }
        };
        let account = transaction.user.account;
        let mailbox = transaction.maildrop.mailbox;
        let whole = Section {
            path: Vec::new(),
            spec: SectionSpec::Full,
        };
        let opened = self
            .context
            .store
            .open_message(account, mailbox, message.uid, whole, None)
            .await;
        let mut stream = match opened {
            Ok(stream) => stream,
            Err(StoreError::NoMessage) => {
                self.fail(
                    None,
                    &format!("Message {number} was removed by another session"),
                );
                return Ok(());
            }
            Err(error) => {
                tracing::error!(%error, uid = message.uid.0, "cannot open a message");
                self.fail(
                    Some(Code::SysTemp),
                    "Cannot read the message, try again later",
                );
                return Ok(());
            }
        };
        let (status, mut stuffer) = match sent {
            Sent::Message => (format!("{} octets", message.size), DotStuffer::whole()),
            Sent::Top { lines } => ("Top of message follows".to_owned(), DotStuffer::top(lines)),
        };
        self.succeed(response::ok(&status));
        let mut chunk = vec![0u8; CHUNK];
        while !stuffer.is_done() {
            let n = match stream.read(&mut chunk).await {
                Ok(0) => break,
                Ok(n) => n,
                Err(error) => {
                    tracing::error!(%error, uid = message.uid.0, "message read failed mid-response");
                    return Err(Ended::Closed);
                }
            };
            stuffer.encode(chunk.get(..n).unwrap_or_default(), self.client.output());
            if self.client.output().len() >= CHUNK {
                self.flush().await?;
            }
        }
        stuffer.finish(self.client.output());
        if sent == Sent::Message && self.settings.pop3.retr_marks_seen && !message.seen {
            // After the octets are on their way, so a message the client never
            // got is not shown as read.
            self.flush().await?;
            self.mark_seen(account, mailbox, message.uid).await;
        }
        Ok(())
    }

    async fn mark_seen(&mut self, account: AccountId, mailbox: MailboxId, uid: Uid) {
        let seen = Flags::new().with(SystemFlag::Seen);
        let stored = self
            .context
            .store
            .store_flags(account, mailbox, vec![uid], FlagOp::Add, seen, None)
            .await;
        match stored {
            Ok(_) => {
                if let State::Transaction(transaction) = &mut self.state {
                    transaction.maildrop.mark_seen(uid);
                }
            }
            Err(error) => tracing::warn!(%error, uid = uid.0, "cannot set \\Seen after RETR"),
        }
    }

    /// The UPDATE state (RFC 1939 §6): the messages marked deleted go to
    /// Trash or are expunged (`[pop3] deleted`); the lock goes with `transaction`.
    pub(super) async fn update(&mut self, transaction: Transaction) -> Result<(), Ended> {
        let marked = transaction.maildrop.marked();
        if marked.is_empty() {
            self.succeed(response::ok("postamt signing off"));
            return Ok(());
        }
        let account = transaction.user.account;
        let mailbox = transaction.maildrop.mailbox;
        let count = marked.len();
        let store = &self.context.store;
        let committed = match self.settings.pop3.deleted {
            Pop3Deleted::Trash => match trash(store, account).await {
                Ok(trash) => store
                    .move_messages(account, mailbox, marked, &trash)
                    .await
                    .map(|_| ()),
                Err(error) => Err(error),
            },
            Pop3Deleted::Expunge => {
                let deleted = Flags::new().with(SystemFlag::Deleted);
                match store
                    .store_flags(account, mailbox, marked.clone(), FlagOp::Add, deleted, None)
                    .await
                {
                    Ok(_) => store
                        .expunge(account, mailbox, Some(marked))
                        .await
                        .map(|_| ()),
                    Err(error) => Err(error),
                }
            }
        };
        match committed {
            Ok(()) => {
                tracing::info!(messages = count, "POP3 deletions committed");
                self.succeed(response::ok(&format!(
                    "postamt signing off, {count} messages deleted"
                )));
            }
            Err(error) => {
                tracing::error!(%error, "POP3 deletions not committed");
                // RFC 2449 §8: [SYS/TEMP] on a QUIT that could not remove them.
                self.fail(
                    Some(Code::SysTemp),
                    "Deleted messages were not removed, try again later",
                );
            }
        }
        Ok(())
    }
}

/// The account's Trash: the special-use mailbox, by name if none is marked.
async fn trash(store: &Store, account: AccountId) -> Result<MailboxName, StoreError> {
    let mailboxes = store.list_mailboxes(account).await?;
    match mailboxes
        .into_iter()
        .find(|m| m.special_use == Some(SpecialUse::Trash))
    {
        Some(mailbox) => Ok(mailbox.name),
        None => Ok(MailboxName::new("Trash")?),
    }
}
