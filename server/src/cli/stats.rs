//! `stats`: counts per partner and resource, or (`--csv`) one counter per UTC day.

use crate::counts::CountRow;
use crate::series::{self, SeriesParams};
use crate::store::{Store, COUNTER_COLUMNS};
use clap::Args;
use std::collections::HashMap;

/// The `stats` arguments.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print the series as CSV (`day,<group>,<metric>`), the same file the admin
    /// export gives.
    #[arg(long)]
    pub csv: bool,
    /// First day, YYYY-MM-DD (UTC; default: 30 days ending on --to).
    #[arg(long, requires = "csv")]
    pub from: Option<String>,
    /// Last day, inclusive (default: today, UTC). At most 366 days in all.
    #[arg(long, requires = "csv")]
    pub to: Option<String>,
    /// The counter: helpful_votes, page_views (default), pages_emailed,
    /// metacard_views, attachments_downloaded or videos_downloaded.
    #[arg(long, requires = "csv")]
    pub metric: Option<String>,
    /// One series per partner or per resource.
    #[arg(long, requires = "csv", value_parser = ["partner", "resource"])]
    pub by: Option<String>,
    /// Only this resource's numbers.
    #[arg(long, requires = "csv")]
    pub resource: Option<String>,
    /// Only this partner's numbers.
    #[arg(long, requires = "csv")]
    pub partner: Option<String>,
}

/// Prints the table or the CSV.
pub async fn run(store: &Store, args: StatsArgs) -> anyhow::Result<()> {
    if args.csv {
        csv(store, args).await
    } else {
        table(store).await
    }
}

async fn csv(store: &Store, args: StatsArgs) -> anyhow::Result<()> {
    let params = SeriesParams {
        from: args.from,
        to: args.to,
        metric: args.metric,
        by: args.by,
        resource: args.resource,
        partner: args.partner,
    };
    let titles: HashMap<String, String> = store
        .load_catalogue()
        .await?
        .into_iter()
        .map(|r| (r.id, r.title))
        .collect();
    let query = params
        .series(crate::dates::utc_day(), |id| titles.contains_key(id))
        .map_err(|e| anyhow::anyhow!("--{e}"))?;
    let export = series::export(store, &query, |id| titles.get(id).cloned()).await?;
    print!("{}", export.csv);
    Ok(())
}

async fn table(store: &Store) -> anyhow::Result<()> {
    let counts = store.load_counts().await?;
    let mut rows: Vec<(&String, &String, &CountRow)> = counts
        .by_partner
        .iter()
        .flat_map(|(resource, partners)| {
            partners
                .iter()
                .map(move |(partner, row)| (partner, resource, row))
        })
        .collect();
    rows.sort();
    let header = ["partner", "resource"]
        .iter()
        .copied()
        .chain(COUNTER_COLUMNS)
        .collect::<Vec<_>>();
    println!("{}", header.join("\t"));
    for (partner, resource, row) in rows {
        let numbers: Vec<String> = row.iter().map(u64::to_string).collect();
        println!("{partner}\t{resource}\t{}", numbers.join("\t"));
    }
    Ok(())
}
