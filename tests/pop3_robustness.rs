//! No input makes the POP3 parser or the dot-stuffer panic, and stuffing
//! round-trips: the 3,000 corpus messages in wire format, split at random,
//! come back byte for byte after a client's unstuffing; seeded random junk
//! and mutated commands go through the parser.

mod corpus;
mod pop3_support;

use postamt::pop3::parser::parse_command;
use postamt::pop3::stuffing::DotStuffer;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What a client does with a multi-line body: drop the terminator and one
/// leading dot of each line (RFC 1939 §3).
fn unstuff(wire: &[u8]) -> Vec<u8> {
    let body = wire
        .strip_suffix(b".\r\n")
        .expect("a multi-line response ends with the terminator");
    let mut out = Vec::new();
    for line in body.split_inclusive(|b| *b == b'\n') {
        out.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
    }
    out
}

fn stuff(message: &[u8], chunks: &mut StdRng) -> Vec<u8> {
    let mut stuffer = DotStuffer::whole();
    let mut out = Vec::new();
    let mut rest = message;
    while !rest.is_empty() {
        let n = chunks.gen_range(1..=rest.len().min(9000));
        let (chunk, tail) = rest.split_at(n);
        stuffer.encode(chunk, &mut out);
        rest = tail;
    }
    stuffer.finish(&mut out);
    out
}

#[test]
fn corpus_messages_survive_stuffing_split_anywhere() {
    let messages = corpus::wire_messages();
    assert!(messages.len() >= 3000, "{} messages", messages.len());
    let mut rng = StdRng::seed_from_u64(1939);
    for (i, message) in messages.iter().enumerate() {
        let wire = stuff(message, &mut rng);
        // The terminator appears once, at the end: nothing in a message can end it early.
        let early = wire
            .windows(5)
            .position(|w| w == b"\r\n.\r\n")
            .is_some_and(|at| at + 5 != wire.len());
        assert!(!early, "message {i} ends early");
        let mut expected = message.clone();
        if !expected.ends_with(b"\n") && !expected.is_empty() {
            expected.extend_from_slice(b"\r\n");
        }
        assert_eq!(unstuff(&wire), expected, "message {i}");
    }
}

#[test]
fn top_never_sends_more_than_the_whole_message() {
    let mut rng = StdRng::seed_from_u64(2449);
    for message in corpus::wire_messages().iter().take(500) {
        let lines = rng.gen_range(0..50u64);
        let mut stuffer = DotStuffer::top(lines);
        let mut out = Vec::new();
        stuffer.encode(message, &mut out);
        stuffer.finish(&mut out);
        let sent = unstuff(&out);
        assert!(message.starts_with(sent.strip_suffix(b"\r\n").unwrap_or(&sent)));
    }
}

#[test]
fn random_bytes_never_panic_the_parser() {
    let mut rng = StdRng::seed_from_u64(5034);
    for _ in 0..20_000 {
        let len = rng.gen_range(0..300);
        let line: Vec<u8> = (0..len).map(|_| rng.r#gen()).collect();
        let _ = parse_command(&line);
    }
}

#[test]
fn mutated_commands_never_panic_the_parser() {
    let commands: [&[u8]; 12] = [
        b"USER alice@example.test",
        b"PASS secret words",
        b"AUTH PLAIN AGFsaWNlAHB3",
        b"LIST 1",
        b"UIDL",
        b"RETR 2",
        b"TOP 1 10",
        b"DELE 3",
        b"STAT",
        b"CAPA",
        b"STLS",
        b"QUIT",
    ];
    let mut rng = StdRng::seed_from_u64(3206);
    for _ in 0..20_000 {
        let mut line = commands[rng.gen_range(0..commands.len())].to_vec();
        for _ in 0..rng.gen_range(1..4) {
            let at = rng.gen_range(0..=line.len());
            match rng.gen_range(0..3) {
                0 => line.insert(at, rng.r#gen()),
                1 if at < line.len() => {
                    line.remove(at);
                }
                // Spaces, digits and signs: the characters arguments are made of.
                _ => line.insert(at, b" 0123456789-+"[rng.gen_range(0..13)]),
            }
        }
        let _ = parse_command(&line);
    }
}

/// A session fed whole corpus messages as commands answers every line with a
/// status, and ends with its goodbye, not a crash: a panic would close the
/// connection without the last line.
#[tokio::test]
async fn sessions_fed_corpus_messages_answer_every_line_and_say_goodbye() {
    let f = pop3_support::fixture().await;
    for message in corpus::wire_messages().iter().step_by(60) {
        let mut c = f.connect().await;
        let mut input = message.clone();
        input.extend_from_slice(&b"BOGUS\r\n".repeat(25));
        c.send_raw(&input).await;
        let mut last = String::new();
        while let Some(line) = c.next_line_or_end().await {
            assert!(
                line.starts_with("+OK") || line.starts_with("-ERR") || line.starts_with("+ "),
                "{line:?}"
            );
            last = line;
        }
        assert!(
            last == "-ERR Too many errors, closing" || last == "+OK postamt signing off",
            "{last:?}"
        );
    }
}
