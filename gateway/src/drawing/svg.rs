//! `section.svg`: the dimensioned cross-section of a designed beam.
//!
//! Drawing conventions (also in `docs/designs.md`):
//! - the section is drawn true to scale in a group `#section` whose user units are mm, origin
//!   at the top-left corner of the concrete (compression face up, as beams are detailed);
//! - concrete `rect.concrete`; the stirrup as a closed loop `rect.stirrup` along its centre
//!   line (stroke = its diameter), inner legs as `line.leg`;
//! - every bar a `circle.bar` (`.tension` or `.compression`) at its centre, radius φ/2, with
//!   `data-dia` in mm;
//! - dimension lines (`g.dim`, `data-dim` = `b`, `D`, `d`, `cover`) with tick marks and the
//!   value in mm: b below, D on the left, d on the right (top face to the tension centroid),
//!   the cover at the top-left corner;
//! - labels (`text.label`) as drawings write them: tension bars below (`3-16φ`), compression
//!   bars above, stirrups on the right (`2L-8φ @ 150 c/c`).
//!
//! Text sizes and margins scale with the section, so small and deep beams read alike.

use std::fmt::Write;

use super::layout::{Bar, Layout};

/// Largest side of the picture, in CSS px (the viewBox keeps mm).
const PICTURE_PX: f64 = 640.0;

/// The SVG document of `layout`.
pub fn section_svg(layout: &Layout) -> String {
    let (b, depth) = (layout.width_mm, layout.depth_mm);
    let fs = (b.max(depth) / 22.0).clamp(9.0, 90.0);
    let (left, right, top, bottom) = (fs * 5.0, fs * 13.0, fs * 4.0, fs * 5.5);
    let (w, h) = (left + b + right, top + depth + bottom);
    let scale = PICTURE_PX / w.max(h);
    let mut out = String::with_capacity(4096);
    // fmt::Write into a String cannot fail; the results are ignored throughout.
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" font-family="sans-serif" font-size="{}">"##,
        n(w),
        n(h),
        n(w * scale),
        n(h * scale),
        n(fs)
    );
    let _ = write!(
        out,
        "<title>Beam section {} × {} mm</title><style>.concrete{{fill:#e8e8e8;stroke:#333;stroke-width:{}}}.stirrup,.leg{{fill:none;stroke:#1f5fbf}}.bar{{fill:#b22222}}.dim line{{stroke:#555;stroke-width:{}}}.dim text,.label{{fill:#222}}</style>",
        n(b),
        n(depth),
        n(fs / 8.0),
        n(fs / 12.0)
    );
    let _ = write!(
        out,
        r#"<g id="section" transform="translate({} {})">"#,
        n(left),
        n(top)
    );
    let _ = write!(
        out,
        r#"<rect class="concrete" x="0" y="0" width="{}" height="{}"/>"#,
        n(b),
        n(depth)
    );
    links(&mut out, layout);
    bars(&mut out, &layout.tension, "tension");
    bars(&mut out, &layout.compression, "compression");
    dimensions(&mut out, layout, fs);
    labels(&mut out, layout, fs);
    out.push_str("</g></svg>");
    out
}

/// The stirrup loop (outer face at the cover) and its inner legs.
fn links(out: &mut String, layout: &Layout) {
    let Some(l) = &layout.links else { return };
    let inset = layout.cover_mm + l.dia_mm / 2.0;
    let _ = write!(
        out,
        r#"<rect class="stirrup" x="{i}" y="{i}" width="{}" height="{}" rx="{}" stroke-width="{}"/>"#,
        n(layout.width_mm - 2.0 * inset),
        n(layout.depth_mm - 2.0 * inset),
        n(l.dia_mm * 2.0),
        n(l.dia_mm),
        i = n(inset),
    );
    let legs = layout.leg_positions();
    for x in legs.iter().skip(1).take(legs.len().saturating_sub(2)) {
        let _ = write!(
            out,
            r#"<line class="leg" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke-width="{}"/>"#,
            n(inset),
            n(layout.depth_mm - inset),
            n(l.dia_mm),
            x = n(*x),
        );
    }
}

