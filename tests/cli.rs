#![cfg(feature = "cli")]
//! The `aibubble` command line, run as a user would: the table, the JSON
//! contract of `run --json`, determinism, overrides, `--out`, `presets`,
//! `show` round trips and `validate` (`--out` in detail: tests/output.rs).
//!
//! Presets are only addressed by name here (their contents change with
//! calibration); anything needing lab ids uses `tests/data/frozen.toml`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aibubble::Scenario;
use serde_json::Value;

const PRESETS: [&str; 7] = [
    "baseline",
    "moat_holds",
    "open_parity",
    "big_tech_switch",
    "open_killer_app",
    "ft_bubble",
    "hindcast_2024",
];

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn frozen() -> String {
    data("frozen.toml").display().to_string()
}

/// Run the binary with a backtrace asked for, so that a panic would show.
fn aibubble<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_aibubble"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

/// A successful run's stdout.
fn ok<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let o = aibubble(args);
    assert!(o.status.success(), "failed: {}", stderr(&o));
    stdout(&o)
}

/// Exit statuses of `aibubble --help`.
const USAGE: i32 = 2;
const SCENARIO: i32 = 3;
const FILES: i32 = 4;
const RESOURCES: i32 = 6;

/// A failed run's stderr, checked to be an error message (not a panic)
/// with exit status `code`.
fn fails<I, S>(code: i32, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let o = aibubble(args);
    let err = stderr(&o);
    assert!(!o.status.success(), "succeeded: {}", stdout(&o));
    assert_eq!(o.status.code(), Some(code), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
        assert!(!err.contains(bad), "{bad} in {err}");
    }
    err
}

fn run_json(extra: &[&str]) -> String {
    let f = frozen();
    let mut args = vec!["run", f.as_str(), "--paths", "2000", "--seed", "3", "--json"];
    args.extend_from_slice(extra);
    ok(args)
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) || (a - b).abs() <= 1e-300
}

fn num(v: &Value, key: &str, ctx: &str) -> f64 {
    v.get(key)
        .unwrap_or_else(|| panic!("{ctx}: no `{key}` in {v}"))
        .as_f64()
        .unwrap_or_else(|| panic!("{ctx}.{key} is not a number: {}", v[key]))
}

/// Moments and quantiles: ordered, `se = sd / sqrt(N)`.
fn check_stats(v: &Value, n: f64, ctx: &str) {
    assert!(v.is_object(), "{ctx} is not an object: {v}");
    let q: Vec<f64> = ["p5", "p25", "p50", "p75", "p95"]
        .iter()
        .map(|k| num(v, k, ctx))
        .collect();
    assert!(
        q.windows(2).all(|w| w[0] <= w[1]),
        "{ctx}: quantiles out of order {q:?}"
    );
    let (mean, sd, se) = (num(v, "mean", ctx), num(v, "sd", ctx), num(v, "se", ctx));
    assert!(sd >= 0.0, "{ctx}: sd {sd}");
    assert!(close(se, sd / n.sqrt(), 1e-12), "{ctx}: se {se} != sd {sd} / sqrt({n})");
    assert!(q[0] <= mean + 1e-9 * mean.abs() || sd > 0.0, "{ctx}");
}

/// A probability `p_x` with `p_x_se = sqrt(p (1 - p) / N)` beside it.
fn check_prob(v: &Value, key: &str, n: f64, ctx: &str) {
    let p = num(v, key, ctx);
    assert!((0.0..=1.0).contains(&p), "{ctx}.{key} = {p}");
    let se = num(v, &format!("{key}_se"), ctx);
    let want = (p * (1.0 - p) / n).sqrt();
    assert!(close(se, want, 1e-12), "{ctx}.{key}_se = {se}, want {want}");
    // A probability over N paths is a count over N.
    assert!(
        ((p * n) - (p * n).round()).abs() < 1e-6,
        "{ctx}.{key} = {p} is not k/{n}"
    );
}

fn check_phi(phi: &Value, n: f64, ctx: &str) {
    check_stats(phi, n, ctx);
    check_prob(phi, "p_below_1", n, ctx);
    check_prob(phi, "p_below_half", n, ctx);
    let cvar5 = num(phi, "cvar5", ctx);
    assert!(cvar5 <= num(phi, "p5", ctx) + 1e-12, "{ctx}: cvar5 above p5");
    assert!(num(phi, "p_below_half", ctx) <= num(phi, "p_below_1", ctx), "{ctx}");
}

/// The first place where two JSON values differ, for readable failures.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(u), Some(v)) => first_difference(u, v, &format!("{path}.{k}")),
                (u, v) => Some(format!("{path}.{k}: {u:?} vs {v:?}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| first_difference(u, v, &format!("{path}[{i}]"))),
        _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
    }
}

/// Scenarios equal, or a message naming where they differ.
fn assert_same(back: &Scenario, want: &Scenario, ctx: &str) {
    if back != want {
        let diff = first_difference(&back.to_value(), &want.to_value(), "").unwrap_or_else(|| "(in the types)".into());
        panic!("{ctx}: scenarios differ at {diff}");
    }
}

#[test]
fn run_prints_a_table_with_every_lab_and_the_sector() {
    let f = frozen();
    let out = ok(["run", f.as_str(), "--paths", "2000", "--seed", "3"]);
    let s = Scenario::from_file(data("frozen.toml")).unwrap();
    for lab in &s.labs {
        assert!(out.contains(&lab.name), "no {} in\n{out}", lab.name);
    }
    assert!(out.contains("\"frozen\""), "{out}");
    assert!(out.contains("2000 paths"), "{out}");
    assert!(out.contains("seed 3"), "{out}");
    let sector = out.lines().find(|l| l.contains("Sector (")).expect("a sector row");
    assert!(sector.contains("alpha") && sector.contains("beta"), "{sector}");
    assert!(!sector.contains("gamma"), "the open lab is not in the sector: {sector}");
}

#[test]
fn run_json_follows_the_contract() {
    let v = parse(&run_json(&[]));
    let n = 2000.0;
    assert!(
        v["schema_version"].as_u64().is_some_and(|x| x >= 1),
        "{}",
        v["schema_version"]
    );
    assert_eq!(v["scenario"], "frozen");
    assert_eq!(v["paths"], 2000);
    assert_eq!(v["seed"], 3);
    let labs = v["labs"].as_array().expect("labs is an array");
    let ids: Vec<&str> = labs.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["alpha", "beta", "gamma"]);
    let s = Scenario::from_file(data("frozen.toml")).unwrap();
    for (lab, spec) in labs.iter().zip(&s.labs) {
        let ctx = format!("labs.{}", spec.id);
        assert_eq!(lab["name"], spec.name.as_str(), "{ctx}");
        let class = lab["class"].as_str().unwrap();
        assert!(class == "closed" || class == "open", "{ctx}: class {class}");
        assert_eq!(class, spec.class.as_str(), "{ctx}");
        check_stats(&lab["fair_value"], n, &format!("{ctx}.fair_value"));
        check_prob(lab, "p_cash_negative", n, &ctx);
        match &spec.mark {
            Some(mark) => {
                assert_eq!(num(lab, "mark", &ctx), mark.central(), "{ctx}");
                check_phi(&lab["phi"], n, &format!("{ctx}.phi"));
                check_prob(lab, "p_pop", n, &ctx);
                // phi = E / V0 path by path, and V0 is fixed here.
                let fv = &lab["fair_value"];
                let m = mark.fixed_value().unwrap();
                assert!(
                    close(num(&lab["phi"], "p50", &ctx), num(fv, "p50", &ctx) / m, 1e-9),
                    "{ctx}"
                );
            }
            None => {
                for key in ["mark", "phi", "p_pop", "p_pop_se"] {
                    assert!(
                        lab.get(key).is_some_and(Value::is_null),
                        "{ctx}.{key} should be null: {lab}"
                    );
                }
            }
        }
    }
    let sector = &v["sector"];
    assert!(sector.is_object(), "{sector}");
    check_stats(&sector["fair_value"], n, "sector.fair_value");
    check_phi(&sector["phi"], n, "sector.phi");
    assert_eq!(num(sector, "mark", "sector"), 850.0);
}

#[test]
fn same_seed_gives_identical_json_whatever_the_threads() {
    let a = run_json(&[]);
    assert_eq!(a, run_json(&[]), "same seed, different output");
    let one = run_json(&["--threads", "1"]);
    let two = run_json(&["--threads", "2"]);
    assert_eq!(one, two, "--threads 1 and 2 differ");
    assert_eq!(a, one);
    let f = frozen();
    let other = ok(["run", f.as_str(), "--paths", "2000", "--seed", "4", "--json"]);
    assert_ne!(a, other, "the seed changes nothing");
}

