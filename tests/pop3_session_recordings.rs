//! Replays the client side of the POP3 connections in the real-client
//! recordings (../shared/clients: fetchmail, getmail6, curl) against
//! sessions over duplex pipes: every command must get the status the
//! reference server (Dovecot) gave, multi-line answers where it gave them,
//! with as many lines for LIST and UIDL, and RETR / TOP must give back the
//! stored message byte for byte.

mod pop3_support;

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pop3_support::{Client, Fixture, PASSWORD, USER, fixture, message};
use postamt::message::{Section, SectionSpec};
use postamt::store::MailboxName;

/// One client line and the server lines that answered it.
struct Exchange {
    command: String,
    answer: Vec<String>,
}

/// The POP3 connections of a recording, in order, each as its exchanges.
fn connections(name: &str) -> Vec<Vec<Exchange>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/clients")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    let mut order: Vec<String> = Vec::new();
    let mut by_connection: std::collections::HashMap<String, (bool, Vec<Exchange>)> =
        std::collections::HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut words = line.trim_start().splitn(3, ' ');
        let (Some(_time), Some(connection), Some(rest)) =
            (words.next(), words.next(), words.next())
        else {
            continue;
        };
        let entry = by_connection
            .entry(connection.to_owned())
            .or_insert_with(|| {
                order.push(connection.to_owned());
                (false, Vec::new())
            });
        if let Some(command) = rest.strip_prefix("C: ") {
            entry.1.push(Exchange {
                command: command.to_owned(),
                answer: Vec::new(),
            });
        } else if let Some(answer) = rest.strip_prefix("S: ") {
            if answer.starts_with("| ") {
                continue;
            }
            match entry.1.last_mut() {
                Some(exchange) => exchange.answer.push(answer.to_owned()),
                // The greeting tells the protocol: POP3 greets with +OK.
                None => entry.0 = answer.starts_with("+OK"),
            }
        }
    }
    order
        .into_iter()
        .filter_map(|c| by_connection.remove(&c))
        .filter(|(pop3, _)| *pop3)
        .map(|(_, exchanges)| exchanges)
        .collect()
}

/// How many messages the connection's INBOX held on the reference server.
fn messages_needed(exchanges: &[Exchange]) -> usize {
    let mut needed = 0;
    for exchange in exchanges {
        let verb = exchange.command.split(' ').next().unwrap_or_default();
        let number = |i: usize| exchange.command.split(' ').nth(i)?.parse::<usize>().ok();
        match verb.to_ascii_uppercase().as_str() {
            "STAT" => {
                let count = exchange.answer[0]
                    .split(' ')
                    .nth(1)
                    .and_then(|n| n.parse().ok());
                needed = needed.max(count.unwrap_or(0));
            }
            "RETR" | "TOP" | "LIST" | "DELE" | "UIDL" => {
                needed = needed.max(number(1).unwrap_or(0))
            }
            _ => {}
        }
    }
    needed
}

/// The stored octets of INBOX's messages, in message-number order.
async fn inbox(f: &Fixture) -> Vec<Vec<u8>> {
    let name = MailboxName::new("INBOX").unwrap();
    let id = f.store.mailbox(f.account, &name).await.unwrap().id;
    let snapshot = f.store.snapshot(f.account, id).await.unwrap();
    let mut out = Vec::new();
    for m in snapshot.messages {
        let whole = Section {
            path: Vec::new(),
            spec: SectionSpec::Full,
        };
        let stream = f
            .store
            .open_message(f.account, id, m.uid, whole, None)
            .await
            .unwrap();
        out.push(stream.into_bytes().await.unwrap());
    }
    out
}

/// The command with the redacted secrets and the recorded login replaced.
fn substitute(command: &str) -> String {
    let upper = command.to_ascii_uppercase();
    if upper.starts_with("USER ") {
        format!("USER {USER}")
    } else if upper.starts_with("PASS ") {
        format!("PASS {PASSWORD}")
    } else if command == "<redacted>" {
        STANDARD.encode(format!("\0{USER}\0{PASSWORD}"))
    } else {
        command.to_owned()
    }
}

async fn replay_connection(f: &Fixture, exchanges: &[Exchange]) -> usize {
    let mut c: Client = f.connect().await;
    let stored = inbox(f).await;
    for exchange in exchanges {
        c.send(&substitute(&exchange.command)).await;
        let expected = &exchange.answer[0];
        let indicator = expected.split(' ').next().unwrap_or_default();
        let multiline = exchange.answer.len() > 1 && exchange.answer.last().unwrap() == ".";
        let context = format!("{} (reference: {expected})", exchange.command);
        if !multiline {
            let line = c.line().await;
            assert!(line.starts_with(indicator), "{context}: got {line}");
            continue;
        }
        let first = c.line().await;
        assert!(first.starts_with("+OK"), "{context}: got {first}");
        let body = c.body().await;
        let verb = exchange
            .command
            .split(' ')
            .next()
            .unwrap()
            .to_ascii_uppercase();
        let n = exchange
            .command
            .split(' ')
            .nth(1)
            .and_then(|n| n.parse::<usize>().ok());
        match (verb.as_str(), n) {
            ("RETR" | "TOP", Some(n)) => {
                assert_eq!(body, stored[n - 1], "{context}: not the stored message");
            }
            ("LIST" | "UIDL", None) => {
                let lines = body
                    .split(|b| *b == b'\n')
                    .filter(|l| !l.is_empty())
                    .count();
                assert_eq!(lines, exchange.answer.len() - 2, "{context}");
            }
            _ => {}
        }
    }
    exchanges.len()
}

/// Replays every POP3 connection of a recording; returns the fixture after
/// it and how many commands ran.
async fn replay(name: &str) -> (Fixture, usize) {
    let f = fixture().await;
    let mut n = 0;
    let mut seeded = 0;
    for exchanges in connections(name) {
        let needed = messages_needed(&exchanges);
        let present = inbox(&f).await.len();
        for _ in present..needed {
            seeded += 1;
            let mut m = message(seeded);
            // A line that needs stuffing, as real mail sometimes has.
            m.extend_from_slice(b".signature\r\n");
            f.deliver("INBOX", &[&m]).await;
        }
        n += replay_connection(&f, &exchanges).await;
    }
    (f, n)
}

#[tokio::test]
async fn fetchmail_keep_then_flush() {
    let (f, commands) = replay("fetchmail-pop3s-keep-flush.txt").await;
    assert_eq!(commands, 23);
    // --flush deleted the three messages of the first run; the new one stays.
    assert_eq!(f.count("INBOX").await, 1);
    assert_eq!(f.count("Trash").await, 3);
}

#[tokio::test]
async fn getmail6_pop3_retriever() {
    let (f, commands) = replay("getmail6-pop3s-imaps.txt").await;
    assert_eq!(commands, 10);
    assert_eq!(f.count("INBOX").await, 3);
}

#[tokio::test]
async fn curl_pop3s_retr_with_auth_plain_without_initial_response() {
    let (_f, commands) = replay("curl-imaps-pop3s-smtps.txt").await;
    assert_eq!(commands, 5);
}
