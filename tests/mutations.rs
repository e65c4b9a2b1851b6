//! Every numeric leaf of `baseline` set in turn to NaN, +-inf, +-1e308, 0,
//! -1, a string and a table, and every key deleted: each variant gives a
//! scenario error naming a field path, or runs (a few paths) to finite
//! outputs, or stops with a named numerical or resource error. Never a panic,
//! never an abort, never a NaN passed off as a number.
//!
//! NaN and infinities cannot live in the JSON form, so those variants go
//! through TOML text, as a user's file would.

use std::panic::{AssertUnwindSafe, catch_unwind};

use aibubble::scenario::value_to_toml;
use aibubble::{Error, Scenario, Simulation};
use serde_json::{Value, json};

/// Where a leaf or key sits: object keys and array indices from the root.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn walk(v: &Value, at: &mut Vec<Step>, leaves: &mut Vec<Vec<Step>>, keys: &mut Vec<Vec<Step>>) {
    match v {
        Value::Number(_) => leaves.push(at.clone()),
        Value::Object(m) => {
            for (k, x) in m {
                at.push(Step::Key(k.clone()));
                keys.push(at.clone());
                walk(x, at, leaves, keys);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                at.push(Step::Index(i));
                walk(x, at, leaves, keys);
                at.pop();
            }
        }
        _ => {}
    }
}

fn get_mut<'a>(v: &'a mut Value, at: &[Step]) -> &'a mut Value {
    at.iter().fold(v, |cur, s| match s {
        Step::Key(k) => &mut cur[k.as_str()],
        Step::Index(i) => &mut cur[*i],
    })
}

fn describe(at: &[Step]) -> String {
    at.iter()
        .map(|s| match s {
            Step::Key(k) => format!(".{k}"),
            Step::Index(i) => format!("[{i}]"),
        })
        .collect()
}

/// How one variant ended.
#[derive(Debug, Default)]
struct Tally {
    rejected: usize,
    ran: usize,
    numerical: usize,
    resource: usize,
}

/// Check one variant: build it, and run it when valid.
fn check(what: &str, build: impl FnOnce() -> Result<Scenario, Error>, tally: &mut Tally) {
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<(), Error> {
        let s = build()?;
        let r = Simulation::new(&s)?.paths(12).seed(5).threads(1).run()?;
        let summary = r.summary();
        for lab in &summary.labs {
            let fv = lab.fair_value;
            for x in [fv.mean, fv.p5, fv.p50, fv.p95, lab.p_cash_negative] {
                assert!(x.is_finite(), "{what}: lab {} has a non-finite statistic {x}", lab.id);
            }
            if let Some(phi) = lab.phi {
                for x in [phi.stats.mean, phi.p_below_half, phi.p_below_1, phi.cvar5] {
                    assert!(x.is_finite(), "{what}: lab {} phi statistic {x}", lab.id);
                }
            }
            for p in [lab.p_pop, Some(lab.p_cash_negative)].into_iter().flatten() {
                assert!((0.0..=1.0).contains(&p), "{what}: probability {p}");
            }
        }
        Ok(())
    }));
    match outcome {
        Err(_) => panic!("{what}: panicked"),
        Ok(Ok(())) => tally.ran += 1,
        Ok(Err(Error::Scenario(p))) => {
            assert!(!p.0.is_empty(), "{what}: an empty problem list");
            for problem in &p.0 {
                assert!(
                    !problem.path.is_empty() || problem.message.contains("missing field"),
                    "{what}: a problem without a path: {problem}"
                );
            }
            tally.rejected += 1;
        }
        Ok(Err(Error::Parse { .. })) => tally.rejected += 1,
        Ok(Err(Error::Numerical { variable, .. })) => {
            assert!(!variable.is_empty(), "{what}: unnamed numerical failure");
            tally.numerical += 1;
        }
        Ok(Err(Error::ResourceLimit(_))) => tally.resource += 1,
        Ok(Err(other)) => panic!("{what}: unexpected error {other}"),
    }
}

#[test]
fn every_leaf_and_key_of_baseline_mutated_fails_cleanly_or_runs_finite() {
    let base = Scenario::preset("baseline").unwrap().to_value();
    let (mut leaves, mut keys) = (Vec::new(), Vec::new());
    walk(&base, &mut Vec::new(), &mut leaves, &mut keys);
    assert!(leaves.len() > 200, "{} leaves", leaves.len());
    let mut tally = Tally::default();
    let marker = "__not_a_number__";
    for at in &leaves {
        let path = describe(at);
        // Non-finite numbers, written as TOML.
        for (name, toml) in [("nan", "nan"), ("inf", "inf"), ("-inf", "-inf")] {
            let mut v = base.clone();
            *get_mut(&mut v, at) = json!(marker);
            let text = value_to_toml(&v).replace(&format!("\"{marker}\""), toml);
            assert!(text.contains(toml), "{path}: the marker was not replaced");
            check(
                &format!("{path} = {name}"),
                || Scenario::from_toml_str(&text),
                &mut tally,
            );
        }
        // Finite extremes and the wrong types, in the JSON form.
        for value in [
            json!(1e308),
            json!(-1e308),
            json!(0.0),
            json!(-1.0),
            json!("x"),
            json!({"a": 1}),
        ] {
            let mut v = base.clone();
            *get_mut(&mut v, at) = value.clone();
            check(&format!("{path} = {value}"), || Scenario::from_value(v), &mut tally);
        }
    }
    for at in &keys {
        let (last, parent) = at.split_last().unwrap();
        let Step::Key(k) = last else { unreachable!() };
        let mut v = base.clone();
        get_mut(&mut v, parent).as_object_mut().unwrap().remove(k);
        check(
            &format!("{} deleted", describe(at)),
            || Scenario::from_value(v),
            &mut tally,
        );
    }
    eprintln!(
        "{} leaves x 9 values and {} keys deleted: {tally:?}",
        leaves.len(),
        keys.len()
    );
    // Most variants are refused, and some still run: the test exercises both.
    assert!(tally.rejected > 0 && tally.ran > 0, "{tally:?}");
}
