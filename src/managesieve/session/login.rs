//! STARTTLS (RFC 5804 §2.2), AUTHENTICATE (§2.1, SASL through
//! `crate::auth::sasl` and the shared [`crate::auth::Authenticator`]) and
//! UNAUTHENTICATE (§2.14).

use tokio::io::{AsyncRead, AsyncWrite};

use super::super::parser::Token;
use super::super::response::{self, Code};
use super::Session;
use super::io::{CommandRead, Ended};
use crate::auth::{AuthFailure, Mechanism, SaslError, SaslExchange, SaslStep};

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// After the handshake the capabilities are sent again, then OK (§2.2).
    pub(super) async fn starttls(&mut self) -> Result<(), Ended> {
        if self.settings.starttls.is_none() || self.is_tls() {
            self.fail(None, "STARTTLS is not available");
            return Ok(());
        }
        if self.user.is_some() {
            self.fail(None, "STARTTLS only before AUTHENTICATE");
            return Ok(());
        }
        self.succeed(response::ok(None, "Begin TLS negotiation now"));
        self.flush().await?;
        self.client.upgrade_to_tls().await?;
        self.queue_capabilities();
        self.queue(response::ok(None, "TLS negotiation successful"));
        Ok(())
    }

    pub(super) async fn authenticate(
        &mut self,
        mechanism: &str,
        initial_response: Option<Vec<u8>>,
    ) -> Result<(), Ended> {
        if self.user.is_some() {
            self.fail(None, "Already authenticated");
            return Ok(());
        }
        if !self.auth_allowed() {
            self.fail(Some(&Code::EncryptNeeded), "Use STARTTLS first");
            return Ok(());
        }
        let mechanism = match Mechanism::from_name(mechanism) {
            Ok(mechanism) => mechanism,
            Err(error) => {
                self.fail(None, &error.to_string());
                return Ok(());
            }
        };
        let mut exchange = SaslExchange::new(mechanism);
        // An empty string is an empty initial response (SASL's "=").
        let initial = initial_response.map(|r| if r.is_empty() { b"=".to_vec() } else { r });
        let mut step = exchange.start(initial.as_deref());
        let credentials = loop {
            match step {
                Ok(SaslStep::Done(credentials)) => break credentials,
                Ok(SaslStep::Challenge(challenge)) => {
                    // A challenge is a string on its own line (§2.1).
                    self.queue(response::strings_line(&[challenge.as_bytes()]));
                    self.flush().await?;
                    step = match self.read_command().await? {
                        CommandRead::Tokens(tokens) => match tokens.as_slice() {
                            [Token::String(answer)] if answer.as_slice() == b"*" => {
                                Err(SaslError::Cancelled)
                            }
                            [Token::String(answer)] => exchange.respond(answer),
                            _ => Err(SaslError::MalformedBase64),
                        },
                        CommandRead::TooLong | CommandRead::Invalid(_) => {
                            Err(SaslError::MalformedBase64)
                        }
                    };
                }
                Err(error) => {
                    self.fail(None, &error.to_string());
                    return Ok(());
                }
            }
        };
        let peer = self.settings.peer.ip();
        match self
            .context
            .authenticator
            .authenticate(credentials, peer, "managesieve")
            .await
        {
            Ok(user) => {
                tracing::Span::current().record("user", user.login.as_str());
                self.user = Some(user);
                self.succeed(response::ok(None, "Logged in"));
            }
            Err(AuthFailure::TemporarilyUnavailable) => {
                self.fail(
                    Some(&Code::TryLater),
                    "Authentication unavailable, try later",
                );
            }
            Err(AuthFailure::InvalidCredentials | AuthFailure::AccountDisabled) => {
                self.fail(None, "Authentication failed");
            }
        }
        Ok(())
    }

    pub(super) fn unauthenticate(&mut self) {
        if self.user.take().is_some() {
            self.succeed(response::ok(None, "Unauthenticate completed"));
        } else {
            self.fail(None, "Not authenticated");
        }
    }
}
