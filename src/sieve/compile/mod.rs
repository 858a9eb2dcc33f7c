//! The validator: turns the syntax tree into a [`Script`], checking that
//! `require` names every extension used and only known ones (RFC 5228
//! §3.2), each command's and test's arguments (§2.6, §2.7), and the
//! `if`/`elsif`/`else` structure (§3.1). Runs nothing.

mod args;
mod conditions;
mod dates;
mod encoded;
mod include;

use std::collections::HashSet;

use super::ast::{self, Pos};
use super::error::CompileError;
use super::parser::parse;
use super::script::{Command, FlagChange, Modifier, Script, Vacation};
use args::{Arguments, Context, Follows, number, string, string_list};

/// The extensions this implementation knows, as ManageSieve's SIEVE
/// capability lists them (RFC 5804 §1.7).
pub fn extensions() -> &'static [&'static str] {
    &[
        "body",
        "comparator-i;ascii-numeric",
        "copy",
        "date",
        "duplicate",
        "editheader",
        "encoded-character",
        "envelope",
        "environment",
        "ereject",
        "fileinto",
        "imap4flags",
        "include",
        "index",
        "mailbox",
        "relational",
        "regex",
        "reject",
        "spamtest",
        "spamtestplus",
        "subaddress",
        "vacation",
        "vacation-seconds",
        "variables",
    ]
}

/// The comparators that need no `require` (RFC 5228 §2.7.3).
const IMPLICIT: &[&str] = &["comparator-i;octet", "comparator-i;ascii-casemap"];

/// Largest script accepted, in bytes.
pub const MAX_SCRIPT_SIZE: usize = 1 << 20;

/// Compiles a script's source.
pub fn compile(source: &str) -> Result<Script, CompileError> {
    if source.len() > MAX_SCRIPT_SIZE {
        return Err(CompileError::at(
            Pos { line: 1, column: 1 },
            "script too large",
        ));
    }
    let tree = parse(source)?;
    let mut context = Context {
        required: HashSet::new(),
    };
    let mut seen_other = false;
    let mut body = Vec::new();
    for command in &tree {
        if command.name == "require" {
            if seen_other {
                return Err(CompileError::at(
                    command.pos,
                    "require must come before any other command",
                ));
            }
            require(command, &mut context)?;
        } else {
            seen_other = true;
            body.push(command);
        }
    }
    let commands = block(&body, &context)?;
    // spamtestplus implies spamtest (RFC 5235 §3.3).
    Ok(Script {
        commands,
        variables: context.has("variables"),
    })
}

fn require(command: &ast::Command, context: &mut Context) -> Result<(), CompileError> {
    no_block_or_tests(command)?;
    let arguments = Arguments::split("require", command.pos, &command.arguments, &[])?;
    arguments.expect_positional(1, 1)?;
    for name in string_list(&arguments.positional[0], context, "require")? {
        let name = name.to_ascii_lowercase();
        if !extensions().contains(&name.as_str()) && !IMPLICIT.contains(&name.as_str()) {
            return Err(CompileError::at(
                command.pos,
                format!("unknown extension \"{name}\""),
            ));
        }
        if name == "spamtestplus" {
            context.required.insert("spamtest".to_owned());
        }
        if name == "vacation-seconds" {
            context.required.insert("vacation".to_owned());
        }
        context.required.insert(name);
    }
    Ok(())
}

fn block(commands: &[&ast::Command], context: &Context) -> Result<Vec<Command>, CompileError> {
    let mut out = Vec::new();
    for command in commands {
        match command.name.as_str() {
            "elsif" | "else" => {
                let Some(Command::If {
                    branches,
                    otherwise,
                }) = out.last_mut()
                else {
                    return Err(CompileError::at(
                        command.pos,
                        format!("{} without a preceding if", command.name),
                    ));
                };
                if otherwise.is_some() {
                    return Err(CompileError::at(
                        command.pos,
                        format!("{} after else", command.name),
                    ));
                }
                let inner = nested(command, context)?;
                if command.name == "else" {
                    if !command.arguments.is_empty() || !command.tests.is_empty() {
                        return Err(CompileError::at(command.pos, "else takes no test"));
                    }
                    *otherwise = Some(inner);
                } else {
                    branches.push((single_test(command, context)?, inner));
                }
            }
            "if" => {
                let inner = nested(command, context)?;
                out.push(Command::If {
                    branches: vec![(single_test(command, context)?, inner)],
                    otherwise: None,
                });
            }
            "require" => {
                return Err(CompileError::at(
                    command.pos,
                    "require must come before any other command",
                ));
            }
            _ => out.push(simple(command, context)?),
        }
    }
    Ok(out)
}

