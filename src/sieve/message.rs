//! The message as Sieve sees it: its header fields, unfolded and decoded
//! (RFC 5228 §2.7.2, RFC 2047), editable by editheader (RFC 5293), the
//! addresses in them (RFC 5322 §3.4), and the body for `body` (RFC 5173),
//! read up to a bound. Owns no I/O: the caller hands in the bytes.

use base64::Engine;
use mail_parser::{MessageParser, MimeHeaders};

use super::script::BodyTransform;

/// One header field: its name and its value as written after the colon,
/// folding included (lines joined by CRLF).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    name: String,
    raw: String,
}

/// A message's header, editable, and the part of its body Sieve may scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    fields: Vec<Field>,
    /// The body as read (possibly cut at the bound).
    body: Vec<u8>,
    /// The whole message's size, for `size` (RFC 5228 §5.9).
    pub size: u64,
    edited: bool,
}

/// Fields editheader must leave alone (RFC 5293 §7).
const PROTECTED: &[&str] = &["received", "auto-submitted"];

impl Message {
    /// Splits `raw` (header and as much of the body as was read) into
    /// fields and body; `size` is the whole message's size.
    pub fn parse(raw: &[u8], size: u64) -> Self {
        let (header, body) = split_header(raw);
        let text = String::from_utf8_lossy(header);
        let mut fields: Vec<Field> = Vec::new();
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.starts_with([' ', '\t']) {
                if let Some(last) = fields.last_mut() {
                    last.raw.push_str("\r\n");
                    last.raw.push_str(line);
                }
                continue;
            }
            if let Some((name, value)) = line.split_once(':') {
                fields.push(Field {
                    name: name.trim_end().to_owned(),
                    raw: value.to_owned(),
                });
            }
        }
        Self {
            fields,
            body: body.to_vec(),
            size,
            edited: false,
        }
    }

    /// The decoded values of the fields named `name`, in order
    /// (unfolded, RFC 2047 words decoded, leading and trailing white space
    /// removed).
    pub fn header_values(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| decode_words(unfold(&f.raw).trim()))
            .collect()
    }

    pub fn has_field(&self, name: &str) -> bool {
        self.fields
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The addresses in the fields named `name` (RFC 5228 §5.1).
    pub fn addresses(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case(name))
            .flat_map(|f| parse_addresses(&unfold(&f.raw)))
            .collect()
    }

    /// The addresses of each field named `name`, field by field, for
    /// `:index` (RFC 5260 §6).
    pub fn address_fields(&self, name: &str) -> Vec<Vec<String>> {
        self.fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| parse_addresses(&unfold(&f.raw)))
            .collect()
    }

    /// `addheader` (RFC 5293 §4): first unless `last`; a non-ASCII value is
    /// RFC 2047-encoded.
    pub fn add_field(&mut self, name: &str, value: &str, last: bool) {
        let raw = if value.is_ascii() {
            format!(" {value}")
        } else {
            format!(
                " =?UTF-8?B?{}?=",
                base64::engine::general_purpose::STANDARD.encode(value)
            )
        };
        let field = Field {
            name: name.to_owned(),
            raw,
        };
        if last {
            self.fields.push(field);
        } else {
            self.fields.insert(0, field);
        }
        self.edited = true;
    }

    /// `deleteheader` (RFC 5293 §5): removes the fields named `name` (only
    /// the `index`th, counted from the end with `last`) whose decoded value
    /// `keep_if` does not spare. Protected fields stay.
    pub fn delete_fields(
        &mut self,
        name: &str,
        index: Option<(usize, bool)>,
        mut matches: impl FnMut(&str) -> bool,
    ) {
        if PROTECTED.iter().any(|p| p.eq_ignore_ascii_case(name)) {
            return;
        }
        let positions: Vec<usize> = self
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name.eq_ignore_ascii_case(name))
            .map(|(i, _)| i)
            .collect();
        let chosen: Vec<usize> = match index {
            None => positions,
            Some((n, last)) => {
                let picked = if last {
                    positions
                        .len()
                        .checked_sub(n)
                        .and_then(|i| positions.get(i))
                } else {
                    n.checked_sub(1).and_then(|i| positions.get(i))
                };
                picked.copied().into_iter().collect()
            }
        };
        let mut removed = 0;
        for at in chosen {
            let Some(field) = self.fields.get(at.saturating_sub(removed)) else {
                continue;
            };
            if matches(&decode_words(unfold(&field.raw).trim())) {
                self.fields.remove(at.saturating_sub(removed));
                removed += 1;
                self.edited = true;
            }
        }
    }

    /// The header section as edited, CRLF line ends and the empty line
    /// included; `None` if editheader changed nothing.
    pub fn rewritten_header(&self) -> Option<Vec<u8>> {
        self.edited.then(|| {
            let mut out = String::new();
            for field in &self.fields {
                out.push_str(&field.name);
                out.push(':');
                out.push_str(&field.raw);
                out.push_str("\r\n");
            }
            out.push_str("\r\n");
            out.into_bytes()
        })
    }

    /// The body texts a `body` test compares (RFC 5173 §5).
    pub(crate) fn body_texts(&self, transform: &BodyTransform) -> Vec<String> {
        if *transform == BodyTransform::Raw {
            return vec![String::from_utf8_lossy(&self.body).into_owned()];
        }
        let mut whole = self.rewritten_header().unwrap_or_else(|| {
            let mut out = String::new();
            for field in &self.fields {
                out.push_str(&format!("{}:{}\r\n", field.name, field.raw));
            }
            out.push_str("\r\n");
            out.into_bytes()
        });
        whole.extend_from_slice(&self.body);
        let Some(parsed) = MessageParser::default().parse(&whole) else {
            return Vec::new();
        };
        let wanted = |ctype: &str, subtype: &str| -> bool {
            match transform {
                BodyTransform::Content(types) => types.iter().any(|t| {
                    let t = t.to_ascii_lowercase();
                    match t.split_once('/') {
                        Some((a, b)) => {
                            a.eq_ignore_ascii_case(ctype) && b.eq_ignore_ascii_case(subtype)
                        }
                        None => t.is_empty() || t.eq_ignore_ascii_case(ctype),
                    }
                }),
                _ => ctype.eq_ignore_ascii_case("text"),
            }
        };
        parsed
            .parts
            .iter()
            .filter(|part| !part.is_multipart())
            .filter(|part| {
                let (ctype, subtype) = part.content_type().map_or(("text", "plain"), |c| {
                    (c.ctype(), c.subtype().unwrap_or(""))
                });
                wanted(ctype, subtype)
            })
            .map(|part| match part.text_contents() {
                Some(text) => text.to_owned(),
                None => String::from_utf8_lossy(part.contents()).into_owned(),
            })
            .collect()
    }
}