#[test]
fn set_changes_the_mark() {
    let base = parse(&run_json(&[]));
    let set = parse(&run_json(&["--set", "labs.alpha.mark=1000"]));
    assert_eq!(set["labs"][0]["id"], "alpha");
    assert_eq!(set["labs"][0]["mark"], 1000.0);
    assert_eq!(base["labs"][0]["mark"], 500.0);
    // The mark scales phi; the fair value does not depend on it.
    assert_eq!(set["labs"][0]["fair_value"], base["labs"][0]["fair_value"]);
    let (a, b) = (
        num(&base["labs"][0]["phi"], "mean", "base"),
        num(&set["labs"][0]["phi"], "mean", "set"),
    );
    assert!(close(b, a / 2.0, 1e-9), "{a} {b}");
    assert_eq!(set["labs"][1], base["labs"][1], "another lab moved");
}

#[test]
fn bad_set_fails_with_the_path_and_no_panic() {
    let f = frozen();
    let err = fails(SCENARIO, ["run", f.as_str(), "--paths", "100", "--set", "nope.x=1"]);
    assert!(err.contains("nope.x"), "{err}");

    let err = fails(
        SCENARIO,
        ["run", f.as_str(), "--paths", "100", "--set", "labs.delta.mark=1"],
    );
    assert!(err.contains("labs.delta.mark"), "{err}");
    assert!(err.contains("alpha, beta, gamma"), "{err}");

    let err = fails(
        SCENARIO,
        ["run", f.as_str(), "--paths", "100", "--set", "labs.alpha.mark=-5"],
    );
    assert!(err.contains("labs.alpha.mark: must be > 0, got -5"), "{err}");

    let err = fails(
        SCENARIO,
        ["run", f.as_str(), "--paths", "100", "--set", "labs.alpha.mark=nan"],
    );
    assert!(err.contains("labs.alpha.mark"), "{err}");

    let err = fails(USAGE, ["run", f.as_str(), "--paths", "100", "--set", "labs.alpha.mark"]);
    assert!(err.contains("PATH=VALUE"), "{err}");

    let err = fails(USAGE, ["run", "no_such_preset_or_file", "--paths", "100"]);
    assert!(err.contains("no_such_preset_or_file"), "{err}");
}

#[test]
fn run_on_an_invalid_file_lists_its_problems() {
    let path = data("many_problems.toml");
    let err = fails(
        SCENARIO,
        ["run".as_ref(), path.as_os_str(), "--paths".as_ref(), "100".as_ref()],
    );
    assert!(err.contains("13 problems"), "{err}");
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn out_writes_the_three_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let f = frozen();
    let d = dir.display().to_string();
    let json = run_json(&["--out", d.as_str()]);
    assert_eq!(
        dir_entries(&dir),
        [".aibubble-output", "per_path.csv", "summary.json", "timeseries.csv"]
    );
    assert_eq!(dir_entries(tmp.path()), ["run"], "leftovers next to the output");

    let summary = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    assert_eq!(parse(&summary), parse(&json));
    // Without --json, the same files.
    let quiet = tmp.path().join("quiet");
    let q = quiet.display().to_string();
    let o = aibubble(["run", f.as_str(), "--paths", "2000", "--seed", "3", "--out", q.as_str()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(quiet.join("summary.json")).unwrap(), summary);

    let per_path = std::fs::read_to_string(dir.join("per_path.csv")).unwrap();
    let lines: Vec<&str> = per_path.lines().collect();
    assert_eq!(lines.len(), 2001, "header + one row per path");
    let columns = lines[0].split(',').count();
    assert!(columns > 1, "{}", lines[0]);
    assert!(
        lines[0].chars().any(|c| c.is_ascii_alphabetic()),
        "no header: {}",
        lines[0]
    );
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l.split(',').count(), columns, "row {i}: {l}");
    }

    let series = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let rows: Vec<&str> = series.lines().collect();
    assert!(rows.len() > 1, "timeseries.csv has no rows");
    let columns = rows[0].split(',').count();
    assert!(rows.iter().all(|r| r.split(',').count() == columns));
}

#[test]
fn out_with_a_missing_parent_fails_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("missing").join("run");
    let d = dir.display().to_string();
    let f = frozen();
    let err = fails(FILES, ["run", f.as_str(), "--paths", "100", "--out", d.as_str()]);
    assert!(err.contains("missing"), "{err}");
    assert!(dir_entries(tmp.path()).is_empty(), "left {:?}", dir_entries(tmp.path()));
}

#[test]
fn presets_lists_the_seven_presets() {
    let out = ok(["presets"]);
    let names: Vec<&str> = out.lines().map(|l| l.split_whitespace().next().unwrap_or("")).collect();
    assert_eq!(names, PRESETS, "{out}");
}

#[test]
fn show_round_trips_every_preset() {
    let tmp = tempfile::tempdir().unwrap();
    for name in PRESETS {
        let preset = Scenario::preset(name).unwrap();
        let text = ok(["show", name]);
        let back = Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        assert_same(&back, &preset, &format!("{name}: show"));
        if !preset.sources.is_empty() {
            assert!(text.contains("[sources]"), "{name}: no sources in\n{text}");
        }

        let file = tmp.path().join(format!("{name}.toml"));
        std::fs::write(&file, &text).unwrap();
        let out = ok(["validate".as_ref(), file.as_os_str()]);
        assert!(out.contains("valid scenario"), "{out}");

        let json = ok(["show", name, "--json"]);
        assert_same(
            &Scenario::from_json_str(&json).unwrap(),
            &preset,
            &format!("{name}: show --json"),
        );
    }
}

#[test]
fn show_expanded_writes_defaults_and_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let minimal = data("minimal.toml").display().to_string();
    let frozen = frozen();
    // No process correlation, and a segment no lab lists a weight for.
    let sparse = tmp.path().join("sparse.toml");
    let extra = "\n[[segments]]\nid = \"consumer\"\nname = \"Consumer\"\nspend_0 = 10.0\nclosed_share_0 = 0.7\n\
                 growth_0 = 0.5\ngrowth_inf = 0.1\ngrowth_tau = 2.0\nelasticity = 1.0\nbeta_quality = 0.2\n\
                 substitution = 0.3\nswitching = 1.0\n";
    std::fs::write(&sparse, std::fs::read_to_string(&minimal).unwrap() + extra).unwrap();
    let sparse = sparse.display().to_string();
    assert_eq!(Scenario::from_file(&sparse).unwrap().segments.len(), 2);
    for source in [PRESETS[0], minimal.as_str(), frozen.as_str(), sparse.as_str()] {
        let scenario = if source.ends_with(".toml") {
            Scenario::from_file(source).unwrap()
        } else {
            Scenario::preset(source).unwrap()
        };
        let text = ok(["show", "--expanded", source]);
        for field in ["pop_threshold", "floor", "capture", "research_intensity", "jump_sd"] {
            assert!(
                text.lines().any(|l| l.starts_with(&format!("{field} = "))),
                "{source}: no {field} in\n{text}"
            );
        }
        let back = Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{source}: {e}\n{text}"));
        assert_same(&back, &scenario, &format!("{source}: show --expanded"));
        let file = tmp.path().join("expanded.toml");
        std::fs::write(&file, &text).unwrap();
        ok(["validate".as_ref(), file.as_os_str()]);
    }
}

#[test]
fn sources_survive_show() {
    let f = frozen();
    let scenario = Scenario::from_file(data("frozen.toml")).unwrap();
    assert_eq!(scenario.sources["gap.initial"], "assumption: test value");
    for args in [vec!["show", f.as_str()], vec!["show", "--expanded", f.as_str()]] {
        let text = ok(&args);
        let back = Scenario::from_toml_str(&text).unwrap();
        assert_eq!(back.sources, scenario.sources, "{args:?}");
    }
    let baseline = Scenario::preset("baseline").unwrap();
    let back = Scenario::from_toml_str(&ok(["show", "baseline"])).unwrap();
    assert_eq!(back.sources, baseline.sources);
}

