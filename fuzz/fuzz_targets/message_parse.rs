//! Any bytes a sender can put on the wire must parse without a panic, and every section the
//! metadata claims must lie inside the message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postamt::message::{Section, SectionSpec, parse};

fuzz_target!(|raw: &[u8]| {
    let parsed = parse(raw);
    assert_eq!(parsed.metadata.size, raw.len() as u64);
    for spec in [SectionSpec::Full, SectionSpec::Header, SectionSpec::Text] {
        if let Some(range) = parsed.metadata.locate(&Section { path: vec![], spec }) {
            assert!(range.start <= range.end && range.end <= raw.len() as u64);
        }
    }
});
