//! The registry of a scenario's scalar inputs, from the declarations of
//! [`super::inputs`]: one *slot* per declared input of every section
//! instance (and one per segment for each lab's weights), in a fixed order,
//! with its field path, unit, domain and value. Validation, drawing, input
//! tables, `describe()` and the expanded form read it; the engine fills the
//! per-path parameters from the slots through [`SlotLayout`].

use serde_json::{Value, json};

use super::inputs::{Domain, InputSpec, Presence, Section, Written, slot_value};
use super::types::{Attractiveness, Demand, Event, Gap, Lab, Prices, Scenario, Segment, Uncertain, Valuation};

/// Where each section instance's slots start; slot `base + i` holds the
/// section's `i`-th declared input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlotLayout {
    /// The run's own inputs (`start_year`, `horizon`).
    pub run: usize,
    /// `valuation.*`.
    pub valuation: usize,
    /// `gap.*`.
    pub gap: usize,
    /// `prices.*`.
    pub prices: usize,
    /// `demand.*`.
    pub demand: usize,
    /// `attractiveness.*`.
    pub attractiveness: usize,
    /// `segments.<id>.*`, per segment in scenario order.
    pub segments: Vec<usize>,
    /// Per lab: the first of its weights (one per segment, in segment order),
    /// then the first of its declared inputs.
    pub labs: Vec<(usize, usize)>,
    /// `events.<id>.*`, per event in scenario order.
    pub events: Vec<usize>,
    /// Number of slots.
    pub len: usize,
}

/// One slot: a scalar input of a section instance.
#[derive(Clone, Debug)]
pub struct Slot<'a> {
    /// Its field path (`labs.openai.mark`).
    pub path: String,
    /// Its declaration: unit, domain, presence.
    pub spec: InputSpec,
    /// As written; `None` when the file leaves it out.
    pub written: Option<Written<'a>>,
}

impl Slot<'_> {
    /// The value a run uses when nothing is drawn: written, default, or NaN.
    pub fn base_value(&self) -> f64 {
        slot_value(&self.spec, self.written)
    }

    /// Whether the slot has a value (written, or by default).
    pub fn is_present(&self) -> bool {
        self.written.is_some() || matches!(self.spec.presence, Presence::Default(_))
    }
}

/// One scalar input that a scenario has (written or by default).
#[derive(Clone, Debug)]
pub struct Field {
    /// Its field path (`gap.half_life`).
    pub path: String,
    /// The number or distribution (a default is a fixed number).
    pub value: Uncertain,
    /// The values it may take; the discount rate's bound is resolved.
    pub domain: Domain,
    /// Its unit (`years`, `USD bn/year`).
    pub unit: &'static str,
    /// Whether it may be a distribution (docs/equations.md §10's U).
    pub uncertain: bool,
    /// Its slot.
    pub slot: usize,
}

/// The declaration of a lab's weight on a segment.
const WEIGHT: InputSpec = InputSpec {
    name: "weights",
    unit: "1",
    domain: Domain::NonNegative,
    presence: Presence::Default(0.0),
    uncertain: true,
};

