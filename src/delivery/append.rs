//! The pipeline's last step: the spooled message, with the trace fields of
//! this delivery on top, streamed into the store and appended in one go.

use std::path::Path;

use super::body::write_message;
use crate::store::{
    AccountId, Flags, MailboxName, MessageSource, NewMessage, QuotaLimit, Store, StoreError,
};

/// One append into one account.
pub(super) struct AppendJob<'a> {
    pub account: AccountId,
    pub folder: &'a MailboxName,
    pub flags: Flags,
    /// Header fields written before the message's own.
    pub prefix: &'a str,
    /// The message's header section as a stage rewrote it.
    pub header: Option<&'a [u8]>,
    pub message: &'a Path,
    /// The store skips a message whose delivery id it has already stored.
    pub delivery_id: String,
    pub quota: Option<QuotaLimit>,
}

/// Streams and appends; a message never sits in memory whole.
pub(super) async fn append(store: &Store, job: AppendJob<'_>) -> Result<(), StoreError> {
    let mut staged = store.stage(job.account).await?;
    write_message(&mut staged, job.prefix.as_bytes(), job.header, job.message).await?;
    let staged = staged.finish().await?;
    let message = NewMessage {
        source: MessageSource::Staged(staged),
        flags: job.flags,
        internal_date: None,
        delivery_id: Some(job.delivery_id),
    };
    store
        .append(job.account, job.folder, vec![message], job.quota)
        .await?;
    Ok(())
}
