//! Presets as differences: every preset but `baseline` extends it and lists
//! only what differs, each change cited; users' files extend presets or
//! files, and mistakes are reported with the document and the field path.
//! (That the diff presets ran exactly as the full copies they replaced was
//! pinned here until model v2; `tests/v1_equivalence.rs` holds the v1
//! presets, written the same way, to the same bits.)

use std::path::Path;

use aibubble::scenario::presets;
use aibubble::{Error, Scenario};

#[test]
fn presets_are_differences_from_baseline_with_every_change_cited() {
    let base = Scenario::preset("baseline").unwrap();
    for name in presets::names().into_iter().filter(|n| *n != "baseline") {
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
