//! `casm-feed`, the thin binary: it parses the command line and hands it to
//! [`casm_feed::cli`], where every command lives.

use clap::Parser;

/// mimalloc rather than glibc's allocator: the vote path allocates on two threads at once
/// (HTTP workers and the writer), where glibc's arenas cost ~12% of the service's CPU
/// (perf, `scripts/bench.sh`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    casm_feed::cli::init_logging();
    casm_feed::cli::run(casm_feed::cli::Cli::parse()).await
}
