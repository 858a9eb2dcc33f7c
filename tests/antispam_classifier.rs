//! The classifier: training counts a message once, moves it when it changes
//! sides, makes similar spam score higher, and classifies a held-out part
//! of the corpus within the targets (ham false positives under 0.5 %, spam
//! recall over 95 %).

mod antispam_support;

use antispam_support::{corpus, message};
use postamt::antispam::{Classifier, Label, Scope, Thresholds, Trained, analyse};
use postamt::store::AccountId;

const USER: AccountId = AccountId(7);
const THRESHOLDS: Thresholds = Thresholds {
    spam: 5.0,
    reject: None,
};

/// A classifier trained on enough of the corpus to have an opinion.
fn trained(dir: &std::path::Path, every: usize) -> Classifier {
    let classifier = Classifier::open(dir);
    for (kind, label) in [("ham", Label::Ham), ("spam", Label::Spam)] {
        for m in corpus(kind).iter().step_by(every) {
            classifier.train(Scope::Global, m, label).unwrap();
        }
    }
    classifier
}

#[test]
fn training_twice_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let classifier = Classifier::open(dir.path());
    let m = message("a1", "Lunch", "see you at noon");
    assert_eq!(
        classifier.train(Scope::User(USER), &m, Label::Ham).unwrap(),
        Trained::Learnt
    );
    assert_eq!(
        classifier.train(Scope::User(USER), &m, Label::Ham).unwrap(),
        Trained::Already
    );
    let totals = classifier.totals(Scope::User(USER)).unwrap();
    assert_eq!((totals.spam, totals.ham), (0, 1));
}

#[test]
fn retraining_the_other_way_moves_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let classifier = Classifier::open(dir.path());
    let m = message("a2", "Offer", "cheap watches");
    classifier.train(Scope::User(USER), &m, Label::Ham).unwrap();
    assert_eq!(
        classifier
            .train(Scope::User(USER), &m, Label::Spam)
            .unwrap(),
        Trained::Moved
    );
    let totals = classifier.totals(Scope::User(USER)).unwrap();
    assert_eq!((totals.spam, totals.ham), (1, 0));
    assert_eq!(
        classifier.label_of(Scope::User(USER), &m).unwrap(),
        Some(Label::Spam)
    );
}

#[test]
fn a_copy_with_delivery_fields_is_the_same_message() {
    let dir = tempfile::tempdir().unwrap();
    let classifier = Classifier::open(dir.path());
    let m = message("a3", "Offer", "cheap watches");
    classifier
        .train(Scope::User(USER), &m, Label::Spam)
        .unwrap();
    let mut delivered = b"Return-Path: <x@y>\r\nX-Spam-Score: 1.0\r\n".to_vec();
    delivered.extend_from_slice(&m);
    assert_eq!(
        classifier
            .train(Scope::User(USER), &delivered, Label::Spam)
            .unwrap(),
        Trained::Already
    );
}

#[test]
fn untrained_model_gives_no_probability() {
    let dir = tempfile::tempdir().unwrap();
    let classifier = Classifier::open(dir.path());
    let analysis = analyse(&classifier, Some(USER), &message("a4", "Hi", "hello")).unwrap();
    assert_eq!(analysis.probability, None);
}

#[test]
fn training_a_spam_raises_the_score_of_similar_mail() {
    let dir = tempfile::tempdir().unwrap();
    let classifier = trained(dir.path(), 10);
    let spam = message(
        "b1",
        "Exclusive zorblax membership",
        "Join the zorblax quintuple rewards club, zorblax members earn quintuple points",
    );
    let similar = message(
        "b2",
        "Your zorblax membership",
        "zorblax quintuple rewards are waiting for you",
    );
    let before = analyse(&classifier, Some(USER), &similar).unwrap().score;
    classifier
        .train(Scope::User(USER), &spam, Label::Spam)
        .unwrap();
    let after = analyse(&classifier, Some(USER), &similar).unwrap().score;
    assert!(after > before, "{before} -> {after}");
}

#[test]
fn held_out_corpus_meets_the_targets() {
    let dir = tempfile::tempdir().unwrap();
    let classifier = Classifier::open(dir.path());
    let held_out = |i: usize| i.is_multiple_of(5);
    let (ham, spam) = (corpus("ham"), corpus("spam"));
    for (messages, label) in [(&ham, Label::Ham), (&spam, Label::Spam)] {
        for (i, m) in messages.iter().enumerate() {
            if !held_out(i) {
                classifier.train(Scope::User(USER), m, label).unwrap();
            }
        }
    }
    let said_spam = |m: &Vec<u8>| {
        analyse(&classifier, Some(USER), m)
            .unwrap()
            .verdict(THRESHOLDS)
            .is_spam
    };
    let ham_tested: Vec<_> = ham
        .iter()
        .enumerate()
        .filter(|(i, _)| held_out(*i))
        .collect();
    let spam_tested: Vec<_> = spam
        .iter()
        .enumerate()
        .filter(|(i, _)| held_out(*i))
        .collect();
    let false_positives = ham_tested.iter().filter(|(_, m)| said_spam(m)).count();
    let caught = spam_tested.iter().filter(|(_, m)| said_spam(m)).count();
    let fp_rate = false_positives as f64 / ham_tested.len() as f64;
    let recall = caught as f64 / spam_tested.len() as f64;
    assert!(
        fp_rate < 0.005,
        "ham FP {false_positives} of {}",
        ham_tested.len()
    );
    assert!(
        recall > 0.95,
        "spam recall {caught} of {}",
        spam_tested.len()
    );
}
