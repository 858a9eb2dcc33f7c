//! Route resolution against a DNS that answers from a table.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::*;
use crate::config::SMTP_PORT;
use crate::outbound::dns::DnsFuture;

/// Answers from tables; a name in none of them does not exist.
#[derive(Default)]
struct TableDns {
    mx: HashMap<String, Result<Vec<MxRecord>, DnsError>>,
    a: HashMap<String, Result<Vec<Ipv4Addr>, DnsError>>,
    aaaa: HashMap<String, Vec<Ipv6Addr>>,
}

impl TableDns {
    fn mx(mut self, domain: &str, records: &[(u16, &str)]) -> Self {
        let records = records
            .iter()
            .map(|&(preference, exchange)| MxRecord {
                preference,
                exchange: exchange.to_owned(),
            })
            .collect();
        self.mx.insert(domain.to_owned(), Ok(records));
        self
    }

    fn mx_error(mut self, domain: &str, error: DnsError) -> Self {
        self.mx.insert(domain.to_owned(), Err(error));
        self
    }

    fn a(mut self, host: &str, address: &str) -> Self {
        let entry = self.a.entry(host.to_owned()).or_insert(Ok(Vec::new()));
        if let Ok(addresses) = entry {
            addresses.push(address.parse().unwrap());
        }
        self
    }

    fn a_error(mut self, host: &str, error: DnsError) -> Self {
        self.a.insert(host.to_owned(), Err(error));
        self
    }

    fn aaaa(mut self, host: &str, address: &str) -> Self {
        self.aaaa
            .entry(host.to_owned())
            .or_default()
            .push(address.parse().unwrap());
        self
    }

    fn exists(&self, name: &str) -> bool {
        self.mx.contains_key(name) || self.a.contains_key(name) || self.aaaa.contains_key(name)
    }
}

impl Dns for TableDns {
    fn mx(&self, domain: &str) -> DnsFuture<'_, Vec<MxRecord>> {
        let answer = match self.mx.get(domain) {
            Some(answer) => answer.clone(),
            None if self.exists(domain) => Ok(Vec::new()),
            None => Err(DnsError::NoSuchDomain),
        };
        Box::pin(async move { answer })
    }

    fn ipv4(&self, host: &str) -> DnsFuture<'_, Vec<Ipv4Addr>> {
        let answer = match self.a.get(host) {
            Some(answer) => answer.clone(),
            None if self.exists(host) => Ok(Vec::new()),
            None => Err(DnsError::NoSuchDomain),
        };
        Box::pin(async move { answer })
    }

    fn ipv6(&self, host: &str) -> DnsFuture<'_, Vec<Ipv6Addr>> {
        let answer = match self.aaaa.get(host) {
            Some(answer) => Ok(answer.clone()),
            None if self.exists(host) => Ok(Vec::new()),
            None => Err(DnsError::NoSuchDomain),
        };
        Box::pin(async move { answer })
    }
}

fn router(dns: TableDns) -> Router {
    Router::new(BTreeMap::new(), Arc::new(dns), SMTP_PORT, false)
}

fn router_with_routes(dns: TableDns, routes: &[(&str, &str)]) -> Router {
    let routes = routes
        .iter()
        .map(|&(domain, target)| (domain.to_owned(), RouteTarget::parse(target).unwrap()))
        .collect();
    Router::new(routes, Arc::new(dns), SMTP_PORT, false)
}

fn names(hosts: &[Host]) -> Vec<&str> {
    hosts.iter().map(|host| host.name.as_str()).collect()
}

#[tokio::test]
async fn mx_hosts_come_in_preference_order() {
    let dns = TableDns::default()
        .mx(
            "example.org",
            &[(20, "backup.example.org"), (10, "mx.example.org")],
        )
        .a("mx.example.org", "192.0.2.1")
        .a("backup.example.org", "192.0.2.2");
    let hosts = router(dns).resolve("example.org").await.unwrap();
    assert_eq!(names(&hosts), ["mx.example.org", "backup.example.org"]);
    assert_eq!(hosts[0].addresses, ["192.0.2.1:25".parse().unwrap()]);
}

#[tokio::test]
async fn equal_preferences_are_shuffled_but_stay_before_worse_ones() {
    let dns = TableDns::default()
        .mx(
            "example.org",
            &[
                (10, "a.example.org"),
                (10, "b.example.org"),
                (5, "first.example.org"),
            ],
        )
        .a("a.example.org", "192.0.2.1")
        .a("b.example.org", "192.0.2.2")
        .a("first.example.org", "192.0.2.3");
    let router = router(dns);
    let mut orders = std::collections::HashSet::new();
    for _ in 0..64 {
        let hosts = router.resolve("example.org").await.unwrap();
        assert_eq!(hosts[0].name, "first.example.org");
        orders.insert(names(&hosts[1..]).join(","));
    }
    let expected: std::collections::HashSet<String> =
        ["a.example.org,b.example.org", "b.example.org,a.example.org"]
            .into_iter()
            .map(str::to_owned)
            .collect();
    assert_eq!(orders, expected);
}

#[tokio::test]
async fn ipv4_and_ipv6_addresses_are_both_tried() {
    let dns = TableDns::default()
        .mx("example.org", &[(10, "mx.example.org")])
        .a("mx.example.org", "192.0.2.1")
        .aaaa("mx.example.org", "2001:db8::1");
    let hosts = router(dns).resolve("example.org").await.unwrap();
    assert_eq!(
        hosts[0].addresses,
        [
            "192.0.2.1:25".parse().unwrap(),
            "[2001:db8::1]:25".parse().unwrap()
        ]
    );
}

