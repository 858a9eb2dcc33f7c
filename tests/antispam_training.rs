//! Training from IMAP over a duplex session: filing into Junk trains spam
//! for the user, out of Junk trains ham (but not into Trash), `$Junk` and
//! `$NotJunk` likewise, and read mail that stays put becomes ham after the
//! delay while unread mail never does.

mod antispam_support;
mod imap_session_support;

use std::sync::Arc;

use antispam_support::corpus;
use imap_session_support::{Fixture, fixture};
use postamt::antispam::{Classifier, ImapTraining, JunkTraining, Label, Scope};
use postamt::config::AntispamSection;

const MESSAGE: &[u8] = b"From: Promo <deals@shop.example>\r\nTo: alice@example.test\r\nSubject: Amazing deal\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <deal-1@shop.example>\r\n\r\nBuy now and save big on everything.\r\n";

struct Trainer {
    training: Arc<ImapTraining>,
    classifier: Arc<Classifier>,
}

impl Trainer {
    fn label(&self, f: &Fixture) -> Option<Label> {
        self.classifier
            .label_of(Scope::User(f.account), MESSAGE)
            .unwrap()
    }
}

/// A fixture whose sessions tell an `ImapTraining` what they do.
async fn trained_fixture() -> (Fixture, Trainer) {
    let mut f = fixture().await;
    let classifier = Arc::new(Classifier::open(f.data_dir()));
    let training = Arc::new(
        ImapTraining::open(
            f.data_dir(),
            f.store.clone(),
            classifier.clone(),
            &AntispamSection::default(),
        )
        .unwrap(),
    );
    let hook: Arc<dyn JunkTraining> = Arc::new(Arc::clone(&training));
    f.context.training = Some(hook);
    (
        f,
        Trainer {
            training,
            classifier,
        },
    )
}

#[tokio::test]
async fn move_into_junk_trains_spam() {
    let (f, t) = trained_fixture().await;
    f.deliver("INBOX", &[MESSAGE]).await;
    let mut c = f.select("INBOX").await;
    c.send("m1 MOVE 1 Junk").await;
    c.expect_ok("m1").await;
    t.training.settled().await;
    assert_eq!(t.label(&f), Some(Label::Spam));
}

#[tokio::test]
async fn copy_into_junk_trains_spam() {
    let (f, t) = trained_fixture().await;
    f.deliver("INBOX", &[MESSAGE]).await;
    let mut c = f.select("INBOX").await;
    c.send("c1 COPY 1 Junk").await;
    c.expect_ok("c1").await;
    t.training.settled().await;
    assert_eq!(t.label(&f), Some(Label::Spam));
}

#[tokio::test]
async fn move_out_of_junk_trains_ham_and_moves_the_count() {
    let (f, t) = trained_fixture().await;
    f.deliver("INBOX", &[MESSAGE]).await;
    let mut c = f.select("INBOX").await;
    c.send("m1 MOVE 1 Junk").await;
    c.expect_ok("m1").await;
    c.send("s2 SELECT Junk").await;
    c.expect_ok("s2").await;
    c.send("m2 MOVE 1 INBOX").await;
    c.expect_ok("m2").await;
    t.training.settled().await;
    assert_eq!(t.label(&f), Some(Label::Ham));
    let totals = t.classifier.totals(Scope::User(f.account)).unwrap();
    assert_eq!((totals.spam, totals.ham), (0, 1));
}

#[tokio::test]
async fn out_of_junk_into_trash_trains_nothing() {
    let (f, t) = trained_fixture().await;
    f.deliver("Junk", &[MESSAGE]).await;
    let mut c = f.select("Junk").await;
    c.send("m1 MOVE 1 Trash").await;
    c.expect_ok("m1").await;
    t.training.settled().await;
    assert_eq!(t.label(&f), None);
}

#[tokio::test]
async fn junk_keywords_train_both_ways() {
    let (f, t) = trained_fixture().await;
    f.deliver("INBOX", &[MESSAGE]).await;
    let mut c = f.select("INBOX").await;
    c.send("f1 STORE 1 +FLAGS ($Junk)").await;
    c.expect_ok("f1").await;
    t.training.settled().await;
    assert_eq!(t.label(&f), Some(Label::Spam));
    c.send("f2 STORE 1 +FLAGS ($NotJunk)").await;
    c.expect_ok("f2").await;
    t.training.settled().await;
    assert_eq!(t.label(&f), Some(Label::Ham));
}

#[tokio::test]
async fn read_mail_left_in_place_becomes_ham_after_the_delay() {
    let (f, t) = trained_fixture().await;
    f.deliver("INBOX", &[MESSAGE]).await;
    let mut c = f.select("INBOX").await;
    c.send("f1 STORE 1 +FLAGS (\\Seen)").await;
    c.expect_ok("f1").await;
    t.training.settled().await;
    let now = now();
    assert_eq!(t.training.learn_read_ham(now).await.unwrap(), 0);
    assert_eq!(t.label(&f), None);
    let later = now + AntispamSection::default().ham_delay.0 + 1;
    assert_eq!(t.training.learn_read_ham(later).await.unwrap(), 1);
    assert_eq!(t.label(&f), Some(Label::Ham));
}

#[tokio::test]
async fn read_mail_moved_to_junk_within_the_delay_is_not_ham() {
    let (f, t) = trained_fixture().await;
    f.deliver("INBOX", &[MESSAGE]).await;
    let mut c = f.select("INBOX").await;
    c.send("f1 STORE 1 +FLAGS (\\Seen)").await;
    c.expect_ok("f1").await;
    c.send("m1 MOVE 1 Junk").await;
    c.expect_ok("m1").await;
    t.training.settled().await;
    let later = now() + AntispamSection::default().ham_delay.0 + 1;
    assert_eq!(t.training.learn_read_ham(later).await.unwrap(), 0);
    assert_eq!(t.label(&f), Some(Label::Spam));
}

#[tokio::test]
async fn unread_mail_is_never_learnt() {
    let (f, t) = trained_fixture().await;
    f.deliver("INBOX", &[MESSAGE]).await;
    let later = now() + 10 * AntispamSection::default().ham_delay.0;
    assert_eq!(t.training.learn_read_ham(later).await.unwrap(), 0);
    assert_eq!(t.label(&f), None);
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A message like `MESSAGE` that was never trained.
const SIMILAR: &[u8] = b"From: Promo <deals@shop.example>\r\nTo: alice@example.test\r\nSubject: Another amazing deal\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: <deal-2@shop.example>\r\n\r\nBuy now and save big on everything, again.\r\n";

#[tokio::test]
async fn junk_moves_change_how_similar_mail_scores_for_that_user_only() {
    let (f, t) = trained_fixture().await;
    for (kind, label) in [("ham", Label::Ham), ("spam", Label::Spam)] {
        for m in corpus(kind).iter().step_by(25) {
            t.classifier.train(Scope::Global, m, label).unwrap();
        }
    }
    let other = Some(postamt::store::AccountId(f.account.0 + 1));
    let score = |account| {
        postamt::antispam::analyse(&t.classifier, account, SIMILAR)
            .unwrap()
            .score
    };
    let (before, other_before) = (score(Some(f.account)), score(other));
    f.deliver("INBOX", &[MESSAGE]).await;
    let mut c = f.select("INBOX").await;
    c.send("m1 MOVE 1 Junk").await;
    c.expect_ok("m1").await;
    t.training.settled().await;
    let after = score(Some(f.account));
    assert!(after > before, "{before} -> {after}");
    assert_eq!(score(other), other_before);
}
