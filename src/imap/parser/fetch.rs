//! FETCH data items and modifiers (RFC 9051 §6.4.5 and §9 fetch-att; RFC 3516
//! BINARY; RFC 7162 §3.1.4 CHANGEDSINCE, §3.2.6 VANISHED). Macros (ALL, FAST,
//! FULL) are expanded here so the session sees only items.

use crate::message::{Section, SectionSpec};
use crate::store::Partial;

use super::error::{PResult, fail, miss};
use super::primitives::{astring, byte, number64, nz_number, paren_list1, sp, word};

/// One FETCH data item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchAttribute {
    Envelope,
    Flags,
    InternalDate,
    /// `RFC822`: like BODY[] but with the rev1 response name.
    Rfc822,
    Rfc822Header,
    Rfc822Size,
    Rfc822Text,
    /// `BODY` without a section: BODYSTRUCTURE without extension data.
    Body,
    BodyStructure,
    Uid,
    /// RFC 7162 §3.1.4.1.
    ModSeq,
    /// `BODY[section]<partial>` and `BODY.PEEK[...]` (peek leaves \Seen alone).
    BodySection {
        peek: bool,
        section: FetchSection,
        partial: Option<Partial>,
    },
    /// `BINARY[part]<partial>` and `BINARY.PEEK` (RFC 3516, RFC 9051).
    Binary {
        peek: bool,
        part: Vec<u32>,
        partial: Option<Partial>,
    },
    /// `BINARY.SIZE[part]`.
    BinarySize {
        part: Vec<u32>,
    },
}

/// A section as FETCH names it: a part path and what of the part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchSection {
    pub path: Vec<u32>,
    /// `None` for the whole part (`BODY[]`, `BODY[1.2]`).
    pub text: Option<SectionText>,
}

/// section-msgtext and MIME (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionText {
    Header,
    /// `HEADER.FIELDS (names)`: field names as sent.
    HeaderFields(Vec<String>),
    /// `HEADER.FIELDS.NOT (names)`.
    HeaderFieldsNot(Vec<String>),
    Text,
    Mime,
}

impl FetchSection {
    /// The bytes the section names, for [`crate::message::MessageMetadata::locate`];
    /// HEADER.FIELDS[.NOT] name the header, which the session then filters.
    pub fn section(&self) -> Section {
        let spec = match &self.text {
            None => SectionSpec::Full,
            Some(
                SectionText::Header
                | SectionText::HeaderFields(_)
                | SectionText::HeaderFieldsNot(_),
            ) => SectionSpec::Header,
            Some(SectionText::Text) => SectionSpec::Text,
            Some(SectionText::Mime) => SectionSpec::Mime,
        };
        Section {
            path: self.path.clone(),
            spec,
        }
    }
}

/// FETCH modifiers (RFC 4466 §2.4, RFC 7162).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FetchModifiers {
    /// `CHANGEDSINCE mod-sequence`.
    pub changed_since: Option<u64>,
    /// `VANISHED` (UID FETCH only, with CHANGEDSINCE; the session checks).
    pub vanished: bool,
}

/// `section-part`: nz-number *("." nz-number); stops before a `.` that is not
/// followed by a digit (the start of section-text).
fn section_part(i: &[u8]) -> PResult<'_, Vec<u32>> {
    let (mut rest, first) = nz_number(i)?;
    let mut path = vec![first];
    while let Some(tail) = rest.strip_prefix(b".")
        && tail.first().is_some_and(u8::is_ascii_digit)
    {
        let (r, n) = nz_number(tail)?;
        path.push(n);
        rest = r;
    }
    Ok((rest, path))
}

fn header_list(i: &[u8]) -> PResult<'_, Vec<String>> {
    let (rest, names) = paren_list1(i, astring).or_else(|_| fail(i, "header field list"))?;
    let names = names
        .into_iter()
        .map(|n| String::from_utf8_lossy(&n).into_owned())
        .collect();
    Ok((rest, names))
}

