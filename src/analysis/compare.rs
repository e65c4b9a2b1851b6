//! Scenarios side by side on common random numbers: each statistic of each
//! scenario with its standard error, and its paired per-path difference
//! against a base (one of the scenarios, or each scenario's own
//! frozen-competition counterfactual), with the inputs that differ.
//!
//! Every scenario is run with the same paths and seed, so the runs share
//! their random numbers wherever the scenarios draw alike, and a paired
//! difference's standard error (`sd` of the per-path differences over
//! `sqrt(N)`) is usually far smaller than the two runs' own.

use serde::Serialize;

use super::runs::{Runs, cell};
use super::statistic::{Estimate, Measure, Scope, Statistic};
use crate::error::{Error, Result};
use crate::results::Results;
use crate::scenario::{FieldDiff, Scenario};

/// What each scenario is compared against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// The scenario at this index of the list (0: the first).
    Scenario(usize),
    /// Each scenario's frozen-competition counterfactual, `freeze(S)`
    /// (docs/equations.md §11): the difference is the net figure of `run --net`.
    Frozen,
}

/// One statistic of one scenario, beside its base.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// The statistic's path (`labs.openai.p_pop`).
    pub statistic: String,
    /// The scenario's name.
    pub scenario: String,
    /// The statistic in the scenario, with its standard error.
    pub value: Estimate,
    /// The statistic in the base: the base scenario's run, or `freeze(S)`'s
    /// (None for the base scenario itself).
    pub base: Option<Estimate>,
    /// The paired difference, scenario minus base, with its standard error
    /// (None for the base scenario itself).
    pub difference: Option<Estimate>,
}

/// The inputs that differ between a scenario and the base scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InputDiff {
    /// The scenario.
    pub scenario: String,
    /// The scenario it is compared with.
    pub against: String,
    /// Each differing field path, with its value in the base (`a`) and in the scenario (`b`).
    pub fields: Vec<FieldDiff>,
}

/// What [`compare`] returns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// Paths of every run.
    pub paths: u64,
    /// The seed of every run.
    pub seed: u64,
    /// The base: a scenario's name, or `"frozen"`.
    pub base: String,
    /// The scenarios' names, in order.
    pub scenarios: Vec<String>,
    /// The statistics' paths, in order.
    pub statistics: Vec<String>,
    /// One row per statistic and scenario, statistic by statistic.
    pub rows: Vec<Row>,
    /// The inputs of each scenario that differ from the base scenario's (the
    /// first scenario's when the base is frozen), every scenario but that
    /// one; the name, the description and the sources are not inputs.
    pub inputs: Vec<InputDiff>,
}

impl Comparison {
    /// A Markdown table: a row per statistic; per scenario its value `±
    /// se`, then (against frozen) its frozen value and the paired
    /// difference, or (against a scenario) the paired difference from the
    /// base for every scenario but the base.
    pub fn table(&self) -> String {
        let frozen = self.base == "frozen";
        let mut head = String::from("| statistic |");
        for s in &self.scenarios {
            head.push_str(&format!(" {s} |"));
            if frozen {
                head.push_str(&format!(" {s}, frozen | {s} − frozen |"));
            } else if *s != self.base {
                head.push_str(&format!(" {s} − {} |", self.base));
            }
        }
        let columns = head.matches(" |").count();
        let mut out = format!("{head}\n|{}\n", "---|".repeat(columns));
        for st in &self.statistics {
            out.push_str(&format!("| {st} |"));
            for s in &self.scenarios {
                let r = self.row(st, s).expect("a row per statistic and scenario");
                out.push_str(&format!(" {} |", cell(st, &r.value, false)));
                if frozen {
                    let b = r.base.as_ref().expect("a frozen value");
                    out.push_str(&format!(" {} |", cell(st, b, false)));
                }
                if let Some(d) = &r.difference {
                    out.push_str(&format!(" {} |", cell(st, d, true)));
                }
            }
            out.push('\n');
        }
        out
    }

    /// The inputs that differ, as lines `scenario: path: base value -> value`.
    pub fn input_lines(&self) -> Vec<String> {
        let show = |v: &Option<serde_json::Value>| v.as_ref().map_or_else(|| "(none)".to_string(), ToString::to_string);
        self.inputs
            .iter()
            .flat_map(|d| {
                d.fields.iter().map(move |f| {
                    format!(
                        "{} against {}: {}: {} -> {}",
                        d.scenario,
                        d.against,
                        f.path,
                        show(&f.a),
                        show(&f.b)
                    )
                })
            })
            .collect()
    }

    /// The row of a statistic and a scenario.
    pub fn row(&self, statistic: &str, scenario: &str) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.statistic == statistic && r.scenario == scenario)
    }
}

