//! The RFC 5322 address-list parser behind the IMAP envelope (RFC 9051 §7.5.2).
//!
//! Works on the raw, unfolded header value: display names and encoded-words stay
//! as written (IMAP clients decode them), only quoting and comments are removed.
//! Total and linear: any input yields a list, never a panic, and the number of
//! addresses kept is capped. It must not decode charsets; that is search's job.

use serde::{Deserialize, Serialize};

/// At most this many addresses are kept from one header, so a hostile header
/// cannot blow up the cached envelope.
const MAX_ADDRESSES: usize = 1000;

/// Stands in for a missing local part: IMAP gives NIL only to group markers.
pub const MISSING_MAILBOX: &str = "MISSING_MAILBOX";
/// Stands in for a missing domain: a NIL host would read as a group marker.
pub const MISSING_DOMAIN: &str = "MISSING_DOMAIN";

/// One element of an IMAP envelope address list, in the order of the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnvelopeAddress {
    /// A mailbox: IMAP `(name adl mailbox host)`.
    Mailbox(Mailbox),
    /// Start of an RFC 5322 group: IMAP `(NIL NIL group-name NIL)`.
    GroupStart(String),
    /// End of a group: IMAP `(NIL NIL NIL NIL)`.
    GroupEnd,
}

/// A mailbox as IMAP presents it; `mailbox` and `host` are never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// The display name as written (quotes removed, encoded-words kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The obsolete source route (`@a,@b`), without its trailing colon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adl: Option<String>,
    /// The local part as written (quoted local parts keep their quotes).
    pub mailbox: String,
    /// The domain.
    pub host: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// An atom, quoted string or domain literal: `text` is what a display name
    /// shows, `raw` what an addr-spec keeps.
    Word {
        text: String,
        raw: String,
    },
    Comment(String),
    Special(u8),
}

#[derive(Debug, Clone, PartialEq)]
struct Spanned {
    token: Token,
    /// Whitespace or a comment came before it: a display name keeps a space there.
    spaced: bool,
}

/// Parses an address-list header value (From, To, Cc, ...).
pub fn parse_address_list(value: &str) -> Vec<EnvelopeAddress> {
    let tokens = tokenize(value.as_bytes());
    let mut out = Vec::new();
    let mut in_group = false;
    let mut i = 0;
    while i < tokens.len() && out.len() < MAX_ADDRESSES {
        let start = i;
        while i < tokens.len() && !is_delimiter(&tokens[i].token, in_group) {
            i += 1;
        }
        let phrase = tokens.get(start..i).unwrap_or_default();
        let delimiter = tokens.get(i).map(|t| t.token.clone());
        i += 1;
        match delimiter {
            Some(Token::Special(b'<')) => {
                let (mailbox, next) = angle_addr(&tokens, i, phrase);
                out.push(EnvelopeAddress::Mailbox(mailbox));
                i = next;
            }
            Some(Token::Special(b':')) => {
                out.push(EnvelopeAddress::GroupStart(phrase_text(phrase)));
                in_group = true;
            }
            Some(Token::Special(b';')) => {
                if let Some(mailbox) = addr_spec(phrase) {
                    out.push(EnvelopeAddress::Mailbox(mailbox));
                }
                if in_group {
                    out.push(EnvelopeAddress::GroupEnd);
                    in_group = false;
                }
            }
            _ => {
                if let Some(mailbox) = addr_spec(phrase) {
                    out.push(EnvelopeAddress::Mailbox(mailbox));
                }
            }
        }
    }
    if in_group {
        out.push(EnvelopeAddress::GroupEnd);
    }
    out
}

fn is_delimiter(token: &Token, in_group: bool) -> bool {
    match token {
        Token::Special(b',' | b'<' | b';') => true,
        // Groups do not nest (RFC 5322 §3.4): a colon inside one is garbage.
        Token::Special(b':') => !in_group,
        _ => false,
    }
}

/// Parses after `<`: an optional obsolete route, the addr-spec, `>`; then skips
/// whatever garbage follows up to the next address. Returns the next index.
fn angle_addr(tokens: &[Spanned], from: usize, phrase: &[Spanned]) -> (Mailbox, usize) {
    let mut i = from;
    while i < tokens.len() && tokens[i].token != Token::Special(b'>') {
        i += 1;
    }
    let mut inner = tokens.get(from..i).unwrap_or_default();
    let mut adl = None;
    if let Some(colon) = inner.iter().position(|t| t.token == Token::Special(b':')) {
        let route = inner.get(..colon).unwrap_or_default();
        adl = Some(concat_raw(route)).filter(|r| !r.is_empty());
        inner = inner.get(colon + 1..).unwrap_or_default();
    }
    while i < tokens.len() && !matches!(tokens[i].token, Token::Special(b',' | b';')) {
        i += 1;
    }
    if tokens.get(i).map(|t| &t.token) == Some(&Token::Special(b',')) {
        i += 1;
    }
    let (mailbox, host) = split_addr_spec(inner);
    let name = Some(phrase_text(phrase)).filter(|n| !n.is_empty());
    (
        Mailbox {
            name,
            adl,
            mailbox,
            host,
        },
        i,
    )
}

/// A bare addr-spec (no angle brackets); a comment, if any, serves as the name.
fn addr_spec(tokens: &[Spanned]) -> Option<Mailbox> {
    let words = tokens.iter().any(|t| !matches!(t.token, Token::Comment(_)));
    if !words {
        return None;
    }
    let name = tokens.iter().find_map(|t| match &t.token {
        Token::Comment(c) if !c.trim().is_empty() => Some(c.trim().to_string()),
        _ => None,
    });
    let (mailbox, host) = split_addr_spec(tokens);
    Some(Mailbox {
        name,
        adl: None,
        mailbox,
        host,
    })
}

