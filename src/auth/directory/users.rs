//! Users: the accounts that log in and own mailboxes, and the login check.
//!
//! A user's login is their primary address. The id comes from an
//! AUTOINCREMENT column, so an id is never handed out twice, even after the
//! user is deleted: the store names a user's files by it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

use super::domains::require_local;
use super::{Directory, DirectoryError, unix_now};
use crate::auth::address::Address;
use crate::auth::password::{Password, PhcString, hash_password, verify_dummy, verify_password};
use crate::store::AccountId;

/// An account as the directory knows it (without its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: AccountId,
    /// The primary address, lowercased.
    pub login: Address,
    /// A disabled user can neither log in nor receive mail.
    pub enabled: bool,
    /// The mailbox quota in bytes; `None` is unlimited.
    pub quota_bytes: Option<u64>,
    pub created: SystemTime,
}

/// The outcome of checking a login and password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginCheck {
    /// The password is right and the account enabled.
    Valid(User),
    /// The password is right but the account is disabled.
    Disabled(User),
    /// The login exists and the password is wrong.
    WrongPassword,
    /// No user has this login (a dummy verification was still spent).
    UnknownUser,
}

/// The columns [`UserRow::read`] expects, in order.
const USER_COLUMNS: &str = "id, login, enabled, quota_bytes, created";

struct UserRow {
    id: i64,
    login: String,
    enabled: bool,
    quota_bytes: Option<i64>,
    created: i64,
}

impl UserRow {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            login: row.get(1)?,
            enabled: row.get(2)?,
            quota_bytes: row.get(3)?,
            created: row.get(4)?,
        })
    }

    fn into_user(self) -> Result<User, DirectoryError> {
        Ok(User {
            id: AccountId(self.id),
            login: Address::parse(&self.login)?,
            enabled: self.enabled,
            // A negative quota can only come from a hand-edited database; treat it as none.
            quota_bytes: self.quota_bytes.and_then(|q| u64::try_from(q).ok()),
            created: UNIX_EPOCH + Duration::from_secs(u64::try_from(self.created).unwrap_or(0)),
        })
    }
}

impl Directory {
    /// Creates a user. The login's domain must be local and the address must
    /// not already be a user or an alias.
    pub fn add_user(&self, login: &str, password: &Password) -> Result<User, DirectoryError> {
        let login = Address::parse(login)?;
        // Hash before taking the lock: argon2 is the slow part.
        let hash = hash_new_password(password)?;
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        let domain = login.domain();
        require_local(&transaction, &domain)?;
        let is_alias = transaction
            .query_row(
                "SELECT 1 FROM alias_targets WHERE address = ?1",
                params![login.as_str()],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if is_alias {
            return Err(DirectoryError::AddressIsAlias(login.to_string()));
        }
        let inserted = transaction.execute(
            "INSERT INTO users (login, domain, password_hash, created) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (login) DO NOTHING",
            params![login.as_str(), domain.as_str(), hash.as_str(), unix_now()],
        )?;
        if inserted == 0 {
            return Err(DirectoryError::UserExists(login.to_string()));
        }
        let user = find_user(&transaction, &login)?
            .ok_or_else(|| DirectoryError::UserNotFound(login.to_string()))?;
        transaction.commit()?;
        Ok(user)
    }

    /// Replaces a user's password.
    pub fn set_password(&self, login: &str, password: &Password) -> Result<(), DirectoryError> {
        let login = Address::parse(login)?;
        let hash = hash_new_password(password)?;
        self.update_user(
            &login,
            "password_hash = ?2",
            params![login.as_str(), hash.as_str()],
        )
    }

    /// Enables or disables a user.
    pub fn set_enabled(&self, login: &str, enabled: bool) -> Result<(), DirectoryError> {
        let login = Address::parse(login)?;
        self.update_user(&login, "enabled = ?2", params![login.as_str(), enabled])
    }

    /// Sets a user's quota in bytes; `None` removes it.
    pub fn set_quota(&self, login: &str, quota_bytes: Option<u64>) -> Result<(), DirectoryError> {
        let login = Address::parse(login)?;
        let quota = quota_bytes
            .map(|q| i64::try_from(q).map_err(|_| DirectoryError::QuotaTooLarge(q)))
            .transpose()?;
        self.update_user(&login, "quota_bytes = ?2", params![login.as_str(), quota])
    }

    fn update_user(
        &self,
        login: &Address,
        assignment: &str,
        values: &[&dyn rusqlite::ToSql],
    ) -> Result<(), DirectoryError> {
        let sql = format!("UPDATE users SET {assignment} WHERE login = ?1");
        let updated = self.connection().execute(&sql, values)?;
        if updated == 0 {
            return Err(DirectoryError::UserNotFound(login.to_string()));
        }
        Ok(())
    }

    /// Deletes a user and removes them from every alias. Their id is never
    /// given to another user. The user's mail is the store's business.
    pub fn delete_user(&self, login: &str) -> Result<User, DirectoryError> {
        let login = Address::parse(login)?;
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        let user = find_user(&transaction, &login)?
            .ok_or_else(|| DirectoryError::UserNotFound(login.to_string()))?;
        transaction.execute("DELETE FROM users WHERE id = ?1", params![user.id.0])?;
        transaction.commit()?;
        Ok(user)
    }

    /// The user with this login, if any (case-insensitive).
    pub fn user(&self, login: &str) -> Result<Option<User>, DirectoryError> {
        let login = Address::parse(login)?;
        find_user(&self.connection(), &login)
    }

    /// The user with this id, if any.
    pub fn user_by_id(&self, id: AccountId) -> Result<Option<User>, DirectoryError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
        let row = self
            .connection()
            .prepare_cached(&sql)?
            .query_row(params![id.0], UserRow::read)
            .optional()?;
        row.map(UserRow::into_user).transpose()
    }

