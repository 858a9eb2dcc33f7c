//! The DNS questions routing asks (MX, A, AAAA), behind a trait so tests answer
//! them without a network, and the hickory-resolver implementation the daemon uses.
//!
//! Owns mapping resolver answers and errors onto what routing needs to tell apart:
//! records, no records, no such domain, and "ask again later". It must not choose
//! hosts: that is `route`'s job.

use std::future::Future;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::pin::Pin;

use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::{ProtoError, ProtoErrorKind};
use hickory_resolver::{Name, TokioResolver};

/// A boxed future of a DNS answer.
pub type DnsFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, DnsError>> + Send + 'a>>;

/// Why a question got no records. An empty answer (the name exists, without
/// records of that type) is `Ok` with nothing in it, not an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnsError {
    /// NXDOMAIN: the name does not exist (RFC 1035 §4.1.1, RCODE 3).
    #[error("no such domain")]
    NoSuchDomain,
    /// SERVFAIL, a timeout, no reachable server: the answer may differ later.
    #[error("DNS lookup failed: {0}")]
    Temporary(String),
}

/// One MX record (RFC 1035 §3.3.9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxRecord {
    pub preference: u16,
    /// The mail exchanger, lowercase, without the final dot; empty for the root
    /// (`.`), which is how a null MX names no host (RFC 7505 §3).
    pub exchange: String,
}

/// Answers the questions routing asks.
pub trait Dns: Send + Sync + 'static {
    /// The MX records of `domain`.
    fn mx(&self, domain: &str) -> DnsFuture<'_, Vec<MxRecord>>;
    /// The A records of `host`.
    fn ipv4(&self, host: &str) -> DnsFuture<'_, Vec<Ipv4Addr>>;
    /// The AAAA records of `host`.
    fn ipv6(&self, host: &str) -> DnsFuture<'_, Vec<Ipv6Addr>>;
}

/// The daemon's resolver, through hickory.
pub struct HickoryDns {
    resolver: TokioResolver,
}

impl HickoryDns {
    /// Asking `resolver` (a clone of [`crate::dns::Resolver::hickory`]
    /// shares its answer cache).
    pub fn new(resolver: TokioResolver) -> HickoryDns {
        HickoryDns { resolver }
    }
}

/// The name as an absolute one, so the resolver never appends a search domain.
fn absolute(name: &str) -> Result<Name, DnsError> {
    let mut name = Name::from_ascii(name)
        .map_err(|error| DnsError::Temporary(format!("{name:?} is not a domain name: {error}")))?;
    name.set_fqdn(true);
    Ok(name)
}

/// Tells an empty answer (NOERROR without records) from NXDOMAIN and failures.
fn answer<T>(result: Result<Vec<T>, ProtoError>) -> Result<Vec<T>, DnsError> {
    match result {
        Ok(records) => Ok(records),
        Err(error) => match error.kind() {
            ProtoErrorKind::NoRecordsFound(no_records) => match no_records.response_code {
                ResponseCode::NoError => Ok(Vec::new()),
                ResponseCode::NXDomain => Err(DnsError::NoSuchDomain),
                code => Err(DnsError::Temporary(format!("the server answered {code}"))),
            },
            _ => Err(DnsError::Temporary(error.to_string())),
        },
    }
}

fn host_name(name: &Name) -> String {
    name.to_ascii().trim_end_matches('.').to_ascii_lowercase()
}

impl Dns for HickoryDns {
    fn mx(&self, domain: &str) -> DnsFuture<'_, Vec<MxRecord>> {
        let name = absolute(domain);
        Box::pin(async move {
            let lookup = self.resolver.mx_lookup(name?).await;
            answer(lookup.map(|records| {
                records
                    .iter()
                    .map(|mx| MxRecord {
                        preference: mx.preference(),
                        exchange: host_name(mx.exchange()),
                    })
                    .collect()
            }))
        })
    }

    fn ipv4(&self, host: &str) -> DnsFuture<'_, Vec<Ipv4Addr>> {
        let name = absolute(host);
        Box::pin(async move {
            let lookup = self.resolver.ipv4_lookup(name?).await;
            answer(lookup.map(|records| records.iter().map(|a| a.0).collect()))
        })
    }

    fn ipv6(&self, host: &str) -> DnsFuture<'_, Vec<Ipv6Addr>> {
        let name = absolute(host);
        Box::pin(async move {
            let lookup = self.resolver.ipv6_lookup(name?).await;
            answer(lookup.map(|records| records.iter().map(|aaaa| aaaa.0).collect()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_resolver::proto::NoRecords;
    use hickory_resolver::proto::op::Query;

    fn no_records(code: ResponseCode) -> Result<Vec<u8>, ProtoError> {
        Err(ProtoError::from(NoRecords::new(Query::default(), code)))
    }

    #[test]
    fn empty_answer_is_no_records_not_an_error() {
        assert_eq!(answer(no_records(ResponseCode::NoError)), Ok(Vec::new()));
    }

    #[test]
    fn nxdomain_is_no_such_domain() {
        assert_eq!(
            answer(no_records(ResponseCode::NXDomain)),
            Err(DnsError::NoSuchDomain)
        );
    }

    #[test]
    fn servfail_and_timeout_are_temporary() {
        assert!(matches!(
            answer(no_records(ResponseCode::ServFail)),
            Err(DnsError::Temporary(_))
        ));
        assert!(matches!(
            answer::<u8>(Err(ProtoError::from(ProtoErrorKind::Timeout))),
            Err(DnsError::Temporary(_))
        ));
    }

    #[test]
    fn names_are_asked_as_absolute() {
        assert!(absolute("example.org").unwrap().is_fqdn());
    }

    #[test]
    fn root_exchange_becomes_the_empty_name() {
        assert_eq!(host_name(&Name::root()), "");
        assert_eq!(
            host_name(&Name::from_ascii("MX.Example.org.").unwrap()),
            "mx.example.org"
        );
    }
}
