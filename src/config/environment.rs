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

/// Whether the process may bind the standard (privileged) ports: as root, or with
/// CAP_NET_BIND_SERVICE, which is how systemd/postamt.service runs it as its own user.
pub fn may_bind_privileged_ports() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() == 0 };
    root || std::fs::read_to_string("/proc/self/status")
        .is_ok_and(|status| has_net_bind_capability(&status))
}

/// capabilities(7): CAP_NET_BIND_SERVICE is bit 10 of the effective set.
const CAP_NET_BIND_SERVICE: u32 = 10;

fn has_net_bind_capability(proc_status: &str) -> bool {
    proc_status
        .lines()
        .find_map(|line| line.strip_prefix("CapEff:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << CAP_NET_BIND_SERVICE) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_bind_capability_is_read_from_the_effective_set() {
        let with = "Name:\tpostamt\nCapInh:\t0000000000000000\nCapEff:\t0000000000000400\n";
        let without = "CapPrm:\t0000000000000400\nCapEff:\t0000000000000000\n";
        assert!(has_net_bind_capability(with));
        assert!(!has_net_bind_capability(without));
        assert!(!has_net_bind_capability("CapEff:\tzz\n"));
    }
}
