//! Pipeline stages: what a stage decides reaches the store, the sender or
//! nobody, as the stage said.

mod queue_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mail_parser::MessageParser;
use postamt::delivery::{
    DeliveryInfo, Disposition, HeaderField, LocalDelivery, Stage, StageError, StageFuture, Verdict,
};
use postamt::store::{Keyword, MailboxName, SystemFlag};
use queue_support::{Harness, MESSAGE, envelope};

/// Files mail for `alice+lists` into `Lists`, flagged and labelled, with a
/// header field saying so.
struct ListsStage;

impl Stage for ListsStage {
    fn name(&self) -> &str {
        "lists"
    }

    fn run<'a>(
        &'a self,
        delivery: &'a DeliveryInfo<'a>,
        disposition: &'a mut Disposition,
    ) -> StageFuture<'a> {
        Box::pin(async move {
            if delivery.detail == Some("lists") {
                disposition.folder = MailboxName::new("Lists").unwrap();
                disposition.flags.insert(SystemFlag::Flagged);
                disposition
                    .flags
                    .insert_keyword(Keyword::new("$Label1").unwrap());
                disposition
                    .header_fields
                    .push(HeaderField::new("X-Filed-By", "lists stage").unwrap());
            }
            Ok(Verdict::Continue)
        })
    }
}

/// Always ends the delivery the same way.
struct Fixed(Verdict);

impl Stage for Fixed {
    fn name(&self) -> &str {
        "fixed"
    }

    fn run<'a>(&'a self, _: &'a DeliveryInfo<'a>, _: &'a mut Disposition) -> StageFuture<'a> {
        let verdict = self.0.clone();
        Box::pin(async move { Ok(verdict) })
    }
}

/// Rejects whatever is for alice.
struct RejectAlice;

impl Stage for RejectAlice {
    fn name(&self) -> &str {
        "reject-alice"
    }

    fn run<'a>(
        &'a self,
        delivery: &'a DeliveryInfo<'a>,
        _: &'a mut Disposition,
    ) -> StageFuture<'a> {
        let alice = delivery.login.as_str() == "alice@example.org";
        Box::pin(async move {
            Ok(if alice {
                Verdict::Reject {
                    reason: "not welcome here".to_owned(),
                }
            } else {
                Verdict::Continue
            })
        })
    }
}

/// Fails the first time it runs, as a stage whose service is down would.
#[derive(Default)]
struct FlakyOnce(AtomicUsize);

impl Stage for FlakyOnce {
    fn name(&self) -> &str {
        "flaky"
    }

    fn run<'a>(&'a self, _: &'a DeliveryInfo<'a>, _: &'a mut Disposition) -> StageFuture<'a> {
        let first = self.0.fetch_add(1, Ordering::SeqCst) == 0;
        Box::pin(async move {
            if first {
                Err(StageError {
                    stage: "flaky".to_owned(),
                    reason: "service unavailable".to_owned(),
                })
            } else {
                Ok(Verdict::Continue)
            }
        })
    }
}

fn with_stage(h: &Harness, stage: impl Stage) -> Arc<LocalDelivery> {
    Arc::new(LocalDelivery::new(h.store.clone(), h.directory.clone()).with_stage(stage))
}

#[tokio::test]
async fn stage_chooses_the_folder_flags_and_header_fields() {
    let mut h = Harness::new();
    h.store.create_account(h.alice).await.unwrap();
    let lists = MailboxName::new("Lists").unwrap();
    h.store.create_mailbox(h.alice, &lists, None).await.unwrap();
    h.start_with(with_stage(&h, ListsStage));
    h.submit(
        envelope(Some("carol@remote.test"), &["alice+lists@example.org"]),
        MESSAGE,
    )
    .await;
    h.drained().await;

    assert!(h.inbox(h.alice).await.is_empty());
    let filed = h.folder(h.alice, "Lists").await;
    assert_eq!(filed.len(), 1);
    let parsed = MessageParser::default().parse(&filed[0]).unwrap();
    assert_eq!(
        parsed.header_raw("X-Filed-By").map(str::trim),
        Some("lists stage")
    );
    assert_eq!(parsed.subject(), Some("Hello"));
    let info = h.store.mailbox(h.alice, &lists).await.unwrap();
    let flags = &h.store.snapshot(h.alice, info.id).await.unwrap().messages[0].flags;
    assert!(flags.contains(SystemFlag::Flagged));
    assert!(flags.has_keyword(&Keyword::new("$Label1").unwrap()));
}

#[tokio::test]
async fn a_folder_that_does_not_exist_falls_back_to_inbox() {
    let mut h = Harness::new();
    h.start_with(with_stage(&h, ListsStage));
    h.submit(
        envelope(Some("carol@remote.test"), &["alice+lists@example.org"]),
        MESSAGE,
    )
    .await;
    h.drained().await;

    assert_eq!(h.inbox(h.alice).await.len(), 1);
}

#[tokio::test]
async fn rejecting_stage_bounces_with_its_reason() {
    let mut h = Harness::new();
    h.start_with(with_stage(&h, RejectAlice));
    h.submit(
        envelope(Some("bob@example.org"), &["alice@example.org"]),
        MESSAGE,
    )
    .await;
    h.drained().await;

    assert!(h.inbox(h.alice).await.is_empty());
    let bounce = h.inbox(h.bob).await;
    assert_eq!(bounce.len(), 1);
    let text = String::from_utf8_lossy(&bounce[0]).into_owned();
    assert!(text.contains("Status: 5.7.1"), "{text}");
    assert!(text.contains("not welcome here"), "{text}");
}

#[tokio::test]
async fn discarding_stage_drops_the_message_silently() {
    let mut h = Harness::new();
    h.start_with(with_stage(&h, Fixed(Verdict::Discard)));
    h.submit(
        envelope(Some("bob@example.org"), &["alice@example.org"]),
        MESSAGE,
    )
    .await;
    h.drained().await;

    assert!(h.inbox(h.alice).await.is_empty());
    assert!(h.inbox(h.bob).await.is_empty());
}

#[tokio::test]
async fn failing_stage_is_retried_and_delivers_once() {
    let mut h = Harness::new();
    h.start_with(with_stage(&h, FlakyOnce::default()));
    h.submit(
        envelope(Some("bob@example.org"), &["alice@example.org"]),
        MESSAGE,
    )
    .await;
    h.drained().await;

    assert_eq!(h.inbox(h.alice).await.len(), 1);
    assert!(h.inbox(h.bob).await.is_empty());
}