/// Header and body, split at the first empty line.
fn split_header(raw: &[u8]) -> (&[u8], &[u8]) {
    for (at, window) in raw.windows(2).enumerate() {
        if window == b"\n\n" {
            return (&raw[..at + 1], &raw[at + 2..]);
        }
        if window == b"\n\r" && raw.get(at + 2) == Some(&b'\n') {
            return (&raw[..at + 1], &raw[at + 3..]);
        }
    }
    (raw, &[])
}

/// RFC 5322 §2.2.3: a CRLF followed by white space is removed.
fn unfold(raw: &str) -> String {
    raw.replace("\r\n", "")
}

/// Decodes RFC 2047 encoded words in UTF-8, US-ASCII and ISO-8859-1; others
/// stay as written. White space between two encoded words goes (§6.2).
pub fn decode_words(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    let mut pending_space = String::new();
    let mut last_was_word = false;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("=?")
            && let Some((decoded, used)) = decode_word(after)
        {
            if !last_was_word {
                out.push_str(&pending_space);
            }
            pending_space.clear();
            out.push_str(&decoded);
            rest = &after[used..];
            last_was_word = true;
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        rest = &rest[c.len_utf8()..];
        if c == ' ' || c == '\t' {
            pending_space.push(c);
            continue;
        }
        out.push_str(&pending_space);
        pending_space.clear();
        out.push(c);
        last_was_word = false;
    }
    out.push_str(&pending_space);
    out
}

