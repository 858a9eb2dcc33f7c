//! The Sieve stage over a real store and an in-memory script store: what
//! the scripts decide lands in the disposition and the verdict.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use postamt::auth::Address;
use postamt::delivery::{
    DeliveryInfo, DeliveryState, Disposition, IncludeLocation, ScriptKind, ScriptStore,
    ScriptStoreError, SpamVerdict, Stage, StoredScript, Verdict,
};
use postamt::queue::{QueueId, ReversePath};
use postamt::sieve::{Limits, SieveStage};
use postamt::store::{AccountId, Keyword, MailboxName, Store, SystemFlag};

const ACCOUNT: AccountId = AccountId(1);
const MESSAGE: &str = "Received: from mx.example.org ([192.0.2.5])\r\n\tby mx.example.net with ESMTP id 1; Tue, 24 Nov 2026 09:30:00 +0000\r\nFrom: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: [dev] Hello\r\n\r\nHi Bob.\r\n";

/// Each account's scripts, and the personal scripts `include` finds.
#[derive(Default)]
struct Scripts(
    Mutex<HashMap<AccountId, Vec<StoredScript>>>,
    HashMap<String, String>,
);

impl Scripts {
    fn with(scripts: &[(ScriptKind, &str)]) -> Arc<Self> {
        let stored = scripts
            .iter()
            .map(|(kind, source)| StoredScript {
                kind: *kind,
                name: format!("{kind:?}"),
                source: (*source).to_owned(),
            })
            .collect();
        let mut store = Self::default();
        store.0.lock().unwrap().insert(ACCOUNT, stored);
        store.1.insert(
            "lists".to_owned(),
            "require \"fileinto\";\nfileinto \"Lists\";".to_owned(),
        );
        Arc::new(store)
    }
}

impl ScriptStore for Scripts {
    fn scripts_for(&self, account: AccountId) -> Result<Vec<StoredScript>, ScriptStoreError> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .get(&account)
            .cloned()
            .unwrap_or_default())
    }

    fn include(
        &self,
        account: AccountId,
        location: IncludeLocation,
        name: &str,
    ) -> Result<Option<String>, ScriptStoreError> {
        if account != ACCOUNT || location != IncludeLocation::Personal {
            return Ok(None);
        }
        Ok(self.1.get(name).cloned())
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    message: std::path::PathBuf,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_maildir(dir.path().join("data"));
    store.create_account(ACCOUNT).await.unwrap();
    store
        .create_mailbox(ACCOUNT, &MailboxName::new("Lists").unwrap(), None)
        .await
        .unwrap();
    let message = dir.path().join("message.eml");
    std::fs::write(&message, MESSAGE).unwrap();
    Fixture {
        _dir: dir,
        store,
        message,
    }
}

/// Runs the stage for bob with `scripts`, starting from `disposition`.
async fn deliver(
    scripts: &[(ScriptKind, &str)],
    disposition: Disposition,
) -> (Verdict, Disposition) {
    deliver_as(scripts, disposition, QueueId(7), None).await
}

/// [`deliver`] as the message with `queue_id`, tracking `duplicate` IDs in
/// `duplicates` when given.
async fn deliver_as(
    scripts: &[(ScriptKind, &str)],
    mut disposition: Disposition,
    queue_id: QueueId,
    duplicates: Option<Arc<DeliveryState>>,
) -> (Verdict, Disposition) {
    let fixture = fixture().await;
    let mut stage = SieveStage::new(
        Scripts::with(scripts),
        fixture.store.clone(),
        Limits::default(),
    )
    .with_host_name("mx.example.net");
    if let Some(state) = duplicates {
        stage = stage.with_duplicates(state);
    }
    let sender = ReversePath::Address("alice@example.org".into());
    let login = Address::parse("bob@example.net").unwrap();
    let info = DeliveryInfo {
        queue_id,
        sender: &sender,
        recipient: "bob+lists@example.net",
        account: ACCOUNT,
        login: &login,
        detail: Some("lists"),
        message: &fixture.message,
        size: MESSAGE.len() as u64,
    };
    let verdict = stage.run(&info, &mut disposition).await.unwrap();
    (verdict, disposition)
}

async fn personal(source: &str) -> (Verdict, Disposition) {
    deliver(&[(ScriptKind::Personal, source)], Disposition::default()).await
}

#[tokio::test]
async fn no_scripts_leaves_the_disposition_alone() {
    let (verdict, disposition) = deliver(&[], Disposition::default()).await;
    assert_eq!(verdict, Verdict::Continue);
    assert_eq!(disposition, Disposition::default());
}

#[tokio::test]
async fn environment_reports_the_server_host_and_its_domain() {
    let (_, disposition) = personal(
        "require [\"environment\", \"fileinto\"];\n\
         if allof (environment :is \"host\" \"mx.example.net\", environment :is \"domain\" \"example.net\") { fileinto \"Lists\"; }",
    )
    .await;
    assert_eq!(disposition.copies.len(), 1);
    assert!(!disposition.keep);
}

