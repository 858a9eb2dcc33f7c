//! The statistical classifier: Robinson-Fisher over message tokens (words,
//! word pairs, header words, URL hosts), with a global model in
//! `data_dir/antispam/global.db` and one per user in
//! `data_dir/antispam/users/<account id>.db`. A user's verdicts are scored
//! with the counts of both models added, so a user's own training weighs on
//! top of what everyone shares.
//!
//! Blocking (SQLite): call it on the blocking pool. It never stores a
//! message, only token counts and message digests.

mod fisher;
mod model;
mod tokenizer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ring::digest::{SHA256, digest};

pub use fisher::{TokenCounts, Totals};
pub(crate) use tokenizer::url_hosts;
pub use tokenizer::{TokenSet, tokenize};

use crate::antispam::message::Scanned;
use crate::store::AccountId;
use model::Model;

/// Below this many trained messages of either kind a model's opinion is
/// not asked: a few examples make wild token probabilities.
const MIN_TRAINED: u64 = 10;
/// Open model databases kept; past it they are all closed and reopened on
/// use, so many users cannot exhaust file descriptors.
const MAX_OPEN_MODELS: usize = 256;

/// Which side a message is trained as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Spam,
    Ham,
}

/// Which model is trained: everyone's, or one user's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Global,
    User(AccountId),
}

/// What training a message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trained {
    /// Counted for the first time.
    Learnt,
    /// It was trained as the other side: taken off that side, counted on this.
    Moved,
    /// Already trained as this side: nothing changed.
    Already,
}

#[derive(Debug, thiserror::Error)]
pub enum ClassifierError {
    #[error("anti-spam model database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("anti-spam model directory: {0}")]
    Directory(#[from] std::io::Error),
}

/// The models under one data dir, opened on first use.
pub struct Classifier {
    root: PathBuf,
    models: Mutex<HashMap<Scope, Model>>,
}

/// The digest a trained message is remembered by: its Message-ID and body,
/// not the header fields a delivery adds on top (Return-Path, X-Spam-*),
/// so the copy in a mailbox and the spooled original are one message.
pub fn message_digest(raw: &[u8]) -> Vec<u8> {
    let body_start = find(raw, b"\r\n\r\n")
        .map(|at| at + 4)
        .or_else(|| find(raw, b"\n\n").map(|at| at + 2))
        .unwrap_or(raw.len());
    let body = raw.get(body_start..).unwrap_or_default();
    let message_id = Scanned::parse(raw)
        .and_then(|s| s.message.message_id().map(str::to_owned))
        .unwrap_or_default();
    let mut input = Vec::with_capacity(message_id.len() + 1 + body.len());
    input.extend_from_slice(message_id.as_bytes());
    input.push(0);
    input.extend_from_slice(body);
    digest(&SHA256, &input).as_ref().to_vec()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl Classifier {
    /// The models of `data_dir/antispam`; nothing is opened yet.
    pub fn open(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join("antispam"),
            models: Mutex::new(HashMap::new()),
        }
    }

    fn path_of(&self, scope: Scope) -> PathBuf {
        match scope {
            Scope::Global => self.root.join("global.db"),
            Scope::User(account) => self.root.join("users").join(format!("{}.db", account.0)),
        }
    }

    fn with_model<T>(
        &self,
        scope: Scope,
        work: impl FnOnce(&mut Model) -> Result<T, ClassifierError>,
    ) -> Result<T, ClassifierError> {
        let mut models = self.models.lock().unwrap_or_else(|e| e.into_inner());
        if models.len() >= MAX_OPEN_MODELS && !models.contains_key(&scope) {
            models.clear();
        }
        let model = match models.entry(scope) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                let path = self.path_of(scope);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                entry.insert(Model::open(&path)?)
            }
        };
        work(model)
    }

    /// Trains the raw message `raw` as `label` into `scope`'s model. The
    /// one path every kind of training takes (IMAP, the CLI, the
    /// cross-validation bench).
    pub fn train(
        &self,
        scope: Scope,
        raw: &[u8],
        label: Label,
    ) -> Result<Trained, ClassifierError> {
        let digest = message_digest(raw);
        let tokens = Scanned::parse(raw)
            .map(|s| tokenize(&s))
            .unwrap_or_default();
        self.with_model(scope, |model| model.train(&digest, tokens.iter(), label))
    }

    /// The label `raw` was trained as in `scope`, if it was.
    pub fn label_of(&self, scope: Scope, raw: &[u8]) -> Result<Option<Label>, ClassifierError> {
        let digest = message_digest(raw);
        self.with_model(scope, |model| model.label_of(&digest))
    }

    pub fn totals(&self, scope: Scope) -> Result<Totals, ClassifierError> {
        self.with_model(scope, |model| model.totals())
    }

    /// The spam probability of `tokens` for `account` (global and user
    /// counts added), or `None` while the models know too little.
    pub fn spam_probability(
        &self,
        account: Option<AccountId>,
        tokens: &TokenSet,
    ) -> Result<Option<f64>, ClassifierError> {
        let mut scopes = vec![Scope::Global];
        scopes.extend(account.map(Scope::User));
        let mut totals = Totals::default();
        let mut counts = vec![TokenCounts::default(); tokens.len()];
        for scope in scopes {
            let (model_totals, model_counts) = self.with_model(scope, |model| {
                Ok((model.totals()?, model.counts(tokens.iter())?))
            })?;
            totals.spam += model_totals.spam;
            totals.ham += model_totals.ham;
            for (sum, add) in counts.iter_mut().zip(model_counts) {
                sum.spam += add.spam;
                sum.ham += add.ham;
            }
        }
        if totals.spam < MIN_TRAINED || totals.ham < MIN_TRAINED {
            return Ok(None);
        }
        Ok(Some(fisher::combine(
            counts
                .into_iter()
                .map(|c| fisher::token_probability(c, totals)),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_ignores_fields_added_on_top() {
        let original = b"Message-ID: <a@b>\r\nSubject: x\r\n\r\nbody\r\n";
        let delivered = b"Return-Path: <s@t>\r\nX-Spam-Score: 1.0\r\nMessage-ID: <a@b>\r\nSubject: x\r\n\r\nbody\r\n";
        assert_eq!(message_digest(original), message_digest(delivered));
        assert_ne!(
            message_digest(original),
            message_digest(b"Message-ID: <a@b>\r\n\r\nother\r\n")
        );
    }
}
