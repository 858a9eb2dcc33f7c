//! `encoded-character` (RFC 5228 §2.4.2.4): `${hex:...}` and
//! `${unicode:...}` in strings, decoded when the script is compiled.

/// Decodes every well-formed sequence; a malformed one stays as written
/// (RFC 5228 §2.4.2.4), but an encoded octet sequence that is not UTF-8 or
/// a code point that is not a character is an error.
pub(super) fn decode(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match decode_one(after)? {
            Some((decoded, used)) => {
                out.push_str(&decoded);
                rest = &after[used..];
            }
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// `hex:` or `unicode:` up to `}`; the decoded text and the bytes used.
fn decode_one(after: &str) -> Result<Option<(String, usize)>, String> {
    let Some(end) = after.find('}') else {
        return Ok(None);
    };
    let inner = &after[..end];
    let Some(colon) = inner.find(':') else {
        return Ok(None);
    };
    let (kind, values) = (inner[..colon].to_ascii_lowercase(), &inner[colon + 1..]);
    let words: Vec<&str> = values
        .split([' ', '\t', '\r', '\n'])
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty()
        || !words
            .iter()
            .all(|w| w.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Ok(None);
    }
    let decoded = match kind.as_str() {
        "hex" => {
            let mut bytes = Vec::new();
            for word in &words {
                if word.len() > 2 {
                    return Ok(None);
                }
                bytes.push(u8::from_str_radix(word, 16).map_err(|e| e.to_string())?);
            }
            String::from_utf8(bytes).map_err(|_| "encoded octets are not UTF-8".to_owned())?
        }
        "unicode" => {
            let mut text = String::new();
            for word in &words {
                let code =
                    u32::from_str_radix(word, 16).map_err(|_| "code point too large".to_owned())?;
                text.push(
                    char::from_u32(code).ok_or_else(|| format!("U+{word} is not a character"))?,
                );
            }
            text
        }
        _ => return Ok(None),
    };
    Ok(Some((decoded, end + 1)))
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn hex_and_unicode() {
        assert_eq!(decode("${hex:48 69}!").unwrap(), "Hi!");
        assert_eq!(decode("${unicode:20AC} ${UNICODE:41}").unwrap(), "€ A");
    }

    #[test]
    fn malformed_stays_as_written() {
        assert_eq!(
            decode("${hex:zz} ${x} ${hex:").unwrap(),
            "${hex:zz} ${x} ${hex:"
        );
    }

    #[test]
    fn invalid_code_point_is_an_error() {
        assert!(decode("${unicode:D800}").is_err());
        assert!(decode("${hex:ff}").is_err());
    }
}
