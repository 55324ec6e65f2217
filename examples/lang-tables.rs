//! Writes the widget's language tables, except English (built into the Wasm), as the files
//! the Wasm fetches: `DIR/lang/fr.<hash>.txt`, … Prints two lines of JSON, which
//! scripts/bundle-widget.js bakes into the loader:
//! - `{"fr":"lang/fr.<hash>.txt",…}`, so that it can start the request while the Wasm
//!   downloads;
//! - `{"en":["…could not be loaded.","View this resource","View the resources","ltr"],…}`,
//!   the loader's own messages in every language and its direction, for when the Wasm
//!   cannot run at all.
//!
//!     cargo run --example lang-tables -- pkg

use casm_widget::i18n::{Key, Lang};
use std::path::Path;

fn main() -> std::io::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "pkg".into());
    let mut files = Vec::new();
    let mut messages = Vec::new();
    for lang in Lang::ALL {
        let [failed, one, all] =
            [Key::LoaderFailed, Key::LoaderViewResource, Key::LoaderViewResources]
                .map(|key| lang.t(key));
        let direction = if lang.is_rtl() { "rtl" } else { "ltr" };
        let texts = [failed, one, all, direction];
        messages.push(format!("{:?}:{}", lang.code(), json(&texts)));
        let Some(file) = lang.table_file() else {
            continue;
        };
        let path = Path::new(&dir).join(file);
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(&dir)))?;
        std::fs::write(&path, lang.table())?;
        files.push(format!("\"{}\":\"{file}\"", lang.code()));
    }
    println!("{{{}}}", files.join(","));
    println!("{{{}}}", messages.join(","));
    Ok(())
}

/// A JSON array of strings. The texts come from our own translation files, which hold
/// no control characters (build.rs), so escaping `"` and `\` is enough.
fn json(texts: &[&str]) -> String {
    let quoted: Vec<String> = texts
        .iter()
        .map(|t| format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("[{}]", quoted.join(","))
}