#[tokio::test]
async fn environment_reports_the_client_address_our_received_field_recorded() {
    let (_, disposition) = personal(
        "require [\"environment\", \"fileinto\"];\n\
         if environment :is \"remote-ip\" \"192.0.2.5\" { fileinto \"Lists\"; }",
    )
    .await;
    assert_eq!(disposition.copies.len(), 1);
    assert!(!disposition.keep);
}

#[tokio::test]
async fn include_runs_a_stored_personal_script() {
    let (_, disposition) = personal("require \"include\";\ninclude \"lists\";").await;
    assert!(!disposition.keep);
    assert_eq!(disposition.copies.len(), 1);
    assert_eq!(disposition.copies[0].folder.as_str(), "Lists");
}

#[tokio::test]
async fn a_missing_include_keeps_the_message_and_drops_the_scripts_actions() {
    let (verdict, disposition) =
        personal("require [\"include\", \"fileinto\"];\nfileinto \"Lists\";\ninclude \"missing\";")
            .await;
    assert_eq!(verdict, Verdict::Continue);
    assert!(disposition.keep);
    assert!(disposition.copies.is_empty());
}

const DISCARD_DUPLICATES: &str =
    "require \"duplicate\";\nif duplicate :header \"subject\" { discard; }";

#[tokio::test]
async fn duplicate_discards_a_second_message_but_not_a_retry_of_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let state = Arc::new(DeliveryState::open(dir.path()).unwrap());
    let scripts = [(ScriptKind::Personal, DISCARD_DUPLICATES)];
    let once = |queue_id| {
        deliver_as(
            &scripts,
            Disposition::default(),
            queue_id,
            Some(Arc::clone(&state)),
        )
    };
    assert_eq!(once(QueueId(1)).await.0, Verdict::Continue);
    assert_eq!(once(QueueId(1)).await.0, Verdict::Continue);
    assert_eq!(once(QueueId(2)).await.0, Verdict::Discard);
}

#[tokio::test]
async fn duplicate_tracks_nothing_when_a_script_fails() {
    let dir = tempfile::tempdir().unwrap();
    let state = Arc::new(DeliveryState::open(dir.path()).unwrap());
    let failing = [
        (ScriptKind::Personal, DISCARD_DUPLICATES),
        (
            ScriptKind::AdminAfter,
            "require \"include\";\ninclude \"missing\";",
        ),
    ];
    let (verdict, _) = deliver_as(
        &failing,
        Disposition::default(),
        QueueId(1),
        Some(Arc::clone(&state)),
    )
    .await;
    assert_eq!(verdict, Verdict::Continue);
    let (verdict, _) = deliver_as(
        &[(ScriptKind::Personal, DISCARD_DUPLICATES)],
        Disposition::default(),
        QueueId(2),
        Some(state),
    )
    .await;
    assert_eq!(verdict, Verdict::Continue);
}

#[tokio::test]
async fn fileinto_a_folder_cancels_the_keep() {
    let (verdict, disposition) = personal(
        "require \"fileinto\";\nif header :contains \"subject\" \"[dev]\" { fileinto \"Lists\"; }",
    )
    .await;
    assert_eq!(verdict, Verdict::Continue);
    assert!(!disposition.keep);
    assert_eq!(disposition.copies.len(), 1);
    assert_eq!(disposition.copies[0].folder.as_str(), "Lists");
    assert!(!disposition.copies[0].create);
}

#[tokio::test]
async fn addflag_flags_the_implicit_keep() {
    let (_, disposition) =
        personal("require \"imap4flags\";\naddflag [\"\\\\Seen\", \"$Work\"];").await;
    assert!(disposition.keep);
    assert!(disposition.flags.contains(SystemFlag::Seen));
    assert!(
        disposition
            .flags
            .has_keyword(&Keyword::new("$Work").unwrap())
    );
}

#[tokio::test]
async fn discard_alone_discards() {
    let (verdict, disposition) = personal("discard;").await;
    assert_eq!(verdict, Verdict::Discard);
    assert!(!disposition.keep);
}

#[tokio::test]
async fn reject_rejects_with_the_reason() {
    let (verdict, _) = personal("require \"reject\";\nreject \"not here\";").await;
    assert_eq!(
        verdict,
        Verdict::Reject {
            reason: "not here".into()
        }
    );
}

#[tokio::test]
async fn vacation_fills_the_auto_reply() {
    let (verdict, disposition) = personal(
        "require \"vacation\";\nvacation :days 2 :subject \"Away\" :handle \"ooo\" \"Back soon.\";",
    )
    .await;
    assert_eq!(verdict, Verdict::Continue);
    let reply = disposition.auto_reply.unwrap();
    assert_eq!(reply.subject.as_deref(), Some("Away"));
    assert_eq!(reply.body, "Back soon.");
    assert_eq!(reply.period, Duration::from_secs(2 * 86_400));
    assert_eq!(reply.handle, "ooo");
    assert!(disposition.keep);
}

