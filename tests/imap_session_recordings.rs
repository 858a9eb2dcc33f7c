//! Replays the client side of real IMAP client recordings
//! (../shared/clients) against sessions over duplex pipes: every command
//! must get the tagged condition the reference server (Dovecot) gave, and
//! every response must be well-formed, literals of the announced size
//! included (the transcript client reads exactly the announced octets, so
//! a wrong size shows up as a broken line after it).
//!
//! Known, intended difference: CREATE of a
//! folder every postamt account has from the start answers
//! `NO [ALREADYEXISTS]`.

mod imap_session_support;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use imap_session_support::{Client, Fixture, PASSWORD, USER, fixture, message};

struct Line {
    connection: String,
    client: bool,
    text: String,
}

fn recording(name: &str) -> Vec<Line> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/clients")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut words = l.trim_start().splitn(3, ' ');
            let (_time, connection, rest) = (words.next()?, words.next()?, words.next()?);
            let (client, text) = if let Some(t) = rest.strip_prefix("C: ") {
                (true, t)
            } else {
                (false, rest.strip_prefix("S: ")?)
            };
            (!text.starts_with("| ")).then(|| Line {
                connection: connection.to_owned(),
                client,
                text: text.to_owned(),
            })
        })
        .collect()
}

fn tag_of(line: &str) -> &str {
    line.split(' ').next().unwrap_or_default()
}

fn command_of(line: &str) -> String {
    line.split(' ')
        .nth(1)
        .unwrap_or_default()
        .to_ascii_uppercase()
}

fn unquote(name: &str) -> String {
    name.trim_matches('"').to_owned()
}

/// Creates the mailboxes the recording selects with as many messages as
/// the reference server reported for them.
async fn seed(f: &Fixture, lines: &[Line]) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut pending: HashMap<String, String> = HashMap::new();
    for line in lines {
        let cmd = command_of(&line.text);
        if line.client && (cmd == "SELECT" || cmd == "EXAMINE") {
            let name = unquote(line.text.split(' ').nth(2).unwrap_or_default());
            pending.insert(line.connection.clone(), name);
        } else if !line.client
            && let Some(n) = line
                .text
                .strip_prefix("* ")
                .and_then(|r| r.strip_suffix(" EXISTS"))
            && let Some(name) = pending.remove(&line.connection)
        {
            counts.entry(name).or_insert(n.parse().unwrap());
        }
    }
    for (name, count) in counts {
        if name != "INBOX" {
            let mailbox = postamt::store::MailboxName::new(&name).unwrap();
            let _ = f.store.create_mailbox(f.account, &mailbox, None).await;
        }
        let messages: Vec<Vec<u8>> = (1..=count).map(message).collect();
        let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
        f.deliver(&name, &refs).await;
    }
}

fn credentials() -> String {
    STANDARD.encode(format!("\0{USER}\0{PASSWORD}"))
}

/// The client line with the redacted credentials put back.
fn unredact(text: &str) -> String {
    if text == "<SASL response redacted>" || text == "<redacted>" {
        return credentials();
    }
    if let Some(head) = text.strip_suffix(" <redacted>") {
        if command_of(head) == "LOGIN" {
            return format!("{} LOGIN {USER} {PASSWORD}", tag_of(head));
        }
        return format!("{head} {}", credentials());
    }
    text.to_owned()
}

fn allowed_difference(command: &str, expected: &str, got: &str) -> bool {
    command == "CREATE" && expected.contains(" OK") && got.contains(" NO [ALREADYEXISTS]")
}

/// Replays a recording; returns how many tagged responses were compared.
async fn replay(name: &str) -> usize {
    let mut lines = recording(name);
    // Recordings may hold SMTP or POP3 connections too: keep IMAP ones,
    // whose first client line is tagged (SMTP and POP3 start with a verb).
    let mut first_lines: HashMap<String, String> = HashMap::new();
    for line in lines.iter().filter(|l| l.client) {
        first_lines
            .entry(line.connection.clone())
            .or_insert_with(|| line.text.clone());
    }
    lines.retain(|l| {
        first_lines.get(&l.connection).is_some_and(|first| {
            let verb = first.split(' ').next().unwrap_or_default();
            !matches!(verb, "EHLO" | "HELO" | "CAPA" | "USER" | "AUTH")
        })
    });
    let f = fixture().await;
    seed(&f, &lines).await;
    let mut expected: HashMap<(String, String), String> = HashMap::new();
    for line in lines.iter().filter(|l| !l.client) {
        let tag = tag_of(&line.text);
        if tag != "*" && tag != "+" {
            expected.insert((line.connection.clone(), tag.to_owned()), line.text.clone());
        }
    }
    let mut clients: HashMap<String, Client> = HashMap::new();
    let mut waiting: HashMap<String, (String, String)> = HashMap::new();
    let mut compared = 0;
    for line in lines.iter().filter(|l| l.client) {
        if !clients.contains_key(&line.connection) {
            clients.insert(line.connection.clone(), f.connect().await);
        }
        let client = clients.get_mut(&line.connection).unwrap();
        let text = unredact(&line.text);
        client.send(&text).await;
        let (tag, command) = if let Some(pending) = waiting.remove(&line.connection) {
            // DONE, or an AUTHENTICATE response: the command was sent before.
            pending
        } else {
            (tag_of(&text).to_owned(), command_of(&text))
        };
        if command == "IDLE" && text != "DONE" {
            assert_eq!(client.line().await, "+ idling", "{name}: IDLE");
            waiting.insert(line.connection.clone(), (tag, command));
            continue;
        }
        // AUTHENTICATE without an initial response waits for `+ `.
        if command == "AUTHENTICATE" && text.split(' ').count() == 3 {
            let reply = client.line().await;
            assert!(reply.starts_with("+"), "{name}: {reply}");
            waiting.insert(line.connection.clone(), (tag, command));
            continue;
        }
        let t = client.response(&tag).await;
        for untagged in &t.untagged {
            assert!(
                untagged.starts_with("* ") || untagged.starts_with("+ "),
                "{name}: malformed {untagged:?}"
            );
            if untagged.contains(" FETCH (") {
                assert!(
                    untagged.ends_with(')'),
                    "{name}: literal size off in {untagged:?}"
                );
            }
        }
        let Some(reference) = expected.get(&(line.connection.clone(), tag.clone())) else {
            continue;
        };
        let want = reference.split(' ').nth(1).unwrap_or_default();
        let got = t.tagged.split(' ').nth(1).unwrap_or_default();
        compared += 1;
        assert!(
            want == got || allowed_difference(&command, reference, &t.tagged),
            "{name} {}: `{text}` got {:?}, reference {:?}",
            line.connection,
            t.tagged,
            reference
        );
    }
    compared
}

#[tokio::test]
async fn thunderbird_first_sync_replays() {
    assert!(replay("thunderbird-153-first-sync.txt").await >= 45);
}

#[tokio::test]
async fn mbsync_three_runs_replay() {
    assert!(replay("mbsync-three-runs.txt").await >= 40);
}

#[tokio::test]
async fn offlineimap_oneshot_replays() {
    assert!(replay("offlineimap3-oneshot.txt").await >= 20);
}

#[tokio::test]
async fn neomutt_read_replays() {
    assert!(replay("neomutt-imaps-read-smtps-send.txt").await >= 8);
}

#[tokio::test]
async fn curl_imaps_replays() {
    assert!(replay("curl-imaps-pop3s-smtps.txt").await >= 4);
}

#[tokio::test]
async fn getmail6_imaps_replays() {
    assert!(replay("getmail6-pop3s-imaps.txt").await >= 9);
}
