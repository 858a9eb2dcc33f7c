//! Getting from not authenticated to authenticated: STARTTLS (RFC 9051
//! §6.2.1), AUTHENTICATE with SASL-IR (§6.2.2, RFC 4959) and LOGIN
//! (§6.2.3). Every login goes through [`crate::auth::Authenticator`] (its
//! throttle and log line); the tagged OK carries the new capabilities,
//! where Thunderbird and mbsync read them.

use std::io;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::auth::{Credentials, Mechanism, Password, SaslError, SaslExchange, SaslStep};
use crate::imap::parser::{FrameError, Secret, Tag};
use crate::imap::response::{Code, Condition, Response, Status};
use crate::imap::session::{Input, Login, Session};
use crate::server::MaybeTls;

use super::Reply;
use super::error::auth_failure;

/// Where LOGIN and AUTHENTICATE are refused before TLS (RFC 9051 §6.2.3).
fn privacy_required() -> Reply {
    Reply::no(
        Some(Code::PrivacyRequired),
        "use STARTTLS or the TLS port before logging in",
    )
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    fn auth_allowed(&self) -> bool {
        self.stream.as_ref().is_some_and(MaybeTls::is_tls) || self.settings.plaintext_auth
    }

    // RFC 9051 §6.2.1
    pub(crate) async fn starttls(&mut self, tag: &Tag) -> io::Result<Reply> {
        let tls = self.stream.as_ref().is_some_and(MaybeTls::is_tls);
        if tls || self.settings.starttls.is_none() {
            return Ok(Reply::bad("STARTTLS is not available here"));
        }
        self.queue(Response::Status(Status::tagged(
            tag.as_str(),
            Condition::Ok,
            None,
            "Begin TLS negotiation now",
        )));
        self.flush().await?;
        if let Err(error) = self.upgrade_to_tls().await {
            tracing::info!(%error, "STARTTLS handshake failed");
            return Err(error);
        }
        Ok(Reply::sent())
    }

    // RFC 9051 §6.2.3
    pub(crate) async fn login_command(&mut self, username: &[u8], password: Secret) -> Reply {
        if !self.auth_allowed() {
            return privacy_required();
        }
        let (Ok(authcid), Ok(password)) = (
            String::from_utf8(username.to_vec()),
            String::from_utf8(password.0),
        ) else {
            return Reply::no(Some(Code::AuthenticationFailed), "invalid credentials");
        };
        self.log_in(Credentials {
            authcid,
            password: Password::new(password),
        })
        .await
    }

    // RFC 9051 §6.2.2 with the RFC 4959 initial response.
    pub(crate) async fn authenticate(
        &mut self,
        mechanism: &str,
        initial_response: Option<Secret>,
    ) -> io::Result<Reply> {
        if !self.auth_allowed() {
            return Ok(privacy_required());
        }
        let Ok(mechanism) = Mechanism::from_name(mechanism) else {
            return Ok(Reply::no(None, "unsupported authentication mechanism"));
        };
        let mut exchange = SaslExchange::new(mechanism);
        let mut step = exchange.start(initial_response.as_ref().map(|s| s.0.as_slice()));
        loop {
            match step {
                Ok(SaslStep::Done(credentials)) => return Ok(self.log_in(credentials).await),
                Ok(SaslStep::Challenge(challenge)) => {
                    let bytes = STANDARD.decode(challenge).unwrap_or_default();
                    self.queue(Response::Challenge(bytes));
                    self.flush().await?;
                }
                Err(error) => return Ok(sasl_failure(&error)),
            }
            let line = match self.next_line().await {
                Ok(Ok(line)) => line,
                Ok(Err(FrameError::LineTooLong { .. })) => {
                    return Ok(Reply::bad("authentication response too long"));
                }
                Ok(Err(error)) => return Ok(Reply::bad(error.to_string())),
                Err(Input::Event(_) | Input::Closed | Input::TimedOut | Input::Shutdown) => {
                    return Err(io::Error::new(io::ErrorKind::NotConnected, "client left"));
                }
            };
            step = exchange.respond(&line);
        }
    }

    /// Verifies credentials, takes a session slot, and moves to the
    /// authenticated state.
    async fn log_in(&mut self, credentials: Credentials) -> Reply {
        let authenticator = std::sync::Arc::clone(&self.context.authenticator);
        let user = match authenticator
            .authenticate(credentials, self.settings.peer.ip(), "imap")
            .await
        {
            Ok(user) => user,
            Err(failure) => return auth_failure(failure),
        };
        let Some(slot) = self.context.sessions.enter(user.account) else {
            return Reply::no(Some(Code::Limit), "too many sessions for this account");
        };
        tracing::Span::current().record("user", user.login.as_str());
        let changes = self.context.store.watch(user.account).await;
        self.login = Some(Login {
            user,
            changes,
            _slot: slot,
        });
        let caps = self.capabilities();
        Reply {
            text: "Logged in".to_owned(),
            ..Reply::ok_with(Code::Capability(caps))
        }
    }
}

/// How a failed SASL exchange is answered (see [`SaslError`]).
fn sasl_failure(error: &SaslError) -> Reply {
    match error {
        SaslError::Cancelled => Reply::bad("authentication cancelled"),
        SaslError::MalformedBase64 => Reply::bad("response is not valid base64"),
        SaslError::ResponseTooLong { .. } => Reply {
            code: Some(Code::TooBig),
            ..Reply::bad(error.to_string())
        },
        SaslError::AuthorizationRefused => {
            Reply::no(Some(Code::AuthorizationFailed), error.to_string())
        }
        SaslError::UnsupportedMechanism(_) => {
            Reply::no(None, "unsupported authentication mechanism")
        }
        SaslError::MalformedPlain | SaslError::MalformedLogin | SaslError::Finished => {
            Reply::no(Some(Code::AuthenticationFailed), "invalid credentials")
        }
    }
}
