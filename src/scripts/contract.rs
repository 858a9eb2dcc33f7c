//! [`ScriptStore`] for the Sieve stage: the scripts of a delivery in order,
//! and what `include` finds.

use super::admin::AdminPosition;
use super::managed::{MANAGED_SCRIPT_NAME, managed_script};
use super::{ScriptName, ScriptStorage, ScriptsError};
use crate::auth::AliasAddress;
use crate::delivery::{IncludeLocation, ScriptKind, ScriptStore, ScriptStoreError, StoredScript};
use crate::store::AccountId;

impl From<ScriptsError> for ScriptStoreError {
    fn from(error: ScriptsError) -> Self {
        ScriptStoreError(error.to_string())
    }
}

impl ScriptStore for ScriptStorage {
    fn scripts_for(&self, account: AccountId) -> Result<Vec<StoredScript>, ScriptStoreError> {
        let mut scripts = Vec::new();
        let admin = |kind, position: AdminPosition| -> Result<Option<StoredScript>, ScriptsError> {
            Ok(self.admin_script(position)?.map(|source| StoredScript {
                kind,
                name: format!("admin-{}", position.key()),
                source,
            }))
        };
        scripts.extend(admin(ScriptKind::AdminBefore, AdminPosition::Before)?);
        let vacation = self.vacation(account)?;
        let forwarding = self.forwarding(account)?;
        let own_addresses = match vacation.as_ref().filter(|vacation| vacation.enabled) {
            Some(_) => self
                .directory()
                .addresses_of(account)
                .map_err(ScriptsError::from)?
                .into_iter()
                .filter_map(|address| match address {
                    AliasAddress::Address(address) => Some(address),
                    // A catch-all names no address a sender would write.
                    AliasAddress::CatchAll(_) => None,
                })
                .collect(),
            None => Vec::new(),
        };
        if let Some(source) = managed_script(vacation.as_ref(), forwarding.as_ref(), &own_addresses)
        {
            scripts.push(StoredScript {
                kind: ScriptKind::Managed,
                name: MANAGED_SCRIPT_NAME.to_owned(),
                source,
            });
        }
        if let Some((name, source)) = self.active_script(account)? {
            scripts.push(StoredScript {
                kind: ScriptKind::Personal,
                name,
                source,
            });
        }
        scripts.extend(admin(ScriptKind::AdminAfter, AdminPosition::After)?);
        Ok(scripts)
    }

    fn include(
        &self,
        account: AccountId,
        location: IncludeLocation,
        name: &str,
    ) -> Result<Option<String>, ScriptStoreError> {
        // A name no script can have finds nothing (RFC 6609 §3.2 leaves the
        // missing-script case to the interpreter).
        let Ok(name) = ScriptName::parse(name) else {
            return Ok(None);
        };
        let found = match location {
            IncludeLocation::Global => self.global_script(&name)?,
            IncludeLocation::Personal => match self.get_script(account, &name) {
                Ok(source) => Some(source),
                Err(ScriptsError::NoSuchScript(_)) => None,
                Err(error) => return Err(error.into()),
            },
        };
        Ok(found)
    }
}
