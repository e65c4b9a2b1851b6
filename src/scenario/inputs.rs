//! The one declaration of every scalar input: each section of a scenario is
//! written once with the `section!` macro, which gives the serde type of
//! the file, the list of its inputs with their unit, domain and default
//! ([`InputSpec`]), and the per-path parameters with a `fill` that reads
//! each input from its slot by an index known at compile time.
//!
//! Adding an input is one `input` line in `types.rs` plus its use in the
//! model; validation, `describe()`, overrides, drawing, input tables, the
//! expanded form and Python's defaults all follow from the declaration
//! (`tests/inputs.rs` checks each of these for every declared input).

use crate::error::Num;

use super::types::{Scenario, Uncertain};

/// The most events, jumps or adjustments per year an input may ask for: one
/// a day, the finest step. A faster rate changes nothing a daily grid can
/// show (a speed of 365 a year halves a distance in 17 hours, a hazard of
/// 365 fires within a month with probability 1 - 1e-13), and it bounds the
/// jump draws of a period (at most 365 / 4 on average at quarterly steps):
/// a run takes bounded time whatever the rate.
pub const MAX_RATE: f64 = 365.0;

/// The largest continuous growth, decline or drift per year, either sign:
/// `e^10`, about 22,000 times a year. Reported AI revenue grows about 10x a
/// year at most (ln 10 = 2.3) and model prices fall 9x to 900x a year
/// (ln 900 = 6.8); a larger rate only overflows within the horizon.
pub const MAX_LOG_RATE: f64 = 10.0;

/// The values an input may take (docs/equations.md §9).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    /// Any finite number.
    Any,
    /// `> 0`
    Positive,
    /// `>= 0`
    NonNegative,
    /// `<= bound`
    AtMost(f64),
    /// `< bound`
    Below(f64),
    /// Between two bounds, each included or not.
    Interval {
        /// The lower bound.
        lo: f64,
        /// The upper bound.
        hi: f64,
        /// Whether `lo` itself is excluded.
        lo_open: bool,
        /// Whether `hi` itself is excluded.
        hi_open: bool,
    },
    /// `>= bound` (the discount rate: `r >= g_T + 0.01 - 1e-12`)
    AtLeast(f64),
    /// `r >= g_T + 0.01` (resolved to [`Domain::AtLeast`] per scenario).
    AboveTerminalGrowth,
}

impl Domain {
    /// `(0, 1)`
    pub const OPEN_UNIT: Domain = Domain::Interval {
        lo: 0.0,
        hi: 1.0,
        lo_open: true,
        hi_open: true,
    };
    /// `[0, 1]`
    pub const CLOSED_UNIT: Domain = Domain::Interval {
        lo: 0.0,
        hi: 1.0,
        lo_open: false,
        hi_open: false,
    };
    /// `[0, 365]`: counts of events and jumps, hazards and speeds of
    /// adjustment per year (see [`MAX_RATE`]).
    pub const RATE: Domain = Domain::Interval {
        lo: 0.0,
        hi: MAX_RATE,
        lo_open: false,
        hi_open: false,
    };
    /// `[-10, 10]`: continuous growth, decline and drift per year (see
    /// [`MAX_LOG_RATE`]).
    pub const LOG_RATE: Domain = Domain::Interval {
        lo: -MAX_LOG_RATE,
        hi: MAX_LOG_RATE,
        lo_open: false,
        hi_open: false,
    };
    /// `(0, 10]`: a trailing growth, observed and positive.
    pub const POSITIVE_LOG_RATE: Domain = Domain::Interval {
        lo: 0.0,
        hi: MAX_LOG_RATE,
        lo_open: true,
        hi_open: false,
    };

