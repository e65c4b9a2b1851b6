//! Sobol indices: the share of a per-path output's variance due to each
//! uncertain input, and to the process noise as one more group.
//!
//! The design is Saltelli's (2010), without second-order terms: two base
//! samples A and B of N rows each, and for each group g a matrix `AB_g`
//! (A with g's columns from B), N(k+2) evaluations for k groups. A's rows
//! are the scenario's own draws on paths `0..N`, B's on `N..2N` (one plain
//! run of 2N paths, which is also f(A) and f(B)); each `AB_g` is a run on an
//! input table carrying a noise column ([`InputTable::with_noise`]): path p
//! of A keeps its noise index p, except for the group `noise`, which takes
//! B's (`N + p`). The estimators are SALib's (`sobol.analyze`): the outputs
//! standardised over the whole design, then first order
//! `S_g = mean(f_B (f_ABg - f_A)) / V` (Saltelli 2010) and total order
//! `ST_g = mean((f_A - f_ABg)^2) / (2V)` (Jansen 1999), V the population
//! variance of f_A and f_B pooled. Confidence intervals: percentile 95%
//! intervals of a bootstrap over the base rows (the indices recomputed on
//! each resample, as SALib does, without standardising again).
//!
//! Correlated inputs: the mixing breaks a rank correlation between inputs
//! in different groups (an `AB_g` row pairs g's value with partners drawn
//! apart), so the indices no longer decompose the scenario's variance. The
//! result then lists those inputs (`correlated`); grouping each correlated
//! block as one group (`group_correlated`) keeps the blocks whole.

use rand::RngExt;
use serde::Serialize;

use super::runs::Runs;
use super::statistic::Statistic;
use crate::engine::{Compiled, InputTable};
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::stats;

/// The name of the process-noise group.
pub const NOISE: &str = "noise";

/// How the inputs are grouped.
#[derive(Clone, Debug, Default)]
pub struct Grouping {
    /// Each prefix (`segments.`, `labs.openai.`) gathers the uncertain
    /// inputs whose path starts with it into one group named by it.
    pub prefixes: Vec<String>,
    /// Each block of rank-correlated inputs (linked by `correlation.inputs`)
    /// one group.
    pub correlated: bool,
}

/// The indices of one group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SobolRow {
    /// The group: an input's field path, a prefix, a correlated block
    /// (its inputs joined by `+`), or `noise`.
    pub group: String,
    /// Its inputs (empty for the noise).
    pub inputs: Vec<String>,
    /// First-order index.
    pub s1: f64,
    /// Its bootstrap standard error.
    pub s1_se: f64,
    /// The 2.5th percentile of its bootstrap distribution.
    pub s1_lo: f64,
    /// The 97.5th percentile.
    pub s1_hi: f64,
    /// Total index.
    pub st: f64,
    /// Its bootstrap standard error.
    pub st_se: f64,
    /// The 2.5th percentile of its bootstrap distribution.
    pub st_lo: f64,
    /// The 97.5th percentile.
    pub st_hi: f64,
}

/// The outputs of a design: f on A, on B and on each `AB_g`.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// f(A), N values.
    pub a: Vec<f64>,
    /// f(B).
    pub b: Vec<f64>,
    /// f(AB_g) for each group, N values each.
    pub ab: Vec<Vec<f64>>,
}

/// Sobol indices of one output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sobol {
    /// The scenario's name.
    pub scenario: String,
    /// The per-path output (`labs.openai.fair_value`, `labs.openai.p_pop`).
    pub output: String,
    /// Rows N of each base sample.
    pub paths: u64,
    /// The seed of every run (and of the bootstrap).
    pub seed: u64,
    /// Bootstrap resamples.
    pub bootstrap: usize,
    /// Evaluations of the model, N(k+2).
    pub evaluations: u64,
    /// The mean of the output over A and B.
    pub mean: f64,
    /// The variance of the output over A and B (population).
    pub variance: f64,
    /// Whether the design breaks a rank correlation between inputs.
    pub correlated: bool,
    /// The inputs whose rank correlation with an input of another group
    /// the design breaks.
    pub correlated_inputs: Vec<String>,
    /// One row per group, in the order of the scenario's inputs, the noise last.
    pub rows: Vec<SobolRow>,
    /// The design's outputs (for checks against other tools).
    #[serde(skip)]
    pub design: Design,
}

