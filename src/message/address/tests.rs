use super::*;

fn mailbox(name: Option<&str>, mailbox: &str, host: &str) -> EnvelopeAddress {
    EnvelopeAddress::Mailbox(Mailbox {
        name: name.map(str::to_string),
        adl: None,
        mailbox: mailbox.to_string(),
        host: host.to_string(),
    })
}

#[test]
fn bare_addr_spec_has_no_name() {
    assert_eq!(
        parse_address_list("john@example.com"),
        vec![mailbox(None, "john", "example.com")]
    );
}

#[test]
fn quoted_display_name_loses_quotes_and_escapes() {
    assert_eq!(
        parse_address_list(r#""Doe, John \"JD\"" <john@example.com>"#),
        vec![mailbox(Some(r#"Doe, John "JD""#), "john", "example.com")]
    );
}

#[test]
fn unquoted_display_name_keeps_dots_and_single_spaces() {
    assert_eq!(
        parse_address_list("John Q. Public <jqp@example.com>"),
        vec![mailbox(Some("John Q. Public"), "jqp", "example.com")]
    );
}

#[test]
fn encoded_word_name_stays_encoded_and_whole() {
    assert_eq!(
        parse_address_list("=?utf-8?Q?Dr._J=C3=B6rg?= <j@example.org>"),
        vec![mailbox(
            Some("=?utf-8?Q?Dr._J=C3=B6rg?="),
            "j",
            "example.org"
        )]
    );
}

#[test]
fn quoted_local_part_keeps_its_quotes() {
    assert_eq!(
        parse_address_list(r#"<"john doe"@example.com>"#),
        vec![mailbox(None, r#""john doe""#, "example.com")]
    );
}

#[test]
fn comments_are_dropped_from_addr_spec() {
    assert_eq!(
        parse_address_list("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"),
        vec![mailbox(Some("Pete"), "pete", "silly.test")]
    );
}

#[test]
fn comment_after_bare_address_becomes_the_name() {
    assert_eq!(
        parse_address_list("john@example.com (John Doe)"),
        vec![mailbox(Some("John Doe"), "john", "example.com")]
    );
}

#[test]
fn obsolete_route_goes_to_adl() {
    let parsed = parse_address_list("Joe <@relay.one,@relay.two:joe@example.com>");
    assert_eq!(
        parsed,
        vec![EnvelopeAddress::Mailbox(Mailbox {
            name: Some("Joe".to_string()),
            adl: Some("@relay.one,@relay.two".to_string()),
            mailbox: "joe".to_string(),
            host: "example.com".to_string(),
        })]
    );
}

#[test]
fn missing_host_is_marked_not_nil() {
    assert_eq!(
        parse_address_list("Local User <localuser>, other"),
        vec![
            mailbox(Some("Local User"), "localuser", MISSING_DOMAIN),
            mailbox(None, "other", MISSING_DOMAIN),
        ]
    );
}

#[test]
fn missing_local_part_is_marked() {
    assert_eq!(
        parse_address_list("<@example.com>"),
        vec![mailbox(None, MISSING_MAILBOX, "example.com")]
    );
}

#[test]
fn group_with_members_is_bracketed_by_markers() {
    assert_eq!(
        parse_address_list("A Group: Ed <ed@x.test>, joe@y.test;, last@z.test"),
        vec![
            EnvelopeAddress::GroupStart("A Group".to_string()),
            mailbox(Some("Ed"), "ed", "x.test"),
            mailbox(None, "joe", "y.test"),
            EnvelopeAddress::GroupEnd,
            mailbox(None, "last", "z.test"),
        ]
    );
}

#[test]
fn empty_group_gives_start_and_end_only() {
    assert_eq!(
        parse_address_list("undisclosed-recipients:;"),
        vec![
            EnvelopeAddress::GroupStart("undisclosed-recipients".to_string()),
            EnvelopeAddress::GroupEnd,
        ]
    );
}

#[test]
fn unterminated_group_is_closed() {
    assert_eq!(
        parse_address_list("team: a@x.test"),
        vec![
            EnvelopeAddress::GroupStart("team".to_string()),
            mailbox(None, "a", "x.test"),
            EnvelopeAddress::GroupEnd,
        ]
    );
}

#[test]
fn empty_and_separator_only_values_give_no_addresses() {
    assert_eq!(parse_address_list(""), vec![]);
    assert_eq!(parse_address_list(" , ,, (just a comment)"), vec![]);
}

#[test]
fn garbage_never_panics_and_keeps_mailbox_and_host_non_empty() {
    let inputs = [
        "<<<>>>",
        "\"unterminated",
        "(unterminated",
        "@@@",
        "a@b@c",
        "[",
        "::;;",
        ">",
        "\\",
        "<a@b",
        "x <y@z> trailing junk, w@v",
        "\u{fffd}\u{fffd}@\u{fffd}",
    ];
    for input in inputs {
        for item in parse_address_list(input) {
            if let EnvelopeAddress::Mailbox(m) = item {
                assert!(!m.mailbox.is_empty() && !m.host.is_empty(), "{input:?}");
            }
        }
    }
}

#[test]
fn address_count_is_capped() {
    let many = "a@b.test,".repeat(MAX_ADDRESSES * 3);
    assert_eq!(parse_address_list(&many).len(), MAX_ADDRESSES);
}

#[test]
fn trailing_garbage_after_angle_address_is_skipped() {
    assert_eq!(
        parse_address_list("x <y@z.test> junk here, w@v.test"),
        vec![
            mailbox(Some("x"), "y", "z.test"),
            mailbox(None, "w", "v.test")
        ]
    );
}
