//! Net statistics (docs/equations.md §11): a scenario `S` against its
//! frozen-competition counterfactual `freeze(S)`, from the paired per-path
//! results of the two runs on the same seed and paths. Printed by
//! `aibubble run --net` and returned by Python's `Result.net`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::results::{LabMetric, LabPaths, Results};
use crate::stats::{Prob, moments};
use crate::summary::Summary;

/// One lab's figures in `S` and in `freeze(S)`, and their paired differences.
///
/// A net figure is the mean over paths of the per-path difference `d`
/// (`S` minus `freeze(S)`; for a probability, the difference of the two 0/1
/// indicators), with the standard error `sd(d) / sqrt(N)`. The pop and
/// crunch figures are null for a lab without a mark.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabNet {
    /// The lab's id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// P(pop) in `S`.
    pub p_pop: Option<f64>,
    /// P(pop) in `freeze(S)`.
    pub p_pop_frozen: Option<f64>,
    /// `P(pop | S) - P(pop | freeze(S))`.
    pub p_pop_net: Option<f64>,
    /// Its standard error.
    pub p_pop_net_se: Option<f64>,
    /// P(a pop in `S` and none in `freeze(S)`): pops that changes in competition cause.
    pub p_pop_only_competition: Option<f64>,
    /// Its standard error.
    pub p_pop_only_competition_se: Option<f64>,
    /// P(a pop in `freeze(S)` and none in `S`): pops that changes in competition prevent.
    pub p_pop_only_counterfactual: Option<f64>,
    /// Its standard error.
    pub p_pop_only_counterfactual_se: Option<f64>,
    /// P(fair value = 0) in `S`.
    pub p_zero: f64,
    /// P(fair value = 0) in `freeze(S)`.
    pub p_zero_frozen: f64,
    /// `P(E = 0 | S) - P(E = 0 | freeze(S))`.
    pub p_zero_net: f64,
    /// Its standard error.
    pub p_zero_net_se: f64,
    /// P(crunch) in `S`.
    pub p_crunch: Option<f64>,
    /// P(crunch) in `freeze(S)`.
    pub p_crunch_frozen: Option<f64>,
    /// `P(crunch | S) - P(crunch | freeze(S))`.
    pub p_crunch_net: Option<f64>,
    /// Its standard error.
    pub p_crunch_net_se: Option<f64>,
    /// Mean fair value in `S`, USD bn.
    pub fair_value: f64,
    /// Mean fair value in `freeze(S)`, USD bn.
    pub fair_value_frozen: f64,
    /// The mean of the per-path difference `E(S) - E(freeze(S))`, USD bn.
    pub fair_value_net: f64,
    /// Its standard error.
    pub fair_value_net_se: f64,
}

/// The net statistics of a pair of runs, one entry per lab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Net {
    /// The scenario's name.
    pub scenario: String,
    /// Paths of each run.
    pub paths: u64,
    /// The seed of both runs.
    pub seed: u64,
    /// Every lab, in scenario order.
    pub labs: Vec<LabNet>,
}

/// The mean and `sd / sqrt(N)` of per-path differences.
fn paired(d: &[f64]) -> (f64, f64) {
    let m = moments(d);
    (m.mean, m.se)
}

/// Paired figures of a per-path event (`happened` says, per path, whether
/// it did): P in S, P in freeze(S), the net difference and its se.
fn event(s: &[f64], f: &[f64], happened: impl Fn(f64) -> bool) -> (f64, f64, f64, f64) {
    let n = s.len();
    let count = |xs: &[f64]| xs.iter().filter(|x| happened(**x)).count();
    let d: Vec<f64> = s
        .iter()
        .zip(f)
        .map(|(a, b)| f64::from(u8::from(happened(*a))) - f64::from(u8::from(happened(*b))))
        .collect();
    let (net, se) = paired(&d);
    (
        Prob::from_count(count(s), n).p,
        Prob::from_count(count(f), n).p,
        net,
        se,
    )
}

