//! Per-user out-of-office and automatic forwarding settings, which
//! [`super::managed`] turns into the Managed script. Refuses forwarding that
//! would bring mail back to the user (issue 6: loops are impossible).

use std::collections::{BTreeSet, VecDeque};

use rusqlite::{OptionalExtension, params};

use super::{ScriptStorage, ScriptsError, SieveDate};
use crate::auth::{Address, Resolution};
use crate::store::AccountId;

/// How many accounts the loop check follows at most: a forwarding graph
/// larger than this is refused rather than walked without bound.
const MAX_ACCOUNTS_FOLLOWED: usize = 256;

/// Out-of-office (RFC 5230 vacation, limited to a date range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vacation {
    pub enabled: bool,
    /// First day answered, inclusive.
    pub start: SieveDate,
    /// Last day answered, inclusive.
    pub end: SieveDate,
    pub subject: String,
    pub text: String,
    /// The reply's From (RFC 5230 §4.3 `:from`); the user's address otherwise.
    pub from: Option<Address>,
}

/// Automatic forwarding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forwarding {
    pub targets: Vec<Address>,
    /// Whether the user keeps a copy (`redirect :copy`, RFC 3894).
    pub keep_copy: bool,
}

impl ScriptStorage {
    /// Stores the out-of-office settings.
    pub fn set_vacation(
        &self,
        account: AccountId,
        vacation: &Vacation,
    ) -> Result<(), ScriptsError> {
        if vacation.end < vacation.start {
            return Err(ScriptsError::EndBeforeStart {
                start: vacation.start.clone(),
                end: vacation.end.clone(),
            });
        }
        self.connection().execute(
            "INSERT INTO vacation_settings (user_id, enabled, start_date, end_date, subject, body, from_addr)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (user_id) DO UPDATE SET enabled = excluded.enabled,
                 start_date = excluded.start_date, end_date = excluded.end_date,
                 subject = excluded.subject, body = excluded.body, from_addr = excluded.from_addr",
            params![
                account.0,
                vacation.enabled,
                vacation.start.as_str(),
                vacation.end.as_str(),
                vacation.subject,
                vacation.text,
                vacation.from.as_ref().map(Address::as_str),
            ],
        )?;
        Ok(())
    }

    /// Turns out-of-office off, keeping the text for next time; `false` if
    /// none was set.
    pub fn disable_vacation(&self, account: AccountId) -> Result<bool, ScriptsError> {
        let changed = self.connection().execute(
            "UPDATE vacation_settings SET enabled = 0 WHERE user_id = ?1",
            [account.0],
        )?;
        Ok(changed > 0)
    }

    pub fn vacation(&self, account: AccountId) -> Result<Option<Vacation>, ScriptsError> {
        let row = self
            .connection()
            .prepare_cached(
                "SELECT enabled, start_date, end_date, subject, body, from_addr
                 FROM vacation_settings WHERE user_id = ?1",
            )?
            .query_row([account.0], |row| {
                Ok((
                    row.get::<_, bool>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, Option<String>>(5)?,
                ))
            })
            .optional()?;
        let Some((enabled, start, end, subject, text, from)) = row else {
            return Ok(None);
        };
        Ok(Some(Vacation {
            enabled,
            start: SieveDate::parse(&start)?,
            end: SieveDate::parse(&end)?,
            subject,
            text,
            from: from.as_deref().map(Address::parse).transpose()?,
        }))
    }

    /// Stores the forwarding settings after refusing forwarding to the user
    /// themself, to an unknown local address, or to anyone whose own
    /// forwarding leads back (A→B→A, and longer cycles).
    pub fn set_forwarding(
        &self,
        account: AccountId,
        forwarding: &Forwarding,
    ) -> Result<(), ScriptsError> {
        if forwarding.targets.is_empty() {
            return Err(ScriptsError::NoForwardTargets);
        }
        for target in &forwarding.targets {
            self.refuse_loop(account, target)?;
        }
        let addresses: Vec<&str> = forwarding.targets.iter().map(Address::as_str).collect();
        self.connection().execute(
            "INSERT INTO forwarding_settings (user_id, addresses, keep_copy) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id) DO UPDATE SET addresses = excluded.addresses,
                 keep_copy = excluded.keep_copy",
            params![account.0, addresses.join("\n"), forwarding.keep_copy],
        )?;
        Ok(())
    }

    /// Stops forwarding; `false` if none was set.
    pub fn clear_forwarding(&self, account: AccountId) -> Result<bool, ScriptsError> {
        let removed = self.connection().execute(
            "DELETE FROM forwarding_settings WHERE user_id = ?1",
            [account.0],
        )?;
        Ok(removed > 0)
    }

    pub fn forwarding(&self, account: AccountId) -> Result<Option<Forwarding>, ScriptsError> {
        let row = self
            .connection()
            .prepare_cached(
                "SELECT addresses, keep_copy FROM forwarding_settings WHERE user_id = ?1",
            )?
            .query_row([account.0], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?))
            })
            .optional()?;
        let Some((addresses, keep_copy)) = row else {
            return Ok(None);
        };
        let targets = addresses
            .lines()
            .map(Address::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Forwarding { targets, keep_copy }))
    }

    /// Follows `target` through local users' forwarding; an error if it
    /// reaches `account`. Remote addresses end the walk: what another server
    /// does is out of sight (hop counts and Delivered-To catch that).
    fn refuse_loop(&self, account: AccountId, target: &Address) -> Result<(), ScriptsError> {
        let loop_error = || ScriptsError::ForwardLoop {
            user: self.login_of(account),
            target: target.to_string(),
        };
        let mut queue = VecDeque::from([(target.clone(), true)]);
        let mut followed = BTreeSet::new();
        while let Some((address, first_hop)) = queue.pop_front() {
            let recipients = match self.directory.resolve_recipient(address.as_str())? {
                Resolution::Local(recipients) => recipients,
                Resolution::DomainNotLocal => continue,
                Resolution::NoSuchUser => {
                    return Err(ScriptsError::UserNotFound(address.to_string()));
                }
            };
            for recipient in recipients {
                if recipient.account == account {
                    return Err(if first_hop {
                        ScriptsError::ForwardToSelf(address.to_string())
                    } else {
                        loop_error()
                    });
                }
                if !followed.insert(recipient.account) {
                    continue;
                }
                if followed.len() > MAX_ACCOUNTS_FOLLOWED {
                    return Err(loop_error());
                }
                if let Some(next) = self.forwarding(recipient.account)? {
                    queue.extend(next.targets.into_iter().map(|next| (next, false)));
                }
            }
        }
        Ok(())
    }

    fn login_of(&self, account: AccountId) -> String {
        match self.directory.user_by_id(account) {
            Ok(Some(user)) => user.login.to_string(),
            _ => format!("account {}", account.0),
        }
    }
}
