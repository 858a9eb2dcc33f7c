//! The mailbox list kept beside the index (`mailboxes.json`), rewritten
//! atomically after every change to the list, so that rebuilding a lost
//! index keeps folder names, special-use and subscriptions (invariant 2).

use std::collections::HashMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::files::{self, AccountDir};
use crate::store::error::StoreError;
use crate::store::types::{MailboxId, MailboxName, SpecialUse, UidValidity};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub mailboxes: Vec<ManifestEntry>,
    pub subscriptions: Vec<MailboxName>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub id: MailboxId,
    pub name: MailboxName,
    pub special_use: Option<SpecialUse>,
    pub protected: bool,
    pub uid_validity: UidValidity,
}

impl Manifest {
    pub fn by_id(&self) -> HashMap<MailboxId, &ManifestEntry> {
        self.mailboxes.iter().map(|e| (e.id, e)).collect()
    }
}

/// Reads the manifest; a missing or damaged one is empty (the rebuild then
/// names recovered mailboxes by id rather than failing).
pub fn read(dir: &AccountDir) -> Manifest {
    std::fs::read(dir.manifest())
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Rewrites the manifest after a committed change. The change stands even
/// if this fails (the manifest is a recovery aid, rewritten at every open),
/// so a failure is logged, not returned.
pub fn refresh(account: &super::Account) {
    if let Err(error) = write(&account.dir, &super::lock(&account.conn)) {
        tracing::warn!(account = account.id.0, %error, "mailbox manifest not rewritten");
    }
}

/// Rewrites the manifest from the index.
fn write(dir: &AccountDir, conn: &Connection) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, special_use, protected, uid_validity FROM mailboxes ORDER BY id",
    )?;
    let mut mailboxes = Vec::new();
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, u32>(4)?,
        ))
    })? {
        let (id, name, special_use, protected, uid_validity) = row?;
        if let Ok(name) = MailboxName::new(&name) {
            mailboxes.push(ManifestEntry {
                id: MailboxId(id),
                name,
                special_use: special_use.as_deref().and_then(SpecialUse::from_imap),
                protected,
                uid_validity: UidValidity(uid_validity),
            });
        }
    }
    let mut stmt = conn.prepare_cached("SELECT name FROM subscriptions ORDER BY name")?;
    let subscriptions = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .filter_map(|n| n.ok().and_then(|n| MailboxName::new(&n).ok()))
        .collect();
    let manifest = Manifest {
        mailboxes,
        subscriptions,
    };
    let bytes = serde_json::to_vec_pretty(&manifest)?;
    files::replace_atomically(&dir.manifest(), &dir.new_tmp(), &bytes)?;
    Ok(())
}
