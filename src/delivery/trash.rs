//! The user's Trash: purged oldest first when a delivery does not fit the
//! quota, and emptied of messages older than `trash_retention` by a
//! periodic task.
//!
//! "Oldest" is when a message entered Trash, which the store does not keep
//! as a time: UIDs are given in the order messages arrive in a mailbox
//! (RFC 9051 §2.3.1.1), so UID order is entry order, and the expiry task
//! records the Trash's UIDNEXT each pass (a watermark in delivery.db):
//! every UID below a watermark taken at T had entered Trash by T. A
//! message is expunged once a watermark at least the retention old covers
//! it: never early, at most one pass late. Internal dates would not do:
//! moving a year-old message to Trash keeps its date, and it would vanish
//! within the hour.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::settings::DeliverySettings;
use super::state::{DeliveryState, TrashMark};
use crate::auth::Directory;
use crate::queue::now_ms;
use crate::store::{
    AccountId, FlagOp, Flags, MailboxInfo, QuotaLimit, SpecialUse, Store, StoreError, SystemFlag,
    Uid,
};

/// How often the expiry task runs.
const PASS_INTERVAL: Duration = Duration::from_secs(3600);

/// The account's Trash: the `\Trash` special-use mailbox, else one named
/// Trash.
async fn find_trash(store: &Store, account: AccountId) -> Result<Option<MailboxInfo>, StoreError> {
    let mailboxes = store.list_mailboxes(account).await?;
    let by_use = mailboxes
        .iter()
        .position(|m| m.special_use == Some(SpecialUse::Trash));
    let by_name = || {
        mailboxes
            .iter()
            .position(|m| m.name.as_str().eq_ignore_ascii_case("Trash"))
    };
    Ok(by_use
        .or_else(by_name)
        .and_then(|i| mailboxes.into_iter().nth(i)))
}

/// Octets a delivery could free by purging Trash ([`make_room`]): what an
/// admission check may count as free besides the quota's headroom.
pub async fn reclaimable_bytes(store: &Store, account: AccountId) -> Result<u64, StoreError> {
    Ok(find_trash(store, account)
        .await?
        .map_or(0, |trash| trash.status.size))
}

/// Expunges `uids` from the mailbox: `\Deleted` first, as the store's
/// expunge (RFC 9051 §6.4.3) takes only flagged messages.
async fn expunge(
    store: &Store,
    account: AccountId,
    trash: &MailboxInfo,
    uids: Vec<Uid>,
) -> Result<usize, StoreError> {
    if uids.is_empty() {
        return Ok(0);
    }
    let deleted = Flags::new().with(SystemFlag::Deleted);
    store
        .store_flags(account, trash.id, uids.clone(), FlagOp::Add, deleted, None)
        .await?;
    Ok(store.expunge(account, trash.id, Some(uids)).await?.len())
}

/// Purges Trash oldest first until `incoming` more octets fit under
/// `quota`, or Trash is empty. Logs what went: count and bytes.
pub(super) async fn make_room(
    store: &Store,
    account: AccountId,
    incoming: u64,
    quota: &QuotaLimit,
) -> Result<(), StoreError> {
    let Some(limit) = quota.max_bytes else {
        return Ok(());
    };
    let Some(trash) = find_trash(store, account).await? else {
        return Ok(());
    };
    let usage = store.quota_usage(account).await?;
    let needed = (usage.bytes + incoming).saturating_sub(limit);
    if needed == 0 {
        return Ok(());
    }
    let mut snapshot = store.snapshot(account, trash.id).await?;
    snapshot.messages.sort_by_key(|m| m.uid);
    let mut freed = 0u64;
    let mut victims = Vec::new();
    for message in snapshot.messages {
        if freed >= needed {
            break;
        }
        freed += message.size;
        victims.push(message.uid);
    }
    let count = expunge(store, account, &trash, victims).await?;
    tracing::info!(
        count,
        bytes = freed,
        "purged Trash to make room under the quota"
    );
    Ok(())
}

/// Expunges messages that have been in Trash longer than the retention.
pub struct TrashExpiry;

