//! Turns the translation files `src/lang/<code>.ftl` (Fluent) into the widget's language
//! tables: `$OUT_DIR/strings.rs`, included by `src/i18n.rs`, with the `Lang` and `Key`
//! enums and one table per language.
//!
//! The build fails, naming the file and the message, when a language lacks a message of
//! `en.ftl` or has one it does not, when a translation uses a placeholder English does not,
//! when a plural form is not one of its language's CLDR categories (`src/plural.rs`), or
//! when the Fluent is something the widget does not read (terms, attributes, functions).
//!
//! A table is each message's text in `en.ftl` order, each followed by U+001F. Placeholders
//! become `{name}`. A message with plural forms is written as U+001E, then each form as
//! its category's digit (`Category as u8`) and its text, the forms separated by U+001E.

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

#[path = "src/plural.rs"]
#[allow(dead_code)]
mod plural;

use plural::{Category, Rule};

/// Scripts written right to left, by language code.
const RTL: &[&str] = &["ar", "fa", "he", "ps", "ur", "yi", "dv", "ckb"];

/// One message: its id and its text as the table holds it.
struct Message {
    id: String,
    text: String,
    /// The placeholders it uses, in any form.
    names: BTreeSet<String>,
    /// Whether it has plural forms.
    plural: bool,
}

fn main() {
    println!("cargo:rerun-if-changed=src/lang");
    println!("cargo:rerun-if-changed=src/plural.rs");
    let dir = Path::new("src/lang");
    let mut codes: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", dir.display())))
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".ftl").map(str::to_owned)
        })
        .collect();
    // English first: it defines the keys, and it is the one table built into the Wasm.
    codes.sort_by_key(|c| (c != "en", c.clone()));
    if codes.first().map(String::as_str) != Some("en") {
        fail("src/lang/en.ftl is missing: English defines the keys");
    }
    let mut tables = Vec::new();
    for code in &codes {
        let file = dir.join(format!("{code}.ftl"));
        println!("cargo:rerun-if-changed={}", file.display());
        let valid =
            !code.is_empty() && code.len() <= 3 && code.bytes().all(|b| b.is_ascii_lowercase());
        if !valid {
            fail(&format!(
                "{}: name it by its ISO 639 code, e.g. fr.ftl",
                file.display()
            ));
        }
        let rule = Rule::of(code).unwrap_or_else(|| {
            fail(&format!(
                "{}: src/plural.rs has no plural rule for `{code}`; add one (CLDR)",
                file.display()
            ))
        });
        let source = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", file.display())));
        tables.push((code.clone(), read(&file, &source, rule)));
    }
    let english = &tables[0].1;
    for (code, messages) in &tables[1..] {
        check_keys(code, english, messages);
    }
    write(&codes, &tables);
}

/// Fails the build unless `messages` has exactly English's ids, with no placeholder that
/// English does not have.
fn check_keys(code: &str, english: &[Message], messages: &[Message]) {
    let file = format!("src/lang/{code}.ftl");
    let ids = |m: &[Message]| m.iter().map(|m| m.id.clone()).collect::<BTreeSet<_>>();
    let (want, have) = (ids(english), ids(messages));
    let missing: Vec<_> = want.difference(&have).collect();
    let extra: Vec<_> = have.difference(&want).collect();
    if !missing.is_empty() {
        fail(&format!(
            "{file}: missing messages {missing:?} (they are in en.ftl)"
        ));
    }
    if !extra.is_empty() {
        fail(&format!(
            "{file}: messages {extra:?} are not in en.ftl; remove them or add them there"
        ));
    }
    for m in messages {
        let en = english.iter().find(|e| e.id == m.id).map(|e| &e.names);
        if let Some(unknown) = en.and_then(|en| m.names.difference(en).next()) {
            fail(&format!(
                "{file}: `{}` uses {{ ${unknown} }}, which en.ftl does not give it",
                m.id
            ));
        }
    }
}

