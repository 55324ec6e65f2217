//! `admin token create|list|revoke`: the staff tokens of `/v1/admin/*`.

use crate::store::Store;
use casm_model::validate;
use clap::Subcommand;

/// The `admin` subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Staff tokens (all of `/v1/admin/*`).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

/// The `admin token` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a new staff token named NAME, once: only its hash is stored. Replaces a
    /// token of that name.
    Create { name: String },
    /// List the tokens: name, scope, creation time (never the tokens).
    List,
    /// Revoke the token named NAME.
    Revoke { name: String },
}

/// Runs one `admin` subcommand.
pub async fn run(store: &Store, command: AdminCommand) -> anyhow::Result<()> {
    let AdminCommand::Token { command } = command;
    match command {
        TokenCommand::Create { name } => {
            validate::slug("name", &name).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", store.create_token(&name, None).await?);
            eprintln!("staff token {name} made; it is shown once, keep it safe");
        }
        TokenCommand::List => {
            println!("name\tscope\tcreated");
            for t in store.tokens().await? {
                let scope = t
                    .info
                    .partner
                    .map_or("staff".into(), |p| format!("partner {p}"));
                println!("{}\t{scope}\t{}", t.info.name, t.info.created_at);
            }
        }
        TokenCommand::Revoke { name } => {
            if !store.revoke_token(&name).await? {
                anyhow::bail!("no token is named '{name}'");
            }
            eprintln!("token {name} revoked");
        }
    }
    Ok(())
}
