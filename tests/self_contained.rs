//! The repository is self-contained: the model's equations are in
//! `docs/equations.md`, and nothing in the repository points to a document
//! outside it (a team's notes, a reference model kept elsewhere).
//!
//! Two checks over the source and documentation files (the directories in
//! [`DIRS`] and the top-level files in [`FILES`]; build output, hidden
//! directories and binary files are skipped):
//!
//! - no file names an outside document ([`forbidden`]); each offending line
//!   is listed with its file and line number;
//! - every reference to a section of `docs/equations.md` (`§N` on a line that
//!   names the equations, `equations section N`, or a link to an anchor
//!   of the page) points to a section or anchor that exists there,
//!   and every section heading of the page has its anchor.
//!
//! Run with `cargo test --test self_contained`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Directories scanned, relative to the crate root.
const DIRS: [&str; 10] = [
    "src",
    "tests",
    "docs",
    "data",
    "presets",
    "notebooks",
    "examples",
    "python",
    "benches",
    "fuzz",
];

/// Top-level files scanned.
const FILES: [&str; 4] = ["README.md", "Makefile", "Cargo.toml", "pyproject.toml"];

/// Directory names never entered: build output and caches.
const SKIP_DIRS: [&str; 5] = ["target", "__pycache__", "node_modules", "artifacts", "coverage"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every text file under the scanned directories, and the top-level files.
fn files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') {
                continue;
            }
            if p.is_dir() {
                if !SKIP_DIRS.contains(&name) {
                    walk(&p, out);
                }
            } else {
                out.push(p);
            }
        }
    }
    let root = root();
    let mut out = Vec::new();
    for d in DIRS {
        walk(&root.join(d), &mut out);
    }
    out.extend(FILES.iter().map(|f| root.join(f)).filter(|p| p.is_file()));
    out
}

