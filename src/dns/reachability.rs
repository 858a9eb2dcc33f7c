//! Whether the resolvers answer at all, learnt from the lookups of the
//! messages under way. The resolvers count as unreachable when a message's
//! lookups have waited a query timeout without any lookup of any message
//! getting an answer meanwhile, or when a few messages in a row ran out of
//! their budget. Then lookups are skipped for a pause (each message goes on
//! at once with temporary errors that score nothing), the lookups still
//! waiting end at once, and after the pause one message probes the
//! resolvers while the others keep skipping. A dead resolver thus costs the
//! messages under way one query timeout, not every message its budget.
//!
//! Like a load balancer's passive health check (rspamd marks a DNS upstream
//! failed the same way), it judges by timeouts only: a quick SERVFAIL for
//! one broken domain is an answer and pauses nothing.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// Messages in a row whose lookups found no resolver answering before the
/// lookups are paused: one slow domain must not pause everyone's.
const UNANSWERED_BEFORE_PAUSE: u32 = 3;

/// The resolvers' state as the last messages found it.
pub struct Reachability {
    state: Mutex<State>,
    pause: Duration,
    /// When a lookup last got an answer within a query timeout.
    last_answer: Mutex<Option<Instant>>,
    /// Bumped when lookups pause: the windows under way stop waiting.
    paused: watch::Sender<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Lookups run; `unanswered` messages in a row found no answer.
    Answering { unanswered: u32 },
    /// Lookups are skipped until then.
    Paused { until: Instant },
    /// One message is finding out whether the pause can end.
    Probing,
}

impl Reachability {
    pub fn new(pause: Duration) -> Self {
        Self {
            state: Mutex::new(State::Answering { unanswered: 0 }),
            pause,
            last_answer: Mutex::new(None),
            paused: watch::Sender::new(0),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A window for one message's lookups ending after `budget`, or `None`
    /// while lookups are skipped.
    pub(super) fn admit(
        &self,
        budget: Duration,
        query_timeout: Duration,
    ) -> Option<MessageLookups<'_>> {
        let now = Instant::now();
        let mut state = self.state();
        let probe = match *state {
            State::Answering { .. } => false,
            State::Paused { until } if now >= until => {
                *state = State::Probing;
                true
            }
            State::Paused { .. } | State::Probing => return None,
        };
        Some(MessageLookups {
            reachability: self,
            started: now,
            deadline: now + budget,
            query_timeout,
            probe,
            timed_out: false,
            recorded: false,
        })
    }

    fn answered(&self) {
        *self.last_answer.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }

    /// Whether no lookup got an answer since `since`.
    fn silent_since(&self, since: Instant) -> bool {
        self.last_answer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none_or(|at| at < since)
    }

    /// Pauses lookups now (unless they are already) and ends the waiting
    /// ones.
    fn declare_unreachable(&self) {
        let mut state = self.state();
        if matches!(*state, State::Paused { .. }) {
            return;
        }
        let before = *state;
        let after = self.paused();
        *state = after;
        drop(state);
        self.log_change(before, after);
        self.paused.send_modify(|n| *n += 1);
    }

    fn record(&self, answered: bool, probe: bool) {
        let mut state = self.state();
        let before = *state;
        *state = match (answered, before) {
            (true, _) => State::Answering { unanswered: 0 },
            (false, _) if probe => self.paused(),
            (false, State::Answering { unanswered }) => {
                let unanswered = unanswered + 1;
                if unanswered >= UNANSWERED_BEFORE_PAUSE {
                    self.paused()
                } else {
                    State::Answering { unanswered }
                }
            }
            (false, other) => other,
        };
        let after = *state;
        drop(state);
        self.log_change(before, after);
    }

    fn log_change(&self, before: State, after: State) {
        match (before, after) {
            (State::Answering { .. }, State::Paused { .. }) => tracing::warn!(
                pause_seconds = self.pause.as_secs(),
                "DNS resolvers do not answer: lookups skipped (SPF, DKIM, DMARC and blocklists \
                 count as temporary errors) until a probe gets an answer"
            ),
            (State::Probing, State::Answering { .. }) => {
                tracing::info!("DNS resolvers answer again: lookups resumed");
            }
            _ => {}
        }
    }

    fn paused(&self) -> State {
        State::Paused {
            until: Instant::now() + self.pause,
        }
    }
}

/// The DNS time one message has left, and its report of how it went.
/// Dropped without [`MessageLookups::finish`] (the message's task ended
/// early), it reports nothing, except that a probe counts as unanswered so
/// the next pause ends with another probe.
pub struct MessageLookups<'a> {
    reachability: &'a Reachability,
    started: Instant,
    deadline: Instant,
    query_timeout: Duration,
    probe: bool,
    timed_out: bool,
    recorded: bool,
}

