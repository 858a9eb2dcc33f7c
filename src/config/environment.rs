//! What the embedded defaults take from the machine: host name, data dir, privileges.
//!
//! Owns every read of the environment the configuration makes, so the rest of the
//! config code stays pure. It must not read files or decide anything else.

use std::ffi::CStr;
use std::path::PathBuf;

use super::validate;

/// The environment variable naming the data dir when no configuration file does.
pub const DATA_DIR_VARIABLE: &str = "POSTAMT_DATA";

/// `$POSTAMT_DATA`, else `./postamt-data`.
pub fn default_data_dir() -> PathBuf {
    match std::env::var_os(DATA_DIR_VARIABLE) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from("postamt-data"),
    }
}

/// The system's host name, or `localhost` when it cannot be read or is not a valid host
/// name (a default must never fail validation).
pub fn system_hostname() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: the pointer and length describe `buffer`, which outlives the call.
    let status = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) };
    if status != 0 {
        return "localhost".to_owned();
    }
    // POSIX does not promise a terminating NUL on truncation, hence the checked read.
    match CStr::from_bytes_until_nul(&buffer) {
        Ok(name) => match name.to_str() {
            Ok(name) if validate::is_host_name(name) => name.to_owned(),
            _ => "localhost".to_owned(),
        },
        Err(_) => "localhost".to_owned(),
    }
}

/// Whether the process may bind the standard (privileged) ports.
pub fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}
