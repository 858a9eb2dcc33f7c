//! Training from what users do over IMAP (issue 7 "Training"): a message
//! copied or moved into Junk is learnt as spam for that user; moved out of
//! Junk to any folder but Trash, as ham; `STORE +FLAGS $Junk` / `$NotJunk`
//! likewise. Read mail that stays put is learnt as ham later (see
//! [`ImapTraining::learn_read_ham`]).
//!
//! IMAP calls the [`JunkTraining`] trait object after a command succeeded;
//! the work runs on a spawned task, never on the session's path, and a
//! failure is logged, never reported to the client.

use std::path::Path;
use std::sync::Arc;

use rusqlite::{Connection, params};
use tokio::io::AsyncReadExt;
use tokio::sync::watch;

use crate::antispam::classifier::{Classifier, ClassifierError, Label, Scope};
use crate::message::{Section, SectionSpec};
use crate::store::{
    AccountId, Flags, Keyword, MailboxId, MailboxName, SpecialUse, Store, StoreError, SystemFlag,
    Uid,
};

/// How IMAP tells the filter what a user did. Implementations return at
/// once and do their work elsewhere.
pub trait JunkTraining: Send + Sync {
    /// COPY or MOVE put messages from `from` into `to`; `uids` are their
    /// UIDs in `to`.
    fn filed(&self, account: AccountId, from: MailboxName, to: MailboxName, uids: Vec<Uid>);

    /// STORE added `added` (or set it, with FLAGS) on `uids` of `mailbox`.
    fn flagged(&self, account: AccountId, mailbox: MailboxId, uids: Vec<Uid>, added: Flags);
}

/// Why a training step failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Classifier(#[from] ClassifierError),
    #[error("reading a message: {0}")]
    Read(#[from] std::io::Error),
    #[error("pending ham database: {0}")]
    Pending(#[from] rusqlite::Error),
    #[error("training task failed")]
    TaskFailed,
}

/// What kind of folder a message went to or came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// Into Junk: spam.
    IntoJunk,
    /// Out of Junk into an ordinary folder: ham.
    OutOfJunk,
    /// Anything else (into Trash, between ordinary folders): nothing learnt.
    Neither,
}

/// The IMAP-driven trainer over the store and the classifier.
pub struct ImapTraining {
    store: Store,
    classifier: Arc<Classifier>,
    junk_folder: String,
    scan_limit: u64,
    ham_delay: u64,
    /// Shared with the blocking pool, where every query on it runs.
    pending: Arc<std::sync::Mutex<Connection>>,
    in_flight: watch::Sender<usize>,
}

fn junk_keyword() -> Option<Keyword> {
    Keyword::new("$Junk").ok()
}

