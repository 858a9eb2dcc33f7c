//! Aliases: an address that delivers to one or more users, and the per-domain
//! catch-all written `@domain`. Also the reverse view, the addresses a user
//! may send as.

use std::fmt;

use rusqlite::{Connection, OptionalExtension, params};

use super::domains::require_local;
use super::users::find_user;
use super::{Directory, DirectoryError};
use crate::auth::address::{Address, DomainName};
use crate::store::AccountId;

/// The address side of an alias.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AliasAddress {
    /// One address, `sales@example.org`.
    Address(Address),
    /// Every address of a domain that no user or alias claims, `@example.org`.
    CatchAll(DomainName),
}

impl AliasAddress {
    /// Parses `local@domain` or, for a catch-all, `@domain`.
    pub fn parse(text: &str) -> Result<Self, DirectoryError> {
        Ok(match text.strip_prefix('@') {
            Some(domain) => Self::CatchAll(DomainName::parse(domain)?),
            None => Self::Address(Address::parse(text)?),
        })
    }

    pub fn domain(&self) -> DomainName {
        match self {
            Self::Address(address) => address.domain(),
            Self::CatchAll(domain) => domain.clone(),
        }
    }

    /// The form stored in the database and shown to the admin.
    fn stored(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for AliasAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Address(address) => address.fmt(f),
            Self::CatchAll(domain) => write!(f, "@{domain}"),
        }
    }
}

/// An alias and the users it delivers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub address: AliasAddress,
    /// The target users' logins, sorted.
    pub targets: Vec<Address>,
}

impl Directory {
    /// Adds `targets` (user logins) to the alias `address`, creating it if it
    /// does not exist yet; targets it already has are kept once. The alias
    /// domain must be local and the address must not be a user's login.
    pub fn add_alias(&self, address: &str, targets: &[&str]) -> Result<(), DirectoryError> {
        let alias = AliasAddress::parse(address)?;
        if targets.is_empty() {
            return Err(DirectoryError::NoAliasTargets);
        }
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        let domain = alias.domain();
        require_local(&transaction, &domain)?;
        if let AliasAddress::Address(address) = &alias
            && find_user(&transaction, address)?.is_some()
        {
            return Err(DirectoryError::AddressIsUser(address.to_string()));
        }
        for target in targets {
            let login = Address::parse(target)?;
            let user = find_user(&transaction, &login)?
                .ok_or_else(|| DirectoryError::AliasTargetUnknown(login.to_string()))?;
            transaction.execute(
                "INSERT INTO alias_targets (address, domain, user_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (address, user_id) DO NOTHING",
                params![alias.stored(), domain.as_str(), user.id.0],
            )?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// Removes an alias with all its targets.
    pub fn remove_alias(&self, address: &str) -> Result<(), DirectoryError> {
        let alias = AliasAddress::parse(address)?;
        let removed = self.connection().execute(
            "DELETE FROM alias_targets WHERE address = ?1",
            params![alias.stored()],
        )?;
        if removed == 0 {
            return Err(DirectoryError::AliasNotFound(alias.to_string()));
        }
        Ok(())
    }

    /// Removes one target from an alias; the alias disappears with its last target.
    pub fn remove_alias_target(&self, address: &str, target: &str) -> Result<(), DirectoryError> {
        let alias = AliasAddress::parse(address)?;
        let target = Address::parse(target)?;
        let removed = self.connection().execute(
            "DELETE FROM alias_targets
             WHERE address = ?1 AND user_id = (SELECT id FROM users WHERE login = ?2)",
            params![alias.stored(), target.as_str()],
        )?;
        if removed == 0 {
            return Err(DirectoryError::AliasTargetNotFound {
                alias: alias.to_string(),
                target: target.to_string(),
            });
        }
        Ok(())
    }

    /// Every alias with its targets, sorted by address.
    pub fn list_aliases(&self) -> Result<Vec<Alias>, DirectoryError> {
        let connection = self.connection();
        let mut statement = connection.prepare_cached(
            "SELECT a.address, u.login FROM alias_targets a JOIN users u ON u.id = a.user_id
             ORDER BY a.address, u.login",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut aliases: Vec<Alias> = Vec::new();
        for row in rows {
            let (address, login) = row?;
            let address = AliasAddress::parse(&address)?;
            let target = Address::parse(&login)?;
            match aliases.last_mut() {
                Some(last) if last.address == address => last.targets.push(target),
                _ => aliases.push(Alias {
                    address,
                    targets: vec![target],
                }),
            }
        }
        Ok(aliases)
    }

    /// The addresses the user may send as: the primary address first, then
    /// every alias that includes the user, sorted. A catch-all in the list
    /// stands for every address of its domain.
    pub fn addresses_of(&self, account: AccountId) -> Result<Vec<AliasAddress>, DirectoryError> {
        let connection = self.connection();
        let login: Option<String> = connection
            .prepare_cached("SELECT login FROM users WHERE id = ?1")?
            .query_row(params![account.0], |row| row.get(0))
            .optional()?;
        let login = login
            .ok_or_else(|| DirectoryError::UserNotFound(format!("account id {}", account.0)))?;
        let mut addresses = vec![AliasAddress::Address(Address::parse(&login)?)];
        addresses.extend(alias_addresses_of(&connection, account)?);
        Ok(addresses)
    }
}

fn alias_addresses_of(
    connection: &Connection,
    account: AccountId,
) -> Result<Vec<AliasAddress>, DirectoryError> {
    let mut statement = connection
        .prepare_cached("SELECT address FROM alias_targets WHERE user_id = ?1 ORDER BY address")?;
    let rows = statement.query_map(params![account.0], |row| row.get::<_, String>(0))?;
    let mut addresses = Vec::new();
    for row in rows {
        addresses.push(AliasAddress::parse(&row?)?);
    }
    Ok(addresses)
}

/// The users an alias address delivers to, as (id, login, enabled) rows.
pub(super) fn alias_targets(
    connection: &Connection,
    alias: &AliasAddress,
) -> Result<Vec<(AccountId, Address, bool)>, DirectoryError> {
    let mut statement = connection.prepare_cached(
        "SELECT u.id, u.login, u.enabled FROM alias_targets a JOIN users u ON u.id = a.user_id
         WHERE a.address = ?1 ORDER BY u.id",
    )?;
    let rows = statement.query_map(params![alias.stored()], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, bool>(2)?,
        ))
    })?;
    let mut targets = Vec::new();
    for row in rows {
        let (id, login, enabled) = row?;
        targets.push((AccountId(id), Address::parse(&login)?, enabled));
    }
    Ok(targets)
}
