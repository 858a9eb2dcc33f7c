//! The lexical layer of RFC 9051 §9 (and §4): SP, atoms, numbers, quoted
//! strings, literals, astring, nstring and mailbox names. Literals are read
//! inline (`{n}` CRLF then n octets) from the assembled command the framer
//! built; this module never decides limits, the framer has checked them.

use nom::bytes::complete::{tag, take, take_while1};

use super::command::Mailbox;
use super::error::{Failure, PResult, fail, miss};

/// atom-specials of RFC 9051 §9 (CTL, SP and 8-bit are handled by the caller).
fn is_atom_special(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'{' | b' ' | b'%' | b'*' | b'"' | b'\\' | b']'
    )
}

/// ATOM-CHAR: any 7-bit CHAR except atom-specials and CTL.
pub(super) fn is_atom_char(b: u8) -> bool {
    (0x21..0x7f).contains(&b) && !is_atom_special(b)
}

/// ASTRING-CHAR: ATOM-CHAR or `]`.
pub(super) fn is_astring_char(b: u8) -> bool {
    is_atom_char(b) || b == b']'
}

/// list-char: ATOM-CHAR, list-wildcards or resp-specials (RFC 9051 §9).
fn is_list_char(b: u8) -> bool {
    is_astring_char(b) || b == b'%' || b == b'*'
}

pub(super) fn sp(i: &[u8]) -> PResult<'_, ()> {
    match i.first() {
        Some(b' ') => Ok((&i[1..], ())),
        _ => miss(i, "SP"),
    }
}

/// `keyword` matched case-insensitively and not followed by another atom char,
/// so `FLAGS` does not match the start of `FLAGSX`.
pub(super) fn word<'a>(keyword: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, ()> {
    move |i: &'a [u8]| {
        let n = keyword.len();
        match i.get(..n) {
            Some(head) if head.eq_ignore_ascii_case(keyword.as_bytes()) => {
                let rest = &i[n..];
                match rest.first() {
                    Some(&b) if is_atom_char(b) => miss(i, keyword),
                    _ => Ok((rest, ())),
                }
            }
            _ => miss(i, keyword),
        }
    }
}

/// A single byte, as an expectation.
pub(super) fn byte<'a>(b: u8, name: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, ()> {
    move |i: &'a [u8]| match i.first() {
        Some(&c) if c == b => Ok((&i[1..], ())),
        _ => miss(i, name),
    }
}

pub(super) fn atom(i: &[u8]) -> PResult<'_, &[u8]> {
    take_while1(is_atom_char)(i).or_else(|_: nom::Err<Failure<'_>>| miss(i, "atom"))
}

/// An atom as text (atoms are ASCII by construction).
pub(super) fn atom_str(i: &[u8]) -> PResult<'_, String> {
    let (rest, a) = atom(i)?;
    Ok((rest, String::from_utf8_lossy(a).into_owned()))
}

/// `number`: 1*DIGIT fitting in 32 bits (RFC 9051 §9).
pub(super) fn number(i: &[u8]) -> PResult<'_, u32> {
    let (rest, n) = number64(i)?;
    match u32::try_from(n) {
        Ok(n) => Ok((rest, n)),
        Err(_) => fail(i, "number below 2^32"),
    }
}

/// `nz-number`: a number other than 0.
pub(super) fn nz_number(i: &[u8]) -> PResult<'_, u32> {
    let (rest, n) = number(i)?;
    if n == 0 {
        return fail(i, "non-zero number");
    }
    Ok((rest, n))
}

/// `number64`: 1*DIGIT up to 2^63-1 (RFC 9051 §9).
pub(super) fn number64(i: &[u8]) -> PResult<'_, u64> {
    let (rest, digits) = take_while1(|b: u8| b.is_ascii_digit())(i)
        .or_else(|_: nom::Err<Failure<'_>>| miss(i, "number"))?;
    let mut n: u64 = 0;
    for &d in digits {
        n = match n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
        {
            Some(n) if n <= i64::MAX as u64 => n,
            _ => return fail(i, "number below 2^63"),
        };
    }
    Ok((rest, n))
}

/// `quoted`: DQUOTE *QUOTED-CHAR DQUOTE; `\` escapes only `"` and `\`;
/// 8-bit content must be UTF-8 (RFC 9051 §9 QUOTED-CHAR with UTF8-2..4).
pub(super) fn quoted(i: &[u8]) -> PResult<'_, Vec<u8>> {
    let (mut rest, ()) = byte(b'"', "quoted string")(i)?;
    let mut out = Vec::new();
    loop {
        match rest.split_first() {
            Some((b'"', tail)) => {
                if std::str::from_utf8(&out).is_err() {
                    return fail(i, "UTF-8 in quoted string");
                }
                return Ok((tail, out));
            }
            Some((b'\\', tail)) => match tail.split_first() {
                Some((&c @ (b'"' | b'\\'), tail)) => {
                    out.push(c);
                    rest = tail;
                }
                _ => return fail(tail, "escaped \" or \\"),
            },
            Some((&c, tail)) if c != b'\r' && c != b'\n' && c != 0 => {
                out.push(c);
                rest = tail;
            }
            _ => return fail(rest, "closing DQUOTE"),
        }
    }
}

