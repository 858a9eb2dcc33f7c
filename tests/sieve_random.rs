//! Seeded random scripts, from token soup to plain noise: each compiles or
//! is refused with a position, and each that compiles runs, never panicking.

use postamt::sieve::{Envelope, Environment, Input, Limits, Message, Outcome, compile, run};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

struct NoMailboxes;

impl Environment for NoMailboxes {
    fn mailbox_exists(&self, _: &str) -> bool {
        false
    }
}

const WORDS: &[&str] = &[
    "require",
    "if",
    "elsif",
    "else",
    "stop",
    "keep",
    "discard",
    "fileinto",
    "redirect",
    "reject",
    "vacation",
    "set",
    "addflag",
    "setflag",
    "removeflag",
    "hasflag",
    "addheader",
    "deleteheader",
    "header",
    "address",
    "envelope",
    "exists",
    "size",
    "allof",
    "anyof",
    "not",
    "true",
    "false",
    "string",
    "body",
    "spamtest",
    "mailboxexists",
    ":is",
    ":contains",
    ":matches",
    ":count",
    ":value",
    ":comparator",
    ":over",
    ":under",
    ":domain",
    ":localpart",
    ":detail",
    ":user",
    ":copy",
    ":create",
    ":flags",
    ":days",
    ":seconds",
    ":text",
    ":raw",
    ":content",
    ":percent",
    ":index",
    ":last",
    ":lower",
    ":length",
    "date",
    "currentdate",
    "environment",
    "duplicate",
    "include",
    "return",
    "global",
    ":regex",
    ":quoteregex",
    ":zone",
    ":originalzone",
    ":handle",
    ":header",
    ":uniqueid",
    ":once",
    ":optional",
    ":global",
    "\"date\"",
    "\"index\"",
    "\"include\"",
    "\"regex\"",
    "\"duplicate\"",
    "\"environment\"",
    "\"std11\"",
    "\"+0100\"",
    "\"(a|b)*[\"",
    "\"fileinto\"",
    "\"variables\"",
    "\"imap4flags\"",
    "\"relational\"",
    "\"editheader\"",
    "\"body\"",
    "\"subject\"",
    "\"${1}\"",
    "\"*?\\\\*\"",
    "\"ge\"",
    "\"i;ascii-numeric\"",
    "\"${hex:41}\"",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    ",",
    ";",
    "10",
    "1K",
    "text:\nline\n..dot\n.\n",
    "# c\n",
    "/* c */",
    "\"",
];

const MESSAGE: &[u8] = b"From: a@example.org\r\nTo: b+x@example.net, c@example.com\r\nSubject: hi there\r\n\r\nbody\r\n";

fn exercise(source: &str) {
    match compile(source) {
        Ok(script) => {
            let envelope = Envelope {
                from: "a@example.org".into(),
                to: "b+x@example.net".into(),
                detail: Some("x".into()),
            };
            let limits = Limits::default();
            let input = Input {
                envelope: &envelope,
                spam: None,
                environment: &NoMailboxes,
                limits: &limits,
                now: std::time::UNIX_EPOCH,
            };
            let mut message = Message::parse(MESSAGE, MESSAGE.len() as u64);
            let _ = run(&script, &mut message, &input, &mut Outcome::default());
        }
        Err(error) => assert!(error.line >= 1 && error.column >= 1, "{source:?}: {error}"),
    }
}

#[test]
fn token_soup_never_panics() {
    let mut rng = StdRng::seed_from_u64(5228);
    for _ in 0..3000 {
        let length = rng.gen_range(0..40);
        let source: Vec<&str> = (0..length)
            .map(|_| WORDS[rng.gen_range(0..WORDS.len())])
            .collect();
        exercise(&source.join(" "));
    }
}

#[test]
fn noise_never_panics() {
    let mut rng = StdRng::seed_from_u64(5229);
    for _ in 0..2000 {
        let length = rng.gen_range(0..200);
        let bytes: Vec<u8> = (0..length).map(|_| rng.gen_range(0..128u8)).collect();
        exercise(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn valid_prefix_with_random_tail_never_panics() {
    let mut rng = StdRng::seed_from_u64(3894);
    let prefix = "require [\"fileinto\", \"variables\", \"imap4flags\", \"relational\", \"editheader\", \"body\", \
                  \"comparator-i;ascii-numeric\", \"copy\", \"mailbox\", \"spamtest\", \"envelope\", \"subaddress\"];\n";
    for _ in 0..3000 {
        let length = rng.gen_range(0..30);
        let tail: Vec<&str> = (0..length)
            .map(|_| WORDS[rng.gen_range(0..WORDS.len())])
            .collect();
        exercise(&format!("{prefix}{}", tail.join(" ")));
    }
}
