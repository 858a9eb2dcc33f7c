//! The Sieve language suite: every case under protocol-tests/sieve/<area>/<case>/
//! is compiled and run, and its actions (or its compile error) compared with
//! the case's `expected` file.
//!
//! A case holds `case.sieve`, optionally `message.eml` (LF line ends are
//! fine), `envelope` (`from: ...` and `to: ...` lines, `detail: ...`), `spam`
//! (`<spamtest> <percent>`) and `expected`: one action per line as
//! `Outcome::lines` writes them, or `error line L column C: message`, or
//! `runtime error: ...`. Scripts a case includes are `personal/<name>.sieve`
//! and `global/<name>.sieve` beside it; the IDs `duplicate` finds already
//! tracked are in `seen` (`handle<TAB>id` lines), and those a run would
//! track are written after the actions as `track "handle" "id" seconds`. Every
//! case runs at the same instant ([`NOW`]), so `currentdate` is deterministic.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use postamt::delivery::IncludeLocation;
use postamt::sieve::{
    Envelope, Environment, Input, Limits, Message, Outcome, Script, SpamScores, compile, run,
};

/// The case's surroundings: fixed mailboxes and host, and the scripts
/// under its `personal/` and `global/` folders for `include`.
struct World<'a> {
    case: &'a Path,
}

impl Environment for World<'_> {
    fn mailbox_exists(&self, name: &str) -> bool {
        ["INBOX", "Lists", "Junk", "Archive"].contains(&name)
    }

    fn item(&self, name: &str) -> Option<String> {
        match name {
            "host" => Some("mx.example.net".to_owned()),
            "domain" => Some("example.net".to_owned()),
            _ => None,
        }
    }

    /// The case's `seen` file: one `handle<TAB>id` a line.
    fn duplicate_seen(&self, handle: &str, id: &str) -> bool {
        let seen = fs::read_to_string(self.case.join("seen")).unwrap_or_default();
        seen.lines()
            .any(|line| line.split_once('\t') == Some((handle, id)))
    }

    fn include(
        &self,
        location: IncludeLocation,
        name: &str,
    ) -> Result<Option<Arc<Script>>, String> {
        let folder = match location {
            IncludeLocation::Personal => "personal",
            IncludeLocation::Global => "global",
        };
        let Ok(source) = fs::read_to_string(self.case.join(folder).join(format!("{name}.sieve")))
        else {
            return Ok(None);
        };
        compile(&source)
            .map(|script| Some(Arc::new(script)))
            .map_err(|e| e.to_string())
    }
}

/// Every case runs at Tue, 24 Nov 2026 09:30:00 +0000.
const NOW: u64 = 1_795_512_600;

const DEFAULT_MESSAGE: &str =
    "From: Alice <alice@example.org>\nTo: bob@example.net\nSubject: Hello\n\nHi Bob.\n";

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("protocol-tests/sieve");
    let mut cases = Vec::new();
    for area in fs::read_dir(&root).unwrap() {
        let area = area.unwrap().path();
        if !area.is_dir() {
            continue;
        }
        for case in fs::read_dir(&area).unwrap() {
            let case = case.unwrap().path();
            if case.join("case.sieve").exists() {
                cases.push(case);
            }
        }
    }
    cases.sort();
    cases
}

fn envelope(case: &Path) -> Envelope {
    let mut envelope = Envelope {
        from: "alice@example.org".into(),
        to: "bob@example.net".into(),
        detail: None,
    };
    if let Ok(text) = fs::read_to_string(case.join("envelope")) {
        for line in text.lines() {
            match line.split_once(':').map(|(k, v)| (k.trim(), v.trim())) {
                Some(("from", v)) => envelope.from = v.to_owned(),
                Some(("to", v)) => envelope.to = v.to_owned(),
                Some(("detail", v)) => envelope.detail = Some(v.to_owned()),
                _ => panic!("{}: bad envelope line {line:?}", case.display()),
            }
        }
    }
    envelope
}

fn spam(case: &Path) -> Option<SpamScores> {
    let text = fs::read_to_string(case.join("spam")).ok()?;
    let mut numbers = text.split_whitespace().map(|n| n.parse::<u8>().unwrap());
    Some(SpamScores {
        spamtest: numbers.next().unwrap(),
        percent: numbers.next().unwrap(),
    })
}

fn actual(case: &Path) -> Vec<String> {
    let source = fs::read_to_string(case.join("case.sieve")).unwrap();
    let script = match compile(&source) {
        Ok(script) => script,
        Err(e) => {
            return vec![format!(
                "error line {} column {}: {}",
                e.line, e.column, e.message
            )];
        }
    };
    let raw =
        fs::read_to_string(case.join("message.eml")).unwrap_or_else(|_| DEFAULT_MESSAGE.to_owned());
    let mut message = Message::parse(raw.as_bytes(), raw.len() as u64);
    let envelope = envelope(case);
    let limits = Limits::default();
    let input = Input {
        envelope: &envelope,
        spam: spam(case),
        environment: &World { case },
        limits: &limits,
        now: UNIX_EPOCH + Duration::from_secs(NOW),
    };
    let mut outcome = Outcome::default();
    match run(&script, &mut message, &input, &mut outcome) {
        Ok(()) => {
            let tracked = outcome
                .duplicates
                .iter()
                .filter(|mark| mark.to_record())
                .map(|mark| format!("track {:?} {:?} {}", mark.handle, mark.id, mark.seconds));
            outcome.lines().into_iter().chain(tracked).collect()
        }
        Err(e) => vec![format!("runtime error: {e}")],
    }
}

#[test]
fn language_suite() {
    let cases = cases();
    assert!(cases.len() >= 80, "only {} cases found", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let expected: Vec<String> = fs::read_to_string(case.join("expected"))
            .unwrap()
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let actual = actual(case);
        if actual != expected {
            failures.push(format!(
                "{}:\n  expected {expected:?}\n  actual   {actual:?}",
                case.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
