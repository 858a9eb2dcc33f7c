//! Accounts, domains, aliases, password hashes, SASL and login throttling.
//!
//! - [`Directory`]: the account directory in `<data_dir>/postamt.db` (blocking API).
//! - [`password`]: argon2id hashes, verification, the password generator.
//! - [`sasl`]: the SASL exchange every protocol drives with its own framing (no I/O).
//! - [`throttle`]: delays that grow with failed logins per client IP and per account.
//! - [`Authenticator`]: the one async entry point every protocol calls to log a user in.
//!
//! This layer never touches mailboxes or messages (that is `store`), and never
//! logs a password.

pub mod address;
mod authenticator;
pub mod directory;
pub mod password;
pub mod sasl;
pub mod throttle;

pub use address::{Address, AddressError, DomainName};
pub use authenticator::{AuthFailure, AuthenticatedUser, Authenticator};
pub use directory::{
    Alias, AliasAddress, Directory, DirectoryError, LocalRecipient, LoginCheck, Resolution, User,
};
pub use password::{Password, generate_password};
pub use sasl::{Credentials, Mechanism, SaslError, SaslExchange, SaslStep};
pub use throttle::{Throttle, ThrottleSettings};
