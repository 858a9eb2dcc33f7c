//! Evaluating `duplicate` (RFC 7352 §3): the ID the test names, looked up
//! through the environment, and noted in the outcome so the caller tracks
//! it only once the scripts succeeded (§3.1). The same ID tested again in
//! one delivery gets the same answer.

use super::super::outcome::DuplicateMark;
use super::super::script::DuplicateId;
use super::Run;

impl Run<'_, '_> {
    pub(super) fn duplicate(
        &mut self,
        handle: Option<&str>,
        id: &DuplicateId,
        seconds: Option<u64>,
        last: bool,
    ) -> bool {
        let handle = handle.map(|h| self.text(h)).unwrap_or_default();
        let field = |name: &str| self.message.header_values(name).into_iter().next();
        let id = match id {
            DuplicateId::MessageId => field("message-id"),
            DuplicateId::Header(name) => field(&self.text(name)),
            DuplicateId::UniqueId(value) => Some(self.text(value)),
        };
        // §3.2: no such field, nothing to compare: not a duplicate.
        let Some(id) = id else {
            return false;
        };
        if let Some(mark) = self
            .outcome
            .duplicates
            .iter()
            .find(|m| m.handle == handle && m.id == id)
        {
            return mark.seen;
        }
        let limits = self.input.limits;
        let seen = self.input.environment.duplicate_seen(&handle, &id);
        self.outcome.duplicates.push(DuplicateMark {
            handle,
            id,
            seen,
            seconds: seconds
                .unwrap_or(limits.duplicate_default_seconds)
                .min(limits.duplicate_max_seconds),
            last,
        });
        seen
    }
}