/// `literal`: `{n}` or `{n+}` (RFC 7888), CRLF, then n octets, inline.
pub(super) fn literal(i: &[u8]) -> PResult<'_, &[u8]> {
    let (rest, ()) = byte(b'{', "literal")(i)?;
    let (rest, n) = number64(rest)?;
    let rest = rest.strip_prefix(b"+").unwrap_or(rest);
    let (rest, _) =
        tag(&b"}\r\n"[..])(rest).or_else(|_: nom::Err<Failure<'_>>| fail(rest, "} CRLF"))?;
    let Ok(n) = usize::try_from(n) else {
        return fail(i, "literal data");
    };
    let (after, data) =
        take(n)(rest).or_else(|_: nom::Err<Failure<'_>>| fail(rest, "literal data"))?;
    // CHAR8 excludes NUL (RFC 9051 §9); only literal8 may carry it.
    if data.contains(&0) {
        return fail(rest, "literal without NUL");
    }
    Ok((after, data))
}

/// `string`: quoted or literal.
pub(super) fn string(i: &[u8]) -> PResult<'_, Vec<u8>> {
    match i.first() {
        Some(b'"') => quoted(i),
        Some(b'{') => literal(i).map(|(rest, l)| (rest, l.to_vec())),
        _ => miss(i, "string"),
    }
}

/// `astring`: 1*ASTRING-CHAR or string.
pub(super) fn astring(i: &[u8]) -> PResult<'_, Vec<u8>> {
    match i.first() {
        Some(b'"' | b'{') => string(i),
        _ => take_while1(is_astring_char)(i)
            .map(|(rest, a): (&[u8], &[u8])| (rest, a.to_vec()))
            .or_else(|_: nom::Err<Failure<'_>>| miss(i, "astring")),
    }
}

/// `nstring`: string or NIL.
pub(super) fn nstring(i: &[u8]) -> PResult<'_, Option<Vec<u8>>> {
    if let Ok((rest, ())) = word("NIL")(i) {
        return Ok((rest, None));
    }
    string(i).map(|(rest, s)| (rest, Some(s)))
}

/// `mailbox`: "INBOX" (any case) or astring (RFC 9051 §9). Encoding
/// (modified UTF-7 or UTF-8) is left to the session.
pub(super) fn mailbox(i: &[u8]) -> PResult<'_, Mailbox> {
    let (rest, name) = astring(i).map_err(|e| {
        e.map(|mut f| {
            f.expected = Some("mailbox name");
            f
        })
    })?;
    Ok((rest, Mailbox::new(name)))
}

/// `list-mailbox`: 1*list-char or string (wildcards `*` and `%` allowed).
pub(super) fn list_mailbox(i: &[u8]) -> PResult<'_, Vec<u8>> {
    match i.first() {
        Some(b'"' | b'{') => string(i),
        _ => take_while1(is_list_char)(i)
            .map(|(rest, a): (&[u8], &[u8])| (rest, a.to_vec()))
            .or_else(|_: nom::Err<Failure<'_>>| miss(i, "mailbox pattern")),
    }
}

/// A parenthesised, space-separated list of at least one `item`.
pub(super) fn paren_list1<'a, O>(
    i: &'a [u8],
    item: impl Fn(&'a [u8]) -> PResult<'a, O>,
) -> PResult<'a, Vec<O>> {
    let (rest, ()) = byte(b'(', "(")(i)?;
    let (mut rest, first) = item(rest)?;
    let mut out = vec![first];
    loop {
        if let Some(tail) = rest.strip_prefix(b")") {
            return Ok((tail, out));
        }
        let (r, ()) = sp(rest).or_else(|_| fail(rest, "SP or )"))?;
        let (r, next) = item(r)?;
        out.push(next);
        rest = r;
    }
}

/// A parenthesised, space-separated list, possibly empty.
pub(super) fn paren_list0<'a, O>(
    i: &'a [u8],
    item: impl Fn(&'a [u8]) -> PResult<'a, O>,
) -> PResult<'a, Vec<O>> {
    if let Some(rest) = i.strip_prefix(b"()") {
        return Ok((rest, Vec::new()));
    }
    paren_list1(i, item)
}

/// A literal announced at the end of a line (RFC 9051 §4.3, RFC 7888,
/// RFC 3516 literal8 `~{n}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LiteralAnnouncement {
    /// Announced octets; an announcement too large for u64 saturates, so the
    /// limit check refuses it like any other oversize literal.
    pub size: u64,
    /// `{n}` waits for a continuation request; `{n+}` does not.
    pub synchronizing: bool,
    /// `~{n}`: literal8, may contain NUL.
    pub binary: bool,
    /// Where the announcement (`{` or `~`) starts in the line.
    pub start: usize,
}

