//! Message flags in commands (RFC 9051 §9 flag, flag-list): the system flags,
//! keywords (RFC 9051 §2.3.2) and flag extensions (`\` atom, such as the
//! rev1 `\Recent`, which the session refuses where it is not allowed).

use crate::store::{Keyword, SystemFlag};

use super::error::{PResult, fail, miss};
use super::primitives::{atom, paren_list0};

/// A flag as a command names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    System(SystemFlag),
    Keyword(Keyword),
    /// `\` atom other than a system flag, without the backslash.
    Extension(String),
}

/// `flag`: `\Answered` ... `\Draft`, a flag-extension or a keyword.
pub(super) fn flag(i: &[u8]) -> PResult<'_, Flag> {
    if let Some(tail) = i.strip_prefix(b"\\") {
        let (rest, name) = atom(tail).or_else(|_| miss(i, "flag"))?;
        let system = SystemFlag::ALL
            .into_iter()
            .find(|f| f.as_imap().as_bytes()[1..].eq_ignore_ascii_case(name));
        let flag = match system {
            Some(system) => Flag::System(system),
            None => Flag::Extension(String::from_utf8_lossy(name).into_owned()),
        };
        return Ok((rest, flag));
    }
    let (rest, name) = atom(i).or_else(|_| miss(i, "flag"))?;
    match Keyword::new(&String::from_utf8_lossy(name)) {
        Ok(keyword) => Ok((rest, Flag::Keyword(keyword))),
        Err(_) => fail(i, "keyword of at most 128 octets"),
    }
}

/// `flag-list`: `(` [flag *(SP flag)] `)`.
pub(super) fn flag_list(i: &[u8]) -> PResult<'_, Vec<Flag>> {
    paren_list0(i, flag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_flags_are_case_insensitive() {
        assert_eq!(flag(b"\\seen").unwrap().1, Flag::System(SystemFlag::Seen));
        assert_eq!(flag(b"\\DRAFT").unwrap().1, Flag::System(SystemFlag::Draft));
    }

    #[test]
    fn keywords_and_extensions_are_told_apart() {
        assert_eq!(
            flag(b"$Forwarded").unwrap().1,
            Flag::Keyword(Keyword::new("$Forwarded").unwrap())
        );
        assert_eq!(
            flag(b"\\Recent").unwrap().1,
            Flag::Extension("Recent".into())
        );
    }

    #[test]
    fn flag_list_may_be_empty_and_needs_parentheses() {
        assert_eq!(flag_list(b"()").unwrap().1, vec![]);
        assert_eq!(flag_list(b"(\\Seen $Junk)").unwrap().1.len(), 2);
        assert!(flag_list(b"\\Seen").is_err());
        assert!(flag_list(b"(\\Seen ").is_err());
    }

    #[test]
    fn overlong_keyword_is_refused() {
        let long = format!("({})", "k".repeat(200));
        assert!(flag_list(long.as_bytes()).is_err());
    }
}
