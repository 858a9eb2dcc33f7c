//! The per-message assessment shared by the delivery stage and the SMTP-time
//! check: read the message back bounded, authenticate the sender (SPF, DKIM,
//! DMARC) when configured, score it with the classifier and rules, and add
//! what the DNS blocklists say.
//!
//! Reading and scoring run on the blocking pool; DNS lookups are async. It
//! decides nothing: the stage files and the SMTP check refuses.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::antispam::auth::{AuthReport, Client, SenderAuthenticator, client_from_received};
use crate::antispam::classifier::{Classifier, ClassifierError, Scope};
use crate::antispam::lists::{DnsLists, message_url_hosts};
use crate::antispam::message::read_bounded;
use crate::antispam::score::{Analysis, analyse};
use crate::config::AntispamSection;
use crate::queue::ReversePath;

/// Messages larger than this are not authenticated: DKIM would need them
/// whole in memory. SMTP's `limits.message_size` is usually below it.
const AUTH_READ_LIMIT: u64 = 32 * 1024 * 1024;

/// Why a message could not be assessed (it then goes on unjudged).
#[derive(Debug, thiserror::Error)]
pub enum AssessError {
    #[error("reading the message: {0}")]
    Read(#[from] std::io::Error),
    #[error(transparent)]
    Classifier(#[from] ClassifierError),
    #[error("the blocking task failed")]
    Task,
}

/// One message to assess.
pub struct Subject<'a> {
    pub path: &'a Path,
    pub size: u64,
    pub sender: &'a ReversePath,
    /// Who handed it over; `None`: taken from our topmost `Received:` field.
    pub client: Option<Client>,
}

/// What the assessment asks for: both are skipped when not needed, so the
/// SMTP check for DMARC alone never runs the classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    pub authentication: bool,
    /// The classifier, rules and blocklists, with this model (a user's
    /// is added on top of the global one).
    pub score: Option<Scope>,
}

/// The evidence found.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// With the authentication and blocklist reasons added.
    pub analysis: Option<Analysis>,
    pub auth: Option<AuthReport>,
}

/// What every assessment shares: the models, the settings, the resolver.
#[derive(Clone)]
pub struct Assessor {
    pub classifier: Arc<Classifier>,
    pub settings: AntispamSection,
    pub authenticator: Option<Arc<SenderAuthenticator>>,
    pub lists: Option<Arc<DnsLists>>,
}

impl Assessor {
    /// Whether sender authentication runs at all (configured and possible).
    pub fn authenticates(&self) -> bool {
        self.settings.authentication && self.authenticator.is_some()
    }

    pub async fn assess(
        &self,
        subject: Subject<'_>,
        wanted: Wanted,
    ) -> Result<Assessment, AssessError> {
        let authenticate =
            wanted.authentication && self.authenticates() && subject.size <= AUTH_READ_LIMIT;
        // DKIM hashes the whole body (RFC 6376 §3.7), so authentication reads
        // the whole message; the classifier and rules its first scan_limit.
        let limit = if authenticate {
            subject.size.max(self.settings.scan_limit)
        } else {
            self.settings.scan_limit
        };
        let path: PathBuf = subject.path.to_owned();
        let raw = tokio::task::spawn_blocking(move || read_bounded(&path, limit))
            .await
            .map_err(|_| AssessError::Task)??;
        let client = subject.client.or_else(|| client_from_received(&raw));
        let auth = match &self.authenticator {
            Some(authenticator) if authenticate => {
                let mail_from = match subject.sender {
                    ReversePath::Null => "",
                    ReversePath::Address(address) => address.as_str(),
                };
                Some(
                    authenticator
                        .authenticate(&raw, client.as_ref(), mail_from)
                        .await,
                )
            }
            _ => None,
        };
        let Some(scope) = wanted.score else {
            return Ok(Assessment {
                analysis: None,
                auth,
            });
        };
        let scan_limit = usize::try_from(self.settings.scan_limit).unwrap_or(usize::MAX);
        let mut raw = raw;
        raw.truncate(scan_limit);
        let account = match scope {
            Scope::Global => None,
            Scope::User(account) => Some(account),
        };
        let classifier = self.classifier.clone();
        let want_hosts = self.lists.as_ref().is_some_and(|l| l.wants_url_hosts());
        let (analysis, hosts) = tokio::task::spawn_blocking(move || {
            let analysis = analyse(&classifier, account, &raw)?;
            let hosts = if want_hosts {
                message_url_hosts(&raw)
            } else {
                Vec::new()
            };
            Ok::<_, ClassifierError>((analysis, hosts))
        })
        .await
        .map_err(|_| AssessError::Task)??;
        let mut extra = auth.as_ref().map(|a| a.reasons.clone()).unwrap_or_default();
        if let Some(lists) = &self.lists {
            extra.extend(lists.check(client.map(|c| c.ip), &hosts).await);
        }
        Ok(Assessment {
            analysis: Some(analysis.with_reasons(extra)),
            auth,
        })
    }
}
