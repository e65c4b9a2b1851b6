//! The analysis layer's observer (`Runs::observer`): each tool names its
//! runs to it (`value 2/4`, `run 3/5`), and an observed analysis gives the
//! same result bit for bit as one with no observer.

use std::sync::{Arc, Mutex};

use aibubble::Scenario;
use aibubble::analysis::channels::CHANNELS;
use aibubble::analysis::implied::{self, Options};
use aibubble::analysis::{
    Base, ChannelBase, Grouping, Method, Observations, RunObserver, Runs, Watch, backtest, channels, compare, sobol,
    sweep::sweep, tornado::tornado,
};

/// Every run name told, in order, and the last `total` of each.
#[derive(Default)]
struct Names(Mutex<Vec<(String, u64)>>);

impl RunObserver for Names {
    fn progress(&self, what: &str, _done: u64, total: u64) {
        let mut v = self.0.lock().unwrap();
        if v.last().is_none_or(|(w, _)| w != what) {
            v.push((what.to_string(), total));
        }
    }
}

fn scenario() -> Scenario {
    Scenario::from_file(std::path::Path::new("tests/data/frozen.toml")).unwrap()
}

/// `analysis` run without and with an observer: the same JSON, and the
/// names the observer was told.
fn observed<T: serde::Serialize>(paths: u64, analysis: impl Fn(&Runs) -> T) -> Vec<(String, u64)> {
    let plain = Runs::new(paths, 5);
    let names = Arc::new(Names::default());
    let mut watched = plain.clone();
    watched.observer = Some(Watch(names.clone()));
    let (a, b) = (analysis(&plain), analysis(&watched));
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap(),
        "an observer changed the result"
    );
    names.0.lock().unwrap().clone()
}

fn names(told: &[(String, u64)]) -> Vec<&str> {
    told.iter().map(|(w, _)| w.as_str()).collect()
}

#[test]
fn a_sweep_names_each_value_and_its_frozen_run() {
    let s = scenario();
    let told = observed(300, |r| {
        sweep(&s, "valuation.discount_rate", &[0.1, 0.14], r, true).unwrap()
    });
    assert_eq!(
        names(&told),
        ["value 1/4", "value 2/4 frozen", "value 3/4", "value 4/4 frozen"]
    );
    assert!(told.iter().all(|(_, total)| *total == 300), "{told:?}");
}

#[test]
fn a_tornado_of_paired_runs_counts_the_base_run_and_two_per_input() {
    let s = scenario();
    let inputs = ["valuation.discount_rate".to_string(), "gap.initial".to_string()];
    let told = observed(200, |r| {
        tornado(&s, "labs.alpha.p_pop", Method::Runs, &inputs, r).unwrap()
    });
    assert_eq!(names(&told), ["run 1/5", "run 2/5", "run 3/5", "run 4/5", "run 5/5"]);
    let told = observed(200, |r| {
        tornado(&s, "labs.alpha.p_pop", Method::Single, &[], r).unwrap()
    });
    assert_eq!(names(&told), ["the run"]);
}

#[test]
fn compare_and_channels_count_their_runs() {
    let s = scenario();
    let pair = [("a".to_string(), s.clone()), ("b".to_string(), s.clone())];
    let told = observed(200, |r| compare(&pair, &[], r, Base::Frozen).unwrap());
    assert_eq!(names(&told), ["run 1/4", "run 2/4", "run 3/4", "run 4/4"]);
    let told = observed(100, |r| {
        channels("frozen", &s, &ChannelBase::Frozen, &CHANNELS[..2], &[], r).unwrap()
    });
    assert_eq!(names(&told), (1..=8).map(|i| format!("run {i}/8")).collect::<Vec<_>>());
}

#[test]
fn sobol_backtest_and_implied_name_their_runs() {
    let s = scenario();
    let grouping = Grouping {
        prefixes: vec!["labs.".into(), "valuation.".into()],
        correlated: false,
    };
    let told = observed(40, |r| sobol(&s, "labs.alpha.fair_value", &grouping, 20, r).unwrap());
    let n = told.len();
    assert!(n >= 3, "{told:?}");
    assert_eq!(told[0], (format!("run 1/{n}"), 80), "samples A and B in one run");
    assert_eq!(told[n - 1].0, format!("run {n}/{n}"));

    let text = "date,output,lab,segment,value,unit,source,notes\n2027-01,gap,,,3.0,months,test,\n";
    let obs = Observations::parse(text, "obs.csv").unwrap();
    let told = observed(100, |r| backtest(&s, &obs, r).unwrap());
    assert_eq!(names(&told), ["chunk 1/1"]);

    // The search's runs carry the options' observer too.
    let names_ = Arc::new(Names::default());
    let base = Options {
        paths: 300,
        seed: 7,
        ..Options::default()
    };
    let watched = Options {
        observer: Some(Watch(names_.clone())),
        ..base.clone()
    };
    let baseline = Scenario::preset("baseline").unwrap();
    let input = "labs.anthropic.gross_margin_inf";
    let a = implied::implied(&baseline, "anthropic", input, &base).unwrap();
    let b = implied::implied(&baseline, "anthropic", input, &watched).unwrap();
    assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    let told = names_.0.lock().unwrap();
    assert_eq!(told[0].0, format!("{input} run 1"));
    assert!(told.len() >= 3, "{told:?}");
}
