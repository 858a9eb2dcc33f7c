//! `postamt forward set|off|show`: a user's automatic forwarding, which
//! delivery runs as managed Sieve `redirect`s.

use postamt::auth::Address;
use postamt::scripts::{Forwarding, ScriptsError};

use super::args::ForwardCommand;
use super::context::Context;
use super::failure::CommandResult;
use super::sieve::storage;

pub fn run(context: &Context, command: ForwardCommand) -> CommandResult {
    let storage = storage(context)?;
    match command {
        ForwardCommand::Set {
            user,
            addresses,
            keep,
        } => {
            let account = storage.account_of(&user)?;
            let targets = addresses
                .iter()
                .map(|address| Address::parse(address))
                .collect::<Result<Vec<_>, _>>()
                .map_err(ScriptsError::from)?;
            storage.set_forwarding(
                account,
                &Forwarding {
                    targets,
                    keep_copy: keep,
                },
            )?;
            let copy = if keep { ", keeping a copy" } else { "" };
            println!(
                "{} forwards to {}{copy}",
                user.to_lowercase(),
                addresses.join(", ").to_lowercase()
            );
        }
        ForwardCommand::Off { user } => {
            storage.clear_forwarding(storage.account_of(&user)?)?;
            println!("{} no longer forwards", user.to_lowercase());
        }
        ForwardCommand::Show { user } => match storage.forwarding(storage.account_of(&user)?)? {
            None => println!("forwarding\tno"),
            Some(forwarding) => {
                for target in &forwarding.targets {
                    println!("to\t{target}");
                }
                println!("keep\t{}", if forwarding.keep_copy { "yes" } else { "no" });
            }
        },
    }
    Ok(())
}
