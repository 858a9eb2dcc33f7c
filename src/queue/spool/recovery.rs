//! What a crash leaves in the spool, tidied when the daemon opens it:
//! temporary files (never acknowledged) and message files whose row was
//! never committed (never acknowledged either) are removed. A row whose file
//! is missing is left for the worker, which fails and bounces it. A message
//! finished but not yet removed when the crash came is removed.

use super::Spool;
use crate::queue::db::QueueError;

pub(super) fn tidy(spool: &Spool) -> Result<(), QueueError> {
    for entry in std::fs::read_dir(spool.tmp_dir())? {
        let path = entry?.path();
        tracing::info!(path = %path.display(), "removing an unfinished spool file");
        std::fs::remove_file(&path)?;
    }
    let finished = spool.db().remove_finished()?;
    if finished > 0 {
        tracing::info!(finished, "removed finished messages left by a crash");
    }
    let queued: std::collections::HashSet<String> = spool
        .db()
        .ids()?
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    for entry in std::fs::read_dir(spool.messages_dir())? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !queued.contains(&name) {
            tracing::info!(file = %name, "removing a spool file without a queue row");
            std::fs::remove_file(entry.path())?;
        }
    }
    for id in spool.db().ids()? {
        if !spool.message_path(id).exists() {
            tracing::error!(queue_id = %id, "queued message file is missing; it will bounce");
        }
    }
    Ok(())
}
