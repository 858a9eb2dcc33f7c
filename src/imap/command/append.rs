//! APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502): each message is
//! streamed into a staged file, never held in memory, and all are appended
//! in one store transaction before the tagged OK [APPENDUID] (RFC 4315 §3).
//! A missing mailbox is refused with NO [TRYCREATE] before the continuation
//! request; a client that leaves mid-literal leaves nothing behind (the
//! staged files are dropped, which deletes them).

use std::io;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use crate::imap::parser::{AppendMessage, Event, FrameError, Mailbox};
use crate::imap::response::{Code, NumberSet, Response};
use crate::imap::session::{Input, Session};
use crate::store::{InternalDate, MessageSource, NewMessage, StoreError};

use super::Reply;
use super::error::store_failure;
use super::store::to_store_flags;

fn client_gone() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "client left during APPEND")
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    // RFC 9051 §6.3.12, RFC 3502 §6.3.11
    pub(crate) async fn append(
        &mut self,
        mailbox: &Mailbox,
        first: AppendMessage,
    ) -> io::Result<Reply> {
        let name = match self.mailbox_name(mailbox) {
            Ok(name) => name,
            Err(reply) => {
                self.framer.refuse_message();
                return Ok(reply);
            }
        };
        let Some(account) = self.login.as_ref().map(|l| l.user.account) else {
            self.framer.refuse_message();
            return Ok(Reply::bad("not authenticated"));
        };
        match self.context.store.mailbox(account, &name).await {
            Ok(_) => {}
            Err(StoreError::NoMailbox(_)) => {
                self.framer.refuse_message();
                return Ok(Reply::no(Some(Code::TryCreate), "no such mailbox"));
            }
            Err(error) => {
                self.framer.refuse_message();
                return Ok(store_failure(&error));
            }
        }
        let mut messages = Vec::new();
        let mut current = first;
        loop {
            let flags = match to_store_flags(&current.flags) {
                Ok(flags) => flags,
                Err(reply) => {
                    self.framer.refuse_message();
                    return Ok(reply);
                }
            };
            if current.synchronizing {
                self.queue(Response::Continue("Ready for literal data".into()));
                self.flush().await?;
            }
            let source = match self.receive_message(account).await? {
                Ok(source) => source,
                Err(reply) => return Ok(reply),
            };
            messages.push(NewMessage {
                source,
                flags,
                internal_date: current.date.map(|d| InternalDate(d.unix_seconds())),
                delivery_id: None,
            });
            match self.next_event().await {
                Input::Event(Event::AppendNext(next)) => current = next,
                Input::Event(Event::AppendEnd) => break,
                Input::Event(Event::Refused { error, .. }) => return Ok(frame_refusal(&error)),
                Input::Event(Event::Invalid(error)) => return Ok(Reply::bad(error.to_string())),
                Input::Event(_) => return Ok(Reply::bad("unexpected data after the message")),
                Input::Closed | Input::TimedOut | Input::Shutdown => return Err(client_gone()),
            }
        }
        let quota = match self.quota_limit(account).await {
            Ok(quota) => quota,
            Err(reply) => return Ok(reply),
        };
        match self
            .context
            .store
            .append(account, &name, messages, Some(quota))
            .await
        {
            Ok(result) => Ok(Reply::ok_with(Code::AppendUid {
                validity: result.uid_validity,
                uids: NumberSet::from_numbers(result.uids.iter().map(|u| u.0)),
            })),
            Err(StoreError::NoMailbox(_)) => {
                Ok(Reply::no(Some(Code::TryCreate), "no such mailbox"))
            }
            Err(error) => Ok(store_failure(&error)),
        }
    }

    /// Streams one message literal into a staged file. The outer `Err` is a
    /// vanished client; the inner one a refusal to answer with.
    async fn receive_message(
        &mut self,
        account: crate::store::AccountId,
    ) -> io::Result<Result<MessageSource, Reply>> {
        let mut writer = match self.context.store.stage(account).await {
            Ok(writer) => writer,
            Err(error) => {
                self.framer.abort_message();
                return Ok(Err(store_failure(&error)));
            }
        };
        let mut failed = None;
        loop {
            match self.next_event().await {
                Input::Event(Event::MessageData(data)) => {
                    if failed.is_none()
                        && let Err(error) = writer.write_all(&data).await
                    {
                        failed = Some(error);
                    }
                }
                Input::Event(Event::MessageEnd) => break,
                Input::Event(_) => return Ok(Err(Reply::bad("unexpected input in a message"))),
                Input::Closed | Input::TimedOut | Input::Shutdown => return Err(client_gone()),
            }
        }
        if let Some(error) = failed {
            tracing::error!(%error, "cannot stage an appended message");
            return Ok(Err(Reply::no(
                Some(Code::ServerBug),
                "cannot store the message",
            )));
        }
        match writer.finish().await {
            Ok(staged) => Ok(Ok(MessageSource::Staged(staged))),
            Err(error) => {
                tracing::error!(%error, "cannot stage an appended message");
                Ok(Err(Reply::no(
                    Some(Code::ServerBug),
                    "cannot store the message",
                )))
            }
        }
    }
}

/// A later message of a MULTIAPPEND refused by the framer (see the session's
/// mapping of [`FrameError`]).
fn frame_refusal(error: &FrameError) -> Reply {
    match error {
        FrameError::MessageTooLarge { .. } => Reply::no(Some(Code::TooBig), error.to_string()),
        _ => Reply {
            code: Some(Code::TooBig),
            ..Reply::bad(error.to_string())
        },
    }
}
