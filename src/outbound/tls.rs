//! The TLS client side of STARTTLS (RFC 3207): which certificates to accept.
//!
//! Opportunistic and required TLS (RFC 7435) accept any certificate, since MX
//! servers rarely present one for their name and an unverified channel still beats
//! plaintext against a passive listener; the handshake signatures are still checked,
//! so the peer must hold the key of the certificate it shows. `verify` uses the
//! WebPKI verifier with the configured trust anchors. Owns building the rustls client
//! configuration; it must not open connections.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::TlsConnector;

use super::OutboundError;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn builder() -> Result<rustls::ConfigBuilder<ClientConfig, rustls::WantsVerifier>, OutboundError> {
    ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(OutboundError::Tls)
}

/// A connector that takes any certificate whose key signed the handshake.
pub fn any_certificate() -> Result<TlsConnector, OutboundError> {
    let verifier = AnyCertificate {
        algorithms: provider().signature_verification_algorithms,
    };
    let config = builder()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// A connector that verifies the certificate chain against the PEM anchors in
/// `ca_file` and the server's name. Reads the file: call it at startup.
pub fn verified(ca_file: &Path) -> Result<TlsConnector, OutboundError> {
    let read_error = |source| OutboundError::CaFile {
        path: ca_file.to_owned(),
        source,
    };
    let mut roots = RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(ca_file).map_err(read_error)? {
        // A bundle may hold anchors webpki cannot use; the others still count.
        let _ = roots.add(certificate.map_err(read_error)?);
    }
    if roots.is_empty() {
        return Err(OutboundError::NoTrustAnchors {
            path: ca_file.to_owned(),
        });
    }
    let config = builder()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Accepts every certificate, but checks the signatures made with its key.
#[derive(Debug)]
struct AnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
