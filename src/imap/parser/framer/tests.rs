//! The framer driven directly: framing, literals, limits and resynchronisation
//! after refusals (APPEND streaming is in append_tests).

use super::*;

pub(super) const LIMITS: Limits = Limits {
    max_line: 200,
    max_literal: 100,
    max_message: 1000,
    literal_mode: LiteralMode::Plus,
};

pub(super) fn drain(framer: &mut Framer) -> Vec<Event> {
    std::iter::from_fn(|| framer.next_event()).collect()
}

pub(super) fn run(framer: &mut Framer, input: &[u8]) -> Vec<Event> {
    framer.feed(input);
    drain(framer)
}

pub(super) fn body(event: &Event) -> &CommandBody {
    match event {
        Event::Command(c) => &c.body,
        other => panic!("not a command: {other:?}"),
    }
}

pub(super) fn refused(event: &Event) -> (Option<&str>, &FrameError) {
    match event {
        Event::Refused { tag, error } => (tag.as_ref().map(Tag::as_str), error),
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn pipelined_commands_come_out_in_order() {
    let mut f = Framer::new(LIMITS);
    let events = run(&mut f, b"1 NOOP\r\n2 CHECK\r\n3 LOGOUT\r\n");
    let bodies: Vec<_> = events.iter().map(body).collect();
    assert_eq!(
        bodies,
        [
            &CommandBody::Noop,
            &CommandBody::Check,
            &CommandBody::Logout
        ]
    );
}

#[test]
fn a_command_fed_byte_by_byte_appears_once_complete() {
    let mut f = Framer::new(LIMITS);
    let input = b"a SELECT INBOX\r\n";
    for &b in &input[..input.len() - 1] {
        assert_eq!(run(&mut f, &[b]), vec![]);
    }
    let events = run(&mut f, b"\n");
    assert!(matches!(body(&events[0]), CommandBody::Select { .. }));
}

#[test]
fn bare_lf_ends_a_line_too() {
    let mut f = Framer::new(LIMITS);
    assert_eq!(body(&run(&mut f, b"a NOOP\n")[0]), &CommandBody::Noop);
}

#[test]
fn synchronising_literals_ask_for_continuation_each() {
    let mut f = Framer::new(LIMITS);
    assert_eq!(
        run(&mut f, b"a LOGIN {5}\r\n"),
        vec![Event::ContinuationRequest]
    );
    assert_eq!(
        run(&mut f, b"alice {6}\r\n"),
        vec![Event::ContinuationRequest]
    );
    let events = run(&mut f, b"se\r\nt!\r\n");
    let CommandBody::Login { username, password } = body(&events[0]) else {
        panic!()
    };
    assert_eq!(username, b"alice");
    assert_eq!(password.0, b"se\r\nt!");
}

#[test]
fn non_synchronising_literals_need_no_continuation() {
    let mut f = Framer::new(LIMITS);
    let events = run(&mut f, b"a LOGIN {5+}\r\nalice {3+}\r\npw!\r\n");
    assert_eq!(events.len(), 1);
    assert!(matches!(body(&events[0]), CommandBody::Login { .. }));
}

#[test]
fn invalid_command_keeps_tag_and_framing_goes_on() {
    let mut f = Framer::new(LIMITS);
    let events = run(&mut f, b"t1 FETCH x\r\nt2 NOOP\r\n");
    let Event::Invalid(e) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(e.tag().map(Tag::as_str), Some("t1"));
    assert_eq!(body(&events[1]), &CommandBody::Noop);
}

#[test]
fn over_long_line_is_refused_before_its_end_arrives() {
    let mut f = Framer::new(LIMITS);
    let mut line = b"t7 SEARCH TEXT ".to_vec();
    line.extend(std::iter::repeat_n(b'x', 300));
    let events = run(&mut f, &line);
    assert_eq!(
        refused(&events[0]),
        (Some("t7"), &FrameError::LineTooLong { max: 200 })
    );
    // The rest of the line is skipped, however long, without buffering it.
    for _ in 0..100 {
        assert_eq!(run(&mut f, &[b'y'; 1000]), vec![]);
    }
    assert!(f.input.len() <= 1000);
    let events = run(&mut f, b"\r\nt8 NOOP\r\n");
    assert_eq!(body(&events[0]), &CommandBody::Noop);
}

#[test]
fn over_long_line_complete_in_one_feed() {
    let mut f = Framer::new(LIMITS);
    let mut input = b"t7 NOOP ".to_vec();
    input.extend(std::iter::repeat_n(b'x', 250));
    input.extend_from_slice(b"\r\nt8 NOOP\r\n");
    let events = run(&mut f, &input);
    assert_eq!(refused(&events[0]).0, Some("t7"));
    assert_eq!(body(&events[1]), &CommandBody::Noop);
}

#[test]
fn over_long_line_announcing_non_sync_literal_skips_the_literal() {
    let mut f = Framer::new(LIMITS);
    let mut input = b"t7 X ".to_vec();
    input.extend(std::iter::repeat_n(b'x', 250));
    input.extend_from_slice(b" {11+}\r\nt9 LOGOUT\r\n\r\nt8 NOOP\r\n");
    let events = run(&mut f, &input);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(body(&events[1]), &CommandBody::Noop);
}

#[test]
fn oversize_sync_literal_is_refused_up_front_and_never_awaited() {
    let mut f = Framer::new(LIMITS);
    let events = run(&mut f, b"t1 LOGIN {4294967296}\r\nt2 NOOP\r\n");
    assert_eq!(
        refused(&events[0]),
        (
            Some("t1"),
            &FrameError::LiteralTooLarge {
                size: 4_294_967_296,
                max: 100
            }
        )
    );
    assert_eq!(body(&events[1]), &CommandBody::Noop);
}

#[test]
fn oversize_non_sync_literal_octets_are_skipped_not_parsed() {
    let mut f = Framer::new(LIMITS);
    let mut input = b"t1 LOGIN a {120+}\r\n".to_vec();
    let fake = b"t9 LOGOUT\r\n".repeat(12);
    input.extend_from_slice(&fake[..120]);
    input.extend_from_slice(b"\r\nt2 NOOP\r\n");
    let events = run(&mut f, &input);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(refused(&events[0]).0, Some("t1"));
    assert_eq!(body(&events[1]), &CommandBody::Noop);
}

#[test]
fn literals_of_one_command_share_the_literal_limit() {
    let mut f = Framer::new(LIMITS);
    assert_eq!(
        run(&mut f, b"t LOGIN {60}\r\n"),
        vec![Event::ContinuationRequest]
    );
    let events = run(&mut f, &[[b'a'; 60].as_slice(), b" {60}\r\n"].concat());
    assert_eq!(
        refused(&events[0]),
        (
            Some("t"),
            &FrameError::LiteralTooLarge { size: 60, max: 100 }
        )
    );
}

#[test]
fn literal_minus_refuses_non_sync_over_4096_but_not_sync() {
    let limits = Limits {
        max_literal: 10_000,
        literal_mode: LiteralMode::Minus,
        ..LIMITS
    };
    let mut f = Framer::new(limits);
    let mut input = b"t1 LOGIN a {4097+}\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'z', 4097));
    input.extend_from_slice(b"\r\nt2 NOOP\r\n");
    let events = run(&mut f, &input);
    assert_eq!(
        refused(&events[0]),
        (
            Some("t1"),
            &FrameError::NonSyncLiteralTooLarge { size: 4097 }
        )
    );
    assert_eq!(body(&events[1]), &CommandBody::Noop);
    assert_eq!(
        run(&mut f, b"t3 LOGIN a {4097}\r\n"),
        vec![Event::ContinuationRequest]
    );
    let mut f = Framer::new(limits);
    let mut ok = b"t4 LOGIN a {4096+}\r\n".to_vec();
    ok.extend(std::iter::repeat_n(b'z', 4096));
    ok.extend_from_slice(b"\r\n");
    assert!(matches!(
        body(&run(&mut f, &ok)[0]),
        CommandBody::Login { .. }
    ));
}

#[test]
fn idle_done_and_authenticate_lines_are_read_raw() {
    let mut f = Framer::new(LIMITS);
    let events = run(&mut f, b"a IDLE\r\n");
    assert_eq!(body(&events[0]), &CommandBody::Idle);
    f.feed(b"done\r\n");
    let line = f.next_line().unwrap().unwrap();
    assert!(is_idle_done(&line));
    assert!(!is_idle_done(b"DONE "));
    f.feed(b"AGJvYgBzZWNyZXQ=\r\n");
    assert_eq!(f.next_line(), Some(Ok(b"AGJvYgBzZWNyZXQ=".to_vec())));
    assert_eq!(f.next_line(), None);
    f.feed(&[b'A'; 300]);
    assert_eq!(
        f.next_line(),
        Some(Err(FrameError::LineTooLong { max: 200 }))
    );
    assert_eq!(run(&mut f, b"AAAA\r\nb NOOP\r\n").len(), 1);
    assert_eq!(f.next_event(), None);
}

#[test]
fn after_an_over_long_raw_line_the_next_command_parses() {
    let mut f = Framer::new(LIMITS);
    f.feed(&[b'A'; 300]);
    assert!(matches!(f.next_line(), Some(Err(_))));
    let events = run(&mut f, b"\r\nb NOOP\r\n");
    assert_eq!(body(&events[0]), &CommandBody::Noop);
}

#[test]
fn take_buffered_hands_out_unconsumed_bytes() {
    let mut f = Framer::new(LIMITS);
    let events = run(&mut f, b"a STARTTLS\r\nb LOGIN x y\r\n");
    assert_eq!(events.len(), 2);
    let mut f = Framer::new(LIMITS);
    f.feed(b"a STARTTLS\r\nb LOGIN x y\r\n");
    assert_eq!(body(&f.next_event().unwrap()), &CommandBody::StartTls);
    assert_eq!(f.take_buffered(), b"b LOGIN x y\r\n");
    assert_eq!(f.next_event(), None);
}

#[test]
fn limits_come_from_the_configuration_defaults() {
    let limits = Limits::from_config(&crate::config::LimitsSection::default(), LiteralMode::Plus);
    assert_eq!((limits.max_line, limits.max_literal), (65_536, 65_536));
    assert_eq!(limits.max_message, 52_428_800);
    let mut f = Framer::new(limits);
    let events = run(&mut f, b"a APPEND INBOX {52428801+}\r\n");
    assert!(matches!(
        refused(&events[0]).1,
        FrameError::MessageTooLarge { .. }
    ));
}

#[test]
fn debug_output_shows_no_buffered_credentials() {
    let mut f = Framer::new(LIMITS);
    run(&mut f, b"a LOGIN bob {6}\r\nhunter");
    let shown = format!("{f:?}");
    assert!(
        !shown.contains("hunter") && !shown.contains("bob"),
        "{shown}"
    );
    let events = run(&mut f, b"2\r\nb AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=\r\n");
    let shown = format!("{events:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("AGJvYg"),
        "{shown}"
    );
}

#[test]
fn a_long_line_dripping_in_byte_by_byte_is_framed() {
    let limits = Limits {
        max_line: 65_536,
        ..LIMITS
    };
    let mut f = Framer::new(limits);
    let mut line = b"a SEARCH TEXT ".to_vec();
    line.extend(std::iter::repeat_n(b'x', 60_000));
    line.extend_from_slice(b"\r\n");
    let mut events = Vec::new();
    for &b in &line {
        events.extend(run(&mut f, &[b]));
    }
    assert_eq!(events.len(), 1);
    assert!(matches!(body(&events[0]), CommandBody::Search { .. }));
}
