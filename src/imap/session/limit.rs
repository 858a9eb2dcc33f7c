//! The per-account limit on concurrent IMAP sessions
//! (`limits.imap_sessions_per_account`): a login beyond it is refused with
//! `NO [LIMIT]` (RFC 5530 §3). Counts only; no I/O.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::store::AccountId;

/// Sessions logged in per account, shared by every session of a server.
#[derive(Debug)]
pub struct AccountSessions {
    max: AtomicUsize,
    counts: Mutex<HashMap<AccountId, usize>>,
}

impl AccountSessions {
    /// The default bound, the default of `limits.imap_sessions_per_account`.
    pub const DEFAULT_MAX: usize = 20;

    pub fn new(max: usize) -> Self {
        Self {
            max: AtomicUsize::new(max),
            counts: Mutex::default(),
        }
    }

    /// Changes the bound for the logins after this call; sessions already
    /// logged in stay, even above a lowered bound.
    pub fn set_max(&self, max: usize) {
        self.max.store(max, Ordering::Relaxed);
    }

    /// A slot for one more session of `account`, or `None` at the limit.
    pub fn enter(self: &Arc<Self>, account: AccountId) -> Option<SessionSlot> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(account).or_insert(0);
        if *count >= self.max.load(Ordering::Relaxed) {
            return None;
        }
        *count += 1;
        Some(SessionSlot {
            sessions: Arc::clone(self),
            account,
        })
    }
}

/// One logged-in session; leaving frees the slot.
#[derive(Debug)]
pub struct SessionSlot {
    sessions: Arc<AccountSessions>,
    account: AccountId,
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        let mut counts = self
            .sessions
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.account) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.account);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LimitsSection;

    #[test]
    fn the_default_bound_is_the_configured_default() {
        let configured = LimitsSection::default().imap_sessions_per_account;
        assert_eq!(
            Some(AccountSessions::DEFAULT_MAX),
            usize::try_from(configured).ok()
        );
    }

    #[test]
    fn a_slot_is_freed_when_its_session_ends() {
        let sessions = Arc::new(AccountSessions::new(1));
        let first = sessions.enter(AccountId(1));
        assert!(first.is_some());
        assert!(sessions.enter(AccountId(1)).is_none());
        assert!(sessions.enter(AccountId(2)).is_some());
        drop(first);
        assert!(sessions.enter(AccountId(1)).is_some());
    }

    #[test]
    fn a_raised_bound_admits_more_and_a_lowered_one_keeps_who_is_in() {
        let sessions = Arc::new(AccountSessions::new(1));
        let first = sessions.enter(AccountId(1));
        sessions.set_max(2);
        let second = sessions.enter(AccountId(1));
        assert!(first.is_some() && second.is_some());
        sessions.set_max(1);
        assert!(sessions.enter(AccountId(1)).is_none());
        drop(second);
        assert!(sessions.enter(AccountId(1)).is_none());
        drop(first);
        assert!(sessions.enter(AccountId(1)).is_some());
    }
}
