//! Findings of a design: a level, a stable machine code, the IS 456 clause and the numbers
//! that render the sentence. Kept in a fixed-capacity inline list so a design never allocates.

use std::fmt;

/// How much a finding matters; the worst level of a design is its [`crate::Status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// For information: normal outcomes such as minimum steel governing.
    Info,
    /// Valid but noteworthy.
    Warning,
    /// A check is not met.
    Fail,
}

impl Level {
    /// Stable lower-case name: `info`, `warning`, `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Fail => "fail",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $level:ident, $clause:literal, $text:literal; )*) => {
        /// Stable machine code of a finding. Never renamed: clients match on [`Code::as_str`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable machine name, e.g. `SHEAR_EXCEEDS_TC_MAX`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The level a finding of this code always has.
            pub fn level(self) -> Level {
                match self { $(Code::$variant => Level::$level,)* }
            }

            /// The IS 456:2000 clause (or table) the finding refers to, e.g. `40.2.3`.
            pub fn clause(self) -> &'static str {
                match self { $(Code::$variant => $clause,)* }
            }

            /// Sentence template: `{v}` is the message's value, `{l}` its limit.
            fn template(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
        }
    };
}

codes! {
    /// Minimum tension steel 0.85 b d / fy governs the design.
    MinTensionSteelGoverns = "MIN_TENSION_STEEL_GOVERNS", Info, "26.5.1.1(a)",
        "minimum tension steel governs: required {v} mm² < minimum {l} mm²";
    /// Minimum shear reinforcement governs the stirrups.
    MinShearSteelGoverns = "MIN_SHEAR_STEEL_GOVERNS", Info, "26.5.1.6",
        "minimum shear reinforcement governs: τv = {v} N/mm² ≤ τc = {l} N/mm²";
    /// Side-face reinforcement is required (D > 750 mm).
    SideFaceSteelRequired = "SIDE_FACE_STEEL_REQUIRED", Info, "26.5.1.3",
        "side-face steel required: D = {v} mm > {l} mm";
    /// Mu exceeds Mu,lim: compression steel is required.
    CompressionSteelRequired = "COMPRESSION_STEEL_REQUIRED", Warning, "38.1, G-1.2",
        "compression steel required: Mu = {v} kN·m > Mu,lim = {l} kN·m";
    /// The tension steel provided puts xu beyond xu,max; capacity is limited to that at xu,max.
    OverReinforced = "OVER_REINFORCED", Warning, "38.1",
        "over-reinforced: xu = {v} mm > xu,max = {l} mm; capacity taken at xu,max";
    /// The nominal cover is below the Table 16 value for the exposure.
    CoverBelowTable16 = "COVER_BELOW_TABLE_16", Warning, "26.4.2, Table 16",
        "nominal cover {v} mm is below {l} mm for the exposure";
    /// The designed stirrup spacing is below 75 mm: use larger links or more legs.
    StirrupSpacingTight = "STIRRUP_SPACING_TIGHT", Warning, "40.4(a)",
        "stirrup spacing {v} mm is below the practical {l} mm: use larger links or more legs";
    /// τv exceeds τc,max: the section must be enlarged.
    ShearExceedsTcMax = "SHEAR_EXCEEDS_TC_MAX", Fail, "40.2.3, Table 20",
        "τv = {v} N/mm² exceeds τc,max = {l} N/mm²: enlarge the section";
    /// Tension steel required or provided exceeds 0.04 b D.
    TensionSteelExceedsMax = "TENSION_STEEL_EXCEEDS_MAX", Fail, "26.5.1.1(b)",
        "tension steel {v} mm² exceeds the maximum 0.04 b D = {l} mm²";
    /// Compression steel required or provided exceeds 0.04 b D.
    CompressionSteelExceedsMax = "COMPRESSION_STEEL_EXCEEDS_MAX", Fail, "26.5.1.2",
        "compression steel {v} mm² exceeds the maximum 0.04 b D = {l} mm²";
    /// d' is not inside the limiting compression zone, so compression steel cannot work.
    CompressionSteelOutsideZone = "COMPRESSION_STEEL_OUTSIDE_ZONE", Fail, "G-1.2",
        "compression steel depth d' = {v} mm is not within xu,max = {l} mm";
    /// Actual span/d exceeds the allowable.
    SpanDepthExceeded = "SPAN_DEPTH_EXCEEDED", Fail, "23.2.1",
        "span/d = {v} exceeds the allowable {l}";
    /// The bars cannot be placed in two layers within the width at the clear spacing required.
    BarsDoNotFit = "BARS_DO_NOT_FIT", Fail, "26.3.2",
        "bars for {v} mm² do not fit in two layers within the clear width {l} mm";
    /// Clear spacing between tension bars exceeds Table 15.
    BarSpacingExceedsTable15 = "BAR_SPACING_EXCEEDS_TABLE_15", Fail, "26.3.3, Table 15",
        "clear spacing of tension bars {v} mm exceeds {l} mm";
    /// Tension steel provided is below 0.85 b d / fy.
    TensionSteelBelowMin = "TENSION_STEEL_BELOW_MIN", Fail, "26.5.1.1(a)",
        "tension steel provided {v} mm² is below the minimum {l} mm²";
    /// Moment capacity below the demand.
    FlexureCapacityExceeded = "FLEXURE_CAPACITY_EXCEEDED", Fail, "38.1, Annex G",
        "Mu = {v} kN·m exceeds the moment of resistance {l} kN·m";
    /// Shear capacity below the demand.
    ShearCapacityExceeded = "SHEAR_CAPACITY_EXCEEDED", Fail, "40.4",
        "Vu = {v} kN exceeds the shear resistance {l} kN";
    /// No stirrups in a beam: minimum shear reinforcement is always required.
    NoStirrups = "NO_STIRRUPS", Fail, "26.5.1.6",
        "no stirrups: minimum shear reinforcement Asv/sv ≥ {l} mm²/mm is required";
    /// Stirrups provided are below the minimum shear reinforcement.
    ShearSteelBelowMin = "SHEAR_STEEL_BELOW_MIN", Fail, "26.5.1.6",
        "stirrups Asv/sv = {v} mm²/mm are below the minimum {l} mm²/mm";
    /// Stirrup spacing provided exceeds min(0.75 d, 300 mm).
    StirrupSpacingExceedsMax = "STIRRUP_SPACING_EXCEEDS_MAX", Fail, "26.5.1.5",
        "stirrup spacing {v} mm exceeds the maximum {l} mm";
    /// The stirrups needed would be closer than 25 mm: not buildable with these links.
    StirrupsInsufficient = "STIRRUPS_INSUFFICIENT", Fail, "40.4(a)",
        "stirrups would need a spacing of {v} mm (< {l} mm): use larger links or more legs";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: the code fixes its level, clause and sentence; `value` and `limit` fill it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Message {
    /// Stable machine code.
    pub code: Code,
    /// The quantity found (units as in the sentence).
    pub value: f64,
    /// The limit it was compared with (units as in the sentence).
    pub limit: f64,
}

impl Message {
    /// A finding of `code` with its value and limit.
    pub fn new(code: Code, value: f64, limit: f64) -> Self {
        Self { code, value, limit }
    }

    /// Severity (from the code).
    pub fn level(&self) -> Level {
        self.code.level()
    }

    /// IS 456 clause (from the code).
    pub fn clause(&self) -> &'static str {
        self.code.clause()
    }
}

