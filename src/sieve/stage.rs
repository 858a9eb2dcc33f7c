//! The Sieve delivery stage: runs an account's scripts (admin-before,
//! managed, personal, admin-after) over each delivery and turns what they
//! decided into the [`Disposition`]. Owns the compiled-script cache; does
//! not store scripts (that is the [`ScriptStore`]) nor carry out actions
//! (that is the pipeline).
//!
//! The chain: the scripts share one outcome (actions, implicit keep and
//! the imap4flags internal variable) and one message (editheader changes
//! are seen by later scripts). `stop` ends only the script it is in. After
//! a script that discarded or rejected, no further script runs. A script
//! that does not compile, or fails while running, is logged with its name
//! and contributes nothing: its partial actions are dropped and the
//! implicit keep is restored, so a broken script never loses mail.
//!
//! On the blocking pool, the job also answers what the scripts ask of the
//! world: `include` (RFC 6609) reads the [`ScriptStore`] and compiles
//! through the same cache; `duplicate` (RFC 7352) looks IDs up in
//! delivery.db and, once the whole chain ran without a runtime error,
//! tracks the new ones there; `currentdate` sees the time the stage
//! started.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::antispam::client_from_received;
use crate::delivery::{
    AutoReply, DeliveryInfo, DeliveryState, Disposition, FiledCopy, IncludeLocation, ScriptKind,
    ScriptStore, Stage, StageError, StageFuture, StoredScript, Verdict,
};
use crate::queue::{QueueId, ReversePath};
use crate::store::{AccountId, Flags, Keyword, MailboxName, Store, SystemFlag};

use super::{
    Action, Envelope, Environment, Input, Limits, Message, Outcome, Script, SpamScores, compile,
    run_as,
};

/// Compiled scripts kept; the cache is emptied when it is full.
const CACHE_SIZE: usize = 256;
/// Header bytes read besides the body bound.
const HEADER_BYTES: u64 = 1 << 20;

pub struct SieveStage {
    scripts: Arc<dyn ScriptStore>,
    store: Store,
    limits: Limits,
    cache: Arc<Mutex<HashMap<u64, Arc<Script>>>>,
    host_name: Option<String>,
    duplicates: Option<Arc<DeliveryState>>,
}

impl SieveStage {
    pub fn new(scripts: Arc<dyn ScriptStore>, store: Store, limits: Limits) -> Self {
        Self {
            scripts,
            store,
            limits,
            cache: Arc::new(Mutex::new(HashMap::new())),
            host_name: None,
            duplicates: None,
        }
    }

    /// Where `duplicate` (RFC 7352) tracks IDs; without it every message
    /// is new to the test.
    pub fn with_duplicates(mut self, state: Arc<DeliveryState>) -> Self {
        self.duplicates = Some(state);
        self
    }

    /// The server's host name (`server.hostname`), which the `environment`
    /// items "host" and "domain" report (RFC 5183 §4.1); without it they
    /// are unknown.
    pub fn with_host_name(mut self, host_name: &str) -> Self {
        self.host_name = Some(host_name.to_owned());
        self
    }
}

impl Stage for SieveStage {
    fn name(&self) -> &str {
        "sieve"
    }

    fn run<'a>(
        &'a self,
        delivery: &'a DeliveryInfo<'a>,
        disposition: &'a mut Disposition,
    ) -> StageFuture<'a> {
        Box::pin(async move {
            let error = |reason: String| StageError {
                stage: "sieve".to_owned(),
                reason,
            };
            let store = Arc::clone(&self.scripts);
            let account = delivery.account;
            let scripts = tokio::task::spawn_blocking(move || store.scripts_for(account))
                .await
                .map_err(|e| error(e.to_string()))?
                .map_err(|e| error(e.to_string()))?;
            if scripts.is_empty() {
                return Ok(Verdict::Continue);
            }
            let mailboxes: HashSet<String> = self
                .store
                .list_mailboxes(delivery.account)
                .await
                .map_err(|e| error(e.to_string()))?
                .into_iter()
                .map(|m| m.name.as_str().to_owned())
                .collect();
            let job = Job {
                scripts,
                store: Arc::clone(&self.scripts),
                account,
                cache: Arc::clone(&self.cache),
                limits: self.limits.clone(),
                path: delivery.message.to_path_buf(),
                size: delivery.size,
                envelope: Envelope {
                    from: match delivery.sender {
                        ReversePath::Null => String::new(),
                        ReversePath::Address(address) => address.clone(),
                    },
                    to: delivery.recipient.to_owned(),
                    detail: delivery.detail.map(str::to_owned),
                },
                spam: disposition.spam.map(|s| SpamScores {
                    spamtest: s.spamtest,
                    percent: s.percent,
                }),
                flags: disposition.flags.clone(),
                mailboxes,
                host_name: self.host_name.clone(),
                now: SystemTime::now(),
                duplicates: self.duplicates.clone(),
                queue_id: delivery.queue_id,
            };
            let result = tokio::task::spawn_blocking(move || job.run())
                .await
                .map_err(|e| error(e.to_string()))?;
            Ok(apply(result.map_err(error)?, disposition))
        })
    }
}

