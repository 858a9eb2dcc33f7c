//! Turns a message into the set of tokens the model counts: body words,
//! words of chosen header fields prefixed by the field's name,
//! the hosts of URLs, and a few MIME facts.
//!
//! It must not let what identifies the corpus or the moment decide: the
//! recipient fields, trace fields (Received, Return-Path, Delivered-To),
//! dates, bare numbers and our own `X-Spam-*` fields are never tokens.

use std::collections::BTreeSet;

use mail_parser::{Address, MimeHeaders};

use crate::antispam::message::Scanned;

/// Words shorter than this carry little and are skipped.
const MIN_WORD: usize = 3;
/// Longer runs are rarely words (encoded data, hashes): summarised.
const MAX_WORD: usize = 20;
/// A bound on the tokens one message contributes.
const MAX_TOKENS: usize = 4000;

/// The distinct tokens of one message (Robinson's presence model: a token
/// counts once per message however often it occurs).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TokenSet(BTreeSet<String>);

impl TokenSet {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn insert(&mut self, token: String) {
        if self.0.len() < MAX_TOKENS {
            self.0.insert(token);
        }
    }
}

/// The tokens of a parsed message.
pub fn tokenize(scanned: &Scanned<'_>) -> TokenSet {
    let mut tokens = TokenSet::default();
    let message = &scanned.message;
    if let Some(subject) = message.subject() {
        words(subject, "subject:", &mut tokens);
    }
    if let Some(from) = message.from() {
        address_tokens(from, "from:", &mut tokens);
    }
    if let Some(reply_to) = message.reply_to() {
        address_tokens(reply_to, "reply-to:", &mut tokens);
    }
    for name in ["X-Mailer", "User-Agent"] {
        if let Some(value) = message.header_raw(name) {
            words(value, "mailer:", &mut tokens);
        }
    }
    for part in message.parts.iter() {
        if let Some(content_type) = part.content_type() {
            let subtype = content_type.subtype().unwrap_or("");
            tokens.insert(format!(
                "type:{}/{}",
                content_type.ctype().to_ascii_lowercase(),
                subtype.to_ascii_lowercase()
            ));
            if let Some(charset) = content_type.attribute("charset") {
                tokens.insert(format!("charset:{}", charset.to_ascii_lowercase()));
            }
        }
        if let Some(name) = part.attachment_name()
            && let Some((_, extension)) = name.rsplit_once('.')
        {
            tokens.insert(format!("attachment:{}", extension.to_ascii_lowercase()));
        }
    }
    if scanned.has_html_part && !scanned.has_plain_part {
        tokens.insert("mime:html-only".to_owned());
    }
    for host in url_hosts(&scanned.text).chain(url_hosts(&scanned.html)) {
        host_tokens(&host, &mut tokens);
    }
    words(&scanned.text, "", &mut tokens);
    tokens
}

/// Display-name words and the address's domain (never the local part: it
/// names the person, and in the corpus the people are fixed).
fn address_tokens(address: &Address<'_>, prefix: &str, tokens: &mut TokenSet) {
    for addr in address.iter() {
        if let Some(name) = addr.name() {
            words(name, prefix, tokens);
        }
        match addr.address().and_then(|a| a.rsplit_once('@')) {
            Some((_, domain)) => tokens.insert(format!("{prefix}@{}", domain.to_lowercase())),
            None => tokens.insert(format!("{prefix}no-address")),
        }
    }
}

/// A URL's host and its parent domains (`url:a.b.example.com`,
/// `url:example.com`), so a new subdomain of a known host still counts.
fn host_tokens(host: &str, tokens: &mut TokenSet) {
    tokens.insert(format!("url:{host}"));
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() > 2 && !labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit())) {
        for start in 1..labels.len() - 1 {
            tokens.insert(format!("url:{}", labels[start..].join(".")));
        }
    }
}

/// Hosts of `http://`, `https://` and `www.` references in `text`,
/// lowercased.
pub(crate) fn url_hosts(text: &str) -> impl Iterator<Item = String> + '_ {
    let lower_starts = ["http://", "https://", "www."];
    text.char_indices().filter_map(move |(at, _)| {
        let rest = text.get(at..)?;
        let head = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
        let skip = lower_starts
            .iter()
            .find(|start| head.starts_with(**start))
            .map(|start| if *start == "www." { 0 } else { start.len() })?;
        // Only at a word start, so "awww." is not a URL.
        if text
            .get(..at)
            .and_then(|before| before.chars().next_back())
            .is_some_and(char::is_alphanumeric)
        {
            return None;
        }
        let host: String = rest
            .get(skip..)?
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
            .collect::<String>()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        host.contains('.').then_some(host)
    })
}

/// Splits `text` into words: runs of letters, digits and a few joiners
/// (`'`, `$`, `-`) kept inside. Words are lowercased, except that a
/// shouting word (all capitals) also gives an `upper:` token; pure numbers
/// (dates, prices, years) are dropped. Word pairs were measured and left
/// out: on the corpus they moved no figure beyond noise (bench/README.md).
fn words(text: &str, prefix: &str, tokens: &mut TokenSet) {
    for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '$' || c == '-')) {
        let word = raw.trim_matches(|c| c == '\'' || c == '-');
        let length = word.chars().count();
        if length < MIN_WORD || word.chars().all(|c| !c.is_alphabetic()) {
            continue;
        }
        if length > MAX_WORD {
            let first = word.chars().next().unwrap_or('x').to_lowercase();
            tokens.insert(format!("{prefix}skip:{first}:{}", length / 10 * 10));
            continue;
        }
        let lower = word.to_lowercase();
        if length >= 4 && word.chars().all(|c| !c.is_lowercase()) {
            tokens.insert(format!("{prefix}upper:{lower}"));
        }
        tokens.insert(format!("{prefix}{lower}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens_of(raw: &[u8]) -> Vec<String> {
        let scanned = Scanned::parse(raw).unwrap();
        tokenize(&scanned).iter().map(str::to_owned).collect()
    }

    #[test]
    fn header_words_are_prefixed_and_recipients_ignored() {
        let tokens = tokens_of(
            b"Subject: Cheap Pills\r\nFrom: Dr Who <who@pharma.example>\r\nTo: alice@corp.example\r\n\r\nbody text\r\n",
        );
        assert!(tokens.contains(&"subject:cheap".to_owned()));
        assert!(tokens.contains(&"from:@pharma.example".to_owned()));
        assert!(
            !tokens
                .iter()
                .any(|t| t.contains("alice") || t.contains("corp.example"))
        );
    }

    #[test]
    fn numbers_are_not_tokens_but_shouting_is() {
        let tokens = tokens_of(b"Subject: x\r\n\r\nFREE money 2002 12345\r\n");
        assert!(tokens.contains(&"upper:free".to_owned()));
        assert!(tokens.contains(&"money".to_owned()));
        assert!(!tokens.iter().any(|t| t.contains("2002")));
    }

    #[test]
    fn url_hosts_with_parents() {
        let tokens = tokens_of(b"Subject: x\r\n\r\nsee http://a.b.shop.example/x?y\r\n");
        assert!(tokens.contains(&"url:a.b.shop.example".to_owned()));
        assert!(tokens.contains(&"url:shop.example".to_owned()));
    }
}
