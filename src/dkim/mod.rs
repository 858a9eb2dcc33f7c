//! DKIM signing of outgoing mail (RFC 6376, RFC 8463 for ed25519) for the
//! domains this server hosts.
//!
//! - [`keys`]: generating, storing and reading a domain's key pair files.
//! - [`record`]: the DNS TXT records that publish the public keys.
//! - [`signer`]: the cache of loaded keys and the signing of a message.
//!
//! Verification of inbound signatures is the anti-spam stage's
//! (`crate::antispam::SenderAuthenticator`); this module only signs.

pub mod keys;
pub mod record;
pub mod signer;

pub use keys::{Algorithm, KeyError, Selector, StoredKey};
pub use record::KeyRecord;
pub use signer::{DkimSigner, DomainKeys, Signed};