    /// Every user, sorted by login.
    pub fn list_users(&self) -> Result<Vec<User>, DirectoryError> {
        let connection = self.connection();
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY login");
        let mut statement = connection.prepare_cached(&sql)?;
        let rows = statement.query_map([], UserRow::read)?;
        let mut users = Vec::new();
        for row in rows {
            users.push(row?.into_user()?);
        }
        Ok(users)
    }

    /// Checks a login and password. Exactly one argon2 verification is spent
    /// whatever the outcome (a dummy one for an unknown or malformed login),
    /// so the time taken does not tell which logins exist. The disabled state
    /// is only revealed to a caller who knows the password.
    pub fn check_login(
        &self,
        login: &str,
        password: &Password,
    ) -> Result<LoginCheck, DirectoryError> {
        let Ok(login) = Address::parse(login) else {
            verify_dummy(password);
            return Ok(LoginCheck::UnknownUser);
        };
        let found = {
            let connection = self.connection();
            let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE login = ?1");
            connection
                .prepare_cached(&sql)?
                .query_row(params![login.as_str()], |row| {
                    Ok((UserRow::read(row)?, row.get::<_, String>(5)?))
                })
                .optional()?
        };
        let Some((row, hash)) = found else {
            verify_dummy(password);
            return Ok(LoginCheck::UnknownUser);
        };
        if !verify_password(password, &PhcString::from_stored(hash)) {
            return Ok(LoginCheck::WrongPassword);
        }
        let user = row.into_user()?;
        Ok(if user.enabled {
            LoginCheck::Valid(user)
        } else {
            LoginCheck::Disabled(user)
        })
    }
}

/// Hashes a password an admin sets. An empty one is refused: SASL PLAIN
/// could never send it (RFC 4616 2), so it would only be a trap.
fn hash_new_password(password: &Password) -> Result<PhcString, DirectoryError> {
    if password.expose().is_empty() {
        return Err(DirectoryError::EmptyPassword);
    }
    Ok(hash_password(password)?)
}

/// The user with this login, on a connection the caller holds.
pub(super) fn find_user(
    connection: &Connection,
    login: &Address,
) -> Result<Option<User>, DirectoryError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE login = ?1");
    let row = connection
        .prepare_cached(&sql)?
        .query_row(params![login.as_str()], UserRow::read)
        .optional()?;
    row.map(UserRow::into_user).transpose()
}
