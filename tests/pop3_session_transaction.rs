//! The TRANSACTION and UPDATE states over duplex pipes: STAT, LIST, UIDL,
//! RETR, TOP, DELE, RSET, QUIT, checked against the store.

mod pop3_support;

use pop3_support::{Client, Fixture, fixture, message};
use postamt::config::Pop3Deleted;

/// A fixture whose INBOX holds `n` messages, and a logged-in session.
async fn with_messages(n: usize) -> (Fixture, Client) {
    let f = fixture().await;
    let messages: Vec<Vec<u8>> = (1..=n).map(message).collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    f.deliver("INBOX", &refs).await;
    let c = f.login().await;
    (f, c)
}

#[tokio::test]
async fn stat_counts_messages_and_octets() {
    let (_f, mut c) = with_messages(2).await;
    c.send("STAT").await;
    let size = message(1).len() + message(2).len();
    assert_eq!(c.ok().await, format!("+OK 2 {size}"));
}

#[tokio::test]
async fn list_gives_every_message_and_its_size() {
    let (_f, mut c) = with_messages(2).await;
    c.send("LIST").await;
    assert_eq!(
        c.multiline().await,
        [
            format!("1 {}", message(1).len()),
            format!("2 {}", message(2).len())
        ]
    );
    c.send("LIST 2").await;
    assert_eq!(c.ok().await, format!("+OK 2 {}", message(2).len()));
}

#[tokio::test]
async fn retr_sends_the_message_byte_for_byte_in_as_many_octets_as_list_says() {
    let (_f, mut c) = with_messages(1).await;
    c.send("LIST 1").await;
    let listed: usize = c.ok().await.rsplit(' ').next().unwrap().parse().unwrap();
    c.send("RETR 1").await;
    c.ok().await;
    let body = c.body().await;
    assert_eq!(body, message(1));
    assert_eq!(body.len(), listed);
}

#[tokio::test]
async fn retr_stuffs_lines_starting_with_a_dot() {
    let f = fixture().await;
    let stored: &[u8] = b"Subject: dots\r\n\r\n.leading\r\n..two\r\n.\r\nend\r\n";
    f.deliver("INBOX", &[stored]).await;
    let mut c = f.login().await;
    c.send("RETR 1").await;
    c.ok().await;
    // Read raw: the stuffed lines must be on the wire.
    let mut wire = Vec::new();
    loop {
        let line = c.line().await;
        let done = line == ".";
        wire.push(line);
        if done {
            break;
        }
    }
    assert_eq!(
        wire,
        ["Subject: dots", "", "..leading", "...two", "..", "end", "."]
    );
}

#[tokio::test]
async fn retr_of_a_message_without_final_crlf_ends_the_line_before_the_terminator() {
    let f = fixture().await;
    f.deliver("INBOX", &[b"Subject: x\r\n\r\nno newline"]).await;
    let mut c = f.login().await;
    c.send("RETR 1").await;
    c.ok().await;
    assert_eq!(c.body().await, b"Subject: x\r\n\r\nno newline\r\n");
}

#[tokio::test]
async fn a_large_message_streams_whole() {
    let f = fixture().await;
    let mut big = b"Subject: big\r\n\r\n".to_vec();
    for i in 0..40_000 {
        big.extend_from_slice(format!(".line {i} of a large message\r\n").as_bytes());
    }
    f.deliver("INBOX", &[&big]).await;
    let mut c = f.login().await;
    c.send("RETR 1").await;
    c.ok().await;
    assert_eq!(c.body().await, big);
}

#[tokio::test]
async fn top_sends_the_header_and_n_body_lines() {
    let (_f, mut c) = with_messages(1).await;
    c.send("TOP 1 1").await;
    assert_eq!(
        c.multiline().await,
        [
            "From: bob@example.test",
            "Subject: test 1",
            "To: alice@example.test",
            "",
            "body 1"
        ]
    );
    c.send("TOP 1 0").await;
    assert_eq!(c.multiline().await.len(), 4);
    c.send("TOP 1 99999999").await;
    assert_eq!(c.multiline().await.len(), 6);
}

#[tokio::test]
async fn uidl_values_are_unique_and_stable_across_sessions() {
    let (f, mut c) = with_messages(3).await;
    c.send("UIDL").await;
    let first = c.multiline().await;
    assert_eq!(first.len(), 3);
    let ids: std::collections::HashSet<_> =
        first.iter().map(|l| l.split(' ').nth(1).unwrap()).collect();
    assert_eq!(ids.len(), 3);
    assert!(
        ids.iter()
            .all(|id| id.bytes().all(|b| (0x21..0x7f).contains(&b)))
    );
    c.send("UIDL 2").await;
    assert_eq!(c.ok().await, format!("+OK {}", first[1]));
    c.send("QUIT").await;
    c.ok().await;
    let mut again = f.login().await;
    again.send("UIDL").await;
    assert_eq!(again.multiline().await, first);
}

