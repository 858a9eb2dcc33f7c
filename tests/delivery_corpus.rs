//! Real messages from the shared corpus through the queue into INBOX:
//! each arrives byte for byte, below the trace fields of its delivery.

mod corpus;
mod queue_support;

use queue_support::{Harness, envelope};

#[tokio::test]
async fn corpus_messages_arrive_unchanged_below_the_trace_fields() {
    let mut h = Harness::new();
    let messages: Vec<Vec<u8>> = corpus::wire_messages().into_iter().step_by(50).collect();
    assert!(messages.len() >= 50);
    for message in &messages {
        h.submit(
            envelope(Some("carol@remote.test"), &["alice@example.org"]),
            message,
        )
        .await;
    }
    h.start();
    h.drained().await;

    let prefix = b"Return-Path: <carol@remote.test>\r\nDelivered-To: alice@example.org\r\n";
    let mut expected: Vec<Vec<u8>> = messages
        .iter()
        .map(|m| [prefix.as_slice(), m].concat())
        .collect();
    let mut delivered = h.inbox(h.alice).await;
    expected.sort();
    delivered.sort();
    assert_eq!(delivered.len(), expected.len());
    assert!(
        delivered == expected,
        "a delivered message differs from what was queued"
    );
}
