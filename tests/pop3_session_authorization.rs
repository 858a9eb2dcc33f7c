//! The AUTHORIZATION state over duplex pipes: greeting, CAPA, USER/PASS,
//! AUTH, the plaintext rule, the maildrop lock ([IN-USE], [LOGIN-DELAY]),
//! bad input, autologout.

mod pop3_support;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pop3_support::{PASSWORD, USER, fixture, message};

#[tokio::test]
async fn greeting_is_ok() {
    let f = fixture().await;
    let c = f.connect().await;
    assert!(c.greeting.starts_with("+OK "), "{}", c.greeting);
}

#[tokio::test]
async fn capa_before_login_offers_user_sasl_and_the_rfc_2449_capabilities() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("CAPA").await;
    let list = c.multiline().await;
    for capability in [
        "TOP",
        "UIDL",
        "USER",
        "SASL PLAIN LOGIN",
        "RESP-CODES",
        "AUTH-RESP-CODE",
        "PIPELINING",
        "EXPIRE NEVER",
        "IMPLEMENTATION postamt",
    ] {
        assert!(
            list.contains(&capability.to_owned()),
            "{capability} in {list:?}"
        );
    }
    assert!(
        !list.contains(&"STLS".to_owned()),
        "no STARTTLS listener here"
    );
    assert!(!list.iter().any(|l| l.starts_with("LOGIN-DELAY")));
}

#[tokio::test]
async fn capa_after_login_drops_the_login_capabilities() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("CAPA").await;
    let list = c.multiline().await;
    assert!(list.contains(&"TOP".to_owned()));
    assert!(!list.contains(&"USER".to_owned()));
    assert!(!list.iter().any(|l| l.starts_with("SASL")));
}

#[tokio::test]
async fn user_and_pass_log_in_and_report_the_maildrop() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2)]).await;
    let mut c = f.connect().await;
    c.send(&format!("USER {USER}")).await;
    c.ok().await;
    c.send(&format!("PASS {PASSWORD}")).await;
    let ok = c.ok().await;
    assert!(ok.contains("2 messages"), "{ok}");
}

#[tokio::test]
async fn wrong_password_is_auth_and_the_session_stays_usable() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send(&format!("USER {USER}")).await;
    c.ok().await;
    c.send("PASS wrong").await;
    c.err_code("AUTH").await;
    // A failed PASS starts over at USER.
    c.send(&format!("PASS {PASSWORD}")).await;
    c.err().await;
    c.send(&format!("USER {USER}")).await;
    c.ok().await;
    c.send(&format!("PASS {PASSWORD}")).await;
    c.ok().await;
}

#[tokio::test]
async fn unknown_user_gets_the_same_answer_as_a_wrong_password() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("USER nobody@example.test").await;
    c.ok().await;
    c.send("PASS whatever").await;
    c.err_code("AUTH").await;
}

#[tokio::test]
async fn disabled_account_is_refused_with_auth() {
    let f = fixture().await;
    f.directory.set_enabled(USER, false).unwrap();
    let mut c = f.connect().await;
    c.send(&format!("USER {USER}")).await;
    c.ok().await;
    c.send(&format!("PASS {PASSWORD}")).await;
    c.err_code("AUTH").await;
}

#[tokio::test]
async fn pass_without_user_is_refused() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send(&format!("PASS {PASSWORD}")).await;
    c.err().await;
}

#[tokio::test]
async fn without_tls_passwords_are_refused_and_not_offered() {
    let f = fixture().await;
    let mut settings = f.settings.clone();
    settings.plaintext_auth = false;
    let mut c = f.connect_with(settings).await;
    c.send("CAPA").await;
    let list = c.multiline().await;
    assert!(!list.contains(&"USER".to_owned()));
    assert!(!list.iter().any(|l| l.starts_with("SASL")));
    c.send(&format!("USER {USER}")).await;
    c.err_code("AUTH").await;
    c.send(&format!("PASS {PASSWORD}")).await;
    c.err().await;
    let ir = STANDARD.encode(format!("\0{USER}\0{PASSWORD}"));
    c.send(&format!("AUTH PLAIN {ir}")).await;
    c.err_code("AUTH").await;
}

#[tokio::test]
async fn stls_is_refused_where_it_is_not_offered() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("STLS").await;
    c.err().await;
    c.send("NOOP").await;
    c.err().await;
}

#[tokio::test]
async fn auth_plain_with_an_initial_response() {
    let f = fixture().await;
    let mut c = f.connect().await;
    let ir = STANDARD.encode(format!("\0{USER}\0{PASSWORD}"));
    c.send(&format!("AUTH PLAIN {ir}")).await;
    c.ok().await;
    c.send("STAT").await;
    c.ok().await;
}

#[tokio::test]
async fn auth_plain_waits_for_the_response_after_an_empty_challenge() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("AUTH PLAIN").await;
    assert_eq!(c.line().await, "+ ");
    c.send(&STANDARD.encode(format!("\0{USER}\0{PASSWORD}")))
        .await;
    c.ok().await;
}

#[tokio::test]
async fn auth_login_prompts_for_username_and_password() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("AUTH LOGIN").await;
    assert_eq!(
        c.line().await,
        format!("+ {}", STANDARD.encode("Username:"))
    );
    c.send(&STANDARD.encode(USER)).await;
    assert_eq!(
        c.line().await,
        format!("+ {}", STANDARD.encode("Password:"))
    );
    c.send(&STANDARD.encode(PASSWORD)).await;
    c.ok().await;
}

