//! `feedback`: the "Submit your comments" messages, one line each, for moderation.

use crate::dates::utc_timestamp;
use crate::store::{FeedbackFilter, Store};
use casm_model::FeedbackStatus;
use clap::Args;

/// The `feedback` arguments.
#[derive(Debug, Args)]
pub struct FeedbackArgs {
    /// Only this resource's messages.
    #[arg(long)]
    pub resource: Option<String>,
    /// Only messages with this status: new, handled or archived.
    #[arg(long, value_parser = parse_status)]
    pub status: Option<FeedbackStatus>,
}

fn parse_status(s: &str) -> Result<FeedbackStatus, String> {
    FeedbackStatus::parse(s).ok_or_else(|| "must be new, handled or archived".to_owned())
}

/// Prints the messages as tab-separated lines, newest first.
pub async fn run(store: &Store, args: FeedbackArgs) -> anyhow::Result<()> {
    let FeedbackArgs { resource, status } = args;
    println!("id\tcreated\tstatus\tresource\tpartner\tcontact\ttext");
    for f in store.feedback(&FeedbackFilter { status, resource }).await? {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            f.id,
            utc_timestamp(f.created_at),
            f.status.name(),
            f.resource,
            f.partner,
            one_line(f.contact.as_deref().unwrap_or("")),
            one_line(&f.text)
        );
    }
    Ok(())
}

/// One line per message: tabs and newlines inside the text are shown escaped.
fn one_line(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}