impl Scenario {
    /// Every slot, in layout order: the run's own inputs, valuation, gap,
    /// prices, demand, attractiveness, then each segment, each lab (its
    /// weights in segment order, then its inputs) and each event.
    pub fn slots(&self) -> (Vec<Slot<'_>>, SlotLayout) {
        fn section<'a>(
            slots: &mut Vec<Slot<'a>>,
            prefix: &str,
            specs: &[InputSpec],
            written: Vec<Option<Written<'a>>>,
        ) -> usize {
            let base = slots.len();
            for (spec, w) in specs.iter().zip(written) {
                slots.push(Slot {
                    path: format!("{prefix}{}", spec.name),
                    spec: *spec,
                    written: w,
                });
            }
            base
        }
        let mut slots = Vec::new();
        let mut layout = SlotLayout {
            run: section(&mut slots, "", Scenario::INPUTS, Section::written(self)),
            valuation: section(&mut slots, "valuation.", Valuation::INPUTS, self.valuation.written()),
            gap: section(&mut slots, "gap.", Gap::INPUTS, self.gap.written()),
            prices: section(&mut slots, "prices.", Prices::INPUTS, self.prices.written()),
            demand: section(&mut slots, "demand.", Demand::INPUTS, self.demand.written()),
            attractiveness: section(
                &mut slots,
                "attractiveness.",
                Attractiveness::INPUTS,
                self.attractiveness.written(),
            ),
            ..Default::default()
        };
        for s in &self.segments {
            let base = section(&mut slots, &format!("segments.{}.", s.id), Segment::INPUTS, s.written());
            layout.segments.push(base);
        }
        for l in &self.labs {
            let weights = slots.len();
            for s in &self.segments {
                slots.push(Slot {
                    path: format!("labs.{}.weights.{}", l.id, s.id),
                    spec: WEIGHT,
                    written: l.weights.get(&s.id).map(Written::from),
                });
            }
            let base = section(&mut slots, &format!("labs.{}.", l.id), Lab::INPUTS, l.written());
            layout.labs.push((weights, base));
        }
        for e in &self.events {
            let base = section(&mut slots, &format!("events.{}.", e.id), Event::INPUTS, e.written());
            layout.events.push(base);
        }
        layout.len = slots.len();
        (slots, layout)
    }

    /// Every scalar input the scenario has (written or by default), in slot
    /// order, with the discount rate's bound resolved; then the weights a
    /// lab gives to segments that do not exist (validation reports them).
    pub fn fields(&self) -> Vec<Field> {
        let bound = match (self.valuation.terminal_growth, self.terminal_growth_ok()) {
            (Some(g), true) => Domain::AtLeast(g + 0.01 - 1e-12),
            _ => Domain::Any,
        };
        let (slots, _) = self.slots();
        let mut out: Vec<Field> = slots
            .into_iter()
            .enumerate()
            .filter(|(_, s)| s.is_present())
            .map(|(i, s)| Field {
                value: match s.written {
                    Some(Written::Uncertain(u)) => u.clone(),
                    _ => Uncertain::Fixed(s.base_value()),
                },
                domain: match s.spec.domain {
                    Domain::AboveTerminalGrowth => bound,
                    d => d,
                },
                unit: s.spec.unit,
                uncertain: s.spec.uncertain,
                path: s.path,
                slot: i,
            })
            .collect();
        for l in &self.labs {
            for (sid, w) in &l.weights {
                if self.segment(sid).is_none() {
                    out.push(Field {
                        path: format!("labs.{}.weights.{sid}", l.id),
                        value: w.clone(),
                        domain: WEIGHT.domain,
                        unit: WEIGHT.unit,
                        uncertain: true,
                        slot: usize::MAX,
                    });
                }
            }
        }
        out
    }

    /// The inputs that are drawn per path (distributions other than `fixed`).
    pub fn uncertain_fields(&self) -> Vec<Field> {
        self.fields()
            .into_iter()
            .filter(|f| f.value.fixed_value().is_none())
            .collect()
    }

    /// The declared inputs the file must give but leaves out.
    pub(crate) fn missing_inputs(&self) -> Vec<String> {
        let (slots, _) = self.slots();
        slots
            .into_iter()
            .filter(|s| s.written.is_none() && s.spec.presence == Presence::Required)
            .map(|s| s.path)
            .collect()
    }
}

/// Fill in every defaulted field of the JSON form (for `show --expanded`); it
/// reads back to an equal scenario up to the inputs written out. With
/// `implied`, also write what an absent entry means but an explicit one
/// would change: the identity process correlation and a zero weight for
/// every unlisted segment (for `get`).
pub(crate) fn expand_defaults(s: &Scenario, mut v: Value, implied: bool) -> Value {
    fn fill(obj: &mut Value, key: &str, default: Value) {
        if let Value::Object(o) = obj {
            o.entry(key).or_insert(default);
        }
    }
    // Plain fields' defaults (text and lists, not inputs).
    for (k, d) in [
        ("description", json!("")),
        ("steps_per_year", json!(super::types::default_steps())),
        ("demand", json!({})),
        ("attractiveness", json!({})),
        ("events", json!([])),
        ("correlation", json!({"inputs": []})),
    ] {
        fill(&mut v, k, d);
    }
    fill(&mut v["correlation"], "inputs", json!([]));
    // Switches that serde leaves out at their default.
    let ces = serde_json::to_value(super::types::PriceIndex::default()).expect("a unit variant");
    fill(&mut v["demand"], "price_index", ces);
    let absolute = serde_json::to_value(super::types::PriceEffect::default()).expect("a unit variant");
    fill(&mut v["demand"], "price_effect", absolute);
    let one_way = serde_json::to_value(super::types::Pressure::default()).expect("a unit variant");
    fill(&mut v["prices"], "pressure", one_way);
    let given = serde_json::to_value(super::types::MatureMultiple::default()).expect("a unit variant");
    if let Some(labs) = v["labs"].as_array_mut() {
        for (lab, l) in labs.iter_mut().zip(&s.labs) {
            fill(lab, "plan", json!([]));
            fill(lab, "weights", json!({}));
            // Only a lab with a mark takes the switch.
            if l.mark.is_some() {
                fill(lab, "mature_multiple", given.clone());
            }
        }
    }
    if implied {
        let identity: Vec<Vec<f64>> = (0..4)
            .map(|i| (0..4).map(|j| f64::from(u8::from(i == j))).collect())
            .collect();
        fill(&mut v["correlation"], "process", json!(identity));
    }
    // Every declared input's default, at its path.
    let (slots, _) = s.slots();
    for slot in slots.iter().filter(|s| s.written.is_none()) {
        // An unlisted weight is 0 by definition; it is written only for `get`.
        if slot.spec == WEIGHT && !implied {
            continue;
        }
        if let Presence::Default(x) = slot.spec.presence {
            let _ = super::paths::set(&mut v, &slot.path, json!(x));
        }
    }
    v
}
