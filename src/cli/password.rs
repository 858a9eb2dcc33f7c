//! Reading a new password from a prompt (twice, without echo) or from standard input.

use std::io::BufRead;

use anyhow::anyhow;

use super::args::PasswordSource;
use super::failure::{Exit, Failure};

/// The shortest password accepted; generated passwords are far longer.
const MIN_PASSWORD_CHARS: usize = 8;

pub fn read_new_password(source: &PasswordSource) -> Result<String, Failure> {
    let password = if source.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| {
            Failure::new(Exit::IoErr, anyhow!("reading the password from stdin: {e}"))
        })?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = prompt("New password: ")?;
        let second = prompt("Repeat it: ")?;
        if first != second {
            return Err(Failure::new(Exit::DataErr, anyhow!("the passwords differ")));
        }
        first
    };
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Failure::new(
            Exit::DataErr,
            anyhow!("a password needs at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(password)
}

fn prompt(text: &str) -> Result<String, Failure> {
    rpassword::prompt_password(text).map_err(|e| {
        Failure::new(
            Exit::IoErr,
            anyhow!("cannot prompt for a password ({e}); use --password-stdin"),
        )
    })
}
