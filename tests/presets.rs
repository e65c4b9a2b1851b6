//! Presets as differences: every preset but the full ones ([`FULL`]:
//! `baseline` and the hindcast, which has its own labs) extends baseline and lists
//! only what differs, each change cited; users' files extend presets or
//! files, and mistakes are reported with the document and the field path.
//! (That the diff presets ran exactly as the full copies they replaced was
//! pinned here until model v2; `tests/v1_equivalence.rs` holds the v1
//! presets, written the same way, to the same bits.)

use std::path::Path;

use aibubble::scenario::presets;
use aibubble::{Error, Scenario};

/// Presets written out in full: baseline, and the hindcast, valued at
/// 2024.0 with its own labs and figures.
const FULL: [&str; 2] = ["baseline", "hindcast_2024"];

#[test]
fn presets_are_differences_from_baseline_with_every_change_cited() {
    let base = Scenario::preset("baseline").unwrap();
    for name in presets::names().into_iter().filter(|n| !FULL.contains(n)) {
        let text = presets::text(name).unwrap();
        let doc: toml::Table = toml::from_str(text).unwrap();
        assert_eq!(doc["extends"].as_str(), Some("baseline"), "{name}");
        let overrides = doc["overrides"].as_table().expect("an [overrides] table");
        let sources = doc["sources"].as_table().expect("a [sources] table");
        assert!(!overrides.is_empty(), "{name} changes nothing");
        for path in overrides.keys() {
            let cited = sources.keys().any(|k| k == path || k.starts_with(&format!("{path}.")));
            assert!(cited, "{name}: the override of {path} has no source");
        }
        // Nothing is restated: each override differs from baseline.
        let s = Scenario::preset(name).unwrap();
        for path in overrides.keys() {
            assert_ne!(
                s.get(path).ok(),
                base.get(path).ok(),
                "{name}: {path} restates baseline"
            );
        }
        // The labs' finances are baseline's, as the presets say.
        for lab in &base.labs {
            assert_eq!(
                s.lab(&lab.id),
                Some(lab),
                "{name}: lab {} differs from baseline",
                lab.id
            );
        }
        // `show` prints the whole scenario, which stands on its own.
        let shown = s.to_toml();
        assert!(!shown.contains("extends") && !shown.contains("[overrides]"), "{name}");
        assert_eq!(Scenario::from_toml_str(&shown).unwrap(), s, "{name}");
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn users_files_extend_presets_and_relative_files() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = write(
        tmp.path(),
        "mine.toml",
        r#"extends = "ft_bubble"
name = "mine"
[overrides]
"labs.openai.mark" = 830.0
[sources]
"labs.openai.mark" = "talks at $830B (2025-12) [S]"
"#,
    );
    let s = Scenario::from_file(&mine).unwrap();
    let ft = Scenario::preset("ft_bubble").unwrap();
    assert_eq!(s.name, "mine");
    assert_eq!(s.get("labs.openai.mark").unwrap(), serde_json::json!(830.0));
    assert_eq!(s.gap, ft.gap, "the rest is ft_bubble's");
    assert_eq!(s.sources["labs.openai.mark"], "talks at $830B (2025-12) [S]");
    // A file extending a file, by a path relative to its own directory.
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    let deeper = write(
        &tmp.path().join("sub"),
        "deeper.toml",
        "extends = \"../mine.toml\"\nname = \"deeper\"\n[overrides]\n\"gap.floor\" = -1.0\n",
    );
    let d = Scenario::from_file(&deeper).unwrap();
    assert_eq!(d.get("labs.openai.mark").unwrap(), serde_json::json!(830.0));
    assert_eq!(d.get("gap.floor").unwrap(), serde_json::json!(-1.0));
    // The base's citation of an overridden input no longer describes it.
    assert!(s.sources.contains_key("gap.floor"));
    assert!(!d.sources.contains_key("gap.floor"), "{:?}", d.sources.get("gap.floor"));
}

fn problems(e: Error) -> String {
    e.to_string()
}

#[test]
fn mistakes_name_the_document_and_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    // A cycle.
    write(tmp.path(), "a.toml", "extends = \"b.toml\"\nname = \"a\"\n");
    let b = write(tmp.path(), "b.toml", "extends = \"a.toml\"\nname = \"b\"\n");
    let e = problems(Scenario::from_file(&b).unwrap_err());
    assert!(e.contains("extends") && e.contains("cycle"), "{e}");
    // A file extending itself.
    let me = write(tmp.path(), "me.toml", "extends = \"me.toml\"\nname = \"me\"\n");
    assert!(problems(Scenario::from_file(&me).unwrap_err()).contains("cycle"));
    // An unknown base.
    let unknown = write(tmp.path(), "u.toml", "extends = \"basline\"\nname = \"u\"\n");
    let e = problems(Scenario::from_file(&unknown).unwrap_err());
    assert!(e.contains("`basline` is neither a preset"), "{e}");
    // An override that names no field, and one out of its domain.
    let typo = write(
        tmp.path(),
        "typo.toml",
        "extends = \"baseline\"\nname = \"t\"\n[overrides]\n\"gap.halflife\" = 1.0\n",
    );
    let e = problems(Scenario::from_file(&typo).unwrap_err());
    assert!(
        e.contains("gap.halflife") && e.contains("typo.toml") && e.contains("half_life"),
        "{e}"
    );
    let bad = write(
        tmp.path(),
        "bad.toml",
        "extends = \"baseline\"\nname = \"b\"\n[overrides]\n\"gap.half_life\" = -1.0\n",
    );
    let e = problems(Scenario::from_file(&bad).unwrap_err());
    assert!(
        e.contains("gap.half_life: must be > 0, got -1")
            && e.contains("set by the overrides of")
            && e.contains("bad.toml"),
        "{e}"
    );
    // Overrides need a base.
    let orphan = Scenario::from_toml_str("name = \"x\"\n[overrides]\n\"gap.initial\" = 1.0\n").unwrap_err();
    assert!(problems(orphan).contains("extends"));
}