fn lab_net(s: &Results, ls: &LabPaths, lf: &LabPaths) -> LabNet {
    let metric = |l: &LabPaths, m: LabMetric| l.values(m).to_vec();
    let marked = s.scenario.lab(&ls.id).is_some_and(|l| l.mark.is_some());
    let n = s.len();
    let (pop_s, pop_f) = (metric(ls, LabMetric::PopTime), metric(lf, LabMetric::PopTime));
    let (crunch_s, crunch_f) = (metric(ls, LabMetric::CrunchTime), metric(lf, LabMetric::CrunchTime));
    let (fv_s, fv_f) = (metric(ls, LabMetric::FairValue), metric(lf, LabMetric::FairValue));
    // A time that came is finite; +inf is "never", NaN "does not apply".
    let came = |t: f64| t.is_finite();
    let pop = event(&pop_s, &pop_f, came);
    let crunch = event(&crunch_s, &crunch_f, came);
    let zero = event(&fv_s, &fv_f, |e| e == 0.0);
    let only =
        |a: &[f64], b: &[f64]| Prob::from_count(a.iter().zip(b).filter(|(x, y)| came(**x) && !came(**y)).count(), n);
    let only_competition = only(&pop_s, &pop_f);
    let only_counterfactual = only(&pop_f, &pop_s);
    let d: Vec<f64> = fv_s.iter().zip(&fv_f).map(|(a, b)| a - b).collect();
    let (fair_value_net, fair_value_net_se) = paired(&d);
    let when = |x: f64| marked.then_some(x);
    LabNet {
        id: ls.id.clone(),
        name: ls.name.clone(),
        p_pop: when(pop.0),
        p_pop_frozen: when(pop.1),
        p_pop_net: when(pop.2),
        p_pop_net_se: when(pop.3),
        p_pop_only_competition: when(only_competition.p),
        p_pop_only_competition_se: when(only_competition.se),
        p_pop_only_counterfactual: when(only_counterfactual.p),
        p_pop_only_counterfactual_se: when(only_counterfactual.se),
        p_zero: zero.0,
        p_zero_frozen: zero.1,
        p_zero_net: zero.2,
        p_zero_net_se: zero.3,
        p_crunch: when(crunch.0),
        p_crunch_frozen: when(crunch.1),
        p_crunch_net: when(crunch.2),
        p_crunch_net_se: when(crunch.3),
        fair_value: moments(&fv_s).mean,
        fair_value_frozen: moments(&fv_f).mean,
        fair_value_net,
        fair_value_net_se,
    }
}

/// Why `frozen` is not the run of `s.scenario.freeze_competition()` on the
/// same seed and paths, if it is not.
fn mismatch(s: &Results, frozen: &Results) -> Option<String> {
    if s.scenario.is_frozen_competition() {
        return Some(format!(
            "the first run, of scenario {:?}, is already a frozen-competition counterfactual",
            s.scenario.name
        ));
    }
    if frozen.scenario != s.scenario.freeze_competition() {
        return Some(format!(
            "the second run is not of the frozen-competition counterfactual of scenario {:?} \
             (Scenario::freeze_competition of the first run's scenario)",
            s.scenario.name
        ));
    }
    if (s.seed, s.paths, s.start, s.end) != (frozen.seed, frozen.paths, frozen.start, frozen.end) {
        return Some(format!(
            "the runs must cover the same paths with the same seed: seed {}, paths [{}, {}) of {} \
             against seed {}, paths [{}, {}) of {}",
            s.seed, s.start, s.end, s.paths, frozen.seed, frozen.start, frozen.end, frozen.paths
        ));
    }
    let ids = |r: &Results| r.labs.iter().map(|l| l.id.clone()).collect::<Vec<_>>();
    if ids(s) != ids(frozen) {
        return Some(format!(
            "the runs have different labs: {:?} against {:?}",
            ids(s),
            ids(frozen)
        ));
    }
    let lengths_match = |r: &Results| {
        r.labs
            .iter()
            .all(|l| l.metrics.iter().all(|c| c.values.len() == r.len()))
    };
    if !lengths_match(s) || !lengths_match(frozen) {
        return Some("a run's per-path columns do not hold one value per path".into());
    }
    None
}

