//! postamt: a mail server. One daemon serves IMAP, POP3 and SMTP over a crash-safe
//! maildir + SQLite store.
//!
//! The module tree is the architecture (see DESIGN.md):
//! - [`config`]: the TOML configuration, typed and validated.
//! - [`server`]: listeners, TLS, connection limits, shutdown and reload, logging.
//! - [`auth`]: accounts, domains, aliases, password hashes, SASL and login throttling.
//! - [`store`]: mailboxes and messages behind a trait; the maildir + SQLite backend.
//! - [`message`]: what is derived from a raw message once, at append.
//! - [`imap`]: the IMAP4rev2/rev1 protocol.
//! - [`pop3`]: the POP3 protocol over INBOX.
//! - [`delivery`]: local delivery, a pipeline of stages ending in the store.
//! - [`queue`]: the spool, the delivery queue and the contracts between SMTP,
//!   local delivery and the outbound client.
//! - [`outbound`]: the SMTP client that delivers to other servers.
//! - [`smtp`]: inbound SMTP and message submission.
//! - [`scripts`]: Sieve script storage, out-of-office and forwarding settings.
//! - [`managesieve`]: the ManageSieve protocol (RFC 5804) over that storage.
//! - [`antispam`]: the anti-spam stage, its classifier, rules and training.
//! - [`sieve`]: the Sieve language and the delivery stage that runs it.
//! - [`dkim`]: DKIM keys and the signing of submitted mail.
//! - [`dns`]: the one resolver all DNS questions share, with its cache and time limits.

pub mod antispam;
pub mod auth;
pub mod config;
pub mod delivery;
pub mod dkim;
pub mod dns;
pub mod imap;
pub mod logging;
pub mod managesieve;
pub mod message;
pub mod outbound;
pub mod pop3;
pub mod queue;
pub mod scripts;
pub mod server;
pub mod sieve;
pub mod smtp;
pub mod store;
