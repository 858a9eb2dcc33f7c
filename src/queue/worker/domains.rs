//! The per-destination concurrency limit: one semaphore per remote domain,
//! forgotten again when no attempt holds it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub(super) struct DomainLimits {
    per_domain: usize,
    semaphores: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl DomainLimits {
    pub(super) fn new(per_domain: usize) -> Self {
        Self {
            per_domain: per_domain.max(1),
            semaphores: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a slot for `domain`.
    pub(super) async fn acquire(&self, domain: &str) -> Option<OwnedSemaphorePermit> {
        let semaphore = {
            let mut semaphores = self
                .semaphores
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Only the map holds an idle domain's semaphore: drop those, so
            // the map stays as small as the set of busy destinations.
            semaphores.retain(|_, s| Arc::strong_count(s) > 1);
            semaphores
                .entry(domain.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_domain)))
                .clone()
        };
        semaphore.acquire_owned().await.ok()
    }
}
