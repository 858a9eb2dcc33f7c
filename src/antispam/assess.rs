//! The per-message assessment shared by the delivery stage and the SMTP-time
//! check: read the message back bounded, authenticate the sender (SPF, DKIM,
//! DMARC) when configured, score it with the classifier and rules, and add
//! what the DNS blocklists say.
//!
//! Reading and scoring run on the blocking pool; DNS lookups are async and,
//! through the daemon's resolver, share the message's budget
//! (`dns.message_budget`): what has no answer by then is a temporary error
//! that scores nothing, and while the resolvers are known not to answer the
//! lookups are skipped at once. It decides nothing: the stage files and the
//! SMTP check refuses.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::antispam::auth::{AuthReport, Client, SenderAuthenticator, client_from_received};
use crate::antispam::classifier::{Classifier, ClassifierError, Scope};
use crate::antispam::lists::{DnsLists, message_url_hosts};
use crate::antispam::message::read_bounded;
use crate::antispam::score::{Analysis, analyse};
use crate::config::AntispamSection;
use crate::dns::MessageLookups;
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
        let mail_from = match subject.sender {
            ReversePath::Null => "",
            ReversePath::Address(address) => address.as_str(),
        };
        let authenticator = self.authenticator.as_deref().filter(|_| authenticate);
        let remembered = authenticator.and_then(|a| a.remembered(&raw, mail_from));
        let asks_lists = wanted.score.is_some() && self.lists.is_some();
        let needs_dns = (authenticator.is_some() && remembered.is_none()) || asks_lists;
        let mut dns = match self.authenticator.as_deref() {
            Some(resolving) if needs_dns => match resolving.resolver().message_lookups() {
                Some(lookups) => DnsTime::Budget(lookups),
                None => DnsTime::Paused,
            },
            _ => DnsTime::Unbounded,
        };
        let auth = match (authenticator, remembered) {
            (_, Some(report)) => Some(report),
            (Some(authenticator), None) => Some(
                match dns
                    .run(authenticator.authenticate(&raw, client.as_ref(), mail_from))
                    .await
                {
                    Some(report) => report,
                    None => authenticator.unchecked(dns.why_unchecked()),
                },
            ),
            (None, None) => None,
        };
        let Some(scope) = wanted.score else {
            dns.finish(auth.as_ref());
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
        if let Some(lists) = &self.lists
            && let Some(listed) = dns.run(lists.check(client.map(|c| c.ip), &hosts)).await
        {
            extra.extend(listed);
        }
        dns.finish(auth.as_ref());
        Ok(Assessment {
            analysis: Some(analysis.with_reasons(extra)),
            auth,
        })
    }
}

/// The DNS time a message's lookups have.
enum DnsTime<'a> {
    /// Through the daemon's resolver, until the message budget is spent.
    Budget(MessageLookups<'a>),
    /// None: the resolvers are known not to answer.
    Paused,
    /// Lookups not through the daemon's resolver (blocklists given their
    /// own lookup and no authenticator), each bounded by its own timeout.
    Unbounded,
}

impl DnsTime<'_> {
    /// The lookups' result, `None` when there was no time for them.
    async fn run<T>(&mut self, lookups: impl Future<Output = T>) -> Option<T> {
        match self {
            Self::Budget(budget) => budget.run(lookups).await,
            Self::Paused => None,
            Self::Unbounded => Some(lookups.await),
        }
    }

    fn why_unchecked(&self) -> &'static str {
        match self {
            Self::Paused => "DNS resolvers not answering",
            Self::Budget(_) | Self::Unbounded => "DNS lookups took too long",
        }
    }

    /// Tells the resolver how the message's lookups went.
    fn finish(self, auth: Option<&AuthReport>) {
        if let Self::Budget(budget) = self {
            if budget.timed_out() {
                tracing::info!("DNS lookup budget spent: the checks go on without the answers");
            }
            budget.finish(auth.is_some_and(|a| a.temporary_error));
        }
    }
}