#[test]
fn validate_lists_every_problem_with_its_path() {
    let path = data("many_problems.toml");
    let err = fails(SCENARIO, ["validate".as_ref(), path.as_os_str()]);
    let s = Scenario::from_value_unchecked(
        &aibubble::scenario::parse_value(
            &std::fs::read_to_string(&path).unwrap(),
            aibubble::scenario::Format::Toml,
        )
        .unwrap(),
    )
    .unwrap();
    let problems = s.problems();
    assert_eq!(problems.len(), 13);
    assert!(err.starts_with("error: 13 problems in scenario:"), "{err}");
    for p in &problems {
        assert!(
            err.contains(&format!("  {}: {}", p.path, p.message)),
            "missing {p} in\n{err}"
        );
    }
    assert_eq!(err.lines().filter(|l| l.starts_with("  ")).count(), 13, "{err}");

    // JSON, a parse error and a missing file fail cleanly too.
    let json = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid/json_switching_negative.json");
    let err = fails(SCENARIO, ["validate".as_ref(), json.as_os_str()]);
    assert!(
        err.contains("segments.enterprise.switching: must be in [0, 365], got -0.3"),
        "{err}"
    );
    let syntax = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid/syntax_unclosed_header.toml");
    let err = fails(SCENARIO, ["validate".as_ref(), syntax.as_os_str()]);
    assert!(err.contains("cannot parse TOML scenario"), "{err}");
    let err = fails(USAGE, ["validate", "no/such/file.toml"]);
    assert!(err.contains("no/such/file.toml"), "{err}");
    // A file that exists but cannot be read.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let err = fails(FILES, ["validate".as_ref(), dir.as_os_str()]);
    assert!(err.contains(&dir.display().to_string()), "{err}");
}

#[test]
fn validate_takes_preset_names() {
    for name in PRESETS {
        let out = ok(["validate", name]);
        assert!(out.contains(&format!("{name}: valid scenario \"{name}\"")), "{out}");
    }
}

#[test]
fn validate_accepts_a_valid_file() {
    let out = ok(["validate".as_ref(), data("frozen.toml").as_os_str()]);
    assert!(
        out.contains("valid scenario \"frozen\" (3 labs, 2 segments, 2 events)"),
        "{out}"
    );
}

#[test]
fn exit_codes_tell_failures_apart_and_help_lists_them() {
    let help = ok(["--help"]);
    assert!(help.contains("Exit status:"), "{help}");
    for code in ["0", "1", "2", "3", "4", "5", "6", "7", "130"] {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(&format!("{code} "))),
            "exit status {code} not in\n{help}"
        );
    }
    // clap's own usage errors.
    let o = aibubble(["run", "--paths", "many"]);
    assert_eq!(o.status.code(), Some(USAGE), "{}", stderr(&o));
    let o = aibubble(["frobnicate"]);
    assert_eq!(o.status.code(), Some(USAGE), "{}", stderr(&o));
    // Arguments the library refuses.
    let err = fails(USAGE, ["run", "baseline", "--paths", "0"]);
    assert!(err.contains("paths"), "{err}");
    // Checked before anything runs: a billion paths do not fit in memory.
    let err = fails(RESOURCES, ["run", "baseline", "--paths", "1000000000"]);
    assert!(err.contains("resource limit"), "{err}");
}

#[test]
fn validate_fails_cleanly_on_deeply_nested_input() {
    let tmp = tempfile::tempdir().unwrap();
    let n = 100_000;
    for (name, text) in [
        ("deep.toml", format!("a = {}{}\n", "[".repeat(n), "]".repeat(n))),
        ("deep.json", format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n))),
    ] {
        let file = tmp.path().join(name);
        std::fs::write(&file, text).unwrap();
        let err = fails(SCENARIO, ["validate".as_ref(), file.as_os_str()]);
        assert!(err.len() < 300, "{} bytes: {err}", err.len());
        assert!(err.contains(&file.display().to_string()), "{err}");
    }
}

