//! The `postamt` command line: one module per command, all failures mapped to one line on
//! stderr and a sysexits.h exit code (see `failure`).

mod alias;
mod args;
mod check_config;
mod context;
mod domain;
mod failure;
mod forward;
mod password;
mod queue;
mod reindex;
mod serve;
mod sieve;
mod spam;
mod user;
mod vacation;

use std::process::ExitCode;

use clap::Parser;
use postamt::managesieve::SieveCompiler;

use args::{Cli, Command};
use context::Context;
use failure::CommandResult;

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("postamt: {failure}");
            failure.exit_code()
        }
    }
}

fn dispatch(cli: Cli) -> CommandResult {
    let context = Context::load(cli.config)?;
    match cli.command {
        Command::Serve => serve::run(context),
        Command::User(command) => user::run(&context, command),
        Command::Domain(command) => domain::run(&context, command),
        Command::Alias(command) => alias::run(&context, command),
        Command::Queue(command) => queue::run(&context, command),
        Command::Sieve(command) => sieve::run(&context, command, Some(&SieveCompiler)),
        Command::Vacation(command) => vacation::run(&context, command),
        Command::Forward(command) => forward::run(&context, command),
        Command::Spam(command) => spam::run(&context, command),
        Command::CheckConfig => check_config::run(&context),
        Command::Reindex { user } => reindex::run(&context, &user),
    }
}
