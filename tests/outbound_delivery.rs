//! The outbound client against a scripted SMTP server on loopback, reached through
//! a static route: outcomes per recipient, and what goes over the wire.

mod outbound_support;

use std::collections::HashMap;
use std::sync::Arc;

use outbound_support::{
    FakeServer, MESSAGE, Script, TableDns, closed_port, config, deliver, deliver_via, job,
    settings_via, spool, transport,
};
use postamt::outbound::{MxRecord, OutboundSettings};
use postamt::queue::{BodyType, Notify, OutcomeKind, Ret};

#[tokio::test]
async fn one_recipient_taken_and_one_refused() {
    let server =
        FakeServer::start(Script::default().with_rcpt(&["250 2.1.5 ok", "550 5.1.1 no such user"]))
            .await;
    let outcomes = deliver_via(
        server.address,
        &["bob@example.test", "nobody@example.test"],
        MESSAGE,
    )
    .await;

    assert_eq!(outcomes.len(), 2);
    assert_eq!(outcomes[0].kind, OutcomeKind::Delivered);
    assert_eq!(outcomes[0].status, "2.0.0");
    assert_eq!(outcomes[0].diagnostic, "smtp; 250 2.0.0 queued as 1234");
    assert_eq!(outcomes[1].kind, OutcomeKind::Permanent);
    assert_eq!(outcomes[1].status, "5.1.1");
    assert_eq!(outcomes[1].diagnostic, "smtp; 550 5.1.1 no such user");
    let remote = format!("dns; {}", server.address.ip());
    assert_eq!(outcomes[1].remote_mta.as_deref(), Some(remote.as_str()));
    let session = server.session().await;
    assert_eq!(session.unstuffed(), MESSAGE);
    assert_eq!(session.commands.last().map(String::as_str), Some("QUIT"));
}

#[tokio::test]
async fn rcpt_4xx_is_transient() {
    let server = FakeServer::start(Script::default().with_rcpt(&["452 4.2.2 mailbox full"])).await;
    let outcomes = deliver_via(server.address, &["bob@example.test"], MESSAGE).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Transient);
    assert_eq!(outcomes[0].status, "4.2.2");
}

#[tokio::test]
async fn go_ahead_without_recipients_gets_an_empty_message_not_the_real_one() {
    let server = FakeServer::start(Script {
        rcpt: vec!["550 5.1.1 unknown".to_owned()],
        data_without_recipients: true,
        ..Script::default()
    })
    .await;
    let outcomes = deliver_via(server.address, &["nobody@example.test"], MESSAGE).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Permanent);
    assert_eq!(outcomes[0].status, "5.1.1");
    assert_eq!(server.session().await.data, b".\r\n");
}

#[tokio::test]
async fn greeting_421_is_transient_and_sends_no_envelope() {
    let server = FakeServer::start(Script {
        greeting: "421 4.3.2 not now".to_owned(),
        ..Script::default()
    })
    .await;
    let outcomes = deliver_via(
        server.address,
        &["bob@example.test", "carol@example.test"],
        MESSAGE,
    )
    .await;
    for outcome in &outcomes {
        assert_eq!(outcome.kind, OutcomeKind::Transient);
        assert_eq!(outcome.status, "4.3.2");
    }
    assert_eq!(server.session().await.command("MAIL"), None);
}

#[tokio::test]
async fn connection_refused_is_transient_for_every_recipient() {
    let address = closed_port().await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let outcomes = deliver(
        &transport(settings_via(address, "")),
        job(&["bob@example.test", "carol@example.test"], &message),
    )
    .await;
    assert_eq!(outcomes.len(), 2);
    for outcome in &outcomes {
        assert_eq!(outcome.kind, OutcomeKind::Transient);
        assert_eq!(outcome.status, "4.4.1");
    }
}

#[tokio::test]
async fn leading_dots_are_doubled_on_the_wire_and_the_message_arrives_exact() {
    let server = FakeServer::start(Script::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let body = b"Subject: dots\r\n\r\n.one dot\r\n..two dots\r\n.\r\nnot.at start\r\n";
    let message = spool(dir.path(), body);
    let outcomes = deliver(
        &transport(settings_via(server.address, "")),
        job(&["bob@example.test"], &message),
    )
    .await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Delivered);
    let session = server.session().await;
    assert_eq!(
        session.data,
        b"Subject: dots\r\n\r\n..one dot\r\n...two dots\r\n..\r\nnot.at start\r\n.\r\n"
    );
    assert_eq!(session.unstuffed(), body);
}

