//! The command line: `zhizhi serve` and its configuration, from flags or the environment.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Zhizhi (智治): the command centre of a street office.
#[derive(Debug, Parser)]
#[command(name = "zhizhi", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web interface and the API.
    Serve(ServeArgs),
}

/// Configuration of `zhizhi serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Database URL: sqlite://FILE (created if missing) or postgres://USER@HOST/DATABASE.
    #[arg(long, env = "ZHIZHI_DB", default_value = "sqlite://zhizhi.db")]
    pub db: String,

    /// Address to listen on.
    #[arg(long, env = "ZHIZHI_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Load the demo district (a fictional street modelled on Ciqikou) if the database is empty.
    #[arg(long, env = "ZHIZHI_DEMO")]
    pub demo: bool,

    /// Folder with the compiled site (wasm, JS, CSS, public files), as cargo-leptos builds it.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_defaults() {
        let cli = Cli::try_parse_from(["zhizhi", "serve", "--demo", "--addr", "127.0.0.1:4000"]).unwrap();
        let Command::Serve(args) = cli.command;
        assert!(args.demo);
        assert_eq!(args.addr.port(), 4000);
        assert!(args.db.starts_with("sqlite://"));
    }

    #[test]
    fn unknown_flags_and_bad_addresses_are_refused() {
        let err = Cli::try_parse_from(["zhizhi", "serve", "--colour"]).unwrap_err();
        assert!(err.to_string().contains("--colour"), "{err}");
        let err = Cli::try_parse_from(["zhizhi", "serve", "--addr", "localhost:port"]).unwrap_err();
        assert!(err.to_string().contains("--addr"), "{err}");
    }
}
