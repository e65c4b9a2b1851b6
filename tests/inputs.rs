//! Every declared input (one `input` line of `src/scenario/types.rs`) must
//! appear in the places a user or the model reaches it. This test lists them,
//! so that a new input cannot be forgotten in one:
//!
//! 1. the registry: `fields()`, `get`, `set`, the expanded form (all from
//!    the declaration, checked here on a scenario that has every input);
//! 2. the model: its parameter is read in `src/model/`, `src/engine/` or
//!    `src/valuation.rs`;
//! 3. the docs: a row of the field table in `docs/model.md`, with the
//!    declared unit, default and domain.
//!
//! A switch that is not a number (`demand.price_effect`,
//! `labs.<id>.mature_multiple`) has its own test of its places: the docs,
//! the plain and expanded forms, `get`/`set`, its rules.

use std::path::Path;

use aibubble::Scenario;
use aibubble::scenario::{
    Attractiveness, Demand, Domain, Event, Gap, InputSpec, Lab, MatureMultiple, Presence, Prices, Section, Segment,
    Valuation,
};
use serde_json::json;

/// Every section with its field-path prefix (`<id>` for list entries).
fn sections() -> Vec<(&'static str, &'static [InputSpec])> {
    vec![
        ("", Scenario::INPUTS),
        ("valuation.", Valuation::INPUTS),
        ("gap.", Gap::INPUTS),
        ("prices.", Prices::INPUTS),
        ("demand.", Demand::INPUTS),
        ("attractiveness.", Attractiveness::INPUTS),
        ("segments.<id>.", Segment::INPUTS),
        ("labs.<id>.", Lab::INPUTS),
        ("events.<id>.", Event::INPUTS),
    ]
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

fn number(x: f64) -> String {
    aibubble::internals::Num(x).to_string()
}

/// The row of the docs' field table for one input.
fn doc_row(prefix: &str, spec: &InputSpec) -> String {
    let default = match spec.presence {
        Presence::Required => "required".to_string(),
        Presence::Default(x) => number(x),
        Presence::Optional => "optional".to_string(),
    };
    let domain = match spec.domain {
        Domain::Any => "any".to_string(),
        Domain::AboveTerminalGrowth => ">= terminal_growth + 0.01".to_string(),
        d => d.describe().trim_start_matches("must be ").to_string(),
    };
    let u = if spec.uncertain { "yes" } else { "no" };
    format!(
        "| `{prefix}{}` | {} | {default} | {domain} | {u} |",
        spec.name, spec.unit
    )
}

#[test]
fn every_input_has_its_row_in_the_docs() {
    let docs = read("docs/model.md");
    let mut missing = Vec::new();
    let mut table = Vec::new();
    for (prefix, specs) in sections() {
        for spec in specs {
            let row = doc_row(prefix, spec);
            if !docs.lines().any(|l| l.trim() == row) {
                missing.push(row.clone());
            }
            table.push(row);
        }
    }
    assert!(
        missing.is_empty(),
        "docs/model.md lacks these rows of the field table:\n{}\n\nThe whole table:\n{}",
        missing.join("\n"),
        table.join("\n")
    );
}

#[test]
fn every_input_is_read_by_the_model() {
    // Every source file under the model and the engine (the runner is a directory).
    fn read_tree(dir: &Path, code: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                read_tree(&path, code);
            } else {
                *code += &std::fs::read_to_string(path).unwrap();
            }
        }
    }
    let mut code = String::new();
    for dir in ["src/model", "src/engine"] {
        read_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut code);
    }
    code += &read("src/valuation.rs");
    for (prefix, specs) in sections() {
        for spec in specs {
            // A parameter field (`.half_life`), or the scenario's accessor
            // (`start_year()`; the horizon through `steps()`, K = H n).
            let accessor = if spec.name == "horizon" {
                "steps()".to_string()
            } else {
                format!("{}()", spec.name)
            };
            let used = code.contains(&format!(".{}", spec.name)) || code.contains(&accessor);
            assert!(used, "{prefix}{} is declared but the model never reads it", spec.name);
        }
    }
}

