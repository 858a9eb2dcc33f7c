//! Keys for SORT and THREAD (RFC 5256), derived once at append: the base subject
//! (§2.1), the first From/To/Cc mailboxes, the sent date, and the normalised
//! Message-ID and References chain. Must not compare or order anything itself:
//! collation belongs to the IMAP layer.

use serde::{Deserialize, Serialize};

use super::address::{EnvelopeAddress, Mailbox};
use super::envelope::Envelope;

/// At most this many message ids are kept from References.
const MAX_REFERENCES: usize = 256;

/// What SORT and THREAD need that the envelope does not give directly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadKeys {
    /// The base subject of RFC 5256 §2.1, from the decoded Subject.
    pub base_subject: String,
    /// The subject had a reply/forward marker or "(fwd)" (THREAD=ORDEREDSUBJECT
    /// and REFERENCES step 5 treat such messages as non-roots).
    pub is_reply_or_forward: bool,
    /// Local part of the first From mailbox (SORT FROM, RFC 5256 §3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_mailbox: Option<String>,
    /// Local part of the first To mailbox (SORT TO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_mailbox: Option<String>,
    /// Local part of the first Cc mailbox (SORT CC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cc_mailbox: Option<String>,
    /// The Date header as Unix seconds; SORT DATE falls back to the internal date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_date: Option<i64>,
    /// The Message-ID, `<id>` with whitespace removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// References, or failing that the first id of In-Reply-To, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
}

impl ThreadKeys {
    /// Builds the keys from the envelope, the decoded subject and the raw
    /// References value.
    pub fn new(
        envelope: &Envelope,
        decoded_subject: &str,
        references: Option<&str>,
        sent_date: Option<i64>,
    ) -> ThreadKeys {
        let (base_subject, is_reply_or_forward) = base_subject(decoded_subject);
        let mut refs = references.map(msg_ids).unwrap_or_default();
        if refs.is_empty() {
            refs = envelope
                .in_reply_to
                .as_deref()
                .map(msg_ids)
                .unwrap_or_default()
                .into_iter()
                .take(1)
                .collect();
        }
        ThreadKeys {
            base_subject,
            is_reply_or_forward,
            from_mailbox: first_mailbox(&envelope.from),
            to_mailbox: first_mailbox(&envelope.to),
            cc_mailbox: first_mailbox(&envelope.cc),
            sent_date,
            message_id: envelope
                .message_id
                .as_deref()
                .and_then(|m| msg_ids(m).into_iter().next()),
            references: refs,
        }
    }
}

fn first_mailbox(list: &[EnvelopeAddress]) -> Option<String> {
    list.iter().find_map(|a| match a {
        EnvelopeAddress::Mailbox(Mailbox { mailbox, .. }) => Some(mailbox.clone()),
        _ => None,
    })
}

