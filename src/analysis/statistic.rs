//! What an analysis reads from a run: one statistic of a per-path output of
//! one lab or of the sector, named by a path (`labs.openai.fair_value.mean`,
//! `labs.anthropic.p_pop`, `sector.phi.p50`). Every tool of the analysis
//! layer (comparisons, channels, the reverse DCF, sweeps, tornados) takes
//! its outputs this way, so the names, the per-path values behind them and
//! their standard errors are defined once.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::results::{LabMetric, Results};
use crate::scenario::Scenario;
use crate::stats;

/// Whose output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One lab, by id.
    Lab(String),
    /// The closed labs with a mark, together (fair values and marks summed per path).
    Sector,
}

/// Which per-path output, and how a run reduces it to one number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// The mean fair value `E`, USD bn.
    FairValueMean,
    /// The median fair value.
    FairValueP50,
    /// The mean of `phi = E / V0`.
    PhiMean,
    /// The median of `phi`.
    PhiP50,
    /// P(phi < 0.5): fair value below half the mark.
    PPhiBelowHalf,
    /// P(pop): a quarter-end mark below the pop threshold (labs with a mark).
    PPop,
    /// P(E = 0).
    PZero,
    /// P(crunch): a pop while cash is negative (labs with a mark).
    PCrunch,
}

/// Every measure with its name in a path, in the order they are listed in messages.
const MEASURES: [(Measure, &str); 8] = [
    (Measure::FairValueMean, "fair_value.mean"),
    (Measure::FairValueP50, "fair_value.p50"),
    (Measure::PhiMean, "phi.mean"),
    (Measure::PhiP50, "phi.p50"),
    (Measure::PPhiBelowHalf, "p_phi_below_half"),
    (Measure::PPop, "p_pop"),
    (Measure::PZero, "p_zero"),
    (Measure::PCrunch, "p_crunch"),
];

/// The measures the sector has (it has no single mark path to pop).
const SECTOR_MEASURES: [Measure; 5] = [
    Measure::FairValueMean,
    Measure::FairValueP50,
    Measure::PhiMean,
    Measure::PhiP50,
    Measure::PPhiBelowHalf,
];

impl Measure {
    /// Its name in a statistic's path.
    pub fn name(self) -> &'static str {
        MEASURES
            .iter()
            .find(|(m, _)| *m == self)
            .expect("every measure is listed")
            .1
    }

    /// A median: no per-path mean, so no paired standard error.
    pub fn is_median(self) -> bool {
        matches!(self, Measure::FairValueP50 | Measure::PhiP50)
    }

    /// Needs the lab's mark (phi and the marks' pops).
    fn needs_mark(self) -> bool {
        !matches!(self, Measure::FairValueMean | Measure::FairValueP50 | Measure::PZero)
    }
}

/// One number of a run: a measure of a lab or of the sector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statistic {
    /// Whose.
    pub scope: Scope,
    /// Which.
    pub measure: Measure,
}

/// A statistic's value in a run, with its Monte Carlo standard error (none
/// for a median), over the paths that define it. Over no defined path the
/// value is undefined: NaN here, `null` in the JSON, with `n = 0`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// The value.
    pub value: f64,
    /// Its standard error, `sd / sqrt(N)` of the per-path values (None for a median).
    pub se: Option<f64>,
    /// The paths that define it (per-path values that are not NaN).
    pub n: u64,
}

impl Estimate {
    /// The mean of the per-path values that are not NaN, with its standard
    /// error, or (`median`) their median, with none.
    pub fn of(xs: &[f64], median: bool) -> Estimate {
        let kept: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
        let n = kept.len() as u64;
        if median {
            Estimate {
                value: stats::quantile_sorted(&stats::sorted(&kept), 0.5),
                se: None,
                n,
            }
        } else {
            let m = stats::moments(&kept);
            Estimate {
                value: m.mean,
                se: Some(m.se),
                n,
            }
        }
    }

    /// Whether any path defines it (`n > 0`).
    pub fn is_defined(&self) -> bool {
        self.n > 0
    }
}