impl MessageLookups<'_> {
    /// Runs `lookups` until the message's budget is spent or the resolvers
    /// are found unreachable: `None` then (the lookups are dropped, their
    /// answers would come too late).
    pub async fn run<T>(&mut self, lookups: impl Future<Output = T>) -> Option<T> {
        if self.timed_out {
            return None;
        }
        let began = Instant::now();
        let mut lookups = std::pin::pin!(lookups);
        let mut paused = self.reachability.paused.subscribe();
        let silence = self.started + self.query_timeout;
        let mut watching = true;
        loop {
            tokio::select! {
                answer = &mut lookups => {
                    if began.elapsed() < self.query_timeout {
                        self.reachability.answered();
                    }
                    return Some(answer);
                }
                () = tokio::time::sleep_until(self.deadline) => break,
                Ok(()) = paused.changed() => break,
                () = tokio::time::sleep_until(silence), if watching => {
                    watching = false;
                    if self.reachability.silent_since(self.started) {
                        self.reachability.declare_unreachable();
                        break;
                    }
                }
            }
        }
        self.timed_out = true;
        None
    }

    /// Whether the budget ran out in [`MessageLookups::run`].
    pub fn timed_out(&self) -> bool {
        self.timed_out
    }

    /// Reports the message's lookups: `temporary_errors` when some result
    /// was a temporary DNS failure. Unanswered means the budget ran out, or
    /// temporary failures after at least one query's timeout (a resolver
    /// that timed out without using the whole budget).
    pub fn finish(mut self, temporary_errors: bool) {
        let slow = self.started.elapsed() >= self.query_timeout;
        let unanswered = self.timed_out || (temporary_errors && slow);
        self.reachability.record(!unanswered, self.probe);
        self.recorded = true;
    }
}