/// section-msgtext, or MIME when a part path came first.
fn section_text(i: &[u8], after_part: bool) -> PResult<'_, SectionText> {
    if let Ok((rest, ())) = word("HEADER.FIELDS.NOT")(i) {
        let (rest, ()) = sp(rest).or_else(|_| fail(rest, "SP"))?;
        let (rest, names) = header_list(rest)?;
        return Ok((rest, SectionText::HeaderFieldsNot(names)));
    }
    if let Ok((rest, ())) = word("HEADER.FIELDS")(i) {
        let (rest, ()) = sp(rest).or_else(|_| fail(rest, "SP"))?;
        let (rest, names) = header_list(rest)?;
        return Ok((rest, SectionText::HeaderFields(names)));
    }
    let simple = [
        ("HEADER", SectionText::Header),
        ("TEXT", SectionText::Text),
        ("MIME", SectionText::Mime),
    ];
    for (name, text) in simple {
        let prefix = i.get(..name.len());
        if prefix.is_some_and(|p| p.eq_ignore_ascii_case(name.as_bytes()))
            && (after_part || text != SectionText::Mime)
        {
            return Ok((&i[name.len()..], text));
        }
    }
    fail(i, "HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or MIME")
}

/// `section`: "[" [section-spec] "]".
fn section(i: &[u8]) -> PResult<'_, FetchSection> {
    let (rest, ()) = byte(b'[', "[")(i)?;
    if let Some(rest) = rest.strip_prefix(b"]") {
        return Ok((
            rest,
            FetchSection {
                path: Vec::new(),
                text: None,
            },
        ));
    }
    let (rest, path, text) = if rest.first().is_some_and(u8::is_ascii_digit) {
        let (rest, path) = section_part(rest)?;
        match rest.strip_prefix(b".") {
            Some(tail) => {
                let (rest, text) = section_text(tail, true)?;
                (rest, path, Some(text))
            }
            None => (rest, path, None),
        }
    } else {
        let (rest, text) = section_text(rest, false)?;
        (rest, Vec::new(), Some(text))
    };
    let (rest, ()) = byte(b']', "]")(rest).or_else(|_| fail(rest, "]"))?;
    Ok((rest, FetchSection { path, text }))
}

/// `section-binary`: "[" [section-part] "]".
fn section_binary(i: &[u8]) -> PResult<'_, Vec<u32>> {
    let (rest, ()) = byte(b'[', "[")(i).or_else(|_| fail(i, "["))?;
    if let Some(rest) = rest.strip_prefix(b"]") {
        return Ok((rest, Vec::new()));
    }
    let (rest, part) = section_part(rest)?;
    let (rest, ()) = byte(b']', "]")(rest).or_else(|_| fail(rest, "]"))?;
    Ok((rest, part))
}

/// `partial`: "<" number64 "." nz-number64 ">", optional.
fn partial(i: &[u8]) -> PResult<'_, Option<Partial>> {
    let Some(rest) = i.strip_prefix(b"<") else {
        return Ok((i, None));
    };
    let (rest, origin) = number64(rest)?;
    let (rest, ()) = byte(b'.', ".")(rest).or_else(|_| fail(rest, "."))?;
    let (rest, octets) = number64(rest)?;
    if octets == 0 {
        return fail(rest, "non-zero octet count");
    }
    let (rest, ()) = byte(b'>', ">")(rest).or_else(|_| fail(rest, ">"))?;
    Ok((rest, Some(Partial { origin, octets })))
}

/// The item name: letters, digits and dots, up to `[`, SP, `)` or the end.
fn item_name(i: &[u8]) -> (&[u8], String) {
    let n = i
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'.'))
        .unwrap_or(i.len());
    (
        &i[n..],
        String::from_utf8_lossy(&i[..n]).to_ascii_uppercase(),
    )
}