impl Results {
    /// The net statistics of this run of a scenario `S` against `frozen`,
    /// the run of `S.freeze_competition()` on the same seed and paths
    /// (docs/equations.md §11).
    ///
    /// ```
    /// use aibubble::{Scenario, Simulation};
    /// let s = Scenario::preset("ft_bubble")?;
    /// let run = |s: &Scenario| Simulation::new(s)?.paths(300).seed(3).run();
    /// let net = run(&s)?.net(&run(&s.freeze_competition())?)?;
    /// let openai = net.labs.iter().find(|l| l.id == "openai").unwrap();
    /// assert!(openai.p_pop_net.unwrap().abs() <= 1.0);
    /// # Ok::<(), aibubble::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Argument`] (argument `frozen`) when the pair does not match:
    /// `frozen` is not of `S.freeze_competition()`, this run is itself of a
    /// frozen scenario, or the seeds, the path counts, the path ranges or
    /// the labs differ.
    pub fn net(&self, frozen: &Results) -> Result<Net> {
        if let Some(why) = mismatch(self, frozen) {
            return Err(Error::argument("frozen", why));
        }
        Ok(Net {
            scenario: self.scenario.name.clone(),
            paths: self.len() as u64,
            seed: self.seed,
            labs: self
                .labs
                .iter()
                .zip(&frozen.labs)
                .map(|(ls, lf)| lab_net(self, ls, lf))
                .collect(),
        })
    }
}

impl Net {
    /// A lab's net statistics by id; `None` for an unknown id.
    pub fn lab(&self, id: &str) -> Option<&LabNet> {
        self.labs.iter().find(|l| l.id == id)
    }