#[tokio::test]
async fn large_message_streams_across_blocks_byte_exact() {
    let server = FakeServer::start(Script::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut body = b"Subject: big\r\n\r\n".to_vec();
    for line in 0..20_000 {
        body.extend_from_slice(format!(".line {line} with a leading dot\r\n").as_bytes());
    }
    let message = spool(dir.path(), &body);
    let outcomes = deliver(
        &transport(settings_via(server.address, "")),
        job(&["bob@example.test"], &message),
    )
    .await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Delivered);
    assert_eq!(server.session().await.unstuffed(), body);
}

#[tokio::test]
async fn size_is_declared_when_offered() {
    let server = FakeServer::start(Script::default().with_extensions(&["SIZE 1000000"])).await;
    deliver_via(server.address, &["bob@example.test"], MESSAGE).await;
    let expected = format!("MAIL FROM:<alice@example.net> SIZE={}", MESSAGE.len());
    assert_eq!(
        server.session().await.command("MAIL"),
        Some(expected.as_str())
    );
}

#[tokio::test]
async fn size_is_not_declared_when_not_offered() {
    let server = FakeServer::start(Script::default().with_extensions(&[])).await;
    deliver_via(server.address, &["bob@example.test"], MESSAGE).await;
    assert_eq!(
        server.session().await.command("MAIL"),
        Some("MAIL FROM:<alice@example.net>")
    );
}

#[tokio::test]
async fn message_over_the_servers_size_limit_is_permanent_5_3_4() {
    let server = FakeServer::start(Script::default().with_extensions(&["SIZE 10"])).await;
    let outcomes = deliver_via(server.address, &["bob@example.test"], MESSAGE).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Permanent);
    assert_eq!(outcomes[0].status, "5.3.4");
    assert_eq!(server.session().await.command("MAIL"), None);
}

#[tokio::test]
async fn eight_bit_message_to_a_server_without_8bitmime_is_permanent_5_6_3() {
    let server = FakeServer::start(Script::default().with_extensions(&["PIPELINING"])).await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), "Subject: Grüße\r\n\r\nÄpfel\r\n".as_bytes());
    let mut job = job(&["bob@example.test"], &message);
    job.body = BodyType::EightBitMime;
    let outcomes = deliver(&transport(settings_via(server.address, "")), job).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Permanent);
    assert_eq!(outcomes[0].status, "5.6.3");
    assert_eq!(server.session().await.command("MAIL"), None);
}

#[tokio::test]
async fn eight_bit_message_declares_body_8bitmime() {
    let server = FakeServer::start(Script::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), "Subject: Grüße\r\n\r\nÄpfel\r\n".as_bytes());
    let mut job = job(&["bob@example.test"], &message);
    job.body = BodyType::EightBitMime;
    let outcomes = deliver(&transport(settings_via(server.address, "")), job).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Delivered);
    assert_eq!(
        server.session().await.command("MAIL"),
        Some("MAIL FROM:<alice@example.net> BODY=8BITMIME")
    );
}

#[tokio::test]
async fn smtputf8_message_to_a_server_without_it_is_permanent_5_6_7() {
    let server = FakeServer::start(Script::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let mut job = job(&["bjørn@example.test"], &message);
    job.smtputf8 = true;
    let outcomes = deliver(&transport(settings_via(server.address, "")), job).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Permanent);
    assert_eq!(outcomes[0].status, "5.6.7");
}

