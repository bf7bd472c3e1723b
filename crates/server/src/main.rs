//! `tafelrunde`: video conferencing for schools, in one binary.

use tafelrunde::{config, logging, serve};

use clap::{Parser, Subcommand};

/// Tafelrunde — Videokonferenzen für Schulen / video conferencing for schools.
#[derive(Debug, Parser)]
#[command(name = "tafelrunde", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the service: web server, signaling and media in one process.
    Serve(config::ServeArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            let config = config::Config::load(&args)?;
            logging::init(&config.log)?;
            serve::run(config)
        }
    }
}
