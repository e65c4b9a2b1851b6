#![cfg(feature = "cli")]
//! `aibubble run --out DIR` never destroys what it did not write, and leaves
//! DIR complete or untouched: when refused (also when a marker is forged),
//! on error, on kill -9 in the middle of a write (the next run cleans up
//! only what it can prove to be aibubble's), and on Ctrl-C, SIGTERM and
//! SIGHUP. What can be checked before the run (the parent can be written,
//! the name is not too long) is checked before the run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::Duration;

#[path = "common/child.rs"]
mod child;
#[cfg(unix)]
use child::default_signals;
use child::wait_until;

const MARKER: &str = ".aibubble-output";
const FILES: i32 = 4;
const INTERRUPTED: i32 = 130;

fn frozen() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/frozen.toml")
        .display()
        .to_string()
}

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aibubble"));
    c.args(args).env("RUST_BACKTRACE", "1");
    #[cfg(unix)]
    default_signals(&mut c);
    c
}

/// A small run of the frozen scenario into `dir` (seed 3 unless given), with more arguments.
fn run_out(dir: &Path, extra: &[&str]) -> Output {
    let (f, d) = (frozen(), dir.display().to_string());
    let mut args = vec!["run", f.as_str(), "--paths", "500", "--json", "--out", d.as_str()];
    if !extra.contains(&"--seed") {
        args.extend(["--seed", "3"]);
    }
    args.extend_from_slice(extra);
    command(&args).output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_ok(o: &Output) {
    assert!(o.status.success(), "failed: {}", stderr(o));
}

/// The error message of a run refused with status `code`, checked not to be a panic.
fn refused(o: &Output, code: i32) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "{err}");
    assert!(err.starts_with("error: ") && !err.contains("panicked"), "{err}");
    err
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Every file under `dir` with its contents, to show that nothing changed.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(snapshot(&p));
        } else {
            out.push((p.clone(), fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}

/// A directory a user made: a key and notes.
fn foreign_dir(dir: &Path) {
    fs::create_dir_all(dir.join(".ssh")).unwrap();
    fs::write(dir.join(".ssh/id"), "secret key").unwrap();
    fs::write(dir.join("notes.txt"), "my notes").unwrap();
}

fn summary_seed(dir: &Path) -> u64 {
    let text = fs::read_to_string(dir.join("summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["seed"].as_u64().unwrap()
}

#[test]
fn a_new_directory_gets_the_files_and_a_marker() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    assert_ok(&run_out(&dir, &[]));
    assert_eq!(names(&dir), [MARKER, "per_path.csv", "summary.json", "timeseries.csv"]);
    let marker: serde_json::Value = serde_json::from_str(&fs::read_to_string(dir.join(MARKER)).unwrap()).unwrap();
    assert_eq!(marker["tool"], "aibubble");
    assert_eq!(marker["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(names(tmp.path()), ["run"], "leftovers beside the output");
}

#[test]
fn an_empty_directory_is_used() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    fs::create_dir(&dir).unwrap();
    assert_ok(&run_out(&dir, &[]));
    assert_eq!(names(&dir), [MARKER, "per_path.csv", "summary.json", "timeseries.csv"]);
}

#[test]
fn a_previous_output_is_replaced_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    assert_ok(&run_out(&dir, &[]));
    // A previous output missing a file is still one.
    fs::remove_file(dir.join("timeseries.csv")).unwrap();
    assert_ok(&run_out(&dir, &["--seed", "4"]));
    assert_eq!(summary_seed(&dir), 4);
    assert_eq!(names(&dir), [MARKER, "per_path.csv", "summary.json", "timeseries.csv"]);
    assert_eq!(names(tmp.path()), ["run"], "leftovers beside the output");
}

#[test]
fn a_directory_aibubble_did_not_write_is_refused_and_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    foreign_dir(&dir);
    let before = snapshot(tmp.path());
    let err = refused(&run_out(&dir, &[]), FILES);
    assert!(err.contains(&dir.display().to_string()), "{err}");
    assert!(err.contains("(.ssh (a directory), notes.txt)"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(snapshot(tmp.path()), before, "files changed");
    assert_eq!(names(tmp.path()), ["d"], "something was created beside it");

    // A previous output to which the user added a file is theirs too.
    let out = tmp.path().join("out");
    assert_ok(&run_out(&out, &[]));
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let err = refused(&run_out(&out, &["--seed", "4"]), FILES);
    assert!(err.contains("(notes.txt)"), "{err}");
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    assert_eq!(summary_seed(&out), 3);
}

#[test]
fn force_replaces_a_directory_aibubble_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    foreign_dir(&dir);
    assert_ok(&run_out(&dir, &["--force"]));
    assert_eq!(names(&dir), [MARKER, "per_path.csv", "summary.json", "timeseries.csv"]);
    assert_eq!(names(tmp.path()), ["d"], "leftovers beside the output");
    // --force needs --out.
    let o = command(&["run", "--force"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn a_file_at_the_path_is_refused_before_the_run_and_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("afile");
    fs::write(&file, "precious").unwrap();
    let d = file.display().to_string();
    // A run too large for memory fails with status 6 once it starts: 4 means
    // the output was checked first.
    for force in [false, true] {
        let mut args = vec!["run", "baseline", "--paths", "1000000000", "--out", d.as_str()];
        if force {
            args.push("--force");
        }
        let err = refused(&command(&args).output().unwrap(), FILES);
        assert!(err.contains(&d) && err.contains("is a regular file"), "{err}");
        assert!(!err.contains("--force"), "a file is never replaced: {err}");
        assert_eq!(fs::read_to_string(&file).unwrap(), "precious");
        assert_eq!(names(tmp.path()), ["afile"], "something was created");
    }
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_refused_and_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("afile");
    fs::write(&file, "precious").unwrap();
    let target = tmp.path().join("real");
    assert_ok(&run_out(&target, &[]));
    for (link, to) in [("to_file", &file), ("to_output", &target)] {
        let link = tmp.path().join(link);
        std::os::unix::fs::symlink(to, &link).unwrap();
        let err = refused(&run_out(&link, &["--force"]), FILES);
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(fs::read_link(&link).unwrap(), *to);
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "precious");
    assert_eq!(summary_seed(&target), 3);
    assert_eq!(names(tmp.path()), ["afile", "real", "to_file", "to_output"]);
}

#[test]
fn a_missing_parent_is_named_and_nothing_is_created() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("missing").join("run");
    let err = refused(&run_out(&dir, &[]), FILES);
    assert!(err.contains(&tmp.path().join("missing").display().to_string()), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(names(tmp.path()).is_empty());
}

/// Temporary directories beside outputs (`.NAME.aibubble-tmp-...`).
fn temporaries(parent: &Path) -> Vec<String> {
    names(parent).into_iter().filter(|n| n.contains(".aibubble-")).collect()
}

/// Generous: the machine may be slow and busy with other tests.
const PATIENCE: Duration = Duration::from_secs(300);

/// Start a run large enough that writing its per-path CSV (about 100 MB)
/// takes a while, into `dir`.
fn start_big_run(dir: &Path) -> Child {
    let (f, d) = (frozen(), dir.display().to_string());
    command(&[
        "run",
        f.as_str(),
        "--paths",
        "100000",
        "--seed",
        "9",
        "--out",
        d.as_str(),
    ])
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .expect("the binary runs")
}

/// Wait until `child` is writing its per-path CSV into a temporary beside
/// `dir` (past the first MB), and return that temporary.
fn wait_for_write(child: &mut Child, parent: &Path) -> PathBuf {
    let mut found = None;
    let writing = wait_until(PATIENCE, || {
        if child.try_wait().unwrap().is_some() {
            return true;
        }
        found = temporaries(parent)
            .into_iter()
            .map(|n| parent.join(n))
            .find(|t| fs::metadata(t.join("per_path.csv")).is_ok_and(|m| m.len() > 1 << 20));
        found.is_some()
    });
    assert!(writing, "no write seen in {PATIENCE:?}");
    found.unwrap_or_else(|| panic!("the run ended before it was seen writing: {:?}", child.try_wait()))
}

#[cfg(target_os = "linux")]
#[test]
fn kill_9_in_the_middle_of_a_write_leaves_the_output_untouched_and_the_next_run_cleans_up() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    assert_ok(&run_out(&dir, &[]));
    let before = snapshot(&dir);

    let mut child = start_big_run(&dir);
    let partial = wait_for_write(&mut child, tmp.path());
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(snapshot(&dir), before, "the previous output changed");
    assert!(
        partial.join(MARKER).is_file(),
        "the killed write left no marked temporary"
    );

    assert_ok(&run_out(&dir, &["--seed", "4"]));
    assert_eq!(
        temporaries(tmp.path()),
        Vec::<String>::new(),
        "the stale temporary stayed"
    );
    assert_eq!(names(tmp.path()), ["run"]);
    assert_eq!(summary_seed(&dir), 4);
    assert_eq!(names(&dir), [MARKER, "per_path.csv", "summary.json", "timeseries.csv"]);
}

/// This process's start time (field 22 of /proc/self/stat).
#[cfg(target_os = "linux")]
fn own_start_time() -> u64 {
    let stat = fs::read_to_string("/proc/self/stat").unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 1..];
    after_name.split_whitespace().nth(19).unwrap().parse().unwrap()
}

/// A PID that no process has now: one of a child that has been waited for.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

/// A token of the form aibubble puts in its temporaries' names.
const TOKEN: &str = "aB3dE6gH9jK2mN5p";

#[cfg(target_os = "linux")]
#[test]
fn stale_temporaries_are_removed_only_when_they_prove_to_be_aibubbles() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path();
    // A directory with a marker holding `token` (none: no marker; "": a
    // marker without a token) and the named files (a trailing / is a directory).
    let make = |name: &str, token: Option<&str>, files: &[&str]| {
        let d = parent.join(name);
        fs::create_dir(&d).unwrap();
        if let Some(t) = token {
            let marker = if t.is_empty() {
                serde_json::json!({"tool": "aibubble", "files": ["per_path.csv"]})
            } else {
                serde_json::json!({"tool": "aibubble", "token": t, "files": ["per_path.csv"]})
            };
            fs::write(d.join(MARKER), marker.to_string()).unwrap();
        }
        for f in files {
            match f.strip_suffix('/') {
                Some(sub) => {
                    fs::create_dir(d.join(sub)).unwrap();
                    fs::write(d.join(sub).join("chapter1.tex"), "a user's").unwrap();
                }
                None => fs::write(d.join(f), "path,x\n0,").unwrap(),
            }
        }
    };
    let (dead, me, start) = (dead_pid(), std::process::id(), own_start_time());
    let t = TOKEN;
    // Removed: partial writes of dead writers (a reused PID is another process).
    make(
        &format!(".old_run.aibubble-tmp-{dead}-{start}-{t}"),
        Some(t),
        &["per_path.csv"],
    );
    make(
        &format!(".reused.aibubble-tmp-{me}-{}-{t}", start + 1),
        Some(t),
        &["per_path.csv"],
    );
    // Kept: the writer is alive.
    let live = format!(".live.aibubble-tmp-{me}-{start}-{t}");
    make(&live, Some(t), &["per_path.csv"]);
    // Kept: nothing proves them aibubble's: no marker (empty, or a user's
    // file), a marker without the token of the name or with another, a
    // directory or a file the marker does not list, or a name of the old form.
    let kept = [
        (format!(".empty.aibubble-tmp-{dead}-1-{t}"), None, &[][..]),
        (format!(".mine.aibubble-tmp-{dead}-1-{t}"), None, &["mine.txt"][..]),
        (
            format!(".forged.aibubble-tmp-{dead}-1-{t}"),
            Some(""),
            &["per_path.csv"][..],
        ),
        (
            format!(".other.aibubble-tmp-{dead}-1-{t}"),
            Some("zZ3dE6gH9jK2mN5p"),
            &["per_path.csv"][..],
        ),
        (
            format!(".thesis.aibubble-tmp-{dead}-1-{t}"),
            Some(t),
            &["per_path.csv", "thesis/"][..],
        ),
        (format!(".notes.aibubble-tmp-{dead}-1-{t}"), Some(t), &["notes.txt"][..]),
        (
            format!(".legacy.aibubble-tmp-{dead}-1-0"),
            Some(""),
            &["per_path.csv"][..],
        ),
    ];
    for (name, token, files) in &kept {
        make(name, *token, files);
    }
    // A directory named as a previous output moved aside, even of a dead
    // writer and with a marker, is neither removed nor renamed back.
    let aside = [
        format!(".restored.aibubble-old-{dead}-1-{t}"),
        format!(".legacy.aibubble-old-{dead}-1-0"),
    ];
    for name in &aside {
        make(name, Some(t), &["per_path.csv"]);
    }
    let before: Vec<_> = kept
        .iter()
        .map(|k| &k.0)
        .chain(&aside)
        .map(|n| snapshot(&parent.join(n)))
        .collect();

    assert_ok(&run_out(&parent.join("run"), &[]));
    let mut expected: Vec<String> = kept.iter().map(|k| k.0.clone()).chain(aside.clone()).collect();
    expected.extend([live, "run".to_string()]);
    expected.sort();
    assert_eq!(names(parent), expected);
    let after: Vec<_> = kept
        .iter()
        .map(|k| &k.0)
        .chain(&aside)
        .map(|n| snapshot(&parent.join(n)))
        .collect();
    assert_eq!(after, before, "a kept directory changed");
}

/// A marker is believed only about the regular files of the fixed names it
/// lists: a forged one never gets a user's directory deleted.
#[test]
fn a_forged_marker_does_not_make_a_directory_replaceable() {
    let tmp = tempfile::tempdir().unwrap();
    let victim = tmp.path().join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    type Plant = fn(&Path, &Path);
    let cases: [(&str, &[&str], Plant, &str); 5] = [
        // A listed directory: the issue's case.
        (
            "thesis",
            &["thesis"],
            |d, _| foreign_dir(&d.join("thesis")),
            "lists \"thesis\"",
        ),
        // A directory or a link named as a file aibubble writes.
        (
            "summary.json",
            &["summary.json"],
            |d, _| foreign_dir(&d.join("summary.json")),
            "summary.json (a directory)",
        ),
        (
            "link",
            &["summary.json"],
            |d, v| symlink(v, &d.join("summary.json")),
            "summary.json (a symbolic link)",
        ),
        // A name aibubble never writes, even for a file, or a path.
        (
            "notes",
            &["notes.txt"],
            |d, _| fs::write(d.join("notes.txt"), "mine").unwrap(),
            "lists \"notes.txt\"",
        ),
        ("path", &["../victim.txt"], |_, _| {}, "lists \"../victim.txt\""),
    ];
    // A file named like the marker that is not aibubble's is the user's.
    let dir = tmp.path().join("fake");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join(MARKER), "my own notes").unwrap();
    let err = refused(&run_out(&dir, &[]), FILES);
    assert!(err.contains(&format!("({MARKER})")), "{err}");
    assert_eq!(fs::read_to_string(dir.join(MARKER)).unwrap(), "my own notes");
    for (name, listed, plant, shown) in cases {
        let dir = tmp.path().join(name);
        fs::create_dir(&dir).unwrap();
        fs::write(
            dir.join(MARKER),
            serde_json::json!({"tool": "aibubble", "files": listed}).to_string(),
        )
        .unwrap();
        plant(&dir, &victim);
        let before = snapshot(tmp.path());
        let err = refused(&run_out(&dir, &[]), FILES);
        assert!(
            err.contains(&dir.display().to_string()) && err.contains(shown),
            "{name}: {err}"
        );
        assert!(err.contains("--force"), "{err}");
        assert_eq!(snapshot(tmp.path()), before, "{name}: files changed");
    }
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
}

#[cfg(unix)]
fn symlink(to: &Path, at: &Path) {
    std::os::unix::fs::symlink(to, at).unwrap();
}

#[cfg(not(unix))]
fn symlink(_: &Path, at: &Path) {
    fs::write(at, "not a link").unwrap();
}

/// A run too large for memory fails with status 6 once it starts: status 4
/// means that the output was checked first.
fn run_too_large(dir: &Path) -> Output {
    let d = dir.display().to_string();
    command(&["run", "baseline", "--paths", "1000000000", "--out", d.as_str()])
        .output()
        .unwrap()
}

#[test]
fn a_name_too_long_for_the_temporary_is_refused_before_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    // A valid name (240 bytes), too long once aibubble adds its tag.
    let dir = tmp.path().join("r".repeat(240));
    let err = refused(&run_too_large(&dir), FILES);
    assert!(
        err.contains(&dir.display().to_string()) && err.contains("too long"),
        "{err}"
    );
    assert!(names(tmp.path()).is_empty(), "left {:?}", names(tmp.path()));
    // The longest name that fits is written (the tag adds under 60 bytes).
    let fits = tmp.path().join("r".repeat(190));
    assert_ok(&run_out(&fits, &[]));
    assert_eq!(names(tmp.path()), ["r".repeat(190)]);
}