fn not_junk_keyword() -> Option<Keyword> {
    Keyword::new("$NotJunk").ok()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

impl ImapTraining {
    /// `junk_folder`, `scan_limit` and `ham_delay` (seconds) come from
    /// `config.antispam`; the pending-ham list lives in
    /// `data_dir/antispam/read.db`. Blocking (opens SQLite): call it at
    /// start-up.
    pub fn open(
        data_dir: &Path,
        store: Store,
        classifier: Arc<Classifier>,
        settings: &crate::config::AntispamSection,
    ) -> Result<Self, TrainingError> {
        let dir = data_dir.join("antispam");
        std::fs::create_dir_all(&dir)?;
        let pending = Connection::open(dir.join("read.db"))?;
        pending.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS read (
                 account INTEGER NOT NULL,
                 mailbox INTEGER NOT NULL,
                 uid INTEGER NOT NULL,
                 due INTEGER NOT NULL,
                 PRIMARY KEY (account, mailbox, uid)
             ) WITHOUT ROWID;",
        )?;
        Ok(Self {
            store,
            classifier,
            junk_folder: settings.junk_folder.clone(),
            scan_limit: settings.scan_limit,
            ham_delay: settings.ham_delay.0,
            pending: Arc::new(std::sync::Mutex::new(pending)),
            in_flight: watch::channel(0).0,
        })
    }

    /// Waits until no training task is running (for tests and shutdown).
    pub async fn settled(&self) {
        let mut receiver = self.in_flight.subscribe();
        // The sender lives in `self`, so the channel cannot close here.
        let _ = receiver.wait_for(|count| *count == 0).await;
    }

    fn is_junk(&self, name: &MailboxName, special_use: Option<SpecialUse>) -> bool {
        special_use == Some(SpecialUse::Junk)
            || name.as_str().eq_ignore_ascii_case(&self.junk_folder)
    }

    /// What moving from `from` to `to` teaches, by name and special use.
    pub async fn movement(
        &self,
        account: AccountId,
        from: &MailboxName,
        to: &MailboxName,
    ) -> Result<Movement, TrainingError> {
        let to_info = self.store.mailbox(account, to).await?;
        if self.is_junk(to, to_info.special_use) {
            return Ok(Movement::IntoJunk);
        }
        let from_use = match self.store.mailbox(account, from).await {
            Ok(info) => info.special_use,
            // Renamed or deleted since: judged by its name alone.
            Err(StoreError::NoMailbox(_)) => None,
            Err(error) => return Err(error.into()),
        };
        let into_trash = to_info.special_use == Some(SpecialUse::Trash)
            || to.as_str().eq_ignore_ascii_case("Trash");
        if self.is_junk(from, from_use) && !into_trash {
            return Ok(Movement::OutOfJunk);
        }
        Ok(Movement::Neither)
    }

    /// Trains `uids` of `mailbox` as `label` into the user's model; the
    /// number of messages that changed the model.
    pub async fn learn(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[Uid],
        label: Label,
    ) -> Result<usize, TrainingError> {
        let mut changed = 0;
        for &uid in uids {
            let raw = self.read(account, mailbox, uid).await?;
            let classifier = self.classifier.clone();
            let trained = tokio::task::spawn_blocking(move || {
                classifier.train(Scope::User(account), &raw, label)
            })
            .await
            .map_err(|_| TrainingError::TaskFailed)??;
            if trained != crate::antispam::Trained::Already {
                changed += 1;
            }
        }
        Ok(changed)
    }

    async fn read(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uid: Uid,
    ) -> Result<Vec<u8>, TrainingError> {
        let section = Section {
            path: Vec::new(),
            spec: SectionSpec::Full,
        };
        let stream = self
            .store
            .open_message(account, mailbox, uid, section, None)
            .await?;
        let mut raw = Vec::new();
        stream.take(self.scan_limit).read_to_end(&mut raw).await?;
        Ok(raw)
    }

    /// Remembers that `uids` of `mailbox` were read, to learn them as ham
    /// once `ham_delay` has passed.
    fn note_read(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[Uid],
    ) -> Result<(), TrainingError> {
        let due = now().saturating_add(self.ham_delay);
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let mut insert = pending.prepare_cached(
            "INSERT OR IGNORE INTO read (account, mailbox, uid, due) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for uid in uids {
            insert.execute(params![account.0, mailbox.0, uid.0, due as i64])?;
        }
        Ok(())
    }

    /// Learns as ham the messages read at least `ham_delay` before `now`
    /// (Unix seconds) that are still where they were read, not flagged
    /// `$Junk`, not in Junk or Trash, and never trained before (an explicit
    /// verdict is not overruled). Unread mail is never noted, so spam left
    /// alone is never learnt as ham; a message moved to Junk within the
    /// delay is gone from its mailbox and dropped. The server calls this
    /// periodically; returns how many were learnt.
    pub async fn learn_read_ham(&self, now: u64) -> Result<usize, TrainingError> {
        let due: Vec<(i64, i64, u32)> = self
            .with_pending(move |pending| {
                let mut select = pending.prepare_cached(
                    "SELECT account, mailbox, uid FROM read WHERE due <= ?1 ORDER BY account, mailbox",
                )?;
                let rows = select.query_map([now as i64], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .await?;
        let mut learnt = 0;
        let mut groups: Vec<((i64, i64), Vec<Uid>)> = Vec::new();
        for (account, mailbox, uid) in due {
            match groups.last_mut() {
                Some((key, uids)) if *key == (account, mailbox) => uids.push(Uid(uid)),
                _ => groups.push(((account, mailbox), vec![Uid(uid)])),
            }
        }
        for ((account, mailbox), uids) in groups {
            let (account, mailbox) = (AccountId(account), MailboxId(mailbox));
            learnt += self.learn_read_group(account, mailbox, &uids).await?;
            self.with_pending(move |pending| {
                let mut delete = pending.prepare_cached(
                    "DELETE FROM read WHERE account = ?1 AND mailbox = ?2 AND uid = ?3",
                )?;
                for uid in &uids {
                    delete.execute(params![account.0, mailbox.0, uid.0])?;
                }
                Ok(())
            })
            .await?;
        }
        Ok(learnt)
    }

    /// Runs `query` on the pending-ham database on the blocking pool.
    async fn with_pending<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Connection) -> Result<T, TrainingError> + Send + 'static,
    ) -> Result<T, TrainingError> {
        let pending = Arc::clone(&self.pending);
        tokio::task::spawn_blocking(move || {
            let pending = pending.lock().unwrap_or_else(|e| e.into_inner());
            query(&pending)
        })
        .await
        .map_err(|_| TrainingError::TaskFailed)?
    }

    async fn learn_read_group(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[Uid],
    ) -> Result<usize, TrainingError> {
        let mailboxes = match self.store.list_mailboxes(account).await {
            Ok(list) => list,
            Err(StoreError::NoAccount(_)) => return Ok(0),
            Err(error) => return Err(error.into()),
        };
        let Some(info) = mailboxes.into_iter().find(|m| m.id == mailbox) else {
            return Ok(0);
        };
        let ordinary = !self.is_junk(&info.name, info.special_use)
            && info.special_use != Some(SpecialUse::Trash);
        if !ordinary {
            return Ok(0);
        }
        let snapshot = self.store.snapshot(account, mailbox).await?;
        let junk = junk_keyword();
        let mut learnt = 0;
        for summary in snapshot.messages.iter().filter(|m| uids.contains(&m.uid)) {
            let flagged_junk = junk.as_ref().is_some_and(|k| summary.flags.has_keyword(k));
            if flagged_junk || !summary.flags.contains(SystemFlag::Seen) {
                continue;
            }
            // Expunged since the snapshot, or unreadable: one message must
            // not keep the rest of the sweep from being learnt.
            let raw = match self.read(account, mailbox, summary.uid).await {
                Ok(raw) => raw,
                Err(error) => {
                    tracing::warn!(%error, uid = summary.uid.0, "read message not learnt");
                    continue;
                }
            };
            let classifier = self.classifier.clone();
            let trained = tokio::task::spawn_blocking(move || {
                match classifier.label_of(Scope::User(account), &raw)? {
                    Some(_) => Ok(false),
                    None => classifier
                        .train(Scope::User(account), &raw, Label::Ham)
                        .map(|_| true),
                }
            })
            .await
            .map_err(|_| TrainingError::TaskFailed)?
            .map_err(TrainingError::Classifier)?;
            learnt += usize::from(trained);
        }
        Ok(learnt)
    }

    /// Runs `work` on its own task, counted in `in_flight`.
    fn spawn<F>(self: &Arc<Self>, work: F)
    where
        F: std::future::Future<Output = Result<usize, TrainingError>> + Send + 'static,
    {
        self.in_flight.send_modify(|count| *count += 1);
        let this = Arc::clone(self);
        tokio::spawn(async move {
            match work.await {
                Ok(0) => {}
                Ok(changed) => tracing::info!(changed, "anti-spam model trained"),
                Err(error) => tracing::warn!(%error, "anti-spam training failed"),
            }
            this.in_flight
                .send_modify(|count| *count = count.saturating_sub(1));
        });
    }
}

/// The trait on an `Arc`, since the work outlives the call.
impl JunkTraining for Arc<ImapTraining> {
    fn filed(&self, account: AccountId, from: MailboxName, to: MailboxName, uids: Vec<Uid>) {
        let this = Arc::clone(self);
        self.spawn(async move {
            let label = match this.movement(account, &from, &to).await? {
                Movement::IntoJunk => Label::Spam,
                Movement::OutOfJunk => Label::Ham,
                Movement::Neither => return Ok(0),
            };
            let mailbox = this.store.mailbox(account, &to).await?.id;
            this.learn(account, mailbox, &uids, label).await
        });
    }

    fn flagged(&self, account: AccountId, mailbox: MailboxId, uids: Vec<Uid>, added: Flags) {
        let has = |keyword: Option<Keyword>| keyword.is_some_and(|k| added.has_keyword(&k));
        let label = if has(junk_keyword()) {
            Some(Label::Spam)
        } else if has(not_junk_keyword()) {
            Some(Label::Ham)
        } else {
            None
        };
        let seen = added.contains(SystemFlag::Seen);
        if label.is_none() && !seen {
            return;
        }
        let this = Arc::clone(self);
        self.spawn(async move {
            if seen && label.is_none() {
                let pending = Arc::clone(&this);
                let noted = uids.clone();
                tokio::task::spawn_blocking(move || pending.note_read(account, mailbox, &noted))
                    .await
                    .map_err(|_| TrainingError::TaskFailed)??;
            }
            match label {
                Some(label) => this.learn(account, mailbox, &uids, label).await,
                None => Ok(0),
            }
        });
    }
}
