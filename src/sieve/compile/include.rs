//! Checking `include`, `return` and `global` (RFC 6609 §3.2 to §3.4). The
//! included script is not looked at here: it need not exist when the
//! including one is uploaded (§3.2), so it is found and compiled when the
//! script runs.

use super::super::ast;
use super::super::error::CompileError;
use super::super::script::Command;
use super::args::{Arguments, Context, Follows, string, string_list};
use super::{is_identifier, no_block_or_tests};
use crate::delivery::IncludeLocation;

pub(super) fn command(command: &ast::Command, context: &Context) -> Result<Command, CompileError> {
    no_block_or_tests(command)?;
    context.need("include", command.pos)?;
    let name = command.name.as_str();
    match name {
        "return" => {
            Arguments::split(name, command.pos, &command.arguments, &[])?
                .expect_positional(0, 0)?;
            Ok(Command::Return)
        }
        "global" => {
            context.need("variables", command.pos)?;
            let arguments = Arguments::split(name, command.pos, &command.arguments, &[])?;
            arguments.expect_positional(1, 1)?;
            let names = string_list(&arguments.positional[0], context, "the variable names")?;
            if let Some(bad) = names.iter().find(|n| !is_identifier(n)) {
                return Err(CompileError::at(
                    arguments.positional[0].pos,
                    format!("invalid variable name \"{bad}\""),
                ));
            }
            Ok(Command::Global(
                names.iter().map(|n| n.to_ascii_lowercase()).collect(),
            ))
        }
        _ => include(command, context),
    }
}

fn include(command: &ast::Command, context: &Context) -> Result<Command, CompileError> {
    let arguments = Arguments::split(
        "include",
        command.pos,
        &command.arguments,
        &[&[
            ("personal", Follows::Nothing),
            ("global", Follows::Nothing),
            ("once", Follows::Nothing),
            ("optional", Follows::Nothing),
        ]],
    )?;
    arguments.expect_positional(1, 1)?;
    let location = match (arguments.flag("personal"), arguments.flag("global")) {
        (Some(_), Some(pos)) => {
            return Err(CompileError::at(
                pos,
                ":personal and :global exclude each other",
            ));
        }
        (_, Some(_)) => IncludeLocation::Global,
        _ => IncludeLocation::Personal,
    };
    let argument = &arguments.positional[0];
    let name = string(argument, context, "the script name")?;
    // RFC 6609 §3.2: the name is a constant, never built from variables.
    if context.has("variables") && name.contains("${") {
        return Err(CompileError::at(
            argument.pos,
            "the script name must be a constant string",
        ));
    }
    if name.is_empty() {
        return Err(CompileError::at(argument.pos, "the script name is empty"));
    }
    Ok(Command::Include {
        location,
        once: arguments.flag("once").is_some(),
        optional: arguments.flag("optional").is_some(),
        name,
    })
}