/// Renders a number with at most `decimals` places and no trailing zeros.
fn write_num(f: &mut fmt::Formatter<'_>, x: f64) -> fmt::Result {
    let decimals = if x.abs() >= 100.0 { 0 } else { 2 };
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    f.write_str(s)
}

impl fmt::Display for Message {
    /// The sentence, e.g. `τv = 3.2 N/mm² exceeds τc,max = 3.1 N/mm²: enlarge the section`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.code.template();
        while let Some(i) = rest.find('{') {
            f.write_str(&rest[..i])?;
            let value = if rest[i..].starts_with("{v}") {
                self.value
            } else {
                self.limit
            };
            write_num(f, value)?;
            rest = &rest[i + 3..];
        }
        f.write_str(rest)
    }
}

/// Maximum number of findings a design holds: at least one slot per [`Code`] (a code is never
/// repeated), so no finding is ever dropped.
pub const MAX_MESSAGES: usize = 24;

/// A fixed-capacity list of findings, stored inline (no heap).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Messages {
    items: [Message; MAX_MESSAGES],
    len: usize,
}

impl Default for Messages {
    fn default() -> Self {
        Self::new()
    }
}

impl Messages {
    /// An empty list.
    pub const fn new() -> Self {
        let blank = Message {
            code: Code::MinTensionSteelGoverns,
            value: 0.0,
            limit: 0.0,
        };
        Self {
            items: [blank; MAX_MESSAGES],
            len: 0,
        }
    }

    /// Appends a finding; a finding with a code already present is not repeated (so the list
    /// never outgrows [`MAX_MESSAGES`]).
    pub fn push(&mut self, message: Message) {
        if self.len < MAX_MESSAGES && !self.contains(message.code) {
            self.items[self.len] = message;
            self.len += 1;
        }
    }

    /// The findings, in the order found.
    pub fn as_slice(&self) -> &[Message] {
        &self.items[..self.len]
    }

    /// Iterator over the findings.
    pub fn iter(&self) -> std::slice::Iter<'_, Message> {
        self.as_slice().iter()
    }

    /// Number of findings.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no findings.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether a finding with `code` is present.
    pub fn contains(&self, code: Code) -> bool {
        self.as_slice().iter().any(|m| m.code == code)
    }

    /// The worst level present, `None` when empty.
    pub fn worst(&self) -> Option<Level> {
        self.as_slice().iter().map(Message::level).max()
    }
}

impl<'a> IntoIterator for &'a Messages {
    type Item = &'a Message;
    type IntoIter = std::slice::Iter<'a, Message>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_fits_so_no_finding_is_dropped() {
        assert!(Code::ALL.len() <= MAX_MESSAGES);
        let mut msgs = Messages::new();
        for &code in Code::ALL {
            msgs.push(Message::new(code, 1.0, 2.0));
            msgs.push(Message::new(code, 3.0, 4.0));
        }
        assert_eq!(msgs.len(), Code::ALL.len());
        assert_eq!(msgs.worst(), Some(Level::Fail));
    }

    #[test]
    fn sentences_render_value_and_limit() {
        let m = Message::new(Code::ShearExceedsTcMax, 3.2049, 3.1);
        assert_eq!(
            m.to_string(),
            "τv = 3.2 N/mm² exceeds τc,max = 3.1 N/mm²: enlarge the section"
        );
        assert_eq!((m.level(), m.clause()), (Level::Fail, "40.2.3, Table 20"));
        let m = Message::new(Code::FlexureCapacityExceeded, 250.0, 212.46);
        assert_eq!(
            m.to_string(),
            "Mu = 250 kN·m exceeds the moment of resistance 212 kN·m"
        );
    }

    #[test]
    fn codes_are_unique_and_screaming_snake_case() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert!(names.iter().all(|n| {
            n.chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        }));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }
}
