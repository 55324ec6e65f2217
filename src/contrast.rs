//! Readable colours for a partner's accent (`data-accent`): WCAG 2.x contrast.
//!
//! The accent is used two ways, and each keeps text at 4.5:1 or more:
//! - as a background (the pressed vote button, Send): the text on it is black or white,
//!   whichever contrasts more with it ([`on`]); the larger of the two is always ≥ 4.58:1;
//! - as a text colour (links, and the focus ring) on the panel, light (`#fff`) or dark
//!   (`#161b22`): the accent itself where it already reaches 4.5:1 there, else the accent
//!   mixed toward black (light panel) or white (dark panel) in sixteenths until it does
//!   ([`text`]): the hue stays, only the lightness moves. Both are sent to the stylesheet,
//!   which picks by scheme (`--casm-tl`, `--casm-td`), so `data-theme="auto"` works too.
//!
//! Only opaque hex colours are accepted as accents ([`parse`]): a colour the widget can
//! evaluate is one whose contrast it can promise. The math is f32 without `powf`, which
//! would bring libm into the Wasm.

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// The light panel's background (`--bg` in src/style.css).
pub const LIGHT_PANEL: Rgb = [255, 255, 255];
/// The dark panel's background (`--bg` of `.dark` in src/style.css).
pub const DARK_PANEL: Rgb = [0x16, 0x1b, 0x22];

/// `#rgb` or `#rrggbb` (any case) as RGB; `None` for anything else.
pub fn parse(v: &str) -> Option<Rgb> {
    let h = v.strip_prefix('#')?.as_bytes();
    if h.len() != 3 && h.len() != 6 {
        return None;
    }
    let step = h.len() / 3;
    let mut out = [0u8; 3];
    for (i, o) in out.iter_mut().enumerate() {
        // `#abc` is `#aabbcc`: a short colour reads each digit twice.
        for j in [0, step - 1] {
            *o = *o * 16 + char::from(*h.get(i * step + j)?).to_digit(16)? as u8;
        }
    }
    Some(out)
}

/// One sRGB channel, linearised.
fn channel(c: u8) -> f32 {
    let c = f32::from(c) / 255.0;
    if c <= 0.04045 {
        return c / 12.92;
    }
    let x = (c + 0.055) / 1.055;
    // x^2.4 = x² · x^0.4, and 0.4 ≈ 0.0110011001₂ (0.3994): a product of x^(1/2^k), each
    // one square root (a single Wasm instruction). It overstates by at most 0.15 %, which
    // the margins below cover.
    let (mut r, mut s) = (x * x, x);
    for k in 1..=10 {
        s = s.sqrt();
        if 0b01_1001_1001 >> (10 - k) & 1 == 1 {
            r *= s;
        }
    }
    r
}

/// WCAG 2.x relative luminance, 0 (black) to 1 (white).
pub fn luminance([r, g, b]: Rgb) -> f32 {
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// WCAG 2.x contrast ratio of two luminances, 1 to 21.
pub fn ratio(a: f32, b: f32) -> f32 {
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// The text colour on `bg`: black or white, whichever contrasts more (equal at luminance
/// 0.1791, where both give 4.58:1).
pub fn on(bg: Rgb) -> &'static str {
    if luminance(bg) > 0.1791 {
        "#000"
    } else {
        "#fff"
    }
}

/// `accent` as a text colour on `panel`: mixed in sixteenths toward black on a light
/// panel, white on a dark one, until it contrasts 4.6:1 with it (4.5 and a margin); at
/// sixteen sixteenths it is black or white itself (21:1 on white, 17:1 on the dark panel).
pub fn text(accent: Rgb, panel: Rgb) -> Rgb {
    let bg = luminance(panel);
    let to: u16 = if bg > 0.5 { 0 } else { 255 };
    let mut c = accent;
    let mut k = 0;
    while k < 16 && ratio(luminance(c), bg) < 4.6 {
        k += 1;
        for (c, &a) in c.iter_mut().zip(&accent) {
            *c = ((u16::from(a) * (16 - k) + to * k) / 16) as u8;
        }
    }
    c
}

/// `rgb(r,g,b)` (decimal: the widget already writes numbers).
pub fn css(c: Rgb) -> String {
    let mut s = String::from("rgb(");
    for (i, b) in c.into_iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        crate::format::push_int(&mut s, b.into());
    }
    s.push(')');
    s
}