/// The indices of one group on a design, with their bootstrap spread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Indices {
    /// First order, with its bootstrap standard error and 95% interval.
    pub s1: (f64, f64, f64, f64),
    /// Total, likewise.
    pub st: (f64, f64, f64, f64),
}

/// The first-order and total indices of each group from a design's outputs
/// (SALib's `sobol.analyze` without second order), each as (value,
/// bootstrap SE, 2.5th and 97.5th percentiles) over `resamples` resamples
/// of the base rows drawn from `seed`.
///
/// # Errors
/// [`Error::Argument`] when the lengths differ, N < 2, a value is not
/// finite, the output is constant over A and B, or `resamples` < 2.
pub fn indices(design: &Design, resamples: usize, seed: u64) -> Result<Vec<Indices>> {
    let n = design.a.len();
    if n < 2 || design.b.len() != n || design.ab.iter().any(|c| c.len() != n) {
        return Err(Error::argument(
            "design",
            format!("needs at least 2 rows and as many in A, B and each AB (A has {n})"),
        ));
    }
    if resamples < 2 {
        return Err(Error::argument("bootstrap", format!("must be >= 2, got {resamples}")));
    }
    let all = design.a.iter().chain(&design.b).chain(design.ab.iter().flatten());
    if let Some(x) = all.clone().find(|x| !x.is_finite()) {
        return Err(Error::argument(
            "output",
            format!("a value of the output is not finite ({x})"),
        ));
    }
    // Standardised as SALib does: the first-order estimator is not
    // shift-invariant, so the centring matters.
    let m = stats::moments(&all.copied().collect::<Vec<_>>());
    let total = (n * (design.ab.len() + 2)) as f64;
    let sd = (m.sd * m.sd * (total - 1.0) / total).sqrt();
    if sd == 0.0 {
        return Err(Error::argument("output", "the output is constant over the design"));
    }
    let z = |xs: &[f64]| xs.iter().map(|x| (x - m.mean) / sd).collect::<Vec<_>>();
    let (a, b) = (z(&design.a), z(&design.b));
    let ab: Vec<Vec<f64>> = design.ab.iter().map(|c| z(c)).collect();
    let full: Vec<usize> = (0..n).collect();
    let point = |r: &[usize]| -> Vec<(f64, f64)> {
        let v = pooled_variance(r.iter().map(|i| a[*i]).chain(r.iter().map(|i| b[*i])));
        let k = r.len() as f64;
        ab.iter()
            .map(|c| {
                let s1 = r.iter().map(|i| b[*i] * (c[*i] - a[*i])).sum::<f64>() / k / v;
                let st = 0.5 * r.iter().map(|i| (a[*i] - c[*i]).powi(2)).sum::<f64>() / k / v;
                (s1, st)
            })
            .collect()
    };
    let est = point(&full);
    let mut rng = crate::rng::named_stream(seed, 0, "sobol.bootstrap");
    let mut reps: Vec<Vec<(f64, f64)>> = Vec::with_capacity(resamples);
    let mut r = vec![0usize; n];
    for _ in 0..resamples {
        r.iter_mut().for_each(|i| *i = rng.random_range(0..n));
        reps.push(point(&r));
    }
    let spread = |value: f64, xs: Vec<f64>| {
        let s = stats::sorted(&xs);
        (
            value,
            stats::moments(&xs).sd,
            stats::quantile_sorted(&s, 0.025),
            stats::quantile_sorted(&s, 0.975),
        )
    };
    Ok(est
        .iter()
        .enumerate()
        .map(|(g, (s1, st))| Indices {
            s1: spread(*s1, reps.iter().map(|x| x[g].0).collect()),
            st: spread(*st, reps.iter().map(|x| x[g].1).collect()),
        })
        .collect())
}

/// The population variance (numpy's `var`); NaN-free input.
fn pooled_variance(xs: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = xs.clone().count() as f64;
    let mean = xs.clone().sum::<f64>() / n;
    xs.map(|x| (x - mean).powi(2)).sum::<f64>() / n
}

/// A group: its name and its inputs' column indices (none: the noise).
struct Group {
    name: String,
    columns: Vec<usize>,
}