    /// Whether a single value lies in the domain.
    pub fn contains(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Domain::Any | Domain::AboveTerminalGrowth => true,
                Domain::Positive => x > 0.0,
                Domain::NonNegative => x >= 0.0,
                Domain::AtMost(b) => x <= b,
                Domain::Below(b) => x < b,
                Domain::AtLeast(b) => x >= b,
                Domain::Interval {
                    lo,
                    hi,
                    lo_open,
                    hi_open,
                } => (if lo_open { x > lo } else { x >= lo }) && (if hi_open { x < hi } else { x <= hi }),
            }
    }

    /// Whether every value of a support lies in the domain.
    pub fn contains_support(self, s: crate::dist::Support) -> bool {
        let lo_ok = |bound: f64, strict: bool| {
            if strict {
                s.lo > bound || (s.open && s.lo == bound)
            } else {
                s.lo >= bound
            }
        };
        let hi_ok = |bound: f64, strict: bool| {
            if strict {
                s.hi < bound || (s.open && s.hi == bound)
            } else {
                s.hi <= bound
            }
        };
        match self {
            Domain::Any | Domain::AboveTerminalGrowth => true,
            Domain::Positive => lo_ok(0.0, true),
            Domain::NonNegative => lo_ok(0.0, false),
            Domain::AtMost(b) => hi_ok(b, false),
            Domain::Below(b) => hi_ok(b, true),
            Domain::AtLeast(b) => lo_ok(b, false),
            Domain::Interval {
                lo,
                hi,
                lo_open,
                hi_open,
            } => lo_ok(lo, lo_open) && hi_ok(hi, hi_open),
        }
    }

    /// The rule in words, for messages (`must be > 0`).
    pub fn describe(self) -> String {
        match self {
            Domain::Any => "may be any finite number".into(),
            Domain::Positive => "must be > 0".into(),
            Domain::NonNegative => "must be >= 0".into(),
            Domain::AtMost(b) => format!("must be <= {}", Num(b)),
            Domain::Below(b) => format!("must be < {}", Num(b)),
            Domain::AtLeast(b) => format!("must be >= {}", Num((b * 1e9).round() / 1e9)),
            Domain::AboveTerminalGrowth => "must be >= terminal_growth + 0.01".into(),
            Domain::Interval {
                lo,
                hi,
                lo_open,
                hi_open,
            } => format!(
                "must be in {}{}, {}{}",
                if lo_open { "(" } else { "[" },
                Num(lo),
                Num(hi),
                if hi_open { ")" } else { "]" }
            ),
        }
    }
}

/// Whether an input must be given, has a default, or may be absent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Presence {
    /// A file must give it.
    Required,
    /// Absent means this value.
    Default(f64),
    /// Absent means something else (a calibrated brand premium, a lab without a mark).
    Optional,
}

/// One scalar input of a section, as declared.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputSpec {
    /// The last part of its field path (`half_life`).
    pub name: &'static str,
    /// Its unit (`months`, `USD bn/year`, `share`; `1` for a pure number).
    pub unit: &'static str,
    /// The values it may take.
    pub domain: Domain,
    /// Whether it is required, has a default, or may be absent.
    pub presence: Presence,
    /// Whether it may be a distribution drawn per path (docs/equations.md §10's U).
    pub uncertain: bool,
}

/// An input's value as written in a file: a number or distribution, or a
/// plain number for inputs that are never uncertain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Written<'a> {
    /// An input that may be uncertain: a number or a distribution.
    Uncertain(&'a Uncertain),
    /// An input that is always a plain number.
    Fixed(f64),
}

impl<'a> From<&'a Uncertain> for Written<'a> {
    fn from(u: &'a Uncertain) -> Self {
        Written::Uncertain(u)
    }
}

impl From<&f64> for Written<'_> {
    fn from(x: &f64) -> Self {
        Written::Fixed(*x)
    }
}

/// A section: its declared inputs and their values as written.
pub trait Section {
    /// The declared inputs, in declaration order (the order of the slots).
    const INPUTS: &'static [InputSpec];
    /// Each input as written (`None` when absent), in declaration order.
    fn written(&self) -> Vec<Option<Written<'_>>>;
    /// Drop inputs written as their default, so that a file that writes a
    /// default and one that leaves it out give equal scenarios.
    fn drop_defaults(&mut self);
}

/// Whether a written input is the plain number `x`.
pub trait IsNumber {
    /// Whether this is the plain number `x` (a distribution never is).
    fn is_number(&self, x: f64) -> bool;
}

impl IsNumber for Uncertain {
    fn is_number(&self, x: f64) -> bool {
        *self == Uncertain::Fixed(x)
    }
}

impl IsNumber for f64 {
    fn is_number(&self, x: f64) -> bool {
        *self == x
    }
}

/// The declared default of input `name` of section `S` (NaN if it has none).
pub fn default_of<S: Section>(name: &str) -> f64 {
    match S::INPUTS.iter().find(|i| i.name == name).map(|i| i.presence) {
        Some(Presence::Default(x)) => x,
        _ => f64::NAN,
    }
}

/// Serde for a written input: present means a value (an explicit `null` is
/// a type error naming the field, not an absent input); absent is `None`
/// through `#[serde(default)]`.
pub(crate) fn given<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// The value a slot holds when nothing is drawn: the written fixed value,
/// the default, or NaN (absent optional, or a distribution drawn per path).
pub fn slot_value(spec: &InputSpec, written: Option<Written<'_>>) -> f64 {
    match (written, spec.presence) {
        (Some(Written::Fixed(x)), _) => x,
        (Some(Written::Uncertain(u)), _) => u.fixed_value().unwrap_or(f64::NAN),
        (None, Presence::Default(x)) => x,
        (None, _) => f64::NAN,
    }
}

