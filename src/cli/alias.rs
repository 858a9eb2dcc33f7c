//! `postamt alias add|list|delete`.

use super::args::AliasCommand;
use super::context::Context;
use super::failure::CommandResult;

pub fn run(context: &Context, command: AliasCommand) -> CommandResult {
    let directory = context.directory()?;
    match command {
        AliasCommand::Add { address, users } => {
            let targets: Vec<&str> = users.iter().map(String::as_str).collect();
            directory.add_alias(&address, &targets)?;
            println!(
                "{} delivers to {}",
                address.to_lowercase(),
                users.join(", ")
            );
        }
        AliasCommand::List => {
            for alias in directory.list_aliases()? {
                let targets: Vec<&str> = alias.targets.iter().map(|t| t.as_str()).collect();
                println!("{}\t{}", alias.address, targets.join(", "));
            }
        }
        AliasCommand::Delete { address, user } => match user {
            Some(user) => {
                directory.remove_alias_target(&address, &user)?;
                println!("{} no longer delivers to {user}", address.to_lowercase());
            }
            None => {
                directory.remove_alias(&address)?;
                println!("deleted alias {}", address.to_lowercase());
            }
        },
    }
    Ok(())
}
