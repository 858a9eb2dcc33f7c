//! Bad input and limits: malformed and unknown commands (tag kept), the
//! wrong state, over-long lines, oversized literals, garbage-only clients,
//! autologout, and the commands not wired yet.

mod imap_session_support;

use std::time::Duration;

use imap_session_support::fixture;

#[tokio::test]
async fn malformed_command_is_bad_with_its_tag_and_the_parsers_reason() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 SELECT").await;
    let t = c.expect_bad("a1").await;
    assert!(t.tagged.contains("SELECT"), "{}", t.tagged);
}

#[tokio::test]
async fn unknown_command_is_bad_with_its_tag() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("x7 FROBNICATE now").await;
    c.expect_bad("x7").await;
}

#[tokio::test]
async fn selected_state_command_without_a_mailbox_is_bad() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 EXPUNGE").await;
    let t = c.expect_bad("a1").await;
    assert!(t.tagged.contains("not allowed in this state"));
}

#[tokio::test]
async fn over_long_line_is_bad_limit_and_the_session_goes_on() {
    let f = fixture().await;
    let mut c = f.connect().await;
    let long = format!("a1 NOOP {}", "x".repeat(10_000));
    c.send(&long).await;
    c.expect_code("a1", "LIMIT").await;
    c.send("a2 NOOP").await;
    c.expect_ok("a2").await;
}

#[tokio::test]
async fn oversized_literal_is_bad_toobig() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 CREATE {999999}").await;
    let t = c.expect_code("a1", "TOOBIG").await;
    assert!(t.tagged.starts_with("a1 BAD"));
}

#[tokio::test]
async fn a_client_sending_only_garbage_is_disconnected() {
    let f = fixture().await;
    let mut c = f.connect().await;
    for _ in 0..10 {
        c.send("!!! garbage").await;
    }
    let mut last = String::new();
    for _ in 0..12 {
        last = c.line().await;
        if last.starts_with("* BYE") {
            break;
        }
    }
    assert_eq!(last, "* BYE Too many errors");
    assert!(c.closed().await);
}

#[tokio::test]
async fn silence_longer_than_the_idle_timeout_logs_out() {
    let f = fixture().await;
    let mut settings = f.settings.clone();
    settings.idle_timeout = Duration::from_millis(200);
    let mut c = f.connect_with(settings).await;
    assert_eq!(c.line().await, "* BYE Autologout; idle for too long");
    assert!(c.closed().await);
}

#[tokio::test]
async fn idle_outlasts_the_autologout_timer() {
    let f = fixture().await;
    let mut settings = f.settings.clone();
    settings.idle_timeout = Duration::from_millis(200);
    let mut c = f.connect_with(settings).await;
    c.send(&format!(
        "l1 LOGIN {} {}",
        imap_session_support::USER,
        imap_session_support::PASSWORD
    ))
    .await;
    c.expect_ok("l1").await;
    c.send("a1 IDLE").await;
    c.line().await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    c.send("DONE").await;
    c.expect_ok("a1").await;
}

#[tokio::test]
async fn commands_parsed_but_not_advertised_are_bad() {
    let f = fixture().await;
    let mut c = f.select("INBOX").await;
    c.send("a1 COMPRESS DEFLATE").await;
    c.expect_bad("a1").await;
    c.send("a2 NOOP").await;
    c.expect_ok("a2").await;
}

#[tokio::test]
async fn random_bytes_never_break_the_session() {
    let f = fixture().await;
    let mut c = f.login().await;
    // A fixed xorshift stream: the same junk on every run.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut junk = Vec::new();
    for _ in 0..4000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let byte = (state & 0xff) as u8;
        // Keep literals announced by the junk small enough to be skipped.
        junk.push(if byte == b'{' { b'(' } else { byte });
    }
    c.send_raw(&junk).await;
    c.send("\r\nz1 NOOP").await;
    let mut answered = false;
    for _ in 0..200 {
        let line = c.line().await;
        if line.starts_with("z1 OK") || line.starts_with("* BYE Too many errors") {
            answered = true;
            break;
        }
    }
    assert!(answered);
}
