//! `[smtp]`: the limits of inbound SMTP (RFC 5321) and submission (RFC 6409)
//! sessions, and their checks.
//!
//! Owns the shape, the defaults and the validation of this one section; the
//! message size limit stays `limits.message_size`, shared with IMAP APPEND.

use serde::Deserialize;

use super::ConfigError;

/// `[smtp]`: per-session and per-user limits of SMTP and submission.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpSection {
    /// RCPT commands accepted per message; one more gets `452 4.5.3`.
    /// RFC 5321 §4.5.3.1.8: at least 100.
    pub max_recipients: u32,
    /// Messages one authenticated user may submit per hour; one more gets
    /// `451 4.7.1` until the oldest of the hour is an hour old.
    pub submission_messages_per_hour: u32,
    /// Failed commands (5xx replies) in one session before it is closed with
    /// `421 4.7.0`.
    pub max_errors: u32,
    /// Received fields a message may already carry; more is taken for a mail
    /// loop and refused with `554 5.4.6` (RFC 5321 §6.3: at least 100).
    pub max_received: u32,
}

impl Default for SmtpSection {
    fn default() -> Self {
        Self {
            max_recipients: 100,
            submission_messages_per_hour: 500,
            max_errors: 10,
            max_received: 100,
        }
    }
}

fn at_least(key: &str, value: u32, minimum: u32, why: &str) -> Result<(), ConfigError> {
    if value < minimum {
        return Err(ConfigError::Invalid {
            key: key.to_owned(),
            problem: format!("must be at least {minimum}{why}"),
        });
    }
    Ok(())
}

pub(super) fn validate(smtp: &SmtpSection) -> Result<(), ConfigError> {
    at_least(
        "smtp.max_recipients",
        smtp.max_recipients,
        100,
        " (RFC 5321 §4.5.3.1.8)",
    )?;
    at_least(
        "smtp.submission_messages_per_hour",
        smtp.submission_messages_per_hour,
        1,
        "",
    )?;
    at_least("smtp.max_errors", smtp.max_errors, 1, "")?;
    at_least("smtp.max_received", smtp.max_received, 1, "")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(validate(&SmtpSection::default()).is_ok());
    }

    #[test]
    fn fewer_than_a_hundred_recipients_is_refused_with_the_key() {
        let smtp = SmtpSection {
            max_recipients: 10,
            ..SmtpSection::default()
        };
        let error = validate(&smtp).unwrap_err().to_string();
        assert!(error.starts_with("smtp.max_recipients:"), "{error}");
    }
}
