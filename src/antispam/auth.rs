//! Sender authentication as evidence: SPF (RFC 7208), DKIM verification
//! (RFC 6376) and DMARC (RFC 7489) through mail-auth, written into one
//! `Authentication-Results` field (RFC 8601) and turned into scored reasons.
//!
//! Lookups go to the daemon's shared [`Resolver`]; mail-auth keeps the
//! parsed records in [`DnsCache`]s for their TTLs beside the resolver's own
//! answer cache. A message is authenticated once: its report is remembered
//! by digest, so the SMTP-time check's work serves delivery, and every
//! recipient of a message shares one. The client's IP address and HELO name
//! come from the topmost `Received:` field our SMTP server wrote (the spool
//! envelope has no client IP); a message without one is not checked for SPF.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mail_auth::dmarc::Policy;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, AuthenticationResults, DkimResult, DmarcResult, MX, MessageAuthenticator,
    Parameters, ResolverCache, SpfResult, Txt,
};

use crate::antispam::lists::{DnsListLookup, LookupError, LookupFuture};
use crate::antispam::score::Reason;
use crate::dns::Resolver;

/// A DNS answer cache mail-auth reads before it asks the resolver.
pub struct DnsCache<K, V> {
    entries: Mutex<HashMap<K, (V, Instant)>>,
}

/// Entries kept before the cache is emptied (it is a cache, not a store).
const MAX_CACHED: usize = 100_000;

impl<K: Hash + Eq, V: Clone> DnsCache<K, V> {
    fn new() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq, V: Clone> ResolverCache<K, V> for DnsCache<K, V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(name)
            .filter(|(_, until)| *until > Instant::now())
            .map(|(value, _)| value.clone())
    }

    fn remove<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(name).map(|(value, _)| value)
    }

    fn insert(&self, key: K, value: V, valid_until: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_CACHED {
            entries.clear();
        }
        entries.insert(key, (value, valid_until));
    }
}

/// Who handed us the message, as our `Received:` field records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    pub helo: String,
}

/// The verdicts of one message.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthReport {
    /// The `Authentication-Results` value, on one line.
    pub results: String,
    pub spf: Option<SpfResult>,
    /// Whether some DKIM signature verified.
    pub dkim_pass: bool,
    /// Whether DMARC failed, and the domain's policy then.
    pub dmarc_failed: Option<Policy>,
    pub reasons: Vec<Reason>,
    /// Whether some result is a temporary error (a lookup that failed or
    /// timed out): such a report scores nothing and is not remembered.
    pub temporary_error: bool,
}

/// SPF, DKIM and DMARC over mail-auth with shared caches.
pub struct SenderAuthenticator {
    resolver: Arc<Resolver>,
    authenticator: MessageAuthenticator,
    hostname: String,
    txt: DnsCache<String, Txt>,
    mx: DnsCache<String, Arc<Vec<MX>>>,
    ipv4: DnsCache<String, Arc<Vec<Ipv4Addr>>>,
    ipv6: DnsCache<String, Arc<Vec<Ipv6Addr>>>,
    ptr: DnsCache<IpAddr, Arc<Vec<String>>>,
    remembered: Mutex<HashMap<[u8; 32], (AuthReport, Instant)>>,
}

/// mail-auth's parameters with every lookup going through our caches.
type CachedParameters<'x, P> = Parameters<
    'x,
    P,
    DnsCache<String, Txt>,
    DnsCache<String, Arc<Vec<MX>>>,
    DnsCache<String, Arc<Vec<Ipv4Addr>>>,
    DnsCache<String, Arc<Vec<Ipv6Addr>>>,
    DnsCache<IpAddr, Arc<Vec<String>>>,
>;

/// How long a message's report is remembered: longer than a message waits
/// between its SMTP-time check and its delivery, and than the first retries.
const REMEMBERED_FOR: Duration = Duration::from_secs(3600);
/// Reports remembered at most; the oldest half goes when it is reached.
const MAX_REMEMBERED: usize = 10_000;

impl SenderAuthenticator {
    /// Asking `resolver`; `hostname` is the authserv-id of RFC 8601 §2.5
    /// (`server.hostname`).
    pub fn new(hostname: &str, resolver: Arc<Resolver>) -> Self {
        Self {
            authenticator: MessageAuthenticator(resolver.hickory().clone()),
            resolver,
            hostname: hostname.to_owned(),
            txt: DnsCache::new(),
            mx: DnsCache::new(),
            ipv4: DnsCache::new(),
            ipv6: DnsCache::new(),
            ptr: DnsCache::new(),
            remembered: Mutex::new(HashMap::new()),
        }
    }

