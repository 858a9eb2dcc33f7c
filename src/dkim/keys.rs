//! A domain's DKIM keys on disk: generation (ed25519 with ring, RSA-2048
//! with the `rsa` crate), storage as PKCS#8 PEM files of mode 0600 under
//! `<data_dir>/dkim/<domain>/`, and reading them back for signing and for
//! the DNS records. Knows nothing of messages or of which domains are hosted.
//!
//! One file per key, named for its selector and algorithm:
//! `<selector>.ed25519.pem` and `<selector>.rsa.pem`. The selector lives in
//! the file name so that the key and the DNS name it is published under
//! cannot drift apart.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use base64::Engine;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rustls_pki_types::PrivatePkcs8KeyDer;
use rustls_pki_types::pem::PemObject;

use crate::auth::DomainName;

/// The directory under the data dir that holds every domain's keys.
pub const KEY_ROOT: &str = "dkim";

/// RSA modulus size: RFC 8301 §3.2 requires at least 1024 bits and
/// recommends 2048; more does not fit a single-string TXT record tooling
/// expects and many verifiers cap it.
const RSA_BITS: usize = 2048;

/// Why keys could not be made, stored or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{0:?} is not a valid selector (letters, digits and hyphens, dot-separated)")]
    InvalidSelector(String),
    #[error("DKIM keys for {domain} already exist in {path} (use --force to replace them)")]
    Exists { domain: String, path: PathBuf },
    #[error("no DKIM keys for {domain} in {path}")]
    NoKeys { domain: String, path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot generate the {algorithm} key: {reason}")]
    Generate {
        algorithm: Algorithm,
        reason: String,
    },
    #[error("{path}: not a usable {algorithm} private key: {reason}")]
    BadKey {
        path: PathBuf,
        algorithm: Algorithm,
        reason: String,
    },
}

/// The signing algorithms a domain has a key for (RFC 6376 §3.3, RFC 8463).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Algorithm {
    Ed25519,
    Rsa,
}

impl Algorithm {
    pub const ALL: [Algorithm; 2] = [Algorithm::Ed25519, Algorithm::Rsa];

    /// The `k=` tag of the key record (RFC 6376 §3.6.1, RFC 8463 §4).
    pub fn key_type(self) -> &'static str {
        match self {
            Algorithm::Ed25519 => "ed25519",
            Algorithm::Rsa => "rsa",
        }
    }

    /// The file name suffix of this algorithm's key.
    fn suffix(self) -> &'static str {
        match self {
            Algorithm::Ed25519 => ".ed25519.pem",
            Algorithm::Rsa => ".rsa.pem",
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key_type())
    }
}

/// A DKIM selector (RFC 6376 §3.1): dot-separated labels of letters,
/// digits and hyphens, lowercased. Safe as a file name part.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Selector(String);

impl Selector {
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let lowered = text.to_ascii_lowercase();
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if lowered.len() > 200 || !lowered.split('.').all(label_ok) {
            return Err(KeyError::InvalidSelector(text.to_owned()));
        }
        Ok(Self(lowered))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The selector of `algorithm`'s key for a base name: `<base>-ed25519`
    /// and `<base>-rsa`, so both keys can be published side by side.
    pub fn for_algorithm(base: &str, algorithm: Algorithm) -> Result<Self, KeyError> {
        Self::parse(&format!("{base}-{}", algorithm.key_type()))
    }
}

/// One private key as stored: which algorithm, under which selector, and
/// its PKCS#8 DER.
pub struct StoredKey {
    pub algorithm: Algorithm,
    pub selector: Selector,
    pub path: PathBuf,
    pub pkcs8: Vec<u8>,
}

/// Never prints the private key.
impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("algorithm", &self.algorithm)
            .field("selector", &self.selector)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl StoredKey {
    /// The `p=` value: the raw 32-octet key for ed25519 (RFC 8463 §4), the
    /// SubjectPublicKeyInfo for RSA (what OpenDKIM and most verifiers read).
    pub fn public_key(&self) -> Result<Vec<u8>, KeyError> {
        let bad = |reason: String| KeyError::BadKey {
            path: self.path.clone(),
            algorithm: self.algorithm,
            reason,
        };
        match self.algorithm {
            Algorithm::Ed25519 => {
                use ring::signature::KeyPair;
                let pair = ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&self.pkcs8)
                    .map_err(|e| bad(e.to_string()))?;
                Ok(pair.public_key().as_ref().to_vec())
            }
            Algorithm::Rsa => {
                let private = rsa::RsaPrivateKey::from_pkcs8_der(&self.pkcs8)
                    .map_err(|e| bad(e.to_string()))?;
                let der = private
                    .to_public_key()
                    .to_public_key_der()
                    .map_err(|e| bad(e.to_string()))?;
                Ok(der.as_bytes().to_vec())
            }
        }
    }
}

/// Where a domain's keys live.
pub fn domain_dir(data_dir: &Path, domain: &DomainName) -> PathBuf {
    data_dir.join(KEY_ROOT).join(domain.as_str())
}

