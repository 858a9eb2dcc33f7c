//! The framer on APPEND: message literals streamed out, MULTIAPPEND, UTF8,
//! refusals by the framer and by the session.

use super::tests::{LIMITS, body, refused, run};
use super::*;

#[test]
fn append_message_is_streamed_not_parsed() {
    let mut f = Framer::new(LIMITS);
    let events = run(&mut f, b"a APPEND INBOX (\\Seen) {26}\r\n");
    let CommandBody::Append { message, .. } = body(&events[0]) else {
        panic!()
    };
    assert!(message.synchronizing);
    assert_eq!(events.len(), 1, "the session sends the continuation itself");
    let mut data = Vec::new();
    let mut ends = 0;
    for chunk in [&b"Subject: x\r\n"[..], b"\r\nb LOGOUT\r\n", b"\r\n"] {
        for e in run(&mut f, chunk) {
            match e {
                Event::MessageData(d) => data.extend(d),
                Event::MessageEnd => ends += 1,
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(data, b"Subject: x\r\n\r\nb LOGOUT\r\n\r\n");
    assert_eq!(ends, 1);
    assert_eq!(
        run(&mut f, b"\r\nc NOOP\r\n"),
        vec![
            Event::AppendEnd,
            Event::Command(Command {
                tag: Tag::new(b"c").unwrap(),
                body: CommandBody::Noop
            })
        ]
    );
}

#[test]
fn oversize_append_is_no_toobig_and_the_client_sends_nothing() {
    let mut f = Framer::new(LIMITS);
    let events = run(&mut f, b"a APPEND INBOX {4294967296}\r\nb NOOP\r\n");
    assert_eq!(
        refused(&events[0]),
        (
            Some("a"),
            &FrameError::MessageTooLarge {
                size: 4_294_967_296,
                max: 1000
            }
        )
    );
    assert_eq!(body(&events[1]), &CommandBody::Noop);
}

#[test]
fn oversize_non_sync_append_is_skipped_in_full() {
    let mut f = Framer::new(LIMITS);
    let mut input = b"a APPEND INBOX {1500+}\r\n".to_vec();
    input.extend(b"x LOGOUT\r\n".repeat(150));
    let mut events = run(&mut f, &input);
    events.extend(run(&mut f, b" {3+}\r\nabc\r\nb NOOP\r\n"));
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(
        refused(&events[0]).1,
        FrameError::MessageTooLarge { .. }
    ));
    assert_eq!(body(&events[1]), &CommandBody::Noop);
}

#[test]
fn multiappend_announces_each_message() {
    let mut f = Framer::new(LIMITS);
    let events = run(
        &mut f,
        b"a APPEND Drafts {2+}\r\nm1 (\\Draft) {3+}\r\nm22\r\n",
    );
    assert!(matches!(body(&events[0]), CommandBody::Append { .. }));
    assert_eq!(events[1], Event::MessageData(b"m1".to_vec()));
    assert_eq!(events[2], Event::MessageEnd);
    let Event::AppendNext(next) = &events[3] else {
        panic!("{events:?}")
    };
    assert_eq!(next.size, 3);
    assert_eq!(
        events[4..],
        [
            Event::MessageData(b"m22".to_vec()),
            Event::MessageEnd,
            Event::AppendEnd
        ]
    );
}

#[test]
fn utf8_append_closes_its_parenthesis() {
    let mut f = Framer::new(LIMITS);
    let events = run(&mut f, b"a APPEND INBOX UTF8 (~{2+}\r\nhi)\r\n");
    assert_eq!(events.last(), Some(&Event::AppendEnd), "{events:?}");
    let mut f = Framer::new(LIMITS);
    let events = run(&mut f, b"a APPEND INBOX UTF8 (~{2+}\r\nhi\r\n");
    let Event::Invalid(e) = events.last().unwrap() else {
        panic!("{events:?}")
    };
    assert_eq!(e.tag().map(Tag::as_str), Some("a"));
}

#[test]
fn append_with_mailbox_literal_then_message() {
    let mut f = Framer::new(LIMITS);
    assert_eq!(
        run(&mut f, b"a APPEND {4}\r\n"),
        vec![Event::ContinuationRequest]
    );
    let events = run(&mut f, b"Sent {5}\r\n");
    let CommandBody::Append { mailbox, message } = body(&events[0]) else {
        panic!()
    };
    assert_eq!((mailbox.as_bytes(), message.size), (&b"Sent"[..], 5));
}

#[test]
fn refused_sync_message_is_not_awaited() {
    let mut f = Framer::new(LIMITS);
    run(&mut f, b"a APPEND Nope {500}\r\n");
    f.refuse_message();
    assert_eq!(body(&run(&mut f, b"b NOOP\r\n")[0]), &CommandBody::Noop);
}

#[test]
fn refused_non_sync_message_is_skipped() {
    let mut f = Framer::new(LIMITS);
    run(&mut f, b"a APPEND Nope {10+}\r\n");
    f.refuse_message();
    assert_eq!(
        body(&run(&mut f, b"c LOGOUT\r\n\r\nb NOOP\r\n")[0]),
        &CommandBody::Noop
    );
}

#[test]
fn aborted_message_skips_the_rest_of_the_command() {
    let mut f = Framer::new(LIMITS);
    run(&mut f, b"a APPEND INBOX {20}\r\n");
    assert_eq!(
        run(&mut f, b"0123456789"),
        vec![Event::MessageData(b"0123456789".to_vec())]
    );
    f.abort_message();
    assert_eq!(
        run(&mut f, b"c LOGOUT\r\n (\\Seen) {3+}\r\nxyz\r\n"),
        vec![]
    );
    assert_eq!(body(&run(&mut f, b"b NOOP\r\n")[0]), &CommandBody::Noop);
}

#[test]
fn second_multiappend_message_over_the_limit_is_refused_and_skipped() {
    let mut f = Framer::new(LIMITS);
    let mut input = b"a APPEND INBOX {2+}\r\nm1 {2000+}\r\n".to_vec();
    input.extend(b"x NOOP\r\n".repeat(250));
    input.extend_from_slice(b"\r\nb NOOP\r\n");
    let events = run(&mut f, &input);
    assert_eq!(
        events[1..3],
        [Event::MessageData(b"m1".to_vec()), Event::MessageEnd]
    );
    assert_eq!(
        refused(&events[3]),
        (
            Some("a"),
            &FrameError::MessageTooLarge {
                size: 2000,
                max: 1000
            }
        )
    );
    assert_eq!(events.len(), 5, "{events:?}");
    assert_eq!(body(&events[4]), &CommandBody::Noop);
}

#[test]
fn literal_minus_applies_to_append_messages_too() {
    let limits = Limits {
        max_message: 10_000,
        literal_mode: LiteralMode::Minus,
        ..LIMITS
    };
    let mut f = Framer::new(limits);
    let events = run(&mut f, b"a APPEND INBOX {5000+}\r\n");
    assert_eq!(
        refused(&events[0]),
        (
            Some("a"),
            &FrameError::NonSyncLiteralTooLarge { size: 5000 }
        )
    );
    let mut f = Framer::new(limits);
    let events = run(&mut f, b"a APPEND INBOX {5000}\r\n");
    assert!(matches!(body(&events[0]), CommandBody::Append { .. }));
}