/// The sanity check of model v2 (docs/model.md): on common random numbers,
/// the median closed-sector phi orders the stories
/// `moat_holds >= baseline >= open_parity >= ft_bubble`. A check of the
/// mechanism, not a target the presets were tuned to.
#[test]
fn sector_phi_orders_the_stories() {
    let median = |name: &str| {
        let s = Scenario::preset(name).unwrap();
        let r = aibubble::Simulation::new(&s)
            .unwrap()
            .paths(4_000)
            .seed(3)
            .run()
            .unwrap();
        r.summary().sector.phi.stats.p50
    };
    let order = ["moat_holds", "baseline", "open_parity", "ft_bubble"].map(|n| (n, median(n)));
    for w in order.windows(2) {
        assert!(
            w[0].1 >= w[1].1,
            "{} ({:.3}) below {} ({:.3})",
            w[0].0,
            w[0].1,
            w[1].0,
            w[1].1
        );
    }
}

// ------------------------------------------------------------ the as-of rule
//
// A preset valued at `start_year` T uses only facts dated before T
// (docs/model.md, "Dates of the sources"). In a `sources` string a fact's date
// is a bracketed tag: `[YYYY-MM-DD]`, `[YYYY-MM]` or `[YYYY]` (when the fact
// was published or measured), or `[data to YYYY-MM-DD]` (or `-MM`, or a year)
// for a fit, dated by its last observation. A tag is before T when the whole
// period it names ends by T: `[2025-12]` and `[2025]` are before 2026.0,
// `[2026-01]` is not. Brackets that do not start with a digit or `data to`
// (`[P]`, `[S]`, `[?]`) are not dates.

fn days_in_month(year: i32, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The end of the period a date tag names (exclusive), as a decimal year on
/// the scale of `start_year` (2026.0 is 2026-01-01); `None` when malformed.
fn period_end(date: &str) -> Option<f64> {
    let parts: Vec<&str> = date.split('-').collect();
    let widths_ok = parts.len() <= 3
        && parts
            .iter()
            .enumerate()
            .all(|(i, p)| p.len() == if i == 0 { 4 } else { 2 } && p.bytes().all(|b| b.is_ascii_digit()));
    if !widths_ok {
        return None;
    }
    let year: i32 = parts[0].parse().ok()?;
    let Some(month) = parts.get(1) else {
        return Some(f64::from(year + 1));
    };
    let month: u32 = month.parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let days_before: u32 = (1..month).map(|m| days_in_month(year, m)).sum();
    let year_days: f64 = (1..=12).map(|m| f64::from(days_in_month(year, m))).sum();
    let end_day = match parts.get(2) {
        None => days_before + days_in_month(year, month),
        Some(day) => {
            let day: u32 = day.parse().ok()?;
            if day == 0 || day > days_in_month(year, month) {
                return None;
            }
            days_before + day
        }
    };
    Some(f64::from(year) + f64::from(end_day) / year_days)
}

/// The date tags of a citation, each with the end of its period (`Err` names
/// a malformed tag).
fn date_tags(source: &str) -> Result<Vec<(String, f64)>, String> {
    let mut tags = Vec::new();
    let mut rest = source;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else { break };
        let inner = &after[..close];
        let date = inner.strip_prefix("data to ").unwrap_or(inner);
        if inner.starts_with("data to") || inner.starts_with(|c: char| c.is_ascii_digit()) {
            let tag = format!("[{inner}]");
            match period_end(date) {
                Some(end) => tags.push((tag, end)),
                None => return Err(format!("malformed date tag {tag}")),
            }
        }
        rest = &after[close + 1..];
    }
    Ok(tags)
}