/// Makes a directory unwritable even for root (immutable, with chattr), or
/// by its mode for anyone else; undone on drop. `None` where neither works.
#[cfg(target_os = "linux")]
struct Unwritable(PathBuf, bool);

#[cfg(target_os = "linux")]
impl Unwritable {
    fn new(dir: &Path) -> Option<Unwritable> {
        use std::os::unix::fs::PermissionsExt;
        // SAFETY: geteuid has no memory effects.
        if unsafe { libc::geteuid() } != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o555)).unwrap();
            return Some(Unwritable(dir.to_path_buf(), false));
        }
        let ok = Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Unwritable(dir.to_path_buf(), true))
    }
}

#[cfg(target_os = "linux")]
impl Drop for Unwritable {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.1 {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        } else {
            let _ = fs::set_permissions(&self.0, fs::Permissions::from_mode(0o755));
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_parent_is_refused_before_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path().join("ro");
    fs::create_dir(&parent).unwrap();
    let Some(_guard) = Unwritable::new(&parent) else {
        eprintln!("skipped: cannot make a directory unwritable here (no chattr)");
        return;
    };
    let dir = parent.join("run");
    let err = refused(&run_too_large(&dir), FILES);
    assert!(err.contains(&dir.display().to_string()), "{err}");
    assert!(err.contains(&parent.display().to_string()), "{err}");
    assert!(names(&parent).is_empty());
}

/// Wait until `child` handles `signal` (its bit of SigCgt in
/// /proc/PID/status), so that the signal tests the handler and not the
/// default action.
#[cfg(target_os = "linux")]
fn wait_for_handler(child: &mut Child, signal: libc::c_int) {
    let status = format!("/proc/{}/status", child.id());
    let handles = || {
        fs::read_to_string(&status).is_ok_and(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("SigCgt:"))
                .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
                .is_some_and(|m| m & (1 << (signal - 1)) != 0)
        })
    };
    assert!(
        wait_until(PATIENCE, || handles() || child.try_wait().unwrap().is_some()),
        "no handler of signal {signal}"
    );
}

