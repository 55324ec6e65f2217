//! The command lines and environment variables the README shows are ones the binary
//! takes: every `casm-feed …` line of its code blocks parses, and every `CASM_…=VALUE`
//! it names is accepted (booleans in their usual spellings). One test in its own
//! process, because environment variables are global.

use casm_feed::cli::{Cli, Command};
use clap::Parser;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap()
}

/// The `casm-feed` lines inside fenced code blocks, without comments, redirections
/// and `[optional]` parts.
fn command_lines(text: &str) -> Vec<Vec<String>> {
    let mut in_block = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        let line = line.split(" #").next().unwrap_or("").trim();
        if !in_block || !line.starts_with("casm-feed ") {
            continue;
        }
        let mut words = Vec::new();
        let mut optional = 0;
        for word in line.split_whitespace() {
            if word.starts_with('>') {
                break;
            }
            optional += word.matches('[').count();
            if optional == 0 {
                words.push(word.to_owned());
            }
            optional -= word.matches(']').count();
        }
        lines.push(words);
    }
    lines
}

/// `CASM_NAME=VALUE` pairs named anywhere in the text.
fn env_examples(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (at, _) in text.match_indices("CASM_") {
        let rest = &text[at..];
        let Some((name, value)) = rest.split_once('=') else {
            continue;
        };
        if !name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
            continue;
        }
        let value: String = value
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '`' && *c != ')')
            .collect();
        pairs.push((name.to_owned(), value));
    }
    pairs
}

fn serve_args() -> casm_feed::cli::serve::ServeArgs {
    match Cli::try_parse_from(["casm-feed", "serve"])
        .expect("serve parses")
        .command
    {
        Command::Serve(args) => args,
        other => panic!("not serve: {other:?}"),
    }
}

#[test]
fn the_readme_commands_and_environment_examples_are_accepted() {
    let text = readme();
    let lines = command_lines(&text);
    assert!(lines.len() >= 10, "README code blocks show casm-feed lines");
    for words in &lines {
        if let Err(e) = Cli::try_parse_from(words) {
            panic!("README line `{}` is refused:\n{e}", words.join(" "));
        }
    }

    let examples = env_examples(&text);
    assert!(
        examples
            .iter()
            .any(|(name, _)| name == "CASM_COUNT_HEADLESS"),
        "README gives CASM_COUNT_HEADLESS's example"
    );
    for (name, value) in &examples {
        std::env::set_var(name, value);
        let parsed = Cli::try_parse_from(["casm-feed", "serve"]);
        std::env::remove_var(name);
        if let Err(e) = parsed {
            panic!("README's {name}={value} is refused:\n{e}");
        }
    }

    // Booleans given by environment take the usual spellings, and only those.
    for (value, want) in [
        ("1", true),
        ("true", true),
        ("yes", true),
        ("on", true),
        ("TRUE", true),
        ("0", false),
        ("false", false),
        ("no", false),
        ("off", false),
    ] {
        for name in ["CASM_COUNT_HEADLESS", "CASM_DEMO"] {
            std::env::set_var(name, value);
            let args = serve_args();
            std::env::remove_var(name);
            let got = if name == "CASM_DEMO" {
                args.demo
            } else {
                args.count_headless
            };
            assert_eq!(got, want, "{name}={value}");
        }
    }
    std::env::set_var("CASM_COUNT_HEADLESS", "maybe");
    let refused = Cli::try_parse_from(["casm-feed", "serve"]).is_err();
    std::env::remove_var("CASM_COUNT_HEADLESS");
    assert!(refused, "CASM_COUNT_HEADLESS=maybe is refused");
    assert!(!serve_args().count_headless, "off unless asked");
}