#[tokio::test]
async fn auth_with_a_wrong_password_is_auth() {
    let f = fixture().await;
    let mut c = f.connect().await;
    let ir = STANDARD.encode(format!("\0{USER}\0wrong"));
    c.send(&format!("AUTH PLAIN {ir}")).await;
    c.err_code("AUTH").await;
}

#[tokio::test]
async fn cancelled_or_malformed_auth_is_an_error_and_the_session_stays_usable() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("AUTH PLAIN").await;
    c.line().await;
    c.send("*").await;
    c.err().await;
    c.send("AUTH PLAIN !!!").await;
    c.err().await;
    c.send("AUTH CRAM-MD5").await;
    c.err().await;
    c.send("CAPA").await;
    c.multiline().await;
}

#[tokio::test]
async fn auth_without_a_mechanism_lists_them() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("AUTH").await;
    assert_eq!(c.multiline().await, ["PLAIN", "LOGIN"]);
}

#[tokio::test]
async fn apop_is_not_offered() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send(&format!("APOP {USER} c4c9334bac560ecc979e58001b3e22fb"))
        .await;
    c.err().await;
}

#[tokio::test]
async fn transaction_commands_before_login_are_errors() {
    let f = fixture().await;
    let mut c = f.connect().await;
    for command in [
        "STAT", "LIST", "RETR 1", "DELE 1", "RSET", "UIDL", "TOP 1 0", "NOOP",
    ] {
        c.send(command).await;
        c.err().await;
    }
}

#[tokio::test]
async fn a_second_session_of_the_maildrop_is_in_use() {
    let f = fixture().await;
    let _first = f.login().await;
    let mut second = f.connect().await;
    second.send(&format!("USER {USER}")).await;
    second.ok().await;
    second.send(&format!("PASS {PASSWORD}")).await;
    second.err_code("IN-USE").await;
}

#[tokio::test]
async fn the_maildrop_is_released_when_a_session_quits() {
    let f = fixture().await;
    let mut first = f.login().await;
    first.send("QUIT").await;
    first.ok().await;
    assert!(first.closed().await);
    f.login().await;
}

#[tokio::test]
async fn the_maildrop_is_released_when_a_client_disconnects() {
    let f = fixture().await;
    drop(f.login().await);
    // The session notices the closed pipe at its next read.
    let mut attempts = 0;
    loop {
        let mut c = f.connect().await;
        let ir = STANDARD.encode(format!("\0{USER}\0{PASSWORD}"));
        c.send(&format!("AUTH PLAIN {ir}")).await;
        let answer = c.line().await;
        if answer.starts_with("+OK") {
            break;
        }
        assert!(answer.starts_with("-ERR [IN-USE]"), "{answer}");
        attempts += 1;
        assert!(attempts < 50, "the lock was never released");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn login_delay_is_announced_and_enforced() {
    let f = fixture().await;
    let mut settings = f.settings.clone();
    settings.pop3.login_delay = postamt::config::Seconds(600);
    let mut first = f.connect_with(settings.clone()).await;
    first.send("CAPA").await;
    assert!(
        first
            .multiline()
            .await
            .contains(&"LOGIN-DELAY 600".to_owned())
    );
    first.send(&format!("USER {USER}")).await;
    first.ok().await;
    first.send(&format!("PASS {PASSWORD}")).await;
    first.ok().await;
    first.send("QUIT").await;
    first.ok().await;
    let mut second = f.connect_with(settings).await;
    second.send(&format!("USER {USER}")).await;
    second.ok().await;
    second.send(&format!("PASS {PASSWORD}")).await;
    second.err_code("LOGIN-DELAY").await;
}

#[tokio::test]
async fn unknown_commands_get_an_error_and_the_session_stays_usable() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("XYZZY").await;
    c.err().await;
    c.send("").await;
    c.err().await;
    c.send_raw(b"\xff\xfe\r\n").await;
    c.err().await;
    c.send("CAPA").await;
    c.multiline().await;
}

#[tokio::test]
async fn an_over_long_line_is_refused_whole_and_the_session_stays_usable() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send(&format!("USER {}", "a".repeat(5000))).await;
    let answer = c.err().await;
    assert!(answer.contains("too long"), "{answer}");
    c.send(&format!("USER {USER}")).await;
    c.ok().await;
    c.send(&format!("PASS {PASSWORD}")).await;
    c.ok().await;
}

#[tokio::test]
async fn a_line_of_255_octets_is_accepted() {
    let f = fixture().await;
    let mut c = f.connect().await;
    let line = format!("USER {}", "a".repeat(255 - 2 - 5));
    assert_eq!(line.len() + 2, 255);
    c.send(&line).await;
    c.ok().await;
}

#[tokio::test]
async fn quit_before_login_says_goodbye_and_closes() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("QUIT").await;
    c.ok().await;
    assert!(c.closed_silently().await);
}

#[tokio::test]
async fn an_idle_client_is_disconnected_without_a_response() {
    let f = fixture().await;
    let mut settings = f.settings.clone();
    settings.idle_timeout = Duration::from_millis(100);
    let mut c = f.connect_with(settings).await;
    assert!(c.closed_silently().await);
}

#[tokio::test]
async fn a_client_sending_only_garbage_is_disconnected() {
    let f = fixture().await;
    let mut c = f.connect().await;
    for _ in 0..postamt::pop3::session::MAX_CONSECUTIVE_ERRORS {
        c.send("BOGUS").await;
    }
    for _ in 0..postamt::pop3::session::MAX_CONSECUTIVE_ERRORS {
        c.err().await;
    }
    let last = c.err().await;
    assert!(last.contains("Too many errors"), "{last}");
    assert!(c.closed().await);
}