/// The statistics a comparison reports when none are asked for, in the
/// first scenario: each lab's mean fair value and P(FV = 0), each marked
/// lab's P(pop) and P(phi < 0.5), and the sector's mean fair value and
/// P(phi < 0.5).
pub fn default_statistics(s: &Scenario) -> Vec<Statistic> {
    let mut out = Vec::new();
    for lab in &s.labs {
        let of = |measure| Statistic {
            scope: Scope::Lab(lab.id.clone()),
            measure,
        };
        out.push(of(Measure::FairValueMean));
        if lab.mark.is_some() {
            out.push(of(Measure::PPop));
        }
        out.push(of(Measure::PZero));
        if lab.mark.is_some() {
            out.push(of(Measure::PPhiBelowHalf));
        }
    }
    for measure in [Measure::FairValueMean, Measure::PPhiBelowHalf] {
        out.push(Statistic {
            scope: Scope::Sector,
            measure,
        });
    }
    out
}

/// Compare `scenarios` (name, scenario) on common random numbers: every
/// scenario (and, with [`Base::Frozen`], its counterfactual) run with the
/// paths and seed of `runs`; each of `statistics` (paths as
/// [`Statistic::parse`] reads them; empty: [`default_statistics`] of the
/// first scenario, those every scenario has) in each scenario with its
/// standard error, beside its value in the base with the paired difference.
///
/// # Errors
/// [`Error::Argument`] for no scenarios, a name given twice, a base index
/// out of range, or a statistic that a scenario does not have (naming both);
/// the errors of the runs.
pub fn compare(scenarios: &[(String, Scenario)], statistics: &[String], runs: &Runs, base: Base) -> Result<Comparison> {
    let first = scenarios
        .first()
        .ok_or_else(|| Error::argument("scenarios", "compare needs at least one scenario"))?;
    for (i, (name, _)) in scenarios.iter().enumerate() {
        if scenarios[..i].iter().any(|(n, _)| n == name) {
            return Err(Error::argument("scenarios", format!("{name:?} is named twice")));
        }
    }
    if let Base::Scenario(i) = base
        && i >= scenarios.len()
    {
        return Err(Error::argument(
            "base",
            format!("scenario {i} of {} (counting from 0)", scenarios.len()),
        ));
    }
    let paths: Vec<String> = if statistics.is_empty() {
        default_statistics(&first.1)
            .into_iter()
            .map(|s| s.path())
            .filter(|p| scenarios.iter().all(|(_, s)| Statistic::parse(p, s).is_ok()))
            .collect()
    } else {
        statistics.to_vec()
    };
    // Every statistic of every scenario, parsed before anything runs.
    let parsed: Vec<Vec<Statistic>> = scenarios
        .iter()
        .map(|(name, s)| {
            paths
                .iter()
                .map(|p| {
                    Statistic::parse(p, s).map_err(|e| match e {
                        Error::Argument { name: n, message } => Error::Argument {
                            name: n,
                            message: format!("in scenario {name:?}: {message}"),
                        },
                        e => e,
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<_>>()?;
    // One batch: an executor runs them side by side.
    let frozen_scenarios: Vec<Scenario> = if base == Base::Frozen {
        scenarios.iter().map(|(_, s)| s.freeze_competition()).collect()
    } else {
        Vec::new()
    };
    let batch: Vec<(&Scenario, Option<&crate::engine::InputTable>)> = scenarios
        .iter()
        .map(|(_, s)| s)
        .chain(&frozen_scenarios)
        .map(|s| (s, None))
        .collect();
    let total = batch.len();
    let mut results = runs.run_many_as(&batch, |i| format!("run {}/{total}", i + 1))?;
    let frozen: Vec<Results> = results.split_off(scenarios.len());
    let mut rows = Vec::new();
    for (k, path) in paths.iter().enumerate() {
        for (i, (name, _)) in scenarios.iter().enumerate() {
            let st = &parsed[i][k];
            let value = st.estimate(&results[i])?;
            let against = match base {
                Base::Frozen => Some(&frozen[i]),
                Base::Scenario(b) if b != i => Some(&results[b]),
                Base::Scenario(_) => None,
            };
            let (base_value, difference) = match against {
                Some(r) => (Some(st.estimate(r)?), Some(st.paired_difference(&results[i], r)?)),
                None => (None, None),
            };
            rows.push(Row {
                statistic: path.clone(),
                scenario: name.clone(),
                value,
                base: base_value,
                difference,
            });
        }
    }
    let reference = match base {
        Base::Scenario(b) => b,
        Base::Frozen => 0,
    };
    let (ref_name, ref_scenario) = &scenarios[reference];
    let inputs = scenarios
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != reference)
        .map(|(_, (name, s))| InputDiff {
            scenario: name.clone(),
            against: ref_name.clone(),
            fields: ref_scenario.diff(s).into_iter().filter(|f| is_input(&f.path)).collect(),
        })
        .collect();
    Ok(Comparison {
        paths: runs.paths,
        seed: runs.seed,
        base: match base {
            Base::Frozen => "frozen".into(),
            Base::Scenario(_) => ref_name.clone(),
        },
        scenarios: scenarios.iter().map(|(n, _)| n.clone()).collect(),
        statistics: paths,
        rows,
        inputs,
    })
}

/// Whether a field path is an input of the model (not the scenario's
/// name, description or sources).
fn is_input(path: &str) -> bool {
    !matches!(path, "name" | "description") && path != "sources" && !path.starts_with("sources.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(names: &[&str]) -> Vec<(String, Scenario)> {
        names
            .iter()
            .map(|n| ((*n).to_string(), Scenario::preset(n).unwrap()))
            .collect()
    }

    #[test]
    fn against_frozen_the_differences_are_the_net_statistics() {
        let runs = Runs::new(400, 3);
        let c = compare(&named(&["ft_bubble"]), &[], &runs, Base::Frozen).unwrap();
        let s = Scenario::preset("ft_bubble").unwrap();
        let net = runs
            .run(&s)
            .unwrap()
            .net(&runs.run(&s.freeze_competition()).unwrap())
            .unwrap();
        let lab = net.labs.iter().find(|l| l.id == "openai").unwrap();
        let pop = c.row("labs.openai.p_pop", "ft_bubble").unwrap();
        assert_eq!(pop.value.value, lab.p_pop.unwrap());
        assert_eq!(pop.base.unwrap().value, lab.p_pop_frozen.unwrap());
        assert!((pop.difference.unwrap().value - lab.p_pop_net.unwrap()).abs() < 1e-12);
        assert!((pop.difference.unwrap().se.unwrap() - lab.p_pop_net_se.unwrap()).abs() < 1e-12);
        let fv = c.row("labs.openai.fair_value.mean", "ft_bubble").unwrap();
        assert!((fv.difference.unwrap().value - lab.fair_value_net).abs() < 1e-9 * lab.fair_value_net.abs().max(1.0));
        let zero = c.row("labs.openai.p_zero", "ft_bubble").unwrap();
        assert!((zero.difference.unwrap().value - lab.p_zero_net).abs() < 1e-12);
        assert!(c.inputs.is_empty());
    }

    #[test]
    fn scenario_b_frozen_a_gives_the_net_figures_too() {
        let runs = Runs::new(300, 5);
        let s = Scenario::preset("baseline").unwrap();
        let pair = vec![
            ("frozen".to_string(), s.freeze_competition()),
            ("s".to_string(), s.clone()),
        ];
        let c = compare(&pair, &["labs.anthropic.p_pop".into()], &runs, Base::Scenario(0)).unwrap();
        let net = runs
            .run(&s)
            .unwrap()
            .net(&runs.run(&s.freeze_competition()).unwrap())
            .unwrap();
        let lab = net.labs.iter().find(|l| l.id == "anthropic").unwrap();
        let row = c.row("labs.anthropic.p_pop", "s").unwrap();
        assert!((row.difference.unwrap().value - lab.p_pop_net.unwrap()).abs() < 1e-12);
        assert!((row.difference.unwrap().se.unwrap() - lab.p_pop_net_se.unwrap()).abs() < 1e-12);
        assert!(c.row("labs.anthropic.p_pop", "frozen").unwrap().difference.is_none());
        assert_eq!(c.base, "frozen");
        assert_eq!(c.inputs.len(), 1);
        assert_eq!(c.inputs[0].fields.len(), 1);
        assert_eq!(c.inputs[0].fields[0].path, "counterfactual");
    }

    #[test]
    fn the_inputs_that_differ_are_listed_against_the_base() {
        let runs = Runs::new(50, 1);
        let c = compare(
            &named(&["baseline", "ft_bubble"]),
            &["sector.fair_value.mean".into()],
            &runs,
            Base::Scenario(1),
        )
        .unwrap();
        assert_eq!(c.base, "ft_bubble");
        assert_eq!(c.inputs.len(), 1);
        assert_eq!(c.inputs[0].scenario, "baseline");
        assert_eq!(
            c.inputs[0].fields,
            Scenario::preset("ft_bubble")
                .unwrap()
                .diff(&Scenario::preset("baseline").unwrap())
                .into_iter()
                .filter(|f| is_input(&f.path))
                .collect::<Vec<_>>()
        );
        assert!(c.inputs[0].fields.iter().any(|f| f.path == "gap.long_run"));
        assert!(
            !c.inputs[0]
                .fields
                .iter()
                .any(|f| f.path == "name" || f.path.starts_with("sources"))
        );
        let row = c.row("sector.fair_value.mean", "baseline").unwrap();
        let d = row.difference.unwrap().value;
        assert!((d - (row.value.value - row.base.unwrap().value)).abs() < 1e-9 * d.abs().max(1.0));
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let runs = Runs::new(10, 1);
        let e = compare(
            &named(&["baseline"]),
            &["labs.nobody.p_pop".into()],
            &runs,
            Base::Frozen,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("labs.nobody.p_pop") && e.contains("baseline"), "{e}");
        let e = compare(&named(&["baseline", "baseline"]), &[], &runs, Base::Frozen)
            .unwrap_err()
            .to_string();
        assert!(e.contains("named twice"), "{e}");
        assert!(compare(&[], &[], &runs, Base::Frozen).is_err());
        assert!(compare(&named(&["baseline"]), &[], &runs, Base::Scenario(1)).is_err());
    }
}