/// The `<...>` ids of a raw header value, whitespace inside removed.
pub fn msg_ids(value: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let after = rest.get(open + 1..).unwrap_or_default();
        let Some(close) = after.find('>') else { break };
        let id: String = after
            .get(..close)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if !id.is_empty() && ids.len() < MAX_REFERENCES {
            ids.push(format!("<{id}>"));
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    ids
}

/// RFC 5256 §2.1: strips reply/forward markers, list tags and "(fwd)" trailers.
/// Returns the base subject and whether anything of the kind was removed.
pub fn base_subject(subject: &str) -> (String, bool) {
    // (1) Runs of whitespace become one space.
    let mut s = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut marked = false;
    loop {
        // (2) Trailing "(fwd)" and whitespace.
        loop {
            let trimmed = s.trim_end();
            match strip_suffix_ignore_case(trimmed, "(fwd)") {
                Some(rest) => {
                    s = rest.to_string();
                    marked = true;
                }
                None => {
                    s = trimmed.to_string();
                    break;
                }
            }
        }
        // (3) and (4), repeated until neither changes anything.
        loop {
            let before = s.len();
            s = strip_leaders(&s, &mut marked);
            if let Some(rest) = strip_blob(&s)
                && !rest.is_empty()
            {
                s = rest.to_string();
            }
            if s.len() == before {
                break;
            }
        }
        // (6) "[fwd: ... ]" wrapper.
        let Some(inner) = strip_prefix_ignore_case(&s, "[fwd:").and_then(|r| r.strip_suffix(']'))
        else {
            break;
        };
        s = inner.trim().to_string();
        marked = true;
    }
    (s, marked)
}

/// (3): leading whitespace and `*subj-blob subj-refwd` leaders.
fn strip_leaders(s: &str, marked: &mut bool) -> String {
    let mut s = s.trim_start();
    loop {
        let mut rest = s;
        while let Some(after) = strip_blob(rest) {
            rest = after;
        }
        match strip_refwd(rest) {
            Some(after) => {
                s = after.trim_start();
                *marked = true;
            }
            None => return s.to_string(),
        }
    }
}

/// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
fn strip_refwd(s: &str) -> Option<&str> {
    let rest = strip_prefix_ignore_case(s, "re")
        .or_else(|| strip_prefix_ignore_case(s, "fwd"))
        .or_else(|| strip_prefix_ignore_case(s, "fw"))?;
    let rest = rest.trim_start();
    let rest = strip_blob(rest).unwrap_or(rest);
    rest.strip_prefix(':')
}

/// subj-blob = "[" *BLOBCHAR "]" *WSP, BLOBCHAR excluding "[" and "]".
fn strip_blob(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('[')?;
    let close = inner.find(']')?;
    if inner.get(..close)?.contains('[') {
        return None;
    }
    Some(inner.get(close + 1..)?.trim_start())
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix)
        .then(|| s.get(..cut))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> String {
        base_subject(s).0
    }

    #[test]
    fn plain_subject_is_its_own_base() {
        assert_eq!(
            base_subject("Lunch plans"),
            ("Lunch plans".to_string(), false)
        );
    }

    #[test]
    fn reply_and_forward_markers_are_stripped_repeatedly() {
        assert_eq!(
            base_subject("Re: Fwd: RE:  Lunch"),
            ("Lunch".to_string(), true)
        );
        assert_eq!(base("Fw: re[2]: Lunch"), "Lunch");
    }

    #[test]
    fn list_tags_and_fwd_trailers_are_stripped() {
        assert_eq!(base("[list] Re: [other] Lunch (fwd) (FWD)"), "Lunch");
    }

    #[test]
    fn fwd_wrapper_is_unwrapped() {
        assert_eq!(base("[Fwd: Re: Lunch]"), "Lunch");
    }

    #[test]
    fn a_blob_that_is_the_whole_subject_stays() {
        assert_eq!(base("[PATCH]"), "[PATCH]");
    }

    #[test]
    fn whitespace_runs_collapse() {
        assert_eq!(base("  a \t  b  "), "a b");
    }

    #[test]
    fn words_starting_with_re_are_not_markers() {
        assert_eq!(base("Report: done"), "Report: done");
        assert_eq!(base("Fwiw: nothing"), "Fwiw: nothing");
    }

    #[test]
    fn non_ascii_subjects_do_not_panic() {
        assert_eq!(base("R\u{e9}: \u{fc}ber"), "R\u{e9}: \u{fc}ber");
        assert_eq!(base("\u{fc}"), "\u{fc}");
        assert_eq!(base("r\u{e9}"), "r\u{e9}");
    }

    #[test]
    fn msg_ids_are_extracted_and_whitespace_dropped() {
        assert_eq!(
            msg_ids("<a@x> (comment) < b @y >junk<c@z"),
            vec!["<a@x>".to_string(), "<b@y>".to_string()]
        );
    }

    #[test]
    fn references_fall_back_to_first_in_reply_to_id() {
        let envelope = Envelope {
            in_reply_to: Some("<p@x> <q@x>".to_string()),
            message_id: Some(" <me@x> ".to_string()),
            ..Envelope::default()
        };
        let keys = ThreadKeys::new(&envelope, "Re: hi", None, Some(5));
        assert_eq!(keys.references, vec!["<p@x>".to_string()]);
        assert_eq!(keys.message_id.as_deref(), Some("<me@x>"));
        assert!(keys.is_reply_or_forward);
        let keys = ThreadKeys::new(&envelope, "hi", Some("<a@x>\r\n <b@x>"), None);
        assert_eq!(
            keys.references,
            vec!["<a@x>".to_string(), "<b@x>".to_string()]
        );
    }
}