/// `fetch-att`.
pub(super) fn fetch_att(i: &[u8]) -> PResult<'_, FetchAttribute> {
    use FetchAttribute as A;
    let (rest, name) = item_name(i);
    let simple = match name.as_str() {
        "ENVELOPE" => Some(A::Envelope),
        "FLAGS" => Some(A::Flags),
        "INTERNALDATE" => Some(A::InternalDate),
        "RFC822" => Some(A::Rfc822),
        "RFC822.HEADER" => Some(A::Rfc822Header),
        "RFC822.SIZE" => Some(A::Rfc822Size),
        "RFC822.TEXT" => Some(A::Rfc822Text),
        "BODYSTRUCTURE" => Some(A::BodyStructure),
        "UID" => Some(A::Uid),
        "MODSEQ" => Some(A::ModSeq),
        "BODY" if !rest.starts_with(b"[") => Some(A::Body),
        _ => None,
    };
    if let Some(item) = simple {
        return Ok((rest, item));
    }
    match name.as_str() {
        "BODY" | "BODY.PEEK" => {
            let (rest, section) = section(rest).or_else(|e| match e {
                nom::Err::Error(_) => fail(rest, "section"),
                other => Err(other),
            })?;
            let (rest, partial) = partial(rest)?;
            let peek = name == "BODY.PEEK";
            Ok((
                rest,
                A::BodySection {
                    peek,
                    section,
                    partial,
                },
            ))
        }
        "BINARY" | "BINARY.PEEK" => {
            let (rest, part) = section_binary(rest)?;
            let (rest, partial) = partial(rest)?;
            let peek = name == "BINARY.PEEK";
            Ok((
                rest,
                A::Binary {
                    peek,
                    part,
                    partial,
                },
            ))
        }
        "BINARY.SIZE" => {
            let (rest, part) = section_binary(rest)?;
            Ok((rest, A::BinarySize { part }))
        }
        _ => miss(i, "fetch attribute"),
    }
}

/// The item list of FETCH: a macro, one item, or a parenthesised list.
pub(super) fn fetch_items(i: &[u8]) -> PResult<'_, Vec<FetchAttribute>> {
    use FetchAttribute as A;
    let fast = [A::Flags, A::InternalDate, A::Rfc822Size];
    if let Ok((rest, ())) = word("ALL")(i) {
        return Ok((rest, [fast.as_slice(), &[A::Envelope]].concat()));
    }
    if let Ok((rest, ())) = word("FAST")(i) {
        return Ok((rest, fast.to_vec()));
    }
    if let Ok((rest, ())) = word("FULL")(i) {
        return Ok((rest, [fast.as_slice(), &[A::Envelope, A::Body]].concat()));
    }
    if i.starts_with(b"(") {
        return paren_list1(i, fetch_att);
    }
    fetch_att(i).map(|(rest, a)| (rest, vec![a]))
}

fn fetch_modifier<'a>(i: &'a [u8], m: &mut FetchModifiers) -> PResult<'a, ()> {
    if let Ok((rest, ())) = word("CHANGEDSINCE")(i) {
        let (rest, ()) = sp(rest).or_else(|_| fail(rest, "SP"))?;
        let (rest, n) = number64(rest)?;
        m.changed_since = Some(n);
        return Ok((rest, ()));
    }
    if let Ok((rest, ())) = word("VANISHED")(i) {
        m.vanished = true;
        return Ok((rest, ()));
    }
    fail(i, "CHANGEDSINCE or VANISHED")
}

/// `[SP "(" fetch-modifier *(SP fetch-modifier) ")"]`.
pub(super) fn fetch_modifiers(i: &[u8]) -> PResult<'_, FetchModifiers> {
    let mut modifiers = FetchModifiers::default();
    let Ok((mut rest, ())) = sp(i) else {
        return Ok((i, modifiers));
    };
    rest = byte(b'(', "(")(rest).or_else(|_| fail(rest, "("))?.0;
    loop {
        rest = fetch_modifier(rest, &mut modifiers)?.0;
        if let Some(tail) = rest.strip_prefix(b")") {
            return Ok((tail, modifiers));
        }
        rest = sp(rest).or_else(|_| fail(rest, "SP or )"))?.0;
    }
}

#[cfg(test)]
mod tests;
