//! The CAPA list (RFC 2449 §5-6), computed from what the session can do now:
//! the one place capabilities come from.
//!
//! APOP is never offered: it needs the server to hold a plaintext-equivalent
//! secret for each user, and postamt stores only argon2id hashes.

use crate::auth::sasl::advertised_mechanisms;

/// What decides the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapabilityState {
    /// STLS may still be issued (a STARTTLS listener, not yet TLS).
    pub stls: bool,
    /// USER/PASS and AUTH are allowed (TLS, or configured loopback).
    pub auth_allowed: bool,
    /// In the TRANSACTION state.
    pub authenticated: bool,
    /// RFC 2449 §6.8; zero when none is enforced.
    pub login_delay_seconds: u64,
}

/// The capability lines, in the order they are sent.
pub fn capabilities(state: CapabilityState) -> Vec<String> {
    let mut lines: Vec<String> = ["CAPA", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    lines.push("PIPELINING".to_owned());
    if !state.authenticated {
        if state.stls {
            lines.push("STLS".to_owned());
        }
        if state.auth_allowed {
            lines.push("USER".to_owned());
            let names: Vec<&str> = advertised_mechanisms().iter().map(|m| m.name()).collect();
            lines.push(format!("SASL {}", names.join(" ")));
        }
    }
    // RFC 2449 §6.7: INBOX is never expired by the server (only Trash is, and
    // what POP3 sees is INBOX alone), so the retention period is NEVER.
    lines.push("EXPIRE NEVER".to_owned());
    if state.login_delay_seconds > 0 {
        lines.push(format!("LOGIN-DELAY {}", state.login_delay_seconds));
    }
    lines.push("IMPLEMENTATION postamt".to_owned());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> CapabilityState {
        CapabilityState {
            stls: false,
            auth_allowed: true,
            authenticated: false,
            login_delay_seconds: 0,
        }
    }

    #[test]
    fn before_tls_only_stls_is_offered_for_logging_in() {
        let list = capabilities(CapabilityState {
            stls: true,
            auth_allowed: false,
            ..state()
        });
        assert!(list.contains(&"STLS".to_owned()));
        assert!(!list.contains(&"USER".to_owned()));
        assert!(!list.iter().any(|l| l.starts_with("SASL")));
    }

    #[test]
    fn over_tls_user_and_sasl_are_offered() {
        let list = capabilities(state());
        assert!(list.contains(&"USER".to_owned()));
        assert!(list.contains(&"SASL PLAIN LOGIN".to_owned()));
        assert!(list.contains(&"RESP-CODES".to_owned()));
        assert!(list.contains(&"AUTH-RESP-CODE".to_owned()));
        assert!(!list.contains(&"STLS".to_owned()));
        assert!(!list.iter().any(|l| l.starts_with("LOGIN-DELAY")));
    }

    #[test]
    fn after_login_no_login_capabilities_remain() {
        let list = capabilities(CapabilityState {
            authenticated: true,
            stls: true,
            ..state()
        });
        assert!(!list.contains(&"USER".to_owned()));
        assert!(!list.contains(&"STLS".to_owned()));
        assert!(list.contains(&"TOP".to_owned()));
    }

    #[test]
    fn login_delay_is_announced_when_configured() {
        let list = capabilities(CapabilityState {
            login_delay_seconds: 300,
            ..state()
        });
        assert!(list.contains(&"LOGIN-DELAY 300".to_owned()));
    }
}