/// Generates both keys for `domain` under selectors `<base>-ed25519` and
/// `<base>-rsa`. Refuses when keys exist unless `force`, in which case the
/// old key files are removed once the new ones are in place.
pub fn generate(
    data_dir: &Path,
    domain: &DomainName,
    base: &str,
    force: bool,
) -> Result<Vec<StoredKey>, KeyError> {
    let dir = domain_dir(data_dir, domain);
    let old = key_files(&dir)?;
    if !old.is_empty() && !force {
        return Err(KeyError::Exists {
            domain: domain.as_str().to_owned(),
            path: dir,
        });
    }
    let selectors = [
        Selector::for_algorithm(base, Algorithm::Ed25519)?,
        Selector::for_algorithm(base, Algorithm::Rsa)?,
    ];
    std::fs::create_dir_all(&dir).map_err(|source| KeyError::Io {
        path: dir.clone(),
        source,
    })?;
    let mut stored = Vec::new();
    for (algorithm, selector) in Algorithm::ALL.into_iter().zip(selectors) {
        let pkcs8 = generate_pkcs8(algorithm)?;
        let path = dir.join(format!("{}{}", selector.as_str(), algorithm.suffix()));
        write_atomically(&path, pem_encode(&pkcs8).as_bytes())?;
        stored.push(StoredKey {
            algorithm,
            selector,
            path,
            pkcs8,
        });
    }
    for (_, _, path) in old {
        if stored.iter().any(|key| key.path == path) {
            continue;
        }
        std::fs::remove_file(&path).map_err(|source| KeyError::Io { path, source })?;
    }
    sync_dir(&dir)?;
    Ok(stored)
}

/// Reads every key of a domain's directory, in algorithm then selector
/// order. A missing directory is no keys; an unreadable file is an error.
pub fn read(dir: &Path) -> Result<Vec<StoredKey>, KeyError> {
    let mut keys = Vec::new();
    for (algorithm, selector, path) in key_files(dir)? {
        let pem = std::fs::read(&path).map_err(|source| KeyError::Io {
            path: path.clone(),
            source,
        })?;
        let pkcs8 = match PrivatePkcs8KeyDer::from_pem_slice(&pem) {
            Ok(der) => der.secret_pkcs8_der().to_vec(),
            Err(error) => {
                return Err(KeyError::BadKey {
                    path,
                    algorithm,
                    reason: error.to_string(),
                });
            }
        };
        keys.push(StoredKey {
            algorithm,
            selector,
            path,
            pkcs8,
        });
    }
    Ok(keys)
}

/// The key files in `dir`, sorted by algorithm then selector; temporary
/// files and anything else are ignored.
fn key_files(dir: &Path) -> Result<Vec<(Algorithm, Selector, PathBuf)>, KeyError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(KeyError::Io {
                path: dir.to_owned(),
                source,
            });
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| KeyError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        for algorithm in Algorithm::ALL {
            if let Some(selector) = name.strip_suffix(algorithm.suffix())
                && let Ok(selector) = Selector::parse(selector)
            {
                files.push((algorithm, selector, entry.path()));
            }
        }
    }
    files.sort();
    Ok(files)
}

fn generate_pkcs8(algorithm: Algorithm) -> Result<Vec<u8>, KeyError> {
    let failed = |reason: String| KeyError::Generate { algorithm, reason };
    match algorithm {
        Algorithm::Ed25519 => {
            let random = ring::rand::SystemRandom::new();
            let document = ring::signature::Ed25519KeyPair::generate_pkcs8(&random)
                .map_err(|e| failed(e.to_string()))?;
            Ok(document.as_ref().to_vec())
        }
        Algorithm::Rsa => {
            let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, RSA_BITS)
                .map_err(|e| failed(e.to_string()))?;
            let document = private.to_pkcs8_der().map_err(|e| failed(e.to_string()))?;
            Ok(document.as_bytes().to_vec())
        }
    }
}

/// RFC 7468 §10: `PRIVATE KEY` with base64 lines of 64 characters.
fn pem_encode(der: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    let mut rest = encoded.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        pem.push_str(line);
        pem.push('\n');
        rest = tail;
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    pem
}

/// A temporary file of mode 0600, fsynced, renamed over `path`: a crash
/// leaves the old key or the whole new one, and no one else can read it.
fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_owned(),
        source,
    };
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temporary)
        .map_err(io)?;
    file.write_all(contents).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&temporary, path).map_err(io)
}

fn sync_dir(dir: &Path) -> Result<(), KeyError> {
    std::fs::File::open(dir)
        .and_then(|file| file.sync_all())
        .map_err(|source| KeyError::Io {
            path: dir.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_dns_labels() {
        assert_eq!(
            Selector::parse("Mail-2026.a").unwrap().as_str(),
            "mail-2026.a"
        );
        for bad in ["", "a..b", "-a", "a/b", "a b", "..", "x_y"] {
            assert!(Selector::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pem_lines_are_64_characters() {
        let pem = pem_encode(&[7u8; 100]);
        let der = PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()).unwrap();
        assert_eq!(der.secret_pkcs8_der(), &[7u8; 100][..]);
        assert!(pem.lines().all(|line| line.len() <= 64));
    }
}
