//! CLDR plural categories and each language's rule for whole numbers: the widget's own
//! copy of what `Intl.PluralRules` knows, for browsers without it, for native tests, and
//! for the build, which includes this file (`build.rs`) to check that every translation
//! gives the forms its language needs and no others.
//!
//! Only whole numbers are counted here (counts, ranks), so the rules below are CLDR's with
//! the fraction operands (v, f, t) at zero.

/// A CLDR plural category. The discriminant is the digit that marks a form in the tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Zero,
    One,
    Two,
    Few,
    Many,
    Other,
}

impl Category {
    /// Every category, in discriminant order.
    pub const ALL: [Category; 6] = [
        Category::Zero,
        Category::One,
        Category::Two,
        Category::Few,
        Category::Many,
        Category::Other,
    ];

    /// CLDR's name, as `Intl.PluralRules.select` and Fluent's variant keys spell it.
    pub const fn name(self) -> &'static str {
        match self {
            Category::Zero => "zero",
            Category::One => "one",
            Category::Two => "two",
            Category::Few => "few",
            Category::Many => "many",
            Category::Other => "other",
        }
    }

    /// The category named `name`.
    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// How a language picks a category for a whole number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// One form for everything (id, zh).
    OtherOnly,
    /// `one` for 1 (en, sw).
    One,
    /// `one` for 1, `many` for whole millions (es).
    OneMany,
    /// `one` for 0 and 1, `many` for whole millions (fr, pt).
    ZeroOneMany,
    /// Six forms (ar).
    Arabic,
}

impl Rule {
    /// The rule of a language code, if this file knows it.
    pub fn of(code: &str) -> Option<Rule> {
        Some(match code {
            "id" | "zh" => Rule::OtherOnly,
            "en" | "sw" => Rule::One,
            "es" => Rule::OneMany,
            "fr" | "pt" => Rule::ZeroOneMany,
            "ar" => Rule::Arabic,
            _ => return None,
        })
    }

    /// The category of `n`.
    pub fn select(self, n: u64) -> Category {
        let million = n != 0 && n.is_multiple_of(1_000_000);
        match self {
            Rule::OtherOnly => Category::Other,
            Rule::One | Rule::OneMany if n == 1 => Category::One,
            Rule::ZeroOneMany if n <= 1 => Category::One,
            Rule::OneMany | Rule::ZeroOneMany if million => Category::Many,
            Rule::Arabic => match (n, n % 100) {
                (0, _) => Category::Zero,
                (1, _) => Category::One,
                (2, _) => Category::Two,
                (_, 3..=10) => Category::Few,
                (_, 11..=99) => Category::Many,
                _ => Category::Other,
            },
            _ => Category::Other,
        }
    }

    /// The categories a whole number can fall in under this rule.
    pub fn categories(self) -> &'static [Category] {
        use Category::*;
        match self {
            Rule::OtherOnly => &[Other],
            Rule::One => &[One, Other],
            Rule::OneMany | Rule::ZeroOneMany => &[One, Many, Other],
            Rule::Arabic => &[Zero, One, Two, Few, Many, Other],
        }
    }
}