#[tokio::test]
async fn dsn_parameters_go_along_when_offered() {
    let server = FakeServer::start(Script::default().with_extensions(&["DSN"])).await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let mut job = job(&["bob@example.test"], &message);
    job.ret = Some(Ret::Headers);
    job.envid = Some("QQ314159".to_owned());
    job.recipients[0].orcpt = Some("rfc822;bob@example.test".to_owned());
    job.recipients[0].notify = Notify {
        success: true,
        failure: true,
        delay: false,
    };
    deliver(&transport(settings_via(server.address, "")), job).await;
    let session = server.session().await;
    assert_eq!(
        session.command("MAIL"),
        Some("MAIL FROM:<alice@example.net> RET=HDRS ENVID=QQ314159")
    );
    assert_eq!(
        session.command("RCPT"),
        Some("RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.test")
    );
}

#[tokio::test]
async fn envelope_is_pipelined_when_offered() {
    let server = FakeServer::start(Script::default()).await;
    deliver_via(
        server.address,
        &["bob@example.test", "carol@example.test"],
        MESSAGE,
    )
    .await;
    let session = server.session().await;
    assert!(session.pipelined);
    assert_eq!(session.unstuffed(), MESSAGE);
}

#[tokio::test]
async fn envelope_waits_for_each_reply_without_pipelining() {
    let server = FakeServer::start(Script::default().with_extensions(&[])).await;
    let outcomes = deliver_via(
        server.address,
        &["bob@example.test", "carol@example.test"],
        MESSAGE,
    )
    .await;
    assert!(outcomes.iter().all(|o| o.kind == OutcomeKind::Delivered));
    assert!(!server.session().await.pipelined);
}

#[tokio::test]
async fn refused_sender_is_every_recipients_outcome() {
    let server = FakeServer::start(Script {
        mail: "553 5.7.1 sender rejected".to_owned(),
        ..Script::default()
    })
    .await;
    let outcomes = deliver_via(
        server.address,
        &["bob@example.test", "carol@example.test"],
        MESSAGE,
    )
    .await;
    for outcome in &outcomes {
        assert_eq!(outcome.kind, OutcomeKind::Permanent);
        assert_eq!(outcome.status, "5.7.1");
    }
}

#[tokio::test]
async fn reply_to_the_data_applies_to_accepted_recipients_only() {
    let server = FakeServer::start(Script {
        rcpt: vec!["250 ok".to_owned(), "550 5.1.1 unknown".to_owned()],
        end_of_data: "554 5.6.0 content rejected".to_owned(),
        ..Script::default()
    })
    .await;
    let outcomes = deliver_via(
        server.address,
        &["bob@example.test", "nobody@example.test"],
        MESSAGE,
    )
    .await;
    assert_eq!(outcomes[0].status, "5.6.0");
    assert_eq!(outcomes[1].status, "5.1.1");
}

#[tokio::test]
async fn connection_lost_after_the_data_is_transient() {
    let server = FakeServer::start(Script {
        vanish_after_data: true,
        ..Script::default()
    })
    .await;
    let outcomes = deliver_via(server.address, &["bob@example.test"], MESSAGE).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Transient);
    assert_eq!(outcomes[0].status, "4.4.2");
}

#[tokio::test]
async fn ehlo_refused_falls_back_to_helo() {
    let server = FakeServer::start(Script {
        ehlo_refusal: Some("502 5.5.1 no EHLO here".to_owned()),
        ..Script::default()
    })
    .await;
    let outcomes = deliver_via(server.address, &["bob@example.test"], MESSAGE).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Delivered);
    let session = server.session().await;
    assert_eq!(session.command("EHLO"), Some("EHLO client.example.net"));
    assert_eq!(session.command("HELO"), Some("HELO client.example.net"));
}

#[tokio::test]
async fn ehlo_4xx_moves_on_without_trying_helo() {
    let server = FakeServer::start(Script {
        ehlo_refusal: Some("421 4.7.0 slow down".to_owned()),
        ..Script::default()
    })
    .await;
    let outcomes = deliver_via(server.address, &["bob@example.test"], MESSAGE).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Transient);
    assert_eq!(outcomes[0].status, "4.7.0");
    let session = server.session().await;
    assert_eq!(session.command("HELO"), None);
    assert_eq!(session.command("MAIL"), None);
}

