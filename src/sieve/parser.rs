//! Builds the syntax tree from tokens (RFC 5228 §8.2). Bounded: the
//! nesting of blocks and tests and the length of lists are limited, so no
//! input recurses or allocates without end. Knows nothing of what a
//! command means.

use super::ast::{Argument, Command, Pos, Test, Value};
use super::error::CompileError;
use super::lexer::{Token, tokenize};

/// Deepest nesting of blocks and test lists.
pub const MAX_NESTING: usize = 32;
/// Most strings in a string list, tests in a test list, arguments of one
/// command, or commands in one block.
pub const MAX_LIST: usize = 1024;

/// Parses a whole script.
pub fn parse(source: &str) -> Result<Vec<Command>, CompileError> {
    let tokens = tokenize(source)?;
    let mut parser = Parser { tokens, at: 0 };
    let commands = parser.commands(0)?;
    match parser.peek() {
        (Token::End, _) => Ok(commands),
        (token, pos) => Err(CompileError::at(
            *pos,
            format!("expected a command, found {}", token.describe()),
        )),
    }
}

struct Parser {
    tokens: Vec<(Token, Pos)>,
    at: usize,
}

const END: (Token, Pos) = (Token::End, Pos { line: 0, column: 0 });

impl Parser {
    fn peek(&self) -> &(Token, Pos) {
        self.tokens
            .get(self.at)
            .or(self.tokens.last())
            .unwrap_or(&END)
    }

    fn next(&mut self) -> (Token, Pos) {
        let token = self.peek().clone();
        if self.at < self.tokens.len() {
            self.at += 1;
        }
        token
    }

    fn unexpected(&self, expected: &str) -> CompileError {
        let (token, pos) = self.peek();
        CompileError::at(
            *pos,
            format!("expected {expected}, found {}", token.describe()),
        )
    }

    fn commands(&mut self, depth: usize) -> Result<Vec<Command>, CompileError> {
        let mut commands = Vec::new();
        while let (Token::Identifier(_), pos) = self.peek() {
            if commands.len() >= MAX_LIST {
                return Err(CompileError::at(*pos, "too many commands in one block"));
            }
            commands.push(self.command(depth)?);
        }
        Ok(commands)
    }

    fn command(&mut self, depth: usize) -> Result<Command, CompileError> {
        let (Token::Identifier(name), pos) = self.next() else {
            return Err(self.unexpected("a command"));
        };
        let (arguments, tests) = self.arguments(depth)?;
        let block = match self.peek() {
            (Token::Semicolon, _) => {
                self.next();
                None
            }
            (Token::LeftBrace, pos) => {
                if depth >= MAX_NESTING {
                    return Err(CompileError::at(*pos, "blocks nested too deeply"));
                }
                self.next();
                let inner = self.commands(depth + 1)?;
                if !matches!(self.peek(), (Token::RightBrace, _)) {
                    return Err(self.unexpected("a command or \"}\""));
                }
                self.next();
                Some(inner)
            }
            _ => return Err(self.unexpected("\";\" or \"{\"")),
        };
        Ok(Command {
            name: name.to_ascii_lowercase(),
            arguments,
            tests,
            block,
            pos,
        })
    }

    /// `*argument [ test / test-list ]`.
    fn arguments(&mut self, depth: usize) -> Result<(Vec<Argument>, Vec<Test>), CompileError> {
        let mut arguments = Vec::new();
        loop {
            let (token, pos) = self.peek().clone();
            if arguments.len() >= MAX_LIST {
                return Err(CompileError::at(pos, "too many arguments"));
            }
            let value = match token {
                Token::Tag(name) => Value::Tag(name.to_ascii_lowercase()),
                Token::Number(n) => Value::Number(n),
                Token::String(s) => Value::String(s),
                Token::LeftBracket => {
                    arguments.push(Argument {
                        value: self.string_list()?,
                        pos,
                    });
                    continue;
                }
                _ => break,
            };
            self.next();
            arguments.push(Argument { value, pos });
        }
        let tests = match self.peek() {
            (Token::Identifier(_), _) => vec![self.test(depth + 1)?],
            (Token::LeftParen, _) => self.test_list(depth + 1)?,
            _ => Vec::new(),
        };
        Ok((arguments, tests))
    }

