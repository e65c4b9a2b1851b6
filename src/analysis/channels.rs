//! Where a scenario's repricing comes from: an exact Shapley decomposition
//! of its difference from a base over the model's channels, on common
//! random numbers.
//!
//! # The channels and what "off" means
//!
//! Each channel is switched off by editing the scenario (its JSON form):
//!
//! 1. **usage share** ([`Channel::Usage`]): off, usage stays where the
//!    competition of today leaves it: `prices.ratio_drift = 0`,
//!    `prices.sigma_ratio = 0`, every segment's `switching = 0`, every
//!    event's `gap_sensitivity = 0`, and every event effect on `gap` dropped;
//! 2. **price pressure** ([`Channel::Pressure`]): off,
//!    `prices.premium_sensitivity = 0`;
//! 3. **margin pass-through** ([`Channel::PassThrough`]): off,
//!    `prices.pass_through = 0`;
//! 4. **the events' preference shifts** ([`Channel::EventPreferences`]): off,
//!    every event effect on a `segments.<id>.brand_premium` or
//!    `segments.<id>.switching` dropped;
//! 5. **the events' price effects** ([`Channel::EventPrices`]): off, every
//!    event effect on `price_pressure`, `price_ratio` or `closed_price`
//!    dropped;
//! 6. **marks** ([`Channel::Marks`]): off, every lab with
//!    `mature_multiple = "steady"` gets `mature_multiple = "given"` with a
//!    software comparable, `multiple_inf` triangular(4.8, 8.4, 12) on
//!    revenue; marks move P(pop), not fair value.
//!
//! An event whose effects are all dropped stays, with no effects, so that
//! its draws stay where they were. Every other input is the scenario's own.
//!
//! # The game
//!
//! For a set `T` of channels on, `S_T` is the scenario with the others off,
//! and `B_T` is the base with the same channels off: with
//! [`ChannelBase::Frozen`] (the default) `B_T = freeze(S_T)`, the
//! frozen-competition counterfactual of `S_T` (docs/equations.md §11); with
//! [`ChannelBase::Scenario`] a preset or file `P`, `B_T = P_T`. The worth of
//! `T` is `v(T) = f(S_T) - f(B_T)` for a statistic `f` (a mean or a
//! probability), path by path on the same draws. The total is `v(all)`:
//! against frozen, `f(S) - f(freeze(S))`, the net figure of `run --net`.
//!
//! Each channel's Shapley value is its marginal worth averaged over all
//! `k!` orders, computed exactly over all `2^k` sets:
//! `phi_i = sum over T without i of |T|! (k - |T| - 1)! / k! (v(T + i) - v(T))`.
//! The channels' values add up to `v(all) - v(none)`; `v(none)`, the
//! difference with every channel off, is its own row (the scenario's own
//! inputs: against frozen it is 0 up to the draws of the events the
//! counterfactual removes, since with every channel off nothing is left
//! for it to freeze). So the rows add up to the total exactly, up to float
//! rounding.
//!
//! Each value is the mean of a per-path value (a fixed linear combination
//! of the per-path outputs of the `2^(k+1)` runs; 0/1 indicators for a
//! probability), and its standard error is `sd / sqrt(N)` of that per-path
//! combination.

use serde::Serialize;
use serde_json::{Value, json};

use super::runs::{Runs, cell};
use super::statistic::{Estimate, Measure, Scope, Statistic};
use crate::error::{Error, Result};
use crate::scenario::Scenario;

/// A channel of the model, switched off as the module's documentation says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Usage share: the price ratio's drift and noise, switching, the gap's
    /// effect on event hazards and the events' effects on the gap.
    Usage,
    /// Price pressure: the premium's sensitivity to the lead.
    Pressure,
    /// Margin pass-through.
    PassThrough,
    /// The events' preference shifts (brand premium and switching effects).
    EventPreferences,
    /// The events' price effects (price pressure, price ratio, closed price).
    EventPrices,
    /// Marks: the steady mature multiple against a given software comparable.
    Marks,
}

/// Every channel, in the order of the rows.
pub const CHANNELS: [Channel; 6] = [
    Channel::Usage,
    Channel::Pressure,
    Channel::PassThrough,
    Channel::EventPreferences,
    Channel::EventPrices,
    Channel::Marks,
];

impl Channel {
    /// Its name in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Usage => "usage share",
            Channel::Pressure => "price pressure",
            Channel::PassThrough => "margin pass-through",
            Channel::EventPreferences => "events' preference shifts",
            Channel::EventPrices => "events' price effects",
            Channel::Marks => "marks",
        }
    }
}