/// A scenario with every optional input present.
fn complete() -> Scenario {
    let mut s = Scenario::from_file(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/frozen.toml")).unwrap();
    for seg in s.segments.clone() {
        s.set(&format!("segments.{}.brand_premium", seg.id), 1.0).unwrap();
    }
    s.set("prices.margin_floor", -0.5).unwrap();
    // `max_premium_rise` acts (and may be written) with the symmetric
    // pressure only, which needs its reference lead.
    let mut s = s
        .with_overrides([
            ("prices.pressure", json!("symmetric")),
            ("prices.reference_lead", json!(3.0)),
        ])
        .unwrap();
    s.set("prices.max_premium_rise", 0.5).unwrap();
    s
}

#[test]
fn every_input_is_in_the_registry_and_can_be_read_and_set() {
    let s = complete();
    let fields = s.fields();
    let expanded = s.to_value_expanded();
    for (prefix, specs) in sections() {
        for spec in specs {
            let ids: Vec<String> = match prefix {
                "segments.<id>." => s.segments.iter().map(|x| x.id.clone()).collect(),
                "labs.<id>." => s
                    .labs
                    .iter()
                    .filter(|l| l.mark.is_some())
                    .map(|x| x.id.clone())
                    .collect(),
                "events.<id>." => s
                    .events
                    .iter()
                    .filter(|e| e.hazard.is_some())
                    .map(|x| x.id.clone())
                    .collect(),
                _ => vec![String::new()],
            };
            assert!(!ids.is_empty(), "{prefix}: the test scenario has no entry");
            for id in ids {
                let path = format!("{}{}", prefix.replace("<id>", &id), spec.name);
                let f = fields
                    .iter()
                    .find(|f| f.path == path)
                    .unwrap_or_else(|| panic!("{path} is not in fields()"));
                assert_eq!(f.unit, spec.unit, "{path}");
                assert_eq!(f.uncertain, spec.uncertain, "{path}");
                let value = s.get(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
                assert!(value.is_number() || value.is_object(), "{path}: {value}");
                // Setting it to its own value changes nothing; to another, only it.
                assert_eq!(s.with(&path, value.clone()).unwrap(), s, "{path}");
                if let Some(x) = value.as_f64() {
                    let other = if spec.domain.contains(x * 1.5) && x != 0.0 {
                        x * 1.5
                    } else {
                        x
                    };
                    let t = s.with(&path, other).unwrap_or_else(|e| panic!("{path}: {e}"));
                    assert_eq!(t.get(&path).unwrap(), json!(other), "{path}");
                }
                if let Presence::Default(d) = spec.presence {
                    let mut bare = s.to_value();
                    let _ = aibubble::scenario::paths::set(&mut bare, &path, json!(d));
                    let back = Scenario::from_value(bare).unwrap();
                    assert!(
                        aibubble::scenario::paths::get(&back.to_value(), &path).is_err(),
                        "{path}: a written default is dropped"
                    );
                    assert!(
                        aibubble::scenario::paths::get(&expanded, &path).is_ok(),
                        "{path}: not expanded"
                    );
                }
            }
        }
    }
}

/// A switch that is not a number (here `demand.price_effect`, a v2.1
/// setting) is declared with its section, not as an `input` line, so the
/// checks above do not reach it. Its places: the switch list of
/// `docs/model.md` and the field table of `docs/equations.md` §10; the
/// plain form leaves its default out and the expanded form writes it; `get`
/// and `set` by path; and its rule (`"relative"` only with the CES index)
/// reported at its own path.
#[test]
fn the_price_effect_switch_is_in_every_place() {
    let model = read("docs/model.md");
    assert!(
        model.contains("`demand.price_effect` (`\"absolute\"`"),
        "docs/model.md: not in the switch list"
    );
    let equations = read("docs/equations.md");
    assert!(
        equations.contains("`demand.sigma`, `demand.price_index`, `demand.price_effect`"),
        "docs/equations.md §10: no row"
    );
    assert!(
        equations.contains("`price_effect = \"absolute\"`"),
        "docs/equations.md §10: no default"
    );

    // frozen.toml uses the mean index; the CES index, the switch at its default.
    let s = complete()
        .with_overrides([("demand.price_index", json!("ces"))])
        .unwrap();
    assert!(
        s.to_value()["demand"].get("price_effect").is_none(),
        "a default written out"
    );
    assert_eq!(s.to_value_expanded()["demand"]["price_effect"], json!("absolute"));
    assert_eq!(s.get("demand.price_effect").unwrap(), json!("absolute"));
    let relative = s.with_overrides([("demand.price_effect", json!("relative"))]).unwrap();
    assert_eq!(relative.get("demand.price_effect").unwrap(), json!("relative"));
    assert_eq!(Scenario::from_value(relative.to_value()).unwrap(), relative);
    assert!(relative.problems().is_empty());

    // "relative" with the mean index: one problem, at demand.price_effect.
    let mut mean = relative.clone();
    mean.demand.price_index = aibubble::scenario::PriceIndex::Mean;
    let problems: Vec<String> = mean.problems().iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("demand.price_effect: "), "{problems:?}");
}

/// `labs.<id>.mature_multiple` (a v2.1 setting, per marked lab) in every
/// place a switch must appear: the docs' switch list, §10 row and default;
/// the plain form leaves `"given"` out, the expanded form writes it for a
/// marked lab only; `get`/`set`; and its rules, each at its own path:
/// `multiple_inf` absent with `"steady"` (so no correlation can name it),
/// `"steady"` only with a mark, no `multiple_inf` effect on a steady lab.
#[test]
fn the_mature_multiple_switch_is_in_every_place() {
    let model = read("docs/model.md");
    assert!(
        model.contains("`labs.<id>.mature_multiple` (`\"given\"`"),
        "docs/model.md: not in the switch list"
    );
    let equations = read("docs/equations.md");
    assert!(
        equations.contains("`.mark_basis`, `.mature_multiple`"),
        "docs/equations.md §10: no row"
    );
    assert!(
        equations.contains("`mature_multiple = \"given\"`"),
        "docs/equations.md §10: no default"
    );

    let s = complete();
    let (marked, unmarked) = ("labs.alpha", "labs.gamma");
    assert!(s.lab("alpha").unwrap().mark.is_some() && s.lab("gamma").unwrap().mark.is_none());
    assert!(
        s.to_value()["labs"][0].get("mature_multiple").is_none(),
        "a default written out"
    );
    let expanded = s.to_value_expanded();
    assert_eq!(expanded["labs"][0]["mature_multiple"], json!("given"));
    assert!(
        expanded["labs"][2].get("mature_multiple").is_none(),
        "written for a lab without a mark"
    );
    assert_eq!(Scenario::from_value(expanded).unwrap(), s);
    assert_eq!(s.get(&format!("{marked}.mature_multiple")).unwrap(), json!("given"));

    // "steady" with multiple_inf still given: one problem, at multiple_inf.
    let steady = s
        .with_overrides([(format!("{marked}.mature_multiple").as_str(), json!("steady"))])
        .unwrap_err();
    let problems = steady.problems().expect("a scenario error");
    assert_eq!(problems.len(), 1, "{steady}");
    assert_eq!(problems[0].path, format!("{marked}.multiple_inf"), "{steady}");

    let mut steady = s.clone();
    steady.labs[0].multiple_inf = None;
    steady.labs[0].mature_multiple = MatureMultiple::Steady;
    assert!(steady.problems().is_empty(), "{:?}", steady.problems());
    assert_eq!(
        steady.get(&format!("{marked}.mature_multiple")).unwrap(),
        json!("steady")
    );
    assert_eq!(Scenario::from_value(steady.to_value()).unwrap(), steady);

    // "steady" on a lab without a mark: at its own path.
    let mut no_mark = steady.clone();
    no_mark.labs[2].mature_multiple = MatureMultiple::Steady;
    let problems: Vec<String> = no_mark.problems().iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(&format!("{unmarked}.mature_multiple: ")),
        "{problems:?}"
    );

    // A multiple_inf effect on the steady lab; a multiple_0 effect is fine.
    let event =
        |target: &str| json!([{ "id": "shock", "name": "Shock", "date": 2027.0, "effects": [[target, "mul", 0.8]] }]);
    let err = steady
        .with_overrides([("events", event(&format!("{marked}.multiple_inf")))])
        .unwrap_err();
    let problems = err.problems().expect("a scenario error");
    assert_eq!(problems.len(), 1, "{err}");
    assert_eq!(problems[0].path, "events.shock.effects[0]", "{err}");
    assert!(problems[0].message.contains("mature_multiple = \"steady\""), "{err}");
    assert!(
        steady
            .with_overrides([("events", event(&format!("{marked}.multiple_0")))])
            .is_ok()
    );

    // No correlation can name the absent multiple_inf.
    let mut drawn = steady.clone();
    drawn
        .set(
            &format!("{marked}.mark"),
            json!({ "dist": "uniform", "lo": 400.0, "hi": 600.0 }),
        )
        .unwrap();
    let err = drawn
        .with_overrides([(
            "correlation.inputs",
            json!([[format!("{marked}.mark"), format!("{marked}.multiple_inf"), 0.5]]),
        )])
        .unwrap_err();
    assert!(err.to_string().contains("multiple_inf` is not an input"), "{err}");
}