/// Declare a section of a scenario once: its serde type (plain fields as
/// written, then every scalar input as an `Option` so that absence is
/// visible), its [`Section`] impl, and its per-path parameters, whose
/// `fill` reads each input from `values[base + index]`.
///
/// ```text
/// section! {
///     /// doc
///     pub struct Gap => GapParams {
///         plain #[serde(default)] pub note: String,
///         input /// `G_0`
///             initial: U required, "months", Domain::Any;
///         input sigma: U default(0.0), "months/sqrt(year)", Domain::NonNegative;
///     }
/// }
/// ```
///
/// `U` inputs may be distributions; `F` inputs are plain numbers. Presence:
/// `required`, `default(x)` or `optional` (parameters then `Option<f64>`).
/// `tail` fields follow the inputs in files; a trailing `params { .. }`
/// block adds fields to the parameters that the engine fills itself.
macro_rules! section {
    (
        $(#[$smeta:meta])*
        pub struct $name:ident => $params:ident {
            $( plain $(#[$pmeta:meta])* pub $pfield:ident : $pty:ty, )*
            $( input $(#[$imeta:meta])* $ifield:ident : $kind:ident $presence:ident $( ( $default:expr ) )? , $unit:literal , $domain:expr ; )*
            $( tail $(#[$tmeta:meta])* pub $tfield:ident : $tty:ty, )*
        }
        $( params { $( $(#[$xmeta:meta])* pub $xfield:ident : $xty:ty, )* } )?
    ) => {
        $(#[$smeta])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $( $(#[$pmeta])* pub $pfield: $pty, )*
            $(
                $(#[$imeta])*
                #[serde(
                    default,
                    deserialize_with = "crate::scenario::inputs::given",
                    skip_serializing_if = "Option::is_none"
                )]
                pub $ifield: Option<section!(@ty $kind)>,
            )*
            $( $(#[$tmeta])* pub $tfield: $tty, )*
        }

        impl $crate::scenario::inputs::Section for $name {
            const INPUTS: &'static [$crate::scenario::inputs::InputSpec] = &[
                $(
                    $crate::scenario::inputs::InputSpec {
                        name: stringify!($ifield),
                        unit: $unit,
                        domain: $domain,
                        presence: section!(@presence $presence $( ($default) )?),
                        uncertain: section!(@uncertain $kind),
                    },
                )*
            ];
            /// Each input as written (`None` when absent), in declaration order.
            fn written(&self) -> Vec<Option<$crate::scenario::inputs::Written<'_>>> {
                vec![ $( self.$ifield.as_ref().map(Into::into), )* ]
            }
            /// Drop inputs written as their default.
            fn drop_defaults(&mut self) {
                $( section!(@drop self.$ifield, $presence $( ($default) )?); )*
            }
        }

        #[doc = concat!("The per-path parameters of [`", stringify!($name), "`]: every input resolved to a number.")]
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $params {
            $(
                $(#[$imeta])*
                pub $ifield: section!(@pty $presence),
            )*
            $( $( $(#[$xmeta])* pub $xfield: $xty, )* )?
        }

        impl $params {
            /// Read every input from its slot: `values[base + index]`, the
            /// index being the input's place in the declaration.
            #[inline]
            pub fn fill(&mut self, values: &[f64], base: usize) {
                #[allow(non_camel_case_types, clippy::enum_variant_names, dead_code)]
                enum Index { $( $ifield, )* }
                $( self.$ifield = section!(@read $presence, values[base + Index::$ifield as usize]); )*
            }
        }
    };
    (@ty U) => { $crate::dist::Uncertain };
    (@ty F) => { f64 };
    (@uncertain U) => { true };
    (@uncertain F) => { false };
    (@presence required) => { $crate::scenario::inputs::Presence::Required };
    (@presence default ($d:expr)) => { $crate::scenario::inputs::Presence::Default($d) };
    (@presence optional) => { $crate::scenario::inputs::Presence::Optional };
    (@drop $f:expr, default ($d:expr)) => {
        if $f.as_ref().is_some_and(|v| $crate::scenario::inputs::IsNumber::is_number(v, $d)) {
            $f = None;
        }
    };
    (@drop $f:expr, $presence:ident) => {};
    (@pty required) => { f64 };
    (@pty default) => { f64 };
    (@pty optional) => { Option<f64> };
    (@read optional, $x:expr) => {{
        let x = $x;
        // Absent optional inputs hold NaN (a drawn or written value never does).
        if x.is_nan() { None } else { Some(x) }
    }};
    (@read $presence:ident, $x:expr) => { $x };
}

pub(crate) use section;

impl Scenario {
    /// Whether `g_T` lies in its own domain (needed to resolve the discount
    /// rate's bound, so that an absurd growth is not blamed on the rate).
    pub(crate) fn terminal_growth_ok(&self) -> bool {
        self.valuation.terminal_growth.is_some_and(|g| {
            Domain::Interval {
                lo: -1.0,
                hi: 1.0,
                lo_open: true,
                hi_open: true,
            }
            .contains(g)
        })
    }
}