fn nested(command: &ast::Command, context: &Context) -> Result<Vec<Command>, CompileError> {
    let Some(inner) = &command.block else {
        return Err(CompileError::at(
            command.pos,
            format!("{} needs a block", command.name),
        ));
    };
    let inner: Vec<&ast::Command> = inner.iter().collect();
    block(&inner, context)
}

fn single_test(
    command: &ast::Command,
    context: &Context,
) -> Result<super::script::Test, CompileError> {
    if !command.arguments.is_empty() {
        return Err(CompileError::at(
            command.arguments[0].pos,
            format!("{} takes a test, not arguments", command.name),
        ));
    }
    match command.tests.as_slice() {
        [test] => conditions::test(test, context),
        _ => Err(CompileError::at(
            command.pos,
            format!("{} needs exactly one test", command.name),
        )),
    }
}

fn no_block_or_tests(command: &ast::Command) -> Result<(), CompileError> {
    if let Some(test) = command.tests.first() {
        return Err(CompileError::at(
            test.pos,
            format!("{} takes no test", command.name),
        ));
    }
    if command.block.is_some() {
        return Err(CompileError::at(
            command.pos,
            format!("{} takes no block", command.name),
        ));
    }
    Ok(())
}

const FLAGS_TAG: &[(&str, Follows)] = &[("flags", Follows::StringList)];

fn simple(command: &ast::Command, context: &Context) -> Result<Command, CompileError> {
    no_block_or_tests(command)?;
    let name = command.name.as_str();
    let split = |allowed: &[&[(&str, Follows)]]| {
        Arguments::split(name, command.pos, &command.arguments, allowed)
    };
    let flags_of = |arguments: &Arguments| -> Result<Option<Vec<String>>, CompileError> {
        match arguments.tag("flags") {
            None => Ok(None),
            Some(tag) => {
                context.need("imap4flags", tag.pos)?;
                match &tag.value {
                    Some(value) => Ok(Some(string_list(value, context, ":flags")?)),
                    None => Ok(Some(Vec::new())),
                }
            }
        }
    };
    Ok(match name {
        "stop" => {
            split(&[])?.expect_positional(0, 0)?;
            Command::Stop
        }
        "discard" => {
            split(&[])?.expect_positional(0, 0)?;
            Command::Discard
        }
        "keep" => {
            let arguments = split(&[FLAGS_TAG])?;
            arguments.expect_positional(0, 0)?;
            Command::Keep {
                flags: flags_of(&arguments)?,
            }
        }
        "fileinto" => {
            context.need("fileinto", command.pos)?;
            let arguments = split(&[
                FLAGS_TAG,
                &[("copy", Follows::Nothing), ("create", Follows::Nothing)],
            ])?;
            arguments.expect_positional(1, 1)?;
            if let Some(pos) = arguments.flag("copy") {
                context.need("copy", pos)?;
            }
            if let Some(pos) = arguments.flag("create") {
                context.need("mailbox", pos)?;
            }
            Command::FileInto {
                mailbox: string(&arguments.positional[0], context, "the mailbox")?,
                copy: arguments.flag("copy").is_some(),
                create: arguments.flag("create").is_some(),
                flags: flags_of(&arguments)?,
            }
        }
        "redirect" => {
            let arguments = split(&[&[("copy", Follows::Nothing)]])?;
            arguments.expect_positional(1, 1)?;
            if let Some(pos) = arguments.flag("copy") {
                context.need("copy", pos)?;
            }
            Command::Redirect {
                address: string(&arguments.positional[0], context, "the address")?,
                copy: arguments.flag("copy").is_some(),
            }
        }
        "reject" | "ereject" => {
            context.need(name, command.pos)?;
            let arguments = split(&[])?;
            arguments.expect_positional(1, 1)?;
            Command::Reject {
                reason: string(&arguments.positional[0], context, "the reason")?,
                extended: name == "ereject",
            }
        }
        "vacation" => vacation(command, context)?,
        "set" => set(command, context)?,
        "setflag" | "addflag" | "removeflag" => {
            context.need("imap4flags", command.pos)?;
            let arguments = split(&[])?;
            arguments.expect_positional(1, 2)?;
            let op = match name {
                "setflag" => FlagChange::Set,
                "addflag" => FlagChange::Add,
                _ => FlagChange::Remove,
            };
            let (variable, flags) = match arguments.positional.as_slice() {
                [variable, flags] => {
                    context.need("variables", variable.pos)?;
                    (Some(variable_name(variable, context)?), flags)
                }
                [flags] => (None, flags),
                _ => {
                    return Err(CompileError::at(
                        command.pos,
                        format!("{name} needs a flag list"),
                    ));
                }
            };
            Command::Flags {
                op,
                variable,
                flags: string_list(flags, context, "the flag list")?,
            }
        }
        "addheader" | "deleteheader" => conditions::edit_header(command, context)?,
        "include" | "return" | "global" => include::command(command, context)?,
        _ => {
            return Err(CompileError::at(
                command.pos,
                format!("unknown command \"{name}\""),
            ));
        }
    })
}

