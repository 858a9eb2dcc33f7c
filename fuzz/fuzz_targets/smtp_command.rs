//! Whatever a client sends, the SMTP command parser answers with a command or a typed error,
//! and the DATA decoder ends only at CRLF.CRLF without panicking, whatever the chunking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postamt::smtp::dot::DotDecoder;
use postamt::smtp::parser::parse_command;

fuzz_target!(|input: &[u8]| {
    for line in input.split(|&b| b == b'\n') {
        let _ = parse_command(line.strip_suffix(b"\r").unwrap_or(line));
    }
    let mut decoder = DotDecoder::default();
    let mut out = Vec::new();
    let mut consumed = 0;
    for chunk in input.chunks(5) {
        if let Some(end) = decoder.feed(chunk, &mut out) {
            consumed += end;
            // What the decoder keeps is never more than what it was given.
            assert!(out.len() <= consumed);
            let taken = &input[..consumed];
            assert!(taken.ends_with(b"\r\n.\r\n") || taken == b".\r\n");
            return;
        }
        consumed += chunk.len();
        assert!(out.len() <= consumed);
    }
});