#[tokio::test]
async fn uidl_of_a_message_is_kept_when_earlier_ones_are_deleted() {
    let (f, mut c) = with_messages(2).await;
    c.send("UIDL 2").await;
    let second = c.ok().await.rsplit(' ').next().unwrap().to_owned();
    c.send("DELE 1").await;
    c.ok().await;
    c.send("QUIT").await;
    c.ok().await;
    let mut again = f.login().await;
    again.send("UIDL").await;
    assert_eq!(again.multiline().await, [format!("1 {second}")]);
}

#[tokio::test]
async fn dele_hides_the_message_from_every_command() {
    let (_f, mut c) = with_messages(2).await;
    c.send("DELE 1").await;
    c.ok().await;
    for command in ["RETR 1", "TOP 1 0", "LIST 1", "UIDL 1", "DELE 1"] {
        c.send(command).await;
        let answer = c.err().await;
        assert!(answer.contains("deleted"), "{command}: {answer}");
    }
    c.send("STAT").await;
    assert_eq!(c.ok().await, format!("+OK 1 {}", message(2).len()));
    c.send("LIST").await;
    assert_eq!(c.multiline().await, [format!("2 {}", message(2).len())]);
}

#[tokio::test]
async fn out_of_range_numbers_are_errors_that_say_so() {
    let (_f, mut c) = with_messages(2).await;
    for command in [
        "RETR 3",
        "RETR 0",
        "LIST 9",
        "DELE 4294967295",
        "TOP 3 1",
        "UIDL 0",
    ] {
        c.send(command).await;
        let answer = c.err().await;
        assert!(answer.contains("no message"), "{command}: {answer}");
    }
    c.send("RETR x").await;
    c.err().await;
    c.send("STAT").await;
    c.ok().await;
}

#[tokio::test]
async fn rset_unmarks_the_deleted_messages() {
    let (f, mut c) = with_messages(2).await;
    c.send("DELE 1").await;
    c.ok().await;
    c.send("DELE 2").await;
    c.ok().await;
    c.send("RSET").await;
    c.ok().await;
    c.send("STAT").await;
    assert!(c.ok().await.starts_with("+OK 2 "));
    c.send("QUIT").await;
    c.ok().await;
    assert_eq!(f.count("INBOX").await, 2);
    assert_eq!(f.count("Trash").await, 0);
}

#[tokio::test]
async fn quit_moves_the_deleted_messages_to_trash() {
    let (f, mut c) = with_messages(3).await;
    c.send("DELE 2").await;
    c.ok().await;
    c.send("QUIT").await;
    let answer = c.ok().await;
    assert!(answer.contains("1 messages deleted"), "{answer}");
    assert!(c.closed_silently().await);
    assert_eq!(f.count("INBOX").await, 2);
    assert_eq!(f.count("Trash").await, 1);
}

#[tokio::test]
async fn quit_expunges_the_deleted_messages_when_configured() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2)]).await;
    let mut settings = f.settings.clone();
    settings.pop3.deleted = Pop3Deleted::Expunge;
    let mut c = f.connect_with(settings).await;
    c.send(&format!("USER {}", pop3_support::USER)).await;
    c.ok().await;
    c.send(&format!("PASS {}", pop3_support::PASSWORD)).await;
    c.ok().await;
    c.send("DELE 1").await;
    c.ok().await;
    c.send("QUIT").await;
    c.ok().await;
    assert!(c.closed().await);
    assert_eq!(f.count("INBOX").await, 1);
    assert_eq!(f.count("Trash").await, 0);
}

