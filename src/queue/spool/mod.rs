//! The spool: `<data_dir>/queue/` holds `queue.db` (envelopes and recipient
//! states) and `messages/<queue id>` (the octets as received), with
//! `tmp/` for messages still arriving.
//!
//! The queue has its own database rather than tables in `postamt.db`: every
//! accepted message writes to it, and keeping those writes off the account
//! directory means a busy SMTP listener never makes a login or a RCPT lookup
//! wait for the write lock. It owns the files and the order in which they
//! become durable (DESIGN.md invariant 1); it must not decide anything about
//! delivery, which is the worker's job.

mod recovery;
mod writer;

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Notify;

use super::db::{Origin, QueueDb, QueueError, ReportMark};
use super::envelope::{Envelope, QueueId};
use super::sink::{MessageSink, SinkFuture, SpoolError, SpoolWriter};
use writer::SpoolFile;

/// The spool under one data dir. Cheap to share as `Arc<Spool>`.
pub struct Spool {
    committed: Arc<Committed>,
    /// `data_dir/queue`.
    root: PathBuf,
    tmp: PathBuf,
    /// Makes temporary names unique within this process; the pid covers
    /// other processes.
    tmp_counter: AtomicU64,
}

impl std::fmt::Debug for Spool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spool")
            .field("messages", &self.committed.messages)
            .finish_non_exhaustive()
    }
}

impl Spool {
    /// Opens the spool under `data_dir`, creating it, and tidies what a
    /// crash left: temporary files and message files without a row go.
    /// Blocking: call it at start-up or on the blocking pool.
    pub fn open(data_dir: &Path) -> Result<Arc<Spool>, QueueError> {
        let spool = Self::open_without_recovery(data_dir)?;
        recovery::tidy(&spool)?;
        Ok(Arc::new(spool))
    }

    /// Opens the database and directories only: for `postamt queue`, which
    /// must not delete a file the running daemon is about to commit.
    pub fn open_without_recovery(data_dir: &Path) -> Result<Spool, QueueError> {
        let root = data_dir.join("queue");
        let messages = root.join("messages");
        let tmp = root.join("tmp");
        for dir in [&root, &messages, &tmp] {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        let db = QueueDb::open(&root.join("queue.db"))?;
        Ok(Spool {
            committed: Arc::new(Committed {
                db: Arc::new(db),
                messages,
                wake: Notify::new(),
            }),
            root,
            tmp,
            tmp_counter: AtomicU64::new(0),
        })
    }

    /// The queue database, for the worker and the CLI.
    pub fn db(&self) -> &Arc<QueueDb> {
        &self.committed.db
    }

    /// Where a committed message's octets are.
    pub fn message_path(&self, id: QueueId) -> PathBuf {
        self.committed.message_path(id)
    }

    /// Wakes the worker: a message was queued or became due.
    pub fn wake(&self) {
        self.committed.wake.notify_one();
    }

    /// What the worker waits on between passes.
    pub(crate) fn woken(&self) -> &Notify {
        &self.committed.wake
    }

    /// Queues a message we wrote ourselves (a DSN, an automatic reply),
    /// marking in the same transaction the recipients it reports on, so
    /// each report is queued exactly once.
    pub async fn enqueue(
        &self,
        envelope: Envelope,
        octets: Vec<u8>,
        reports_on: Vec<ReportMark>,
    ) -> Result<QueueId, QueueError> {
        let path = self.tmp_path();
        let committed = self.committed.clone();
        let id = tokio::task::spawn_blocking(move || {
            let mut file = create_private(&path)?;
            let written = file.write_all(&octets).and_then(|()| file.sync_all());
            if let Err(error) = written {
                let _ = std::fs::remove_file(&path);
                return Err(error.into());
            }
            let size = octets.len() as u64;
            committed.commit_file(&path, size, &envelope, &reports_on, None)
        })
        .await
        .map_err(|_| QueueError::TaskFailed)??;
        self.wake();
        Ok(id)
    }

    /// Starts receiving a message that one delivery sends on (a forward):
    /// like [`MessageSink::receive`], with the commit recording `origin`.
    pub async fn receive_from(&self, origin: Origin) -> Result<Box<dyn SpoolWriter>, SpoolError> {
        let file = self.create_tmp().await?;
        Ok(Box::new(file.with_origin(origin)))
    }

    /// Whether a message with this origin is already queued.
    pub async fn queued_from(&self, origin: Origin) -> Result<bool, QueueError> {
        let db = Arc::clone(&self.committed.db);
        tokio::task::spawn_blocking(move || db.queued_from(&origin))
            .await
            .map_err(|_| QueueError::TaskFailed)?
    }

    async fn create_tmp(&self) -> Result<SpoolFile, SpoolError> {
        let path = self.tmp_path();
        let create = path.clone();
        let file = tokio::task::spawn_blocking(move || create_private(&create))
            .await
            .map_err(|_| SpoolError::Database("spool task failed".to_owned()))??;
        Ok(SpoolFile::new(self.committed.clone(), path, file))
    }

    fn tmp_path(&self) -> PathBuf {
        let n = self.tmp_counter.fetch_add(1, Ordering::Relaxed);
        self.tmp.join(format!("{}.{n}", std::process::id()))
    }

    /// The spool's own directory (`data_dir/queue`).
    pub fn dir(&self) -> &Path {
        &self.root
    }

    pub(crate) fn tmp_dir(&self) -> &Path {
        &self.tmp
    }

    pub(crate) fn messages_dir(&self) -> &Path {
        &self.committed.messages
    }
}

impl MessageSink for Spool {
    fn receive(&self) -> SinkFuture<'_, Box<dyn SpoolWriter>> {
        Box::pin(async move { Ok(Box::new(self.create_tmp().await?) as Box<dyn SpoolWriter>) })
    }
}

/// The committed side of the spool: what a writer needs to commit, owned
/// so the commit future can be `'static`.
pub(crate) struct Committed {
    db: Arc<QueueDb>,
    messages: PathBuf,
    wake: Notify,
}

impl Committed {
    fn message_path(&self, id: QueueId) -> PathBuf {
        self.messages.join(id.to_string())
    }

    /// Moves a fsynced temporary file into place under a fresh id, makes
    /// the rename durable, then commits the rows. Only after this returns
    /// may the message be acknowledged. On failure nothing is left behind.
    fn commit_file(
        &self,
        tmp: &Path,
        size: u64,
        envelope: &Envelope,
        reports_on: &[ReportMark],
        origin: Option<&Origin>,
    ) -> Result<QueueId, QueueError> {
        let id = match self.db.allocate_id() {
            Ok(id) => id,
            Err(error) => {
                let _ = std::fs::remove_file(tmp);
                return Err(error);
            }
        };
        let target = self.message_path(id);
        if let Err(error) = std::fs::rename(tmp, &target) {
            let _ = std::fs::remove_file(tmp);
            return Err(error.into());
        }
        let durable = std::fs::File::open(&self.messages)
            .and_then(|dir| dir.sync_all())
            .map_err(QueueError::from)
            .and_then(|()| {
                self.db
                    .insert(id, envelope, size, now_ms(), reports_on, origin)
            });
        if let Err(error) = durable {
            let _ = std::fs::remove_file(&target);
            return Err(error);
        }
        Ok(id)
    }
}

fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// Milliseconds since the Unix epoch, as the queue database stores times.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}