/// What the scenario is measured against.
#[derive(Clone, Debug, PartialEq)]
pub enum ChannelBase {
    /// `freeze(S_T)`: each set's own frozen-competition counterfactual.
    Frozen,
    /// Another scenario (a preset or a file), with the same channels off: `P_T`.
    Scenario(String, Box<Scenario>),
}

/// One statistic's decomposition.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decomposition {
    /// The statistic's path.
    pub statistic: String,
    /// Each channel's Shapley value with its standard error, in the order of `Channels::channels`.
    pub shapley: Vec<Estimate>,
    /// `v(none)`: the difference with every channel off.
    pub rest: Estimate,
    /// `v(all)`: the scenario against the base.
    pub total: Estimate,
}

impl Decomposition {
    /// The rows' sum less the total (0 up to float rounding).
    pub fn discrepancy(&self) -> f64 {
        self.shapley.iter().map(|e| e.value).sum::<f64>() + self.rest.value - self.total.value
    }
}

/// What [`channels`] returns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Channels {
    /// The scenario's name.
    pub scenario: String,
    /// The base: `"frozen"` or the base scenario's name.
    pub base: String,
    /// Paths of every run.
    pub paths: u64,
    /// The seed of every run.
    pub seed: u64,
    /// The channels, in the order of the rows.
    pub channels: Vec<Channel>,
    /// One decomposition per statistic.
    pub statistics: Vec<Decomposition>,
}

impl Channels {
    /// A Markdown table: a row per statistic, a column per channel, then
    /// the difference with every channel off and the total, each `value ±
    /// se` (USD bn for fair values, probabilities to 3 decimals).
    pub fn table(&self) -> String {
        let mut out = String::from("| statistic |");
        for c in &self.channels {
            out.push_str(&format!(" {} |", c.name()));
        }
        out.push_str(" every channel off | **total** |\n|---|");
        out.push_str(&"---|".repeat(self.channels.len() + 2));
        out.push('\n');
        for d in &self.statistics {
            let st = d.statistic.as_str();
            out.push_str(&format!("| {st} |"));
            for e in d.shapley.iter().chain([&d.rest, &d.total]) {
                out.push_str(&format!(" {} |", cell(st, e, true)));
            }
            out.push('\n');
        }
        out
    }

    /// The decomposition of a statistic.
    pub fn statistic(&self, path: &str) -> Option<&Decomposition> {
        self.statistics.iter().find(|d| d.statistic == path)
    }
}

/// The statistics decomposed when none are asked for: each marked lab's
/// mean fair value, P(pop) and P(FV = 0), and the sector's mean fair value.
pub fn default_statistics(s: &Scenario) -> Vec<Statistic> {
    let mut out = Vec::new();
    for lab in s.labs.iter().filter(|l| l.mark.is_some()) {
        for measure in [Measure::FairValueMean, Measure::PPop, Measure::PZero] {
            out.push(Statistic {
                scope: Scope::Lab(lab.id.clone()),
                measure,
            });
        }
    }
    out.push(Statistic {
        scope: Scope::Sector,
        measure: Measure::FairValueMean,
    });
    out
}

/// `s` with every channel not in `on` switched off.
///
/// # Errors
/// Those of [`Scenario::from_value`] (an edited scenario that does not validate).
pub fn switch_off(s: &Scenario, on: &[Channel]) -> Result<Scenario> {
    let off = |c: Channel| !on.contains(&c);
    let mut v = s.to_value();
    if off(Channel::Usage) {
        v["prices"]["ratio_drift"] = json!(0.0);
        v["prices"]["sigma_ratio"] = json!(0.0);
        for seg in v
            .get_mut("segments")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            seg["switching"] = json!(0.0);
        }
        for e in v.get_mut("events").and_then(Value::as_array_mut).into_iter().flatten() {
            if e.get("gap_sensitivity").is_some() {
                e["gap_sensitivity"] = json!(0.0);
            }
        }
        drop_effects(&mut v, |t| t == "gap");
    }
    if off(Channel::Pressure) {
        v["prices"]["premium_sensitivity"] = json!(0.0);
    }
    if off(Channel::PassThrough) {
        v["prices"]["pass_through"] = json!(0.0);
    }
    if off(Channel::EventPreferences) {
        drop_effects(&mut v, |t| t.ends_with(".brand_premium") || t.ends_with(".switching"));
    }
    if off(Channel::EventPrices) {
        drop_effects(&mut v, |t| {
            matches!(t, "price_pressure" | "price_ratio" | "closed_price")
        });
    }
    if off(Channel::Marks) {
        for lab in v.get_mut("labs").and_then(Value::as_array_mut).into_iter().flatten() {
            if lab.get("mature_multiple") == Some(&json!("steady")) {
                lab["mature_multiple"] = json!("given");
                lab["multiple_inf"] = json!({ "dist": "triangular", "lo": 4.8, "mode": 8.4, "hi": 12.0 });
            }
        }
    }
    Scenario::from_value(v)
}

