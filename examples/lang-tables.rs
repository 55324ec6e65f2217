//! Writes the widget's language tables, except English (built into the Wasm), as the files
//! the Wasm fetches: `DIR/lang/fr.<hash>.txt`, … Prints `{"fr":"lang/fr.<hash>.txt",…}`,
//! which scripts/bundle-widget.js bakes into the loader so that it can start the request
//! while the Wasm downloads.
//!
//!     cargo run --example lang-tables -- pkg

use casm_widget::i18n::Lang;
use std::path::Path;

fn main() -> std::io::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "pkg".into());
    let mut map = Vec::new();
    for lang in Lang::ALL {
        let Some(file) = lang.table_file() else {
            continue;
        };
        let path = Path::new(&dir).join(&file);
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(&dir)))?;
        std::fs::write(&path, lang.table())?;
        map.push(format!("\"{}\":\"{file}\"", lang.code()));
    }
    println!("{{{}}}", map.join(","));
    Ok(())
}