#[cfg(target_os = "linux")]
fn send(child: &Child, signal: libc::c_int) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: kill(2) with a valid signal number has no memory effects.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_during_the_run_exits_130_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut child = start_big_run(&dir);
    wait_for_handler(&mut child, libc::SIGINT);
    send(&child, libc::SIGINT);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(INTERRUPTED), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(names(tmp.path()).is_empty(), "left {:?}", names(tmp.path()));
}

/// SIGINT (Ctrl-C), SIGTERM and SIGHUP in the middle of the write: the
/// process exits with 128 + the signal's number, the temporary is removed
/// and the previous output is as it was.
#[cfg(target_os = "linux")]
#[test]
fn a_signal_during_the_write_exits_128_plus_it_and_removes_the_temporary() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    assert_ok(&run_out(&dir, &[]));
    let before = snapshot(&dir);
    for (signal, code) in [(libc::SIGINT, INTERRUPTED), (libc::SIGTERM, 143), (libc::SIGHUP, 129)] {
        let mut child = start_big_run(&dir);
        let partial = wait_for_write(&mut child, tmp.path());
        wait_for_handler(&mut child, signal);
        send(&child, signal);
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(code), "signal {signal}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
        assert!(!partial.exists(), "signal {signal}: the temporary stayed");
        assert_eq!(names(tmp.path()), ["run"], "signal {signal}");
        assert_eq!(snapshot(&dir), before, "signal {signal}: the previous output changed");
    }
}
