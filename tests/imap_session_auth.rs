//! The not-authenticated state: greeting, capabilities, LOGIN, AUTHENTICATE,
//! the per-account session limit, and the small any-state commands.

mod imap_session_support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use imap_session_support::{PASSWORD, USER, fixture, fixture_with_sessions};

#[tokio::test]
async fn greeting_is_ok_with_capabilities_never_preauth() {
    let f = fixture().await;
    let c = f.connect().await;
    assert!(
        c.greeting.starts_with("* OK [CAPABILITY IMAP4rev1 "),
        "{}",
        c.greeting
    );
    assert!(c.greeting.ends_with("postamt ready"));
    assert!(c.greeting.contains("AUTH=PLAIN"));
}

#[tokio::test]
async fn plaintext_without_permission_says_logindisabled_and_refuses_login() {
    let f = fixture().await;
    let mut settings = f.settings.clone();
    settings.plaintext_auth = false;
    let mut c = f.connect_with(settings).await;
    assert!(c.greeting.contains("LOGINDISABLED"));
    assert!(!c.greeting.contains("AUTH="));
    c.send(&format!("a1 LOGIN {USER} {PASSWORD}")).await;
    c.expect_code("a1", "PRIVACYREQUIRED").await;
    c.send("a2 AUTHENTICATE PLAIN").await;
    c.expect_no("a2").await;
}

#[tokio::test]
async fn login_reports_the_new_capabilities_in_the_tagged_ok() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send(&format!("a1 LOGIN {USER} {PASSWORD}")).await;
    let t = c.expect_ok("a1").await;
    assert!(t.tagged.contains("[CAPABILITY "), "{}", t.tagged);
    assert!(t.tagged.contains(" IDLE"));
    assert!(!t.tagged.contains("AUTH="));
}

#[tokio::test]
async fn wrong_password_is_authenticationfailed() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send(&format!("a1 LOGIN {USER} wrong")).await;
    c.expect_code("a1", "AUTHENTICATIONFAILED").await;
    c.send("a2 SELECT INBOX").await;
    c.expect_bad("a2").await;
}

#[tokio::test]
async fn disabled_account_is_told_to_contact_the_admin() {
    let f = fixture().await;
    f.directory.set_enabled(USER, false).unwrap();
    let mut c = f.connect().await;
    c.send(&format!("a1 LOGIN {USER} {PASSWORD}")).await;
    c.expect_code("a1", "CONTACTADMIN").await;
}

#[tokio::test]
async fn authenticate_plain_with_an_initial_response() {
    let f = fixture().await;
    let mut c = f.connect().await;
    let ir = STANDARD.encode(format!("\0{USER}\0{PASSWORD}"));
    c.send(&format!("a1 AUTHENTICATE PLAIN {ir}")).await;
    let t = c.expect_ok("a1").await;
    assert!(t.tagged.contains("[CAPABILITY "));
}

#[tokio::test]
async fn authenticate_plain_waits_for_the_response_after_an_empty_challenge() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("a1 AUTHENTICATE PLAIN").await;
    assert_eq!(c.line().await, "+ ");
    c.send(&STANDARD.encode(format!("\0{USER}\0{PASSWORD}")))
        .await;
    c.expect_ok("a1").await;
}

#[tokio::test]
async fn authenticate_login_prompts_for_username_and_password() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("a1 AUTHENTICATE LOGIN").await;
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
    c.expect_ok("a1").await;
}

#[tokio::test]
async fn cancelled_authenticate_is_bad() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("a1 AUTHENTICATE PLAIN").await;
    c.line().await;
    c.send("*").await;
    c.expect_bad("a1").await;
}

#[tokio::test]
async fn login_beyond_the_per_account_session_limit_is_refused() {
    let f = fixture_with_sessions(1).await;
    let _first = f.login().await;
    let mut second = f.connect().await;
    second.send(&format!("a1 LOGIN {USER} {PASSWORD}")).await;
    second.expect_code("a1", "LIMIT").await;
}

#[tokio::test]
async fn logout_says_bye_then_ok_then_closes() {
    let f = fixture().await;
    let mut c = f.connect().await;
    c.send("a1 LOGOUT").await;
    let t = c.expect_ok("a1").await;
    assert_eq!(t.untagged, vec!["* BYE postamt logging out"]);
    assert!(c.closed().await);
}

#[tokio::test]
async fn enable_lists_only_what_it_newly_enabled() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 ENABLE CONDSTORE X-UNKNOWN").await;
    let t = c.expect_ok("a1").await;
    assert_eq!(t.untagged, vec!["* ENABLED CONDSTORE"]);
    c.send("a2 ENABLE CONDSTORE").await;
    let t = c.expect_ok("a2").await;
    assert_eq!(t.untagged, vec!["* ENABLED"]);
}

#[tokio::test]
async fn id_names_the_server_and_namespace_is_personal_only() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 ID (\"name\" \"test\")").await;
    let t = c.expect_ok("a1").await;
    assert!(t.untagged[0].starts_with("* ID (\"name\" \"postamt\" \"version\" "));
    c.send("a2 NAMESPACE").await;
    let t = c.expect_ok("a2").await;
    assert_eq!(t.untagged, vec!["* NAMESPACE ((\"\" \"/\")) NIL NIL"]);
}
