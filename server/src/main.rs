//! `casm-feed`, the thin binary: it parses the command line and hands it to
//! [`casm_feed::cli`], where every command lives.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    casm_feed::cli::init_logging();
    casm_feed::cli::run(casm_feed::cli::Cli::parse()).await
}
