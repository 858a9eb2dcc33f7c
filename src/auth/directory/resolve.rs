//! Recipient resolution: which local users a recipient address delivers to.
//! SMTP RCPT uses it to accept or refuse a recipient, the delivery pipeline to
//! find the mailboxes.
//!
//! Order, most specific first: the exact address as a user, then as an alias;
//! then, for `local+detail@domain` (RFC 5233 plus-addressing), the address
//! without the detail as a user, then as an alias; finally the domain's
//! catch-all. The first match wins. Lookups are case-insensitive; the detail
//! is reported as the sender wrote it.

use rusqlite::Connection;

use super::aliases::{AliasAddress, alias_targets};
use super::domains::domain_exists;
use super::users::find_user;
use super::{Directory, DirectoryError};
use crate::auth::address::{Address, detail_as_given};
use crate::store::AccountId;

/// One user a recipient address delivers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRecipient {
    pub account: AccountId,
    /// The user's primary address.
    pub login: Address,
    /// A disabled user must not receive mail: delivery refuses this recipient.
    pub enabled: bool,
    /// The plus-address detail as given (`Lists` for `alice+Lists@...`), for Sieve `:detail`.
    pub detail: Option<String>,
}

/// Where a recipient address goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Local users, one entry per account, ordered by account id.
    Local(Vec<LocalRecipient>),
    /// The domain is not ours: without authentication SMTP answers relay denied.
    DomainNotLocal,
    /// A local domain without this user, alias or a catch-all (550 5.1.1).
    NoSuchUser,
}

impl Directory {
    /// Resolves a recipient address (see the module doc for the order).
    /// A syntactically invalid address is an error, not a resolution.
    pub fn resolve_recipient(&self, address: &str) -> Result<Resolution, DirectoryError> {
        let parsed = Address::parse(address)?;
        let connection = self.connection();
        if !domain_exists(&connection, &parsed.domain())? {
            return Ok(Resolution::DomainNotLocal);
        }
        if let Some(found) = lookup(&connection, &parsed, None)? {
            return Ok(Resolution::Local(found));
        }
        let detail = detail_as_given(address);
        if let (Some(base), Some(detail)) = (parsed.without_detail(), detail)
            && let Some(found) = lookup(&connection, &base, Some(detail))?
        {
            return Ok(Resolution::Local(found));
        }
        let catch_all = alias_targets(&connection, &AliasAddress::CatchAll(parsed.domain()))?;
        if catch_all.is_empty() {
            return Ok(Resolution::NoSuchUser);
        }
        Ok(Resolution::Local(recipients(catch_all, detail)))
    }
}

/// `address` as a user, else as an alias; `None` when it is neither.
fn lookup(
    connection: &Connection,
    address: &Address,
    detail: Option<&str>,
) -> Result<Option<Vec<LocalRecipient>>, DirectoryError> {
    if let Some(user) = find_user(connection, address)? {
        return Ok(Some(recipients(
            vec![(user.id, user.login, user.enabled)],
            detail,
        )));
    }
    let targets = alias_targets(connection, &AliasAddress::Address(address.clone()))?;
    Ok((!targets.is_empty()).then(|| recipients(targets, detail)))
}

/// Alias targets are unique per account by the table's primary key, so no
/// further de-duplication is needed here.
fn recipients(
    targets: Vec<(AccountId, Address, bool)>,
    detail: Option<&str>,
) -> Vec<LocalRecipient> {
    targets
        .into_iter()
        .map(|(account, login, enabled)| LocalRecipient {
            account,
            login,
            enabled,
            detail: detail.map(str::to_owned),
        })
        .collect()
}
