//! No input can make the framer or the parser panic: the 3,000 corpus
//! messages and seeded random junk and mutated commands go through both.
//! Real messages also round-trip through APPEND streaming byte for byte.

mod corpus;

use postamt::imap::parser::{CommandBody, Event, Framer, Limits, LiteralMode, parse_command};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const LIMITS: Limits = Limits {
    max_line: 8192,
    max_literal: 8192,
    max_message: 1 << 20,
    literal_mode: LiteralMode::Minus,
};

/// Drives a framer the way a session does, accepting every APPEND message
/// and answering IDLE with the next raw line. Returns the events seen.
fn drive(framer: &mut Framer, input: &[u8], chunk: usize) -> usize {
    let mut events = 0;
    for piece in input.chunks(chunk.max(1)) {
        framer.feed(piece);
        while let Some(event) = framer.next_event() {
            events += 1;
            if let Event::Command(c) = &event
                && c.body == CommandBody::Idle
            {
                let _ = framer.next_line();
            }
        }
    }
    events
}

#[test]
fn corpus_messages_as_command_streams_never_panic() {
    let messages = corpus::as_shipped();
    assert!(messages.len() >= 3000, "{} messages", messages.len());
    let mut framer = Framer::new(LIMITS);
    let mut events = 0;
    for (n, message) in messages.iter().enumerate() {
        let _ = parse_command(message);
        events += drive(&mut framer, message, 1 + n % 4096);
    }
    assert!(events > messages.len(), "{events} events");
}

fn crlf(message: &[u8]) -> Vec<u8> {
    let body = match message.strip_prefix(b"From ") {
        Some(_) => message
            .splitn(2, |&b| b == b'\n')
            .nth(1)
            .unwrap_or_default(),
        None => message,
    };
    let mut out = Vec::with_capacity(body.len() + body.len() / 40);
    for &b in body {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

#[test]
fn corpus_messages_stream_through_append_unchanged() {
    let mut framer = Framer::new(LIMITS);
    for (n, message) in corpus::as_shipped().iter().enumerate().step_by(7) {
        let wire = crlf(message);
        let mut input = format!("a{n} APPEND INBOX (\\Seen) {{{}}}\r\n", wire.len()).into_bytes();
        input.extend_from_slice(&wire);
        input.extend_from_slice(b"\r\n");
        let mut received = Vec::new();
        let mut ended = false;
        let mut refused = false;
        for piece in input.chunks(1 + n % 1500) {
            framer.feed(piece);
            while let Some(event) = framer.next_event() {
                match event {
                    Event::Command(_) | Event::MessageEnd => {}
                    Event::MessageData(d) => received.extend(d),
                    Event::AppendEnd => ended = true,
                    Event::Refused { error, .. } => {
                        assert!(wire.len() as u64 > LIMITS.max_message, "{error}");
                        refused = true;
                        ended = true;
                    }
                    other => panic!("message {n}: {other:?}"),
                }
            }
        }
        assert!(ended, "message {n}");
        assert!(
            refused || received == wire,
            "message {n} changed in transit"
        );
    }
}

const SEEDS: [&str; 12] = [
    "a1 UID FETCH 1:*,3 (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100> BINARY[1.2])\r\n",
    "a2 SEARCH RETURN (MIN) CHARSET UTF-8 OR (FROM \"x\" SINCE 1-Feb-2024) NOT UID 1:5\r\n",
    "a3 LOGIN {5}\r\nalice {3+}\r\npw!\r\n",
    "a4 APPEND INBOX (\\Seen) \"01-Jan-2024 00:00:00 +0000\" {5+}\r\nhello (\\Draft) {2+}\r\nhi\r\n",
    "a5 LIST (SUBSCRIBED) \"\" (\"*\" %) RETURN (STATUS (MESSAGES SIZE) CHILDREN)\r\n",
    "a6 SELECT INBOX (QRESYNC (1 2 1:5 (1:2 3:4)))\r\n",
    "a7 STORE 1 (UNCHANGEDSINCE 5) +FLAGS.SILENT (\\Seen $Junk)\r\n",
    "a8 IDLE\r\nDONE\r\n",
    "a9 APPEND INBOX UTF8 (~{3+}\r\nabc)\r\n",
    "b1 ID (\"name\" NIL)\r\nb2 ENABLE IMAP4rev2\r\n",
    "b3 UID SORT (REVERSE DATE) UTF-8 MODSEQ \"/flags/\\\\seen\" all 5\r\n",
    "b4 CREATE x (USE (\\Trash))\r\nb5 RENAME {1+}\r\nx y\r\n",
];

const INSERTS: [&[u8]; 12] = [
    b"{",
    b"}",
    b"(",
    b")",
    b"\"",
    b"\\",
    b"\r\n",
    b"{4294967296+}\r\n",
    b"{9}\r\n",
    b"*",
    b" ",
    b"~{",
];

#[test]
fn mutated_commands_and_random_junk_never_panic() {
    let mut rng = StdRng::seed_from_u64(0x1ea7);
    let mut framer = Framer::new(LIMITS);
    for round in 0..20_000 {
        let mut input = SEEDS[round % SEEDS.len()].as_bytes().to_vec();
        for _ in 0..rng.gen_range(0..6) {
            let at = rng.gen_range(0..=input.len());
            match rng.gen_range(0..4) {
                0 => input.truncate(at),
                1 => {
                    let insert = INSERTS[rng.gen_range(0..INSERTS.len())];
                    input.splice(at..at, insert.iter().copied());
                }
                2 if at < input.len() => input[at] = rng.r#gen(),
                _ => {
                    let junk: Vec<u8> = (0..rng.gen_range(1..20)).map(|_| rng.r#gen()).collect();
                    input.splice(at..at, junk);
                }
            }
        }
        let _ = parse_command(&input);
        drive(&mut framer, &input, rng.gen_range(1..64));
    }
    let junk: Vec<u8> = (0..200_000).map(|_| rng.r#gen()).collect();
    drive(&mut framer, &junk, 997);
}
