//! The SMTP-time check on port 25 (issue 7): before a message is committed,
//! refuse it with `550 5.7.1` when it fails DMARC under `p=reject` and
//! `antispam.dmarc_reject` is on (RFC 7489 §6.6.2 wants the refusal in the
//! SMTP session, not a bounce later), or when `antispam.reject_at_smtp` is
//! on and the global model, rules, authentication and blocklists score it
//! at `reject_threshold` or above.
//!
//! It only decides; the session replies and drops the staged file. An
//! assessment that fails accepts the message, so delivery decides.

use mail_auth::dmarc::Policy;

use crate::antispam::assess::{Assessor, Subject, Wanted};
use crate::antispam::auth::Client;
use crate::antispam::classifier::Scope;
use crate::antispam::stage::smtp_should_reject;
use crate::smtp::{CheckFuture, InboundCheck, InboundMessage, InboundVerdict};

/// The replies' texts: a word of why, no score details a spammer could
/// tune against.
const SPAM: &str = "Message refused as spam";
const DMARC: &str = "Message refused by the DMARC policy of its From domain";

/// The anti-spam check of inbound messages.
pub struct SmtpSpamCheck {
    assessor: Assessor,
    wanted: Wanted,
    dmarc_reject: bool,
}

impl SmtpSpamCheck {
    /// `None` when there is nothing to check: the stage is off, or neither
    /// `reject_at_smtp` nor `dmarc_reject` with authentication is on.
    pub(crate) fn new(assessor: Assessor) -> Option<Self> {
        let settings = &assessor.settings;
        let dmarc_reject = settings.dmarc_reject && assessor.authenticates();
        if !settings.enabled || !(settings.reject_at_smtp || dmarc_reject) {
            return None;
        }
        let wanted = Wanted {
            // Authentication's reasons count in the score too.
            authentication: dmarc_reject || settings.reject_at_smtp,
            // The recipients may be several accounts: the global model.
            score: settings.reject_at_smtp.then_some(Scope::Global),
        };
        Some(Self {
            assessor,
            wanted,
            dmarc_reject,
        })
    }
}

impl InboundCheck for SmtpSpamCheck {
    fn check<'a>(&'a self, message: InboundMessage<'a>) -> CheckFuture<'a> {
        Box::pin(async move {
            let subject = Subject {
                path: message.path,
                size: message.size,
                sender: message.mail_from,
                client: Some(Client {
                    ip: message.client,
                    helo: message.helo.to_owned(),
                }),
            };
            let assessment = match self.assessor.assess(subject, self.wanted).await {
                Ok(assessment) => assessment,
                Err(error) => {
                    tracing::warn!(%error, "message not checked before its commit");
                    return InboundVerdict::Accept;
                }
            };
            let dmarc_policy = assessment.auth.as_ref().and_then(|a| a.dmarc_failed);
            if self.dmarc_reject && dmarc_policy == Some(Policy::Reject) {
                return InboundVerdict::Reject(DMARC.to_owned());
            }
            match assessment.analysis {
                Some(analysis) if smtp_should_reject(&self.assessor.settings, &analysis) => {
                    tracing::info!(score = analysis.score, "spam refused at SMTP time");
                    InboundVerdict::Reject(SPAM.to_owned())
                }
                _ => InboundVerdict::Accept,
            }
        })
    }
}
