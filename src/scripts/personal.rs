//! A user's named scripts (RFC 5804 §1.6): store, replace, rename, delete,
//! and which one is active.

use rusqlite::{Connection, OptionalExtension, params};

use super::{ScriptName, ScriptQuotas, ScriptStorage, ScriptsError};
use crate::store::AccountId;

/// One entry of a user's script list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptListing {
    pub name: ScriptName,
    pub active: bool,
}

impl ScriptStorage {
    /// The user's scripts, by name.
    pub fn list_scripts(&self, account: AccountId) -> Result<Vec<ScriptListing>, ScriptsError> {
        let connection = self.connection();
        let mut statement = connection.prepare_cached(
            "SELECT name, active FROM sieve_scripts WHERE user_id = ?1 ORDER BY name",
        )?;
        let rows = statement.query_map([account.0], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?))
        })?;
        let mut listings = Vec::new();
        for row in rows {
            let (name, active) = row?;
            // Names were validated when stored.
            if let Ok(name) = ScriptName::parse(&name) {
                listings.push(ScriptListing { name, active });
            }
        }
        Ok(listings)
    }

    /// A script's source.
    pub fn get_script(
        &self,
        account: AccountId,
        name: &ScriptName,
    ) -> Result<String, ScriptsError> {
        self.connection()
            .prepare_cached("SELECT source FROM sieve_scripts WHERE user_id = ?1 AND name = ?2")?
            .query_row(params![account.0, name.as_str()], |row| row.get(0))
            .optional()?
            .ok_or_else(|| ScriptsError::NoSuchScript(name.to_string()))
    }

    /// Whether a script of `size` octets named `name` would fit the quotas
    /// (RFC 5804 §2.3 HAVESPACE; PUTSCRIPT checks the same).
    pub fn check_space(
        &self,
        account: AccountId,
        name: &ScriptName,
        size: usize,
        quotas: ScriptQuotas,
    ) -> Result<(), ScriptsError> {
        check_space(&self.connection(), account, name, size, quotas)
    }

    /// Stores a script, replacing one of the same name (which stays active if
    /// it was, RFC 5804 §2.6). The caller has checked the syntax. The quota
    /// check and the insert share one write transaction, so two uploads at
    /// once cannot both take the last slot.
    pub fn put_script(
        &self,
        account: AccountId,
        name: &ScriptName,
        source: &str,
        quotas: ScriptQuotas,
    ) -> Result<(), ScriptsError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        check_space(&transaction, account, name, source.len(), quotas)?;
        transaction
            .prepare_cached(
                "INSERT INTO sieve_scripts (user_id, name, source) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id, name) DO UPDATE SET source = excluded.source",
            )?
            .execute(params![account.0, name.as_str(), source])?;
        transaction.commit()?;
        Ok(())
    }

    /// Makes `name` the active script, or deactivates all with `None`
    /// (RFC 5804 §2.8, `SETACTIVE ""`).
    pub fn set_active(
        &self,
        account: AccountId,
        name: Option<&ScriptName>,
    ) -> Result<(), ScriptsError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        if let Some(name) = name {
            let exists = transaction
                .prepare_cached("SELECT 1 FROM sieve_scripts WHERE user_id = ?1 AND name = ?2")?
                .query_row(params![account.0, name.as_str()], |_| Ok(()))
                .optional()?
                .is_some();
            if !exists {
                return Err(ScriptsError::NoSuchScript(name.to_string()));
            }
        }
        transaction
            .prepare_cached(
                "UPDATE sieve_scripts SET active = 0 WHERE user_id = ?1 AND active = 1",
            )?
            .execute([account.0])?;
        if let Some(name) = name {
            transaction
                .prepare_cached(
                    "UPDATE sieve_scripts SET active = 1 WHERE user_id = ?1 AND name = ?2",
                )?
                .execute(params![account.0, name.as_str()])?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// Deletes a script; the active one is refused (RFC 5804 §2.10).
    pub fn delete_script(&self, account: AccountId, name: &ScriptName) -> Result<(), ScriptsError> {
        let connection = self.connection();
        let active: bool = connection
            .prepare_cached("SELECT active FROM sieve_scripts WHERE user_id = ?1 AND name = ?2")?
            .query_row(params![account.0, name.as_str()], |row| row.get(0))
            .optional()?
            .ok_or_else(|| ScriptsError::NoSuchScript(name.to_string()))?;
        if active {
            return Err(ScriptsError::ScriptActive(name.to_string()));
        }
        connection
            .prepare_cached(
                "DELETE FROM sieve_scripts WHERE user_id = ?1 AND name = ?2 AND active = 0",
            )?
            .execute(params![account.0, name.as_str()])?;
        Ok(())
    }

    /// Renames a script, keeping whether it is active (RFC 5804 §2.11.1).
    pub fn rename_script(
        &self,
        account: AccountId,
        old: &ScriptName,
        new: &ScriptName,
    ) -> Result<(), ScriptsError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        let exists = |name: &ScriptName| -> rusqlite::Result<bool> {
            Ok(transaction
                .prepare_cached("SELECT 1 FROM sieve_scripts WHERE user_id = ?1 AND name = ?2")?
                .query_row(params![account.0, name.as_str()], |_| Ok(()))
                .optional()?
                .is_some())
        };
        if !exists(old)? {
            return Err(ScriptsError::NoSuchScript(old.to_string()));
        }
        if exists(new)? {
            return Err(ScriptsError::ScriptExists(new.to_string()));
        }
        transaction
            .prepare_cached("UPDATE sieve_scripts SET name = ?3 WHERE user_id = ?1 AND name = ?2")?
            .execute(params![account.0, old.as_str(), new.as_str()])?;
        transaction.commit()?;
        Ok(())
    }

    /// The active script's name and source, if one is active.
    pub fn active_script(
        &self,
        account: AccountId,
    ) -> Result<Option<(String, String)>, ScriptsError> {
        Ok(self
            .connection()
            .prepare_cached(
                "SELECT name, source FROM sieve_scripts WHERE user_id = ?1 AND active = 1",
            )?
            .query_row([account.0], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?)
    }
}

fn check_space(
    connection: &Connection,
    account: AccountId,
    name: &ScriptName,
    size: usize,
    quotas: ScriptQuotas,
) -> Result<(), ScriptsError> {
    if size > quotas.max_script_bytes {
        return Err(ScriptsError::ScriptTooLarge {
            limit: quotas.max_script_bytes,
        });
    }
    let (count, exists): (i64, bool) = connection
        .prepare_cached(
            "SELECT COUNT(*), COALESCE(SUM(name = ?2), 0) > 0 FROM sieve_scripts WHERE user_id = ?1",
        )?
        .query_row(params![account.0, name.as_str()], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
    if !exists && usize::try_from(count).unwrap_or(usize::MAX) >= quotas.max_scripts {
        return Err(ScriptsError::TooManyScripts {
            limit: quotas.max_scripts,
        });
    }
    Ok(())
}