/// The messages of one file, in file order.
fn read(file: &Path, source: &str, rule: Rule) -> Vec<Message> {
    let where_ = file.display();
    let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| {
        let first = errors.first().map(|e| {
            let line = source[..e.pos.start.min(source.len())]
                .matches('\n')
                .count()
                + 1;
            format!("line {line}: {:?}", e.kind)
        });
        fail(&format!(
            "{where_}: not valid Fluent ({})",
            first.unwrap_or_default()
        ))
    });
    let mut out: Vec<Message> = Vec::new();
    for entry in resource.body {
        let message = match entry {
            Entry::Message(m) => m,
            Entry::Term(t) => fail(&format!("{where_}: terms (-{}) are not used", t.id.name)),
            Entry::Junk { content } => fail(&format!("{where_}: cannot read `{}`", content.trim())),
            _ => continue,
        };
        let id = message.id.name.to_owned();
        let here = format!("{where_}: `{id}`");
        if !message.attributes.is_empty() {
            fail(&format!("{here}: attributes are not used"));
        }
        if out.iter().any(|m| m.id == id) {
            fail(&format!("{here} appears twice"));
        }
        let value = message
            .value
            .unwrap_or_else(|| fail(&format!("{here} has no text")));
        let mut names = BTreeSet::new();
        let (text, plural) = match value.elements.as_slice() {
            [PatternElement::Placeable {
                expression: Expression::Select { selector, variants },
            }] => {
                if !matches!(selector, InlineExpression::VariableReference { .. }) {
                    fail(&format!("{here}: a plural selects on a number placeholder"));
                }
                let mut seen = Vec::new();
                let mut text = String::from('\u{1e}');
                for (i, variant) in variants.iter().enumerate() {
                    let key = match &variant.key {
                        fluent_syntax::ast::VariantKey::Identifier { name } => *name,
                        fluent_syntax::ast::VariantKey::NumberLiteral { value } => value,
                    };
                    let category = Category::from_name(key)
                        .filter(|c| rule.categories().contains(c))
                        .unwrap_or_else(|| {
                            fail(&format!(
                                "{here}: [{key}] is not a plural form of this language; it has {:?}",
                                rule.categories().iter().map(|c| c.name()).collect::<Vec<_>>()
                            ))
                        });
                    if variant.default != (category == Category::Other) {
                        fail(&format!("{here}: the default form (*) must be [other]"));
                    }
                    if seen.contains(&category) {
                        fail(&format!("{here}: [{key}] appears twice"));
                    }
                    seen.push(category);
                    if i > 0 {
                        text.push('\u{1e}');
                    }
                    text.push(char::from(b'0' + category as u8));
                    text.push_str(&pattern(&here, &variant.value, &mut names));
                }
                (text, true)
            }
            _ => (pattern(&here, &value, &mut names), false),
        };
        if text.trim().is_empty() {
            fail(&format!("{here} is empty"));
        }
        out.push(Message {
            id,
            text,
            names,
            plural,
        });
    }
    out
}

/// A pattern's text with `{name}` placeholders; fails on anything else Fluent allows.
fn pattern(here: &str, pattern: &Pattern<&str>, names: &mut BTreeSet<String>) -> String {
    let mut text = String::new();
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => text.push_str(value),
            PatternElement::Placeable {
                expression: Expression::Inline(InlineExpression::VariableReference { id }),
            } => {
                names.insert(id.name.to_owned());
                let _ = write!(text, "{{{}}}", id.name);
            }
            PatternElement::Placeable {
                expression: Expression::Inline(InlineExpression::StringLiteral { value }),
            } => text.push_str(&fluent_syntax::unicode::unescape_unicode_to_string(value)),
            _ => fail(&format!(
                "{here}: only text, {{ $name }} and {{ \"literal\" }} are read here"
            )),
        }
    }
    if text.contains(['\u{1e}', '\u{1f}']) {
        fail(&format!("{here} holds a control character"));
    }
    text
}

