//! Forwarding: through the queue, SRS for remote senders to remote
//! targets, the null sender kept, loops ended, retries without a second
//! forward, and bounces to an SRS address back to the sender.

mod delivery_support;

use delivery_support::{Env, MESSAGE, contains};
use postamt::auth::Resolution;
use postamt::delivery::Srs;
use postamt::queue::{OutcomeKind, ReversePath};

fn redirect_to(
    target: &'static str,
) -> impl Fn(&postamt::delivery::DeliveryInfo<'_>, &mut postamt::delivery::Disposition)
+ Send
+ Sync
+ 'static {
    move |_, d| {
        d.keep = false;
        d.redirects.push(target.to_owned());
    }
}

#[tokio::test]
async fn redirect_to_a_remote_address_queues_the_message_with_an_srs_sender() {
    let env = Env::new();
    let pipeline = env.pipeline(redirect_to("dave@elsewhere.test"));
    let outcome = env
        .deliver(
            &pipeline,
            1,
            Some("carol@remote.test"),
            "alice@example.org",
            MESSAGE,
        )
        .await;
    assert_eq!(outcome.kind, OutcomeKind::Delivered);
    assert!(env.folder(env.alice, "INBOX").await.is_empty());
    let queued = env.queued();
    assert_eq!(queued.len(), 1);
    let (message, octets) = &queued[0];
    assert_eq!(
        message.envelope.recipients[0].address,
        "dave@elsewhere.test"
    );
    let ReversePath::Address(sender) = &message.envelope.mail_from else {
        panic!("null sender on a forward of a non-null one");
    };
    assert!(sender.starts_with("SRS0="), "{sender}");
    assert!(
        sender.ends_with("=remote.test=carol@mail.example.org"),
        "{sender}"
    );
    assert_eq!(
        pipeline.srs_reverse(sender).as_deref(),
        Some("carol@remote.test")
    );
    let mut expected = b"Delivered-To: alice@example.org\r\n".to_vec();
    expected.extend_from_slice(MESSAGE);
    assert_eq!(octets, &expected);
}

#[tokio::test]
async fn redirect_of_a_null_sender_message_keeps_it_null() {
    let env = Env::new();
    let pipeline = env.pipeline(redirect_to("dave@elsewhere.test"));
    env.deliver(&pipeline, 1, None, "alice@example.org", MESSAGE)
        .await;
    let queued = env.queued();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].0.envelope.mail_from, ReversePath::Null);
}

#[tokio::test]
async fn redirect_to_a_local_user_keeps_the_original_sender() {
    let env = Env::new();
    let pipeline = env.pipeline(redirect_to("bob@example.org"));
    env.deliver(
        &pipeline,
        1,
        Some("carol@remote.test"),
        "alice@example.org",
        MESSAGE,
    )
    .await;
    let queued = env.queued();
    assert_eq!(
        queued[0].0.envelope.mail_from,
        ReversePath::Address("carol@remote.test".to_owned())
    );
}

#[tokio::test]
async fn a_retried_delivery_forwards_once() {
    let env = Env::new();
    let pipeline = env.pipeline(redirect_to("dave@elsewhere.test"));
    for _ in 0..2 {
        env.deliver(
            &pipeline,
            9,
            Some("carol@remote.test"),
            "alice@example.org",
            MESSAGE,
        )
        .await;
    }
    assert_eq!(env.queued().len(), 1);
}

#[tokio::test]
async fn a_message_already_delivered_to_the_user_is_kept_not_forwarded() {
    let env = Env::new();
    let pipeline = env.pipeline(redirect_to("dave@elsewhere.test"));
    let mut looped = b"Delivered-To: alice@example.org\r\n".to_vec();
    looped.extend_from_slice(MESSAGE);
    env.deliver(
        &pipeline,
        1,
        Some("carol@remote.test"),
        "alice@example.org",
        &looped,
    )
    .await;
    assert!(env.queued().is_empty());
    assert_eq!(env.folder(env.alice, "INBOX").await.len(), 1);
}

#[tokio::test]
async fn a_message_at_the_hop_limit_is_kept_not_forwarded() {
    let env = Env::new();
    let pipeline = env.pipeline(redirect_to("dave@elsewhere.test"));
    let mut many = Vec::new();
    for hop in 0..10 {
        many.extend_from_slice(format!("Delivered-To: hop{hop}@relay.test\r\n").as_bytes());
    }
    many.extend_from_slice(MESSAGE);
    env.deliver(
        &pipeline,
        1,
        Some("carol@remote.test"),
        "alice@example.org",
        &many,
    )
    .await;
    assert!(env.queued().is_empty());
    assert_eq!(env.folder(env.alice, "INBOX").await.len(), 1);
}

#[tokio::test]
async fn a_redirect_to_the_recipient_itself_is_dropped_and_the_message_kept() {
    let env = Env::new();
    let pipeline = env.pipeline(redirect_to("ALICE@example.org"));
    env.deliver(
        &pipeline,
        1,
        Some("carol@remote.test"),
        "alice@example.org",
        MESSAGE,
    )
    .await;
    assert!(env.queued().is_empty());
    assert_eq!(env.folder(env.alice, "INBOX").await.len(), 1);
}

#[tokio::test]
async fn forward_loop_between_two_local_users_ends_without_a_storm() {
    let env = Env::new();
    let pipeline = env.pipeline(|info, d| {
        d.keep = false;
        let other = if info.login.as_str() == "alice@example.org" {
            "bob@example.org"
        } else {
            "alice@example.org"
        };
        d.redirects.push(other.to_owned());
    });
    env.deliver(
        &pipeline,
        1,
        Some("carol@remote.test"),
        "alice@example.org",
        MESSAGE,
    )
    .await;
    let mut forwards = 0;
    let mut next_id = 100;
    while let Some((message, octets)) = env.queued().into_iter().next() {
        forwards += 1;
        assert!(forwards <= 5, "forwarding did not stop");
        env.spool.db().remove(message.id).unwrap();
        let sender = match &message.envelope.mail_from {
            ReversePath::Null => None,
            ReversePath::Address(address) => Some(address.as_str()),
        };
        next_id += 1;
        env.deliver(
            &pipeline,
            next_id,
            sender,
            &message.envelope.recipients[0].address,
            &octets,
        )
        .await;
    }
    assert_eq!(forwards, 2);
    let kept = env.folder(env.alice, "INBOX").await;
    assert_eq!(kept.len(), 1);
    assert!(contains(&kept[0], "Delivered-To: bob@example.org\r\n"));
    assert!(env.folder(env.bob, "INBOX").await.is_empty());
}

#[tokio::test]
async fn a_bounce_to_an_srs_address_reaches_the_original_sender() {
    let env = Env::new();
    let pipeline = env.pipeline(|_, _| {});
    let srs = Srs::open(env.dir.path(), "mail.example.org").unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let address = srs.forward("bob@example.org", now);
    let Resolution::Local(targets) = pipeline.resolve(&address).await.unwrap() else {
        panic!("SRS address not resolved to its sender");
    };
    assert_eq!(targets[0].account, env.bob);
    let outcome = env.deliver(&pipeline, 1, None, &address, MESSAGE).await;
    assert_eq!(outcome.kind, OutcomeKind::Delivered);
    assert_eq!(env.folder(env.bob, "INBOX").await.len(), 1);
}
