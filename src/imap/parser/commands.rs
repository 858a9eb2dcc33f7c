//! From one complete command (line plus inline literals, wire form) to a
//! [`Command`]: the tag, the command name, and each command's arguments
//! (RFC 9051 §6 and §9 `command`). Dispatch only; the argument grammars of
//! the larger commands live in their own modules.

use super::append::message_head;
use super::command::{Command, CommandBody, IdParameter, Secret, StoreAction, Tag};
use super::error::{PResult, ParseError, fail, offset};
use super::fetch::{fetch_items, fetch_modifiers};
use super::flag::{Flag, flag};
use super::list::{create_parameters, list_args, select_parameters, status_items};
use super::primitives::{
    astring, atom, atom_str, byte, is_astring_char, list_mailbox, mailbox, nstring, number64,
    paren_list0, sp, string, word,
};
use super::search::{search_args, sort_args, thread_args};
use super::sequence::sequence_set;

/// Parses one complete command: its line(s) with any literals inline, CRLF
/// at the end optional. Keeps the tag in every error after the tag.
pub fn parse_command(input: &[u8]) -> Result<Command, ParseError> {
    let line = input.strip_suffix(b"\r\n").unwrap_or(input);
    let tag_end = line
        .iter()
        .position(|&b| !is_astring_char(b) || b == b'+')
        .unwrap_or(line.len());
    let tag = Tag::new(&line[..tag_end]).ok_or(ParseError::MissingTag)?;
    let after_tag = &line[tag_end..];
    // A tag runs up to a space: `a"b NOOP` has no valid tag at all, and answering
    // `a BAD` would name a tag the client never sent (RFC 9051 §7.1.5: untagged BAD).
    if !after_tag.is_empty() && !after_tag.starts_with(b" ") {
        return Err(ParseError::MissingTag);
    }
    let Some(rest) = after_tag.strip_prefix(b" ") else {
        return Err(ParseError::MissingCommand { tag });
    };
    let Ok((rest, name)) = atom(rest) else {
        return Err(ParseError::MissingCommand { tag });
    };
    let mut name = String::from_utf8_lossy(name).to_ascii_uppercase();
    let (rest, uid) = match name.as_str() {
        "UID" => {
            let Some(Ok((r, sub))) = rest.strip_prefix(b" ").map(atom) else {
                return Err(syntax(tag, name, line, rest, "command after UID"));
            };
            name = format!("UID {}", String::from_utf8_lossy(sub).to_ascii_uppercase());
            (r, true)
        }
        _ => (rest, false),
    };
    let parsed = match arguments(&name, uid, rest) {
        Ok(([], body)) => return Ok(Command { tag, body }),
        Ok((rest, _)) => return Err(syntax(tag, name, line, rest, "end of command")),
        Err(e) => e,
    };
    match parsed {
        nom::Err::Error(f) | nom::Err::Failure(f) => {
            let expected = f.expected.unwrap_or("valid arguments");
            Err(syntax(tag, name, line, f.rest, expected))
        }
        nom::Err::Incomplete(_) => Err(syntax(tag, name, line, &[], "more input")),
    }
}

fn syntax(
    tag: Tag,
    command: String,
    line: &[u8],
    rest: &[u8],
    expected: &'static str,
) -> ParseError {
    let at = if rest.is_empty() {
        line.len()
    } else {
        offset(line, rest)
    };
    ParseError::Syntax {
        tag,
        command,
        expected,
        at,
    }
}

/// SP then `what`, failing hard when either is missing.
fn arg<'a, O>(rest: &'a [u8], what: impl Fn(&'a [u8]) -> PResult<'a, O>) -> PResult<'a, O> {
    let (rest, ()) = sp(rest).or_else(|_| fail(rest, "SP"))?;
    what(rest).map_err(|e| match e {
        nom::Err::Error(f) => nom::Err::Failure(f),
        other => other,
    })
}

fn no_args(rest: &[u8], body: CommandBody) -> PResult<'_, CommandBody> {
    Ok((rest, body))
}

