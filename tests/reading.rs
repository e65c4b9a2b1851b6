//! Reading scenario files (`src/scenario/read.rs`, `extends` in
//! `src/scenario/extends.rs`): only regular files named `*.toml` or
//! `*.json`, at most 16 MiB, checked before they are read, so that a
//! device does not fill memory, a FIFO does not block and a file that is
//! no scenario is never quoted. Each read runs in a thread with a deadline,
//! so that a regression fails instead of hanging.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use aibubble::scenario::read::MAX_FILE_BYTES;
use aibubble::{Error, Scenario};

/// Generous: every read here takes milliseconds.
const DEADLINE: Duration = Duration::from_secs(20);

/// `f()` on a thread; a panic if it takes longer than [`DEADLINE`].
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(DEADLINE)
        .unwrap_or_else(|_| panic!("{what}: no answer within {DEADLINE:?} (blocked, or reading without end)"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o600) },
        0,
        "mkfifo {}",
        path.display()
    );
}

/// A document extending `base`.
fn extending(base: &str) -> String {
    format!("extends = {base:?}\nname = \"child\"\n")
}

/// The error of reading `path` (within the deadline), as text.
fn file_error(path: &Path) -> (Error, String) {
    let p = path.to_path_buf();
    let e = within(&path.display().to_string(), move || Scenario::from_file(&p)).expect_err("the file was accepted");
    let m = e.to_string();
    (e, m)
}

/// The error of a file extending `base`: a scenario error at `extends`
/// naming the value and the file that holds it.
fn extends_error(dir: &Path, base: &str) -> String {
    let child = write(dir, "child.toml", &extending(base));
    let (e, m) = file_error(&child);
    let problems = e.problems().unwrap_or_else(|| panic!("not a scenario error: {m}"));
    assert_eq!(problems[0].path, "extends", "{m}");
    assert!(m.contains(&format!("`{base}`")), "the extends value is not named: {m}");
    assert!(
        m.contains(&child.display().to_string()),
        "the extending file is not named: {m}"
    );
    m
}

#[test]
fn extends_dev_zero_is_refused_without_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let m = extends_error(tmp.path(), "/dev/zero");
    assert!(m.contains(".toml or .json"), "{m}");
    // A name that passes, on a device: refused by its type, not read.
    std::os::unix::fs::symlink("/dev/zero", tmp.path().join("zero.toml")).unwrap();
    let m = extends_error(tmp.path(), "zero.toml");
    assert!(m.contains("is a device, not a regular file"), "{m}");
    let (e, m) = file_error(&tmp.path().join("zero.toml"));
    assert!(matches!(e, Error::Io { .. }), "{m}");
    assert!(m.contains("zero.toml") && m.contains("a device"), "{m}");
}

#[test]
fn a_fifo_is_refused_promptly() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe.toml");
    mkfifo(&fifo);
    let m = extends_error(tmp.path(), "pipe.toml");
    assert!(m.contains("FIFO"), "{m}");
    let (e, m) = file_error(&fifo);
    assert!(matches!(e, Error::Io { .. }), "{m}");
    assert!(m.contains("pipe.toml") && m.contains("FIFO"), "{m}");
    // A FIFO named on its own, not by extends.
    let json = tmp.path().join("pipe.json");
    mkfifo(&json);
    assert!(file_error(&json).1.contains("FIFO"));
}

#[test]
fn a_file_over_16_mib_is_refused_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    // 17 MiB of comment lines: valid TOML if it were read whole.
    let line = format!("# {}\n", "x".repeat(1021));
    let big = write(tmp.path(), "big.toml", &line.repeat(17 * 1024));
    assert!(std::fs::metadata(&big).unwrap().len() > MAX_FILE_BYTES);
    let (e, m) = file_error(&big);
    assert!(matches!(e, Error::Io { .. }), "{m}");
    assert!(m.contains("big.toml") && m.contains("larger than 16 MiB"), "{m}");
    let m = extends_error(tmp.path(), "big.toml");
    assert!(m.contains("larger than 16 MiB"), "{m}");
    // At the cap exactly it is read (and fails only as a scenario).
    let at_cap = write(tmp.path(), "cap.toml", &"#".repeat(MAX_FILE_BYTES as usize));
    let (e, m) = file_error(&at_cap);
    assert!(matches!(e, Error::Scenario(_)), "{m}");
}