/// The uncertain inputs the scenario's runs report, in their order.
fn uncertain(scenario: &Scenario) -> Result<Vec<String>> {
    let c = Compiled::new(scenario, None)?;
    let names: Vec<String> = c
        .drawn
        .iter()
        .filter(|d| c.input_fields.contains(&d.field))
        .map(|d| c.field_paths[d.field].clone())
        .collect();
    if names.is_empty() {
        return Err(Error::argument(
            "inputs",
            format!(
                "scenario {:?} draws no inputs (every input is a fixed number); Sobol indices need uncertain inputs",
                scenario.name
            ),
        ));
    }
    Ok(names)
}

/// The groups over `names`: the prefixes', the correlated blocks and each
/// input left alone, in the order of their first input; the noise last.
fn groups(scenario: &Scenario, names: &[String], grouping: &Grouping) -> Result<Vec<Group>> {
    let mut owner: Vec<Option<usize>> = vec![None; names.len()];
    let mut out: Vec<Group> = Vec::new();
    for prefix in &grouping.prefixes {
        let columns: Vec<usize> = (0..names.len())
            .filter(|j| names[*j].starts_with(prefix.as_str()))
            .collect();
        if columns.is_empty() {
            let why = if scenario.fields().iter().any(|f| f.path.starts_with(prefix.as_str())) {
                "names no uncertain input of the scenario (its inputs there are fixed numbers, not drawn); a group needs drawn inputs"
            } else {
                "names no input of the scenario"
            };
            return Err(Error::argument("group", format!("{prefix:?} {why}")));
        }
        if let Some(j) = columns.iter().find(|j| owner[**j].is_some()) {
            return Err(Error::argument(
                "group",
                format!("{prefix:?}: input {:?} is already in another group", names[*j]),
            ));
        }
        columns.iter().for_each(|j| owner[*j] = Some(out.len()));
        out.push(Group {
            name: prefix.clone(),
            columns,
        });
    }
    let links = links(scenario, names);
    if grouping.correlated {
        for block in blocks(names.len(), &links) {
            if block.len() < 2 || block.iter().any(|j| owner[*j].is_some()) {
                continue;
            }
            block.iter().for_each(|j| owner[*j] = Some(out.len()));
            out.push(Group {
                name: block.iter().map(|j| names[*j].as_str()).collect::<Vec<_>>().join("+"),
                columns: block,
            });
        }
    }
    for (j, name) in names.iter().enumerate() {
        if owner[j].is_none() {
            out.push(Group {
                name: name.clone(),
                columns: vec![j],
            });
        }
    }
    // In the order of the scenario's inputs, by each group's first.
    out.sort_by_key(|g| g.columns[0]);
    out.push(Group {
        name: NOISE.into(),
        columns: vec![],
    });
    Ok(out)
}

/// The rank-correlated pairs among `names` (column indices).
fn links(scenario: &Scenario, names: &[String]) -> Vec<(usize, usize)> {
    let at = |n: &str| names.iter().position(|x| x == n);
    scenario
        .correlation
        .inputs
        .iter()
        .filter(|(_, _, rho)| *rho != 0.0)
        .filter_map(|(a, b, _)| Some((at(a)?, at(b)?)))
        .collect()
}

/// The connected components of the link graph, each sorted, in order of
/// their first input.
fn blocks(n: usize, links: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut root: Vec<usize> = (0..n).collect();
    fn find(root: &mut [usize], mut i: usize) -> usize {
        while root[i] != i {
            root[i] = root[root[i]];
            i = root[i];
        }
        i
    }
    for (a, b) in links {
        let (ra, rb) = (find(&mut root, *a), find(&mut root, *b));
        root[ra.max(rb)] = ra.min(rb);
    }
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut of_root: Vec<Option<usize>> = vec![None; n];
    for j in 0..n {
        let r = find(&mut root, j);
        match of_root[r] {
            Some(k) => out[k].push(j),
            None => {
                of_root[r] = Some(out.len());
                out.push(vec![j]);
            }
        }
    }
    out
}

/// A statistic whose per-path values Sobol indices decompose: a fair value,
/// phi or a probability's indicator; `labs.<id>.fair_value` and
/// `labs.<id>.phi` (no measure) read as their means.
fn output(text: &str, scenario: &Scenario) -> Result<Statistic> {
    let full = if text.ends_with(".fair_value") || text.ends_with(".phi") {
        format!("{text}.mean")
    } else {
        text.to_string()
    };
    let st = Statistic::parse(&full, scenario)?;
    if st.measure.is_median() {
        return Err(Error::argument(
            "output",
            format!(
                "{text:?} is a median, not a per-path output; Sobol indices decompose the variance of a per-path value: use {:?}",
                full.trim_end_matches(".p50")
            ),
        ));
    }
    Ok(st)
}

