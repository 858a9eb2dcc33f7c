//! A DNS server on loopback for the tests: an in-memory zone answered over
//! UDP by a thread of its own (so both plain and tokio tests can use it),
//! NXDOMAIN for names it does not hold. The daemon's resolver is pointed at
//! it, so tests go through the same lookups as production.

// Each test crate uses a different part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use hickory_resolver::proto::op::{Message, ResponseCode};
use hickory_resolver::proto::rr::rdata::{A, TXT};
use hickory_resolver::proto::rr::{RData, Record, RecordType};
use postamt::antispam::SenderAuthenticator;
use postamt::config::{Config, DnsSection};
use postamt::dns::Resolver;

type Zone = HashMap<(String, RecordType), Vec<RData>>;

/// The zone's server; it stops when dropped.
pub struct TestDns {
    zone: Arc<Mutex<Zone>>,
    pub address: SocketAddr,
    queries: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TestDns {
    pub fn start() -> Self {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let address = socket.local_addr().unwrap();
        let zone = Arc::new(Mutex::new(Zone::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let queries = Arc::new(AtomicUsize::new(0));
        let thread = std::thread::spawn({
            let zone = zone.clone();
            let stop = stop.clone();
            let queries = queries.clone();
            move || serve(&socket, &zone, &queries, &stop)
        });
        Self {
            zone,
            address,
            queries,
            stop,
            thread: Some(thread),
        }
    }

    fn add(&self, name: &str, kind: RecordType, data: RData) {
        self.zone
            .lock()
            .unwrap()
            .entry((key(name), kind))
            .or_default()
            .push(data);
    }

    /// A TXT record, split into character-strings of 255 octets (RFC 1035
    /// §3.3.14) as DKIM keys must be.
    pub fn txt(&self, name: &str, value: &str) {
        let chunks = value
            .as_bytes()
            .chunks(255)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        self.add(name, RecordType::TXT, RData::TXT(TXT::new(chunks)));
    }

    /// The SPF record of `domain`.
    pub fn spf(&self, domain: &str, record: &str) {
        self.txt(domain, record);
    }

    /// The DMARC record of `domain` (`_dmarc.domain`).
    pub fn dmarc(&self, domain: &str, record: &str) {
        self.txt(&format!("_dmarc.{domain}"), record);
    }

    /// The DKIM key record `selector._domainkey.domain`.
    pub fn dkim_key(&self, selector: &str, domain: &str, record: &str) {
        self.txt(&format!("{selector}._domainkey.{domain}"), record);
    }

    pub fn a(&self, name: &str, address: Ipv4Addr) {
        self.add(name, RecordType::A, RData::A(A(address)));
    }

    /// A resolver asking this server.
    pub fn resolver(&self) -> Arc<Resolver> {
        Arc::new(Resolver::from_config(&section(self.address, 5)))
    }

    /// Queries answered so far.
    pub fn queries(&self) -> usize {
        self.queries.load(Ordering::Relaxed)
    }
}

/// An authenticator with the zone it asks, which lives as long as it.
pub struct Authenticator {
    pub dns: TestDns,
    auth: SenderAuthenticator,
}

impl Authenticator {
    /// `hostname`'s authenticator asking `dns`.
    pub fn new(hostname: &str, dns: TestDns) -> Self {
        let auth = SenderAuthenticator::new(hostname, dns.resolver());
        Self { dns, auth }
    }
}

impl std::ops::Deref for Authenticator {
    type Target = SenderAuthenticator;

    fn deref(&self) -> &SenderAuthenticator {
        &self.auth
    }
}

/// A `[dns]` section asking only `server`, one second per query, with
/// `message_budget` seconds per message.
pub fn section(server: SocketAddr, message_budget: u64) -> DnsSection {
    Config::from_toml_str(&format!(
        "[dns]\nservers = [\"{server}\"]\ntimeout = 1\nattempts = 1\nmessage_budget = {message_budget}\n"
    ))
    .unwrap()
    .dns
}

impl Drop for TestDns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn serve(socket: &UdpSocket, zone: &Mutex<Zone>, queries: &AtomicUsize, stop: &AtomicBool) {
    let mut buffer = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        let Ok((length, peer)) = socket.recv_from(&mut buffer) else {
            continue;
        };
        let Ok(query) = Message::from_vec(&buffer[..length]) else {
            continue;
        };
        queries.fetch_add(1, Ordering::Relaxed);
        let reply = answer(&query, &zone.lock().unwrap());
        if let Ok(bytes) = reply.to_vec() {
            let _ = socket.send_to(&bytes, peer);
        }
    }
}

fn answer(query: &Message, zone: &Zone) -> Message {
    let mut reply = Message::response(query.id(), query.op_code());
    reply.set_recursion_desired(query.recursion_desired());
    reply.set_recursion_available(true);
    reply.set_authoritative(true);
    let Some(question) = query.queries().first() else {
        reply.set_response_code(ResponseCode::FormErr);
        return reply;
    };
    reply.add_query(question.clone());
    let name = key(&question.name().to_ascii());
    let held = zone.keys().any(|(n, _)| *n == name);
    if !held {
        reply.set_response_code(ResponseCode::NXDomain);
        return reply;
    }
    for data in zone
        .get(&(name, question.query_type()))
        .into_iter()
        .flatten()
    {
        reply.add_answer(Record::from_rdata(
            question.name().clone(),
            300,
            data.clone(),
        ));
    }
    reply
}

/// A port that takes queries and never answers: a resolver that died
/// without closing its socket.
pub struct DeadDns {
    _socket: UdpSocket,
    pub address: SocketAddr,
}

impl DeadDns {
    pub fn start() -> Self {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let address = socket.local_addr().unwrap();
        Self {
            _socket: socket,
            address,
        }
    }

    /// A resolver asking this port, with `message_budget` seconds per message.
    pub fn resolver(&self, message_budget: u64) -> Arc<Resolver> {
        Arc::new(Resolver::from_config(&section(
            self.address,
            message_budget,
        )))
    }
}
