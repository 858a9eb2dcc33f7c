//! SEARCH with ESEARCH result options (RFC 9051 §6.4.4, RFC 4731) and SEARCHRES (RFC 5182),
//! SORT and THREAD (RFC 5256), and their UID forms: the `search` module finds the messages,
//! this handler numbers them and chooses the response form.

use std::time::SystemTime;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::imap::parser::{SearchArgs, SearchKey, SearchReturn, SortArgs, Tag, ThreadArgs};
use crate::imap::response::{Code, Data, NumberSet, SearchReturn as Found};
use crate::imap::search::{self, MailboxView, SearchError, ThreadAlgorithm};
use crate::imap::session::Session;
use crate::store::{ModSeq, Uid};

use super::Reply;
use super::error::store_failure;

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// The selected mailbox as the `search` module reads it.
    fn mailbox_view(&self) -> Result<MailboxView<'_>, Reply> {
        let (Some(account), Some(view)) = (self.account(), self.selected.as_ref()) else {
            return Err(Reply::bad("no mailbox selected"));
        };
        Ok(MailboxView {
            account,
            mailbox: view.mailbox,
            messages: view.messages(),
            saved: &view.saved,
            recent: &view.recent,
        })
    }

    /// The UIDs matching `keys` (all of them), ascending.
    async fn matching(&self, keys: Vec<SearchKey>) -> Result<Vec<Uid>, Reply> {
        let mailbox = self.mailbox_view()?;
        let key = SearchKey::And(keys);
        search::search(&self.context.store, &mailbox, &key, SystemTime::now())
            .await
            .map_err(|e| search_failure(&e))
    }

    /// Sequence numbers, or the UIDs themselves for the UID forms.
    fn numbers(&self, uids: &[Uid], uid: bool) -> Vec<u32> {
        match (uid, self.selected.as_ref()) {
            (true, _) => uids.iter().map(|u| u.0).collect(),
            (false, Some(view)) => uids.iter().filter_map(|&u| view.seq_of(u)).collect(),
            (false, None) => Vec::new(),
        }
    }

    /// The highest MODSEQ among the matches, reported when the search asked about MODSEQ
    /// (RFC 7162 §3.1.5).
    fn highest_modseq_of(&self, uids: &[Uid]) -> Option<ModSeq> {
        let view = self.selected.as_ref()?;
        uids.iter()
            .filter_map(|&u| view.message(view.seq_of(u)?))
            .map(|m| m.modseq)
            .max()
    }

    // RFC 9051 §6.4.4, RFC 4731 §3.1, RFC 5182 §2
    pub(crate) async fn search(&mut self, tag: &Tag, uid: bool, args: SearchArgs) -> Reply {
        if let Err(error) = search::check_charset(args.charset.as_deref()) {
            return search_failure(&error);
        }
        // RFC 7162 §3.1: SEARCH with MODSEQ is a CONDSTORE enabling command.
        let asks_modseq = args.criteria.iter().any(mentions_modseq);
        if asks_modseq {
            self.enable_condstore();
        }
        let uids = match self.matching(args.criteria).await {
            Ok(uids) => uids,
            Err(reply) => return reply,
        };
        let numbers = self.numbers(&uids, uid);
        let modseq = asks_modseq.then(|| self.highest_modseq_of(&uids)).flatten();
        // IMAP4rev2 has no SEARCH response: a plain SEARCH answers as RETURN (ALL).
        let options = match args.return_options {
            Some(options) => options,
            None if self.enabled.rev2 => vec![SearchReturn::All],
            None => {
                self.queue_data(Data::Search { numbers, modseq });
                return Reply::ok();
            }
        };
        if options.contains(&SearchReturn::Save)
            && let Some(view) = self.selected.as_mut()
        {
            view.saved = uids;
        }
        // RFC 5182 §2.1: SAVE alone asks for no ESEARCH response.
        if options == [SearchReturn::Save] {
            return Reply::ok();
        }
        // RFC 4731 §3.1: an empty RETURN () means RETURN (ALL).
        let wanted = |option| {
            options.contains(&option) || (options.is_empty() && option == SearchReturn::All)
        };
        let mut items = Vec::new();
        // RFC 4731 §3.1: MIN, MAX and ALL are left out when nothing matched.
        if let (Some(&min), Some(&max)) = (numbers.iter().min(), numbers.iter().max()) {
            if wanted(SearchReturn::Min) {
                items.push(Found::Min(min));
            }
            if wanted(SearchReturn::Max) {
                items.push(Found::Max(max));
            }
            if wanted(SearchReturn::All) {
                items.push(Found::All(NumberSet::from_numbers(numbers.iter().copied())));
            }
        }
        if wanted(SearchReturn::Count) {
            items.push(Found::Count(
                u32::try_from(numbers.len()).unwrap_or(u32::MAX),
            ));
        }
        if let Some(modseq) = modseq {
            items.push(Found::ModSeq(modseq));
        }
        self.queue_data(Data::ESearch {
            tag: Some(tag.as_str().to_owned()),
            uid,
            items,
        });
        Reply::ok()
    }

    // RFC 5256 §3 SORT
    pub(crate) async fn sort(&mut self, uid: bool, args: SortArgs) -> Reply {
        if let Err(error) = search::check_charset(Some(&args.charset)) {
            return search_failure(&error);
        }
        let matching = match self.matching(args.keys).await {
            Ok(uids) => uids,
            Err(reply) => return reply,
        };
        let mailbox = match self.mailbox_view() {
            Ok(mailbox) => mailbox,
            Err(reply) => return reply,
        };
        match search::sort(&self.context.store, &mailbox, &args.criteria, &matching).await {
            Ok(sorted) => {
                let numbers = self.numbers(&sorted, uid);
                self.queue_data(Data::Sort {
                    numbers,
                    modseq: None,
                });
                Reply::ok()
            }
            Err(error) => search_failure(&error),
        }
    }

    // RFC 5256 §3 THREAD
    pub(crate) async fn thread(&mut self, uid: bool, args: ThreadArgs) -> Reply {
        let algorithm = match ThreadAlgorithm::from_name(&args.algorithm) {
            Ok(algorithm) => algorithm,
            Err(error) => return search_failure(&error),
        };
        if let Err(error) = search::check_charset(Some(&args.charset)) {
            return search_failure(&error);
        }
        let matching = match self.matching(args.keys).await {
            Ok(uids) => uids,
            Err(reply) => return reply,
        };
        let mailbox = match self.mailbox_view() {
            Ok(mailbox) => mailbox,
            Err(reply) => return reply,
        };
        match search::thread(&self.context.store, &mailbox, algorithm, &matching).await {
            Ok(mut threads) => {
                if !uid {
                    search::to_sequence_numbers(&mailbox, &mut threads);
                }
                self.queue_data(Data::Thread(threads));
                Reply::ok()
            }
            Err(error) => search_failure(&error),
        }
    }
}

fn mentions_modseq(key: &SearchKey) -> bool {
    match key {
        SearchKey::ModSeq { .. } => true,
        SearchKey::Not(inner) => mentions_modseq(inner),
        SearchKey::Or(a, b) => mentions_modseq(a) || mentions_modseq(b),
        SearchKey::And(keys) => keys.iter().any(mentions_modseq),
        _ => false,
    }
}

/// The tagged reply for a search that could not be answered.
fn search_failure(error: &SearchError) -> Reply {
    match error {
        SearchError::BadCharset(_) => Reply::no(
            Some(Code::BadCharset(
                search::SUPPORTED_CHARSETS
                    .iter()
                    .map(|c| (*c).to_owned())
                    .collect(),
            )),
            error.to_string(),
        ),
        SearchError::UnknownThreadAlgorithm(_) => Reply::bad(error.to_string()),
        SearchError::Store(store) => store_failure(store),
        SearchError::Read(_) => {
            tracing::error!(%error, "search could not read a message");
            Reply::no(Some(Code::ServerBug), "a message could not be read")
        }
    }
}
