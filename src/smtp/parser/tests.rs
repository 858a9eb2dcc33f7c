use super::*;
use crate::queue::{BodyType, Notify, Ret};

fn parse(line: &str) -> Result<Command, ParseError> {
    parse_command(line.as_bytes())
}

fn mailbox_of(command: Command) -> String {
    match command {
        Command::Mail(ReversePath::Mailbox(m), _) | Command::Rcpt(ForwardPath::Mailbox(m), _) => {
            m.as_str().to_owned()
        }
        other => panic!("no mailbox in {other:?}"),
    }
}

#[test]
fn verbs_without_arguments_in_any_case() {
    assert_eq!(parse("data"), Ok(Command::Data));
    assert_eq!(parse("RSET"), Ok(Command::Rset));
    assert_eq!(parse("Quit"), Ok(Command::Quit));
    assert_eq!(parse("STARTTLS"), Ok(Command::StartTls));
    assert_eq!(parse("NOOP anything"), Ok(Command::Noop));
    assert_eq!(parse("HELP MAIL"), Ok(Command::Help));
    assert_eq!(parse("VRFY alice"), Ok(Command::Vrfy));
    assert_eq!(parse("EXPN staff"), Ok(Command::Expn));
}

#[test]
fn unknown_verb_and_extra_arguments_are_distinguished() {
    assert_eq!(parse("XYZZY"), Err(ParseError::UnknownCommand));
    assert_eq!(parse(""), Err(ParseError::UnknownCommand));
    assert!(matches!(parse("DATA now"), Err(ParseError::Syntax(_))));
    assert!(matches!(parse("VRFY"), Err(ParseError::Syntax(_))));
}

#[test]
fn ehlo_takes_a_domain_or_an_address_literal() {
    assert_eq!(
        parse("EHLO client.example.org"),
        Ok(Command::Ehlo(ClientIdentity::Domain(
            "client.example.org".into()
        )))
    );
    assert_eq!(
        parse("HELO [192.0.2.1]"),
        Ok(Command::Helo(ClientIdentity::AddressLiteral(
            "[192.0.2.1]".into()
        )))
    );
    assert_eq!(
        parse("EHLO [IPv6:2001:db8::1]"),
        Ok(Command::Ehlo(ClientIdentity::AddressLiteral(
            "[IPv6:2001:db8::1]".into()
        )))
    );
    for bad in [
        "EHLO",
        "EHLO a..b",
        "EHLO [300.1.1.1]",
        "EHLO a b",
        "EHLO -x.org",
    ] {
        assert!(matches!(parse(bad), Err(ParseError::Syntax(_))), "{bad}");
    }
}

#[test]
fn mail_from_with_every_parameter() {
    let command = parse(
        "MAIL FROM:<alice@example.org> SIZE=1000 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ+2B1 AUTH=<>",
    )
    .unwrap();
    let Command::Mail(ReversePath::Mailbox(mailbox), parameters) = command else {
        panic!("not MAIL");
    };
    assert_eq!(mailbox.as_str(), "alice@example.org");
    assert_eq!(
        parameters,
        MailParameters {
            size: Some(1000),
            body: Some(BodyType::EightBitMime),
            smtputf8: true,
            ret: Some(Ret::Headers),
            envid: Some("QQ+1".into()),
            auth: Some(String::new()),
        }
    );
}

#[test]
fn null_reverse_path_and_lenient_space_after_colon() {
    assert_eq!(
        parse("mail from:<>"),
        Ok(Command::Mail(ReversePath::Null, MailParameters::default()))
    );
    assert_eq!(
        mailbox_of(parse("MAIL FROM: <a@example.org>").unwrap()),
        "a@example.org"
    );
}

#[test]
fn source_route_is_ignored() {
    assert_eq!(
        mailbox_of(parse("RCPT TO:<@relay.example,@other.example:bob@example.org>").unwrap()),
        "bob@example.org"
    );
}

#[test]
fn quoted_local_part_is_unquoted_when_it_needs_no_quotes() {
    assert_eq!(
        mailbox_of(parse("RCPT TO:<\"bob\"@example.org>").unwrap()),
        "bob@example.org"
    );
    assert_eq!(
        mailbox_of(parse("RCPT TO:<\"bob smith\\\"x\"@example.org>").unwrap()),
        "\"bob smith\\\"x\"@example.org"
    );
}

#[test]
fn postmaster_without_domain() {
    assert_eq!(
        parse("RCPT TO:<postmaster>"),
        Ok(Command::Rcpt(
            ForwardPath::Postmaster,
            RcptParameters::default()
        ))
    );
}

#[test]
fn address_literal_domain_in_a_path() {
    assert_eq!(
        mailbox_of(parse("RCPT TO:<bob@[192.0.2.7]>").unwrap()),
        "bob@[192.0.2.7]"
    );
}

#[test]
fn utf8_address_parses_and_reports_non_ascii() {
    let Command::Rcpt(ForwardPath::Mailbox(m), _) = parse("RCPT TO:<jörg@bücher.example>").unwrap()
    else {
        panic!()
    };
    assert!(!m.is_ascii());
    assert_eq!(m.domain(), "bücher.example");
}