#[tokio::test]
async fn domain_without_mx_is_its_own_mail_server() {
    let dns = TableDns::default().a("example.org", "192.0.2.7");
    let hosts = router(dns).resolve("example.org").await.unwrap();
    assert_eq!(names(&hosts), ["example.org"]);
    assert_eq!(hosts[0].addresses, ["192.0.2.7:25".parse().unwrap()]);
}

#[tokio::test]
async fn null_mx_is_a_permanent_5_1_10() {
    let dns = TableDns::default().mx("example.org", &[(0, "")]);
    let error = router(dns).resolve("example.org").await.unwrap_err();
    assert_eq!(error, RouteError::NullMx);
    let outcome = error.outcome();
    assert_eq!(outcome.kind, OutcomeKind::Permanent);
    assert_eq!(outcome.status, "5.1.10");
}

#[tokio::test]
async fn nxdomain_is_a_permanent_5_1_2() {
    let error = router(TableDns::default())
        .resolve("nowhere.example")
        .await
        .unwrap_err();
    assert_eq!(error, RouteError::NoSuchDomain);
    assert_eq!(error.outcome().kind, OutcomeKind::Permanent);
    assert_eq!(error.outcome().status, "5.1.2");
}

#[tokio::test]
async fn servfail_is_a_transient_4_4_3() {
    let dns = TableDns::default().mx_error("example.org", DnsError::Temporary("SERVFAIL".into()));
    let error = router(dns).resolve("example.org").await.unwrap_err();
    assert_eq!(error.outcome().kind, OutcomeKind::Transient);
    assert_eq!(error.outcome().status, "4.4.3");
}

#[tokio::test]
async fn servfail_for_the_mx_host_is_transient() {
    let dns = TableDns::default()
        .mx("example.org", &[(10, "mx.example.org")])
        .a_error("mx.example.org", DnsError::Temporary("timeout".into()));
    let error = router(dns).resolve("example.org").await.unwrap_err();
    assert_eq!(error.outcome().kind, OutcomeKind::Transient);
}

#[tokio::test]
async fn loopback_from_dns_is_refused() {
    let dns = TableDns::default()
        .mx("example.org", &[(10, "mx.example.org")])
        .a("mx.example.org", "127.0.0.1")
        .aaaa("mx.example.org", "::1");
    let error = router(dns).resolve("example.org").await.unwrap_err();
    assert_eq!(error, RouteError::Loop);
    assert_eq!(error.outcome().kind, OutcomeKind::Permanent);
}

#[tokio::test]
async fn loopback_host_is_skipped_for_a_good_one() {
    let dns = TableDns::default()
        .mx(
            "example.org",
            &[(10, "evil.example.org"), (20, "mx.example.org")],
        )
        .a("evil.example.org", "127.0.0.2")
        .a("evil.example.org", "0.0.0.0")
        .a("mx.example.org", "192.0.2.1");
    let hosts = router(dns).resolve("example.org").await.unwrap();
    assert_eq!(names(&hosts), ["mx.example.org"]);
}

#[tokio::test]
async fn static_route_wins_over_mx_and_may_point_at_loopback() {
    let dns = TableDns::default()
        .mx("example.test", &[(10, "mx.example.test")])
        .a("mx.example.test", "192.0.2.1");
    let router = router_with_routes(dns, &[("example.test", "127.0.0.1:2526")]);
    let hosts = router.resolve("example.test").await.unwrap();
    assert_eq!(hosts[0].addresses, ["127.0.0.1:2526".parse().unwrap()]);
}

#[tokio::test]
async fn star_route_is_a_smarthost_for_every_other_domain() {
    let dns = TableDns::default().a("relay.example.net", "192.0.2.9");
    let router = router_with_routes(
        dns,
        &[
            ("example.test", "127.0.0.1:2526"),
            ("*", "relay.example.net:587"),
        ],
    );
    let hosts = router.resolve("elsewhere.example").await.unwrap();
    assert_eq!(names(&hosts), ["relay.example.net"]);
    assert_eq!(hosts[0].addresses, ["192.0.2.9:587".parse().unwrap()]);
}

#[tokio::test]
async fn unresolvable_route_host_is_transient() {
    let router = router_with_routes(TableDns::default(), &[("*", "relay.example.net")]);
    let error = router.resolve("example.org").await.unwrap_err();
    assert_eq!(error.outcome().kind, OutcomeKind::Transient);
}

#[tokio::test]
async fn address_literal_needs_no_dns_but_not_loopback() {
    let router = router(TableDns::default());
    let hosts = router.resolve("[192.0.2.5]").await.unwrap();
    assert_eq!(names(&hosts), ["192.0.2.5"]);
    assert_eq!(hosts[0].addresses, ["192.0.2.5:25".parse().unwrap()]);
    let hosts = router.resolve("[ipv6:2001:db8::5]").await.unwrap();
    assert_eq!(hosts[0].addresses, ["[2001:db8::5]:25".parse().unwrap()]);
    assert_eq!(router.resolve("[127.0.0.1]").await, Err(RouteError::Loop));
}

#[tokio::test]
async fn addresses_are_capped_over_all_hosts() {
    let mut dns = TableDns::default();
    let mut records = Vec::new();
    let hosts: Vec<String> = (0..8).map(|i| format!("mx{i}.example.org")).collect();
    for (i, host) in hosts.iter().enumerate() {
        records.push((u16::try_from(i).unwrap(), host.as_str()));
        dns = dns
            .a(host, &format!("192.0.2.{}", 2 * i + 1))
            .a(host, &format!("192.0.2.{}", 2 * i + 2));
    }
    let dns = dns.mx("example.org", &records);
    let found = router(dns).resolve("example.org").await.unwrap();
    let total: usize = found.iter().map(|host| host.addresses.len()).sum();
    assert_eq!(total, MAX_ADDRESSES);
    assert_eq!(found.len(), MAX_ADDRESSES / 2);
}