#[tokio::test]
async fn helo_name_comes_from_the_outbound_section() {
    let server = FakeServer::start(Script::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    deliver(
        &transport(settings_via(
            server.address,
            "helo_name = \"out.example.net\"",
        )),
        job(&["bob@example.test"], &message),
    )
    .await;
    assert_eq!(
        server.session().await.command("EHLO"),
        Some("EHLO out.example.net")
    );
}

/// MX records for example.test: `first` at preference 10, `second` at 20.
fn two_mx(first: &str, second: &str) -> TableDns {
    let mut dns = TableDns::default();
    dns.mx.insert(
        "example.test".to_owned(),
        vec![
            MxRecord {
                preference: 20,
                exchange: "mx2.example.test".to_owned(),
            },
            MxRecord {
                preference: 10,
                exchange: "mx1.example.test".to_owned(),
            },
        ],
    );
    dns.a = HashMap::from([
        ("mx1.example.test".to_owned(), vec![first.parse().unwrap()]),
        ("mx2.example.test".to_owned(), vec![second.parse().unwrap()]),
    ]);
    dns
}

fn mx_settings(dns: TableDns, port: u16) -> OutboundSettings {
    let mut settings = OutboundSettings::with_dns(&config(""), Arc::new(dns)).unwrap();
    settings.mx_port = port;
    settings.dns_loopback = true;
    settings
}

#[tokio::test]
async fn second_mx_takes_the_mail_when_the_first_refuses_connections() {
    let server = FakeServer::start(Script::default()).await;
    // Nothing listens on 127.0.0.2; the fake server is bound to 127.0.0.1 only.
    let dns = two_mx("127.0.0.2", "127.0.0.1");
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let outcomes = deliver(
        &transport(mx_settings(dns, server.address.port())),
        job(&["bob@example.test"], &message),
    )
    .await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Delivered);
    assert_eq!(
        outcomes[0].remote_mta.as_deref(),
        Some("dns; mx2.example.test")
    );
    assert_eq!(server.session().await.unstuffed(), MESSAGE);
}

#[tokio::test]
async fn second_mx_takes_the_mail_when_the_first_greets_with_421() {
    let good = FakeServer::start(Script::default()).await;
    let busy_address = format!("127.0.0.2:{}", good.address.port());
    let busy = FakeServer::start_at(
        Script {
            greeting: "421 4.3.2 too busy".to_owned(),
            ..Script::default()
        },
        busy_address.parse().unwrap(),
    )
    .await;
    let dns = two_mx("127.0.0.2", "127.0.0.1");
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let outcomes = deliver(
        &transport(mx_settings(dns, good.address.port())),
        job(&["bob@example.test"], &message),
    )
    .await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Delivered);
    assert_eq!(busy.session().await.command("MAIL"), None);
    assert_eq!(good.session().await.unstuffed(), MESSAGE);
}

#[tokio::test]
async fn every_mx_down_leaves_the_last_failure_transient() {
    let dns = two_mx("127.0.0.2", "127.0.0.3");
    let port = closed_port().await.port();
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let outcomes = deliver(
        &transport(mx_settings(dns, port)),
        job(&["bob@example.test"], &message),
    )
    .await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Transient);
    assert_eq!(outcomes[0].status, "4.4.1");
    assert_eq!(
        outcomes[0].remote_mta.as_deref(),
        Some("dns; mx2.example.test")
    );
}

#[tokio::test]
async fn greeting_554_from_the_only_server_is_permanent() {
    let server = FakeServer::start(Script {
        greeting: "554 5.7.1 no service for you".to_owned(),
        ..Script::default()
    })
    .await;
    let outcomes = deliver_via(server.address, &["bob@example.test"], MESSAGE).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Permanent);
    assert_eq!(outcomes[0].status, "5.7.1");
    assert_eq!(outcomes[0].diagnostic, "smtp; 554 5.7.1 no service for you");
}

#[tokio::test]
async fn loopback_mx_is_refused_without_a_connection() {
    let server = FakeServer::start(Script::default()).await;
    let mut settings = mx_settings(two_mx("127.0.0.1", "127.0.0.1"), server.address.port());
    settings.dns_loopback = false;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let outcomes = deliver(&transport(settings), job(&["bob@example.test"], &message)).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Permanent);
    assert_eq!(outcomes[0].status, "5.4.6");
    assert!(server.sessions(0).await.is_empty());
}

