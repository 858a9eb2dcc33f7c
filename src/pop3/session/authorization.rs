//! The AUTHORIZATION state (RFC 1939 §4): STLS (RFC 2595 §4), USER and PASS
//! (RFC 1939 §7), AUTH (RFC 5034), and the login that opens the maildrop.
//!
//! Passwords are accepted only over TLS or on configured loopback. Every
//! check of credentials goes through `Authenticator::authenticate`, so the
//! shared throttle and the fail2ban log line apply to POP3 as to IMAP.

use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite};

use super::transaction::Transaction;
use super::{Ended, Session, State};
use crate::auth::sasl::{DEFAULT_MAX_RESPONSE_LEN, advertised_mechanisms};
use crate::auth::{AuthFailure, Credentials, Mechanism, SaslError, SaslExchange, SaslStep};
use crate::pop3::lock::LockRefused;
use crate::pop3::parser::Command;
use crate::pop3::response::{self, Code};

const PLAINTEXT_REFUSED: &str =
    "Plaintext authentication is not allowed without TLS; use STLS first";

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    pub(super) async fn authorization(&mut self, command: Command) -> Result<(), Ended> {
        match command {
            Command::Stls => self.stls().await,
            Command::User(name) => {
                self.user(name);
                Ok(())
            }
            Command::Pass(password) => {
                let State::Authorization { user } = &mut self.state else {
                    return Ok(());
                };
                // RFC 1939 §7: PASS only right after a successful USER; a
                // failed PASS starts over at USER.
                let Some(authcid) = user.take() else {
                    self.fail(None, "Send USER first");
                    return Ok(());
                };
                if !self.auth_allowed() {
                    self.fail(Some(Code::Auth), PLAINTEXT_REFUSED);
                    return Ok(());
                }
                self.login(Credentials { authcid, password }).await
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(mechanism, initial_response).await,
            Command::Apop => {
                // APOP needs a plaintext-equivalent secret per user; only hashes are stored.
                self.fail(
                    None,
                    "APOP is not supported; use USER/PASS or AUTH over TLS",
                );
                Ok(())
            }
            _ => {
                self.fail(None, "Not allowed before login");
                Ok(())
            }
        }
    }

    /// STLS (RFC 2595 §4): only on a STARTTLS listener, before TLS and login.
    async fn stls(&mut self) -> Result<(), Ended> {
        let tls = self.client.is_tls();
        if tls || self.settings.starttls.is_none() {
            let text = if tls {
                "Already using TLS"
            } else {
                "STLS is not offered on this port"
            };
            self.fail(None, text);
            return Ok(());
        }
        self.succeed(response::ok("Begin TLS negotiation"));
        self.flush().await?;
        self.client.upgrade_to_tls().await?;
        // Nothing learned over plaintext carries over (RFC 2595 §4).
        self.state = State::Authorization { user: None };
        Ok(())
    }

    /// USER (RFC 1939 §7). Always `+OK`: whether the user exists is told at
    /// PASS only, so USER cannot be used to probe for accounts.
    fn user(&mut self, name: String) {
        if !self.auth_allowed() {
            self.fail(Some(Code::Auth), PLAINTEXT_REFUSED);
            return;
        }
        self.state = State::Authorization { user: Some(name) };
        self.succeed(response::ok("Send PASS"));
    }

    /// AUTH (RFC 5034 §4). Without a mechanism it lists them, as Dovecot and
    /// older Outlook versions expect.
    async fn auth(
        &mut self,
        mechanism: Option<String>,
        initial_response: Option<Vec<u8>>,
    ) -> Result<(), Ended> {
        self.state = State::Authorization { user: None };
        if !self.auth_allowed() {
            self.fail(Some(Code::Auth), PLAINTEXT_REFUSED);
            return Ok(());
        }
        let Some(mechanism) = mechanism else {
            let names = advertised_mechanisms().iter().map(|m| m.name());
            self.succeed(response::multiline("Mechanisms follow", names));
            return Ok(());
        };
        let mechanism = match Mechanism::from_name(&mechanism) {
            Ok(mechanism) => mechanism,
            Err(error) => {
                self.fail(None, &error.to_string());
                return Ok(());
            }
        };
        let mut exchange = SaslExchange::new(mechanism);
        let mut step = exchange.start(initial_response.as_deref());
        loop {
            match step {
                Ok(SaslStep::Done(credentials)) => return self.login(credentials).await,
                Ok(SaslStep::Challenge(challenge)) => {
                    self.queue(response::challenge(&challenge));
                    self.flush().await?;
                    // Base64 of the longest response, and its CRLF.
                    match self.client.read_line(DEFAULT_MAX_RESPONSE_LEN + 2).await? {
                        Some(line) => step = exchange.respond(&line),
                        None => {
                            step = Err(SaslError::ResponseTooLong {
                                limit: DEFAULT_MAX_RESPONSE_LEN,
                            })
                        }
                    }
                }
                Err(error) => {
                    let code = match error {
                        SaslError::MalformedPlain
                        | SaslError::MalformedLogin
                        | SaslError::AuthorizationRefused => Some(Code::Auth),
                        _ => None,
                    };
                    self.fail(code, &error.to_string());
                    return Ok(());
                }
            }
        }
    }

    /// Checks the credentials, takes the maildrop lock and opens INBOX.
    async fn login(&mut self, credentials: Credentials) -> Result<(), Ended> {
        let peer = self.settings.peer.ip();
        let authenticated = self
            .context
            .authenticator
            .authenticate(credentials, peer, "pop3")
            .await;
        let user = match authenticated {
            Ok(user) => user,
            Err(AuthFailure::InvalidCredentials | AuthFailure::AccountDisabled) => {
                self.fail(Some(Code::Auth), "Authentication failed");
                return Ok(());
            }
            Err(AuthFailure::TemporarilyUnavailable) => {
                self.fail(
                    Some(Code::SysTemp),
                    "Authentication is unavailable, try again later",
                );
                return Ok(());
            }
        };
        let delay = self.settings.pop3.login_delay.duration();
        let lock = match self
            .context
            .maildrops
            .lock(user.account, delay, Instant::now())
        {
            Ok(lock) => lock,
            Err(refused) => {
                let code = match refused {
                    LockRefused::InUse => Code::InUse,
                    LockRefused::LoginDelay(_) => Code::LoginDelay,
                };
                self.fail(Some(code), &refused.to_string());
                return Ok(());
            }
        };
        let transaction = match Transaction::open(&self.context.store, user, lock).await {
            Ok(transaction) => transaction,
            Err(error) => {
                tracing::error!(%error, "cannot open the maildrop");
                self.fail(
                    Some(Code::SysTemp),
                    "Cannot open the maildrop, try again later",
                );
                return Ok(());
            }
        };
        tracing::Span::current().record("user", transaction.user.login.as_str());
        let (count, size) = transaction.maildrop.stat();
        self.state = State::Transaction(Box::new(transaction));
        self.succeed(response::ok(&format!(
            "Logged in; maildrop has {count} messages ({size} octets)"
        )));
        Ok(())
    }
}
