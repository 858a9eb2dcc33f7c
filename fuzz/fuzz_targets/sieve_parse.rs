//! Any text given as a Sieve script compiles or is refused with a line and
//! column, never a panic; one that compiles runs over a small message
//! without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postamt::sieve::{Envelope, Environment, Input, Limits, Message, Outcome, compile, run};

struct NoMailboxes;

impl Environment for NoMailboxes {
    fn mailbox_exists(&self, _: &str) -> bool {
        false
    }
}

const MESSAGE: &[u8] = b"From: a@example.org\r\nTo: b+x@example.net\r\nSubject: =?UTF-8?B?aGk=?=\r\n\r\nbody\r\n";

fuzz_target!(|text: &str| {
    if let Ok(script) = compile(text) {
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
        };
        let mut message = Message::parse(MESSAGE, MESSAGE.len() as u64);
        let _ = run(&script, &mut message, &input, &mut Outcome::default());
    }
});