/// The Sobol indices of `output` over the scenario's uncertain inputs
/// (grouped by `grouping`) and the process noise, on `runs.paths` base rows.
///
/// # Errors
/// [`Error::Argument`] for an unknown or non-per-path output, a group
/// naming no uncertain input, a scenario that draws nothing, fewer than 20
/// paths, fewer than 2 resamples or an output that is constant or not
/// finite; the errors of the runs.
pub fn sobol(
    scenario: &Scenario,
    output_name: &str,
    grouping: &Grouping,
    bootstrap: usize,
    runs: &Runs,
) -> Result<Sobol> {
    let st = output(output_name, scenario)?;
    let names = uncertain(scenario)?;
    let groups = groups(scenario, &names, grouping)?;
    if runs.paths < 20 {
        return Err(Error::argument(
            "paths",
            format!("Sobol indices need at least 20 base rows, got {}", runs.paths),
        ));
    }
    if bootstrap < 2 {
        return Err(Error::argument("bootstrap", format!("must be >= 2, got {bootstrap}")));
    }
    let n = runs.paths;
    let nu = usize::try_from(n).map_err(|_| Error::argument("paths", "too many for this machine"))?;
    // Samples A and B in one run, then one run per group.
    let total = groups.len() + 1;
    let base = Runs {
        paths: 2 * n,
        ..runs.clone()
    }
    .run_as(scenario, None, format_args!("run 1/{total}"))?;
    let y = st.per_path(&base)?;
    let columns: Vec<&[f64]> = names
        .iter()
        .map(|name| {
            base.inputs
                .iter()
                .find(|c| c.name == *name)
                .map(|c| c.values.as_slice())
                .expect("a drawn input is reported")
        })
        .collect();
    let mut tables = Vec::with_capacity(groups.len());
    for g in &groups {
        let mut values = Vec::with_capacity(nu * names.len());
        for p in 0..nu {
            values.extend(columns.iter().enumerate().map(|(j, col)| {
                let from_b = g.columns.contains(&j);
                col[if from_b { nu + p } else { p }]
            }));
        }
        let shift = if g.columns.is_empty() { n } else { 0 };
        tables.push(InputTable::new(names.clone(), values)?.with_noise((shift..shift + n).collect())?);
    }
    // One batch: an executor runs the k designs' rows side by side.
    let batch: Vec<_> = tables.iter().map(|t| (scenario, Some(t))).collect();
    let ab = runs
        .run_many_as(&batch, |i| format!("run {}/{total}", i + 2))?
        .iter()
        .map(|r| st.per_path(r))
        .collect::<Result<Vec<_>>>()?;
    let design = Design {
        a: y[..nu].to_vec(),
        b: y[nu..].to_vec(),
        ab,
    };
    let est = indices(&design, bootstrap, runs.seed)?;
    let m = stats::moments(&y);
    let rows = groups
        .iter()
        .zip(est)
        .map(|(g, e)| SobolRow {
            group: g.name.clone(),
            inputs: g.columns.iter().map(|j| names[*j].clone()).collect(),
            s1: e.s1.0,
            s1_se: e.s1.1,
            s1_lo: e.s1.2,
            s1_hi: e.s1.3,
            st: e.st.0,
            st_se: e.st.1,
            st_lo: e.st.2,
            st_hi: e.st.3,
        })
        .collect();
    let owner = |j: usize| groups.iter().position(|g| g.columns.contains(&j));
    let mut broken: Vec<usize> = links(scenario, &names)
        .into_iter()
        .filter(|(a, b)| owner(*a) != owner(*b))
        .flat_map(|(a, b)| [a, b])
        .collect();
    broken.sort_unstable();
    broken.dedup();
    Ok(Sobol {
        scenario: scenario.name.clone(),
        // The per-path value's name: a mean's path without `.mean`.
        output: st.path().trim_end_matches(".mean").to_string(),
        paths: n,
        seed: runs.seed,
        bootstrap,
        evaluations: n * (groups.len() as u64 + 2),
        mean: m.mean,
        variance: m.sd * m.sd * (m.n as f64 - 1.0) / m.n as f64,
        correlated: !broken.is_empty(),
        correlated_inputs: broken.into_iter().map(|j| names[j].clone()).collect(),
        rows,
        design,
    })
}
