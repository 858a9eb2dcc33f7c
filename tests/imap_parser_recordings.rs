//! Every client line of the recorded IMAP sessions in ../shared/clients goes
//! through the framer and parses into the command it names; AUTHENTICATE
//! responses and IDLE's DONE are read as raw lines where the session would.

use std::collections::HashMap;
use std::path::Path;

use postamt::imap::parser::{
    CommandBody, Event, Framer, Limits, ListSelection, LiteralMode, is_idle_done,
};

/// Each IMAP recording with the number of commands its clients send
/// (counted independently of the parser, so no line can be skipped silently).
const IMAP_RECORDINGS: [(&str, usize); 7] = [
    ("thunderbird-153-first-sync.txt", 48),
    ("mbsync-three-runs.txt", 48),
    ("offlineimap3-oneshot.txt", 23),
    ("neomutt-imaps-read-smtps-send.txt", 9),
    ("getmail6-pop3s-imaps.txt", 10),
    ("curl-imaps-pop3s-smtps.txt", 5),
    ("python-imaplib-idle.txt", 6),
];

/// A base64 stand-in for a redacted SASL-IR initial response.
const SASL_IR: &str = "AGJvYgBzZWNyZXQ=";

/// What the next client line of a connection is.
#[derive(Default, PartialEq)]
enum Expect {
    #[default]
    Command,
    SaslResponse,
    Done,
}

struct Connection {
    framer: Framer,
    expect: Expect,
}

fn limits() -> Limits {
    Limits {
        max_line: 65_536,
        max_literal: 65_536,
        max_message: 52_428_800,
        literal_mode: LiteralMode::Plus,
    }
}

/// The command name a raw client line starts with (after its tag).
fn named(line: &str) -> String {
    let mut words = line.split(' ').skip(1).map(str::to_ascii_uppercase);
    match words.next() {
        Some(w) if w == "UID" => format!("UID {}", words.next().unwrap_or_default()),
        Some(w) => w,
        None => String::new(),
    }
}

/// Client lines of the IMAP connections of one recording, in order:
/// (connection, line). A connection is IMAP when its greeting is `* OK`.
fn imap_client_lines(text: &str) -> Vec<(String, String)> {
    let mut protocol: HashMap<String, bool> = HashMap::new();
    let mut lines = Vec::new();
    for raw in text.lines() {
        let mut parts = raw.trim_start().splitn(3, ' ');
        let (Some(_time), Some(conn), Some(rest)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if let Some(server) = rest.strip_prefix("S: ") {
            protocol
                .entry(conn.to_owned())
                .or_insert_with(|| server.starts_with("* OK"));
        } else if let Some(client) = rest.strip_prefix("C: ")
            && protocol.get(conn) == Some(&true)
        {
            lines.push((conn.to_owned(), client.to_owned()));
        }
    }
    lines
}

/// Replays one recording; returns the number of commands parsed.
fn replay(name: &str) -> usize {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/clients")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut connections: HashMap<String, Connection> = HashMap::new();
    let mut commands = 0;
    for (conn, line) in imap_client_lines(&text) {
        let c = connections
            .entry(conn.clone())
            .or_insert_with(|| Connection {
                framer: Framer::new(limits()),
                expect: Expect::Command,
            });
        // Summaries of literal content are not protocol lines.
        if line.starts_with("| ") || line.starts_with("<message") || line.starts_with("<literal") {
            continue;
        }
        let wire = if named(&line) == "AUTHENTICATE" {
            line.replace("<redacted>", SASL_IR)
        } else {
            line.clone()
        };
        c.framer.feed(format!("{wire}\r\n").as_bytes());
        match std::mem::take(&mut c.expect) {
            Expect::SaslResponse => {
                let raw = c.framer.next_line().unwrap().unwrap();
                assert!(raw.starts_with(b"<"), "{name} {conn}: SASL line {raw:?}");
                continue;
            }
            Expect::Done => {
                let raw = c.framer.next_line().unwrap().unwrap();
                assert!(is_idle_done(&raw), "{name} {conn}: {line:?} after IDLE");
                continue;
            }
            Expect::Command => {}
        }
        let event = c.framer.next_event();
        let Some(Event::Command(command)) = event else {
            panic!("{name} {conn}: {line:?} gave {event:?}");
        };
        assert!(
            !matches!(command.body, CommandBody::Unknown { .. }),
            "{name}: {line:?}"
        );
        assert_eq!(command.body.name(), named(&line), "{name} {conn}: {line:?}");
        assert_eq!(Some(command.tag.as_str()), line.split(' ').next());
        assert_eq!(c.framer.next_event(), None, "{name}: one command per line");
        c.expect = match &command.body {
            CommandBody::Authenticate {
                initial_response: None,
                ..
            } => Expect::SaslResponse,
            CommandBody::Idle => Expect::Done,
            _ => Expect::Command,
        };
        commands += 1;
    }
    commands
}

#[test]
fn every_recorded_imap_client_line_parses_as_the_command_it_names() {
    for (name, expected) in IMAP_RECORDINGS {
        assert_eq!(replay(name), expected, "{name}");
    }
}

#[test]
fn thunderbird_subscribed_list_is_a_list_extended_selection() {
    let mut framer = Framer::new(limits());
    framer.feed(b"32 list (subscribed) \"\" \"*\"\r\n");
    let Some(Event::Command(c)) = framer.next_event() else {
        panic!()
    };
    let CommandBody::List(args) = c.body else {
        panic!()
    };
    assert_eq!(args.selection, vec![ListSelection::Subscribed]);
    assert_eq!(args.patterns, vec![b"*".to_vec()]);
}

#[test]
fn offlineimap_unquoted_mailbox_names_parse() {
    let mut framer = Framer::new(limits());
    framer.feed(b"OLML15 SELECT Receipts\r\nOLML16 EXAMINE Receipts\r\n");
    let Some(Event::Command(c)) = framer.next_event() else {
        panic!()
    };
    let CommandBody::Select { mailbox, .. } = c.body else {
        panic!()
    };
    assert_eq!(mailbox.as_bytes(), b"Receipts");
    assert!(matches!(framer.next_event(), Some(Event::Command(_))));
}
