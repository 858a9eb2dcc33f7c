//! Signs submitted mail (RFC 6376 §5) with every key its From: domain has:
//! relaxed/relaxed, From oversigned, the fields a reply or a tamperer would
//! touch. Keys are read from `<data_dir>/dkim/<domain>/` and cached; a
//! domain's directory whose modification time changed is read again, so a
//! `dkim-keygen` takes effect without a restart.
//!
//! Never blocks mail: a key that cannot be read or used is logged and left
//! out, and a message with no usable key goes unsigned. Owns no I/O on the
//! async workers: [`DkimSigner::keys_for`] and [`DomainKeys::signature_fields`]
//! block (file system, hashing up to the message size) and are called from
//! the blocking pool ([`DkimSigner::prepare`], [`DomainKeys::sign`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::{Canonicalization, DkimSigner as KeySigner, Done, Signature};
use rustls_pki_types::PrivatePkcs8KeyDer;

use super::keys::{self, Algorithm, KEY_ROOT, Selector, StoredKey};
use crate::auth::DomainName;

/// The fields signed, in the order they are looked for. From twice: the
/// second names an instance that does not exist, so a From added later
/// breaks the signature (RFC 6376 §8.15). A listed field the message lacks
/// is signed as absent (§5.4), so it cannot be added either.
const SIGNED_FIELDS: [&str; 14] = [
    "From",
    "From",
    "Reply-To",
    "Subject",
    "Date",
    "To",
    "Cc",
    "Message-ID",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Sender",
];

/// One key, ready to sign for its domain and selector.
enum PreparedKey {
    Ed25519(KeySigner<Ed25519Key, Done>),
    Rsa(KeySigner<RsaKey<Sha256>, Done>),
}

struct Key {
    selector: Selector,
    signer: PreparedKey,
}

/// The usable keys of one domain.
pub struct DomainKeys {
    domain: DomainName,
    keys: Vec<Key>,
}

impl DomainKeys {
    pub fn domain(&self) -> &str {
        self.domain.as_str()
    }

    /// The selectors that sign, ed25519 first.
    pub fn selectors(&self) -> Vec<&str> {
        self.keys.iter().map(|key| key.selector.as_str()).collect()
    }

    /// The `DKIM-Signature:` fields (CRLF-terminated, ed25519 first) for the
    /// message whose header section is `header` (without the blank line)
    /// and whose body is `body` (from the blank line on, possibly empty). A
    /// key whose signature `d=`/`s=` the header already carries signs no
    /// second time. Blocking: hashes the whole body.
    pub fn signature_fields(&self, header: &[u8], body: &[u8]) -> Vec<u8> {
        let present = present_signatures(header);
        let mut fields = Vec::new();
        for key in &self.keys {
            let selector = key.selector.as_str();
            if present
                .iter()
                .any(|(d, s)| d.eq_ignore_ascii_case(self.domain.as_str()) && s == selector)
            {
                continue;
            }
            let parts = [header, body];
            let signed = match &key.signer {
                PreparedKey::Ed25519(signer) => signer.sign_chained(parts.into_iter()),
                PreparedKey::Rsa(signer) => signer.sign_chained(parts.into_iter()),
            };
            match signed {
                Ok(signature) => {
                    tracing::debug!(domain = self.domain.as_str(), selector, "DKIM-signed");
                    fields.extend_from_slice(signature.to_header().as_bytes());
                }
                Err(error) => tracing::warn!(
                    domain = self.domain.as_str(),
                    selector,
                    %error,
                    "DKIM signing failed; this signature is left out"
                ),
            }
        }
        fields
    }

    /// [`Self::signature_fields`] on the blocking pool; the buffers come
    /// back with the fields. `None` only if the task itself was lost (the
    /// runtime is shutting down), and the message with it: the caller
    /// refuses it temporarily.
    pub async fn sign(self: Arc<Self>, header: Vec<u8>, body: Vec<u8>) -> Option<Signed> {
        let work = tokio::task::spawn_blocking(move || {
            let fields = self.signature_fields(&header, &body);
            Signed {
                fields,
                header,
                body,
            }
        });
        work.await
            .inspect_err(|error| tracing::error!(%error, "the DKIM signing task failed"))
            .ok()
    }
}

/// A signed message in its three parts, in the order they are written.
#[derive(Debug)]
pub struct Signed {
    pub fields: Vec<u8>,
    pub header: Vec<u8>,
    pub body: Vec<u8>,
}

/// A directory changed this recently may change again within the same
/// timestamp tick (file times are coarse), unseen: it is read again until
/// its time is older than this.
const SETTLE: Duration = Duration::from_secs(2);

/// A domain's keys as last read, and the directory time they were read at.
struct Cached {
    modified: SystemTime,
    /// Read when `modified` was older than [`SETTLE`]: an equal time means
    /// an unchanged directory.
    settled: bool,
    keys: Option<Arc<DomainKeys>>,
}

/// The signer every submission session shares.
pub struct DkimSigner {
    root: PathBuf,
    cache: Mutex<HashMap<DomainName, Cached>>,
}

