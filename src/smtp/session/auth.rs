//! AUTH (RFC 4954) on submission: the SASL exchange of `crate::auth::sasl`
//! framed as `334` challenges and client lines, checked by the
//! [`crate::auth::Authenticator`]. Only over TLS, or plaintext from loopback
//! when configured (DESIGN.md invariant 6).

use tokio::io::{AsyncRead, AsyncWrite};

use super::io::Line;
use super::{MAX_AUTH_LINE, Role, Session, Step, bad_sequence};
use crate::auth::AuthFailure;
use crate::auth::sasl::{Mechanism, SaslError, SaslExchange, SaslStep};
use crate::smtp::parser::InitialResponse;
use crate::smtp::reply::{Reply, Status};

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    pub(super) async fn auth(
        &mut self,
        mechanism: &str,
        initial_response: Option<InitialResponse>,
    ) -> Step {
        if self.settings.role == Role::Inbound {
            return Step::Reply(Reply::new(
                502,
                Status::new(5, 5, 1),
                "AUTH not available on this port",
            ));
        }
        if !self.helo.as_ref().is_some_and(|helo| helo.extended) {
            return Step::Reply(bad_sequence("Send EHLO first"));
        }
        if self.user.is_some() {
            return Step::Reply(bad_sequence("Already authenticated"));
        }
        if self.transaction.is_some() {
            return Step::Reply(bad_sequence("AUTH not allowed during a mail transaction"));
        }
        if !self.auth_offered() {
            // RFC 4954 §6: the mechanism needs an encrypted channel.
            return Step::Reply(Reply::new(
                538,
                Status::new(5, 7, 11),
                "Encryption required for requested authentication mechanism",
            ));
        }
        let mechanism = match Mechanism::from_name(mechanism) {
            Ok(mechanism) => mechanism,
            Err(error) => return Step::Reply(sasl_error(&error)),
        };
        let mut exchange = SaslExchange::new(mechanism).with_max_response_len(MAX_AUTH_LINE);
        let mut step = exchange.start(initial_response.as_ref().map(|r| r.0.as_slice()));
        let credentials = loop {
            match step {
                Err(error) => return Step::Reply(sasl_error(&error)),
                Ok(SaslStep::Done(credentials)) => break credentials,
                Ok(SaslStep::Challenge(challenge)) => {
                    self.io.queue(&Reply::plain(334, &challenge));
                    step = match self.io.read_line(MAX_AUTH_LINE).await {
                        Err(end) => return Step::End(end),
                        Ok(Line::TooLong) => Err(SaslError::ResponseTooLong {
                            limit: MAX_AUTH_LINE,
                        }),
                        Ok(Line::Complete(line)) => exchange.respond(&line),
                    };
                }
            }
        };
        let peer = self.settings.peer.ip();
        match self
            .context
            .authenticator
            .authenticate(credentials, peer, "smtp")
            .await
        {
            Ok(user) => {
                tracing::Span::current().record("user", user.login.as_str());
                self.user = Some(user);
                Step::Reply(Reply::new(
                    235,
                    Status::new(2, 7, 0),
                    "Authentication successful",
                ))
            }
            Err(AuthFailure::InvalidCredentials | AuthFailure::AccountDisabled) => {
                Step::Reply(invalid_credentials())
            }
            Err(AuthFailure::TemporarilyUnavailable) => Step::Reply(Reply::new(
                454,
                Status::new(4, 7, 0),
                "Temporary authentication failure",
            )),
        }
    }
}

/// RFC 4954 §6: `535 5.7.8`.
fn invalid_credentials() -> Reply {
    Reply::new(
        535,
        Status::new(5, 7, 8),
        "Authentication credentials invalid",
    )
}

/// The replies RFC 4954 §4 and §6 give for a failed exchange.
fn sasl_error(error: &SaslError) -> Reply {
    match error {
        SaslError::UnsupportedMechanism(_) => Reply::new(
            504,
            Status::new(5, 5, 4),
            "Unrecognized authentication type",
        ),
        SaslError::Cancelled => Reply::new(501, Status::new(5, 0, 0), "Authentication cancelled"),
        SaslError::MalformedBase64 => {
            Reply::new(501, Status::new(5, 5, 2), "Cannot decode response")
        }
        SaslError::MalformedPlain | SaslError::MalformedLogin | SaslError::AuthorizationRefused => {
            invalid_credentials()
        }
        SaslError::ResponseTooLong { .. } => Reply::new(
            500,
            Status::new(5, 5, 6),
            "Authentication exchange line is too long",
        ),
        SaslError::Finished => Reply::new(
            454,
            Status::new(4, 7, 0),
            "Temporary authentication failure",
        ),
    }
}
