//! Message flags (RFC 9051 §2.3.2): system flags, keywords, and how STORE
//! changes them. No I/O.

use super::error::NameError;

/// The system flags of RFC 9051 §2.3.2 the store keeps (\Recent belongs to sessions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SystemFlag {
    Seen,
    Answered,
    Flagged,
    Deleted,
    Draft,
}

impl SystemFlag {
    pub const ALL: [SystemFlag; 5] = [
        Self::Seen,
        Self::Answered,
        Self::Flagged,
        Self::Deleted,
        Self::Draft,
    ];

    fn bit(self) -> u8 {
        match self {
            Self::Seen => 1,
            Self::Answered => 2,
            Self::Flagged => 4,
            Self::Deleted => 8,
            Self::Draft => 16,
        }
    }

    pub fn as_imap(self) -> &'static str {
        match self {
            Self::Seen => "\\Seen",
            Self::Answered => "\\Answered",
            Self::Flagged => "\\Flagged",
            Self::Deleted => "\\Deleted",
            Self::Draft => "\\Draft",
        }
    }
}

/// A keyword flag (RFC 9051 §2.3.2): an atom not starting with `\`, compared
/// case-insensitively.
#[derive(Debug, Clone, Eq)]
pub struct Keyword(String);

/// Longest accepted keyword in octets.
pub const MAX_KEYWORD_LEN: usize = 128;

impl Keyword {
    pub fn new(atom: &str) -> Result<Self, NameError> {
        // atom-char excludes atom-specials and `]` (RFC 9051 §9, flag-keyword).
        let bad = |c: char| {
            !c.is_ascii_graphic() || matches!(c, '(' | ')' | '{' | '%' | '*' | '"' | '\\' | ']')
        };
        if atom.is_empty() || atom.len() > MAX_KEYWORD_LEN || atom.chars().any(bad) {
            return Err(NameError::BadKeyword);
        }
        Ok(Self(atom.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Keyword {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl std::hash::Hash for Keyword {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_ascii_lowercase().hash(state);
    }
}

/// The flags of one message: system flags and keywords.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    system: u8,
    keywords: Vec<Keyword>,
}

impl Flags {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, flag: SystemFlag) -> Self {
        self.insert(flag);
        self
    }

    pub fn with_keyword(mut self, keyword: Keyword) -> Self {
        self.insert_keyword(keyword);
        self
    }

    pub fn insert(&mut self, flag: SystemFlag) {
        self.system |= flag.bit();
    }

    pub fn insert_keyword(&mut self, keyword: Keyword) {
        if !self.keywords.contains(&keyword) {
            self.keywords.push(keyword);
        }
    }

    pub fn contains(&self, flag: SystemFlag) -> bool {
        self.system & flag.bit() != 0
    }

    pub fn has_keyword(&self, keyword: &Keyword) -> bool {
        self.keywords.contains(keyword)
    }

    pub fn system(&self) -> impl Iterator<Item = SystemFlag> + '_ {
        SystemFlag::ALL.into_iter().filter(|f| self.contains(*f))
    }

    pub fn keywords(&self) -> &[Keyword] {
        &self.keywords
    }

    /// Applies a STORE operation (RFC 9051 §6.4.6).
    pub fn apply(&self, op: FlagOp, change: &Flags) -> Flags {
        match op {
            FlagOp::Replace => change.clone(),
            FlagOp::Add => {
                let mut out = self.clone();
                out.system |= change.system;
                for k in &change.keywords {
                    out.insert_keyword(k.clone());
                }
                out
            }
            FlagOp::Remove => Flags {
                system: self.system & !change.system,
                keywords: self
                    .keywords
                    .iter()
                    .filter(|k| !change.keywords.contains(k))
                    .cloned()
                    .collect(),
            },
        }
    }

    /// Equal as sets (keyword order and case do not matter).
    pub fn same_as(&self, other: &Flags) -> bool {
        self.system == other.system
            && self.keywords.len() == other.keywords.len()
            && self.keywords.iter().all(|k| other.keywords.contains(k))
    }

    pub(crate) fn system_bits(&self) -> u8 {
        self.system
    }

    pub(crate) fn from_parts(system: u8, keywords: Vec<Keyword>) -> Self {
        Self { system, keywords }
    }
}

/// How a STORE changes flags (RFC 9051 §6.4.6: FLAGS, +FLAGS, -FLAGS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagOp {
    Replace,
    Add,
    Remove,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw(s: &str) -> Keyword {
        Keyword::new(s).unwrap()
    }

    #[test]
    fn keywords_reject_atom_specials_and_backslash() {
        for bad in ["", "a b", "a(b", "\\Seen", "a]", "a*", "é"] {
            assert_eq!(Keyword::new(bad), Err(NameError::BadKeyword), "{bad:?}");
        }
        assert!(Keyword::new("$MDNSent").is_ok());
    }

    #[test]
    fn add_does_not_duplicate_a_keyword_in_other_case() {
        let flags = Flags::new().with_keyword(kw("$Junk"));
        let added = flags.apply(FlagOp::Add, &Flags::new().with_keyword(kw("$JUNK")));
        assert_eq!(added.keywords().len(), 1);
    }

    #[test]
    fn remove_clears_only_the_named_flags() {
        let flags = Flags::new()
            .with(SystemFlag::Seen)
            .with(SystemFlag::Flagged)
            .with_keyword(kw("$Forwarded"));
        let change = Flags::new()
            .with(SystemFlag::Seen)
            .with_keyword(kw("$forwarded"));
        let left = flags.apply(FlagOp::Remove, &change);
        assert_eq!(left.system().collect::<Vec<_>>(), vec![SystemFlag::Flagged]);
        assert!(left.keywords().is_empty());
    }

    #[test]
    fn replace_sets_exactly_the_given_flags() {
        let flags = Flags::new().with(SystemFlag::Seen);
        let change = Flags::new().with(SystemFlag::Draft);
        assert!(flags.apply(FlagOp::Replace, &change).same_as(&change));
    }

    #[test]
    fn same_as_ignores_keyword_order_and_case() {
        let a = Flags::new().with_keyword(kw("a")).with_keyword(kw("B"));
        let b = Flags::new().with_keyword(kw("b")).with_keyword(kw("A"));
        assert!(a.same_as(&b));
        assert!(!a.same_as(&Flags::new().with_keyword(kw("a"))));
    }
}
