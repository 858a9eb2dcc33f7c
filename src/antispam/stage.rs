//! The anti-spam delivery stage: scores each message for each recipient
//! account (their model on top of the global one, their threshold), records
//! the verdict for Sieve (RFC 5235 spamtest), adds `X-Spam-Status` and
//! `X-Spam-Score`, and files spam into the Junk folder.
//!
//! Scoring runs on the blocking pool over a bounded read of the spool file.
//! It never rejects at delivery time and never delays mail: a model it
//! cannot read is logged and the message goes on unscored.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::antispam::classifier::Classifier;
use crate::antispam::message::read_bounded;
use crate::antispam::score::{Analysis, Thresholds, analyse};
use crate::config::AntispamSection;
use crate::delivery::{
    DeliveryInfo, Disposition, HeaderField, Stage, StageError, StageFuture, Verdict,
};
use crate::store::{AccountId, MailboxName};

/// The stage, shared by every delivery.
pub struct AntispamStage {
    classifier: Arc<Classifier>,
    settings: AntispamSection,
}

impl AntispamStage {
    /// `classifier` is `Classifier::open(&config.server.data_dir)` (shared
    /// with the IMAP training hook); `settings` is `config.antispam`.
    pub fn new(classifier: Arc<Classifier>, settings: AntispamSection) -> Self {
        Self {
            classifier,
            settings,
        }
    }

    /// Scores the spooled message at `message` for `account` (the global
    /// model alone with `None`).
    pub async fn analyse_file(
        &self,
        account: Option<AccountId>,
        message: &Path,
    ) -> Result<Analysis, StageError> {
        let classifier = self.classifier.clone();
        let path: PathBuf = message.to_owned();
        let limit = self.settings.scan_limit;
        let failed = |reason: String| StageError {
            stage: "antispam".to_owned(),
            reason,
        };
        tokio::task::spawn_blocking(move || {
            let raw = read_bounded(&path, limit).map_err(|e| e.to_string())?;
            analyse(&classifier, account, &raw).map_err(|e| e.to_string())
        })
        .await
        .map_err(|_| failed("scoring task failed".to_owned()))?
        .map_err(failed)
    }
}

/// Whether SMTP should refuse a message with this analysis at DATA time:
/// only with `reject_at_smtp` on and a score at `reject_threshold` or above.
/// The SMTP session scores with [`AntispamStage::analyse_file`] and `None`
/// (before the recipients' accounts are known apart, the global model).
pub fn smtp_should_reject(settings: &AntispamSection, analysis: &Analysis) -> bool {
    settings.reject_at_smtp && analysis.score >= settings.reject_threshold.get()
}

impl Stage for AntispamStage {
    fn name(&self) -> &str {
        "antispam"
    }

    fn run<'a>(
        &'a self,
        delivery: &'a DeliveryInfo<'a>,
        disposition: &'a mut Disposition,
    ) -> StageFuture<'a> {
        Box::pin(async move {
            if !self.settings.enabled {
                return Ok(Verdict::Continue);
            }
            let analysis = match self
                .analyse_file(Some(delivery.account), delivery.message)
                .await
            {
                Ok(analysis) => analysis,
                Err(error) => {
                    tracing::warn!(%error, "message not scored");
                    return Ok(Verdict::Continue);
                }
            };
            let thresholds = Thresholds {
                spam: self.settings.spam_threshold_for(delivery.login.as_str()),
                reject: None,
            };
            let verdict = analysis.verdict(thresholds);
            tracing::info!(
                score = verdict.score,
                spam = verdict.is_spam,
                "message scored"
            );
            disposition.spam = Some(verdict);
            disposition.header_fields.extend(
                [
                    HeaderField::new("X-Spam-Status", &analysis.status_line(thresholds)),
                    HeaderField::new("X-Spam-Score", &format!("{:.1}", analysis.score)),
                ]
                .into_iter()
                .flatten(),
            );
            if verdict.is_spam
                && let Ok(junk) = MailboxName::new(&self.settings.junk_folder)
            {
                disposition.folder = junk;
            }
            Ok(Verdict::Continue)
        })
    }
}
