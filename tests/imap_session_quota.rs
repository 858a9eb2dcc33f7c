//! QUOTA (RFC 9208): the account's quota root, STORAGE usage and limit in
//! KiB, APPEND refused with OVERQUOTA, and STATUS DELETED-STORAGE.

mod imap_session_support;

use imap_session_support::{USER, fixture, message};

#[tokio::test]
async fn a_user_with_a_quota_has_one_root_with_storage() {
    let f = fixture().await;
    f.directory.set_quota(USER, Some(10 * 1024 * 1024)).unwrap();
    f.deliver("INBOX", &[&vec![b'x'; 4096]]).await;
    let mut c = f.login().await;
    c.send("a1 GETQUOTAROOT INBOX").await;
    assert_eq!(
        c.expect_ok("a1").await.untagged,
        vec!["* QUOTAROOT INBOX \"\"", "* QUOTA \"\" (STORAGE 4 10240)"]
    );
    c.send("a2 GETQUOTA \"\"").await;
    assert_eq!(
        c.expect_ok("a2").await.untagged,
        vec!["* QUOTA \"\" (STORAGE 4 10240)"]
    );
}

#[tokio::test]
async fn without_a_quota_there_is_no_root() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 GETQUOTAROOT INBOX").await;
    assert_eq!(c.expect_ok("a1").await.untagged, vec!["* QUOTAROOT INBOX"]);
    c.send("a2 GETQUOTA \"\"").await;
    c.expect_code("a2", "NONEXISTENT").await;
    c.send("a3 GETQUOTAROOT Nowhere").await;
    c.expect_code("a3", "NONEXISTENT").await;
}

#[tokio::test]
async fn append_over_the_quota_is_refused_with_overquota() {
    let f = fixture().await;
    f.directory.set_quota(USER, Some(1024)).unwrap();
    let mut c = f.login().await;
    let big = "y".repeat(2000);
    c.send(&format!("a1 APPEND INBOX {{{}+}}\r\n{big}", big.len()))
        .await;
    c.expect_code("a1", "OVERQUOTA").await;
    c.send("a2 STATUS INBOX (MESSAGES)").await;
    assert_eq!(
        c.expect_ok("a2").await.untagged,
        vec!["* STATUS INBOX (MESSAGES 0)"]
    );
}

#[tokio::test]
async fn status_deleted_storage_counts_the_octets_expunge_would_free() {
    let f = fixture().await;
    let (one, two) = (message(1), message(2));
    f.deliver("INBOX", &[&one, &two]).await;
    let mut c = f.select("INBOX").await;
    c.send("a1 STORE 2 +FLAGS.SILENT (\\Deleted)").await;
    c.expect_ok("a1").await;
    c.send("a2 STATUS INBOX (DELETED DELETED-STORAGE)").await;
    assert_eq!(
        c.expect_ok("a2").await.untagged,
        vec![format!(
            "* STATUS INBOX (DELETED 1 DELETED-STORAGE {})",
            two.len()
        )]
    );
}