/// `charset?encoding?text?=` after the `=?`: the decoded text and the bytes used.
fn decode_word(after: &str) -> Option<(String, usize)> {
    let end = after.find("?=")?;
    let mut pieces = after[..end].splitn(3, '?');
    let charset = pieces.next()?.split('*').next()?.to_ascii_lowercase();
    let encoding = pieces.next()?;
    let text = pieces.next()?;
    if text.contains(' ') {
        return None;
    }
    let bytes = match encoding {
        "B" | "b" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?,
        "Q" | "q" => decode_q(text)?,
        _ => return None,
    };
    let decoded = match charset.as_str() {
        "utf-8" | "us-ascii" => String::from_utf8(bytes).ok()?,
        "iso-8859-1" | "latin1" => bytes.iter().map(|&b| char::from(b)).collect(),
        _ => return None,
    };
    Some((decoded, end + 2))
}

fn decode_q(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = [bytes.next()?, bytes.next()?];
                out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// The addr-specs of an address list (RFC 5322 §3.4): `<...>` when there,
/// the bare address otherwise, groups opened up, comments dropped.
pub fn parse_addresses(value: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut angle, mut comment) = (false, false, 0u32);
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted || comment > 0 => escaped = true,
            '"' if comment == 0 => {
                quoted = !quoted;
                current.push(c);
            }
            '(' if !quoted => comment += 1,
            ')' if !quoted && comment > 0 => comment -= 1,
            _ if comment > 0 => {}
            '<' if !quoted => {
                angle = true;
                current.push(c);
            }
            '>' if !quoted => {
                angle = false;
                current.push(c);
            }
            ':' if !quoted && !angle => current.clear(),
            ',' | ';' if !quoted && !angle => items.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    items.push(current);
    items
        .iter()
        .filter_map(|item| {
            let item = item.trim();
            let address = match (item.find('<'), item.rfind('>')) {
                (Some(open), Some(close)) if open < close => &item[open + 1..close],
                _ => item,
            };
            let address = address.trim();
            (!address.is_empty()).then(|| address.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_and_encoded_values_are_decoded() {
        let message = Message::parse(
            b"Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n =?ISO-8859-1?Q?_und_Tsch=FC?=\r\n\r\nbody",
            40,
        );
        assert_eq!(message.header_values("subject"), vec!["Grüße und Tschü"]);
    }

    #[test]
    fn address_lists() {
        assert_eq!(
            parse_addresses("\"Doe, J\" <j@x.org>, b@y.org (Bee), team: c@z.org, d@z.org;"),
            vec!["j@x.org", "b@y.org", "c@z.org", "d@z.org"]
        );
    }

    #[test]
    fn protected_fields_cannot_be_deleted() {
        let mut message = Message::parse(b"Received: x\nX-A: 1\n\n", 20);
        message.delete_fields("received", None, |_| true);
        message.delete_fields("x-a", None, |_| true);
        assert!(message.has_field("Received"));
        assert!(!message.has_field("X-A"));
        assert_eq!(message.rewritten_header().unwrap(), b"Received: x\r\n\r\n");
    }

    #[test]
    fn body_text_of_a_multipart() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhello\n--b\nContent-Type: application/octet-stream\n\nbinary\n--b--\n";
        let message = Message::parse(raw, raw.len() as u64);
        let texts = message.body_texts(&BodyTransform::Text);
        assert_eq!(texts.len(), 1);
        assert!(texts[0].contains("hello"));
    }
}
