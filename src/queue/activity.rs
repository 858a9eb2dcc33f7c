//! What the queue worker is doing now, for `postamt queue list` in another
//! process: each recipient in delivery with its step ("routing", a stage's
//! name, "store", "remote example.org") and since when, published to
//! `queue/activity.json` about every second while it changes.
//!
//! Advisory only: written without fsync and replaced whole by a rename, so a
//! reader sees one snapshot or the one before. A snapshot older than
//! [`STALE_AFTER_MS`] means no daemon is publishing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::envelope::QueueId;
use super::spool::now_ms;

/// A snapshot older than this was not written by a running daemon.
pub const STALE_AFTER_MS: i64 = 10_000;

/// One recipient's current step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The queue id, as `postamt queue list` shows it.
    pub id: String,
    pub recipient: u32,
    pub step: String,
    /// When the step began, in milliseconds since the Unix epoch.
    pub since_ms: i64,
}

/// The published file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivitySnapshot {
    pub written_ms: i64,
    pub steps: Vec<Step>,
}

impl ActivitySnapshot {
    /// The snapshot under `queue_dir`, when a running daemon wrote it.
    pub fn read_fresh(queue_dir: &Path, now_ms: i64) -> Option<Self> {
        let text = std::fs::read(file(queue_dir)).ok()?;
        let snapshot: Self = serde_json::from_slice(&text).ok()?;
        (now_ms - snapshot.written_ms < STALE_AFTER_MS).then_some(snapshot)
    }

    /// The step of `recipient` of message `id`, if it is in delivery.
    pub fn step(&self, id: QueueId, recipient: u32) -> Option<&Step> {
        let id = id.to_string();
        self.steps
            .iter()
            .find(|s| s.id == id && s.recipient == recipient)
    }
}

fn file(queue_dir: &Path) -> PathBuf {
    queue_dir.join("activity.json")
}

/// The worker's record of its steps.
#[derive(Default)]
pub struct Activity {
    steps: Mutex<BTreeMap<(QueueId, u32), (String, i64)>>,
    changed: AtomicBool,
}

impl Activity {
    fn steps(&self) -> std::sync::MutexGuard<'_, BTreeMap<(QueueId, u32), (String, i64)>> {
        self.steps.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `recipient` of `id` begins `step`.
    pub fn begin(&self, id: QueueId, recipient: u32, step: &str) {
        self.steps()
            .insert((id, recipient), (step.to_owned(), now_ms()));
        self.changed.store(true, Ordering::Relaxed);
    }

    /// `recipient` of `id` is done with this attempt.
    pub fn end(&self, id: QueueId, recipient: u32) {
        self.steps().remove(&(id, recipient));
        self.changed.store(true, Ordering::Relaxed);
    }

    /// Every recipient of `id` is done with this attempt.
    pub fn end_message(&self, id: QueueId) {
        self.steps().retain(|(message, _), _| *message != id);
        self.changed.store(true, Ordering::Relaxed);
    }

    /// Writes the snapshot under `queue_dir` when something changed since the
    /// last one, or when the last is about to look stale.
    pub fn publish(&self, queue_dir: &Path, last_written_ms: &mut i64) -> std::io::Result<()> {
        let now = now_ms();
        let due = now - *last_written_ms >= STALE_AFTER_MS / 2;
        if !self.changed.swap(false, Ordering::Relaxed) && !due {
            return Ok(());
        }
        let steps = self
            .steps()
            .iter()
            .map(|((id, recipient), (step, since_ms))| Step {
                id: id.to_string(),
                recipient: *recipient,
                step: step.clone(),
                since_ms: *since_ms,
            })
            .collect();
        let snapshot = ActivitySnapshot {
            written_ms: now,
            steps,
        };
        let json = serde_json::to_vec(&snapshot).map_err(std::io::Error::other)?;
        let staged = queue_dir.join("activity.json.new");
        std::fs::write(&staged, json)?;
        std::fs::rename(&staged, file(queue_dir))?;
        *last_written_ms = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_step_is_read_back_until_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let activity = Activity::default();
        let mut written = 0;
        activity.begin(QueueId(7), 1, "antispam");
        activity.publish(dir.path(), &mut written).unwrap();
        let snapshot = ActivitySnapshot::read_fresh(dir.path(), now_ms()).unwrap();
        assert_eq!(snapshot.step(QueueId(7), 1).unwrap().step, "antispam");
        assert_eq!(snapshot.step(QueueId(7), 0), None);

        activity.end_message(QueueId(7));
        activity.publish(dir.path(), &mut written).unwrap();
        let snapshot = ActivitySnapshot::read_fresh(dir.path(), now_ms()).unwrap();
        assert!(snapshot.steps.is_empty());
    }

    #[test]
    fn an_old_snapshot_is_not_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let mut written = 0;
        Activity::default()
            .publish(dir.path(), &mut written)
            .unwrap();
        assert!(ActivitySnapshot::read_fresh(dir.path(), written + STALE_AFTER_MS).is_none());
        assert!(ActivitySnapshot::read_fresh(dir.path(), written + 1).is_some());
    }
}
