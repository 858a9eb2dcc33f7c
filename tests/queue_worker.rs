//! The queue worker end to end over a temporary data dir: local delivery,
//! remote attempts through a scripted transport, retries, grouping, limits,
//! flush and crash recovery. DSNs are in queue_dsn.rs.

mod queue_support;

use std::time::Duration;

use postamt::delivery::LocalRequest;
use postamt::queue::OutcomeKind;
use queue_support::{Harness, MESSAGE, envelope, test_settings, wait_for};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn local_delivery_lands_in_inbox_with_trace_fields() {
    let mut h = Harness::new();
    h.start();
    h.submit(
        envelope(Some("carol@remote.test"), &["alice@example.org"]),
        MESSAGE,
    )
    .await;
    h.drained().await;

    let inbox = h.inbox(h.alice).await;
    assert_eq!(inbox.len(), 1);
    let mut expected =
        b"Return-Path: <carol@remote.test>\r\nDelivered-To: alice@example.org\r\n".to_vec();
    expected.extend_from_slice(MESSAGE);
    assert_eq!(text(&inbox[0]), text(&expected));
    assert_eq!(h.transport.attempts(), 0);
}

#[tokio::test]
async fn alias_to_two_users_gives_each_a_copy() {
    let mut h = Harness::new();
    h.directory
        .add_alias(
            "team@example.org",
            &["alice@example.org", "bob@example.org"],
        )
        .unwrap();
    h.start();
    h.submit(
        envelope(Some("carol@remote.test"), &["team@example.org"]),
        MESSAGE,
    )
    .await;
    h.drained().await;

    assert_eq!(h.inbox(h.alice).await.len(), 1);
    assert_eq!(h.inbox(h.bob).await.len(), 1);
}

#[tokio::test]
async fn remote_transient_failure_is_retried_until_delivered() {
    let mut h = Harness::new();
    h.transport
        .then(OutcomeKind::Transient, "4.2.0", "smtp; 451 4.2.0 try later");
    h.start();
    h.submit(
        envelope(Some("alice@example.org"), &["dave@remote.test"]),
        MESSAGE,
    )
    .await;
    h.drained().await;

    assert_eq!(h.transport.attempts(), 2);
    let job = h.transport.jobs.lock().unwrap()[1].clone();
    assert_eq!(job.domain, "remote.test");
    assert_eq!(job.recipients[0].address, "dave@remote.test");
    assert!(
        h.inbox(h.alice).await.is_empty(),
        "no DSN for a delivered message"
    );
}

#[tokio::test]
async fn remote_recipients_are_grouped_per_domain() {
    let mut h = Harness::new();
    h.start();
    h.submit(
        envelope(
            Some("alice@example.org"),
            &["a@one.test", "b@two.test", "c@ONE.test"],
        ),
        MESSAGE,
    )
    .await;
    h.drained().await;

    let mut jobs: Vec<(String, usize)> = h
        .transport
        .jobs
        .lock()
        .unwrap()
        .iter()
        .map(|j| (j.domain.clone(), j.recipients.len()))
        .collect();
    jobs.sort();
    assert_eq!(
        jobs,
        vec![("one.test".to_owned(), 2), ("two.test".to_owned(), 1)]
    );
}

#[tokio::test]
async fn crash_between_append_and_record_delivers_once() {
    let mut h = Harness::new();
    let sent = envelope(Some("carol@remote.test"), &["alice@example.org"]);
    let id = h.submit(sent.clone(), MESSAGE).await;
    // The first daemon appended, then died before recording the outcome.
    let delivery = h.delivery();
    let targets = match delivery.resolve("alice@example.org").await.unwrap() {
        postamt::auth::Resolution::Local(targets) => targets,
        other => panic!("{other:?}"),
    };
    let path = h.spool.message_path(id);
    let request = LocalRequest {
        queue_id: id,
        index: 0,
        sender: &sent.mail_from,
        recipient: "alice@example.org",
        message: &path,
        size: MESSAGE.len() as u64,
        progress: &|_| {},
    };
    assert_eq!(
        delivery.deliver(&request, &targets).await.kind,
        OutcomeKind::Delivered
    );

    h.reopen_spool();
    h.start();
    h.drained().await;
    assert_eq!(h.inbox(h.alice).await.len(), 1);
}

