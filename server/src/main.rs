//! The `zhizhi` binary.

use clap::Parser;
use std::process::ExitCode;
use zhizhi_server::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    if cli.log_format == "json" {
        tracing_subscriber::fmt().json().with_current_span(true).with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(&anyhow::anyhow!("cannot start the async runtime: {e}")),
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => zhizhi_server::http::serve(args).await,
            Command::Simulate(args) => zhizhi_server::simulate::run(args).await,
            Command::AuditArchive(args) => zhizhi_server::cli::audit_archive(args).await,
            Command::Backup(args) => zhizhi_server::cli::backup(args).await,
            Command::Restore(args) => zhizhi_server::cli::restore(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Reports a fatal error on one line, with its causes, and exits non-zero.
fn fail(e: &anyhow::Error) -> ExitCode {
    eprintln!("zhizhi: error: {e:#}");
    ExitCode::FAILURE
}
