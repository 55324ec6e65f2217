//! Writes the widget's language tables, except English (built into the Wasm), as the files
//! the Wasm fetches: `DIR/lang/fr.<hash>.txt`, … Prints two lines of JSON, which
//! scripts/bundle-widget.js bakes into the loader:
//! - `{"fr":"lang/fr.<hash>.txt",…}`, so that it can start the request while the Wasm
//!   downloads;
//! - `["…could not be loaded.","View this resource","View the resources",52,56]`: the
//!   loader's own messages in English, where they start in a table and how many texts a
//!   table holds (with the empty one after the last separator), so that for another
//!   language the loader reads them from its table.
//!
//!     cargo run --example lang-tables -- pkg

use casm_widget::i18n::{Key, Lang};
use std::path::Path;

fn main() -> std::io::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "pkg".into());
    let mut files = Vec::new();
    for lang in Lang::ALL {
        let Some(file) = lang.table_file() else {
            continue;
        };
        let path = Path::new(&dir).join(file);
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(&dir)))?;
        std::fs::write(&path, lang.table())?;
        files.push(format!("\"{}\":\"{file}\"", lang.code()));
    }
    println!("{{{}}}", files.join(","));
    // The three are consecutive in the tables: `loader-*` in en.ftl's order.
    let keys = [
        Key::LoaderFailed,
        Key::LoaderViewResource,
        Key::LoaderViewResources,
    ];
    assert!(keys
        .iter()
        .enumerate()
        .all(|(i, k)| *k as usize == keys[0] as usize + i));
    let texts = keys.map(|key| Lang::En.t(key));
    let count = Key::ALL.len() + 1;
    println!("[{},{},{count}]", json(&texts), keys[0] as usize);
    Ok(())
}

/// Strings as JSON array items. The texts come from our own translation files, which hold
/// no control characters (build.rs), so escaping `"` and `\` is enough.
fn json(texts: &[&str]) -> String {
    let quoted: Vec<String> = texts
        .iter()
        .map(|t| format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    quoted.join(",")
}