#[tokio::test]
async fn unknown_domain_is_permanent_5_1_2_without_a_connection() {
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let settings = OutboundSettings::with_dns(&config(""), Arc::new(TableDns::default())).unwrap();
    let outcomes = deliver(&transport(settings), job(&["bob@example.test"], &message)).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Permanent);
    assert_eq!(outcomes[0].status, "5.1.2");
}

#[tokio::test]
async fn binary_message_goes_as_one_bdat_chunk_unstuffed() {
    let server = FakeServer::start(Script::default().with_extensions(&[
        "PIPELINING",
        "CHUNKING",
        "BINARYMIME",
    ]))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let body = b"Subject: bin\r\n\r\n.\r\n\x00\xff raw\r\n";
    let message = spool(dir.path(), body);
    let mut job = job(&["bob@example.test"], &message);
    job.body = BodyType::BinaryMime;
    let outcomes = deliver(&transport(settings_via(server.address, "")), job).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Delivered);
    let session = server.session().await;
    let bdat = format!("BDAT {} LAST", body.len());
    assert_eq!(session.command("BDAT"), Some(bdat.as_str()));
    assert_eq!(session.command("DATA"), None);
    assert_eq!(session.data, body);
}

#[tokio::test]
async fn binary_message_to_a_server_without_chunking_is_permanent_5_6_3() {
    let server = FakeServer::start(Script::default().with_extensions(&["BINARYMIME"])).await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let mut job = job(&["bob@example.test"], &message);
    job.body = BodyType::BinaryMime;
    let outcomes = deliver(&transport(settings_via(server.address, "")), job).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Permanent);
    assert_eq!(outcomes[0].status, "5.6.3");
}

#[tokio::test]
async fn smtputf8_is_declared_when_the_message_needs_it() {
    let server =
        FakeServer::start(Script::default().with_extensions(&["PIPELINING", "SMTPUTF8"])).await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let mut job = job(&["bjørn@example.test"], &message);
    job.smtputf8 = true;
    let outcomes = deliver(&transport(settings_via(server.address, "")), job).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Delivered);
    let session = server.session().await;
    assert_eq!(
        session.command("MAIL"),
        Some("MAIL FROM:<alice@example.net> SMTPUTF8")
    );
    assert_eq!(
        session.command("RCPT"),
        Some("RCPT TO:<bjørn@example.test>")
    );
}

#[tokio::test]
async fn replies_to_a_long_pipelined_envelope_reach_the_right_recipients() {
    let addresses: Vec<String> = (0..250).map(|i| format!("user{i}@example.test")).collect();
    let replies: Vec<&str> = (0..250)
        .map(|i| {
            if i % 3 == 0 {
                "550 5.1.1 unknown"
            } else {
                "250 ok"
            }
        })
        .collect();
    let server = FakeServer::start(Script::default().with_rcpt(&replies)).await;
    let dir = tempfile::tempdir().unwrap();
    let message = spool(dir.path(), MESSAGE);
    let recipients: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let outcomes = deliver(
        &transport(settings_via(server.address, "")),
        job(&recipients, &message),
    )
    .await;
    assert_eq!(outcomes.len(), 250);
    for (index, outcome) in outcomes.iter().enumerate() {
        let expected = if index % 3 == 0 {
            OutcomeKind::Permanent
        } else {
            OutcomeKind::Delivered
        };
        assert_eq!(outcome.kind, expected, "recipient {index}");
    }
    let session = server.session().await;
    assert_eq!(
        session
            .commands
            .iter()
            .filter(|c| c.starts_with("RCPT"))
            .count(),
        250
    );
    assert_eq!(session.unstuffed(), MESSAGE);
}

#[tokio::test]
async fn garbage_greeting_is_transient() {
    let server = FakeServer::start(Script {
        greeting: "hello there".to_owned(),
        ..Script::default()
    })
    .await;
    let outcomes = deliver_via(server.address, &["bob@example.test"], MESSAGE).await;
    assert_eq!(outcomes[0].kind, OutcomeKind::Transient);
    assert_eq!(outcomes[0].status, "4.4.2");
    assert!(outcomes[0].diagnostic.contains("malformed reply"));
}