impl Statistic {
    /// Parse `labs.<id>.<measure>` or `sector.<measure>`, checked against the
    /// scenario's labs (a measure that needs a mark needs a lab with one).
    ///
    /// # Errors
    /// [`Error::Argument`] naming the text and listing what is allowed.
    pub fn parse(text: &str, scenario: &Scenario) -> Result<Statistic> {
        let err = |why: String| Error::Argument {
            name: "statistic".into(),
            message: format!("{text:?}: {why}"),
        };
        let names = || MEASURES.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", ");
        let measure_of = |rest: &str| {
            MEASURES
                .iter()
                .find(|(_, n)| *n == rest)
                .map(|(m, _)| *m)
                .ok_or_else(|| err(format!("unknown measure {rest:?}; expected one of {}", names())))
        };
        if let Some(rest) = text.strip_prefix("sector.") {
            let measure = measure_of(rest)?;
            if !SECTOR_MEASURES.contains(&measure) {
                return Err(err(format!(
                    "the sector has no {rest}; expected one of {}",
                    SECTOR_MEASURES.map(Measure::name).join(", ")
                )));
            }
            return Ok(Statistic {
                scope: Scope::Sector,
                measure,
            });
        }
        let rest = text
            .strip_prefix("labs.")
            .ok_or_else(|| err("expected labs.<id>.<measure> or sector.<measure>".into()))?;
        let (id, rest) = rest
            .split_once('.')
            .ok_or_else(|| err("expected labs.<id>.<measure>".into()))?;
        let lab = scenario.lab(id).ok_or_else(|| {
            let ids: Vec<&str> = scenario.labs.iter().map(|l| l.id.as_str()).collect();
            err(format!("no lab {id:?}; the scenario's labs are {}", ids.join(", ")))
        })?;
        let measure = measure_of(rest)?;
        if measure.needs_mark() && lab.mark.is_none() {
            return Err(err(format!("lab {id:?} has no mark, so no {rest}")));
        }
        Ok(Statistic {
            scope: Scope::Lab(id.into()),
            measure,
        })
    }

    /// Its path, as [`Statistic::parse`] reads it.
    pub fn path(&self) -> String {
        match &self.scope {
            Scope::Lab(id) => format!("labs.{id}.{}", self.measure.name()),
            Scope::Sector => format!("sector.{}", self.measure.name()),
        }
    }

    /// The per-path values the statistic reduces: the fair value or phi of
    /// each path, or a 0/1 indicator for a probability. NaN where the path
    /// does not define it (phi without a mark).
    ///
    /// # Errors
    /// [`Error::Argument`] when the run has no such lab.
    pub fn per_path(&self, r: &Results) -> Result<Vec<f64>> {
        let indicator = |b: bool| f64::from(u8::from(b));
        match &self.scope {
            Scope::Sector => {
                let fv = r.sector_fair_value();
                let phi = || -> Vec<f64> { fv.iter().zip(r.sector_mark()).map(|(e, m)| e / m).collect() };
                Ok(match self.measure {
                    Measure::FairValueMean | Measure::FairValueP50 => fv,
                    Measure::PhiMean | Measure::PhiP50 => phi(),
                    Measure::PPhiBelowHalf => phi().into_iter().map(|p| indicator(p < 0.5)).collect(),
                    _ => unreachable!("parsed: the sector's measures"),
                })
            }
            Scope::Lab(id) => {
                let lab = r.lab(id).ok_or_else(|| Error::Argument {
                    name: "statistic".into(),
                    message: format!("{:?}: the run has no lab {id:?}", self.path()),
                })?;
                let col = |m: LabMetric| lab.values(m).to_vec();
                Ok(match self.measure {
                    Measure::FairValueMean | Measure::FairValueP50 => col(LabMetric::FairValue),
                    Measure::PhiMean | Measure::PhiP50 => col(LabMetric::Phi),
                    Measure::PPhiBelowHalf => col(LabMetric::Phi).into_iter().map(|p| indicator(p < 0.5)).collect(),
                    Measure::PPop => col(LabMetric::PopTime)
                        .into_iter()
                        .map(|t| indicator(t.is_finite()))
                        .collect(),
                    Measure::PZero => col(LabMetric::FairValue)
                        .into_iter()
                        .map(|e| indicator(e == 0.0))
                        .collect(),
                    Measure::PCrunch => col(LabMetric::CrunchTime)
                        .into_iter()
                        .map(|t| indicator(t.is_finite()))
                        .collect(),
                })
            }
        }
    }

    /// The statistic in a run, with its standard error: the mean of the
    /// per-path values (a probability is the mean of its indicator), or their
    /// median, over the paths that define them. It equals the summary's
    /// figure of the same name.
    ///
    /// # Errors
    /// As [`Statistic::per_path`].
    pub fn estimate(&self, r: &Results) -> Result<Estimate> {
        Ok(Estimate::of(&self.per_path(r)?, self.measure.is_median()))
    }

    /// The paired difference `a - b` of two runs on the same paths (common
    /// random numbers): for a mean or a probability, the mean of the per-path
    /// differences with `sd(d) / sqrt(N)`; for a median, the difference of
    /// the medians, with no standard error.
    ///
    /// # Errors
    /// As [`Statistic::per_path`], and [`Error::Argument`] when the runs do
    /// not have the same paths.
    pub fn paired_difference(&self, a: &Results, b: &Results) -> Result<Estimate> {
        if a.seed != b.seed || (a.paths, a.start, a.end) != (b.paths, b.start, b.end) {
            return Err(Error::Argument {
                name: "runs".into(),
                message: format!(
                    "{:?}: a paired difference needs runs of the same seed and paths (seed {}, paths {}..{} of {}, against seed {}, paths {}..{} of {})",
                    self.path(),
                    a.seed,
                    a.start,
                    a.end,
                    a.paths,
                    b.seed,
                    b.start,
                    b.end,
                    b.paths
                ),
            });
        }
        if self.measure.is_median() {
            let (x, y) = (self.estimate(a)?, self.estimate(b)?);
            return Ok(Estimate {
                value: x.value - y.value,
                se: None,
                n: x.n.min(y.n),
            });
        }
        let d: Vec<f64> = self
            .per_path(a)?
            .into_iter()
            .zip(self.per_path(b)?)
            .map(|(x, y)| x - y)
            .collect();
        Ok(Estimate::of(&d, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Simulation;

    fn run(s: &Scenario, seed: u64) -> Results {
        Simulation::new(s).unwrap().paths(300).seed(seed).run().unwrap()
    }

    #[test]
    fn every_statistic_equals_the_summary_s_figure() {
        let s = Scenario::preset("ft_bubble").unwrap();
        let r = run(&s, 4);
        let summary = r.summary();
        let lab = summary.lab("anthropic").unwrap();
        let phi = lab.phi.as_ref().unwrap();
        for (path, want) in [
            ("labs.anthropic.fair_value.mean", lab.fair_value.mean),
            ("labs.anthropic.fair_value.p50", lab.fair_value.p50),
            ("labs.anthropic.phi.mean", phi.stats.mean),
            ("labs.anthropic.phi.p50", phi.stats.p50),
            ("labs.anthropic.p_phi_below_half", phi.p_below_half),
            ("labs.anthropic.p_pop", lab.p_pop.unwrap()),
            ("labs.anthropic.p_zero", lab.p_zero),
            ("labs.anthropic.p_crunch", lab.p_crunch.unwrap()),
            ("sector.fair_value.mean", summary.sector.fair_value.mean),
            ("sector.fair_value.p50", summary.sector.fair_value.p50),
            ("sector.phi.p50", summary.sector.phi.stats.p50),
            ("sector.p_phi_below_half", summary.sector.phi.p_below_half),
        ] {
            let st = Statistic::parse(path, &s).unwrap();
            assert_eq!(st.path(), path);
            let got = st.estimate(&r).unwrap().value;
            assert!(
                (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                "{path}: {got} against {want}"
            );
        }
    }

    #[test]
    fn a_paired_difference_is_the_mean_of_per_path_differences() {
        let s = Scenario::preset("ft_bubble").unwrap();
        let (a, b) = (run(&s, 4), run(&s.freeze_competition(), 4));
        let st = Statistic::parse("labs.anthropic.p_pop", &s).unwrap();
        let d = st.paired_difference(&a, &b).unwrap();
        let want = st.estimate(&a).unwrap().value - st.estimate(&b).unwrap().value;
        assert!((d.value - want).abs() < 1e-12);
        // The net statistics of the core agree.
        let net = a.net(&b).unwrap();
        let lab = net.labs.iter().find(|l| l.id == "anthropic").unwrap();
        assert!((d.value - lab.p_pop_net.unwrap()).abs() < 1e-12);
        assert!((d.se.unwrap() - lab.p_pop_net_se.unwrap()).abs() < 1e-12);
        assert!(st.paired_difference(&a, &run(&s, 5)).is_err());
    }

    #[test]
    fn bad_statistics_are_named() {
        let s = Scenario::preset("baseline").unwrap();
        for (text, says) in [
            ("labs.nobody.p_pop", "no lab \"nobody\""),
            ("labs.openai.p_popp", "unknown measure \"p_popp\""),
            ("labs.google.p_pop", "has no mark"),
            ("sector.p_pop", "the sector has no p_pop"),
            ("openai.p_pop", "expected labs.<id>.<measure>"),
        ] {
            let e = Statistic::parse(text, &s).unwrap_err().to_string();
            assert!(e.contains(says) && e.contains(text), "{text}: {e}");
        }
    }
}