#[test]
fn other_names_and_directories_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let preset = Scenario::preset("baseline").unwrap().to_toml();
    write(tmp.path(), "base.txt", &preset);
    let m = extends_error(tmp.path(), "base.txt");
    assert!(m.contains("is neither a preset") && m.contains(".toml or .json"), "{m}");
    let (e, m) = file_error(&tmp.path().join("base.txt"));
    assert!(matches!(e, Error::Io { .. }) && m.contains("base.txt"), "{m}");
    std::fs::create_dir(tmp.path().join("dir.toml")).unwrap();
    let m = extends_error(tmp.path(), "dir.toml");
    assert!(m.contains("is a directory"), "{m}");
    let m = extends_error(tmp.path(), "missing.toml");
    assert!(m.contains("missing.toml") && m.contains("readable"), "{m}");
    let m = extends_error(tmp.path(), tmp.path().to_str().unwrap());
    assert!(m.contains(".toml or .json"), "{m}");
}

#[test]
fn a_file_that_is_no_scenario_is_never_quoted() {
    let tmp = tempfile::tempdir().unwrap();
    let secret = "root:$6$SECRETHASH0123:19000:0:99999:7:::";
    write(tmp.path(), "shadow", &format!("{secret}\nbin:*:19000:0:99999:7:::\n"));
    write(tmp.path(), "shadow.txt", &format!("{secret}\n"));
    for base in ["shadow", "shadow.txt"] {
        let m = extends_error(tmp.path(), base);
        assert!(!m.contains("SECRETHASH") && !m.contains("root:"), "quoted: {m}");
    }
    let (_, m) = file_error(&tmp.path().join("shadow"));
    assert!(!m.contains("SECRETHASH"), "quoted: {m}");
    // Text extending it has no directory: refused before any file is looked at.
    let e = Scenario::from_toml_str(&extending(&tmp.path().join("shadow.txt").display().to_string()))
        .unwrap_err()
        .to_string();
    assert!(!e.contains("SECRETHASH"), "quoted: {e}");
}

#[test]
fn extends_resolves_against_the_extending_files_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let base = |name: &str| format!("extends = \"baseline\"\nname = \"{name}\"\n");
    // Two files of the same name: the one next to the child is meant.
    write(tmp.path(), "base.toml", &base("outer"));
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    write(&tmp.path().join("sub"), "base.toml", &base("inner"));
    let child = write(
        &tmp.path().join("sub"),
        "child.toml",
        "extends = \"base.toml\"\n[overrides]\n\"gap.floor\" = -1.0\n",
    );
    let s = Scenario::from_file(&child).unwrap();
    assert_eq!(s.name, "inner");
    let up = write(&tmp.path().join("sub"), "up.json", r#"{"extends": "../base.toml"}"#);
    assert_eq!(Scenario::from_file(&up).unwrap().name, "outer");
    // The working directory (the crate root, which has no base.toml) plays no part.
    assert!(!Path::new("base.toml").exists());
}

#[test]
fn text_extends_files_only_with_a_base_directory() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "base.toml",
        "extends = \"baseline\"\nname = \"from_file\"\n",
    );
    let toml = "extends = \"base.toml\"\n[overrides]\n\"gap.floor\" = -1.0\n";
    let json = r#"{"extends": "base.toml", "overrides": {"gap.floor": -1.0}}"#;
    for e in [
        Scenario::from_toml_str(toml).unwrap_err(),
        Scenario::from_json_str(json).unwrap_err(),
    ] {
        let m = e.to_string();
        assert_eq!(e.problems().map(|p| p[0].path.as_str()), Some("extends"), "{m}");
        assert!(m.contains("`base.toml`") && m.contains("presets only"), "{m}");
        assert!(m.contains("base directory"), "{m}");
    }
    // Even when the working directory holds the file.
    let s = Scenario::from_toml_str_in(toml, tmp.path()).unwrap();
    assert_eq!(s.name, "from_file");
    assert_eq!(s.get("gap.floor").unwrap(), serde_json::json!(-1.0));
    assert_eq!(Scenario::from_json_str_in(json, tmp.path()).unwrap(), s);
    // With a base directory the same rules apply to what is named.
    mkfifo(&tmp.path().join("pipe.toml"));
    let dir = tmp.path().to_path_buf();
    let e = within("fifo from text", move || {
        Scenario::from_toml_str_in(&extending("pipe.toml"), &dir)
    })
    .unwrap_err();
    assert!(e.to_string().contains("FIFO"), "{e}");
    // Presets stay available to text.
    let s = Scenario::from_toml_str("extends = \"baseline\"\nname = \"p\"\n").unwrap();
    assert_eq!(s.name, "p");
}
