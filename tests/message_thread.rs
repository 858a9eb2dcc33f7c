//! SORT and THREAD keys (RFC 5256) derived at append for a reply fixture.

use postamt::message::{ThreadKeys, parse};

fn keys(name: &str) -> ThreadKeys {
    let path = format!(
        "{}/tests/fixtures/messages/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    parse(&std::fs::read(path).unwrap()).metadata.thread
}

#[test]
fn reply_gets_base_subject_first_mailboxes_and_reference_chain() {
    assert_eq!(
        keys("reply.eml"),
        ThreadKeys {
            base_subject: "Plans".to_string(),
            is_reply_or_forward: true,
            from_mailbox: Some("walter".to_string()),
            to_mailbox: Some("xena".to_string()),
            cc_mailbox: Some("zoe".to_string()),
            // 09:15 -0800 is 17:15 UTC.
            sent_date: Some(1_796_318_100),
            message_id: Some("<reply-3@example.org>".to_string()),
            references: vec![
                "<plans-1@example.com>".to_string(),
                "<plans-2@example.com>".to_string(),
            ],
        }
    );
}

#[test]
fn original_message_is_not_a_reply_and_has_no_references() {
    let k = keys("alternative.eml");
    assert_eq!(k.base_subject, "Lunch?");
    assert!(!k.is_reply_or_forward);
    assert!(k.references.is_empty());
}

#[test]
fn base_subject_uses_the_decoded_subject() {
    assert_eq!(
        keys("encoded_words.eml").base_subject,
        "Gr\u{fc}\u{df}e aus K\u{f6}ln"
    );
}

#[test]
fn first_mailbox_skips_group_markers() {
    assert_eq!(keys("groups.eml").to_mailbox.as_deref(), Some("kim"));
    assert_eq!(keys("groups.eml").cc_mailbox, None);
}