/// What the chain decided, with the header as editheader left it.
struct Decided {
    outcome: Outcome,
    header: Option<Vec<u8>>,
}

/// One delivery's work on the blocking pool.
struct Job {
    scripts: Vec<StoredScript>,
    /// Where `include` finds scripts (RFC 6609); read on this thread, which
    /// is the blocking pool's.
    store: Arc<dyn ScriptStore>,
    account: AccountId,
    cache: Arc<Mutex<HashMap<u64, Arc<Script>>>>,
    limits: Limits,
    path: std::path::PathBuf,
    size: u64,
    envelope: Envelope,
    spam: Option<SpamScores>,
    flags: Flags,
    mailboxes: HashSet<String>,
    host_name: Option<String>,
    now: SystemTime,
    duplicates: Option<Arc<DeliveryState>>,
    queue_id: QueueId,
}

/// The world as this delivery's scripts see it.
struct Surroundings<'a> {
    job: &'a Job,
    /// The connecting client's address, from our topmost `Received:` field.
    remote_ip: Option<String>,
}

impl Environment for Surroundings<'_> {
    fn mailbox_exists(&self, name: &str) -> bool {
        self.job.mailboxes.contains(name) || name.eq_ignore_ascii_case("INBOX")
    }

    fn duplicate_seen(&self, handle: &str, id: &str) -> bool {
        let Some(state) = &self.job.duplicates else {
            return false;
        };
        let key = duplicate_key(handle, id);
        state
            .duplicate_seen(self.job.account, &key, self.job.queue_id, unix_ms(self.job.now))
            .unwrap_or_else(|e| {
                // Unknown is new: a message wrongly thought a duplicate
                // could be discarded.
                tracing::warn!(error = %e, "sieve duplicate lookup failed, taking the message as new");
                false
            })
    }

    fn include(
        &self,
        location: IncludeLocation,
        name: &str,
    ) -> Result<Option<Arc<Script>>, String> {
        let source = self
            .job
            .store
            .include(self.job.account, location, name)
            .map_err(|e| e.to_string())?;
        match source {
            Some(source) => self.job.compiled(&source).map(Some),
            None => Ok(None),
        }
    }

    /// "remote-ip" is read from the `Received:` field our SMTP server
    /// wrote; "remote-host" stays unknown, as no reverse DNS is looked up.
    fn item(&self, name: &str) -> Option<String> {
        if name == "remote-ip" {
            return self.remote_ip.clone();
        }
        let host = self.job.host_name.as_deref()?;
        match name {
            "host" => Some(host.to_owned()),
            // RFC 5183 §4.1: usually a proper suffix of the host name.
            "domain" => Some(
                host.split_once('.')
                    .map_or(host, |(_, domain)| domain)
                    .to_owned(),
            ),
            _ => None,
        }
    }
}

impl Job {
    /// `Err` only when the message cannot be read (a temporary failure).
    fn run(self) -> Result<Decided, String> {
        let raw = read_bounded(&self.path, HEADER_BYTES + self.limits.body_bytes as u64)
            .map_err(|e| format!("reading the message: {e}"))?;
        let mut message = Message::parse(&raw, self.size);
        let mut outcome = Outcome {
            flags: flag_names(&self.flags),
            ..Outcome::default()
        };
        let environment = Surroundings {
            job: &self,
            remote_ip: client_from_received(&raw).map(|client| client.ip.to_string()),
        };
        let input = Input {
            envelope: &self.envelope,
            spam: self.spam,
            environment: &environment,
            limits: &self.limits,
            now: self.now,
        };
        let mut failed = false;
        for stored in &self.scripts {
            let script = match self.compiled(&stored.source) {
                Ok(script) => script,
                Err(e) => {
                    tracing::warn!(script = %stored.name, kind = ?stored.kind, error = %e, "sieve script skipped");
                    continue;
                }
            };
            let (saved_message, saved_outcome) = (message.clone(), outcome.clone());
            // The user's active script is one of their personal scripts, so
            // an include can name it.
            let origin = (stored.kind == ScriptKind::Personal)
                .then_some((IncludeLocation::Personal, stored.name.as_str()));
            if let Err(e) = run_as(&script, origin, &mut message, &input, &mut outcome) {
                tracing::warn!(script = %stored.name, kind = ?stored.kind, error = %e, "sieve script failed, keeping the message");
                message = saved_message;
                outcome = saved_outcome;
                outcome.implicit_keep = true;
                failed = true;
            }
            if outcome.ended() {
                break;
            }
        }
        if !failed {
            self.track_duplicates(&outcome);
        }
        Ok(Decided {
            outcome,
            header: message.rewritten_header(),
        })
    }

