//! The `vigie` binary: parse the command line, run one command, map the
//! result to an exit code (0 clean, 1 findings at/above threshold, 2 error).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod commands;
mod exit;
mod output;
mod progress;

fn main() -> std::process::ExitCode {
    cli::main()
}