fn bars(out: &mut String, bars: &[Bar], face: &str) {
    for bar in bars {
        let _ = write!(
            out,
            r#"<circle class="bar {face}" cx="{}" cy="{}" r="{}" data-dia="{}"/>"#,
            n(bar.x_mm),
            n(bar.y_mm),
            n(bar.dia_mm / 2.0),
            n(bar.dia_mm)
        );
    }
}

/// b below, D on the left, d on the right, the cover at the top-left corner.
fn dimensions(out: &mut String, layout: &Layout, fs: f64) {
    let (b, depth, c) = (layout.width_mm, layout.depth_mm, layout.cover_mm);
    let d = layout.effective_depth_mm;
    dim(out, "b", (0.0, depth + 1.5 * fs), (b, depth + 1.5 * fs), fs);
    dim(out, "D", (-2.0 * fs, 0.0), (-2.0 * fs, depth), fs);
    dim(out, "d", (b + 2.0 * fs, 0.0), (b + 2.0 * fs, d), fs);
    dim(out, "cover", (0.0, -1.2 * fs), (c, -1.2 * fs), fs);
}

/// One dimension: the line from `a` to `b` (horizontal or vertical), a tick at each end, and
/// `<name> = <length>` beside its middle (outside the line for the cover, which is short).
fn dim(out: &mut String, name: &str, a: (f64, f64), b: (f64, f64), fs: f64) {
    let horizontal = (a.1 - b.1).abs() < f64::EPSILON;
    let length = if horizontal { b.0 - a.0 } else { b.1 - a.1 };
    let t = fs / 3.0;
    let _ = write!(
        out,
        r#"<g class="dim" data-dim="{name}"><line x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
        n(a.0),
        n(a.1),
        n(b.0),
        n(b.1)
    );
    for (x, y) in [a, b] {
        let _ = write!(
            out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            n(x - t),
            n(y + t),
            n(x + t),
            n(y - t)
        );
    }
    let text = format!("{name} = {}", n1(length));
    let (x, y, attrs) = match (horizontal, name) {
        (true, "cover") => (a.0, a.1 - fs * 0.4, String::new()),
        (true, _) => (
            (a.0 + b.0) / 2.0,
            a.1 - fs * 0.3,
            r#" text-anchor="middle""#.to_owned(),
        ),
        (false, _) => {
            let (x, y) = (a.0 - fs * 0.3, (a.1 + b.1) / 2.0);
            let rotate = format!(
                r#" text-anchor="middle" transform="rotate(-90 {} {})""#,
                n(x),
                n(y)
            );
            (x, y, rotate)
        }
    };
    let _ = write!(
        out,
        r#"<text x="{}" y="{}"{attrs}>{text}</text></g>"#,
        n(x),
        n(y)
    );
}

/// Bar and stirrup strings where drawings put them.
fn labels(out: &mut String, layout: &Layout, fs: f64) {
    let (b, depth) = (layout.width_mm, layout.depth_mm);
    let mut label = |x: f64, y: f64, anchor: &str, text: &str| {
        let _ = write!(
            out,
            r#"<text class="label" x="{}" y="{}" text-anchor="{anchor}">{}</text>"#,
            n(x),
            n(y),
            escape(text)
        );
    };
    label(b / 2.0, depth + 3.8 * fs, "middle", &layout.tension_label);
    if let Some(text) = &layout.compression_label {
        label(b / 2.0, -2.6 * fs, "middle", text);
    }
    if let Some(l) = &layout.links {
        label(b + 3.5 * fs, depth / 2.0, "start", &l.label);
    }
}

/// A number with at most 2 decimals and no trailing zeros (`12.5`, `300`).
fn n(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// A length as dimensions show it: whole mm, or one decimal when not whole.
fn n1(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// Text content escaped for XML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