impl Drop for MessageLookups<'_> {
    fn drop(&mut self) {
        if !self.recorded && self.probe {
            self.reachability.record(false, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: Duration = Duration::from_secs(5);
    const QUERY: Duration = Duration::from_secs(2);
    const PAUSE: Duration = Duration::from_secs(30);

    /// A message whose lookups spend its whole budget while the resolvers
    /// still answer other messages' (one answer every half query timeout).
    async fn unanswered(reachability: &Reachability) {
        let mut lookups = reachability.admit(BUDGET, QUERY).expect("admitted");
        let neighbours = async {
            loop {
                tokio::time::sleep(QUERY / 2).await;
                if let Some(mut quick) = reachability.admit(BUDGET, QUERY) {
                    quick.run(async {}).await;
                }
            }
        };
        tokio::select! {
            answer = lookups.run(std::future::pending::<()>()) => assert!(answer.is_none()),
            () = neighbours => {}
        }
        lookups.finish(true);
    }

    #[tokio::test(start_paused = true)]
    async fn lookups_pause_after_three_messages_find_no_answer() {
        let reachability = Reachability::new(PAUSE);
        unanswered(&reachability).await;
        unanswered(&reachability).await;
        assert!(reachability.admit(BUDGET, QUERY).is_some());
        unanswered(&reachability).await;
        assert!(reachability.admit(BUDGET, QUERY).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_between_resets_the_count() {
        let reachability = Reachability::new(PAUSE);
        unanswered(&reachability).await;
        unanswered(&reachability).await;
        let mut lookups = reachability.admit(BUDGET, QUERY).unwrap();
        assert_eq!(lookups.run(async { 1 }).await, Some(1));
        lookups.finish(false);
        unanswered(&reachability).await;
        unanswered(&reachability).await;
        assert!(reachability.admit(BUDGET, QUERY).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn a_quick_temporary_error_is_an_answer() {
        let reachability = Reachability::new(PAUSE);
        for _ in 0..UNANSWERED_BEFORE_PAUSE {
            let mut lookups = reachability.admit(BUDGET, QUERY).unwrap();
            lookups.run(async {}).await;
            lookups.finish(true);
        }
        assert!(reachability.admit(BUDGET, QUERY).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn after_the_pause_one_message_probes_and_its_answer_resumes_lookups() {
        let reachability = Reachability::new(PAUSE);
        for _ in 0..UNANSWERED_BEFORE_PAUSE {
            unanswered(&reachability).await;
        }
        tokio::time::advance(PAUSE).await;
        let mut probe = reachability.admit(BUDGET, QUERY).expect("the probe");
        assert!(
            reachability.admit(BUDGET, QUERY).is_none(),
            "only one probe"
        );
        probe.run(async {}).await;
        probe.finish(false);
        assert!(reachability.admit(BUDGET, QUERY).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn an_unanswered_or_abandoned_probe_pauses_again() {
        let reachability = Reachability::new(PAUSE);
        for _ in 0..UNANSWERED_BEFORE_PAUSE {
            unanswered(&reachability).await;
        }
        tokio::time::advance(PAUSE).await;
        unanswered(&reachability).await;
        assert!(reachability.admit(BUDGET, QUERY).is_none());
        tokio::time::advance(PAUSE).await;
        drop(reachability.admit(BUDGET, QUERY).expect("the next probe"));
        assert!(reachability.admit(BUDGET, QUERY).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_query_timeout_without_any_answer_pauses_lookups_and_ends_the_waiting_ones() {
        let reachability = Reachability::new(PAUSE);
        let mut first = reachability.admit(BUDGET, QUERY).unwrap();
        let mut second = reachability.admit(BUDGET, QUERY).unwrap();
        let started = Instant::now();
        let (a, b) = tokio::join!(
            first.run(std::future::pending::<()>()),
            second.run(std::future::pending::<()>())
        );
        assert_eq!((a, b), (None, None));
        assert_eq!(started.elapsed(), QUERY, "both end after one query timeout");
        assert!(reachability.admit(BUDGET, QUERY).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn answers_to_other_lookups_keep_a_slow_one_waiting_for_its_budget() {
        let reachability = Reachability::new(PAUSE);
        let mut slow = reachability.admit(BUDGET, QUERY).unwrap();
        let answers = async {
            for _ in 0..8 {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let mut quick = reachability.admit(BUDGET, QUERY).unwrap();
                assert_eq!(quick.run(async { 1 }).await, Some(1));
                quick.finish(false);
            }
        };
        let started = Instant::now();
        let (answer, ()) = tokio::join!(slow.run(std::future::pending::<()>()), answers);
        assert_eq!(answer, None);
        assert_eq!(started.elapsed(), BUDGET);
        assert!(reachability.admit(BUDGET, QUERY).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn the_budget_is_shared_by_every_run_of_a_message() {
        let reachability = Reachability::new(PAUSE);
        // Queries that may take longer than the budget: only the budget ends them.
        let mut lookups = reachability.admit(BUDGET, BUDGET * 2).unwrap();
        let slow = tokio::time::sleep(Duration::from_secs(3));
        assert!(lookups.run(slow).await.is_some());
        let slower = tokio::time::sleep(Duration::from_secs(3));
        assert!(lookups.run(slower).await.is_none());
        assert!(lookups.timed_out());
    }
}
