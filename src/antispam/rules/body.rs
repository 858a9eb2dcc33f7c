//! Body and MIME rules: HTML without a text alternative, text obfuscated
//! against filters, links whose visible text shows another host than they
//! go to, and attachment types that run code.

use mail_parser::MimeHeaders;

use super::{RuleHit, hit};
use crate::antispam::message::{Scanned, html_to_text};

/// Extensions Windows and mail clients run or open as code.
const EXECUTABLE: &[&str] = &[
    "exe", "scr", "pif", "bat", "cmd", "com", "js", "jse", "vbs", "vbe", "jar", "lnk", "hta",
    "wsf", "cpl", "msi", "ps1", "reg", "iso", "img",
];
/// How many obfuscated words make the rule match.
const OBFUSCATED_WORDS: usize = 3;

pub(super) fn check(scanned: &Scanned<'_>, hits: &mut Vec<RuleHit>) {
    if scanned.has_html_part && !scanned.has_plain_part {
        hit(hits, "HTML_ONLY", 0.8);
    }
    if is_obfuscated(&scanned.text, &scanned.html) {
        hit(hits, "OBFUSCATED_TEXT", 1.5);
    }
    if links(&scanned.html).any(|(href, text)| link_text_differs(&href, &text)) {
        hit(hits, "LINK_TEXT_MISMATCH", 2.0);
    }
    let mut suspicious = false;
    for part in scanned.message.parts.iter() {
        if let Some(name) = part.attachment_name() {
            suspicious |= is_suspicious_attachment(name);
        }
    }
    if suspicious {
        hit(hits, "SUSPICIOUS_ATTACHMENT", 2.5);
    }
}

/// Words with digits or symbols standing in for letters (`v1agra`,
/// `c@sh`), letters spaced apart (`F R E E`), invisible characters, or
/// HTML comments splitting a word (`Via<!-- -->gra`).
fn is_obfuscated(text: &str, html: &str) -> bool {
    if text.contains(['\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}']) {
        return true;
    }
    let split_by_comment = html.match_indices("<!--").any(|(at, _)| {
        let before = html.get(..at).and_then(|b| b.chars().next_back());
        let after = html
            .get(at..)
            .and_then(|rest| rest.find("-->").and_then(|end| rest.get(end + 3..)))
            .and_then(|rest| rest.chars().next());
        before.is_some_and(char::is_alphabetic) && after.is_some_and(char::is_alphabetic)
    });
    if split_by_comment {
        return true;
    }
    let substituted = text
        .split_whitespace()
        .filter(|word| is_substituted(word))
        .count();
    substituted >= OBFUSCATED_WORDS || has_spaced_letters(text)
}

/// Letters with a digit or `@`/`$`/`|` inside a word of otherwise letters:
/// `v1agra`, `m0ney`, `c@sh`. Words with several digits (model numbers,
/// `mp3`) and addresses are not.
fn is_substituted(word: &str) -> bool {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 || word.contains('.') {
        return false;
    }
    let odd: Vec<usize> = chars
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c, '0' | '1' | '3' | '4' | '@' | '$' | '|'))
        .map(|(i, _)| i)
        .collect();
    let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
    odd.len() == 1
        && letters + 1 == chars.len()
        && odd.iter().all(|&i| i > 0 && i + 1 < chars.len())
}

/// Four or more single letters separated by spaces or dots: `F R E E`,
/// `V.I.A.G.R.A`.
fn has_spaced_letters(text: &str) -> bool {
    let mut run = 0;
    for piece in text.split([' ', '.']) {
        let mut chars = piece.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_alphabetic() => {
                run += 1;
                if run >= 4 {
                    return true;
                }
            }
            (None, _) => {}
            _ => run = 0,
        }
    }
    false
}

/// `(href, visible text)` of each `<a href=...>...</a>` in `html`.
pub(crate) fn links(html: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let lower = html.to_ascii_lowercase();
    let starts: Vec<usize> = lower.match_indices("<a ").map(|(at, _)| at).collect();
    starts.into_iter().filter_map(move |at| {
        let tag_end = at + html.get(at..)?.find('>')?;
        let tag = html.get(at..tag_end)?;
        let href = attribute(tag, "href")?;
        let rest = html.get(tag_end + 1..)?;
        let close = rest.to_ascii_lowercase().find("</a")?;
        let text = html_to_text(rest.get(..close)?);
        Some((href, text.trim().to_owned()))
    })
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find(&format!("{name}="))? + name.len() + 1;
    let value = tag.get(at..)?;
    let value = match value.chars().next()? {
        quote @ ('"' | '\'') => value.get(1..)?.split(quote).next()?,
        _ => value.split(|c: char| c.is_whitespace()).next()?,
    };
    Some(value.to_owned())
}

/// The visible text is itself a URL or host whose registrable part differs
/// from where the link goes.
fn link_text_differs(href: &str, text: &str) -> bool {
    let (Some(target), Some(shown)) = (host_of(href), host_of(text)) else {
        return false;
    };
    !(target == shown
        || target.ends_with(&format!(".{shown}"))
        || shown.ends_with(&format!(".{target}")))
}

fn host_of(reference: &str) -> Option<String> {
    let lower = reference.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))
        .or_else(|| lower.starts_with("www.").then_some(lower.as_str()))?;
    let host: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    let host = host
        .trim_start_matches("www.")
        .trim_end_matches('.')
        .to_owned();
    host.contains('.').then_some(host)
}

/// An executable extension, also behind a decoy (`invoice.pdf.exe`).
fn is_suspicious_attachment(name: &str) -> bool {
    let lower = name
        .trim()
        .trim_end_matches(['"', '.'])
        .to_ascii_lowercase();
    lower
        .rsplit_once('.')
        .is_some_and(|(_, extension)| EXECUTABLE.contains(&extension))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_shapes() {
        assert!(is_substituted("v1agra"));
        assert!(is_substituted("c@sh!"));
        assert!(!is_substituted("mp3"));
        assert!(!is_substituted("2002"));
        assert!(!is_substituted("win2000"));
    }

    #[test]
    fn spaced_letters() {
        assert!(has_spaced_letters("get F R E E stuff"));
        assert!(has_spaced_letters("V.I.A.G.R.A now"));
        assert!(!has_spaced_letters("a b c and more"));
    }

    #[test]
    fn link_mismatch_only_when_text_is_a_url() {
        assert!(link_text_differs(
            "http://evil.example/x",
            "https://www.bank.example"
        ));
        assert!(!link_text_differs(
            "http://www.bank.example/x",
            "www.bank.example"
        ));
        assert!(!link_text_differs("http://evil.example/x", "click here"));
    }

    #[test]
    fn links_are_found() {
        let found: Vec<_> =
            links(r#"<p><A HREF="http://a.example/">see <b>here</b></a></p>"#).collect();
        assert_eq!(
            found,
            vec![("http://a.example/".to_owned(), "see  here".to_owned())]
        );
    }

    #[test]
    fn executables_even_behind_a_decoy() {
        assert!(is_suspicious_attachment("invoice.pdf.exe"));
        assert!(!is_suspicious_attachment("report.pdf"));
    }
}
