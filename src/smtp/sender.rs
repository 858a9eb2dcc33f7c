//! Which addresses an authenticated user may send as (RFC 6409 §6.1 leaves
//! the policy to the server): the login, its aliases, a catch-all's whole
//! domain, and the plus-addressed forms of each (RFC 5233). Pure: the
//! directory lookup is the session's.

use crate::auth::{Address, AliasAddress};

/// Whether `candidate` is one of `owned` (from `Directory::addresses_of`).
pub fn owns(owned: &[AliasAddress], candidate: &str) -> bool {
    let Ok(address) = Address::parse(candidate) else {
        return false;
    };
    let base = address.without_detail();
    owned.iter().any(|own| match own {
        AliasAddress::Address(own) => *own == address || base.as_ref() == Some(own),
        AliasAddress::CatchAll(domain) => *domain == address.domain(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned() -> Vec<AliasAddress> {
        vec![
            AliasAddress::parse("alice@example.test").unwrap(),
            AliasAddress::parse("sales@example.test").unwrap(),
            AliasAddress::parse("@alice.test").unwrap(),
        ]
    }

    #[test]
    fn login_alias_and_plus_forms_are_owned_in_any_case() {
        for address in [
            "alice@example.test",
            "Alice@Example.TEST",
            "sales@example.test",
            "alice+lists@example.test",
            "anything@alice.test",
        ] {
            assert!(owns(&owned(), address), "{address}");
        }
    }

    #[test]
    fn other_addresses_are_not_owned() {
        for address in [
            "bob@example.test",
            "alice@other.test",
            "+x@example.test",
            "garbage",
        ] {
            assert!(!owns(&owned(), address), "{address}");
        }
    }
}
