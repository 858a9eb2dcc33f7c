//! Which maildrops are open, and when each account last logged in: one
//! session per maildrop (RFC 1939 §8 "exclusive-access lock", answered with
//! `[IN-USE]`, RFC 2449 §8.1.2) and the optional LOGIN-DELAY (RFC 2449
//! §8.1.1). In-process state only; no I/O.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::store::AccountId;

/// Why a login may not open its maildrop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum LockRefused {
    #[error("the maildrop is already open in another session")]
    InUse,
    #[error("logged in too recently; wait {0} seconds between logins")]
    LoginDelay(u64),
}

#[derive(Debug, Default)]
struct State {
    open: HashSet<AccountId>,
    last_login: HashMap<AccountId, Instant>,
}

/// The maildrop locks of every POP3 session of a server.
#[derive(Debug, Default)]
pub struct Maildrops {
    state: Mutex<State>,
}

impl Maildrops {
    /// Takes `account`'s maildrop, unless another session holds it or the
    /// account logged in less than `login_delay` ago (zero: no delay).
    pub fn lock(
        self: &Arc<Self>,
        account: AccountId,
        login_delay: Duration,
        now: Instant,
    ) -> Result<MaildropLock, LockRefused> {
        let mut state = self.state();
        if state.open.contains(&account) {
            return Err(LockRefused::InUse);
        }
        if !login_delay.is_zero() {
            if let Some(last) = state.last_login.get(&account)
                && now.saturating_duration_since(*last) < login_delay
            {
                return Err(LockRefused::LoginDelay(login_delay.as_secs()));
            }
            // Forget logins too old to matter, so the map stays as small as the
            // set of accounts that logged in within one delay.
            state
                .last_login
                .retain(|_, last| now.saturating_duration_since(*last) < login_delay);
            state.last_login.insert(account, now);
        }
        state.open.insert(account);
        Ok(MaildropLock {
            maildrops: Arc::clone(self),
            account,
        })
    }

    /// The lock state is a set of ids: still consistent after a panic elsewhere.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An open maildrop; dropping it (QUIT, disconnect, timeout) releases it.
#[derive(Debug)]
pub struct MaildropLock {
    maildrops: Arc<Maildrops>,
    account: AccountId,
}

impl Drop for MaildropLock {
    fn drop(&mut self) {
        self.maildrops.state().open.remove(&self.account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_in_use_until_the_first_is_dropped() {
        let drops = Arc::new(Maildrops::default());
        let now = Instant::now();
        let first = drops.lock(AccountId(1), Duration::ZERO, now).unwrap();
        assert_eq!(
            drops.lock(AccountId(1), Duration::ZERO, now).unwrap_err(),
            LockRefused::InUse
        );
        assert!(drops.lock(AccountId(2), Duration::ZERO, now).is_ok());
        drop(first);
        assert!(drops.lock(AccountId(1), Duration::ZERO, now).is_ok());
    }

    #[test]
    fn login_delay_refuses_a_login_too_soon_after_the_last() {
        let drops = Arc::new(Maildrops::default());
        let delay = Duration::from_secs(60);
        let start = Instant::now();
        drop(drops.lock(AccountId(1), delay, start).unwrap());
        assert_eq!(
            drops
                .lock(AccountId(1), delay, start + Duration::from_secs(59))
                .unwrap_err(),
            LockRefused::LoginDelay(60)
        );
        assert!(
            drops
                .lock(AccountId(1), delay, start + Duration::from_secs(60))
                .is_ok()
        );
    }
}
