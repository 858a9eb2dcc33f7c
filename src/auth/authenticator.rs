//! The one entry point every protocol calls to log a user in: throttle,
//! verify on the blocking pool, refuse disabled accounts, record the outcome,
//! and log it.
//!
//! # The failure log line (for fail2ban)
//!
//! Every failed login is logged as one `WARN` event with the message
//! `authentication failed` and these fields, in this order:
//!
//! ```text
//! authentication failed protocol=imap ip=203.0.113.7 user="alice@example.org" reason=invalid-credentials
//! ```
//!
//! - `protocol`: `imap`, `pop3`, `smtp`, `managesieve` (as the caller names itself);
//! - `ip`: the client address, before anything the client wrote;
//! - `user`: the login as the client sent it, quoted and escaped (so a login
//!   cannot forge fields or lines), cut to 256 bytes;
//! - `reason`: `invalid-credentials` (wrong password), `unknown-user`, or
//!   `account-disabled` (right password, disabled account).
//!
//! A fail2ban filter can match
//! `authentication failed protocol=\S+ ip=<HOST> user=`.
//! When the directory itself fails, the line is an `ERROR` with the message
//! `authentication unavailable` instead, so a server fault never bans clients.
//! Passwords are never logged.

use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use thiserror::Error;
use tokio::sync::Semaphore;

use super::address::Address;
use super::directory::{Directory, LoginCheck};
use super::sasl::Credentials;
use super::throttle::{Throttle, ThrottleSettings};
use crate::store::AccountId;

/// The most bytes of a client-supplied login that go into a log line.
const MAX_LOGGED_LOGIN_LEN: usize = 256;

/// A user who proved their identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedUser {
    pub account: AccountId,
    /// The primary address (lowercased), whatever case the client used.
    pub login: Address,
}

/// Why a login was refused. Each maps to one protocol answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum AuthFailure {
    /// Unknown login or wrong password; clients are not told which.
    /// IMAP `NO [AUTHENTICATIONFAILED]` (RFC 5530), POP3 `-ERR [AUTH]`
    /// (RFC 3206), SMTP `535 5.7.8` (RFC 4954).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Right password, disabled account. IMAP `NO [CONTACTADMIN]`, POP3
    /// `-ERR [AUTH]`, SMTP `535 5.7.8` (or `525 5.7.13`, account disabled).
    #[error("account disabled")]
    AccountDisabled,
    /// The directory could not answer. IMAP `NO [UNAVAILABLE]`, POP3
    /// `-ERR [SYS/TEMP]`, SMTP `454 4.7.0`.
    #[error("authentication temporarily unavailable")]
    TemporarilyUnavailable,
}

/// Logs users in against the directory, throttling repeated failures.
pub struct Authenticator {
    directory: Arc<Directory>,
    throttle: Mutex<Throttle>,
    /// Bounds argon2 verifications running at once to the number of cores:
    /// each takes 19 MiB, and a login flood must queue, not exhaust memory
    /// through the blocking pool's hundreds of threads.
    verifications: Arc<Semaphore>,
}

impl Authenticator {
    pub fn new(directory: Arc<Directory>, throttle: ThrottleSettings) -> Self {
        Self {
            directory,
            throttle: Mutex::new(Throttle::new(throttle)),
            verifications: Arc::new(Semaphore::new(
                std::thread::available_parallelism().map_or(2, NonZeroUsize::get),
            )),
        }
    }

    /// The directory, for the lookups protocols make after login (recipient
    /// resolution, sender addresses).
    pub fn directory(&self) -> &Arc<Directory> {
        &self.directory
    }

    /// Checks `credentials` from a client at `peer_ip` speaking `protocol`
    /// (used in the log line). Waits the throttle delay first, so a client
    /// guessing passwords is slowed down whether or not it guesses right.
    pub async fn authenticate(
        &self,
        credentials: Credentials,
        peer_ip: IpAddr,
        protocol: &str,
    ) -> Result<AuthenticatedUser, AuthFailure> {
        let login = credentials.authcid.clone();
        let delay = self.throttle().delay(peer_ip, &login, Instant::now());
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let logged_login = loggable(&login);
        // The semaphore is never closed, so acquiring fails only in theory.
        let Ok(permit) = Arc::clone(&self.verifications).acquire_owned().await else {
            return Err(unavailable(
                protocol,
                peer_ip,
                logged_login,
                &"verification pool closed",
            ));
        };
        let directory = Arc::clone(&self.directory);
        // The permit moves into the task: a client that hangs up mid-login
        // must not free a slot while its verification still runs.
        let check = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            directory.check_login(&credentials.authcid, &credentials.password)
        })
        .await;
        let (failure, reason) = match check {
            Ok(Ok(LoginCheck::Valid(user))) => {
                self.throttle().record_success(&login);
                tracing::info!(protocol = %protocol, ip = %peer_ip, user = logged_login, "authenticated");
                return Ok(AuthenticatedUser {
                    account: user.id,
                    login: user.login,
                });
            }
            Ok(Ok(LoginCheck::Disabled(_))) => (AuthFailure::AccountDisabled, "account-disabled"),
            Ok(Ok(LoginCheck::WrongPassword)) => {
                (AuthFailure::InvalidCredentials, "invalid-credentials")
            }
            Ok(Ok(LoginCheck::UnknownUser)) => (AuthFailure::InvalidCredentials, "unknown-user"),
            Ok(Err(error)) => return Err(unavailable(protocol, peer_ip, logged_login, &error)),
            Err(error) => return Err(unavailable(protocol, peer_ip, logged_login, &error)),
        };
        tracing::warn!(
            protocol = %protocol,
            ip = %peer_ip,
            user = logged_login,
            reason = %reason,
            "authentication failed"
        );
        // A disabled account's password was right: that is no guess to slow down.
        if failure == AuthFailure::InvalidCredentials {
            self.throttle()
                .record_failure(peer_ip, &login, Instant::now());
        }
        Err(failure)
    }

    /// The throttle. Its state is a cache of counts: after a panic elsewhere
    /// it is still consistent enough to use, so a poisoned lock is taken over.
    fn throttle(&self) -> MutexGuard<'_, Throttle> {
        self.throttle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Logs a directory fault (not the client's doing, so not a line fail2ban matches).
fn unavailable(
    protocol: &str,
    peer_ip: IpAddr,
    login: &str,
    error: &dyn std::fmt::Display,
) -> AuthFailure {
    tracing::error!(protocol = %protocol, ip = %peer_ip, user = login, %error, "authentication unavailable");
    AuthFailure::TemporarilyUnavailable
}

/// The login cut to [`MAX_LOGGED_LOGIN_LEN`] bytes at a character boundary.
fn loggable(login: &str) -> &str {
    let mut cut = login.len().min(MAX_LOGGED_LOGIN_LEN);
    while !login.is_char_boundary(cut) {
        cut -= 1;
    }
    login.get(..cut).unwrap_or_default()
}