impl TrashExpiry {
    /// Runs a pass now and then every hour until `shutdown`: Trash expiry
    /// (unless the retention is off) and forgetting vacation replies past
    /// their retention. The lead wires it in `serve`.
    pub fn spawn(
        store: Store,
        directory: Arc<Directory>,
        state: Arc<DeliveryState>,
        settings: DeliverySettings,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> JoinHandle<()> {
        tokio::spawn(async move {
            let passes = async {
                let mut interval = tokio::time::interval(PASS_INTERVAL);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    interval.tick().await;
                    let now = now_ms();
                    if let Some(retention) = settings.trash_retention {
                        Self::pass(&store, &directory, &state, retention, now).await;
                    }
                    forget(&state, &settings, now).await;
                }
            };
            tokio::select! {
                () = passes => {}
                () = shutdown => {}
            }
        })
    }

    /// One pass over every account as of `now_ms`: records each Trash's
    /// watermark and expunges what an old enough watermark covers. Errors
    /// are logged per account; the others go on.
    pub async fn pass(
        store: &Store,
        directory: &Arc<Directory>,
        state: &Arc<DeliveryState>,
        retention: Duration,
        now_ms: i64,
    ) {
        let listing = directory.clone();
        let users = match tokio::task::spawn_blocking(move || listing.list_users()).await {
            Ok(Ok(users)) => users,
            Ok(Err(error)) => {
                tracing::warn!(%error, "trash expiry: cannot list accounts");
                return;
            }
            Err(_) => return,
        };
        for user in users {
            if let Err(error) = Self::expire(store, state, user.id, retention, now_ms).await {
                tracing::warn!(account = user.id.0, %error, "trash expiry failed");
            }
        }
    }

    async fn expire(
        store: &Store,
        state: &Arc<DeliveryState>,
        account: AccountId,
        retention: Duration,
        now_ms: i64,
    ) -> Result<(), ExpiryError> {
        let trash = match find_trash(store, account).await {
            Ok(Some(trash)) => trash,
            Ok(None) | Err(StoreError::NoAccount(_)) => return Ok(()),
            Err(error) => return Err(error.into()),
        };
        let snapshot = store.snapshot(account, trash.id).await?;
        let uid_validity = snapshot.uid_validity.0;
        let mark = TrashMark {
            uid_validity,
            uid_next: snapshot.uid_next.0,
            at_ms: now_ms,
        };
        let cutoff =
            now_ms.saturating_sub(i64::try_from(retention.as_millis()).unwrap_or(i64::MAX));
        let marks = state.clone();
        let old = tokio::task::spawn_blocking(move || {
            marks.add_trash_mark(account, mark)?;
            marks.trash_mark_before(account, uid_validity, cutoff)
        })
        .await
        .map_err(|_| ExpiryError::TaskFailed)??;
        let Some(old) = old else {
            return Ok(());
        };
        let victims: Vec<Uid> = snapshot
            .messages
            .iter()
            .filter(|m| m.uid.0 < old.uid_next)
            .map(|m| m.uid)
            .collect();
        let bytes: u64 = snapshot
            .messages
            .iter()
            .filter(|m| m.uid.0 < old.uid_next)
            .map(|m| m.size)
            .sum();
        let count = expunge(store, account, &trash, victims).await?;
        if count > 0 {
            tracing::info!(
                account = account.0,
                count,
                bytes,
                "expired old messages from Trash"
            );
        }
        Ok(())
    }
}

/// Drops vacation replies past their retention.
async fn forget(state: &Arc<DeliveryState>, settings: &DeliverySettings, now: i64) {
    let age = i64::try_from(settings.vacation_retention.as_millis()).unwrap_or(i64::MAX);
    let before = now.saturating_sub(age);
    let state = state.clone();
    match tokio::task::spawn_blocking(move || state.forget_replies_before(before)).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(%error, "cannot forget old vacation replies"),
        Err(_) => tracing::warn!("delivery state task failed"),
    }
}

/// One account's expiry could not be done.
#[derive(Debug, thiserror::Error)]
enum ExpiryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    State(#[from] super::state::StateError),
    #[error("delivery state task failed")]
    TaskFailed,
}
