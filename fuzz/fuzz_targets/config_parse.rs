//! Any text given as a configuration file is accepted or refused with an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postamt::config::Config;

fuzz_target!(|text: &str| {
    let _ = Config::from_toml_str(text);
});