fn drop_effects(v: &mut Value, target: impl Fn(&str) -> bool) {
    for e in v.get_mut("events").and_then(Value::as_array_mut).into_iter().flatten() {
        if let Some(effects) = e.get_mut("effects").and_then(Value::as_array_mut) {
            effects.retain(|f| !target(f[0].as_str().unwrap_or("")));
        }
    }
}

/// `k!` as a float.
fn factorial(k: usize) -> f64 {
    (1..=k).map(|i| i as f64).product()
}

/// Decompose `scenario`'s difference from `base` over `channels` (every
/// channel: [`CHANNELS`]) for each of `statistics` (paths as
/// [`Statistic::parse`] reads them; empty: [`default_statistics`]), all
/// `2^(k+1)` runs on the paths and seed of `runs`.
///
/// # Errors
/// [`Error::Argument`] for a statistic the scenario or the base does not
/// have, a median (a Shapley value needs a mean), no channels or a channel
/// named twice; the errors of the runs.
pub fn channels(
    name: &str,
    scenario: &Scenario,
    base: &ChannelBase,
    channels: &[Channel],
    statistics: &[String],
    runs: &Runs,
) -> Result<Channels> {
    let k = channels.len();
    if k == 0 || k > CHANNELS.len() {
        return Err(Error::argument(
            "channels",
            format!("expected 1 to {} channels, got {k}", CHANNELS.len()),
        ));
    }
    for (i, c) in channels.iter().enumerate() {
        if channels[..i].contains(c) {
            return Err(Error::argument("channels", format!("{:?} is named twice", c.name())));
        }
    }
    let stats_: Vec<Statistic> = if statistics.is_empty() {
        default_statistics(scenario)
    } else {
        statistics
            .iter()
            .map(|p| Statistic::parse(p, scenario))
            .collect::<Result<_>>()?
    };
    for st in &stats_ {
        if st.measure.is_median() {
            return Err(Error::argument(
                "statistic",
                format!(
                    "{:?}: a median has no Shapley decomposition; use a mean or a probability",
                    st.path()
                ),
            ));
        }
        if let ChannelBase::Scenario(b, s) = base {
            Statistic::parse(&st.path(), s).map_err(|e| Error::argument("statistic", format!("in base {b:?}: {e}")))?;
        }
    }
    let n = usize::try_from(runs.paths).unwrap_or(usize::MAX);
    let kf = factorial(k);
    // Per statistic: each channel's per-path Shapley value, v(none) and v(all).
    let mut phi = vec![vec![vec![0.0; n]; k]; stats_.len()];
    let mut none = vec![Vec::new(); stats_.len()];
    let mut all = vec![Vec::new(); stats_.len()];
    for mask in 0u32..(1 << k) {
        let on: Vec<Channel> = (0..k).filter(|i| mask & (1 << i) != 0).map(|i| channels[i]).collect();
        // Channels outside the decomposition stay on.
        let mut on_all: Vec<Channel> = CHANNELS.iter().copied().filter(|c| !channels.contains(c)).collect();
        on_all.extend(&on);
        let s_t = switch_off(scenario, &on_all)?;
        let b_t = match base {
            ChannelBase::Frozen => s_t.freeze_competition(),
            ChannelBase::Scenario(_, b) => switch_off(b, &on_all)?,
        };
        // Two runs per set of channels (one batch for an executor).
        let (run, total) = (2 * u64::from(mask) + 1, 2u64 << k);
        let [rs, rb]: [crate::results::Results; 2] = runs
            .run_many_as(&[(&s_t, None), (&b_t, None)], |i| {
                format!("run {}/{total}", run + i as u64)
            })?
            .try_into()
            .map_err(|_| Error::argument("executor", "two runs gave another number of results"))?;
        let size = on.len();
        // The weight of v(T) in phi_i: + |T-1|!(k-|T|)!/k! for i in T, - |T|!(k-|T|-1)!/k! for i not in T.
        let w_in = if size > 0 {
            factorial(size - 1) * factorial(k - size) / kf
        } else {
            0.0
        };
        let w_out = if size < k {
            factorial(size) * factorial(k - size - 1) / kf
        } else {
            0.0
        };
        for (j, st) in stats_.iter().enumerate() {
            let v: Vec<f64> = st
                .per_path(&rs)?
                .into_iter()
                .zip(st.per_path(&rb)?)
                .map(|(a, b)| a - b)
                .collect();
            for (i, p) in phi[j].iter_mut().enumerate() {
                let w = if mask & (1 << i) != 0 { w_in } else { -w_out };
                for (x, d) in p.iter_mut().zip(&v) {
                    *x += w * d;
                }
            }
            if mask == 0 {
                none[j] = v.clone();
            }
            if mask == (1 << k) - 1 {
                all[j] = v;
            }
        }
    }
    let estimate = |xs: &[f64]| Estimate::of(xs, false);
    let statistics = stats_
        .iter()
        .enumerate()
        .map(|(j, st)| Decomposition {
            statistic: st.path(),
            shapley: phi[j].iter().map(|p| estimate(p)).collect(),
            rest: estimate(&none[j]),
            total: estimate(&all[j]),
        })
        .collect();
    Ok(Channels {
        scenario: name.into(),
        base: match base {
            ChannelBase::Frozen => "frozen".into(),
            ChannelBase::Scenario(b, _) => b.clone(),
        },
        paths: runs.paths,
        seed: runs.seed,
        channels: channels.to_vec(),
        statistics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{LabMetric, Results};

    fn preset(name: &str) -> Scenario {
        Scenario::preset(name).unwrap()
    }

    /// Drop the sources of fields that are gone.
    fn drop_sources(v: &mut Value, gone: impl Fn(&str) -> bool) {
        if let Some(m) = v.get_mut("sources").and_then(Value::as_object_mut) {
            m.retain(|k, _| !gone(k));
        }
    }

    #[test]
    fn the_rows_add_up_to_the_total() {
        let runs = Runs::new(120, 7);
        let c = channels(
            "ft_bubble",
            &preset("ft_bubble"),
            &ChannelBase::Frozen,
            &CHANNELS,
            &[],
            &runs,
        )
        .unwrap();
        assert_eq!(c.statistics.len(), default_statistics(&preset("ft_bubble")).len());
        for d in &c.statistics {
            assert!(
                d.discrepancy().abs() <= 1e-9 * d.total.value.abs().max(1.0),
                "{}: {}",
                d.statistic,
                d.discrepancy()
            );
            // Against frozen, with every channel off nothing is left to freeze.
            assert!(
                d.rest.value.abs() <= 1e-9 * d.total.value.abs().max(1.0),
                "{}: {:?}",
                d.statistic,
                d.rest
            );
        }
        // Against a preset too.
        let base = ChannelBase::Scenario("moat_holds".into(), Box::new(preset("moat_holds")));
        let c = channels(
            "ft_bubble",
            &preset("ft_bubble"),
            &base,
            &CHANNELS,
            &["labs.openai.p_pop".into()],
            &runs,
        )
        .unwrap();
        let d = &c.statistics[0];
        assert!(d.discrepancy().abs() < 1e-12, "{}", d.discrepancy());
        assert!(d.shapley.iter().all(|e| e.se.unwrap().is_finite()));
    }

    #[test]
    fn one_channel_s_value_is_its_fixed_order_effect() {
        let runs = Runs::new(150, 2);
        let s = preset("big_tech_switch");
        let st = "labs.anthropic.fair_value.mean";
        let c = channels("s", &s, &ChannelBase::Frozen, &[Channel::Pressure], &[st.into()], &runs).unwrap();
        let f = |r: &Results| Statistic::parse(st, &s).unwrap().estimate(r).unwrap().value;
        let run = |x: &Scenario| runs.run(x).unwrap();
        let off = switch_off(
            &s,
            &CHANNELS[..1].iter().chain(&CHANNELS[2..]).copied().collect::<Vec<_>>(),
        )
        .unwrap();
        assert_ne!(off, s);
        let want =
            (f(&run(&s)) - f(&run(&s.freeze_competition()))) - (f(&run(&off)) - f(&run(&off.freeze_competition())));
        let got = c.statistics[0].shapley[0].value;
        assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "{got} against {want}");
    }

    #[test]
    fn channels_that_do_nothing_get_equal_zero_shares() {
        // No events: the events' two channels are null players, so symmetric.
        let mut v = preset("baseline").to_value();
        v["events"] = serde_json::json!([]);
        drop_sources(&mut v, |k| k.starts_with("events."));
        let s = Scenario::from_value(v).unwrap();
        let runs = Runs::new(100, 3);
        let set = [Channel::Pressure, Channel::EventPreferences, Channel::EventPrices];
        let c = channels(
            "s",
            &s,
            &ChannelBase::Frozen,
            &set,
            &["sector.fair_value.mean".into()],
            &runs,
        )
        .unwrap();
        let d = &c.statistics[0];
        // Equal and 0, up to the rounding of the weighted sums.
        let tol = 1e-12 * d.total.value.abs().max(1.0);
        assert!(
            (d.shapley[1].value - d.shapley[2].value).abs() <= tol,
            "{:?}",
            d.shapley
        );
        assert!(
            d.shapley[1].value.abs() <= tol && d.shapley[2].value.abs() <= tol,
            "{:?}",
            d.shapley
        );
        assert!(d.shapley[0].value.abs() > 1.0, "{:?}", d.shapley);
        assert!((d.shapley[0].value + d.rest.value - d.total.value).abs() <= 1e-9 * d.total.value.abs().max(1.0));
    }

    #[test]
    fn the_counterfactual_reproduces_a_run_frozen_by_hand() {
        // ft_bubble: its copula has no entry on the fields freezing pins.
        let s = preset("ft_bubble");
        let pinned = [
            "prices.ratio_drift",
            "prices.sigma_ratio",
            "prices.premium_sensitivity",
            "switching",
            "gap_sensitivity",
        ];
        assert!(!s.to_value()["correlation"].to_string().contains("switching"));
        for p in pinned {
            assert!(!s.to_value()["correlation"].to_string().contains(p), "{p}");
        }
        let mut v = s.to_value();
        v["prices"]["ratio_drift"] = json!(0.0);
        v["prices"]["sigma_ratio"] = json!(0.0);
        v["prices"]["premium_sensitivity"] = json!(0.0);
        for seg in v["segments"].as_array_mut().unwrap() {
            seg["switching"] = json!(0.0);
        }
        let removed: Vec<String> = s
            .freeze_competition()
            .removed_events()
            .iter()
            .map(|e| (*e).to_string())
            .collect();
        assert!(!removed.is_empty());
        let events = v["events"].as_array_mut().unwrap();
        events.retain(|e| !removed.iter().any(|id| e["id"] == json!(id)));
        drop_sources(&mut v, |k| {
            removed.iter().any(|id| k.starts_with(&format!("events.{id}.")))
        });
        let events = v["events"].as_array_mut().unwrap();
        for e in events.iter_mut() {
            e["gap_sensitivity"] = json!(0.0);
        }
        let by_hand = Scenario::from_value(v).unwrap();
        let runs = Runs::new(200, 11);
        let (a, b) = (runs.run(&by_hand).unwrap(), runs.run(&s.freeze_competition()).unwrap());
        for lab in &a.labs {
            let other = b.lab(&lab.id).unwrap();
            for m in [
                LabMetric::FairValue,
                LabMetric::Phi,
                LabMetric::PopTime,
                LabMetric::CrunchTime,
            ] {
                let (x, y) = (lab.values(m), other.values(m));
                assert!(
                    x.iter().zip(y).all(|(x, y)| x == y || (x.is_nan() && y.is_nan())),
                    "{}.{} differs",
                    lab.id,
                    m.name()
                );
            }
        }
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let runs = Runs::new(10, 1);
        let s = preset("baseline");
        for (stats, says) in [
            (vec!["labs.nobody.p_pop".to_string()], "labs.nobody.p_pop"),
            (vec!["labs.openai.fair_value.p50".to_string()], "median"),
        ] {
            let e = channels("s", &s, &ChannelBase::Frozen, &CHANNELS, &stats, &runs)
                .unwrap_err()
                .to_string();
            assert!(e.contains(says), "{e}");
        }
        let e = channels(
            "s",
            &s,
            &ChannelBase::Frozen,
            &[Channel::Marks, Channel::Marks],
            &[],
            &runs,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("named twice"), "{e}");
    }
}
