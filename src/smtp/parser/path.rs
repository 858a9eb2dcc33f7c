//! Domains, address literals, mailboxes and paths of RFC 5321 §4.1.2 and
//! §4.1.3, with the UTF-8 forms of RFC 6531 §3.3 (the session decides
//! whether those are allowed). No I/O, no protocol decisions.

use nom::IResult;
use nom::Parser;
use nom::bytes::complete::{tag, take_while1};
use nom::combinator::opt;

/// A mailbox (`local@domain`) in its canonical text form: a quoted local
/// part that needs no quotes is unquoted (RFC 5321 §4.1.2 calls the two
/// forms equivalent), every other byte as the client wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox(String);

impl Mailbox {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain part, after the last `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }

    /// Whether it is all ASCII; a UTF-8 address needs SMTPUTF8 (RFC 6531 §3.2).
    pub fn is_ascii(&self) -> bool {
        self.0.is_ascii()
    }
}

/// A client's EHLO/HELO argument (RFC 5321 §4.1.1.1), as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientIdentity {
    Domain(String),
    /// `[192.0.2.1]`, `[IPv6:2001:db8::1]`, brackets included.
    AddressLiteral(String),
}

impl ClientIdentity {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Domain(text) | Self::AddressLiteral(text) => text,
        }
    }
}

/// atext of RFC 5322 §3.2.3, with UTF-8 octets (RFC 6531 §3.3 `UTF8-non-ascii`).
fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b) || b >= 0x80
}

/// Let-dig / Ldh-str characters, UTF-8 U-labels (RFC 6531 §3.3) and `_`,
/// which real clients put in their EHLO names.
fn is_label_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b >= 0x80
}

fn utf8(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

/// `Domain = sub-domain *("." sub-domain)`.
pub(super) fn domain(i: &[u8]) -> IResult<&[u8], &str> {
    let (rest, text) = take_while1(|b| is_label_char(b) || b == b'.').parse(i)?;
    let valid = text.len() <= 255
        && text
            .split(|&b| b == b'.')
            .all(|label| !label.is_empty() && label.first() != Some(&b'-'));
    match utf8(text) {
        Some(text) if valid => Ok((rest, text)),
        _ => Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Verify,
        ))),
    }
}

/// `address-literal = "[" ( IPv4 / "IPv6:" IPv6 / tag ":" dcontent ) "]"`;
/// the address itself must parse.
pub(super) fn address_literal(i: &[u8]) -> IResult<&[u8], &str> {
    let (rest, _) = tag(&b"["[..]).parse(i)?;
    let (rest, inner) =
        take_while1(|b: u8| (0x21..0x7f).contains(&b) && b != b'[' && b != b']').parse(rest)?;
    let (rest, _) = tag(&b"]"[..]).parse(rest)?;
    let inner_text = utf8(inner).unwrap_or_default();
    let valid = match inner_text.get(..5) {
        Some(prefix) if prefix.eq_ignore_ascii_case("IPv6:") => inner_text
            .get(5..)
            .is_some_and(|v6| v6.parse::<std::net::Ipv6Addr>().is_ok()),
        _ => inner_text.parse::<std::net::Ipv4Addr>().is_ok(),
    };
    let whole = i.len() - rest.len();
    match (valid, i.get(..whole).and_then(utf8)) {
        (true, Some(text)) => Ok((rest, text)),
        _ => Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Verify,
        ))),
    }
}

/// The EHLO/HELO argument.
pub(super) fn client_identity(i: &[u8]) -> IResult<&[u8], ClientIdentity> {
    if let Ok((rest, literal)) = address_literal(i) {
        return Ok((rest, ClientIdentity::AddressLiteral(literal.to_owned())));
    }
    let (rest, name) = domain(i)?;
    Ok((rest, ClientIdentity::Domain(name.to_owned())))
}

/// `Dot-string = Atom *("." Atom)`.
fn dot_string(i: &[u8]) -> IResult<&[u8], &[u8]> {
    let (rest, text) = take_while1(|b| is_atext(b) || b == b'.').parse(i)?;
    let valid =
        !text.starts_with(b".") && !text.ends_with(b".") && !text.windows(2).any(|w| w == b"..");
    if valid {
        Ok((rest, text))
    } else {
        Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Verify,
        )))
    }
}

/// `Quoted-string = DQUOTE *QcontentSMTP DQUOTE`, returned unescaped.
fn quoted_string(i: &[u8]) -> IResult<&[u8], Vec<u8>> {
    let error = || nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Verify));
    let mut rest = i.strip_prefix(b"\"").ok_or_else(error)?;
    let mut content = Vec::new();
    loop {
        match rest {
            [b'"', tail @ ..] => return Ok((tail, content)),
            // quoted-pairSMTP: %d92 %d32-126
            [b'\\', quoted, tail @ ..] if (32..=126).contains(quoted) => {
                content.push(*quoted);
                rest = tail;
            }
            // qtextSMTP: %d32-33 / %d35-91 / %d93-126, and UTF-8
            [b, tail @ ..] if (*b >= 32 && *b != b'"' && *b != b'\\' && *b != 127) => {
                content.push(*b);
                rest = tail;
            }
            _ => return Err(error()),
        }
    }
}

/// `Local-part = Dot-string / Quoted-string`, canonical: quotes are kept
/// only where the content is no Dot-string.
fn local_part(i: &[u8]) -> IResult<&[u8], String> {
    if let Ok((rest, atoms)) = dot_string(i) {
        let text = utf8(atoms).ok_or_else(|| {
            nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Verify))
        })?;
        return Ok((rest, text.to_owned()));
    }
    let (rest, content) = quoted_string(i)?;
    let text = String::from_utf8(content)
        .map_err(|_| nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Verify)))?;
    let plain =
        !text.is_empty() && matches!(dot_string(text.as_bytes()), Ok((rest, _)) if rest.is_empty());
    if plain {
        return Ok((rest, text));
    }
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    Ok((rest, format!("\"{escaped}\"")))
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )`.
pub(super) fn mailbox(i: &[u8]) -> IResult<&[u8], Mailbox> {
    let (rest, local) = local_part(i)?;
    let (rest, _) = tag(&b"@"[..]).parse(rest)?;
    let (rest, domain) = match address_literal(rest) {
        Ok(found) => found,
        Err(_) => domain(rest)?,
    };
    // RFC 5321 §4.5.3.1.1 and §4.5.3.1.2.
    if local.len() > 64 + 2 || domain.len() > 255 {
        return Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::TooLarge,
        )));
    }
    Ok((rest, Mailbox(format!("{local}@{domain}"))))
}

/// `A-d-l ":"`: a source route, parsed and ignored (RFC 5321 §4.1.2, §C).
fn source_route(i: &[u8]) -> IResult<&[u8], ()> {
    let (mut rest, _) = (tag(&b"@"[..]), domain).parse(i)?;
    while let Ok((tail, _)) = (tag(&b",@"[..]), domain).parse(rest) {
        rest = tail;
    }
    let (rest, _) = tag(&b":"[..]).parse(rest)?;
    Ok((rest, ()))
}

/// `Path = "<" [ A-d-l ":" ] Mailbox ">"`.
pub(super) fn path(i: &[u8]) -> IResult<&[u8], Mailbox> {
    let (rest, _) = tag(&b"<"[..]).parse(i)?;
    let (rest, _) = opt(source_route).parse(rest)?;
    let (rest, found) = mailbox(rest)?;
    let (rest, _) = tag(&b">"[..]).parse(rest)?;
    Ok((rest, found))
}