    fn string_list(&mut self) -> Result<Value, CompileError> {
        self.next();
        let mut strings = Vec::new();
        loop {
            match self.next() {
                (Token::String(s), pos) => {
                    if strings.len() >= MAX_LIST {
                        return Err(CompileError::at(pos, "string list too long"));
                    }
                    strings.push(s);
                }
                _ => {
                    self.at -= 1;
                    return Err(self.unexpected("a string"));
                }
            }
            match self.next() {
                (Token::Comma, _) => {}
                (Token::RightBracket, _) => return Ok(Value::List(strings)),
                _ => {
                    self.at -= 1;
                    return Err(self.unexpected("\",\" or \"]\""));
                }
            }
        }
    }

    fn test(&mut self, depth: usize) -> Result<Test, CompileError> {
        let pos = self.peek().1;
        if depth > MAX_NESTING {
            return Err(CompileError::at(pos, "tests nested too deeply"));
        }
        let (Token::Identifier(name), _) = self.peek().clone() else {
            return Err(self.unexpected("a test"));
        };
        self.next();
        let (arguments, tests) = self.arguments(depth)?;
        Ok(Test {
            name: name.to_ascii_lowercase(),
            arguments,
            tests,
            pos,
        })
    }

    fn test_list(&mut self, depth: usize) -> Result<Vec<Test>, CompileError> {
        let pos = self.next().1;
        if depth > MAX_NESTING {
            return Err(CompileError::at(pos, "tests nested too deeply"));
        }
        let mut tests = Vec::new();
        loop {
            if tests.len() >= MAX_LIST {
                return Err(self.unexpected("fewer tests"));
            }
            tests.push(self.test(depth)?);
            match self.next() {
                (Token::Comma, _) => {}
                (Token::RightParen, _) => return Ok(tests),
                _ => {
                    self.at -= 1;
                    return Err(self.unexpected("\",\" or \")\""));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_with_test_and_block() {
        let script = parse("if header :is \"Subject\" \"x\" { discard; }").unwrap();
        assert_eq!(script.len(), 1);
        let command = &script[0];
        assert_eq!(command.name, "if");
        assert_eq!(command.tests[0].name, "header");
        assert_eq!(command.tests[0].arguments.len(), 3);
        assert_eq!(command.block.as_ref().unwrap()[0].name, "discard");
    }

    #[test]
    fn test_list_and_string_list() {
        let script =
            parse("if anyof (true, not false) { keep; } fileinto [\"a\", \"b\"];").unwrap();
        assert_eq!(script[0].tests[0].tests.len(), 2);
        assert_eq!(script[0].tests[0].tests[1].tests[0].name, "false");
        assert_eq!(
            script[1].arguments[0].value,
            Value::List(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn errors_say_what_was_expected() {
        for (source, message) in [
            (
                "keep",
                "line 1, column 5: expected \";\" or \"{\", found end of script",
            ),
            (
                "if true { keep; ",
                "line 1, column 17: expected a command or \"}\", found end of script",
            ),
            (
                "fileinto [\"a\" \"b\"];",
                "line 1, column 15: expected \",\" or \"]\", found string",
            ),
            (
                "if anyof (true, ) {}",
                "line 1, column 17: expected a test, found \")\"",
            ),
            (
                "if anyof (true {}",
                "line 1, column 16: expected \",\" or \")\", found \"{\"",
            ),
            ("}", "line 1, column 1: expected a command, found \"}\""),
            (
                "fileinto [1];",
                "line 1, column 11: expected a string, found number 1",
            ),
        ] {
            assert_eq!(parse(source).unwrap_err().to_string(), message, "{source}");
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let source = "if true {".repeat(100) + &"}".repeat(100);
        assert!(
            parse(&source)
                .unwrap_err()
                .message
                .contains("nested too deeply")
        );
        let tests = "if ".to_owned() + &"not ".repeat(100) + "true {}";
        assert!(
            parse(&tests)
                .unwrap_err()
                .message
                .contains("nested too deeply")
        );
    }
}