fn vacation(command: &ast::Command, context: &Context) -> Result<Command, CompileError> {
    context.need("vacation", command.pos)?;
    let arguments = Arguments::split(
        "vacation",
        command.pos,
        &command.arguments,
        &[&[
            ("days", Follows::Number),
            ("seconds", Follows::Number),
            ("subject", Follows::String),
            ("from", Follows::String),
            ("addresses", Follows::StringList),
            ("mime", Follows::Nothing),
            ("handle", Follows::String),
        ]],
    )?;
    arguments.expect_positional(1, 1)?;
    let mut period = None;
    if let Some(tag) = arguments.tag("days")
        && let Some(value) = &tag.value
    {
        period = Some(number(value, ":days")?.saturating_mul(86_400));
    }
    if let Some(tag) = arguments.tag("seconds") {
        context.need("vacation-seconds", tag.pos)?;
        if period.is_some() {
            return Err(CompileError::at(
                tag.pos,
                ":days and :seconds exclude each other",
            ));
        }
        if let Some(value) = &tag.value {
            period = Some(number(value, ":seconds")?);
        }
    }
    let text = |tag: &str| -> Result<Option<String>, CompileError> {
        match arguments.tag(tag).and_then(|t| t.value.as_ref()) {
            Some(value) => Ok(Some(string(value, context, tag)?)),
            None => Ok(None),
        }
    };
    let addresses = match arguments.tag("addresses").and_then(|t| t.value.as_ref()) {
        Some(value) => string_list(value, context, ":addresses")?,
        None => Vec::new(),
    };
    Ok(Command::Vacation(Box::new(Vacation {
        period,
        subject: text("subject")?,
        from: text("from")?,
        addresses,
        mime: arguments.flag("mime").is_some(),
        handle: text("handle")?,
        reason: string(&arguments.positional[0], context, "the reason")?,
    })))
}

fn set(command: &ast::Command, context: &Context) -> Result<Command, CompileError> {
    context.need("variables", command.pos)?;
    let table: &[(&str, Follows)] = &[
        ("lower", Follows::Nothing),
        ("upper", Follows::Nothing),
        ("lowerfirst", Follows::Nothing),
        ("upperfirst", Follows::Nothing),
        ("quotewildcard", Follows::Nothing),
        ("quoteregex", Follows::Nothing),
        ("length", Follows::Nothing),
    ];
    let arguments = Arguments::split("set", command.pos, &command.arguments, &[table])?;
    arguments.expect_positional(2, 2)?;
    let mut modifiers: Vec<Modifier> = Vec::new();
    for tag in &arguments.tags {
        let modifier = match tag.name.as_str() {
            "lower" => Modifier::Lower,
            "upper" => Modifier::Upper,
            "lowerfirst" => Modifier::LowerFirst,
            "upperfirst" => Modifier::UpperFirst,
            "quotewildcard" => Modifier::QuoteWildcard,
            "quoteregex" => {
                context.need("regex", tag.pos)?;
                Modifier::QuoteRegex
            }
            _ => Modifier::Length,
        };
        // RFC 5229 §4.1: two modifiers of the same precedence are an error.
        if modifiers
            .iter()
            .any(|m| m.precedence() == modifier.precedence())
        {
            return Err(CompileError::at(
                tag.pos,
                "two modifiers of the same precedence",
            ));
        }
        modifiers.push(modifier);
    }
    modifiers.sort_by_key(|m| std::cmp::Reverse(m.precedence()));
    Ok(Command::Set {
        name: variable_name(&arguments.positional[0], context)?,
        value: string(&arguments.positional[1], context, "the value")?,
        modifiers,
    })
}

/// A variable name a script may assign (RFC 5229 §3: identifier, not a
/// match variable; with "include", also `global.<identifier>`, RFC 6609
/// §3.5).
fn variable_name(argument: &ast::Argument, context: &Context) -> Result<String, CompileError> {
    let name = string(argument, context, "the variable name")?;
    let identifier = match name.get(..7) {
        Some(prefix) if context.has("include") && prefix.eq_ignore_ascii_case("global.") => {
            name.get(7..).unwrap_or_default()
        }
        _ => name.as_str(),
    };
    let valid = is_identifier(identifier);
    if !valid {
        return Err(CompileError::at(
            argument.pos,
            format!("invalid variable name \"{name}\""),
        ));
    }
    Ok(name.to_ascii_lowercase())
}

/// RFC 5228 §8.1 identifier.
fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests;
