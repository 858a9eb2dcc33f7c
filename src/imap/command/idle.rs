//! IDLE (RFC 2177, RFC 9051 §6.3.13): `+ idling`, then other sessions'
//! changes as they happen (the store's change feed wakes the session at
//! once), until the client sends DONE. IDLE outlasts the autologout timer
//! up to [`MIN_IDLE_BOUND`] (RFC 2177 §3).

use std::io;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Instant;

use crate::imap::parser::is_idle_done;
use crate::imap::response::{Code, Condition, Response, Status};
use crate::imap::session::{IdleWake, Input, MIN_IDLE_BOUND, Session};

use super::Reply;

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    pub(crate) async fn idle(&mut self) -> io::Result<Reply> {
        self.queue(Response::Continue("idling".into()));
        self.report_changes(true).await;
        self.flush().await?;
        let deadline = Instant::now() + self.settings.idle_timeout.max(MIN_IDLE_BOUND);
        loop {
            match self.framer.next_line() {
                Some(Ok(line)) if is_idle_done(&line) => return Ok(Reply::ok()),
                Some(Ok(_)) => return Ok(Reply::bad("expected DONE")),
                Some(Err(error)) => return Ok(Reply::bad(error.to_string())),
                None => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.idle_wait(left).await {
                IdleWake::Input => {}
                IdleWake::Changed => {
                    // The wake consumed the change mark: look regardless.
                    self.resync = true;
                    self.report_changes(true).await;
                    self.flush().await?;
                }
                IdleWake::Ended(Input::TimedOut) => {
                    return self.end_idle(None, "Autologout; idle for too long").await;
                }
                IdleWake::Ended(Input::Shutdown) => {
                    return self
                        .end_idle(Some(Code::Unavailable), "Server shutting down")
                        .await;
                }
                IdleWake::Ended(Input::Closed | Input::Event(_)) => {
                    return Err(io::Error::new(io::ErrorKind::NotConnected, "client left"));
                }
            }
        }
    }

    async fn end_idle(&mut self, code: Option<Code>, text: &str) -> io::Result<Reply> {
        self.queue(Response::Status(Status::untagged(
            Condition::Bye,
            code,
            text,
        )));
        self.flush().await?;
        self.close().await;
        Ok(Reply::sent())
    }
}
