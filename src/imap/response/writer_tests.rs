use super::{Mode, Payload, Writer, format_date_time, quotable};

fn written(mode: Mode, f: impl FnOnce(&mut Writer)) -> String {
    let mut w = Writer::new(mode);
    f(&mut w);
    let mut out = Vec::new();
    for fragment in w.finish() {
        match fragment {
            super::Fragment::Bytes(b) => out.extend(b),
            super::Fragment::Stream(_) => panic!("unexpected stream"),
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn plain_ascii_is_quoted() {
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.string(b"hello world");
        }),
        "\"hello world\""
    );
}

#[test]
fn quote_and_backslash_are_escaped() {
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.string(br#"a"b\c"#);
        }),
        r#""a\"b\\c""#
    );
}

#[test]
fn cr_or_lf_forces_a_literal() {
    assert_eq!(
        written(Mode::Utf8, |w| {
            w.string(b"a\r\nb");
        }),
        "{4}\r\na\r\nb"
    );
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.string(b"a\nb");
        }),
        "{3}\r\na\nb"
    );
}

#[test]
fn eight_bit_is_a_literal_for_rev1_and_quoted_for_utf8() {
    let value = "Gr\u{fc}\u{df}e".as_bytes();
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.string(value);
        }),
        "{7}\r\nGr\u{fc}\u{df}e"
    );
    assert_eq!(
        written(Mode::Utf8, |w| {
            w.string(value);
        }),
        "\"Gr\u{fc}\u{df}e\""
    );
}

#[test]
fn invalid_utf8_is_a_literal_even_in_utf8_mode() {
    assert!(!quotable(b"caf\xe9", Mode::Utf8));
}

#[test]
fn strings_longer_than_the_quoted_bound_are_literals() {
    let long = vec![b'a'; super::MAX_QUOTED + 1];
    let out = written(Mode::Utf8, |w| {
        w.string(&long);
    });
    assert!(out.starts_with("{1025}\r\naaa"), "{}", &out[..20]);
    assert!(quotable(&long[..super::MAX_QUOTED], Mode::Rev1));
}

#[test]
fn nul_is_dropped_from_strings() {
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.string(b"a\0b");
        }),
        "\"ab\""
    );
}

#[test]
fn nstring_none_is_nil() {
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.nstring(None);
        }),
        "NIL"
    );
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.nstring(Some(""));
        }),
        "\"\""
    );
}

#[test]
fn astring_is_an_atom_when_it_can_be() {
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.astring("Sent]");
        }),
        "Sent]"
    );
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.astring("Sent Items");
        }),
        "\"Sent Items\""
    );
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.astring("");
        }),
        "\"\""
    );
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.astring("nil");
        }),
        "\"nil\""
    );
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.astring("a%");
        }),
        "\"a%\""
    );
}

#[test]
fn atom_falls_back_to_a_string_when_invalid() {
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.atom("IMAP4rev2");
        }),
        "IMAP4rev2"
    );
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.atom("a b");
        }),
        "\"a b\""
    );
}

#[test]
fn mailbox_names_follow_the_mode() {
    let name = "Entw\u{fc}rfe";
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.mailbox(name);
        }),
        "Entw&APw-rfe"
    );
    assert_eq!(
        written(Mode::Utf8, |w| {
            w.mailbox(name);
        }),
        "\"Entw\u{fc}rfe\""
    );
    assert_eq!(
        written(Mode::Rev1, |w| {
            w.mailbox("A & B");
        }),
        "\"A &- B\""
    );
}

#[test]
fn literal8_has_a_tilde() {
    let out = written(Mode::Rev1, |w| {
        w.literal(Payload::Bytes(b"a\0b".to_vec()), true);
    });
    assert_eq!(out, "~{3}\r\na\0b");
}

#[test]
fn date_time_pads_the_day_with_a_space() {
    assert_eq!(format_date_time(0), " 1-Jan-1970 00:00:00 +0000");
    // 2024-02-29 13:05:09 UTC
    assert_eq!(
        format_date_time(1_709_211_909),
        "29-Feb-2024 13:05:09 +0000"
    );
    assert_eq!(format_date_time(-1), "31-Dec-1969 23:59:59 +0000");
}
