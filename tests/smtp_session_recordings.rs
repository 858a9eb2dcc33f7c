//! Replays the client side of the SMTP sessions recorded from real clients
//! (../shared/clients: swaks, curl, NeoMutt against Postfix) and checks that
//! each reply has the recorded code (and enhanced code, where Postfix sent
//! one) and that every message sent is committed.
//!
//! The replay runs in plaintext with AUTH allowed on loopback: STARTTLS
//! and its 220 are skipped (TLS has its own test), redacted SASL data is
//! replaced by the test user's credentials, and a summarised message is
//! rebuilt from its recorded header lines and a short body.

mod smtp_support;

use postamt::smtp::Role;
use smtp_support::{ALICE, PASSWORD, b64, fixture, plain_response, settings};

const RECORDINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/clients");

/// One recorded line of one connection.
enum Event {
    Client(String),
    /// The last line of a server reply.
    Server(String),
}

/// The SMTP connections of a recording, in order, each as its events.
fn smtp_connections(file: &str) -> Vec<Vec<Event>> {
    let text = std::fs::read_to_string(format!("{RECORDINGS}/{file}")).unwrap();
    let mut connections: Vec<(String, Vec<Event>)> = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut words = line.trim_start().splitn(3, ' ');
        let (Some(_time), Some(connection), Some(rest)) =
            (words.next(), words.next(), words.next())
        else {
            continue;
        };
        let event = if let Some(client) = rest.strip_prefix("C: ") {
            Event::Client(client.to_owned())
        } else if let Some(server) = rest.strip_prefix("S: ") {
            if server.as_bytes().get(3) == Some(&b'-') {
                continue;
            }
            Event::Server(server.to_owned())
        } else {
            continue;
        };
        match connections.iter_mut().find(|(name, _)| name == connection) {
            Some((_, events)) => events.push(event),
            None => connections.push((connection.to_owned(), vec![event])),
        }
    }
    connections
        .into_iter()
        .map(|(_, events)| events)
        .filter(|events| matches!(events.first(), Some(Event::Server(s)) if s.starts_with("220 ")))
        .collect()
}

/// The part of a recorded reply to compare: the code, and the enhanced
/// code when there is one.
fn comparable(reply: &str) -> &str {
    let enhanced = reply
        .get(4..9)
        .is_some_and(|s| s.as_bytes()[1] == b'.' && s.as_bytes()[3] == b'.');
    if enhanced { &reply[..9] } else { &reply[..3] }
}

/// Replays every SMTP connection of `file`; returns the messages sent.
async fn replay(file: &str) -> usize {
    let f = fixture().await;
    let mut sent = Vec::new();
    for events in smtp_connections(file) {
        let mut c = f.connect(settings(Role::Submission)).await;
        let mut header: Vec<String> = Vec::new();
        let mut last_reply = String::new();
        let mut skip_reply = false;
        // The greeting was read by connect().
        for event in events.into_iter().skip(1) {
            match event {
                Event::Client(line) if line == "STARTTLS" => skip_reply = true,
                Event::Client(line) if line.starts_with("<message data") => header.clear(),
                Event::Client(line) if line.starts_with("| ") => header.push(line[2..].to_owned()),
                Event::Client(line) if line == "." => {
                    let mut message = header.join("\r\n");
                    message.push_str("\r\n\r\nReplayed body.\r\n.\r\n");
                    c.send_raw(message.as_bytes()).await;
                    sent.push(header.clone());
                }
                Event::Client(line) if line == "AUTH PLAIN <redacted>" => {
                    c.send(&format!("AUTH PLAIN {}", plain_response(ALICE, PASSWORD)))
                        .await;
                }
                Event::Client(line) if line == "<redacted>" => {
                    let response = match last_reply.as_str() {
                        "334 VXNlcm5hbWU6" => b64(ALICE),
                        "334 UGFzc3dvcmQ6" => b64(PASSWORD),
                        _ => plain_response(ALICE, PASSWORD),
                    };
                    c.send(&response).await;
                }
                Event::Client(line) => c.send(&line).await,
                Event::Server(_) if skip_reply => skip_reply = false,
                Event::Server(recorded) => {
                    let reply = c.reply().await;
                    let last = reply.lines().last().unwrap_or_default().to_owned();
                    assert!(
                        last.starts_with(comparable(&recorded)),
                        "{file}: recorded {recorded:?}, got {reply:?}"
                    );
                    last_reply = last;
                }
            }
        }
    }
    let committed = f.committed();
    assert_eq!(committed.len(), sent.len(), "{file}");
    for (message, header) in committed.iter().zip(&sent) {
        let text = message.text();
        assert!(text.starts_with("Received: "), "{text}");
        for line in header {
            assert!(text.contains(line.as_str()), "{line:?} missing from {text}");
        }
    }
    sent.len()
}

#[tokio::test]
async fn swaks_submissions_over_465_and_587_replay() {
    assert_eq!(replay("swaks-submission.txt").await, 2);
}

#[tokio::test]
async fn curl_smtps_send_replays() {
    assert_eq!(replay("curl-imaps-pop3s-smtps.txt").await, 1);
}

#[tokio::test]
async fn neomutt_smtps_send_replays() {
    assert_eq!(replay("neomutt-imaps-read-smtps-send.txt").await, 1);
}
