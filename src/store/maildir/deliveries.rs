//! Delivery de-duplication (DESIGN.md, "How a message travels"): the ids
//! local delivery attaches to its appends, kept in the account's index and
//! committed in the same transaction as the message, so a queue retry after
//! a crash finds the message already stored.

use rusqlite::{OptionalExtension, Transaction, params};

use super::messages::now;
use crate::store::backend::DELIVERY_ID_RETENTION;
use crate::store::error::StoreError;
use crate::store::types::Uid;

/// The UID a delivery id was stored under, if it was.
pub fn stored_uid(tx: &Transaction<'_>, id: Option<&str>) -> Result<Option<Uid>, StoreError> {
    let Some(id) = id else { return Ok(None) };
    Ok(tx
        .prepare_cached("SELECT uid FROM deliveries WHERE delivery_id = ?1")?
        .query_row([id], |r| Ok(Uid(r.get(0)?)))
        .optional()?)
}

pub fn record(tx: &Transaction<'_>, id: Option<&str>, uid: Uid) -> Result<(), StoreError> {
    let Some(id) = id else { return Ok(()) };
    tx.prepare_cached(
        "INSERT OR REPLACE INTO deliveries (delivery_id, uid, stored_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![id, uid.0, now().0])?;
    Ok(())
}

/// Forgets ids older than the retention; no queue retries that long.
pub fn prune(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let cutoff = now().0 - DELIVERY_ID_RETENTION.as_secs() as i64;
    tx.execute("DELETE FROM deliveries WHERE stored_at < ?1", [cutoff])?;
    Ok(())
}