/// WCAG 2.x relative luminance with the exact formula (f64, `powf`): the reference the
/// tests check the widget's own approximation against. Native only: the Wasm never needs it.
#[cfg(not(target_arch = "wasm32"))]
pub fn exact_luminance(c: Rgb) -> f64 {
    let ch = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
}

/// WCAG 2.x contrast ratio from [`exact_luminance`].
#[cfg(not(target_arch = "wasm32"))]
pub fn exact_ratio(a: Rgb, b: Rgb) -> f64 {
    let (a, b) = (exact_luminance(a), exact_luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

// Native only: the reference formula they compare with is not built for the Wasm.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn hex_colours_parse_and_nothing_else() {
        assert_eq!(parse("#0b5cad"), Some([0x0b, 0x5c, 0xad]));
        assert_eq!(parse("#FfA"), Some([0xff, 0xff, 0xaa]));
        for bad in [
            "", "#", "#12", "#1234", "#12345g", "#1234567", "red", "0b5cad", "#ééé",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_luminance_is_the_wcag_one() {
        for c in 0..=255u8 {
            let got = f64::from(luminance([c; 3]));
            let want = exact_luminance([c; 3]);
            assert!(
                (got - want).abs() <= want * 0.002 + 1e-6,
                "{c}: {got} vs {want}"
            );
        }
        assert!((ratio(luminance([0; 3]), luminance([255; 3])) - 21.0).abs() < 0.01);
    }

    #[test]
    fn text_on_the_accent_is_black_or_white_whichever_reads() {
        assert_eq!(on([255, 255, 0]), "#000");
        assert_eq!(on([0x77; 3]), "#000");
        assert_eq!(on([0x0b, 0x5c, 0xad]), "#fff");
        assert_eq!(on([0x0a; 3]), "#fff");
        // The hardest case, at the crossover: both near 4.58.
        for g in 0x70..=0x80 {
            let c = [g; 3];
            let fg = parse(on(c)).unwrap_or_default();
            assert!(exact_ratio(c, fg) >= 4.5, "{g:x}");
        }
    }

    #[test]
    fn accents_as_text_are_darkened_or_lightened_only_as_needed() {
        // CASM blue reads on white as it is; on the dark panel it is lightened.
        assert_eq!(text([0x0b, 0x5c, 0xad], LIGHT_PANEL), [0x0b, 0x5c, 0xad]);
        let dark = text([0x0b, 0x5c, 0xad], DARK_PANEL);
        assert!(
            dark[2] > 0xad && exact_ratio(dark, DARK_PANEL) >= 4.5,
            "{dark:?}"
        );
        for accent in [
            [255, 255, 0],
            [0x77; 3],
            [0xfa; 3],
            [0x0a; 3],
            [0xf0, 0x88, 0x3e],
        ] {
            for panel in [LIGHT_PANEL, DARK_PANEL] {
                let t = text(accent, panel);
                assert!(
                    exact_ratio(t, panel) >= 4.5,
                    "{accent:?} on {panel:?}: {t:?}"
                );
            }
        }
    }

    #[test]
    fn every_short_hex_accent_and_a_grid_of_long_ones_keep_text_readable() {
        let steps: Vec<u8> = (0..=255).step_by(5).collect();
        let short = (0..4096u16).map(|n| [n >> 8, n >> 4 & 15, n & 15].map(|d| (d * 17) as u8));
        let mut all: Vec<Rgb> = short.collect();
        for &r in &steps {
            for &g in &steps {
                all.extend(steps.iter().map(|&b| [r, g, b]));
            }
        }
        for c in all {
            let fg = parse(on(c)).unwrap_or_default();
            assert!(exact_ratio(c, fg) >= 4.5, "{c:?}");
            for panel in [LIGHT_PANEL, DARK_PANEL] {
                assert!(
                    exact_ratio(text(c, panel), panel) >= 4.5,
                    "{c:?} on {panel:?}"
                );
            }
        }
    }

    #[test]
    fn css_writes_rgb() {
        assert_eq!(css([0x0b, 0x5c, 0xad]), "rgb(11,92,173)");
        assert_eq!(css([0, 255, 16]), "rgb(0,255,16)");
    }
}
