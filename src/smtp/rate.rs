//! Messages per hour per submitting user (`smtp.submission_messages_per_hour`):
//! a sliding window of the last hour's accepted messages, shared by every
//! submission session. Memory is bounded by the limit per active user.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::store::AccountId;

const WINDOW: Duration = Duration::from_secs(3600);

/// When each user's recent messages were accepted.
#[derive(Debug, Default)]
pub struct SubmissionRate {
    accepted: Mutex<HashMap<AccountId, VecDeque<Instant>>>,
}

impl SubmissionRate {
    /// Whether `account` may submit one more message now.
    pub fn allows(&self, account: AccountId, per_hour: u32, now: Instant) -> bool {
        let mut accepted = self.lock();
        let Some(times) = accepted.get_mut(&account) else {
            return per_hour > 0;
        };
        forget_old(times, now);
        let allowed = times.len() < usize::try_from(per_hour).unwrap_or(usize::MAX);
        if times.is_empty() {
            accepted.remove(&account);
        }
        allowed
    }

    /// Counts a message `account` submitted.
    pub fn record(&self, account: AccountId, per_hour: u32, now: Instant) {
        let mut accepted = self.lock();
        let times = accepted.entry(account).or_default();
        forget_old(times, now);
        times.push_back(now);
        // A lowered limit after a reload must not leave a longer queue behind.
        let keep = usize::try_from(per_hour).unwrap_or(usize::MAX).max(1);
        while times.len() > keep {
            times.pop_front();
        }
    }

    /// A panic elsewhere leaves only timestamps behind: safe to take over.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<AccountId, VecDeque<Instant>>> {
        self.accepted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn forget_old(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|&t| now.saturating_duration_since(t) >= WINDOW)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_holds_within_the_hour_and_lifts_after_it() {
        let rate = SubmissionRate::default();
        let alice = AccountId(1);
        let start = Instant::now();
        assert!(rate.allows(alice, 2, start));
        rate.record(alice, 2, start);
        rate.record(alice, 2, start);
        assert!(!rate.allows(alice, 2, start + Duration::from_secs(60)));
        assert!(rate.allows(AccountId(2), 2, start));
        assert!(rate.allows(alice, 2, start + WINDOW));
    }
}
