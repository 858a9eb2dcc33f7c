//! The Sender Rewriting Scheme for forwarded mail, in the SRS0 format of
//! libsrs2 and Shopify's srs (`SRS0=HHHH=TT=domain=local@our-host`): HHHH
//! the first four base64 characters of an HMAC-SHA1 over the time stamp,
//! domain and local part; TT the day number mod 1024 in two base32
//! characters. A forward's envelope sender becomes an address of ours, so
//! SPF passes at the destination, and a bounce to it can be sent back to
//! the original sender. The secret lives in `<data_dir>/srs.secret`,
//! created 0600 on first use; this module never logs it.

use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use base64::Engine;
use ring::hmac;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_FILE: &str = "srs.secret";
const SECRET_LEN: usize = 32;
const HASH_LEN: usize = 4;
/// Days an SRS address stays valid (libsrs2's default).
const MAX_AGE_DAYS: u64 = 21;
const DAY_SECONDS: u64 = 24 * 3600;
/// The stamp counts days modulo this.
const STAMP_PERIOD: u64 = 1024;

/// The SRS secret could not be read or made.
#[derive(Debug, thiserror::Error)]
#[error("SRS secret: {0}")]
pub struct SrsError(#[from] std::io::Error);

/// Rewrites and reverses addresses under one secret and domain.
pub struct Srs {
    key: hmac::Key,
    domain: String,
}

impl std::fmt::Debug for Srs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Srs")
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl Srs {
    /// Loads the secret from `data_dir`, making a random one first if there
    /// is none. Blocking.
    pub fn open(data_dir: &Path, domain: &str) -> Result<Srs, SrsError> {
        let path = data_dir.join(SECRET_FILE);
        let secret = match std::fs::File::open(&path) {
            Ok(mut file) => {
                let mut secret = Vec::new();
                file.read_to_end(&mut secret)?;
                secret
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => create_secret(&path)?,
            Err(error) => return Err(error.into()),
        };
        Ok(Srs::with_secret(&secret, domain))
    }

    pub fn with_secret(secret: &[u8], domain: &str) -> Srs {
        Srs {
            key: hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret),
            domain: domain.to_ascii_lowercase(),
        }
    }

    /// `local@domain` as an SRS0 address of ours, stamped with the day of
    /// `now_secs`. An address without `@` or already ours is kept.
    pub fn forward(&self, address: &str, now_secs: u64) -> String {
        let Some((local, domain)) = address.rsplit_once('@') else {
            return address.to_owned();
        };
        if domain.eq_ignore_ascii_case(&self.domain) {
            return address.to_owned();
        }
        let stamp = stamp(now_secs / DAY_SECONDS);
        let hash = self.hash(&stamp, domain, local);
        format!("SRS0={hash}={stamp}={domain}={local}@{}", self.domain)
    }

    /// The original sender of an SRS0 address of ours whose hash is right
    /// and whose stamp is at most 21 days old; `None` for any other address.
    pub fn reverse(&self, address: &str, now_secs: u64) -> Option<String> {
        let (local, domain) = address.rsplit_once('@')?;
        if !domain.eq_ignore_ascii_case(&self.domain) {
            return None;
        }
        let prefix = local.get(..5)?;
        if !prefix.eq_ignore_ascii_case("SRS0=") && !prefix.eq_ignore_ascii_case("SRS0-") {
            return None;
        }
        let mut parts = local.get(5..)?.splitn(4, '=');
        let (hash, stamp_text, original_domain, original_local) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let expected = self.hash(stamp_text, original_domain, original_local);
        // Mail systems may change the case of the local part.
        let hash_ok = same_without_timing(
            expected.to_ascii_lowercase().as_bytes(),
            hash.to_ascii_lowercase().as_bytes(),
        );
        if !hash_ok || !fresh(stamp_text, now_secs / DAY_SECONDS) {
            return None;
        }
        Some(format!("{original_local}@{original_domain}"))
    }

    fn hash(&self, stamp: &str, domain: &str, local: &str) -> String {
        let mut context = hmac::Context::with_key(&self.key);
        context.update(stamp.to_ascii_uppercase().as_bytes());
        context.update(domain.to_ascii_lowercase().as_bytes());
        context.update(local.to_ascii_lowercase().as_bytes());
        let encoded = base64::engine::general_purpose::STANDARD.encode(context.sign().as_ref());
        encoded.chars().take(HASH_LEN).collect()
    }
}

/// Equality that takes as long whichever octet differs, so the hash
/// cannot be guessed one character at a time.
fn same_without_timing(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn create_secret(path: &Path) -> Result<Vec<u8>, SrsError> {
    let mut secret = vec![0u8; SECRET_LEN];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut secret)
        .map_err(|_| std::io::Error::other("no randomness for the SRS secret"))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(&secret)?;
    file.sync_all()?;
    Ok(secret)
}

/// The day number in two base32 characters (10 bits).
fn stamp(day: u64) -> String {
    let day = day % STAMP_PERIOD;
    let high = BASE32.get((day >> 5) as usize).copied().unwrap_or(b'A');
    let low = BASE32.get((day & 31) as usize).copied().unwrap_or(b'A');
    String::from_utf8_lossy(&[high, low]).into_owned()
}

fn fresh(stamp_text: &str, today: u64) -> bool {
    let value = |c: u8| {
        BASE32
            .iter()
            .position(|&b| b == c.to_ascii_uppercase())
            .map(|p| p as u64)
    };
    let &[high, low] = stamp_text.as_bytes() else {
        return false;
    };
    let (Some(high), Some(low)) = (value(high), value(low)) else {
        return false;
    };
    let day = (high << 5) | low;
    let age = (today % STAMP_PERIOD + STAMP_PERIOD - day) % STAMP_PERIOD;
    age <= MAX_AGE_DAYS
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_764_000_000;

    fn srs() -> Srs {
        Srs::with_secret(b"test secret", "mail.example.org")
    }

    #[test]
    fn forward_has_the_srs0_shape_and_reverses() {
        let rewritten = srs().forward("carol@remote.test", NOW);
        let (local, domain) = rewritten.rsplit_once('@').unwrap();
        assert_eq!(domain, "mail.example.org");
        let parts: Vec<&str> = local.split('=').collect();
        assert_eq!(parts.len(), 5, "{rewritten}");
        assert_eq!(parts[0], "SRS0");
        assert_eq!(parts[1].len(), 4);
        assert_eq!(parts[2].len(), 2);
        assert_eq!(&parts[3..], ["remote.test", "carol"]);
        assert_eq!(
            srs().reverse(&rewritten, NOW).as_deref(),
            Some("carol@remote.test")
        );
    }

    #[test]
    fn a_forged_hash_is_refused() {
        let rewritten = srs().forward("carol@remote.test", NOW);
        let forged = rewritten.replace("carol", "mallory");
        assert_eq!(srs().reverse(&forged, NOW), None);
        let other = Srs::with_secret(b"another secret", "mail.example.org");
        assert_eq!(other.reverse(&rewritten, NOW), None);
    }

    #[test]
    fn an_old_stamp_is_refused() {
        let rewritten = srs().forward("carol@remote.test", NOW);
        assert!(srs().reverse(&rewritten, NOW + 21 * DAY_SECONDS).is_some());
        assert_eq!(srs().reverse(&rewritten, NOW + 22 * DAY_SECONDS), None);
    }

    #[test]
    fn the_secret_is_made_once_and_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let first = Srs::open(dir.path(), "mail.example.org").unwrap();
        let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = Srs::open(dir.path(), "mail.example.org").unwrap();
        let rewritten = first.forward("carol@remote.test", NOW);
        assert!(again.reverse(&rewritten, NOW).is_some());
    }
}
