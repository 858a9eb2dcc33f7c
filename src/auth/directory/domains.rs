//! Local domains: the domains postamt accepts mail for.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Directory, DirectoryError, unix_now};
use crate::auth::address::DomainName;

impl Directory {
    /// Adds a local domain (validated and lowercased).
    pub fn add_domain(&self, name: &str) -> Result<DomainName, DirectoryError> {
        let domain = DomainName::parse(name)?;
        let connection = self.connection();
        let inserted = connection.execute(
            "INSERT INTO domains (name, created) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            params![domain.as_str(), unix_now()],
        )?;
        if inserted == 0 {
            return Err(DirectoryError::DomainExists(domain.to_string()));
        }
        Ok(domain)
    }

    /// Every local domain, sorted by name.
    pub fn list_domains(&self) -> Result<Vec<DomainName>, DirectoryError> {
        let connection = self.connection();
        let mut statement = connection.prepare_cached("SELECT name FROM domains ORDER BY name")?;
        let names = statement.query_map([], |row| row.get::<_, String>(0))?;
        let mut domains = Vec::new();
        for name in names {
            domains.push(DomainName::parse(&name?)?);
        }
        Ok(domains)
    }

    /// Deletes a local domain. Refused while a user or an alias still has an
    /// address in it: deleting it would silently orphan their mail.
    pub fn delete_domain(&self, name: &str) -> Result<(), DirectoryError> {
        let domain = DomainName::parse(name)?;
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        let (users, aliases): (i64, i64) = transaction.query_row(
            "SELECT (SELECT count(*) FROM users WHERE domain = ?1),
                    (SELECT count(*) FROM alias_targets WHERE domain = ?1)",
            params![domain.as_str()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        if users > 0 || aliases > 0 {
            return Err(DirectoryError::DomainInUse {
                domain: domain.to_string(),
                users: users.unsigned_abs(),
                aliases: aliases.unsigned_abs(),
            });
        }
        let deleted = transaction.execute(
            "DELETE FROM domains WHERE name = ?1",
            params![domain.as_str()],
        )?;
        if deleted == 0 {
            return Err(DirectoryError::DomainNotFound(domain.to_string()));
        }
        transaction.commit()?;
        Ok(())
    }

    /// Whether postamt accepts mail for `name`. A name that is not a valid
    /// domain is simply not local.
    pub fn is_local_domain(&self, name: &str) -> Result<bool, DirectoryError> {
        let Ok(domain) = DomainName::parse(name) else {
            return Ok(false);
        };
        domain_exists(&self.connection(), &domain)
    }
}

/// Whether `domain` is a local domain, on a connection the caller holds.
pub(super) fn domain_exists(
    connection: &Connection,
    domain: &DomainName,
) -> Result<bool, DirectoryError> {
    let found = connection
        .prepare_cached("SELECT 1 FROM domains WHERE name = ?1")?
        .query_row(params![domain.as_str()], |_| Ok(()))
        .optional()?;
    Ok(found.is_some())
}

/// Fails with [`DirectoryError::DomainNotLocal`] unless `domain` is local.
pub(super) fn require_local(
    connection: &Connection,
    domain: &DomainName,
) -> Result<(), DirectoryError> {
    if domain_exists(connection, domain)? {
        Ok(())
    } else {
        Err(DirectoryError::DomainNotLocal(domain.to_string()))
    }
}