/// The arguments of the command `name` (upper case, `UID X` for UID forms).
fn arguments<'a>(name: &str, uid: bool, rest: &'a [u8]) -> PResult<'a, CommandBody> {
    use CommandBody as C;
    match name {
        "CAPABILITY" => no_args(rest, C::Capability),
        "NOOP" => no_args(rest, C::Noop),
        "LOGOUT" => no_args(rest, C::Logout),
        "STARTTLS" => no_args(rest, C::StartTls),
        "NAMESPACE" => no_args(rest, C::Namespace),
        "IDLE" => no_args(rest, C::Idle),
        "CHECK" => no_args(rest, C::Check),
        "CLOSE" => no_args(rest, C::Close),
        "UNSELECT" => no_args(rest, C::Unselect),
        "EXPUNGE" => no_args(rest, C::Expunge),
        "AUTHENTICATE" => authenticate(rest),
        "LOGIN" => {
            let (rest, username) = arg(rest, astring)?;
            let (rest, password) = arg(rest, astring)?;
            Ok((
                rest,
                C::Login {
                    username,
                    password: Secret(password),
                },
            ))
        }
        "ENABLE" => {
            let (mut rest, first) = arg(rest, atom_str)?;
            let mut capabilities = vec![first];
            while let Ok((r, ())) = sp(rest) {
                let (r, c) = atom_str(r).or_else(|_| fail(r, "capability"))?;
                capabilities.push(c);
                rest = r;
            }
            Ok((rest, C::Enable { capabilities }))
        }
        "ID" => id(rest),
        "SELECT" | "EXAMINE" => {
            let (rest, mailbox) = arg(rest, mailbox)?;
            let (rest, parameters) = select_parameters(rest)?;
            let body = if name == "SELECT" {
                C::Select {
                    mailbox,
                    parameters,
                }
            } else {
                C::Examine {
                    mailbox,
                    parameters,
                }
            };
            Ok((rest, body))
        }
        "CREATE" => {
            let (rest, mailbox) = arg(rest, mailbox)?;
            let (rest, special_use) = create_parameters(rest)?;
            Ok((
                rest,
                C::Create {
                    mailbox,
                    special_use,
                },
            ))
        }
        "DELETE" => arg(rest, mailbox).map(|(r, mailbox)| (r, C::Delete { mailbox })),
        "SUBSCRIBE" => arg(rest, mailbox).map(|(r, mailbox)| (r, C::Subscribe { mailbox })),
        "UNSUBSCRIBE" => arg(rest, mailbox).map(|(r, mailbox)| (r, C::Unsubscribe { mailbox })),
        "RENAME" => {
            let (rest, from) = arg(rest, mailbox)?;
            let (rest, to) = arg(rest, mailbox)?;
            Ok((rest, C::Rename { from, to }))
        }
        "LIST" => list_args(rest).map(|(r, args)| (r, C::List(args))),
        "LSUB" => {
            let (rest, reference) = arg(rest, astring)?;
            let (rest, pattern) = arg(rest, list_mailbox)?;
            Ok((rest, C::Lsub { reference, pattern }))
        }
        "STATUS" => {
            let (rest, mailbox) = arg(rest, mailbox)?;
            let (rest, items) = arg(rest, status_items)?;
            Ok((rest, C::Status { mailbox, items }))
        }
        "APPEND" => {
            let (rest, mailbox) = arg(rest, mailbox)?;
            let (rest, message) = message_head(rest)?;
            Ok((rest, C::Append { mailbox, message }))
        }
        "GETQUOTA" => arg(rest, astring).map(|(r, root)| (r, C::GetQuota { root })),
        "GETQUOTAROOT" => arg(rest, mailbox).map(|(r, mailbox)| (r, C::GetQuotaRoot { mailbox })),
        "COMPRESS" => arg(rest, atom_str).map(|(r, mechanism)| (r, C::Compress { mechanism })),
        "UID EXPUNGE" => arg(rest, sequence_set).map(|(r, set)| (r, C::UidExpunge(set))),
        "SEARCH" | "UID SEARCH" => search_args(rest).map(|(r, args)| (r, C::Search { uid, args })),
        "SORT" | "UID SORT" => sort_args(rest).map(|(r, args)| (r, C::Sort { uid, args })),
        "THREAD" | "UID THREAD" => thread_args(rest).map(|(r, args)| (r, C::Thread { uid, args })),
        "FETCH" | "UID FETCH" => {
            let (rest, set) = arg(rest, sequence_set)?;
            let (rest, attributes) = arg(rest, fetch_items)?;
            let (rest, modifiers) = fetch_modifiers(rest)?;
            Ok((
                rest,
                C::Fetch {
                    uid,
                    set,
                    attributes,
                    modifiers,
                },
            ))
        }
        "STORE" | "UID STORE" => store(rest, uid),
        "COPY" | "UID COPY" | "MOVE" | "UID MOVE" => {
            let (rest, set) = arg(rest, sequence_set)?;
            let (rest, mailbox) = arg(rest, mailbox)?;
            let body = if name.ends_with("COPY") {
                C::Copy { uid, set, mailbox }
            } else {
                C::Move { uid, set, mailbox }
            };
            Ok((rest, body))
        }
        _ if uid => fail(
            rest,
            "FETCH, SEARCH, STORE, COPY, MOVE, EXPUNGE, SORT or THREAD after UID",
        ),
        _ => Ok((
            &[],
            C::Unknown {
                name: name.to_owned(),
            },
        )),
    }
}

