//! Golden tests: the exact `FETCH (ENVELOPE BODYSTRUCTURE)` line for tricky
//! messages (the fixtures in tests/fixtures/messages and
//! tests/fixtures/imap/messages, and picked corpus messages), pinned in tests/fixtures/imap/<name>.golden. Set
//! `POSTAMT_UPDATE_GOLDEN=1` to rewrite them after a deliberate change, then
//! review the diff.

mod corpus;
mod imap_response_support;

use std::path::PathBuf;

use imap_response_support::{bytes, load};
use postamt::imap::response::{Data, FetchItem, Mode, Response};
use postamt::message::parse;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Why each corpus message is here.
const CORPUS: &[(&str, &str)] = &[
    (
        "ham/00062.009f5a1a8fa88f0b38299ad01562bb37.txt",
        "multipart/alternative",
    ),
    (
        "ham/00775.0e012f373467846510d9db297e99a008.txt",
        "multipart/mixed",
    ),
    (
        "ham/00067.23813c5ac6ce66fd892ee5501fd5dbd2.txt",
        "mixed with application/ms-tnef",
    ),
    (
        "ham/01294.8c242aa8998042dd666b7f9db56a6a3e.txt",
        "nested message/rfc822",
    ),
    (
        "ham/01542.ed72bf2cd81ccd4c076533fb0af004e5.txt",
        "nested message/rfc822",
    ),
    (
        "ham/00070.c62a036deb1de40aa32cabc761b0861c.txt",
        "multipart/related",
    ),
    (
        "ham/00014.cb20e10b2bfcb8210a1c310798532a57.txt",
        "multipart/signed",
    ),
    (
        "ham/00255.11be25bd4a3d55702ed4a1f13e7d2a3d.txt",
        "ISO-8859-1 encoded-words",
    ),
    (
        "ham/00011.fbcde1b4833bdbaaf0ced723edd6e355.txt",
        "encoded-words",
    ),
    (
        "ham/00189.b66293957540969a231d2fd09886ee0f.txt",
        "charset value case kept",
    ),
    (
        "spam/00329.af4af411fb1268d1461b29fa2d2145a3.txt",
        "undisclosed-recipients group",
    ),
    (
        "spam/00022.8203cdf03888f656dc0381701148f73d.txt",
        "group syntax, no closing boundary",
    ),
    (
        "ham/02026.e6e094c6110cbff0c3a55e0fc5c9273a.txt",
        "raw 8-bit subject",
    ),
    (
        "ham/00236.0d42e8e99de86aae42a4f3e3cdc2465b.txt",
        "CJK charset",
    ),
    (
        "spam/00467.5b733c506b7165424a0d4a298e67970f.txt",
        "boundary never used",
    ),
    (
        "spam/00194.767c323b4ae7a4909397e42cbd0c56a4.txt",
        "multipart without boundary",
    ),
    (
        "spam/00023.b6d27c684f5fc803cfa1060adb2d0805.txt",
        "no closing boundary",
    ),
    (
        "ham/00072.8dcd09744b5534002262a8f3927ba3fc.txt",
        "no To field",
    ),
    (
        "spam/00030.0c9cdd9d4025bd55dac02719ec8d29dc.txt",
        "Content-Language",
    ),
    (
        "spam/00307.7ed50c6d80c6e37c8cc1b132f4a19e4d.txt",
        "Content-ID",
    ),
    (
        "ham/00061.9cc2b5c110807914cc6c38263b7dd62a.txt",
        "text/plain without parameters",
    ),
    (
        "ham/00007.37a8af848caae585af4fe35779656d55.txt",
        "8bit transfer encoding",
    ),
];

/// Every golden case: (golden name, wire-format message, mode).
fn cases() -> Vec<(String, Vec<u8>, Mode)> {
    let mut cases = Vec::new();
    let messages = fixture_dir().join("messages");
    let mut fixtures: Vec<_> = std::fs::read_dir(&messages)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    fixtures.sort();
    for path in fixtures {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        cases.push((stem, std::fs::read(&path).unwrap(), Mode::Rev1));
    }
    let own = fixture_dir().join("imap/messages");
    let mut extra: Vec<_> = std::fs::read_dir(&own)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    extra.sort();
    for path in extra {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        cases.push((stem, std::fs::read(&path).unwrap(), Mode::Rev1));
    }
    for (file, _why) in CORPUS {
        let name = file.replace('/', "-");
        let name = name.split('.').next().unwrap().to_string();
        cases.push((name, load(&corpus::dir().join(file)), Mode::Rev1));
    }
    for stem in ["rfc2231", "eight_bit", "encoded_words"] {
        let raw = std::fs::read(messages.join(format!("{stem}.eml"))).unwrap();
        cases.push((format!("{stem}.utf8"), raw, Mode::Utf8));
    }
    cases
}

fn envelope_and_structure(raw: &[u8], mode: Mode) -> Vec<u8> {
    let meta = parse(raw).metadata;
    let response = Response::Data(Data::Fetch {
        seq: 1,
        items: vec![
            FetchItem::Envelope(&meta.envelope),
            FetchItem::BodyStructure(&meta.body),
        ],
    });
    bytes(response.encode(mode))
}

#[test]
fn fetch_envelope_bodystructure_matches_the_golden_files() {
    let update = std::env::var_os("POSTAMT_UPDATE_GOLDEN").is_some();
    let dir = fixture_dir().join("imap");
    let cases = cases();
    assert!(cases.len() >= 30, "only {} golden cases", cases.len());
    let mut mismatches = Vec::new();
    for (name, raw, mode) in cases {
        let actual = envelope_and_structure(&raw, mode);
        let path = dir.join(format!("{name}.golden"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read(&path).unwrap_or_default();
        if expected != actual {
            mismatches.push(format!(
                "{name}:\n  expected {}\n  actual   {}",
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&actual)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
