//! STATUS items from a mailbox's counts (RFC 9051 §6.3.11; SIZE and DELETED
//! of RFC 9051, RECENT of RFC 3501, HIGHESTMODSEQ of RFC 7162,
//! DELETED-STORAGE of RFC 9208).

use crate::imap::parser;
use crate::imap::response;
use crate::store::MailboxInfo;

/// The requested items, in the order asked, each once.
///
/// RECENT counts the messages no IMAP4rev1 session has selected since they
/// arrived: the ones the next SELECT makes `\Recent` (RFC 3501 §2.3.2).
/// APPENDLIMIT (RFC 7889) is left out: the response writer has no item for
/// it yet.
pub fn status_items(
    info: &MailboxInfo,
    requested: &[parser::StatusItem],
) -> Vec<response::StatusItem> {
    use parser::StatusItem as Ask;
    use response::StatusItem as Say;
    let counts = &info.status;
    let mut out: Vec<Say> = Vec::with_capacity(requested.len());
    let mut seen: Vec<Ask> = Vec::with_capacity(requested.len());
    for &item in requested {
        if seen.contains(&item) {
            continue;
        }
        seen.push(item);
        let said = match item {
            Ask::Messages => Say::Messages(saturate(counts.messages)),
            Ask::UidNext => Say::UidNext(counts.uid_next),
            Ask::UidValidity => Say::UidValidity(counts.uid_validity),
            Ask::Unseen => Say::Unseen(saturate(counts.unseen)),
            Ask::Deleted => Say::Deleted(saturate(counts.deleted)),
            Ask::Size => Say::Size(counts.size),
            Ask::Recent => Say::Recent(saturate(counts.recent)),
            Ask::HighestModSeq => Say::HighestModSeq(counts.highest_modseq),
            Ask::DeletedStorage => Say::DeletedStorage(counts.deleted_size),
            Ask::AppendLimit => continue,
        };
        out.push(said);
    }
    out
}

/// Message counts are `number` (32 bits) on the wire (RFC 9051 §9); a
/// mailbox cannot hold more messages than UIDs, so this never clips in
/// practice, but it must not wrap.
fn saturate(count: u64) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}