/// Splits at the last `@`: local part before, domain after, each joined without
/// the whitespace and comments RFC 5322 allows around dots.
fn split_addr_spec(tokens: &[Spanned]) -> (String, String) {
    let at = tokens.iter().rposition(|t| t.token == Token::Special(b'@'));
    let (local, domain) = match at {
        Some(at) => (
            tokens.get(..at).unwrap_or_default(),
            tokens.get(at + 1..).unwrap_or_default(),
        ),
        None => (tokens, &[][..]),
    };
    let local = concat_raw(local);
    let domain = concat_raw(domain);
    (
        if local.is_empty() {
            MISSING_MAILBOX.to_string()
        } else {
            local
        },
        if domain.is_empty() {
            MISSING_DOMAIN.to_string()
        } else {
            domain
        },
    )
}

fn concat_raw(tokens: &[Spanned]) -> String {
    let mut out = String::new();
    for t in tokens {
        match &t.token {
            Token::Word { raw, .. } => out.push_str(raw),
            Token::Special(c) => out.push(char::from(*c)),
            Token::Comment(_) => {}
        }
    }
    out
}

/// A display name as written, minus quotes and comments, spaces kept where the
/// source had them (so encoded-words split by `.` come back whole).
fn phrase_text(tokens: &[Spanned]) -> String {
    let mut out = String::new();
    for t in tokens {
        let piece = match &t.token {
            Token::Word { text, .. } => text.as_str(),
            Token::Special(c) => match c {
                b'.' => ".",
                b'@' => "@",
                b'>' => ">",
                _ => continue,
            },
            Token::Comment(_) => continue,
        };
        if t.spaced && !out.is_empty() {
            out.push(' ');
        }
        out.push_str(piece);
    }
    out
}

fn tokenize(input: &[u8]) -> Vec<Spanned> {
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut spaced = false;
    while i < input.len() {
        let c = input[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                spaced = true;
                i += 1;
                continue;
            }
            b'(' => {
                let (comment, next) = comment(input, i + 1);
                tokens.push(Spanned {
                    token: Token::Comment(comment),
                    spaced,
                });
                i = next;
                spaced = true;
                continue;
            }
            b'"' => {
                let (text, next) = quoted(input, i + 1);
                let raw = String::from_utf8_lossy(input.get(i..next).unwrap_or_default());
                tokens.push(Spanned {
                    token: Token::Word {
                        text,
                        raw: raw.into_owned(),
                    },
                    spaced,
                });
                i = next;
            }
            b'[' => {
                let end = input
                    .get(i..)
                    .and_then(|rest| rest.iter().position(|&b| b == b']'))
                    .map_or(input.len(), |p| i + p + 1);
                let raw = String::from_utf8_lossy(input.get(i..end).unwrap_or_default());
                tokens.push(Spanned {
                    token: Token::Word {
                        text: raw.clone().into_owned(),
                        raw: raw.into_owned(),
                    },
                    spaced,
                });
                i = end;
            }
            b')' | b'<' | b'>' | b']' | b':' | b';' | b'@' | b'\\' | b',' | b'.' => {
                tokens.push(Spanned {
                    token: Token::Special(c),
                    spaced,
                });
                i += 1;
            }
            _ => {
                let start = i;
                while i < input.len() && !is_atom_end(input[i]) {
                    i += 1;
                }
                let atom = String::from_utf8_lossy(input.get(start..i).unwrap_or_default());
                tokens.push(Spanned {
                    token: Token::Word {
                        text: atom.clone().into_owned(),
                        raw: atom.into_owned(),
                    },
                    spaced,
                });
            }
        }
        spaced = false;
    }
    tokens
}

fn is_atom_end(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'('
            | b')'
            | b'<'
            | b'>'
            | b'['
            | b']'
            | b':'
            | b';'
            | b'@'
            | b'\\'
            | b','
            | b'.'
            | b'"'
    )
}

/// Reads a (possibly nested) comment after its `(`; returns its text and the
/// index after the closing `)` (or the end of input when it never closes).
fn comment(input: &[u8], from: usize) -> (String, usize) {
    let mut depth = 1usize;
    let mut text = Vec::new();
    let mut i = from;
    while i < input.len() {
        let c = input[i];
        i += 1;
        match c {
            b'\\' => {
                if let Some(&next) = input.get(i) {
                    text.push(next);
                    i += 1;
                }
            }
            b'(' => {
                depth += 1;
                text.push(c);
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                text.push(c);
            }
            _ => text.push(c),
        }
    }
    (String::from_utf8_lossy(&text).into_owned(), i)
}

/// Reads a quoted string after its `"`; returns the unescaped text and the
/// index after the closing quote (or the end of input).
fn quoted(input: &[u8], from: usize) -> (String, usize) {
    let mut text = Vec::new();
    let mut i = from;
    while i < input.len() {
        let c = input[i];
        i += 1;
        match c {
            b'\\' => {
                if let Some(&next) = input.get(i) {
                    text.push(next);
                    i += 1;
                }
            }
            b'"' => break,
            b'\r' | b'\n' => {}
            _ => text.push(c),
        }
    }
    (String::from_utf8_lossy(&text).into_owned(), i)
}

#[cfg(test)]
mod tests;
