//! The anti-spam delivery stage: scores each message for each recipient
//! account (their model on top of the global one, their threshold, sender
//! authentication when configured), records the verdict for Sieve
//! (RFC 5235 spamtest), adds `Authentication-Results`, `X-Spam-Status` and
//! `X-Spam-Score`, and files spam into the Junk folder.
//!
//! Scoring ([`Assessor`]) runs on the blocking pool over a bounded read of
//! the spool file. It never rejects: refusing is the SMTP-time check's
//! business ([`AntispamStage::inbound_check`]), before anything is
//! accepted; and it never delays mail: a model it cannot read is logged and
//! the message goes on unscored.

use std::sync::Arc;

use mail_auth::dmarc::Policy;

use crate::antispam::assess::{Assessor, Subject, Wanted};
use crate::antispam::auth::SenderAuthenticator;
use crate::antispam::classifier::{Classifier, Scope};
use crate::antispam::inbound::SmtpSpamCheck;
use crate::antispam::lists::{DnsListLookup, DnsLists};
use crate::antispam::score::{Analysis, Thresholds};
use crate::config::AntispamSection;
use crate::delivery::{DeliveryInfo, Disposition, HeaderField, Stage, StageFuture, Verdict};
use crate::smtp::InboundCheck;
use crate::store::MailboxName;

/// The stage, shared by every delivery.
pub struct AntispamStage {
    assessor: Assessor,
}

impl AntispamStage {
    /// `classifier` is `Classifier::open(&config.server.data_dir)` (shared
    /// with the IMAP training hook); `settings` is `config.antispam`.
    pub fn new(classifier: Arc<Classifier>, settings: AntispamSection) -> Self {
        Self {
            assessor: Assessor {
                classifier,
                settings,
                authenticator: None,
                lists: None,
            },
        }
    }

    /// Checks SPF, DKIM and DMARC with `authenticator` (built with
    /// `SenderAuthenticator::system(&config.server.hostname)`) when
    /// `antispam.authentication` is on.
    pub fn with_authenticator(mut self, authenticator: Arc<SenderAuthenticator>) -> Self {
        self.assessor.authenticator = Some(authenticator);
        self
    }

    /// Asks the blocklists of `antispam.dnsbl` and `antispam.uribl` through
    /// `lookup` (in the server, the `SenderAuthenticator`); nothing when
    /// none is configured.
    pub fn with_dns_lists(mut self, lookup: Arc<dyn DnsListLookup>) -> Self {
        self.assessor.lists = DnsLists::new(&self.assessor.settings, lookup).map(Arc::new);
        self
    }

    /// The check SMTP runs on port 25 before it commits a message
    /// (`SmtpHandler::with_inbound_check`), sharing this stage's models,
    /// resolver and lists; `None` when neither `reject_at_smtp` nor an
    /// effective `dmarc_reject` asks for one, so SMTP then does nothing new.
    pub fn inbound_check(&self) -> Option<Arc<dyn InboundCheck>> {
        SmtpSpamCheck::new(self.assessor.clone()).map(|c| Arc::new(c) as Arc<dyn InboundCheck>)
    }
}

/// Whether SMTP should refuse a message with this analysis at DATA time:
/// only with `reject_at_smtp` on and a score at `reject_threshold` or above.
/// The SMTP check scores with the global model alone: the recipients'
/// own models cannot decide one reply for all of them.
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
            let settings = &self.assessor.settings;
            if !settings.enabled {
                return Ok(Verdict::Continue);
            }
            let subject = Subject {
                path: delivery.message,
                size: delivery.size,
                sender: delivery.sender,
                client: None,
            };
            let wanted = Wanted {
                authentication: true,
                score: Some(Scope::User(delivery.account)),
            };
            let (analysis, auth) = match self.assessor.assess(subject, wanted).await {
                Ok(assessment) => match assessment.analysis {
                    Some(analysis) => (analysis, assessment.auth),
                    None => return Ok(Verdict::Continue),
                },
                Err(error) => {
                    tracing::warn!(%error, "message not scored");
                    return Ok(Verdict::Continue);
                }
            };
            let thresholds = Thresholds {
                spam: settings.spam_threshold_for(delivery.login.as_str()),
                reject: None,
            };
            let dmarc_policy = auth.as_ref().and_then(|a| a.dmarc_failed);
            let mut verdict = analysis.verdict(thresholds);
            // RFC 7489 §6.3: p=quarantine means "suspicious". A p=reject
            // failure is refused in the SMTP session when `dmarc_reject` is
            // on (§6.6.2); one accepted is never bounced now (backscatter to
            // a forged sender) but filed as spam.
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
                && let Ok(junk) = MailboxName::new(&settings.junk_folder)
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
