//! The SMTP envelope of a spooled message (RFC 5321 §2.3.1) with the DSN
//! parameters that travel with it (RFC 3461). Plain data: the SMTP parser
//! has already checked the syntax of every address here.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::store::AccountId;

/// A spooled message's id: unique in the data dir, never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QueueId(pub u64);

impl fmt::Display for QueueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// `MAIL FROM`: an address, or `<>` for bounces and other notifications
/// (RFC 5321 §4.5.5), which must never be answered with a bounce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReversePath {
    Null,
    /// As the client wrote it, without the angle brackets.
    Address(String),
}

/// When the sender wants a DSN for a recipient (RFC 3461 §4.1). All false is
/// `NOTIFY=NEVER`; without a NOTIFY parameter, failures and delays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notify {
    pub success: bool,
    pub failure: bool,
    pub delay: bool,
}

impl Default for Notify {
    fn default() -> Self {
        Self {
            success: false,
            failure: true,
            delay: true,
        }
    }
}

/// One `RCPT TO`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// As the client wrote it, without the angle brackets.
    pub address: String,
    /// `ORCPT=` (RFC 3461 §4.2), as given: `rfc822;user@example.org`.
    pub orcpt: Option<String>,
    pub notify: Notify,
}

/// `RET=` (RFC 3461 §4.3): what of the message a failure DSN returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ret {
    Full,
    Headers,
}

/// `BODY=` (RFC 6152, RFC 3030).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BodyType {
    #[default]
    SevenBit,
    EightBitMime,
    BinaryMime,
}

/// Everything the queue needs to know about a message besides its octets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub mail_from: ReversePath,
    /// In RCPT order; at least one.
    pub recipients: Vec<Recipient>,
    pub body: BodyType,
    /// `SMTPUTF8` was given with MAIL (RFC 6531 §3.4).
    pub smtputf8: bool,
    pub ret: Option<Ret>,
    /// `ENVID=` (RFC 3461 §4.4), as given (xtext decoded).
    pub envid: Option<String>,
    /// The account that submitted it over AUTH (submission), `None` for
    /// inbound mail. Decides, for example, that a bounce goes to a local user.
    pub submitter: Option<AccountId>,
    /// When the last octet was received, seconds since the Unix epoch.
    pub received_at: i64,
}