impl std::fmt::Debug for DkimSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DkimSigner")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl DkimSigner {
    /// Keys under `<data_dir>/dkim/`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join(KEY_ROOT),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The usable keys of `domain`, or `None` when it has none. Blocking:
    /// one `stat` each call, the key files when the directory changed.
    pub fn keys_for(&self, domain: &str) -> Option<Arc<DomainKeys>> {
        let domain = DomainName::parse(domain).ok()?;
        let dir = self.root.join(domain.as_str());
        let modified = match std::fs::metadata(&dir).and_then(|meta| meta.modified()) {
            Ok(modified) => modified,
            Err(error) => {
                if error.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(dir = %dir.display(), %error, "cannot read the DKIM key directory");
                }
                self.lock().remove(&domain);
                return None;
            }
        };
        if let Some(cached) = self.lock().get(&domain)
            && cached.settled
            && cached.modified == modified
        {
            return cached.keys.clone();
        }
        let settled = modified.elapsed().is_ok_and(|age| age > SETTLE);
        let keys = load(&domain, &dir);
        self.lock().insert(
            domain,
            Cached {
                modified,
                settled,
                keys: keys.clone(),
            },
        );
        keys
    }

    /// [`Self::keys_for`] on the blocking pool.
    pub async fn prepare(self: Arc<Self>, domain: String) -> Option<Arc<DomainKeys>> {
        tokio::task::spawn_blocking(move || self.keys_for(&domain))
            .await
            .unwrap_or_else(|error| {
                tracing::error!(%error, "the DKIM key lookup failed");
                None
            })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DomainName, Cached>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Reads and prepares a domain's keys, leaving out (with a warning) any
/// that cannot be used.
fn load(domain: &DomainName, dir: &Path) -> Option<Arc<DomainKeys>> {
    let stored = match keys::read(dir) {
        Ok(stored) => stored,
        Err(error) => {
            tracing::warn!(domain = domain.as_str(), %error, "DKIM keys unreadable; mail from this domain goes unsigned");
            return None;
        }
    };
    let mut prepared = Vec::new();
    for key in stored {
        match prepare(domain, &key) {
            Ok(signer) => prepared.push(Key {
                selector: key.selector,
                signer,
            }),
            Err(error) => tracing::warn!(
                domain = domain.as_str(),
                path = %key.path.display(),
                %error,
                "DKIM key unusable; it is left out"
            ),
        }
    }
    if prepared.is_empty() {
        return None;
    }
    tracing::debug!(
        domain = domain.as_str(),
        keys = prepared.len(),
        "DKIM keys loaded"
    );
    Some(Arc::new(DomainKeys {
        domain: domain.clone(),
        keys: prepared,
    }))
}

fn prepare(domain: &DomainName, key: &StoredKey) -> Result<PreparedKey, mail_auth::Error> {
    let domain = domain.as_str();
    let selector = key.selector.as_str();
    Ok(match key.algorithm {
        Algorithm::Ed25519 => PreparedKey::Ed25519(
            KeySigner::from_key(Ed25519Key::from_pkcs8_der(&key.pkcs8)?)
                .domain(domain)
                .selector(selector)
                .headers(SIGNED_FIELDS)
                .header_canonicalization(Canonicalization::Relaxed)
                .body_canonicalization(Canonicalization::Relaxed),
        ),
        Algorithm::Rsa => PreparedKey::Rsa(
            KeySigner::from_key(RsaKey::<Sha256>::from_key_der(
                PrivatePkcs8KeyDer::from(key.pkcs8.as_slice()).into(),
            )?)
            .domain(domain)
            .selector(selector)
            .headers(SIGNED_FIELDS)
            .header_canonicalization(Canonicalization::Relaxed)
            .body_canonicalization(Canonicalization::Relaxed),
        ),
    })
}

/// The `(d=, s=)` of every DKIM-Signature field in a header section.
fn present_signatures(header: &[u8]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut field: Option<Vec<u8>> = None;
    let mut finish = |field: Option<Vec<u8>>| {
        let Some(field) = field else { return };
        let Some(colon) = field.iter().position(|&b| b == b':') else {
            return;
        };
        let (name, value) = field.split_at(colon);
        if !name.trim_ascii().eq_ignore_ascii_case(b"DKIM-Signature") {
            return;
        }
        if let Ok(signature) = Signature::parse(value.get(1..).unwrap_or_default()) {
            found.push((signature.d, signature.s));
        }
    };
    for line in header.split_inclusive(|&b| b == b'\n') {
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            if let Some(field) = field.as_mut() {
                field.extend_from_slice(line);
            }
            continue;
        }
        finish(field.take());
        field = Some(line.to_vec());
    }
    finish(field);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn present_signatures_reads_folded_fields() {
        let header = b"Received: x\r\nDKIM-Signature: v=1; a=ed25519-sha256; d=example.test;\r\n\ts=sel; h=From; bh=AAAA; b=AAAA\r\nFrom: a@example.test\r\n";
        assert_eq!(
            present_signatures(header),
            [("example.test".to_owned(), "sel".to_owned())]
        );
    }
}