fn write(codes: &[String], tables: &[(String, Vec<Message>)]) {
    let camel = |s: &str| -> String {
        s.split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect()
    };
    let english = &tables[0].1;
    let mut out = String::from("// Written by build.rs from src/lang/*.ftl. Do not edit.\n\n");
    out.push_str("/// A language the widget speaks: one per file in `src/lang/`.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq)]\npub enum Lang {\n");
    for code in codes {
        let _ = writeln!(
            out,
            "    /// `{code}`, from `src/lang/{code}.ftl`.\n    {},",
            camel(code)
        );
    }
    out.push_str("}\n\nimpl Lang {\n    /// Every language, English first.\n");
    let _ = writeln!(out, "    pub const ALL: [Lang; {}] = [", codes.len());
    for code in codes {
        let _ = writeln!(out, "        Lang::{},", camel(code));
    }
    out.push_str("    ];\n\n    /// The ISO 639 code, e.g. `fr`.\n");
    out.push_str(
        "    pub const fn code(self) -> &'static str {\n        CODES[self as usize]\n    }\n\n",
    );
    out.push_str("    /// Whether the language is written right to left.\n");
    out.push_str("    pub const fn is_rtl(self) -> bool {\n        matches!(self, ");
    let rtl: Vec<String> = codes
        .iter()
        .filter(|c| RTL.contains(&c.as_str()))
        .map(|c| format!("Lang::{}", camel(c)))
        .collect();
    out.push_str(if rtl.is_empty() { "_ if false" } else { "" });
    out.push_str(&rtl.join(" | "));
    out.push_str(")\n    }\n\n    /// The plural rule (src/plural.rs).\n");
    out.push_str("    pub fn plural_rule(self) -> crate::plural::Rule {\n        match self {\n");
    for code in codes {
        let rule = Rule::of(code).expect("checked in main");
        let _ = writeln!(
            out,
            "            Lang::{} => crate::plural::Rule::{rule:?},",
            camel(code)
        );
    }
    out.push_str("        }\n    }\n}\n\n");
    let _ = writeln!(out, "const CODES: [&str; {}] = {codes:?};\n", codes.len());

    out.push_str("/// A visible string of the widget: one per message of `src/lang/en.ftl`.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq)]\npub enum Key {\n");
    for m in english {
        let kind = if m.plural { " (plural forms)" } else { "" };
        let _ = writeln!(out, "    /// `{}`{kind}.\n    {},", m.id, camel(&m.id));
    }
    out.push_str("}\n\nimpl Key {\n    /// Every key, in table order.\n    pub const ALL: &'static [Key] = &[\n");
    for m in english {
        let _ = writeln!(out, "        Key::{},", camel(&m.id));
    }
    out.push_str("    ];\n\n    /// The message id in the `.ftl` files.\n");
    out.push_str("    pub fn id(self) -> &'static str {\n        IDS[self as usize]\n    }\n}\n\n");
    let ids: Vec<&str> = english.iter().map(|m| m.id.as_str()).collect();
    let _ = writeln!(out, "const IDS: [&str; {}] = {ids:?};\n", ids.len());

    let mut files = Vec::new();
    for (code, messages) in tables {
        // Table order is English's, whatever the file's order.
        let mut table = String::new();
        for en in english {
            let m = messages.iter().find(|m| m.id == en.id).expect("checked");
            table.push_str(&m.text);
            table.push('\u{1f}');
        }
        let _ = writeln!(
            out,
            "const TABLE_{}: &str = {table:?};",
            code.to_ascii_uppercase()
        );
        files.push(if code == "en" {
            String::new()
        } else {
            format!("lang/{code}.{:016x}.txt", fnv1a(&table))
        });
    }
    out.push_str("\n/// Each language's table, by `Lang as usize`.\n");
    let _ = writeln!(out, "const TABLES: [&str; {}] = [", codes.len());
    for code in codes {
        let _ = writeln!(out, "    TABLE_{},", code.to_ascii_uppercase());
    }
    out.push_str(
        "];\n\n/// Each table's file, named by the FNV-1a hash of its text (none for English).\n",
    );
    let _ = writeln!(out, "const FILES: [&str; {}] = {files:?};", codes.len());

    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("strings.rs");
    std::fs::write(&dest, out)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", dest.display())));
}

/// FNV-1a, 64 bits: a table's file is named by its text, so a Wasm only loads its own.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    panic!("translation files: {message}");
}
