//! Anti-spam cross-validation and scoring speed over `../shared/corpus`.
//!
//! 5-fold cross-validation: each fold trains a fresh model on four fifths of
//! the corpus through `Classifier::train` (the path IMAP training takes) and
//! scores the held-out fifth with `analyse` (what the delivery stage runs).
//! Prints ham false positives, spam recall, precision and F1, for the
//! classifier alone (probability >= 0.5) and for the full score (classifier
//! plus rules, threshold 5.0), then scoring throughput.

use std::path::{Path, PathBuf};
use std::time::Instant;

use postamt::antispam::{Classifier, Label, Scope, Thresholds, analyse, strip_mbox_line};
use postamt::store::AccountId;

const FOLDS: usize = 5;
const THRESHOLDS: Thresholds = Thresholds {
    spam: 5.0,
    reject: None,
};

fn corpus(kind: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(kind);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| strip_mbox_line(&std::fs::read(p).expect("read")).to_vec())
        .collect()
}

#[derive(Default)]
struct Confusion {
    true_spam: usize,
    false_spam: usize,
    true_ham: usize,
    false_ham: usize,
}

impl Confusion {
    fn add(&mut self, is_spam: bool, said_spam: bool) {
        match (is_spam, said_spam) {
            (true, true) => self.true_spam += 1,
            (true, false) => self.false_ham += 1,
            (false, true) => self.false_spam += 1,
            (false, false) => self.true_ham += 1,
        }
    }

    fn report(&self, what: &str) {
        let ham = (self.true_ham + self.false_spam) as f64;
        let spam = (self.true_spam + self.false_ham) as f64;
        let fp_rate = self.false_spam as f64 / ham * 100.0;
        let recall = self.true_spam as f64 / spam * 100.0;
        let precision =
            self.true_spam as f64 / (self.true_spam + self.false_spam).max(1) as f64 * 100.0;
        let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
        println!(
            "{what}: ham FP {fp_rate:.2} % ({} of {ham}), spam recall {recall:.2} % ({} of {spam}), precision {precision:.2} %, F1 {f1:.2}",
            self.false_spam, self.true_spam
        );
    }
}

fn main() {
    let ham = corpus("ham");
    let spam = corpus("spam");
    let account = Some(AccountId(1));
    let mut classifier_only = Confusion::default();
    let mut full = Confusion::default();
    let mut scored = 0usize;
    let mut scoring = std::time::Duration::ZERO;
    for fold in 0..FOLDS {
        let dir = tempfile::tempdir().expect("tempdir");
        let classifier = Classifier::open(dir.path());
        let in_fold = |i: usize| i % FOLDS == fold;
        let started = Instant::now();
        for (messages, label) in [(&ham, Label::Ham), (&spam, Label::Spam)] {
            for (i, message) in messages.iter().enumerate() {
                if !in_fold(i) {
                    classifier
                        .train(Scope::User(AccountId(1)), message, label)
                        .expect("train");
                }
            }
        }
        let trained = started.elapsed();
        let started = Instant::now();
        for (messages, is_spam) in [(&ham, false), (&spam, true)] {
            for (i, message) in messages.iter().enumerate() {
                if in_fold(i) {
                    let analysis = analyse(&classifier, account, message).expect("analyse");
                    classifier_only.add(is_spam, analysis.probability.unwrap_or(0.5) >= 0.5);
                    full.add(is_spam, analysis.verdict(THRESHOLDS).is_spam);
                    if is_spam != analysis.verdict(THRESHOLDS).is_spam {
                        eprintln!(
                            "fold {fold} message {i} ({}): {}",
                            if is_spam { "spam" } else { "ham" },
                            analysis.status_line(THRESHOLDS)
                        );
                    }
                    scored += 1;
                }
            }
        }
        scoring += started.elapsed();
        eprintln!("fold {fold}: trained in {trained:?}");
    }
    classifier_only.report("classifier alone");
    full.report("full score");
    println!(
        "scoring: {scored} messages in {scoring:?}: {:.0} msg/s, {:.2} ms per message",
        scored as f64 / scoring.as_secs_f64(),
        scoring.as_secs_f64() * 1000.0 / scored as f64
    );
}
