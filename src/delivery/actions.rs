//! What the pipeline needs to act beyond the user's own mailbox: the spool
//! (forwards and automatic replies are queued like any message), its own
//! state (vacation replies sent, Trash watermarks), SRS, DKIM signing of
//! replies and the `[delivery]` settings. Built once at start-up.

use std::path::Path;
use std::sync::Arc;

use super::settings::DeliverySettings;
use super::srs::{Srs, SrsError};
use super::state::{DeliveryState, StateError};
use crate::dkim::DkimSigner;
use crate::queue::Spool;

/// The delivery actions could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ActionsError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Srs(#[from] SrsError),
}

/// Forwarding, automatic replies and their state.
#[derive(Debug)]
pub struct DeliveryActions {
    pub(super) spool: Arc<Spool>,
    pub(super) state: Arc<DeliveryState>,
    /// `None` when `[delivery] srs` is off.
    pub(super) srs: Option<Srs>,
    pub(super) settings: DeliverySettings,
    /// Signs automatic replies from the user's own domains.
    pub(super) dkim: Option<Arc<DkimSigner>>,
}

impl DeliveryActions {
    /// Opens `delivery.db` and (with SRS on) the SRS secret under
    /// `data_dir`. Blocking: call it at start-up.
    pub fn open(
        data_dir: &Path,
        spool: Arc<Spool>,
        settings: DeliverySettings,
    ) -> Result<DeliveryActions, ActionsError> {
        let state = Arc::new(DeliveryState::open(data_dir)?);
        let srs = if settings.srs {
            Some(Srs::open(data_dir, &settings.hostname)?)
        } else {
            None
        };
        Ok(DeliveryActions {
            spool,
            state,
            srs,
            settings,
            dkim: None,
        })
    }

    /// Signs automatic replies with DKIM, as submission signs mail.
    pub fn with_dkim(self, signer: Arc<DkimSigner>) -> Self {
        Self {
            dkim: Some(signer),
            ..self
        }
    }

    /// The state database, which [`TrashExpiry`](super::TrashExpiry) shares.
    pub fn state(&self) -> &Arc<DeliveryState> {
        &self.state
    }

    pub fn settings(&self) -> &DeliverySettings {
        &self.settings
    }

    /// The original sender behind an SRS address of ours, when `address`
    /// is one with a valid hash and a fresh stamp: a bounce of a forward
    /// comes back to it and goes on to that sender.
    pub fn srs_reverse(&self, address: &str) -> Option<String> {
        self.srs
            .as_ref()
            .and_then(|srs| srs.reverse(address, now_secs()))
    }
}

pub(super) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
