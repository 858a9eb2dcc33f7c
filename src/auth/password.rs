//! Passwords: the secret type, argon2id hashing to PHC strings, constant-time
//! verification, the dummy verification for unknown logins, and the password
//! generator for `postamt user passwd --generate`.
//!
//! Parameters: argon2id, m = 19 MiB, t = 2, p = 1 (the OWASP recommendation
//! for argon2id; about 20 ms per verification on one core with optimised
//! code), a 16-byte salt from the OS RNG. Verification reads the parameters
//! from the stored PHC string, so hashes made with other parameters keep working.
//!
//! Everything here is blocking CPU work: async callers run it on the blocking pool.
//! Nothing here logs, and [`Password`] never prints its content.

use std::fmt;
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash as PhcHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use thiserror::Error;

/// argon2 memory cost in KiB (19 MiB).
const MEMORY_KIB: u32 = 19 * 1024;
/// argon2 passes over memory.
const ITERATIONS: u32 = 2;
/// argon2 lanes: one, so a login costs one core and many logins scale over cores.
const LANES: u32 = 1;

/// Length of a generated password: 20 characters from a 54-character alphabet
/// carry about 115 bits.
const GENERATED_LEN: usize = 20;
/// Letters and digits without the look-alikes 0/O/o, 1/l/I/i.
const GENERATED_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";

/// What went wrong while hashing a password.
#[derive(Debug, Error)]
pub enum PasswordError {
    #[error("argon2 hashing failed: {0}")]
    Hashing(argon2::password_hash::Error),
}

/// A cleartext password. Its `Debug` output never shows the content.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The cleartext, for hashing, verification or showing a generated
    /// password to the admin once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A password hash as stored: a PHC string (`$argon2id$v=19$m=...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhcString(String);

impl PhcString {
    /// Wraps a stored PHC string; it is parsed only when verified.
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn hasher() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
        .map_err(|e| PasswordError::Hashing(e.into()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes `password` with argon2id and a fresh random salt.
pub fn hash_password(password: &Password) -> Result<PhcString, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = hasher()?
        .hash_password(password.expose().as_bytes(), &salt)
        .map_err(PasswordError::Hashing)?;
    Ok(PhcString(hash.to_string()))
}

/// Whether `password` matches `stored`. The final comparison is constant-time
/// (password-hash compares outputs with `subtle`). A stored string that does
/// not parse never matches.
pub fn verify_password(password: &Password, stored: &PhcString) -> bool {
    let Ok(parsed) = PhcHash::new(stored.as_str()) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.expose().as_bytes(), &parsed)
        .is_ok()
}

/// Spends one verification against a hash no password matches, so a login
/// for an unknown user takes as long as one for a known user. The dummy hash
/// is made once per process, with the same parameters as real hashes.
pub fn verify_dummy(password: &Password) {
    static DUMMY: OnceLock<Option<PhcString>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password(&generate_password()).ok());
    if let Some(dummy) = dummy {
        let _ = verify_password(password, dummy);
    }
}

/// A new random password from the OS RNG.
pub fn generate_password() -> Password {
    let text = (0..GENERATED_LEN)
        .filter_map(|_| GENERATED_ALPHABET.choose(&mut OsRng))
        .map(|&byte| char::from(byte))
        .collect::<String>();
    Password(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_argon2id_phc_with_chosen_parameters() {
        let hash = hash_password(&Password::new("secret")).unwrap();
        assert!(
            hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.as_str()
        );
    }

    #[test]
    fn same_password_gets_a_different_salt_each_time() {
        let password = Password::new("secret");
        assert_ne!(
            hash_password(&password).unwrap(),
            hash_password(&password).unwrap()
        );
    }

    #[test]
    fn right_password_verifies_and_wrong_one_does_not() {
        let hash = hash_password(&Password::new("right")).unwrap();
        assert!(verify_password(&Password::new("right"), &hash));
        assert!(!verify_password(&Password::new("wrong"), &hash));
    }

    #[test]
    fn garbage_stored_hash_never_matches() {
        assert!(!verify_password(
            &Password::new(""),
            &PhcString::from_stored("not a hash".into())
        ));
    }

    #[test]
    fn debug_output_hides_the_password() {
        assert_eq!(
            format!("{:?}", Password::new("hunter2")),
            "Password(<redacted>)"
        );
    }

    #[test]
    fn generated_password_has_length_and_alphabet() {
        let password = generate_password();
        assert_eq!(password.expose().len(), GENERATED_LEN);
        assert!(
            password
                .expose()
                .bytes()
                .all(|b| GENERATED_ALPHABET.contains(&b))
        );
        assert_ne!(password, generate_password());
    }
}