#[test]
fn malformed_paths_are_syntax_errors() {
    for bad in [
        "MAIL FROM:alice@example.org",
        "MAIL FROM:<alice@example.org",
        "MAIL FROM:<alice>",
        "MAIL FROM:<a..b@example.org>",
        "MAIL FROM:<@example.org>",
        "MAIL TO:<a@example.org>",
        "RCPT TO:<a@example.org>x",
        "RCPT FROM:<a@example.org>",
        "MAIL FROM:<a@example.org",
    ] {
        assert!(matches!(parse(bad), Err(ParseError::Syntax(_))), "{bad}");
    }
}

#[test]
fn rcpt_notify_and_orcpt() {
    let Command::Rcpt(_, parameters) =
        parse("RCPT TO:<b@example.org> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;b+2Bx@example.org")
            .unwrap()
    else {
        panic!()
    };
    assert_eq!(
        parameters.notify,
        Some(Notify {
            success: true,
            failure: false,
            delay: true
        })
    );
    assert_eq!(
        parameters.orcpt.as_deref(),
        Some("rfc822;b+2Bx@example.org")
    );
    let Command::Rcpt(_, never) = parse("RCPT TO:<b@example.org> NOTIFY=never").unwrap() else {
        panic!()
    };
    assert_eq!(
        never.notify,
        Some(Notify {
            success: false,
            failure: false,
            delay: false
        })
    );
}

#[test]
fn bad_parameter_values_are_501_errors() {
    for bad in [
        "MAIL FROM:<a@example.org> SIZE=abc",
        "MAIL FROM:<a@example.org> SIZE",
        "MAIL FROM:<a@example.org> BODY=9BIT",
        "MAIL FROM:<a@example.org> SMTPUTF8=yes",
        "MAIL FROM:<a@example.org> RET=ALL",
        "MAIL FROM:<a@example.org> ENVID=a+zz",
        "MAIL FROM:<a@example.org> SIZE=1 SIZE=2",
        "RCPT TO:<b@example.org> NOTIFY=NEVER,SUCCESS",
        "RCPT TO:<b@example.org> NOTIFY=SUCCESS,SUCCESS",
        "RCPT TO:<b@example.org> ORCPT=noseparator",
    ] {
        assert!(
            matches!(parse(bad), Err(ParseError::InvalidParameter(_))),
            "{bad}: {:?}",
            parse(bad)
        );
    }
}

#[test]
fn unknown_parameter_is_not_implemented() {
    assert_eq!(
        parse("MAIL FROM:<a@example.org> XFOO=1"),
        Err(ParseError::ParameterNotImplemented("XFOO".into()))
    );
    assert_eq!(
        parse("RCPT TO:<a@example.org> SIZE=1"),
        Err(ParseError::ParameterNotImplemented("SIZE".into()))
    );
}

#[test]
fn huge_size_saturates() {
    let Command::Mail(_, parameters) =
        parse("MAIL FROM:<a@example.org> SIZE=99999999999999999999").unwrap()
    else {
        panic!()
    };
    assert_eq!(parameters.size, Some(u64::MAX));
}

#[test]
fn bdat_size_and_last() {
    assert_eq!(
        parse("BDAT 100"),
        Ok(Command::Bdat {
            size: 100,
            last: false
        })
    );
    assert_eq!(
        parse("bdat 0 last"),
        Ok(Command::Bdat {
            size: 0,
            last: true
        })
    );
    for bad in [
        "BDAT",
        "BDAT x",
        "BDAT 1 FIRST",
        "BDAT 1 LAST more",
        "BDAT 99999999999999999999",
    ] {
        assert!(matches!(parse(bad), Err(ParseError::Syntax(_))), "{bad}");
    }
}

#[test]
fn auth_with_and_without_initial_response() {
    assert_eq!(
        parse("AUTH plain AGFsaWNlAHB3"),
        Ok(Command::Auth {
            mechanism: "plain".into(),
            initial_response: Some(InitialResponse(b"AGFsaWNlAHB3".to_vec())),
        })
    );
    assert_eq!(
        parse("AUTH LOGIN"),
        Ok(Command::Auth {
            mechanism: "LOGIN".into(),
            initial_response: None,
        })
    );
    assert!(matches!(parse("AUTH"), Err(ParseError::Syntax(_))));
    assert!(matches!(
        parse("AUTH PLAIN a b"),
        Err(ParseError::Syntax(_))
    ));
}

#[test]
fn initial_response_is_redacted_in_debug() {
    let command = parse("AUTH PLAIN c2VjcmV0").unwrap();
    assert!(!format!("{command:?}").contains("c2VjcmV0"));
}

#[test]
fn envid_xtext_takes_lowercase_hex_and_refuses_bare_plus() {
    let Command::Mail(_, parameters) = parse("MAIL FROM:<a@example.org> ENVID=a+2bb").unwrap()
    else {
        panic!()
    };
    assert_eq!(parameters.envid.as_deref(), Some("a+b"));
    assert!(matches!(
        parse("MAIL FROM:<a@example.org> ENVID=a+"),
        Err(ParseError::InvalidParameter(_))
    ));
}
