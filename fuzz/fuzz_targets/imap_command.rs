//! Whatever a client sends, the IMAP framer and command parser answer with events or typed
//! errors, never a panic, and never hold more than their limits allow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postamt::imap::parser::{Event, Framer, Limits, LiteralMode, parse_command};

/// Small limits, so the fuzzer reaches the refusals as well as the happy paths.
const LIMITS: Limits = Limits {
    max_line: 4096,
    max_literal: 4096,
    max_message: 65_536,
    literal_mode: LiteralMode::Plus,
};

fuzz_target!(|input: &[u8]| {
    let _ = parse_command(input);
    let mut framer = Framer::new(LIMITS);
    // Fed in uneven pieces, as a socket delivers them.
    for chunk in input.chunks(7) {
        framer.feed(chunk);
        while let Some(event) = framer.next_event() {
            if let Event::ContinuationRequest = event {
                continue;
            }
        }
    }
});
