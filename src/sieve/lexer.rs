//! Sieve tokens (RFC 5228 §8.1): identifiers, tags, numbers with K/M/G,
//! quoted and multi-line strings, the punctuation, with hash and bracket
//! comments skipped. Every token carries its line and column. Owns only the
//! lexical level: what a token means is the parser's business.

use super::ast::Pos;
use super::error::CompileError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Identifier(String),
    /// `:name`, without the colon.
    Tag(String),
    Number(u64),
    /// A quoted or multi-line string, escapes and dot-stuffing undone.
    String(String),
    LeftBracket,
    RightBracket,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    Comma,
    Semicolon,
    End,
}

impl Token {
    /// How an error message names it.
    pub fn describe(&self) -> String {
        match self {
            Self::Identifier(name) => format!("identifier \"{name}\""),
            Self::Tag(name) => format!("tag \":{name}\""),
            Self::Number(n) => format!("number {n}"),
            Self::String(_) => "string".to_owned(),
            Self::LeftBracket => "\"[\"".to_owned(),
            Self::RightBracket => "\"]\"".to_owned(),
            Self::LeftParen => "\"(\"".to_owned(),
            Self::RightParen => "\")\"".to_owned(),
            Self::LeftBrace => "\"{\"".to_owned(),
            Self::RightBrace => "\"}\"".to_owned(),
            Self::Comma => "\",\"".to_owned(),
            Self::Semicolon => "\";\"".to_owned(),
            Self::End => "end of script".to_owned(),
        }
    }
}

/// Splits `source` into tokens, ending with [`Token::End`].
pub fn tokenize(source: &str) -> Result<Vec<(Token, Pos)>, CompileError> {
    let mut lexer = Lexer {
        chars: source.chars().collect(),
        at: 0,
        line: 1,
        column: 1,
    };
    let mut tokens = Vec::new();
    loop {
        lexer.skip_white()?;
        let pos = lexer.pos();
        let Some(c) = lexer.peek() else {
            tokens.push((Token::End, pos));
            return Ok(tokens);
        };
        let token = match c {
            '[' => lexer.punct(Token::LeftBracket),
            ']' => lexer.punct(Token::RightBracket),
            '(' => lexer.punct(Token::LeftParen),
            ')' => lexer.punct(Token::RightParen),
            '{' => lexer.punct(Token::LeftBrace),
            '}' => lexer.punct(Token::RightBrace),
            ',' => lexer.punct(Token::Comma),
            ';' => lexer.punct(Token::Semicolon),
            '"' => lexer.quoted(pos)?,
            ':' => {
                lexer.bump();
                match lexer.peek() {
                    Some(c) if is_identifier_start(c) => Token::Tag(lexer.identifier()),
                    _ => return Err(CompileError::at(pos, "expected a tag name after \":\"")),
                }
            }
            c if c.is_ascii_digit() => lexer.number(pos)?,
            c if is_identifier_start(c) => {
                let word = lexer.identifier();
                if word.eq_ignore_ascii_case("text") && lexer.peek() == Some(':') {
                    lexer.bump();
                    lexer.multi_line(pos)?
                } else {
                    Token::Identifier(word)
                }
            }
            other => {
                return Err(CompileError::at(
                    pos,
                    format!("unexpected character {other:?}"),
                ));
            }
        };
        tokens.push((token, pos));
    }
}

fn is_identifier_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

struct Lexer {
    chars: Vec<char>,
    at: usize,
    line: u32,
    column: u32,
}

