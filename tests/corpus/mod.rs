//! The shared corpus beside the project (`../shared/corpus`): 2,500 ham and 500 spam messages
//! as shipped (LF line ends, most behind an mbox "From " line). Included with `mod corpus;` by
//! the tests that read it, and by bench/store.rs through `#[path]`.

// Each crate that includes this module uses a different part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// Every corpus file, ham then spam, each sorted by name: (`ham/00001…txt`, bytes as shipped).
pub fn files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for sub in ["ham", "spam"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir().join(sub))
            .expect("../shared/corpus is beside the project")
            .map(|entry| entry.expect("readable corpus dir").path())
            .collect();
        paths.sort();
        for path in paths {
            let name = format!(
                "{sub}/{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            files.push((name, std::fs::read(&path).expect("readable corpus file")));
        }
    }
    files
}

/// Every corpus message as shipped, in the order of [`files`].
pub fn as_shipped() -> Vec<Vec<u8>> {
    files().into_iter().map(|(_, raw)| raw).collect()
}

/// Every corpus message as it travels over SMTP or IMAP APPEND, in the order of [`files`].
pub fn wire_messages() -> Vec<Vec<u8>> {
    files().iter().map(|(_, raw)| wire_format(raw)).collect()
}

/// The message without the mbox "From " line in front of it.
pub fn strip_mbox_line(raw: &[u8]) -> &[u8] {
    if raw.starts_with(b"From ") {
        raw.iter()
            .position(|&b| b == b'\n')
            .map_or(&raw[..0], |i| &raw[i + 1..])
    } else {
        raw
    }
}

/// LF line ends turned into CRLF; existing CRLF stays as it is.
pub fn to_crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 16);
    let mut previous = 0u8;
    for &b in raw {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    out
}

/// As on the wire: no mbox line, CRLF line ends.
pub fn wire_format(raw: &[u8]) -> Vec<u8> {
    to_crlf(strip_mbox_line(raw))
}
