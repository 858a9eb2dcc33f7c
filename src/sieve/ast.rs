//! The syntax tree of RFC 5228 §8.2, before any meaning is checked: commands
//! with arguments, tests and blocks, each with its position in the source.

/// A 1-based line and column (in characters) in the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub name: String,
    pub arguments: Vec<Argument>,
    pub tests: Vec<Test>,
    /// `Some` for a command with a block, `None` for one ending in `;`.
    pub block: Option<Vec<Command>>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    pub name: String,
    pub arguments: Vec<Argument>,
    pub tests: Vec<Test>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argument {
    pub value: Value,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Tag(String),
    Number(u64),
    /// A single string.
    String(String),
    /// A bracketed string list.
    List(Vec<String>),
}
