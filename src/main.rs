//! The postamt binary: the daemon (`postamt serve`) and the admin commands.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