#[tokio::test]
async fn a_session_ending_without_quit_changes_nothing() {
    let (f, mut c) = with_messages(2).await;
    c.send("DELE 1").await;
    c.ok().await;
    c.send("DELE 2").await;
    c.ok().await;
    drop(c);
    // The next login waits for the first session to let go of the maildrop.
    let mut next = loop {
        let mut c = f.connect().await;
        c.send(&format!("USER {}", pop3_support::USER)).await;
        c.ok().await;
        c.send(&format!("PASS {}", pop3_support::PASSWORD)).await;
        if c.line().await.starts_with("+OK") {
            break c;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    next.send("STAT").await;
    assert!(next.ok().await.starts_with("+OK 2 "));
    assert_eq!(f.count("INBOX").await, 2);
    assert_eq!(f.count("Trash").await, 0);
}

#[tokio::test]
async fn the_maildrop_is_fixed_for_the_session() {
    let (f, mut c) = with_messages(1).await;
    f.deliver("INBOX", &[&message(2)]).await;
    c.send("STAT").await;
    assert_eq!(c.ok().await, format!("+OK 1 {}", message(1).len()));
    c.send("RETR 2").await;
    c.err().await;
}

#[tokio::test]
async fn only_inbox_is_the_maildrop() {
    let f = fixture().await;
    f.deliver("Junk", &[&message(1)]).await;
    f.deliver("INBOX", &[&message(2)]).await;
    let mut c = f.login().await;
    c.send("STAT").await;
    assert_eq!(c.ok().await, format!("+OK 1 {}", message(2).len()));
}

#[tokio::test]
async fn retr_marks_the_message_seen_and_top_does_not() {
    let (f, mut c) = with_messages(2).await;
    c.send("TOP 1 5").await;
    c.multiline().await;
    c.send("RETR 2").await;
    c.multiline().await;
    c.send("NOOP").await;
    c.ok().await;
    assert_eq!(
        f.flags("INBOX").await,
        [Vec::<String>::new(), vec!["\\Seen".to_owned()]]
    );
}

#[tokio::test]
async fn retr_leaves_flags_alone_when_configured() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1)]).await;
    let mut settings = f.settings.clone();
    settings.pop3.retr_marks_seen = false;
    let mut c = f.connect_with(settings).await;
    c.send(&format!("USER {}", pop3_support::USER)).await;
    c.ok().await;
    c.send(&format!("PASS {}", pop3_support::PASSWORD)).await;
    c.ok().await;
    c.send("RETR 1").await;
    c.multiline().await;
    c.send("NOOP").await;
    c.ok().await;
    assert_eq!(f.flags("INBOX").await, [Vec::<String>::new()]);
}

#[tokio::test]
async fn a_message_removed_by_another_session_is_an_error_not_a_crash() {
    let (f, mut c) = with_messages(2).await;
    let inbox = postamt::store::MailboxName::new("INBOX").unwrap();
    let id = f.store.mailbox(f.account, &inbox).await.unwrap().id;
    let first = f.store.snapshot(f.account, id).await.unwrap().messages[0].uid;
    f.store
        .move_messages(
            f.account,
            id,
            vec![first],
            &postamt::store::MailboxName::new("Junk").unwrap(),
        )
        .await
        .unwrap();
    c.send("RETR 1").await;
    let answer = c.err().await;
    assert!(answer.contains("removed"), "{answer}");
    c.send("RETR 2").await;
    assert_eq!(c.multiline().await.len(), 6);
}

#[tokio::test]
async fn pipelined_commands_are_answered_in_order() {
    let (_f, mut c) = with_messages(2).await;
    c.send_raw(b"STAT\r\nLIST\r\nUIDL 1\r\nRETR 2\r\nNOOP\r\n")
        .await;
    assert!(c.ok().await.starts_with("+OK 2 "));
    assert_eq!(c.multiline().await.len(), 2);
    c.ok().await;
    c.ok().await;
    assert_eq!(c.body().await, message(2));
    c.ok().await;
}

#[tokio::test]
async fn login_commands_after_login_are_errors() {
    let (_f, mut c) = with_messages(0).await;
    for command in ["USER x", "PASS y", "AUTH PLAIN", "STLS", "APOP a b"] {
        c.send(command).await;
        c.err().await;
    }
    c.send("STAT").await;
    assert_eq!(c.ok().await, "+OK 0 0");
}

#[tokio::test]
async fn quit_commits_what_is_left_when_another_session_moved_a_deleted_message() {
    let (f, mut c) = with_messages(3).await;
    c.send("DELE 1").await;
    c.ok().await;
    c.send("DELE 2").await;
    c.ok().await;
    let inbox = postamt::store::MailboxName::new("INBOX").unwrap();
    let id = f.store.mailbox(f.account, &inbox).await.unwrap().id;
    let first = f.store.snapshot(f.account, id).await.unwrap().messages[0].uid;
    let junk = postamt::store::MailboxName::new("Junk").unwrap();
    f.store
        .move_messages(f.account, id, vec![first], &junk)
        .await
        .unwrap();
    c.send("QUIT").await;
    c.ok().await;
    assert_eq!(f.count("INBOX").await, 1);
    assert_eq!(f.count("Junk").await, 1);
    assert_eq!(f.count("Trash").await, 1);
}
