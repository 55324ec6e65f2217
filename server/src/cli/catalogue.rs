//! `import` and `export`: the catalogue file in and out of the database.

use crate::store::{parse_catalogue, Store, MAX_CATALOGUE_BYTES};
use anyhow::Context;
use casm_model::Catalogue;
use std::path::Path;

/// Reads and validates a catalogue file; errors name the file and the bad field's path.
pub fn read_catalogue(path: &Path) -> anyhow::Result<Catalogue> {
    // Refused before it is read: a 200 MB file must not be loaded into memory to learn
    // that it is too large.
    let size = std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    if size > MAX_CATALOGUE_BYTES as u64 {
        anyhow::bail!(
            "{}: {size} bytes; a catalogue may have at most {MAX_CATALOGUE_BYTES} bytes",
            path.display()
        );
    }
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    parse_catalogue(&text).map_err(|e| match e.path.as_str() {
        "" => anyhow::anyhow!("{}: {}", path.display(), e.message),
        _ => anyhow::anyhow!("{}: invalid at {}", path.display(), e),
    })
}

/// `casm-feed import FILE`: all of the file's resources, or none.
pub async fn import(store: &Store, file: &Path) -> anyhow::Result<()> {
    let catalogue = read_catalogue(file)?;
    let n = store.import(&catalogue).await?;
    eprintln!("imported {n} resources from {}", file.display());
    Ok(())
}

/// `casm-feed export`: the catalogue on standard output, retired ids on standard error.
pub async fn export(store: &Store) -> anyhow::Result<()> {
    let catalogue = store.export().await?;
    println!("{}", serde_json::to_string_pretty(&catalogue)?);
    let retired = store.retired().await?;
    if !retired.is_empty() {
        eprintln!(
            "exported {} resources; {} of them retired (importing this file into \
             another database serves them): {}",
            catalogue.resources.len(),
            retired.len(),
            retired.join(", ")
        );
    }
    Ok(())
}