/// The literal announcement ending `line` (given without its CRLF), if any.
pub(super) fn trailing_literal(line: &[u8]) -> Option<LiteralAnnouncement> {
    let body = line.strip_suffix(b"}")?;
    let (body, synchronizing) = match body.strip_suffix(b"+") {
        Some(b) => (b, false),
        None => (body, true),
    };
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = &body[open + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let size = digits.iter().fold(0u64, |n, &d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    let binary = open > 0 && body.get(open - 1) == Some(&b'~');
    let start = if binary { open - 1 } else { open };
    Some(LiteralAnnouncement {
        size,
        synchronizing,
        binary,
        start,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_unescapes_quote_and_backslash() {
        let (rest, s) = quoted(br#""a\"b\\c" x"#).unwrap();
        assert_eq!(s, br#"a"b\c"#);
        assert_eq!(rest, b" x");
    }

    #[test]
    fn quoted_rejects_other_escapes_and_line_ends() {
        assert!(quoted(br#""a\nb""#).is_err());
        assert!(quoted(b"\"a\r\nb\"").is_err());
        assert!(quoted(b"\"abc").is_err());
    }

    #[test]
    fn quoted_accepts_utf8_and_rejects_broken_utf8() {
        assert_eq!(
            quoted("\"Entwürfe\"".as_bytes()).unwrap().1,
            "Entwürfe".as_bytes()
        );
        assert!(quoted(b"\"a\xffb\"").is_err());
    }

    #[test]
    fn literal_reads_exactly_n_octets_sync_and_non_sync() {
        assert_eq!(
            literal(b"{3}\r\nab\"cd").unwrap(),
            (&b"cd"[..], &b"ab\""[..])
        );
        assert_eq!(
            literal(b"{2+}\r\n\r\nx").unwrap(),
            (&b"x"[..], &b"\r\n"[..])
        );
        assert_eq!(literal(b"{0}\r\n").unwrap().1, b"");
        assert!(literal(b"{5}\r\nabc").is_err());
        assert!(literal(b"{3}abc").is_err());
        assert!(literal(b"{3}\r\na\0b").is_err());
    }

    #[test]
    fn astring_takes_atom_with_bracket_quoted_or_literal() {
        assert_eq!(astring(b"a]b c").unwrap().1, b"a]b");
        assert_eq!(astring(b"\"\"").unwrap().1, b"");
        assert_eq!(astring(b"{1}\r\nx").unwrap().1, b"x");
        assert!(astring(b"(x").is_err());
        assert!(astring(b"a*b").unwrap().0 == b"*b");
    }

    #[test]
    fn nstring_reads_nil_in_any_case() {
        assert_eq!(nstring(b"nil").unwrap().1, None);
        assert_eq!(nstring(b"\"NIL\"").unwrap().1, Some(b"NIL".to_vec()));
    }

    #[test]
    fn numbers_refuse_overflow() {
        assert_eq!(number(b"4294967295").unwrap().1, u32::MAX);
        assert!(number(b"4294967296").is_err());
        assert_eq!(number64(b"9223372036854775807").unwrap().1, i64::MAX as u64);
        assert!(number64(b"9223372036854775808").is_err());
        assert!(nz_number(b"0").is_err());
    }

    #[test]
    fn mailbox_inbox_is_case_insensitive_other_names_are_not() {
        assert!(mailbox(b"inBox").unwrap().1.is_inbox());
        assert!(mailbox(b"\"INBOX\"").unwrap().1.is_inbox());
        assert_eq!(mailbox(b"Work").unwrap().1.as_bytes(), b"Work");
        assert_eq!(mailbox(b"inbox/x").unwrap().1.as_bytes(), b"inbox/x");
    }

    #[test]
    fn list_mailbox_allows_wildcards_unquoted() {
        assert_eq!(list_mailbox(b"%/*").unwrap().1, b"%/*");
        assert_eq!(list_mailbox(b"\"\"").unwrap().1, b"");
    }

    #[test]
    fn word_does_not_match_a_longer_atom() {
        assert!(word("FLAGS")(b"flags ").is_ok());
        assert!(word("FLAGS")(b"FLAGSX").is_err());
        assert!(word("FLAGS")(b"FLAGS.SILENT").is_err());
    }

    #[test]
    fn trailing_literal_reads_sync_non_sync_binary_and_saturates() {
        let a = trailing_literal(b"A1 LOGIN {5}").unwrap();
        assert_eq!(
            (a.size, a.synchronizing, a.binary, a.start),
            (5, true, false, 9)
        );
        let a = trailing_literal(b"x {12+}").unwrap();
        assert_eq!((a.size, a.synchronizing), (12, false));
        let a = trailing_literal(b"x UTF8 (~{3}").unwrap();
        assert!(a.binary);
        assert_eq!(a.start, 8);
        let a = trailing_literal(b"x {99999999999999999999999999}").unwrap();
        assert_eq!(a.size, u64::MAX);
        assert_eq!(trailing_literal(b"x {}"), None);
        assert_eq!(trailing_literal(b"x {1a}"), None);
        assert_eq!(trailing_literal(b"x \"{3}\""), None);
    }
}
