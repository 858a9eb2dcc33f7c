//! Invariant 1 under kill -9: a child process appends in a loop and prints
//! each UID once append has returned; the parent kills it with SIGKILL at
//! random moments and, after every kill, reopens the store and checks that
//! every acknowledged message is there exactly once with identical bytes,
//! that UIDs never went backwards or repeated, and that index and files agree.
//!
//! The child is this test binary re-executed with CHILD_ENV set, running
//! only `append_until_killed`.

mod corpus;
mod store_support;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use postamt::message::{Section, SectionSpec};
use postamt::store::{MailBackend, MaildirBackend, NewMessage, Uid};
use rand::Rng;
use store_support::*;

const CHILD_ENV: &str = "POSTAMT_CRASH_CHILD_DIR";
const SEQ_ENV: &str = "POSTAMT_CRASH_CHILD_SEQ";
const KILLS: u64 = 50;

fn message(seq: u64) -> Vec<u8> {
    format!(
        "From: crash@example.org\r\nSubject: crash test {seq}\r\n\r\nmessage {seq}\r\n{}\r\n",
        "x".repeat((seq % 97) as usize * 40)
    )
    .into_bytes()
}

/// The child: appends until killed. Does nothing in a normal test run.
#[test]
fn append_until_killed() {
    let (Ok(dir), Ok(seq)) = (std::env::var(CHILD_ENV), std::env::var(SEQ_ENV)) else {
        return;
    };
    let mut seq: u64 = seq.parse().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = postamt::store::Store::open_maildir(dir);
        let mut out = std::io::stdout().lock();
        loop {
            seq += 1;
            let new = vec![NewMessage::from_bytes(message(seq))];
            let appended = store
                .append(ALICE, &name("INBOX"), new, None)
                .await
                .unwrap();
            writeln!(out, "ack {} {seq}", appended.uids[0].0).unwrap();
            out.flush().unwrap();
        }
    });
}

/// Runs one child until a random moment, kills it, returns its acks.
fn run_child_and_kill(dir: &Path, first_seq: u64) -> Vec<(Uid, u64)> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "append_until_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .env(SEQ_ENV, first_seq.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut acks = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let mut parts = line.split_whitespace();
            if parts.next() == Some("ack") {
                let uid = parts.next().unwrap().parse().unwrap();
                let seq = parts.next().unwrap().parse().unwrap();
                acks.push((Uid(uid), seq));
            }
        }
        acks
    });
    let delay = rand::thread_rng().gen_range(20..250);
    std::thread::sleep(Duration::from_millis(delay));
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    reader.join().unwrap()
}

#[test]
fn kill_9_never_loses_an_acknowledged_message() {
    let dir = tempfile::tempdir().unwrap();
    MaildirBackend::new(dir.path())
        .create_account(ALICE)
        .unwrap();
    let whole = Section {
        path: vec![],
        spec: SectionSpec::Full,
    };
    let mut acked: HashMap<Uid, u64> = HashMap::new();
    let mut highest_seen = Uid(0);
    let mut total_acks = 0;
    for round in 0..KILLS {
        let acks = run_child_and_kill(dir.path(), round * 1_000_000);
        for (uid, seq) in &acks {
            assert!(
                *uid > highest_seen,
                "round {round}: UID {uid:?} not above {highest_seen:?}"
            );
            assert!(
                acked.insert(*uid, *seq).is_none(),
                "UID {uid:?} acknowledged twice"
            );
        }
        total_acks += acks.len();

        // A fresh backend is a restarted process: it reconciles on open.
        let backend = MaildirBackend::new(dir.path());
        let inbox = backend.mailbox(ALICE, &name("INBOX")).unwrap();
        let snap = backend.snapshot(ALICE, inbox.id).unwrap();
        let mut seen_bodies = HashSet::new();
        for m in &snap.messages {
            let blob = backend
                .open_message(ALICE, inbox.id, m.uid, &whole, None)
                .unwrap();
            let postamt::store::BlobBody::File { mut file, .. } = blob.body else {
                panic!("maildir gives files");
            };
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
            assert_eq!(bytes.len() as u64, m.size);
            assert!(
                seen_bodies.insert(bytes.clone()),
                "a message is present twice"
            );
            if let Some(seq) = acked.get(&m.uid) {
                assert_eq!(bytes, message(*seq), "UID {:?} has other bytes", m.uid);
            }
        }
        let present: HashSet<Uid> = snap.messages.iter().map(|m| m.uid).collect();
        for uid in acked.keys() {
            assert!(
                present.contains(uid),
                "round {round}: acknowledged UID {uid:?} lost"
            );
        }
        let cur = account_dir(dir.path(), ALICE)
            .join("mail")
            .join(inbox.id.0.to_string())
            .join("cur");
        let files = std::fs::read_dir(cur).unwrap().count();
        assert_eq!(files, snap.messages.len(), "index and files disagree");
        highest_seen = snap.messages.last().map_or(Uid(0), |m| m.uid);
        assert!(snap.uid_next > highest_seen);
    }
    assert!(
        total_acks > KILLS as usize,
        "children barely appended: {total_acks}"
    );
    eprintln!("{KILLS} kills, {total_acks} acknowledged appends verified");
}