/// Whether a citation says it is an assumption: `assumption:` or
/// `assumption (<note>):` at its start.
fn is_assumption(source: &str) -> bool {
    let Some(rest) = source.strip_prefix("assumption") else {
        return false;
    };
    if rest.starts_with(':') {
        return true;
    }
    rest.strip_prefix(" (")
        .and_then(|r| r.find("):").map(|i| !r[..i].contains('(')))
        .unwrap_or(false)
}

/// The as-of rule for one citation of a preset valued at `start_year`.
fn check_as_of(source: &str, start_year: f64) -> Result<(), String> {
    let tags = date_tags(source)?;
    if tags.is_empty() && !is_assumption(source) {
        return Err("no date tag ([YYYY-MM-DD], [YYYY-MM], [YYYY] or [data to ...]) and not an `assumption:`".into());
    }
    for (tag, end) in tags {
        if end > start_year + 1e-9 {
            return Err(format!("{tag} is not before the valuation date {start_year}"));
        }
    }
    Ok(())
}

#[test]
fn the_as_of_checker_refuses_late_missing_and_malformed_dates() {
    let t = 2026.0;
    assert!(check_as_of("press reports [S]: $500B secondary sale [2025-10-02]", t).is_ok());
    assert!(check_as_of("talks at $750-830B [2025-12] [S]", t).is_ok());
    assert!(check_as_of("a 2025 figure [2025]", t).is_ok());
    assert!(check_as_of("last day [2025-12-31]", t).is_ok());
    assert!(check_as_of("derived [data to 2025-12-22]: data/fit_gap.py", t).is_ok());
    assert!(check_as_of("assumption: no source", t).is_ok());
    assert!(check_as_of("assumption (ft_bubble): no source", t).is_ok());
    // After T, or a period that ends after T.
    let e = check_as_of("Q3 revenue $107M [2026-01] [S]", t).unwrap_err();
    assert!(e.contains("[2026-01]"), "{e}");
    assert!(check_as_of("[2026-01-01]", t).is_err());
    assert!(check_as_of("[2026]", t).is_err());
    assert!(check_as_of("derived [data to 2026-02-04]: a fit", t).is_err());
    assert!(check_as_of("assumption: as reported [2026-03] [S]", t).is_err());
    assert!(check_as_of("[2025-12]", 2025.95).is_err());
    assert!(check_as_of("[2025-11]", 2025.95).is_ok());
    // No tag.
    assert!(check_as_of("press reports [S]: about $230B (2025-11 round)", t).is_err());
    assert!(check_as_of("derived: a fit", t).is_err());
    assert!(check_as_of("assumption from press reports [S]", t).is_err());
    // Malformed.
    for bad in [
        "[2025-13]",
        "[2025-02-30]",
        "[2025-00]",
        "[25-10]",
        "[2025-1]",
        "[2025-10-02T00]",
        "[data to late 2025]",
        "[2024-2025]",
    ] {
        let e = check_as_of(&format!("figure {bad} [S]"), t).unwrap_err();
        assert!(e.contains("malformed") && e.contains(bad), "{bad}: {e}");
    }
    // Leap years.
    assert!(check_as_of("[2024-02-29]", t).is_ok());
    assert!(check_as_of("[2025-02-29]", t).is_err());
}

#[test]
fn presets_cite_only_facts_dated_before_their_valuation_date() {
    let mut problems = Vec::new();
    for name in presets::names() {
        let s = Scenario::preset(name).unwrap();
        for (path, source) in &s.sources {
            if let Err(e) = check_as_of(source, s.start_year()) {
                problems.push(format!("{name}: sources.\"{path}\": {e}"));
            }
        }
        // An event's fixed date is an assumption or a dated fact.
        for event in s.events.iter().filter(|e| e.date.is_some()) {
            let path = format!("events.{}.date", event.id);
            match s.sources.get(&path) {
                None => problems.push(format!("{name}: {path} is fixed but has no sources entry")),
                Some(source) if !is_assumption(source) && date_tags(source).map_or(true, |t| t.is_empty()) => problems
                    .push(format!(
                        "{name}: sources.\"{path}\" is neither an `assumption:` nor dated"
                    )),
                Some(_) => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} citations break the as-of rule:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
