//! The capability list (RFC 9051 §6.1.1, §7.2.2): computed in one place from
//! what the session can do right now, so the list never drifts from the code.
//! Advertises only what the session implements; it must not look at the
//! store or write responses.

use crate::auth::sasl::advertised_mechanisms;
use crate::imap::search::ThreadAlgorithm;

/// What the capability list depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapabilityState {
    /// The connection is already TLS.
    pub tls: bool,
    /// STARTTLS can still be offered (a STARTTLS listener, not yet upgraded).
    pub starttls: bool,
    /// LOGIN and AUTHENTICATE may be used now (TLS, or configured loopback).
    pub auth_allowed: bool,
    pub authenticated: bool,
}

/// The capabilities to advertise in `state`, IMAP4rev1 first (RFC 9051 §7.2.2
/// lets a server list both revisions).
pub fn capabilities(state: CapabilityState) -> Vec<String> {
    let mut caps: Vec<String> = [
        "IMAP4rev1",
        "IMAP4rev2",
        "LITERAL+",
        "ENABLE",
        "ID",
        "SASL-IR",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    if !state.authenticated {
        if state.starttls && !state.tls {
            caps.push("STARTTLS".into());
        }
        if state.auth_allowed {
            caps.extend(
                advertised_mechanisms()
                    .iter()
                    .map(|m| format!("AUTH={}", m.name())),
            );
        } else {
            caps.push("LOGINDISABLED".into());
        }
        return caps;
    }
    caps.extend(
        [
            "IDLE",
            "NAMESPACE",
            "UIDPLUS",
            "MOVE",
            "UNSELECT",
            "CONDSTORE",
            "QRESYNC",
            "BINARY",
            "MULTIAPPEND",
            "UTF8=ACCEPT",
            "CREATE-SPECIAL-USE",
            "SPECIAL-USE",
            "CHILDREN",
            "LIST-EXTENDED",
            "LIST-STATUS",
            "STATUS=SIZE",
            "QUOTA",
            "QUOTA=RES-STORAGE",
            "ESEARCH",
            "SEARCHRES",
            "WITHIN",
            "SORT",
            "SORT=DISPLAY",
        ]
        .into_iter()
        .map(String::from),
    );
    caps.extend(
        ThreadAlgorithm::ALL
            .iter()
            .map(|algorithm| format!("THREAD={}", algorithm.name())),
    );
    caps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(tls: bool, auth_allowed: bool, authenticated: bool) -> CapabilityState {
        CapabilityState {
            tls,
            starttls: true,
            auth_allowed,
            authenticated,
        }
    }

    #[test]
    fn plaintext_without_permission_says_logindisabled_and_no_auth() {
        let caps = capabilities(state(false, false, false));
        assert!(caps.iter().any(|c| c == "LOGINDISABLED"));
        assert!(caps.iter().any(|c| c == "STARTTLS"));
        assert!(!caps.iter().any(|c| c.starts_with("AUTH=")));
    }

    #[test]
    fn after_tls_auth_is_offered_and_starttls_is_not() {
        let caps = capabilities(state(true, true, false));
        assert!(caps.iter().any(|c| c == "AUTH=PLAIN"));
        assert!(!caps.iter().any(|c| c == "STARTTLS" || c == "LOGINDISABLED"));
    }

    #[test]
    fn after_login_the_selected_state_extensions_appear() {
        let caps = capabilities(state(true, true, true));
        assert!(caps.iter().any(|c| c == "IDLE"));
        assert!(caps.iter().any(|c| c == "UIDPLUS"));
        assert!(!caps.iter().any(|c| c.starts_with("AUTH=")));
    }
}