impl Lexer {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.column,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.at + offset).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        if c == '\n' {
            self.line = self.line.saturating_add(1);
            self.column = 1;
        } else {
            self.column = self.column.saturating_add(1);
        }
        Some(c)
    }

    fn punct(&mut self, token: Token) -> Token {
        self.bump();
        token
    }

    /// White space, `#` comments to the end of the line and `/* */`
    /// comments (RFC 5228 §2.3).
    fn skip_white(&mut self) -> Result<(), CompileError> {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' => {
                    self.bump();
                }
                '#' => {
                    while let Some(c) = self.bump() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                '/' if self.peek_at(1) == Some('*') => {
                    let start = self.pos();
                    self.bump();
                    self.bump();
                    loop {
                        match self.bump() {
                            Some('*') if self.peek() == Some('/') => {
                                self.bump();
                                break;
                            }
                            Some(_) => {}
                            None => {
                                return Err(CompileError::at(start, "unterminated comment"));
                            }
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
        Ok(())
    }

    fn identifier(&mut self) -> String {
        let mut word = String::new();
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                word.push(c);
                self.bump();
            } else {
                break;
            }
        }
        word
    }

    /// `1*DIGIT [QUANTIFIER]` (RFC 5228 §2.4.1).
    fn number(&mut self, pos: Pos) -> Result<Token, CompileError> {
        let too_big = || CompileError::at(pos, "number too large");
        let mut value: u64 = 0;
        while let Some(c) = self.peek() {
            let Some(digit) = c.to_digit(10) else { break };
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(digit)))
                .ok_or_else(too_big)?;
            self.bump();
        }
        let shift = match self.peek() {
            Some('K' | 'k') => 10,
            Some('M' | 'm') => 20,
            Some('G' | 'g') => 30,
            _ => 0,
        };
        if shift > 0 {
            self.bump();
            value = value.checked_mul(1 << shift).ok_or_else(too_big)?;
        }
        if self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(CompileError::at(
                self.pos(),
                "expected white space after a number",
            ));
        }
        Ok(Token::Number(value))
    }

    /// A quoted string: `\` takes the next character literally (RFC 5228
    /// §2.4.2).
    fn quoted(&mut self, pos: Pos) -> Result<Token, CompileError> {
        self.bump();
        let mut text = String::new();
        loop {
            match self.bump() {
                Some('"') => return Ok(Token::String(text)),
                Some('\\') => match self.bump() {
                    Some(c) => text.push(c),
                    None => break,
                },
                Some(c) => text.push(c),
                None => break,
            }
        }
        Err(CompileError::at(pos, "unterminated string"))
    }

    /// `text:` up to a line holding only `.`; a leading `..` loses one dot
    /// (RFC 5228 §2.4.2).
    fn multi_line(&mut self, pos: Pos) -> Result<Token, CompileError> {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
        if self.peek() == Some('#') {
            while self.peek().is_some_and(|c| c != '\n') {
                self.bump();
            }
        }
        if self.peek() == Some('\r') {
            self.bump();
        }
        if self.bump() != Some('\n') {
            return Err(CompileError::at(pos, "expected a line end after \"text:\""));
        }
        let mut text = String::new();
        loop {
            let mut line = String::new();
            let mut ended = false;
            while let Some(c) = self.bump() {
                if c == '\n' {
                    ended = true;
                    break;
                }
                line.push(c);
            }
            let content = line.strip_suffix('\r').unwrap_or(&line);
            if content == "." {
                return Ok(Token::String(text));
            }
            if !ended {
                return Err(CompileError::at(pos, "unterminated multi-line string"));
            }
            text.push_str(
                content
                    .strip_prefix('.')
                    .filter(|_| content.starts_with(".."))
                    .unwrap_or(content),
            );
            text.push_str("\r\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<Token> {
        tokenize(source)
            .unwrap()
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    #[test]
    fn every_token_kind() {
        assert_eq!(
            kinds("if :is [\"a\", \"b\"] (x, y) { z; } 10K"),
            vec![
                Token::Identifier("if".into()),
                Token::Tag("is".into()),
                Token::LeftBracket,
                Token::String("a".into()),
                Token::Comma,
                Token::String("b".into()),
                Token::RightBracket,
                Token::LeftParen,
                Token::Identifier("x".into()),
                Token::Comma,
                Token::Identifier("y".into()),
                Token::RightParen,
                Token::LeftBrace,
                Token::Identifier("z".into()),
                Token::Semicolon,
                Token::RightBrace,
                Token::Number(10 * 1024),
                Token::End,
            ]
        );
    }

    #[test]
    fn comments_are_skipped() {
        assert_eq!(
            kinds("# one\n/* two\nlines */ stop"),
            vec![Token::Identifier("stop".into()), Token::End]
        );
    }

    #[test]
    fn quoted_escapes() {
        assert_eq!(kinds(r#""a\"b\\c\d""#)[0], Token::String("a\"b\\cd".into()));
    }

    #[test]
    fn multi_line_undoes_dot_stuffing() {
        assert_eq!(
            kinds("text: # c\nhi\n..dot\n.\n")[0],
            Token::String("hi\r\n.dot\r\n".into())
        );
    }

    #[test]
    fn quantifiers() {
        assert_eq!(
            kinds("1M 2G")[..2],
            [Token::Number(1 << 20), Token::Number(2 << 30)]
        );
    }

    #[test]
    fn positions_are_line_and_column() {
        let tokens = tokenize("stop;\n  keep;").unwrap();
        assert_eq!(tokens[2].1, Pos { line: 2, column: 3 });
    }

    #[test]
    fn malformed_input_is_an_error() {
        for (source, message) in [
            ("\"open", "line 1, column 1: unterminated string"),
            ("/* open", "line 1, column 1: unterminated comment"),
            (
                "x 99999999999999999999",
                "line 1, column 3: number too large",
            ),
            (
                "text:\nno end\n",
                "line 1, column 1: unterminated multi-line string",
            ),
            ("  @", "line 1, column 3: unexpected character '@'"),
            (": x", "line 1, column 1: expected a tag name after \":\""),
        ] {
            assert_eq!(tokenize(source).unwrap_err().to_string(), message);
        }
    }
}
