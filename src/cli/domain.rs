//! `postamt domain add|list|delete`.

use super::args::DomainCommand;
use super::context::Context;
use super::failure::CommandResult;

pub fn run(context: &Context, command: DomainCommand) -> CommandResult {
    let directory = context.directory()?;
    match command {
        DomainCommand::Add { name } => {
            let domain = directory.add_domain(&name)?;
            println!("added domain {}", domain.as_str());
        }
        DomainCommand::List => {
            for domain in directory.list_domains()? {
                println!("{}", domain.as_str());
            }
        }
        DomainCommand::Delete { name } => {
            directory.delete_domain(&name)?;
            println!("deleted domain {}", name.to_lowercase());
        }
    }
    Ok(())
}
