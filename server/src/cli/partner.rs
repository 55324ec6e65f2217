//! `partner add|list|remove|token`: the partner sites allowed to send votes and events.

use crate::store::{Partner, Store};
use casm_model::validate;
use clap::Subcommand;

/// The `partner` subcommands.
#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    /// Add a partner, or replace its name and origins.
    Add {
        /// Short key recorded with its votes and events, e.g. `minesafe-ghana`.
        key: String,
        #[arg(long)]
        name: String,
        /// An origin its pages are served from, e.g. https://www.example.org; `:*` as the
        /// port allows any port. Repeat for several.
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
    },
    /// List partners and their origins.
    List,
    /// Remove a partner: its pages can no longer send votes or events; its counts stay.
    Remove { key: String },
    /// A read-only token for one partner's own numbers.
    Token {
        #[command(subcommand)]
        command: PartnerTokenCommand,
    },
}

/// The `partner token` subcommands.
#[derive(Debug, Subcommand)]
pub enum PartnerTokenCommand {
    /// Print a new token (once) that reads only partner KEY's numbers; it is named
    /// `partner-KEY` (revoke it with `admin token revoke partner-KEY`) and replaces the
    /// partner's previous one.
    Create { key: String },
}

/// Runs one `partner` subcommand.
pub async fn run(store: &Store, command: PartnerCommand) -> anyhow::Result<()> {
    match command {
        PartnerCommand::Add { key, name, origins } => {
            validate::slug("key", &key).map_err(|e| anyhow::anyhow!("{e}"))?;
            for origin in &origins {
                check_origin(origin)?;
            }
            let origins = origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                .collect();
            store
                .add_partner(&Partner {
                    key: key.clone(),
                    name,
                    origins,
                })
                .await?;
            eprintln!("partner {key} saved");
        }
        PartnerCommand::List => {
            for p in store.partners().await? {
                println!("{}\t{}\t{}", p.key, p.name, p.origins.join(" "));
            }
        }
        PartnerCommand::Remove { key } => {
            if !store.remove_partner(&key).await? {
                anyhow::bail!("no partner has key '{key}'");
            }
            eprintln!("partner {key} removed");
        }
        PartnerCommand::Token {
            command: PartnerTokenCommand::Create { key },
        } => {
            if !store.partners().await?.iter().any(|p| p.key == key) {
                anyhow::bail!("no partner has key '{key}'");
            }
            let name = format!("partner-{key}");
            println!("{}", store.create_token(&name, Some(&key)).await?);
            eprintln!("token {name} made: it reads only {key}'s numbers; it is shown once");
        }
    }
    Ok(())
}

/// The partner `serve --demo` registers so the demo pages and local test sites can vote.
pub fn demo_partner() -> Partner {
    Partner {
        key: "casm-demo".into(),
        name: "CASM demo pages (loopback)".into(),
        origins: vec![
            "http://127.0.0.1:*".into(),
            "http://localhost:*".into(),
            "http://[::1]:*".into(),
        ],
    }
}

/// Checks an origin pattern: `scheme://host` with an optional `:port` or `:*`, nothing else.
pub fn check_origin(origin: &str) -> anyhow::Result<()> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| anyhow::anyhow!("origin '{origin}' must start with http:// or https://"))?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && !p.contains(']') => (h, Some(p)),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b));
    let port_ok = port.is_none_or(|p| p == "*" || (!p.is_empty() && p.parse::<u16>().is_ok()));
    if host_ok && port_ok {
        Ok(())
    } else {
        anyhow::bail!("origin '{origin}' must be scheme://host[:port|:*] with no path")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert!(check_origin("https://www.example.org").is_ok());
        assert!(check_origin("http://127.0.0.1:*").is_ok());
        assert!(check_origin("http://localhost:8080").is_ok());
        assert!(check_origin("https://example.org/path").is_err());
        assert!(check_origin("ftp://example.org").is_err());
    }
}