    /// RFC 7352 §3.1: the IDs are stored only when the scripts completed.
    fn track_duplicates(&self, outcome: &Outcome) {
        let Some(state) = &self.duplicates else {
            return;
        };
        let now = unix_ms(self.now);
        for mark in outcome.duplicates.iter().filter(|m| m.to_record()) {
            let lifetime = i64::try_from(mark.seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
            let key = duplicate_key(&mark.handle, &mark.id);
            if let Err(e) = state.record_duplicate(
                self.account,
                &key,
                self.queue_id,
                now.saturating_add(lifetime),
                now,
            ) {
                tracing::warn!(error = %e, "sieve duplicate ID not tracked");
            }
        }
    }

    /// The script compiled, from the cache when it was seen before; `Err`
    /// says why it cannot run.
    fn compiled(&self, source: &str) -> Result<Arc<Script>, String> {
        if source.len() > self.limits.max_script_size {
            return Err("larger than sieve.max_script_size".to_owned());
        }
        let mut hasher = DefaultHasher::new();
        source.hash(&mut hasher);
        let key = hasher.finish();
        if let Ok(cache) = self.cache.lock()
            && let Some(script) = cache.get(&key)
        {
            return Ok(Arc::clone(script));
        }
        let script = Arc::new(compile(source).map_err(|e| format!("does not compile: {e}"))?);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_SIZE {
                cache.clear();
            }
            cache.insert(key, Arc::clone(&script));
        }
        Ok(script)
    }
}

/// The stored form of a tracked ID: a SHA-256 of handle and ID, so a huge
/// header value takes no more room than a short one.
fn duplicate_key(handle: &str, id: &str) -> String {
    let mut input = Vec::with_capacity(handle.len() + id.len() + 1);
    input.extend_from_slice(handle.as_bytes());
    input.push(0);
    input.extend_from_slice(id.as_bytes());
    ring::digest::digest(&ring::digest::SHA256, &input)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unix_ms(time: SystemTime) -> i64 {
    time.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut raw = Vec::new();
    std::fs::File::open(path)?
        .take(limit)
        .read_to_end(&mut raw)?;
    Ok(raw)
}

fn flag_names(flags: &Flags) -> Vec<String> {
    flags
        .system()
        .map(|f| f.as_imap().to_owned())
        .chain(flags.keywords().iter().map(|k| k.as_str().to_owned()))
        .collect()
}

/// Flags as the store keeps them; a name that is neither a system flag nor
/// a valid keyword is left out, logged.
fn to_flags(names: &[String]) -> Flags {
    let mut flags = Flags::new();
    for name in names {
        if let Some(system) = SystemFlag::ALL
            .into_iter()
            .find(|f| f.as_imap().eq_ignore_ascii_case(name))
        {
            flags.insert(system);
        } else if let Ok(keyword) = Keyword::new(name) {
            flags.insert_keyword(keyword);
        } else {
            tracing::warn!(flag = %name, "sieve flag is not a valid IMAP flag, left out");
        }
    }
    flags
}

/// Writes the outcome into the disposition.
fn apply(Decided { outcome, header }: Decided, disposition: &mut Disposition) -> Verdict {
    if header.is_some() {
        disposition.rewritten_header = header;
    }
    let mut keep = outcome.implicit_keep;
    let mut keep_flags = outcome.flags.clone();
    let mut discarded = false;
    for action in outcome.actions {
        match action {
            Action::Reject { reason, .. } => return Verdict::Reject { reason },
            Action::Keep { flags } => {
                keep = true;
                keep_flags = flags;
            }
            Action::FileInto {
                mailbox,
                flags,
                create,
            } => match MailboxName::new(&mailbox) {
                Ok(folder) => disposition.copies.push(FiledCopy {
                    folder,
                    flags: to_flags(&flags),
                    create,
                }),
                Err(_) => {
                    // RFC 5228 §4.1: a fileinto that cannot be done falls back to keep.
                    tracing::warn!(mailbox = %mailbox, "sieve fileinto names an invalid mailbox, keeping instead");
                    keep = true;
                }
            },
            Action::Redirect { address, .. } => disposition.redirects.push(address),
            Action::Discard => discarded = true,
            Action::Vacation(v) => {
                disposition.auto_reply = Some(AutoReply {
                    from: v.from,
                    subject: v.subject,
                    body: v.reason,
                    mime: v.mime,
                    addresses: v.addresses,
                    period: Duration::from_secs(v.period_seconds),
                    handle: v.handle,
                })
            }
        }
    }
    disposition.keep = keep;
    if keep {
        disposition.flags = to_flags(&keep_flags);
    }
    let nothing_left = !keep && disposition.copies.is_empty() && disposition.redirects.is_empty();
    if discarded && nothing_left {
        Verdict::Discard
    } else {
        Verdict::Continue
    }
}
