//! Whatever a client sends during AUTHENTICATE, the exchange answers with a step or a typed
//! error, and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postamt::auth::sasl::advertised_mechanisms;
use postamt::auth::{SaslExchange, SaslStep};

fuzz_target!(|input: &[u8]| {
    let Some((&selector, rest)) = input.split_first() else {
        return;
    };
    let mechanisms = advertised_mechanisms();
    let mechanism = mechanisms[usize::from(selector) % mechanisms.len()];
    let mut lines = rest.split(|&b| b == b'\n');
    let mut exchange = SaslExchange::new(mechanism);
    let initial = if selector & 0x80 != 0 { lines.next() } else { None };
    let mut step = exchange.start(initial);
    for line in lines {
        match step {
            Ok(SaslStep::Challenge(_)) => step = exchange.respond(line),
            Ok(SaslStep::Done(_)) | Err(_) => break,
        }
    }
});