/// The file's text, or `None` for a binary file (one with a NUL byte or not
/// UTF-8).
fn text(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.contains(&0) {
        return None;
    }
    String::from_utf8(bytes).ok()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

/// Names of documents outside the repository. Spelled in pieces so that this
/// file does not name them itself.
fn forbidden() -> Vec<String> {
    [
        ["MO", "DEL.md"],
        ["FA", "CTS.md"],
        ["ST", "YLE.md"],
        ["../", "shared"],
        ["/work/", "shared"],
    ]
    .iter()
    .map(|p| p.concat())
    .collect()
}

/// Words that, standing alone, name an outside document (the reference
/// model's name followed by "section 8", the facts sheet's followed by a
/// comma); the same letters inside an identifier (`..._MD`) are not a name.
fn forbidden_words() -> Vec<String> {
    vec![["MO", "DEL"].concat(), ["FA", "CTS"].concat()]
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `word` occurs in `line` with no identifier character on either side.
fn has_word(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[test]
fn no_file_points_outside_the_repository() {
    let names = forbidden();
    let words = forbidden_words();
    let mut offending = Vec::new();
    let mut scanned = 0;
    for path in files() {
        let Some(text) = text(&path) else { continue };
        scanned += 1;
        for (n, line) in text.lines().enumerate() {
            let hit = names
                .iter()
                .find(|p| line.contains(p.as_str()))
                .cloned()
                .or_else(|| words.iter().find(|w| has_word(line, w)).cloned());
            if let Some(what) = hit {
                let shown: String = line.trim().chars().take(160).collect();
                offending.push(format!("{}:{}: names `{what}`: {shown}", relative(&path), n + 1));
            }
        }
    }
    assert!(scanned > 50, "only {scanned} files scanned: is the walk broken?");
    assert!(
        offending.is_empty(),
        "{} line(s) point to a document outside the repository; point them at docs/equations.md \
         (\"docs/equations.md §N\") or docs/model.md, or cite the source itself:\n{}",
        offending.len(),
        offending.join("\n")
    );
}

/// The sections of `docs/equations.md` (`<a id="section-N"></a>` followed by
/// a heading `## N. ...`) and every anchor of the page.
fn equations() -> (BTreeSet<u32>, BTreeSet<String>) {
    let page = std::fs::read_to_string(root().join("docs/equations.md")).expect("docs/equations.md exists");
    let lines: Vec<&str> = page.lines().collect();
    let mut sections = BTreeSet::new();
    let mut anchors = BTreeSet::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(id) = line
            .trim()
            .strip_prefix("<a id=\"")
            .and_then(|r| r.strip_suffix("\"></a>"))
        else {
            continue;
        };
        anchors.insert(id.to_string());
        if let Some(n) = id.strip_prefix("section-") {
            let n: u32 = n
                .parse()
                .unwrap_or_else(|_| panic!("anchor {id:?}: not a section number"));
            let heading = lines.get(i + 1).copied().unwrap_or("");
            assert!(
                heading.starts_with(&format!("## {n}. ")),
                "docs/equations.md:{}: anchor {id:?} must be followed by its heading `## {n}. ...`, got {heading:?}",
                i + 1
            );
            sections.insert(n);
        }
    }
    // Every numbered heading has its anchor, so that links to it work.
    for (i, line) in lines.iter().enumerate() {
        if let Some(rest) = line.strip_prefix("## ")
            && let Some((num, _)) = rest.split_once(". ")
            && let Ok(n) = num.parse::<u32>()
        {
            assert!(
                sections.contains(&n),
                "docs/equations.md:{}: heading `{line}` has no anchor `<a id=\"section-{n}\"></a>` above it",
                i + 1
            );
        }
    }
    (sections, anchors)
}

/// The numbers written right after each occurrence of `marker` in `line`.
fn numbers_after(line: &str, marker: &str) -> Vec<u32> {
    line.match_indices(marker)
        .filter_map(|(i, _)| {
            let digits: String = line[i + marker.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}

/// The anchors of links to the page (its name, `#` and the anchor; or `](#` and
/// the anchor inside the page itself).
fn linked_anchors(line: &str, inside_page: bool) -> Vec<String> {
    let link = ["equations", ".md#"].concat();
    let mut markers = vec![link.as_str()];
    if inside_page {
        markers.push("](#");
    }
    let mut out = Vec::new();
    for m in markers {
        for (i, _) in line.match_indices(m) {
            let id: String = line[i + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if !id.is_empty() {
                out.push(id);
            }
        }
    }
    out
}

#[test]
fn every_reference_to_the_equations_names_a_section_that_exists() {
    let (sections, anchors) = equations();
    // The code refers to sections 0 to 10; the page keeps that numbering.
    for n in 0..=10 {
        assert!(sections.contains(&n), "docs/equations.md has no section {n}");
    }
    let mut broken = Vec::new();
    let mut references = 0;
    for path in files() {
        let Some(text) = text(&path) else { continue };
        let inside_page = relative(&path) == "docs/equations.md";
        for (n, line) in text.lines().enumerate() {
            let mut cited = Vec::new();
            if line.contains("equations") {
                cited.extend(numbers_after(line, "§"));
            }
            for marker in [
                "equations section ",
                "equations sections ",
                "equations.md, section ",
                "equations.md section ",
            ] {
                cited.extend(numbers_after(line, marker));
            }
            for s in cited {
                references += 1;
                if !sections.contains(&s) {
                    broken.push(format!("{}:{}: section {s} does not exist", relative(&path), n + 1));
                }
            }
            for id in linked_anchors(line, inside_page) {
                references += 1;
                if !anchors.contains(&id) {
                    broken.push(format!("{}:{}: anchor #{id} does not exist", relative(&path), n + 1));
                }
            }
        }
    }
    assert!(
        references > 50,
        "only {references} references found: is the scan broken?"
    );
    assert!(
        broken.is_empty(),
        "references to docs/equations.md that point nowhere (its sections: {sections:?}; anchors: {anchors:?}):\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_scan_sees_what_it_must_reject() {
    // The checks themselves, on made-up lines.
    let names = forbidden();
    let line = format!("see ..{}shared/notes", '/');
    assert!(names.iter().any(|p| line.contains(p.as_str())));
    let word = &forbidden_words()[0];
    assert!(has_word(&format!("({word} section 8)"), word));
    assert!(!has_word(&format!("{word}_MD = 1"), word));
    assert_eq!(numbers_after("docs/equations.md §8 and §10's U", "§"), vec![8, 10]);
    let link = format!("[x](equations.md{}section-4)", '#');
    assert_eq!(linked_anchors(&link, false), vec!["section-4"]);
}