#[tokio::test]
async fn redirect_forwards_and_cancels_the_keep() {
    let (_, disposition) = personal("redirect \"carol@example.com\";").await;
    assert_eq!(disposition.redirects, vec!["carol@example.com".to_owned()]);
    assert!(!disposition.keep);
}

#[tokio::test]
async fn a_broken_script_keeps() {
    let (verdict, disposition) = deliver(
        &[(
            ScriptKind::Personal,
            "if header :is \"subject\" { discard; }",
        )],
        Disposition::default(),
    )
    .await;
    assert_eq!(verdict, Verdict::Continue);
    assert!(disposition.keep);
    assert!(disposition.copies.is_empty());
}

#[tokio::test]
async fn a_runtime_error_drops_that_scripts_actions_and_keeps() {
    let (verdict, disposition) =
        personal("require [\"reject\", \"fileinto\"];\nfileinto \"Lists\";\nreject \"no\";").await;
    assert_eq!(verdict, Verdict::Continue);
    assert!(disposition.keep);
    assert!(disposition.copies.is_empty());
}

#[tokio::test]
async fn admin_before_runs_first_and_its_discard_ends_the_chain() {
    let (verdict, disposition) = deliver(
        &[
            (
                ScriptKind::AdminBefore,
                "if header :contains \"subject\" \"[dev]\" { discard; }",
            ),
            (ScriptKind::Personal, "redirect \"carol@example.com\";"),
        ],
        Disposition::default(),
    )
    .await;
    assert_eq!(verdict, Verdict::Discard);
    assert!(disposition.redirects.is_empty());
}

#[tokio::test]
async fn stop_in_admin_before_does_not_end_the_personal_script() {
    let (_, disposition) = deliver(
        &[
            (
                ScriptKind::AdminBefore,
                "require \"imap4flags\";\naddflag \"$Checked\";\nstop;",
            ),
            (
                ScriptKind::Personal,
                "require \"fileinto\";\nfileinto \"Lists\";",
            ),
        ],
        Disposition::default(),
    )
    .await;
    assert_eq!(disposition.copies.len(), 1);
    assert!(
        disposition.copies[0]
            .flags
            .has_keyword(&Keyword::new("$Checked").unwrap())
    );
}

#[tokio::test]
async fn spamtest_reads_the_anti_spam_verdict() {
    let script = "require [\"spamtest\", \"fileinto\", \"relational\", \"comparator-i;ascii-numeric\"];\n\
                  if spamtest :value \"ge\" :comparator \"i;ascii-numeric\" \"6\" { fileinto \"Junk\"; }";
    let spam = Disposition {
        spam: Some(SpamVerdict {
            score: 9.0,
            is_spam: true,
            spamtest: 8,
            percent: 80,
        }),
        ..Disposition::default()
    };
    let (_, filed) = deliver(&[(ScriptKind::Personal, script)], spam).await;
    assert_eq!(filed.copies[0].folder.as_str(), "Junk");
    let (_, untested) = deliver(&[(ScriptKind::Personal, script)], Disposition::default()).await;
    assert!(untested.copies.is_empty());
}

#[tokio::test]
async fn mailboxexists_asks_the_store() {
    let (_, disposition) = personal(
        "require [\"mailbox\", \"fileinto\"];\n\
         if mailboxexists \"Lists\" { fileinto \"Lists\"; }\n\
         if not mailboxexists \"Nope\" { fileinto :create \"Nope\"; }",
    )
    .await;
    let filed: Vec<(&str, bool)> = disposition
        .copies
        .iter()
        .map(|c| (c.folder.as_str(), c.create))
        .collect();
    assert_eq!(filed, vec![("Lists", false), ("Nope", true)]);
}

#[tokio::test]
async fn envelope_detail_comes_from_the_delivery() {
    let (_, disposition) = personal(
        "require [\"envelope\", \"subaddress\", \"fileinto\"];\nif envelope :detail \"to\" \"lists\" { fileinto \"Lists\"; }",
    )
    .await;
    assert_eq!(disposition.copies.len(), 1);
}

#[tokio::test]
async fn editheader_rewrites_the_header_but_keeps_received() {
    let (_, disposition) = personal(
        "require \"editheader\";\ndeleteheader \"subject\";\ndeleteheader \"received\";\naddheader \"X-Sieve\" \"seen\";",
    )
    .await;
    let header = String::from_utf8(disposition.rewritten_header.unwrap()).unwrap();
    assert_eq!(
        header,
        "X-Sieve: seen\r\nReceived: from mx.example.org ([192.0.2.5])\r\n\tby mx.example.net with ESMTP id 1; Tue, 24 Nov 2026 09:30:00 +0000\r\nFrom: Alice <alice@example.org>\r\nTo: bob@example.net\r\n\r\n"
    );
}
