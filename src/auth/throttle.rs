//! Login throttling: failed logins are counted per client network and per
//! login name, and the next attempt from either waits a delay that grows
//! with the count. A plain data structure with the clock passed in, so it is
//! deterministic and tested without sleeping; the [`crate::auth::Authenticator`]
//! does the waiting.
//!
//! The policy, with the defaults of [`ThrottleSettings`]:
//! - the first 3 failures of a key cost nothing;
//! - after the k-th failure beyond those, each attempt waits 1 s * 2^(k-1),
//!   capped at 30 s (1, 2, 4, 8, 16, 30, 30 ...);
//! - every 5 quiet minutes (no failure of that key) halve its count, so a
//!   forgetful user recovers and a stopped attacker is forgotten;
//! - a successful login clears the count of its login name, not that of the
//!   client network (one valid account must not whitewash a scanning host);
//! - at most 65,536 keys are tracked; the one whose last failure is oldest
//!   is evicted first.
//!
//! IPv6 clients are counted per /64, since one host usually owns a whole /64;
//! IPv4-mapped IPv6 addresses count as the IPv4 address.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

/// A longer login is cut to this many bytes before it becomes a key, so
/// clients cannot make tracked keys large. RFC 5321 4.5.3.1.3 caps a path at
/// 256 octets, so no real login is cut.
const MAX_LOGIN_KEY_LEN: usize = 256;

/// How failures turn into delays. The config module maps its keys to this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleSettings {
    /// Failures per key that cause no delay.
    pub free_failures: u32,
    /// The delay after the first failure beyond the free ones; doubles with each further one.
    pub base_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// Each such period without a failure halves a key's count.
    pub quiet_period: Duration,
    /// The most keys (networks plus login names) remembered at once.
    pub max_tracked_keys: usize,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            free_failures: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            quiet_period: Duration::from_secs(5 * 60),
            max_tracked_keys: 65_536,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Network(IpAddr),
    Login(String),
}

impl Key {
    fn network(ip: IpAddr) -> Self {
        Self::Network(match ip {
            IpAddr::V4(_) => ip,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !u128::from(u64::MAX))),
            },
        })
    }

    fn login(login: &str) -> Self {
        let mut cut = login.len().min(MAX_LOGIN_KEY_LEN);
        while !login.is_char_boundary(cut) {
            cut -= 1;
        }
        Self::Login(login.get(..cut).unwrap_or_default().to_lowercase())
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last_failure: Instant,
    /// Breaks ties between failures recorded at the same instant in `by_age`.
    serial: u64,
}

/// Failure counts and the delays they cause.
#[derive(Debug)]
pub struct Throttle {
    settings: ThrottleSettings,
    entries: HashMap<Key, Entry>,
    /// The same keys ordered by last failure, oldest first, for eviction.
    by_age: BTreeMap<(Instant, u64), Key>,
    next_serial: u64,
}

impl Throttle {
    pub fn new(settings: ThrottleSettings) -> Self {
        Self {
            settings,
            entries: HashMap::new(),
            by_age: BTreeMap::new(),
            next_serial: 0,
        }
    }

    /// How long to wait before answering a login attempt for `login` from
    /// `ip`: the longer of the two keys' delays.
    pub fn delay(&self, ip: IpAddr, login: &str, now: Instant) -> Duration {
        let network = self.delay_of(&Key::network(ip), now);
        let login = self.delay_of(&Key::login(login), now);
        network.max(login)
    }

    /// Counts a failed login against the client network and the login name.
    pub fn record_failure(&mut self, ip: IpAddr, login: &str, now: Instant) {
        self.forget_expired(now);
        self.count_failure(Key::network(ip), now);
        self.count_failure(Key::login(login), now);
    }

    /// Clears the login name's count after a successful login.
    pub fn record_success(&mut self, login: &str) {
        self.remove(&Key::login(login));
    }

    /// How many keys are remembered now.
    pub fn tracked_keys(&self) -> usize {
        self.entries.len()
    }

    fn delay_of(&self, key: &Key, now: Instant) -> Duration {
        let failures = self
            .entries
            .get(key)
            .map_or(0, |entry| self.decayed(entry, now));
        let Some(beyond_free) = failures
            .checked_sub(self.settings.free_failures)
            .filter(|&n| n > 0)
        else {
            return Duration::ZERO;
        };
        let factor = 1u32.checked_shl(beyond_free - 1).unwrap_or(u32::MAX);
        self.settings
            .base_delay
            .checked_mul(factor)
            .unwrap_or(Duration::MAX)
            .min(self.settings.max_delay)
    }

    /// The count after halving once per quiet period since the last failure.
    fn decayed(&self, entry: &Entry, now: Instant) -> u32 {
        let quiet = now.saturating_duration_since(entry.last_failure);
        let periods = quiet
            .as_nanos()
            .checked_div(self.settings.quiet_period.as_nanos())
            .unwrap_or(0);
        u32::try_from(periods)
            .ok()
            .and_then(|periods| entry.failures.checked_shr(periods))
            .unwrap_or(0)
    }

    fn count_failure(&mut self, key: Key, now: Instant) {
        let previous = self.remove(&key);
        if previous.is_none() && self.entries.len() >= self.settings.max_tracked_keys {
            self.evict_oldest();
        }
        if self.settings.max_tracked_keys == 0 {
            return;
        }
        let failures = previous
            .map_or(0, |entry| self.decayed(&entry, now))
            .saturating_add(1);
        let serial = self.next_serial;
        self.next_serial = self.next_serial.wrapping_add(1);
        self.by_age.insert((now, serial), key.clone());
        self.entries.insert(
            key,
            Entry {
                failures,
                last_failure: now,
                serial,
            },
        );
    }

    fn remove(&mut self, key: &Key) -> Option<Entry> {
        let entry = self.entries.remove(key)?;
        self.by_age.remove(&(entry.last_failure, entry.serial));
        Some(entry)
    }

    fn evict_oldest(&mut self) {
        if let Some((_, key)) = self.by_age.pop_first() {
            self.entries.remove(&key);
        }
    }

    /// Drops the oldest keys whose count has decayed to zero; they would
    /// cause no delay and only take room.
    fn forget_expired(&mut self, now: Instant) {
        while let Some((_, key)) = self.by_age.first_key_value()
            && self
                .entries
                .get(key)
                .is_none_or(|entry| self.decayed(entry, now) == 0)
        {
            self.evict_oldest();
        }
    }
}

#[cfg(test)]
mod tests;