    /// The resolver lookups go to, with the message budget.
    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    fn parameters<P>(&self, params: P) -> CachedParameters<'_, P> {
        Parameters::new(params)
            .with_txt_cache(&self.txt)
            .with_mx_cache(&self.mx)
            .with_ptr_cache(&self.ptr)
            .with_ipv4_cache(&self.ipv4)
            .with_ipv6_cache(&self.ipv6)
    }

    /// The report of the same message from the same sender, when it was
    /// authenticated in the last hour.
    pub fn remembered(&self, raw: &[u8], mail_from: &str) -> Option<AuthReport> {
        let key = digest(raw, mail_from);
        let remembered = self.remembered.lock().unwrap_or_else(|e| e.into_inner());
        remembered
            .get(&key)
            .filter(|(_, at)| at.elapsed() < REMEMBERED_FOR)
            .map(|(report, _)| report.clone())
    }

    fn remember(&self, raw: &[u8], mail_from: &str, report: &AuthReport) {
        let key = digest(raw, mail_from);
        let mut remembered = self.remembered.lock().unwrap_or_else(|e| e.into_inner());
        if remembered.len() >= MAX_REMEMBERED {
            let mut ages: Vec<Instant> = remembered.values().map(|(_, at)| *at).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            remembered.retain(|_, (_, at)| *at > cut);
        }
        remembered.insert(key, (report.clone(), Instant::now()));
    }

    /// The report of a message whose lookups could not run (`why`):
    /// temporary errors that score nothing (RFC 7208 §2.6.6, RFC 6376
    /// §3.9, RFC 7489 §6.6.3 let the receiver go on).
    pub fn unchecked(&self, why: &str) -> AuthReport {
        AuthReport {
            results: format!(
                "{}; dkim=temperror ({why}); spf=temperror; dmarc=temperror",
                self.hostname
            ),
            spf: None,
            dkim_pass: false,
            dmarc_failed: None,
            reasons: Vec::new(),
            temporary_error: true,
        }
    }

    /// Checks `raw` (the message as received) sent by `client` with the
    /// envelope sender `mail_from` (empty for the null sender).
    pub async fn authenticate(
        &self,
        raw: &[u8],
        client: Option<&Client>,
        mail_from: &str,
    ) -> AuthReport {
        let Some(message) = AuthenticatedMessage::parse(raw) else {
            return AuthReport {
                results: format!("{}; none", self.hostname),
                spf: None,
                dkim_pass: false,
                dmarc_failed: None,
                reasons: Vec::new(),
                temporary_error: false,
            };
        };
        let dkim = self
            .authenticator
            .verify_dkim(self.parameters(&message))
            .await;
        let header_from = message.from().to_owned();
        let mut results =
            AuthenticationResults::new(&self.hostname).with_dkim_results(&dkim, &header_from);
        let mut reasons = Vec::new();
        let dkim_pass = dkim.iter().any(|d| d.result() == &DkimResult::Pass);
        if dkim_pass {
            reasons.push(reason("DKIM_VALID", -0.5));
        } else if dkim.iter().any(|d| {
            matches!(
                d.result(),
                DkimResult::Fail(_) | DkimResult::PermError(_) | DkimResult::Neutral(_)
            )
        }) {
            reasons.push(reason("DKIM_INVALID", 1.0));
        }
        let mut temporary_error = dkim
            .iter()
            .any(|d| matches!(d.result(), DkimResult::TempError(_)));
        let mut spf = None;
        let mut dmarc_failed = None;
        let mut dmarc_part = String::new();
        if let Some(client) = client {
            let sender = if mail_from.is_empty() {
                format!("postmaster@{}", client.helo)
            } else {
                mail_from.to_owned()
            };
            let spf_output = self
                .authenticator
                .verify_spf(self.parameters(SpfParameters::verify_mail_from(
                    client.ip,
                    &client.helo,
                    &self.hostname,
                    &sender,
                )))
                .await;
            results =
                results.with_spf_mailfrom_result(&spf_output, client.ip, mail_from, &client.helo);
            match spf_output.result() {
                SpfResult::Fail => reasons.push(reason("SPF_FAIL", 2.0)),
                SpfResult::SoftFail => reasons.push(reason("SPF_SOFTFAIL", 1.0)),
                SpfResult::Pass => reasons.push(reason("SPF_PASS", -0.2)),
                _ => {}
            }
            spf = Some(spf_output.result());
            temporary_error |= spf_output.result() == SpfResult::TempError;
            let mail_from_domain = sender
                .rsplit_once('@')
                .map(|(_, d)| d)
                .unwrap_or(&client.helo);
            let dmarc = self
                .authenticator
                .verify_dmarc(self.parameters(mail_auth::dmarc::verify::DmarcParameters {
                    message: &message,
                    dkim_output: &dkim,
                    rfc5321_mail_from_domain: mail_from_domain,
                    spf_output: &spf_output,
                    domain_suffix_fn: organizational_domain,
                }))
                .await;
            // RFC 7489 §4.2: with a record published, no aligned pass is a
            // failure (mail-auth reports it as "none" when neither passed).
            let passed = dmarc.dkim_result() == &DmarcResult::Pass
                || dmarc.spf_result() == &DmarcResult::Pass;
            let published = dmarc.dmarc_record().is_some();
            let unknown = [dmarc.dkim_result(), dmarc.spf_result()]
                .into_iter()
                .any(|result| matches!(result, DmarcResult::TempError(_)));
            temporary_error |= unknown;
            let word = match (published, passed) {
                (_, true) => "pass",
                (true, false) => "fail",
                (false, false) if unknown => "temperror",
                (false, false) => "none",
            };
            dmarc_part = format!(
                "; dmarc={word} header.from={} policy.dmarc={}",
                dmarc.domain(),
                dmarc.policy()
            );
            if published && !passed {
                reasons.push(reason("DMARC_FAIL", 3.0));
                dmarc_failed = Some(dmarc.policy());
            }
        }
        let report = AuthReport {
            results: format!("{results}{dmarc_part}")
                .replace("\r\n\t", " ")
                .replace(['\r', '\n'], " "),
            spf,
            dkim_pass,
            dmarc_failed,
            reasons,
            temporary_error,
        };
        if !temporary_error {
            self.remember(raw, mail_from, &report);
        }
        report
    }
}

