//! TLS configuration: PEM files, the self-signed fallback, and the reloadable acceptor.
//!
//! Owns rustls settings (ring provider, TLS 1.2 and 1.3 only), reading the certificate
//! chain and key with rustls-pki-types, generating the self-signed pair on first start,
//! and swapping certificates for new handshakes on reload. It must not run handshakes:
//! see `stream`. Everything here blocks on files: call it on the blocking pool.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::config::CertificateFiles;

/// Why the TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: rustls_pki_types::pem::Error,
    },
    #[error("{path}: no certificate in the file")]
    NoCertificate { path: PathBuf },
    #[error("certificate {certificate} and key {private_key} do not fit: {source}")]
    Rejected {
        certificate: PathBuf,
        private_key: PathBuf,
        source: rustls::Error,
    },
    #[error("cannot generate a self-signed certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The TLS acceptor in force, swapped whole on reload.
///
/// Each handshake takes the acceptor current at its start, so a reload changes the
/// certificate for new handshakes and never touches live connections.
#[derive(Clone)]
pub struct TlsHandle(Arc<RwLock<TlsAcceptor>>);

impl std::fmt::Debug for TlsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsHandle")
    }
}

impl TlsHandle {
    /// Builds the acceptor from `files`, first generating the self-signed pair for
    /// `hostname` when `files.self_signed` and it is missing.
    pub fn load(files: &CertificateFiles, hostname: &str) -> Result<TlsHandle, TlsError> {
        Ok(TlsHandle::new(server_config(files, hostname)?))
    }

    pub fn new(config: Arc<ServerConfig>) -> TlsHandle {
        TlsHandle(Arc::new(RwLock::new(TlsAcceptor::from(config))))
    }

    /// The acceptor for a handshake starting now.
    pub fn acceptor(&self) -> TlsAcceptor {
        // A poisoned lock still holds a whole acceptor: swaps are single assignments.
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Makes `other`'s acceptor the one new handshakes use.
    pub fn replace_with(&self, other: &TlsHandle) {
        let next = other.acceptor();
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = next;
    }
}

/// The rustls server configuration for `files`: TLS 1.2 and 1.3, no client certificates.
pub fn server_config(
    files: &CertificateFiles,
    hostname: &str,
) -> Result<Arc<ServerConfig>, TlsError> {
    if files.self_signed {
        ensure_self_signed(files, hostname)?;
    }
    let chain = read_chain(&files.certificate)?;
    let key =
        PrivateKeyDer::from_pem_file(&files.private_key).map_err(|source| TlsError::Read {
            path: files.private_key.clone(),
            source,
        })?;
    let rejected = |source| TlsError::Rejected {
        certificate: files.certificate.clone(),
        private_key: files.private_key.clone(),
        source,
    };
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(rejected)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(rejected)?;
    Ok(Arc::new(config))
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let read_error = |source| TlsError::Read {
        path: path.to_owned(),
        source,
    };
    let chain = CertificateDer::pem_file_iter(path)
        .map_err(read_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(read_error)?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate {
            path: path.to_owned(),
        });
    }
    Ok(chain)
}

/// Generates the self-signed pair unless both files exist. A half-written pair (a crash
/// between the two renames) is replaced whole.
fn ensure_self_signed(files: &CertificateFiles, hostname: &str) -> Result<(), TlsError> {
    if files.certificate.is_file() && files.private_key.is_file() {
        return Ok(());
    }
    let names = vec![
        hostname.to_owned(),
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let generated = rcgen::generate_simple_self_signed(names)?;
    // The key first: a certificate on disk without its key would be reused and fail.
    write_atomically(
        &files.private_key,
        generated.signing_key.serialize_pem().as_bytes(),
        0o600,
    )?;
    write_atomically(&files.certificate, generated.cert.pem().as_bytes(), 0o644)?;
    tracing::info!(
        certificate = %files.certificate.display(),
        "generated a self-signed certificate for {hostname}, localhost, 127.0.0.1 and ::1"
    );
    Ok(())
}

/// Writes `contents` to a temporary file created with `mode`, fsyncs, and renames it over
/// `path`, so a crash leaves either the old file or the whole new one.
fn write_atomically(path: &Path, contents: &[u8], mode: u32) -> Result<(), TlsError> {
    let write_error = |source| TlsError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(write_error)?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&temporary)
        .map_err(write_error)?;
    file.write_all(contents).map_err(write_error)?;
    file.sync_all().map_err(write_error)?;
    std::fs::rename(&temporary, path).map_err(write_error)?;
    std::fs::File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(write_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn self_signed_in(dir: &Path) -> CertificateFiles {
        CertificateFiles {
            certificate: dir.join("certs/self-signed.crt"),
            private_key: dir.join("certs/self-signed.key"),
            self_signed: true,
        }
    }

    #[test]
    fn generated_key_is_readable_by_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let files = self_signed_in(dir.path());
        server_config(&files, "mail.example.org").unwrap();
        let mode = std::fs::metadata(&files.private_key)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn missing_configured_certificate_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let files = CertificateFiles {
            certificate: dir.path().join("absent.crt"),
            private_key: dir.path().join("absent.key"),
            self_signed: false,
        };
        let error = server_config(&files, "mail.example.org")
            .unwrap_err()
            .to_string();
        assert!(error.contains("absent.crt"), "{error}");
    }

    #[test]
    fn half_written_pair_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let files = self_signed_in(dir.path());
        std::fs::create_dir_all(dir.path().join("certs")).unwrap();
        std::fs::write(&files.private_key, b"not a key").unwrap();
        server_config(&files, "mail.example.org").unwrap();
        assert!(files.certificate.is_file());
    }
}