#[tokio::test]
async fn flush_makes_a_deferred_message_due_now() {
    let mut settings = test_settings();
    settings.retry_base = Duration::from_secs(3600);
    settings.retry_max = Duration::from_secs(3600);
    let mut h = Harness::with_settings(settings);
    h.transport
        .then(OutcomeKind::Transient, "4.2.0", "smtp; 451 4.2.0 later");
    h.start();
    h.submit(
        envelope(Some("alice@example.org"), &["dave@remote.test"]),
        MESSAGE,
    )
    .await;
    let transport = h.transport.clone();
    wait_for(|| transport.attempts() == 1).await;

    assert_eq!(h.spool.db().flush().unwrap(), 1);
    h.drained().await;
    assert_eq!(h.transport.attempts(), 2);
}

/// Holds each attempt a moment and remembers how many ran at once.
#[derive(Default)]
struct SlowTransport {
    running: std::sync::atomic::AtomicUsize,
    most: std::sync::atomic::AtomicUsize,
}

impl postamt::queue::RemoteTransport for SlowTransport {
    fn deliver(&self, job: postamt::queue::RemoteJob) -> postamt::queue::TransportFuture<'_> {
        use std::sync::atomic::Ordering::SeqCst;
        Box::pin(async move {
            let now = self.running.fetch_add(1, SeqCst) + 1;
            self.most.fetch_max(now, SeqCst);
            tokio::time::sleep(Duration::from_millis(100)).await;
            self.running.fetch_sub(1, SeqCst);
            let delivered = postamt::queue::Outcome {
                kind: OutcomeKind::Delivered,
                status: "2.0.0".to_owned(),
                diagnostic: "smtp; 250 ok".to_owned(),
                remote_mta: None,
            };
            vec![delivered; job.recipients.len()]
        })
    }
}

#[tokio::test]
async fn one_domain_gets_at_most_its_concurrency_limit() {
    let h = Harness::new();
    for _ in 0..6 {
        h.submit(
            envelope(Some("alice@example.org"), &["dave@remote.test"]),
            MESSAGE,
        )
        .await;
    }
    let transport = std::sync::Arc::new(SlowTransport::default());
    let worker = postamt::queue::QueueWorker::spawn(
        h.spool.clone(),
        h.delivery(),
        transport.clone(),
        h.settings.clone(),
        std::future::pending(),
    );
    h.drained().await;
    worker.abort();

    // Six messages were due at once; the limit (2) held them back.
    assert_eq!(
        transport.most.load(std::sync::atomic::Ordering::SeqCst),
        h.settings.max_per_domain
    );
}

#[tokio::test]
async fn a_bounce_to_our_srs_address_goes_on_to_the_remote_sender() {
    use postamt::delivery::{DeliveryActions, DeliverySettings, LocalDelivery, Srs};
    let mut h = Harness::new();
    let settings = DeliverySettings {
        hostname: "mail.example.org".to_owned(),
        trash_retention: None,
        max_hops: 10,
        srs: true,
        vacation_retention: Duration::from_secs(3600),
    };
    let actions = DeliveryActions::open(h.dir.path(), h.spool.clone(), settings).unwrap();
    let delivery = LocalDelivery::new(h.store.clone(), h.directory.clone())
        .with_actions(std::sync::Arc::new(actions));
    h.start_with(std::sync::Arc::new(delivery));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let srs = Srs::open(h.dir.path(), "mail.example.org").unwrap();
    let rewritten = srs.forward("carol@remote.test", now);
    h.submit(envelope(None, &[rewritten.as_str()]), MESSAGE)
        .await;
    wait_for(|| h.transport.attempts() == 1).await;
    let jobs = h.transport.jobs.lock().unwrap();
    assert_eq!(jobs[0].domain, "remote.test");
    assert_eq!(jobs[0].recipients[0].address, "carol@remote.test");
}
