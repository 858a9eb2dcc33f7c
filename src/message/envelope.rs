//! The IMAP ENVELOPE of a message or of an embedded message/rfc822 part
//! (RFC 9051 §7.5.2, RFC 3501 §7.4.2), as data ready to be written field by field.
//!
//! Holds raw header values (unfolded, encoded-words kept); must not decode them.

use serde::{Deserialize, Serialize};

use super::address::{EnvelopeAddress, parse_address_list};
use super::header::RawHeaders;

/// The envelope fields in IMAP order; `None` and empty lists are written as NIL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<EnvelopeAddress>,
    /// Equal to `from` when the Sender field is absent or empty (RFC 9051 §7.5.2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sender: Vec<EnvelopeAddress>,
    /// Equal to `from` when the Reply-To field is absent or empty (RFC 9051 §7.5.2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reply_to: Vec<EnvelopeAddress>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<EnvelopeAddress>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<EnvelopeAddress>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bcc: Vec<EnvelopeAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

impl Envelope {
    /// Builds the envelope from the first occurrence of each field.
    pub fn from_headers(headers: &RawHeaders<'_>) -> Envelope {
        let addresses = |name: &str| {
            headers
                .first(name)
                .map(|v| parse_address_list(&v))
                .unwrap_or_default()
        };
        let from = addresses("From");
        let or_from = |list: Vec<EnvelopeAddress>| {
            if list.is_empty() { from.clone() } else { list }
        };
        Envelope {
            date: headers.first_non_empty("Date"),
            subject: headers.first("Subject"),
            sender: or_from(addresses("Sender")),
            reply_to: or_from(addresses("Reply-To")),
            to: addresses("To"),
            cc: addresses("Cc"),
            bcc: addresses("Bcc"),
            in_reply_to: headers.first_non_empty("In-Reply-To"),
            message_id: headers.first_non_empty("Message-ID"),
            from,
        }
    }
}
