//! The anti-spam delivery stage: scores each message for each recipient
//! account (their model on top of the global one, their threshold, sender
//! authentication when configured), records the verdict for Sieve
//! (RFC 5235 spamtest), adds `Authentication-Results`, `X-Spam-Status` and
//! `X-Spam-Score`, and files spam into the Junk folder.
//!
//! Scoring runs on the blocking pool over a bounded read of the spool file.
//! It rejects only a DMARC `p=reject` failure, and only with
//! `antispam.dmarc_reject`; it never delays mail: a model it cannot read is
//! logged and the message goes on unscored.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use mail_auth::dmarc::Policy;

use crate::antispam::auth::{AuthReport, SenderAuthenticator, client_from_received};
use crate::antispam::classifier::Classifier;
use crate::antispam::message::read_bounded;
use crate::antispam::score::{Analysis, Thresholds, analyse};
use crate::config::AntispamSection;
use crate::delivery::{
    DeliveryInfo, Disposition, HeaderField, Stage, StageError, StageFuture, Verdict,
};
use crate::queue::ReversePath;
use crate::store::{AccountId, MailboxName};

/// The stage, shared by every delivery.
pub struct AntispamStage {
    classifier: Arc<Classifier>,
    settings: AntispamSection,
    authenticator: Option<Arc<SenderAuthenticator>>,
}

/// Messages larger than this are not authenticated: DKIM would need them
/// whole in memory. SMTP's `limits.message_size` is usually below it.
const AUTH_READ_LIMIT: u64 = 32 * 1024 * 1024;

fn failed(reason: String) -> StageError {
    StageError {
        stage: "antispam".to_owned(),
        reason,
    }
}

impl AntispamStage {
    /// `classifier` is `Classifier::open(&config.server.data_dir)` (shared
    /// with the IMAP training hook); `settings` is `config.antispam`.
    pub fn new(classifier: Arc<Classifier>, settings: AntispamSection) -> Self {
        Self {
            classifier,
            settings,
            authenticator: None,
        }
    }

    /// Checks SPF, DKIM and DMARC with `authenticator` (built with
    /// `SenderAuthenticator::system(&config.server.hostname)`) when
    /// `antispam.authentication` is on.
    pub fn with_authenticator(mut self, authenticator: Arc<SenderAuthenticator>) -> Self {
        self.authenticator = Some(authenticator);
        self
    }

    /// Scores a delivery: sender authentication (DNS) first, then the
    /// classifier and rules on the blocking pool.
    async fn assess(
        &self,
        delivery: &DeliveryInfo<'_>,
    ) -> Result<(Analysis, Option<AuthReport>), StageError> {
        let authenticate = self.settings.authentication && delivery.size <= AUTH_READ_LIMIT;
        // DKIM hashes the whole body (RFC 6376 §3.7), so authentication reads
        // the whole message; the classifier and rules its first scan_limit.
        let limit = if authenticate {
            delivery.size.max(self.settings.scan_limit)
        } else {
            self.settings.scan_limit
        };
        let path = delivery.message.to_owned();
        let raw = tokio::task::spawn_blocking(move || read_bounded(&path, limit))
            .await
            .map_err(|_| failed("reading task failed".to_owned()))?
            .map_err(|e| failed(e.to_string()))?;
        let auth = match &self.authenticator {
            Some(authenticator) if authenticate => {
                let mail_from = match delivery.sender {
                    ReversePath::Null => "",
                    ReversePath::Address(address) => address.as_str(),
                };
                let client = client_from_received(&raw);
                Some(
                    authenticator
                        .authenticate(&raw, client.as_ref(), mail_from)
                        .await,
                )
            }
            _ => None,
        };
        let scan_limit = usize::try_from(self.settings.scan_limit).unwrap_or(usize::MAX);
        let mut raw = raw;
        raw.truncate(scan_limit);
        let classifier = self.classifier.clone();
        let account = delivery.account;
        let analysis =
            tokio::task::spawn_blocking(move || analyse(&classifier, Some(account), &raw))
                .await
                .map_err(|_| failed("scoring task failed".to_owned()))?
                .map_err(|e| failed(e.to_string()))?;
        let extra = auth.as_ref().map(|a| a.reasons.clone()).unwrap_or_default();
        Ok((analysis.with_reasons(extra), auth))
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
            let (analysis, auth) = match self.assess(delivery).await {
                Ok(assessed) => assessed,
                Err(error) => {
                    tracing::warn!(%error, "message not scored");
                    return Ok(Verdict::Continue);
                }
            };
            let thresholds = Thresholds {
                spam: self.settings.spam_threshold_for(delivery.login.as_str()),
                reject: None,
            };
            let dmarc_policy = auth.as_ref().and_then(|a| a.dmarc_failed);
            if dmarc_policy == Some(Policy::Reject) && self.settings.dmarc_reject {
                return Ok(Verdict::Reject {
                    reason: "DMARC policy of the From domain says reject (RFC 7489)".to_owned(),
                });
            }
            let mut verdict = analysis.verdict(thresholds);
            // RFC 7489 §6.3: p=quarantine (and p=reject kept) means "suspicious".
            if matches!(dmarc_policy, Some(Policy::Reject | Policy::Quarantine)) {
                verdict.is_spam = true;
            }
            tracing::info!(
                score = verdict.score,
                spam = verdict.is_spam,
                "message scored"
            );
            disposition.spam = Some(verdict);
            if let Some(field) = auth
                .as_ref()
                .and_then(|a| HeaderField::new("Authentication-Results", &a.results))
            {
                disposition.header_fields.push(field);
            }
            disposition.header_fields.extend(
                [
                    HeaderField::new(
                        "X-Spam-Status",
                        &status_line(&analysis, thresholds, verdict.is_spam),
                    ),
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

/// X-Spam-Status, saying Yes when DMARC made the message spam below the
/// threshold.
fn status_line(analysis: &Analysis, thresholds: Thresholds, is_spam: bool) -> String {
    let line = analysis.status_line(thresholds);
    match (is_spam, line.strip_prefix("No")) {
        (true, Some(rest)) => format!("Yes{rest}"),
        _ => line,
    }
}
