//! Whatever a client sends, the POP3 command parser answers with a command or a typed error,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postamt::pop3::parser::parse_command;

fuzz_target!(|input: &[u8]| {
    for line in input.split(|&b| b == b'\n') {
        let _ = parse_command(line.strip_suffix(b"\r").unwrap_or(line));
    }
});