/// DNS blocklists are asked through the same resolver, and its IPv4 cache.
impl DnsListLookup for SenderAuthenticator {
    fn a_records<'a>(&'a self, name: &'a str) -> LookupFuture<'a> {
        Box::pin(async move {
            self.authenticator
                .ipv4_lookup(name, Some(&self.ipv4))
                .await
                .map(|answers| answers.as_ref().clone())
                .map_err(|e| LookupError(e.to_string()))
        })
    }
}

/// What a message is remembered by: its octets (our `Received:` field, with
/// the client, included) and its envelope sender.
fn digest(raw: &[u8], mail_from: &str) -> [u8; 32] {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    context.update(mail_from.as_bytes());
    context.update(b"\0");
    context.update(raw);
    let mut key = [0u8; 32];
    key.copy_from_slice(context.finish().as_ref());
    key
}

fn reason(name: &str, score: f64) -> Reason {
    Reason {
        name: name.to_owned(),
        score,
    }
}

/// The organizational domain (RFC 7489 §3.2) approximated as the last two
/// labels: without the public suffix list, `example.co.uk` is taken whole
/// as `co.uk`, which makes relaxed alignment looser there, never stricter.
pub(crate) fn organizational_domain(domain: &str) -> &str {
    let trimmed = domain.trim_end_matches('.');
    match trimmed.rmatch_indices('.').nth(1) {
        Some((at, _)) => trimmed.get(at + 1..).unwrap_or(trimmed),
        None => trimmed,
    }
}

/// The client of the topmost `Received:` field, as our SMTP server writes
/// it (`from <helo> (<rdns> [<ip>]) by ...`, src/smtp/trace.rs).
pub fn client_from_received(raw: &[u8]) -> Option<Client> {
    let parsed = mail_parser::MessageParser::default().parse(raw)?;
    let value = parsed
        .headers_raw()
        .find(|(name, _)| name.eq_ignore_ascii_case("Received"))?
        .1;
    let rest = value.trim_start().strip_prefix("from ")?;
    let (helo, rest) = rest.split_once(char::is_whitespace)?;
    // The address is in the comment after the HELO name, never in the name
    // itself: a client saying `EHLO [192.0.2.1]` must not choose the IP
    // that SPF checks.
    let comment = rest.trim_start().strip_prefix('(')?;
    let comment = comment.get(..comment.find(')')?)?;
    let open = comment.rfind('[')?;
    let close = open + comment.get(open..)?.find(']')?;
    let literal = comment.get(open + 1..close)?;
    let ip = literal
        .strip_prefix("IPv6:")
        .unwrap_or(literal)
        .parse()
        .ok()?;
    Some(Client {
        ip,
        helo: helo.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organizational_domain_is_the_last_two_labels() {
        assert_eq!(organizational_domain("mail.example.org"), "example.org");
        assert_eq!(organizational_domain("example.org"), "example.org");
    }

    #[test]
    fn client_from_our_received_field() {
        let raw = b"Received: from mx.example.net (mx.example.net [192.0.2.5])\r\n\tby mail.example.test with ESMTP id 1\r\nSubject: x\r\n\r\nbody\r\n";
        let client = client_from_received(raw).unwrap();
        assert_eq!(client.helo, "mx.example.net");
        assert_eq!(client.ip, "192.0.2.5".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn an_address_literal_as_helo_does_not_choose_the_client() {
        let raw = b"Received: from [198.51.100.7] ([203.0.113.9])\r\n\tby mail.example.test with ESMTP id 1\r\nSubject: x\r\n\r\nbody\r\n";
        let client = client_from_received(raw).unwrap();
        assert_eq!(client.helo, "[198.51.100.7]");
        assert_eq!(client.ip, "203.0.113.9".parse::<IpAddr>().unwrap());
    }
}