/// Run with stdout a pipe that is closed after `keep` bytes were read,
/// as `aibubble ... | head -c keep` does; the exit status and stderr.
fn with_closed_stdout(args: &[&str], keep: usize) -> (Option<i32>, String) {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_aibubble"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut pipe = child.stdout.take().expect("a stdout pipe");
    let mut head = vec![0u8; keep];
    pipe.read_exact(&mut head).expect("the first bytes");
    drop(pipe);
    let o = child.wait_with_output().expect("the binary ends");
    (o.status.code(), stderr(&o))
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    // `run --json` writes about 90 KB, more than a pipe holds, so most of
    // it meets the closed pipe.
    let (code, err) = with_closed_stdout(&["run", "baseline", "--paths", "500", "--json"], 10);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
    // Closed before the first byte: every other printing command.
    let f = frozen();
    for args in [
        vec!["run", f.as_str(), "--paths", "2000"],
        vec!["show", "baseline", "--expanded"],
        vec!["show", "baseline", "--json"],
        vec!["presets"],
        vec!["validate", "baseline"],
    ] {
        let (code, err) = with_closed_stdout(&args, 0);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

#[test]
fn max_memory_refuses_a_run_before_it_starts() {
    // 3 million baseline paths need about 7 GiB: refused under 1G, with the
    // estimate and the limit named, whichever way the limit is given.
    let err = fails(
        RESOURCES,
        ["run", "baseline", "--paths", "3000000", "--max-memory", "1G"],
    );
    assert!(err.contains("GiB") && err.contains("limit set for this run"), "{err}");
    let o = Command::new(env!("CARGO_BIN_EXE_aibubble"))
        .args(["run", "baseline", "--paths", "300000"])
        .env("AIBUBBLE_MAX_MEMORY", "100M")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(RESOURCES), "{}", stderr(&o));
    assert!(stderr(&o).contains("100.0 MiB"), "{}", stderr(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_aibubble"))
        .args(["run", "baseline", "--paths", "300"])
        .env("AIBUBBLE_MAX_MEMORY", "lots")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(USAGE), "{}", stderr(&o));
    assert!(stderr(&o).contains("AIBUBBLE_MAX_MEMORY"), "{}", stderr(&o));
    let o = aibubble(["run", "baseline", "--max-memory", "lots"]);
    assert_eq!(o.status.code(), Some(USAGE), "{}", stderr(&o));
}

#[test]
fn threads_beyond_the_cores_are_capped_with_a_note() {
    let o = aibubble([
        "run",
        frozen().as_str(),
        "--paths",
        "300",
        "--threads",
        "10000",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("note: --threads 10000 capped at"), "{err}");
    // The results are those of any other thread count.
    let f = frozen();
    assert_eq!(
        stdout(&o),
        ok(["run", f.as_str(), "--paths", "300", "--threads", "1", "--json"])
    );
}

#[test]
fn extreme_values_print_short_and_the_collapse_is_noted() {
    let o = aibubble([
        "run",
        frozen().as_str(),
        "--paths",
        "400",
        "--set",
        "segments.consumer.elasticity=60",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(table.contains("e1") || table.contains("e2"), "{table}");
    assert!(table.lines().all(|l| l.chars().count() < 200), "{table}");
    assert!(stderr(&o).contains("orders of magnitude"), "{}", stderr(&o));
}

#[test]
fn non_finite_results_fail_with_the_variable_named() {
    let err = fails(
        7,
        [
            "run",
            frozen().as_str(),
            "--paths",
            "50",
            "--set",
            "labs.alpha.plan=[[2026.0, 1e308]]",
        ],
    );
    // A committed plan of 1e308 a year drains cash past the largest f64.
    assert!(
        err.contains("labs.alpha.cash = -inf") && err.contains("path 0"),
        "{err}"
    );
    // A margin of 1e308 (issue found first) is now outside the margins' domain.
    let err = fails(
        3,
        ["run", frozen().as_str(), "--set", "labs.alpha.gross_margin_0=1e308"],
    );
    assert!(
        err.contains("labs.alpha.gross_margin_0: must be <= 1, got 1e308"),
        "{err}"
    );
    let err = fails(
        7,
        [
            "run",
            frozen().as_str(),
            "--paths",
            "50",
            "--set",
            "prices.sigma_closed=1e308",
            "--json",
        ],
    );
    assert!(err.contains("numerical failure"), "{err}");
}

#[test]
fn labs_that_book_no_revenue_are_shown_as_such() {
    let f = frozen();
    let table = ok(["run", f.as_str(), "--paths", "300", "--set", "labs.gamma.capture=0"]);
    let gamma = table.lines().find(|l| l.contains("Gamma")).expect("gamma's row");
    assert!(gamma.contains("no revenue"), "{gamma}");
    assert!(table.contains("Gamma (open) book no revenue"), "{table}");
    // A lab with revenue keeps its numbers.
    let alpha = table.lines().find(|l| l.contains("Alpha")).expect("alpha's row");
    assert!(!alpha.contains("no revenue"), "{alpha}");
}

/// `aibubble args`, killed if it has not finished within a generous
/// deadline, so that a read that blocks fails the test instead of hanging it.
fn aibubble_within<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aibubble"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("no exit within 30 s: blocked or reading without end");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// The scenario argument is a preset or a regular file named *.toml or
/// *.json of at most 16 MiB, checked before it is read.
#[test]
fn the_scenario_argument_is_a_preset_or_a_scenario_file() {
    let tmp = tempfile::tempdir().unwrap();
    let check = |args: &[&std::ffi::OsStr], code: i32, want: &[&str]| {
        let o = aibubble_within(args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
        for w in want {
            assert!(err.contains(w), "{args:?}: no {w:?} in {err}");
        }
        err
    };
    let path = |name: &str| tmp.path().join(name);
    let validate = "validate".as_ref();
    // Devices and other names: refused by name before anything is opened.
    check(
        &[validate, "/dev/zero".as_ref()],
        FILES,
        &["/dev/zero", ".toml or .json"],
    );
    check(
        &["run".as_ref(), "/dev/zero".as_ref(), "--paths".as_ref(), "50".as_ref()],
        FILES,
        &[".toml or .json"],
    );
    // A FIFO and a device behind a scenario name: refused by type, promptly.
    let fifo = path("pipe.toml");
    let status = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(status.success());
    check(&[validate, fifo.as_os_str()], FILES, &["pipe.toml", "FIFO"]);
    std::os::unix::fs::symlink("/dev/zero", path("zero.json")).unwrap();
    check(
        &[validate, path("zero.json").as_os_str()],
        FILES,
        &["zero.json", "a device"],
    );
    std::fs::create_dir(path("dir.toml")).unwrap();
    check(
        &[validate, path("dir.toml").as_os_str()],
        FILES,
        &["dir.toml", "a directory"],
    );
    // Over 16 MiB.
    std::fs::write(path("big.toml"), "#".repeat(17 << 20)).unwrap();
    check(
        &[validate, path("big.toml").as_os_str()],
        FILES,
        &["big.toml", "larger than 16 MiB"],
    );
    // A file with a secret first line is not a scenario by name: never quoted.
    let secret = "root:$6$SECRETHASH0123:19000:0:99999:7:::";
    std::fs::write(path("shadow.txt"), format!("{secret}\n")).unwrap();
    let err = check(
        &[validate, path("shadow.txt").as_os_str()],
        FILES,
        &["shadow.txt", ".toml or .json"],
    );
    assert!(!err.contains("SECRETHASH"), "{err}");
    // Nor when a scenario file extends it.
    std::fs::write(path("child.toml"), "extends = \"shadow.txt\"\nname = \"c\"\n").unwrap();
    let err = check(
        &[validate, path("child.toml").as_os_str()],
        SCENARIO,
        &["`shadow.txt`", "child.toml"],
    );
    assert!(!err.contains("SECRETHASH"), "{err}");
    // A missing file is named as before.
    check(
        &[validate, path("missing.toml").as_os_str()],
        USAGE,
        &["missing.toml", "neither a preset"],
    );
}

/// What a terminal would act on: any control character but a newline.
fn assert_printable(text: &str, ctx: &str) {
    let bad: Vec<char> = text.chars().filter(|c| c.is_control() && *c != '\n').collect();
    assert!(bad.is_empty(), "{ctx}: raw control characters {bad:?} in\n{text}");
}

/// Escape sequences in a scenario's strings (names, description, an unknown
/// variant, a key, a file name) reach the terminal escaped, never raw.
#[test]
fn control_characters_from_a_scenario_are_escaped() {
    const CLEAR: &str = "\u{1b}[2J\u{9b}2J\u{7}";
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Scenario::from_file(data("frozen.toml")).unwrap();
    s.name = format!("frozen{CLEAR}");
    s.description = format!("clears the screen{CLEAR}. Then more");
    s.labs[0].name = format!("Alpha{CLEAR}");
    s.labs[2].name = format!("Gamma{CLEAR}");
    s.events[0].name = format!("Switch{CLEAR}");
    let file = tmp.path().join(format!("esc{CLEAR}.toml"));
    std::fs::write(&file, s.to_toml()).unwrap();
    let shown = "\\u{1b}[2J";
    for args in [
        vec!["validate".as_ref(), file.as_os_str()],
        vec![
            "run".as_ref(),
            file.as_os_str(),
            "--paths".as_ref(),
            "50".as_ref(),
            "--set".as_ref(),
            "labs.gamma.capture=0".as_ref(),
        ],
    ] {
        let o = aibubble(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let (out, err) = (stdout(&o), stderr(&o));
        assert_printable(&out, &format!("{args:?} stdout"));
        assert_printable(&err, &format!("{args:?} stderr"));
        assert!(out.contains(shown), "{args:?}: the names are not shown escaped: {out}");
    }
    // Documents escape them in their own syntax, and still read back exactly.
    let toml = ok(["show".as_ref(), file.as_os_str()]);
    assert_printable(&toml, "show");
    assert_eq!(Scenario::from_toml_str(&toml).unwrap(), s, "show");
    let json = ok(["show".as_ref(), "--json".as_ref(), file.as_os_str()]);
    assert_printable(&json, "show --json");
    assert_eq!(Scenario::from_json_str(&json).unwrap(), s, "show --json");
    let summary = ok([
        "run".as_ref(),
        file.as_os_str(),
        "--paths".as_ref(),
        "50".as_ref(),
        "--json".as_ref(),
    ]);
    assert_printable(&summary, "run --json");
    assert_eq!(parse(&summary)["scenario"], Value::from(s.name.clone()), "run --json");
    // Errors quoting them: an unknown variant, an unknown key, a problem on a lab.
    let text = s
        .to_toml()
        .replacen("class = \"closed\"", &format!("class = \"closed{CLEAR}\""), 1)
        .replacen("[gap]", &format!("[gap]\n\"sigma{CLEAR}\" = 1"), 1);
    for (name, text) in [
        ("variant.toml", text),
        ("extends.toml", format!("extends = \"base{CLEAR}\"\n")),
        ("syntax.toml", format!("name = \"x\"\n{CLEAR} = = 1\n")),
    ] {
        let f = tmp.path().join(name);
        std::fs::write(&f, text).unwrap();
        let err = fails(SCENARIO, ["validate".as_ref(), f.as_os_str()]);
        assert_printable(&err, name);
        assert!(err.contains("\\u{1b}"), "{name}: the escape is not shown: {err}");
    }
    let err = fails(
        SCENARIO,
        [
            "run".as_ref(),
            file.as_os_str(),
            format!("--set=labs.alpha.mark{CLEAR}=1").as_ref(),
        ],
    );
    assert_printable(&err, "--set");
}

/// `--set PATH=nan` (or an infinity) says the value must be finite, for
/// every such value given, not that a string was found.
#[test]
fn non_finite_set_values_must_be_finite() {
    let f = frozen();
    for (value, shown) in [("nan", "NaN"), ("inf", "inf"), ("-inf", "-inf")] {
        let set = format!("gap.sigma={value}");
        let err = fails(SCENARIO, ["run", f.as_str(), "--paths", "50", "--set", set.as_str()]);
        assert!(
            err.contains(&format!("gap.sigma: must be finite, got {shown}")),
            "{value}: {err}"
        );
        assert!(!err.contains("invalid type"), "{value}: {err}");
    }
    let err = fails(
        SCENARIO,
        [
            "run",
            f.as_str(),
            "--set",
            "gap.sigma={ dist = \"normal\", mean = nan, sd = 1 }",
            "--set",
            "labs.alpha.mark=-inf",
        ],
    );
    assert!(err.starts_with("error: 2 problems"), "{err}");
    assert!(err.contains("gap.sigma.mean: must be finite, got NaN"), "{err}");
    assert!(err.contains("labs.alpha.mark: must be finite, got -inf"), "{err}");
}

/// 500,000 unknown keys give a message of the first problems and a count,
/// not one line per key (that was 115 MB).
#[test]
fn a_flood_of_problems_is_counted_not_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let n = 500_000;
    let mut text = String::from("extends = \"baseline\"\nname = \"m\"\n[sources]\n");
    for i in 0..n {
        text.push_str(&format!("\"gap.k{i}\" = \"x\"\n"));
    }
    let file = tmp.path().join("flood.toml");
    std::fs::write(&file, text).unwrap();
    let err = fails(SCENARIO, ["validate".as_ref(), file.as_os_str()]);
    assert!(err.len() < 20_000, "{} bytes of message", err.len());
    assert!(
        err.starts_with(&format!("error: {n} problems in scenario:")),
        "{}",
        &err[..200]
    );
    assert!(err.contains(&format!("... and {} more", n - 50)), "{err}");
    assert_eq!(err.lines().count(), 1 + 50 + 1, "{err}");
}

/// The value at a field path of a scenario's JSON form (lists by id).
fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut cur = v;
    while let Some(key) = parts.next() {
        cur = cur.get(key)?;
        if let (Value::Array(items), true) = (cur, ["segments", "labs", "events"].contains(&key)) {
            let id = parts.next()?;
            cur = items.iter().find(|e| e["id"] == id)?;
        }
    }
    Some(cur)
}

/// Every key serde accepts in the section at JSON pointer `pointer`: an
/// unknown key's error lists them, so that a switch added to a section
/// later is checked too.
fn declared_keys(expanded: &Value, pointer: &str) -> Vec<String> {
    let mut v = expanded.clone();
    v.pointer_mut(pointer).unwrap()["zz_unknown"] = Value::from(0);
    let e = Scenario::from_value_unchecked(&v)
        .expect_err("an unknown key")
        .to_string();
    // `expected one of `a`, `b``, `expected `a` or `b``, `expected `a``.
    let list = e
        .split("`zz_unknown`, expected")
        .nth(1)
        .unwrap_or_else(|| panic!("{pointer}: {e}"));
    list.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// `show --expanded` promises every input: each declared input that has a
/// value (written or by default) and each switch of each section appears,
/// except what has no default and the scenario leaves out.
#[test]
fn show_expanded_writes_every_declared_input_and_switch() {
    let frozen = frozen();
    let minimal = data("minimal.toml").display().to_string();
    let sources: Vec<&str> = PRESETS
        .iter()
        .copied()
        .chain([frozen.as_str(), minimal.as_str()])
        .collect();
    for source in sources {
        let scenario = if source.ends_with(".toml") {
            Scenario::from_file(source).unwrap()
        } else {
            Scenario::preset(source).unwrap()
        };
        let expanded = parse(&ok(["show", "--expanded", "--json", source]));
        // The declared inputs, per section instance (weights included).
        let (slots, _) = scenario.slots();
        for slot in slots
            .iter()
            .filter(|s| s.written.is_some() || s.spec.presence != aibubble::scenario::Presence::Optional)
        {
            // An unlisted weight is 0 by definition and is not written out.
            if slot.spec.name == "weights" && slot.written.is_none() {
                continue;
            }
            assert!(
                at(&expanded, &slot.path).is_some(),
                "{source}: no {} in --expanded",
                slot.path
            );
        }
        // Every key of every section, switches included.
        let mut sections = vec![String::new()];
        for name in ["valuation", "gap", "prices", "demand", "attractiveness", "correlation"] {
            sections.push(format!("/{name}"));
        }
        for list in ["segments", "labs", "events"] {
            let n = expanded[list].as_array().map_or(0, Vec::len);
            sections.extend((0..n).map(|i| format!("/{list}/{i}")));
        }
        for pointer in sections {
            let object = expanded.pointer(&pointer).unwrap();
            for key in declared_keys(&expanded, &pointer) {
                if object.get(&key).is_some() {
                    continue;
                }
                // Absent by design: optional inputs without a default the
                // scenario leaves out, one of an event's `hazard` and `date`,
                // a lab's `mark_basis` and `mature_multiple` without a mark, the process
                // correlation, whose absence (identity) writing would change,
                // and the counterfactual, absent for the scenario itself.
                let optional_input = scenario
                    .slots()
                    .0
                    .iter()
                    .any(|s| s.spec.name == key && s.spec.presence == aibubble::scenario::Presence::Optional);
                let allowed = optional_input
                    || (pointer.starts_with("/events/") && (key == "date" || key == "hazard"))
                    || (pointer.starts_with("/labs/")
                        && (key == "mark_basis" || key == "mature_multiple")
                        && object.get("mark").is_none())
                    || (pointer == "/correlation" && key == "process")
                    || (pointer.is_empty() && key == "counterfactual");
                assert!(allowed, "{source}: `{key}` of {pointer:?} is missing from --expanded");
            }
        }
    }
}

/// `run --net`: the table shows each lab's P(pop), P(FV=0) and P(crunch)
/// beside its frozen value and the net difference.
#[test]
fn run_net_prints_each_figure_beside_its_frozen_value() {
    let f = frozen();
    let text = ok(["run", f.as_str(), "--net", "--paths", "600", "--seed", "3"]);
    assert!(
        text.contains("against frozen competition, 600 paths each, seed 3"),
        "{text}"
    );
    for header in ["P(pop) S", "P(FV=0) S", "P(crunch) S", "frozen", "net", "FV net"] {
        assert!(text.contains(header), "{header} missing:\n{text}");
    }
    for lab in ["Alpha", "Beta", "Gamma"] {
        assert!(text.contains(lab), "{lab} missing:\n{text}");
    }
    assert!(text.contains(" ± "), "{text}");
}

/// `run --net --json`: the summary of S with, per lab, the frozen run's
/// figures (those of `run --set counterfactual=frozen_competition`) and the
/// paired net figures with their standard errors; the same whatever the threads.
#[test]
fn run_net_json_adds_the_frozen_and_net_figures() {
    let plain = parse(&run_json(&[]));
    let frozen_run = parse(&run_json(&["--set", "counterfactual=\"frozen_competition\""]));
    let text = run_json(&["--net", "--threads", "1"]);
    assert_eq!(text, run_json(&["--net", "--threads", "2"]));
    let net = parse(&text);
    assert_eq!(net["counterfactual"], "frozen_competition");
    for (i, lab) in net["labs"].as_array().unwrap().iter().enumerate() {
        let id = lab["id"].as_str().unwrap();
        let (s, f) = (&plain["labs"][i], &frozen_run["labs"][i]);
        for key in ["p_pop", "p_zero", "p_crunch"] {
            assert_eq!(lab[key], s[key], "{id}.{key}");
            assert_eq!(lab[format!("{key}_frozen")], f[key], "{id}.{key}_frozen");
            assert_eq!(
                lab[format!("{key}_frozen_se")],
                f[format!("{key}_se")],
                "{id}.{key}_frozen_se"
            );
            if s[key].is_null() {
                assert!(lab[format!("{key}_net")].is_null(), "{id}.{key}_net");
                continue;
            }
            let d = num(lab, &format!("{key}_net"), id);
            assert!(
                close(d, num(s, key, id) - num(f, key, id), 1e-9) || d.abs() < 1e-12,
                "{id}.{key}_net"
            );
            assert!(num(lab, &format!("{key}_net_se"), id) >= 0.0);
        }
        assert_eq!(lab["fair_value_frozen"], f["fair_value"], "{id}");
        let d = num(lab, "fair_value_net", id);
        let want = num(&s["fair_value"], "mean", id) - num(&f["fair_value"], "mean", id);
        assert!(close(d, want, 1e-9) || (d - want).abs() < 1e-9, "{id}: {d} vs {want}");
        assert!(num(lab, "fair_value_net_se", id) >= 0.0);
        if !s["p_pop"].is_null() {
            let only = num(lab, "p_pop_only_competition", id) - num(lab, "p_pop_only_counterfactual", id);
            assert!((only - num(lab, "p_pop_net", id)).abs() < 1e-12, "{id}");
        }
    }
}

/// `--net` runs two scenarios; `--out` writes one run's directory: refused together.
#[test]
fn run_net_with_out_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let f = frozen();
    let o = aibubble(["run", f.as_str(), "--net", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(USAGE), "{}", stderr(&o));
    assert!(stderr(&o).contains("--net"), "{}", stderr(&o));
    assert!(!out.exists());
}

/// A scenario file in `dir`: `deterministic_full` (no noise) with the
/// discount rate and beta's mark drawn, so that alpha's fair value is a
/// monotone function of the discount rate alone.
fn one_driver(dir: &Path) -> String {
    let text = std::fs::read_to_string(data("deterministic_full.toml"))
        .unwrap()
        .replace(
            "\ndiscount_rate = 0.11\n",
            "\ndiscount_rate = { dist = \"uniform\", lo = 0.08, hi = 0.16 }\n",
        )
        .replace(
            "\nmark = 400.0\n",
            "\nmark = { dist = \"uniform\", lo = 300.0, hi = 500.0 }\n",
        );
    let path = dir.join("one_driver.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn an_input_table_reproduces_a_run_with_the_input_fixed() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("inputs.csv");
    let mut text = String::from("valuation.discount_rate\n");
    for _ in 0..300 {
        text.push_str("0.13\n");
    }
    std::fs::write(&csv, text).unwrap();
    let f = frozen();
    let csv_arg = csv.display().to_string();
    let tabled = parse(&ok([
        "run",
        f.as_str(),
        "--inputs",
        csv_arg.as_str(),
        "--seed",
        "3",
        "--json",
    ]));
    let set = parse(&ok([
        "run",
        f.as_str(),
        "--paths",
        "300",
        "--seed",
        "3",
        "--set",
        "valuation.discount_rate=0.13",
        "--json",
    ]));
    assert_eq!(tabled["paths"], 300);
    assert_eq!(tabled["labs"], set["labs"]);
    assert_eq!(tabled["sector"], set["sector"]);
    // --paths must agree with the table.
    let err = fails(
        USAGE,
        ["run", f.as_str(), "--inputs", csv_arg.as_str(), "--paths", "200"],
    );
    assert!(err.contains("300 rows") && err.contains("--paths is 200"), "{err}");
}

#[test]
fn bad_input_tables_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let f = frozen();
    for (name, text, code, says) in [
        (
            "column.csv",
            "valuation.discount_rat\n0.1\n0.1\n",
            SCENARIO,
            vec!["valuation.discount_rat", "not an input"],
        ),
        (
            "domain.csv",
            "gap.initial,valuation.discount_rate\n3,0.1\n3,-0.5\n",
            SCENARIO,
            vec!["valuation.discount_rate", "-0.5", "1 path(s)"],
        ),
        (
            "row.csv",
            "gap.initial,valuation.discount_rate\n3,0.1\n3\n",
            SCENARIO,
            vec!["line 3", "1 values, expected 2"],
        ),
        (
            "cell.csv",
            "gap.initial,valuation.discount_rate\n3,0.1\n3,abc\n",
            SCENARIO,
            vec!["line 3", "\"abc\" is not a number"],
        ),
    ] {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).unwrap();
        let p = path.display().to_string();
        let err = fails(code, ["run", f.as_str(), "--inputs", p.as_str()]);
        for s in says {
            assert!(err.contains(s), "{name}: {s} not in {err}");
        }
    }
    let err = fails(FILES, ["run", f.as_str(), "--inputs", "/nonexistent/inputs.csv"]);
    assert!(err.contains("/nonexistent/inputs.csv"), "{err}");
}

#[test]
fn a_sweep_equals_runs_with_the_input_set() {
    let f = frozen();
    let sweep = parse(&ok([
        "sweep",
        f.as_str(),
        "--input",
        "valuation.terminal_growth",
        "--values",
        "0.01,0.04",
        "--paths",
        "300",
        "--seed",
        "3",
        "--json",
    ]));
    let rows = sweep["rows"].as_array().unwrap();
    for v in ["0.01", "0.04"] {
        let set = parse(&ok([
            "run",
            f.as_str(),
            "--paths",
            "300",
            "--seed",
            "3",
            "--set",
            &format!("valuation.terminal_growth={v}"),
            "--json",
        ]));
        let x: f64 = v.parse().unwrap();
        let at = |stat: &str| {
            rows.iter()
                .find(|r| r["value"].as_f64() == Some(x) && r["statistic"] == stat)
                .unwrap_or_else(|| panic!("no {stat} at {v}"))
        };
        let alpha = &set["labs"][0];
        assert_eq!(alpha["id"], "alpha");
        // Bit for bit: the same scenario, seed and paths.
        assert_eq!(
            at("labs.alpha.fair_value.mean")["estimate"],
            alpha["fair_value"]["mean"]
        );
        assert_eq!(at("labs.alpha.fair_value.mean")["se"], alpha["fair_value"]["se"]);
        assert_eq!(at("labs.alpha.p_pop")["estimate"], alpha["p_pop"]);
    }
    // --range and the table.
    let table = ok([
        "sweep",
        f.as_str(),
        "--input",
        "valuation.terminal_growth",
        "--range",
        "0,0.04,3",
        "--paths",
        "200",
        "--net",
        "--output",
        "labs.alpha.p_pop",
    ]);
    assert!(
        table.contains("labs.alpha.p_pop net") && table.contains("0.02"),
        "{table}"
    );
    let err = fails(
        USAGE,
        [
            "sweep",
            f.as_str(),
            "--input",
            "nope.x",
            "--values",
            "1",
            "--paths",
            "50",
        ],
    );
    assert!(err.contains("\"nope.x\" is not an input"), "{err}");
    let err = fails(
        SCENARIO,
        [
            "sweep",
            f.as_str(),
            "--input",
            "valuation.discount_rate",
            "--values",
            "0.1,-2",
            "--paths",
            "50",
        ],
    );
    assert!(err.contains("valuation.discount_rate") && err.contains("-2"), "{err}");
    // An input of the copula is held by an input table: its partner keeps its draws.
    let sweep = parse(&ok([
        "sweep",
        f.as_str(),
        "--input",
        "gap.initial",
        "--values",
        "3",
        "--paths",
        "300",
        "--seed",
        "3",
        "--json",
    ]));
    let csv = std::env::temp_dir().join(format!("aibubble-sweep-{}.csv", std::process::id()));
    std::fs::write(&csv, format!("gap.initial\n{}", "3\n".repeat(300))).unwrap();
    let tabled = parse(&ok([
        "run",
        f.as_str(),
        "--inputs",
        csv.to_str().unwrap(),
        "--seed",
        "3",
        "--json",
    ]));
    std::fs::remove_file(&csv).unwrap();
    let row = sweep["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["statistic"] == "labs.alpha.fair_value.mean")
        .unwrap();
    assert_eq!(row["estimate"], tabled["labs"][0]["fair_value"]["mean"]);
    let err = fails(
        USAGE,
        [
            "sweep",
            f.as_str(),
            "--input",
            "gap.initial",
            "--range",
            "0,1",
            "--paths",
            "50",
        ],
    );
    assert!(err.contains("LO,HI,N"), "{err}");
}

#[test]
fn a_tornado_finds_the_one_driver() {
    let tmp = tempfile::tempdir().unwrap();
    let s = one_driver(tmp.path());
    let t = parse(&ok([
        "tornado",
        s.as_str(),
        "--output",
        "labs.alpha.fair_value.mean",
        "--paths",
        "400",
        "--json",
    ]));
    let rows = t["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["input"], "valuation.discount_rate");
    let rho = num(&rows[0], "rank_correlation", "driver");
    assert!(rho.abs() > 0.99, "{rho}");
    let other = num(&rows[1], "rank_correlation", "other");
    assert!(other.abs() < 0.2, "{other}");
    // The table prints the bars.
    let table = ok([
        "tornado",
        s.as_str(),
        "--output",
        "labs.alpha.fair_value.mean",
        "--paths",
        "100",
    ]);
    assert!(
        table.contains("valuation.discount_rate") && table.contains("rank corr"),
        "{table}"
    );
}

#[test]
fn a_tornado_of_runs_holds_each_input_at_its_p10_and_p90() {
    let f = frozen();
    let t = parse(&ok([
        "tornado",
        f.as_str(),
        "--output",
        "labs.alpha.fair_value.mean",
        "--method",
        "runs",
        "--input",
        "valuation.discount_rate",
        "--input",
        "gap.initial",
        "--paths",
        "300",
        "--json",
    ]));
    let rows = t["rows"].as_array().unwrap();
    let dr = rows.iter().find(|r| r["input"] == "valuation.discount_rate").unwrap();
    // triangular(0.10, 0.12, 0.16): F(x) = (x - 0.10)^2 / (0.06 * 0.02) below the mode.
    let p10 = 0.10 + (0.1f64 * 0.06 * 0.02).sqrt();
    assert!((num(dr, "input_low", "dr") - p10).abs() < 1e-9, "{dr}");
    // A higher discount rate lowers the fair value on every path.
    let swing = num(dr, "swing", "dr");
    assert!(swing < 0.0 && swing.abs() > 4.0 * num(dr, "swing_se", "dr"), "{dr}");
    assert!((swing - (num(dr, "high", "dr") - num(dr, "low", "dr"))).abs() < 1e-9 * swing.abs());
}

#[test]
fn bad_tornados_are_named() {
    let f = frozen();
    let base = ["tornado", f.as_str(), "--paths", "50", "--output"];
    let with = |extra: &[&'static str]| -> Vec<String> { base.iter().chain(extra).map(|s| s.to_string()).collect() };
    let err = fails(USAGE, with(&["labs.alpha.p_popp"]));
    assert!(err.contains("p_popp"), "{err}");
    let err = fails(
        USAGE,
        with(&["labs.alpha.p_pop", "--input", "valuation.terminal_growth"]),
    );
    assert!(
        err.contains("\"valuation.terminal_growth\" is not an uncertain input"),
        "{err}"
    );
    let err = fails(USAGE, with(&["labs.alpha.p_pop", "--method", "both"]));
    assert!(err.contains("both"), "{err}");
    // A scenario that draws nothing.
    let d = data("deterministic_full.toml").display().to_string();
    let err = fails(
        USAGE,
        ["tornado", d.as_str(), "--output", "labs.alpha.p_pop", "--paths", "50"],
    );
    assert!(err.contains("draws no inputs"), "{err}");
}

/// `implied`: the root of one input as a table and as JSON, the no-root
/// error with both ends, and a shift out of the domain naming the field.
#[test]
fn implied_solves_one_input_and_states_why_not() {
    let text = ok([
        "implied",
        "anthropic",
        "--input",
        "labs.anthropic.gross_margin_inf",
        "--paths",
        "400",
    ]);
    assert!(text.contains("What must you believe: anthropic"), "{text}");
    assert!(
        text.contains("labs.anthropic.gross_margin_inf") && text.contains("Implied revenue path"),
        "{text}"
    );
    let json = parse(&ok([
        "implied",
        "anthropic",
        "--input",
        "labs.anthropic.gross_margin_inf",
        "--paths",
        "400",
        "--target",
        "median",
        "--json",
    ]));
    let row = &json[0];
    assert_eq!(row["how"], "set");
    assert_eq!(row["target"], "median");
    assert!(
        row["root"].as_f64().unwrap().is_finite() && row["check"]["ok"].as_bool().unwrap(),
        "{row}"
    );
    let e = fails(
        2,
        [
            "implied",
            "openai",
            "--input",
            "labs.openai.gross_margin_inf",
            "--bracket",
            "0.1,0.2",
            "--paths",
            "300",
        ],
    );
    assert!(e.contains("no root") && e.contains("the same sign"), "{e}");
    let e = fails(
        2,
        [
            "implied",
            "anthropic",
            "--input",
            "labs.anthropic.committed",
            "--bracket",
            "0.5,1.2",
            "--paths",
            "300",
        ],
    );
    assert!(e.contains("labs.anthropic.committed: a shift by"), "{e}");
    let e = fails(2, ["implied", "google", "--input", "valuation.discount_rate"]);
    assert!(e.contains("has no mark"), "{e}");
}

/// `compare A B`: a row per statistic, each scenario's value and the paired
/// difference from the first, and the inputs that differ; `--json` the
/// whole comparison, whose difference against `--base frozen` is the net
/// figure of `run --net --json`.
#[test]
fn compare_prints_side_by_side_and_paired_differences() {
    let f = frozen();
    let text = ok([
        "compare",
        f.as_str(),
        "baseline",
        "--paths",
        "100",
        "--seed",
        "3",
        "--stat",
        "sector.fair_value.mean",
    ]);
    assert!(text.contains("| sector.fair_value.mean |"), "{text}");
    assert!(text.contains(&format!("baseline − {f}")), "{text}");
    assert!(text.contains("Inputs that differ:"), "{text}");
    let args = [
        "compare",
        f.as_str(),
        "--base",
        "frozen",
        "--paths",
        "300",
        "--seed",
        "3",
        "--json",
    ];
    let c = parse(&ok(args));
    assert_eq!(c["base"], "frozen");
    let row = c["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["statistic"] == "labs.alpha.p_pop")
        .expect("P(pop) of a marked lab by default");
    let net = parse(&ok([
        "run",
        f.as_str(),
        "--net",
        "--paths",
        "300",
        "--seed",
        "3",
        "--json",
    ]));
    let lab = net["labs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "alpha")
        .unwrap();
    let want = lab["p_pop_net"].as_f64().unwrap();
    assert!(
        close(row["difference"]["value"].as_f64().unwrap(), want, 1e-12),
        "{row} {lab}"
    );
    let want = lab["p_pop_net_se"].as_f64().unwrap();
    assert!(
        close(row["difference"]["se"].as_f64().unwrap(), want, 1e-12),
        "{row} {lab}"
    );
}

/// `channels S`: a row per statistic, a column per channel, the rows adding
/// up to the total; `--json` the whole decomposition.
#[test]
fn channels_prints_shapley_values_that_add_up() {
    let f = frozen();
    let text = ok(["channels", f.as_str(), "--paths", "40", "--stat", "labs.alpha.p_pop"]);
    for column in [
        "usage share",
        "price pressure",
        "margin pass-through",
        "marks",
        "**total**",
    ] {
        assert!(text.contains(column), "{column}: {text}");
    }
    let c = parse(&ok([
        "channels",
        f.as_str(),
        "--paths",
        "40",
        "--stat",
        "sector.fair_value.mean",
        "--json",
    ]));
    let d = &c["statistics"][0];
    let sum: f64 = d["shapley"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_f64().unwrap())
        .sum::<f64>()
        + d["rest"]["value"].as_f64().unwrap();
    let total = d["total"]["value"].as_f64().unwrap();
    assert!(
        (sum - total).abs() <= 1e-9 * total.abs().max(1.0),
        "{sum} against {total}"
    );
    assert_eq!(c["channels"].as_array().unwrap().len(), 6);
}

/// Unknown presets, bases and statistics are named, with the usage status.
#[test]
fn compare_and_channels_name_what_is_unknown() {
    let f = frozen();
    let e = fails(USAGE, ["compare", "baseline", "no_such_preset", "--paths", "10"]);
    assert!(e.contains("no_such_preset"), "{e}");
    let e = fails(USAGE, ["compare", "baseline", "--base", "moat_holds", "--paths", "10"]);
    assert!(e.contains("moat_holds"), "{e}");
    let e = fails(
        USAGE,
        ["compare", f.as_str(), "--stat", "labs.alpha.p_popp", "--paths", "10"],
    );
    assert!(e.contains("p_popp"), "{e}");
    let e = fails(
        USAGE,
        ["channels", f.as_str(), "--base", "no_such_preset", "--paths", "10"],
    );
    assert!(e.contains("no_such_preset"), "{e}");
    let e = fails(
        USAGE,
        ["channels", f.as_str(), "--stat", "labs.zeta.p_pop", "--paths", "10"],
    );
    assert!(e.contains("zeta"), "{e}");
}

#[test]
fn a_statistic_over_no_defined_path_is_null_with_its_count() {
    // Alpha's PV is below 0 on every path, so its terminal-value share
    // (defined where PV > 0) is undefined: null, with n = 0, never NaN.
    let f = data("no_terminal_value.toml");
    let out = ok(["run", f.to_str().unwrap(), "--paths", "300", "--json"]);
    assert!(!out.contains("NaN"), "{out}");
    let v = parse(&out);
    let alpha = &v["labs"][0];
    assert_eq!(alpha["id"], "alpha");
    assert!(alpha["pv"]["p95"].as_f64().unwrap() < 0.0, "the scenario's premise");
    assert_eq!(alpha["tv_share"]["n"], 0);
    for k in ["mean", "sd", "se", "p5", "p50", "p95"] {
        assert!(alpha["tv_share"][k].is_null(), "tv_share.{k}: {}", alpha["tv_share"][k]);
    }
    // Defined statistics carry the count of their paths.
    assert_eq!(alpha["fair_value"]["n"], 300);
    let gamma = &v["labs"][1];
    assert_eq!(gamma["tv_share"]["n"], 300);
    assert!(gamma["tv_share"]["mean"].as_f64().unwrap() > 0.0);
}

#[test]
fn calibrate_prints_every_parameter_and_names_a_bad_row() {
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/models.csv");
    let out = ok(["calibrate", models.to_str().unwrap()]);
    for p in [
        "gap.half_life",
        "gap.long_run",
        "prices.premium_sensitivity",
        "attractiveness.jump_rate",
    ] {
        assert!(out.contains(p), "{p} missing:\n{out}");
    }
    let v = parse(&ok([
        "calibrate",
        models.to_str().unwrap(),
        "--as-of",
        "2025-01-01",
        "--json",
    ]));
    assert_eq!(v["as_of"], "2025-01-01");
    assert!(v["last_date"].as_str().unwrap() < "2025-01-01", "{v}");
    let params = v["parameters"].as_array().unwrap();
    let rate = params.iter().find(|p| p["parameter"] == "gap.release_rate").unwrap();
    assert!(
        rate["value"].as_f64().unwrap() > 0.0 && rate["se"].as_f64().unwrap() > 0.0,
        "{rate}"
    );
    assert!(!v["curves"].as_array().unwrap().is_empty());
    // A malformed row: exit 3, the line, the column and the value named.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    let text = std::fs::read_to_string(&models)
        .unwrap()
        .replacen(",closed,", ",shut,", 1);
    std::fs::write(&bad, text).unwrap();
    let err = fails(SCENARIO, ["calibrate", bad.to_str().unwrap()]);
    assert!(
        err.contains("line 3: column weights: \"shut\" is not open or closed"),
        "{err}"
    );
    let err = fails(USAGE, ["calibrate", models.to_str().unwrap(), "--as-of", "2025-13-01"]);
    assert!(err.contains("as_of"), "{err}");
}

#[test]
fn backtest_places_the_shipped_observations_in_the_hindcast() {
    let obs = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/observations_2024_2025.csv");
    let obs = obs.to_str().unwrap();
    let json = ok([
        "backtest",
        "hindcast_2024",
        "--observations",
        obs,
        "--paths",
        "200",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let lines = std::fs::read_to_string(obs)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    assert_eq!(rows.len(), lines);
    assert_eq!(v["summary"]["n"], lines);
    let pit: u64 = v["summary"]["pit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(pit as usize, lines);
    for r in rows {
        let p = r["percentile"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p), "{r}");
        assert!(r["p5"].as_f64().unwrap() <= r["p95"].as_f64().unwrap(), "{r}");
    }
    let table = ok(["backtest", "hindcast_2024", "--observations", obs, "--paths", "200"]);
    assert!(
        table.contains("inside the 90% band") && table.contains("PIT histogram"),
        "{table}"
    );
}

#[test]
fn backtest_errors_name_the_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.csv");
    std::fs::write(
        &bad,
        "date,output,lab,value,source\n2024-06,revenue,openai,3.4,s\n2024-07,revenue,opneai,3.4,s\n",
    )
    .unwrap();
    let err = fails(
        SCENARIO,
        [
            "backtest",
            "hindcast_2024",
            "--observations",
            bad.to_str().unwrap(),
            "--paths",
            "10",
        ],
    );
    assert!(
        err.contains("bad.csv") && err.contains("line 3") && err.contains("unknown lab \"opneai\""),
        "{err}"
    );
    let missing = tmp.path().join("missing.csv");
    let err = fails(
        FILES,
        ["backtest", "hindcast_2024", "--observations", missing.to_str().unwrap()],
    );
    assert!(err.contains("missing.csv"), "{err}");
}

/// `sobol`: a table with the noise last and the correlation warning, JSON
/// with the design's size, and bad requests named.
#[test]
fn sobol_prints_indices_and_warns_of_correlated_inputs() {
    let f = frozen();
    let args = [
        "sobol",
        f.as_str(),
        "--output",
        "labs.alpha.fair_value",
        "--paths",
        "60",
        "--bootstrap",
        "20",
    ];
    let o = aibubble(args);
    assert!(o.status.success(), "{}", stderr(&o));
    let (text, err) = (stdout(&o), stderr(&o));
    assert!(text.contains("N = 60 base rows") && text.contains("ST [95%]"), "{text}");
    assert!(
        text.contains("noise") && text.contains("valuation.discount_rate"),
        "{text}"
    );
    assert!(
        err.starts_with("warning: ") && err.contains("gap.initial, gap.half_life"),
        "{err}"
    );

    let grouped: Vec<&str> = args.iter().copied().chain(["--group-correlated", "--json"]).collect();
    let o = aibubble(&grouped);
    assert!(o.status.success() && stderr(&o).is_empty(), "{}", stderr(&o));
    let v = parse(&stdout(&o));
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(v["correlated"], Value::Bool(false));
    assert_eq!(v["evaluations"].as_u64(), Some(60 * (rows.len() as u64 + 2)));
    assert!(rows.iter().any(|r| r["group"] == "gap.initial+gap.half_life"));
    assert_eq!(rows.last().unwrap()["group"], "noise");

    let base = ["sobol", f.as_str(), "--paths", "40", "--output"];
    let with = |extra: &[&'static str]| -> Vec<String> { base.iter().chain(extra).map(|s| s.to_string()).collect() };
    let err = fails(USAGE, with(&["labs.alpha.nothing"]));
    assert!(err.contains("nothing"), "{err}");
    let err = fails(USAGE, with(&["labs.alpha.fair_value.p50"]));
    assert!(err.contains("not a per-path output"), "{err}");
    let err = fails(
        USAGE,
        with(&["labs.alpha.fair_value", "--group", "valuation.terminal_growth"]),
    );
    assert!(err.contains("names no uncertain input"), "{err}");
}

/// A `noise_stream` column: 0..n is the plain table bit for bit; another
/// path's noise on every row changes the figures.
#[test]
fn an_input_tables_noise_stream_column_sets_each_rows_process_noise() {
    let tmp = tempfile::tempdir().unwrap();
    let f = frozen();
    let run = |name: &str, rows: &dyn Fn(usize) -> String, header: &str| {
        let csv = tmp.path().join(name);
        let text: String = std::iter::once(format!("{header}\n"))
            .chain((0..300).map(|p| format!("{}\n", rows(p))))
            .collect();
        std::fs::write(&csv, text).unwrap();
        let csv = csv.display().to_string();
        parse(&ok([
            "run",
            f.as_str(),
            "--inputs",
            csv.as_str(),
            "--seed",
            "3",
            "--json",
        ]))
    };
    let plain = run("plain.csv", &|_| "0.13".into(), "valuation.discount_rate");
    let same = run(
        "same.csv",
        &|p| format!("{p},0.13"),
        "noise_stream,valuation.discount_rate",
    );
    let one = run("one.csv", &|_| "0.13,7".into(), "valuation.discount_rate,noise_stream");
    assert_eq!(same["labs"], plain["labs"]);
    assert_ne!(one["labs"], plain["labs"]);
}

/// The progress line is for a person at a terminal: a run whose stderr is a
/// pipe (as here) prints none, with or without --json. (The line draws at
/// the first batch, so a run of a few batches would show it if it leaked.)
#[test]
fn a_piped_run_prints_no_progress() {
    for json in [false, true] {
        let mut args = vec!["run", "baseline", "--paths", "2000", "--seed", "3"];
        if json {
            args.push("--json");
        }
        let o = aibubble(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            !err.contains('\r') && !err.contains("paths") && !err.contains("left"),
            "progress on a piped stderr (--json {json}): {err:?}"
        );
        assert!(err.trim().is_empty(), "unexpected stderr (--json {json}): {err:?}");
    }
}

/// The analysis commands' progress lines are for a person at a terminal
/// too: piped (as here), with or without --json, none prints one.
#[test]
fn piped_analyses_print_no_progress() {
    let f = data("frozen.toml");
    let f = f.to_str().unwrap();
    let obs = tempfile::tempdir().unwrap();
    let obs_file = obs.path().join("obs.csv");
    std::fs::write(
        &obs_file,
        "date,output,lab,segment,value,unit,source,notes\n2027-01,gap,,,3.0,months,test,\n",
    )
    .unwrap();
    let commands: [&[&str]; 7] = [
        &["sweep", f, "--input", "valuation.discount_rate", "--values", "0.1,0.14"],
        &["tornado", f, "--output", "labs.alpha.p_pop", "--method", "runs"],
        &["compare", "baseline", f, "--base", "frozen"],
        &["channels", f],
        &["sobol", f, "--output", "labs.alpha.fair_value", "--bootstrap", "20"],
        &["backtest", f, "--observations", obs_file.to_str().unwrap()],
        &["implied", "anthropic", "--input", "labs.anthropic.gross_margin_inf"],
    ];
    for command in commands {
        for json in [false, true] {
            let mut args = command.to_vec();
            args.extend(["--paths", "60", "--threads", "1"]);
            if json {
                args.push("--json");
            }
            let o = aibubble(&args);
            let err = stderr(&o);
            assert!(o.status.success(), "{args:?}: {err}");
            assert!(
                !err.contains('\r') && !err.contains(" · ") && !err.contains("% of"),
                "progress on a piped stderr ({args:?}): {err:?}"
            );
        }
    }
}

/// `--keep-years` adds each lab's yearly revenue and FCF to per_path.csv and
/// the quantiles to the summary's years; without it each year has its moments.
#[test]
fn keep_years_adds_the_yearly_columns_and_quantiles() {
    let tmp = tempfile::tempdir().unwrap();
    let f = frozen();
    let mut header = Vec::new();
    let mut years = Vec::new();
    for (name, extra) in [("plain", None), ("kept", Some("--keep-years"))] {
        let dir = tmp.path().join(name);
        let d = dir.display().to_string();
        let mut args = vec![
            "run",
            f.as_str(),
            "--paths",
            "300",
            "--seed",
            "3",
            "--json",
            "--out",
            d.as_str(),
        ];
        args.extend(extra);
        let v = parse(&ok(args));
        years.push(v["labs"][0]["revenue"][1].clone());
        let csv = std::fs::read_to_string(dir.join("per_path.csv")).unwrap();
        header.push(csv.lines().next().unwrap().to_string());
    }
    assert!(
        !header[0].contains(".revenue.") && !header[0].contains(".fcf."),
        "{}",
        header[0]
    );
    assert!(
        header[1].contains("labs.alpha.revenue.") && header[1].contains("labs.alpha.fcf."),
        "{}",
        header[1]
    );
    let (plain, kept) = (&years[0], &years[1]);
    assert!(
        plain.get("p50").is_none() && kept["p50"].is_number(),
        "{plain} / {kept}"
    );
    for key in ["mean", "sd"] {
        let (a, b) = (num(plain, key, "plain"), num(kept, key, "kept"));
        assert!(close(a, b, 1e-12), "{key}: {a} vs {b}");
    }
}