/// `AUTHENTICATE SP auth-type [SP (base64 / "=")]` (RFC 9051 §6.2.2, RFC 4959).
fn authenticate(rest: &[u8]) -> PResult<'_, CommandBody> {
    let (rest, mechanism) = arg(rest, atom_str)?;
    let mut initial_response = None;
    let mut rest = rest;
    if let Ok((r, ())) = sp(rest) {
        let n = r
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
            .unwrap_or(r.len());
        let response = &r[..n];
        let padding = response
            .iter()
            .skip_while(|&&b| b != b'=')
            .all(|&b| b == b'=');
        let valid =
            response == b"=" || (!response.is_empty() && padding && response.len() % 4 == 0);
        if !valid {
            return fail(r, "base64 initial response or =");
        }
        initial_response = Some(Secret(response.to_vec()));
        rest = &r[n..];
    }
    let mechanism = mechanism.to_ascii_uppercase();
    Ok((
        rest,
        CommandBody::Authenticate {
            mechanism,
            initial_response,
        },
    ))
}

/// `ID SP ("(" string SP nstring *(SP string SP nstring) ")" / NIL)` (RFC 2971 §3.1).
fn id(rest: &[u8]) -> PResult<'_, CommandBody> {
    let (rest, ()) = sp(rest).or_else(|_| fail(rest, "SP"))?;
    if let Ok((r, ())) = word("NIL")(rest) {
        return Ok((r, CommandBody::Id { parameters: None }));
    }
    let pair = |i| {
        let (i, field) = string(i)?;
        let (i, value) = arg(i, nstring)?;
        Ok((i, IdParameter { field, value }))
    };
    let (rest, parameters) = paren_list0(rest, pair).or_else(|e| match e {
        nom::Err::Error(_) => fail(rest, "( field value ... ) or NIL"),
        other => Err(other),
    })?;
    Ok((
        rest,
        CommandBody::Id {
            parameters: Some(parameters),
        },
    ))
}

/// `STORE SP sequence-set [SP "(" "UNCHANGEDSINCE" SP mod-sequence ")"] SP
/// ["+" / "-"] "FLAGS" [".SILENT"] SP (flag-list / (flag *(SP flag)))`.
fn store(rest: &[u8], uid: bool) -> PResult<'_, CommandBody> {
    let (rest, set) = arg(rest, sequence_set)?;
    let (mut rest, ()) = sp(rest).or_else(|_| fail(rest, "SP"))?;
    let mut unchanged_since = None;
    if rest.starts_with(b"(") {
        let (r, ()) = byte(b'(', "(")(rest)?;
        let (r, ()) = word("UNCHANGEDSINCE")(r).or_else(|_| fail(r, "UNCHANGEDSINCE"))?;
        let (r, modseq) = arg(r, number64)?;
        let (r, ()) = byte(b')', ")")(r).or_else(|_| fail(r, ")"))?;
        unchanged_since = Some(modseq);
        rest = sp(r).or_else(|_| fail(r, "SP"))?.0;
    }
    let (action, r) = match rest.first() {
        Some(b'+') => (StoreAction::Add, &rest[1..]),
        Some(b'-') => (StoreAction::Remove, &rest[1..]),
        _ => (StoreAction::Replace, rest),
    };
    let (r, silent) = if let Ok((r, ())) = word("FLAGS.SILENT")(r) {
        (r, true)
    } else if let Ok((r, ())) = word("FLAGS")(r) {
        (r, false)
    } else {
        return fail(r, "FLAGS, +FLAGS or -FLAGS");
    };
    let (r, flags) = arg(r, store_flags)?;
    Ok((
        r,
        CommandBody::Store {
            uid,
            set,
            unchanged_since,
            action,
            silent,
            flags,
        },
    ))
}

/// flag-list, or flags separated by SP without parentheses.
fn store_flags(i: &[u8]) -> PResult<'_, Vec<Flag>> {
    if i.starts_with(b"(") {
        return super::flag::flag_list(i);
    }
    let (mut rest, first) = flag(i)?;
    let mut flags = vec![first];
    while let Ok((r, ())) = sp(rest) {
        let (r, f) = flag(r)?;
        flags.push(f);
        rest = r;
    }
    Ok((rest, flags))
}

#[cfg(test)]
mod selected_tests;
#[cfg(test)]
mod tests;
