//! The admin's scripts around every user's, and the global scripts that
//! `include :global` finds (RFC 6609 §3.2).

use rusqlite::{OptionalExtension, params};

use super::{ScriptName, ScriptStorage, ScriptsError};

/// Where an admin script runs relative to the user's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminPosition {
    Before,
    After,
}

impl AdminPosition {
    pub(super) fn key(self) -> &'static str {
        match self {
            Self::Before => "before",
            Self::After => "after",
        }
    }
}

impl ScriptStorage {
    /// Stores (or replaces) the admin script at `position`.
    pub fn put_admin_script(
        &self,
        position: AdminPosition,
        source: &str,
    ) -> Result<(), ScriptsError> {
        self.connection().execute(
            "INSERT INTO sieve_admin_scripts (position, source) VALUES (?1, ?2)
             ON CONFLICT (position) DO UPDATE SET source = excluded.source",
            params![position.key(), source],
        )?;
        Ok(())
    }

    /// Removes the admin script at `position`; `false` if there was none.
    pub fn delete_admin_script(&self, position: AdminPosition) -> Result<bool, ScriptsError> {
        let removed = self.connection().execute(
            "DELETE FROM sieve_admin_scripts WHERE position = ?1",
            [position.key()],
        )?;
        Ok(removed > 0)
    }

    pub fn admin_script(&self, position: AdminPosition) -> Result<Option<String>, ScriptsError> {
        Ok(self
            .connection()
            .prepare_cached("SELECT source FROM sieve_admin_scripts WHERE position = ?1")?
            .query_row([position.key()], |row| row.get(0))
            .optional()?)
    }

    /// Stores (or replaces) a global script.
    pub fn put_global_script(&self, name: &ScriptName, source: &str) -> Result<(), ScriptsError> {
        self.connection().execute(
            "INSERT INTO sieve_global_scripts (name, source) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET source = excluded.source",
            params![name.as_str(), source],
        )?;
        Ok(())
    }

    pub fn global_script(&self, name: &ScriptName) -> Result<Option<String>, ScriptsError> {
        Ok(self
            .connection()
            .prepare_cached("SELECT source FROM sieve_global_scripts WHERE name = ?1")?
            .query_row([name.as_str()], |row| row.get(0))
            .optional()?)
    }
}