    /// The JSON of `aibubble run --net --json`: the summary of `S` with,
    /// in each lab, the frozen run's figures (`p_pop_frozen` and its
    /// `p_pop_frozen_se`, likewise for `p_zero` and `p_crunch`, and
    /// `fair_value_frozen` with the statistics of `fair_value`) and the net
    /// figures of [`LabNet`] (`p_pop_net`, `p_pop_net_se`, ...), and
    /// `counterfactual: "frozen_competition"` at the top.
    pub fn summary_json(&self, summary: &Summary, frozen: &Summary) -> Value {
        let mut v = serde_json::to_value(summary).expect("summaries serialise");
        let frozen_labs = serde_json::to_value(&frozen.labs).expect("summaries serialise");
        if let Value::Object(top) = &mut v {
            top.insert("counterfactual".into(), Value::from("frozen_competition"));
        }
        let labs = v.get_mut("labs").and_then(Value::as_array_mut).expect("labs");
        for ((lab, f), net) in labs
            .iter_mut()
            .zip(frozen_labs.as_array().expect("labs"))
            .zip(&self.labs)
        {
            let lab = lab.as_object_mut().expect("a lab is an object");
            for key in [
                "p_pop",
                "p_pop_se",
                "p_zero",
                "p_zero_se",
                "p_crunch",
                "p_crunch_se",
                "fair_value",
            ] {
                let name = match key.strip_suffix("_se") {
                    Some(stem) => format!("{stem}_frozen_se"),
                    None => format!("{key}_frozen"),
                };
                lab.insert(name, f[key].clone());
            }
            let Value::Object(n) = serde_json::to_value(net).expect("net statistics serialise") else {
                unreachable!("a struct serialises to an object")
            };
            for (k, x) in n {
                if k.contains("_net") || k.starts_with("p_pop_only") {
                    lab.insert(k, x);
                }
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Simulation;
    use crate::scenario::Scenario;

    fn set(r: &mut Results, lab: &str, metric: &str, values: &[f64]) {
        let l = r.labs.iter_mut().find(|l| l.id == lab).unwrap();
        let c = l.metrics.iter_mut().find(|c| c.name == metric).unwrap();
        c.values = values.to_vec();
    }

    /// A hand-built pair of four paths with known answers.
    #[test]
    fn net_statistics_of_a_known_pair() {
        let s = Scenario::preset("baseline").unwrap();
        let run = |s: &Scenario| Simulation::new(s).unwrap().paths(4).seed(9).run().unwrap();
        let (mut a, mut b) = (run(&s), run(&s.freeze_competition()));
        let inf = f64::INFINITY;
        // Pops: paths 0 and 1 in S, paths 1 and 2 in freeze(S).
        set(&mut a, "openai", "pop_time", &[1.0, 2.0, inf, inf]);
        set(&mut b, "openai", "pop_time", &[inf, 3.0, 0.5, inf]);
        // Crunches: path 3 in S only.
        set(&mut a, "openai", "crunch_time", &[inf, inf, inf, 4.0]);
        set(&mut b, "openai", "crunch_time", &[inf; 4]);
        // Fair values: zero on paths 0, 1 in S, on path 0 in freeze(S).
        set(&mut a, "openai", "fair_value", &[0.0, 0.0, 10.0, 30.0]);
        set(&mut b, "openai", "fair_value", &[0.0, 5.0, 20.0, 20.0]);
        let net = a.net(&b).unwrap();
        let l = net.lab("openai").unwrap();
        assert_eq!(
            (l.p_pop, l.p_pop_frozen, l.p_pop_net),
            (Some(0.5), Some(0.5), Some(0.0))
        );
        // d = [1, 0, -1, 0]: sd = sqrt(2/3), se = sqrt(2/3) / 2.
        assert!((l.p_pop_net_se.unwrap() - (2.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-15);
        assert_eq!(l.p_pop_only_competition, Some(0.25));
        assert_eq!(l.p_pop_only_counterfactual, Some(0.25));
        assert!((l.p_pop_only_competition_se.unwrap() - (0.25f64 * 0.75 / 4.0).sqrt()).abs() < 1e-15);
        assert_eq!(
            (l.p_crunch, l.p_crunch_frozen, l.p_crunch_net),
            (Some(0.25), Some(0.0), Some(0.25))
        );
        // d = [0, 0, 0, 1]: sd = 0.5, se = 0.25.
        assert!((l.p_crunch_net_se.unwrap() - 0.25).abs() < 1e-15);
        assert_eq!((l.p_zero, l.p_zero_frozen, l.p_zero_net), (0.5, 0.25, 0.25));
        assert!((l.p_zero_net_se - 0.25).abs() < 1e-15);
        // d = [0, -5, -10, 10]: mean -1.25, sd = sqrt(206.25 / 3) / 2 ... exactly:
        let d = [0.0, -5.0, -10.0, 10.0];
        let m = d.iter().sum::<f64>() / 4.0;
        let sd = (d.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / 3.0).sqrt();
        assert_eq!(l.fair_value_net, -1.25);
        assert!((l.fair_value_net_se - sd / 2.0).abs() < 1e-12);
        assert_eq!((l.fair_value, l.fair_value_frozen), (10.0, 11.25));
        // A lab without a mark has no pop or crunch figures.
        let unmarked = s
            .labs
            .iter()
            .find(|l| l.mark.is_none())
            .expect("baseline has a lab without a mark");
        let u = net.lab(&unmarked.id).unwrap();
        assert_eq!((u.p_pop, u.p_pop_net, u.p_crunch_net), (None, None, None));
        assert!(u.fair_value_net.is_finite());
    }

    #[test]
    fn mismatched_pairs_are_refused() {
        let s = Scenario::preset("baseline").unwrap();
        let run =
            |s: &Scenario, seed: u64, paths: u64| Simulation::new(s).unwrap().paths(paths).seed(seed).run().unwrap();
        let a = run(&s, 1, 4);
        let refused = |b: &Results| match a.net(b) {
            Err(Error::Argument { name, message }) => {
                assert_eq!(name, "frozen");
                message
            }
            other => panic!("expected an argument error, got {other:?}"),
        };
        assert!(refused(&run(&s.freeze_competition(), 2, 4)).contains("same paths with the same seed"));
        assert!(refused(&run(&s.freeze_competition(), 1, 5)).contains("same paths with the same seed"));
        assert!(refused(&run(&s, 1, 4)).contains("not of the frozen-competition counterfactual"));
        let other = Scenario::preset("ft_bubble").unwrap().freeze_competition();
        assert!(refused(&run(&other, 1, 4)).contains("not of the frozen-competition counterfactual"));
        let frozen = run(&s.freeze_competition(), 1, 4);
        assert!(matches!(frozen.net(&frozen), Err(Error::Argument { .. })));
        assert!(a.net(&frozen).is_ok());
    }
}
