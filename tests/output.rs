#![cfg(feature = "cli")]
//! `aibubble run --out DIR` never destroys what it did not write, and leaves
//! DIR complete or untouched: when refused, on error, on kill -9 in the
//! middle of a write (the next run cleans up), and on Ctrl-C.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

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
    assert!(err.contains(".ssh, notes.txt"), "{err}");
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

/// Poll `done` every few milliseconds until it holds; false after `limit`.
fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    done()
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
    .default_sigint()
    .spawn()
    .expect("the binary runs")
}

/// SIGINT's default action in a child, whatever this process inherited: a
/// test run in the background (`nohup make test &`) inherits SIGINT
/// ignored. Today's CLI installs its handler over it (`ctrlc::set_handler`
/// replaces an ignored SIGINT); this keeps the Ctrl-C tests independent of
/// that choice.
trait DefaultSigint {
    fn default_sigint(&mut self) -> &mut Self;
}

impl DefaultSigint for Command {
    #[cfg(unix)]
    fn default_sigint(&mut self) -> &mut Self {
        use std::os::unix::process::CommandExt;
        // SAFETY: signal(2) is async-signal-safe, as pre_exec requires; it
        // runs in the child between fork and exec.
        unsafe {
            self.pre_exec(|| {
                if libc::signal(libc::SIGINT, libc::SIG_DFL) == libc::SIG_ERR {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            })
        }
    }
    #[cfg(not(unix))]
    fn default_sigint(&mut self) -> &mut Self {
        self
    }
}

/// Wait until `child` is writing its per-path CSV into a temporary beside
/// `dir` (past the first MB), and return that temporary.
fn wait_for_write(child: &mut Child, parent: &Path) -> PathBuf {
    let mut found = None;
    let writing = wait_for(PATIENCE, || {
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

#[cfg(target_os = "linux")]
#[test]
fn stale_temporaries_of_dead_writers_are_removed_and_others_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path();
    let make = |name: &str, marker: bool, other: bool| {
        let d = parent.join(name);
        fs::create_dir(&d).unwrap();
        if marker {
            fs::write(d.join(MARKER), "{\"tool\":\"aibubble\"}").unwrap();
            fs::write(d.join("per_path.csv"), "path,x\n0,").unwrap();
        }
        if other {
            fs::write(d.join("mine.txt"), "a user's").unwrap();
        }
    };
    let (dead, me, start) = (dead_pid(), std::process::id(), own_start_time());
    // Dead writers: a partial write, and one killed before its marker.
    make(&format!(".old_run.aibubble-tmp-{dead}-{start}-0"), true, false);
    make(&format!(".x.aibubble-tmp-{dead}-1-3"), false, false);
    // This process is alive; a reused PID (another start time) is not.
    make(&format!(".live.aibubble-tmp-{me}-{start}-0"), true, false);
    make(&format!(".reused.aibubble-tmp-{me}-{}-0", start + 1), true, false);
    // Not a temporary of aibubble's: no marker and files of its own.
    make(&format!(".mine.aibubble-tmp-{dead}-1-0"), false, true);
    // A previous output moved aside by a writer killed before the new one
    // was in place goes back.
    make(&format!(".restored.aibubble-old-{dead}-1-0"), true, false);

    assert_ok(&run_out(&parent.join("run"), &[]));
    assert_eq!(
        names(parent),
        [
            format!(".live.aibubble-tmp-{me}-{start}-0"),
            format!(".mine.aibubble-tmp-{dead}-1-0"),
            "restored".to_string(),
            "run".to_string(),
        ]
    );
    assert_eq!(names(&parent.join("restored")), [MARKER, "per_path.csv"]);
}

/// Wait until `pid` handles SIGINT (bit 2 of SigCgt in /proc/PID/status),
/// so that the signal tests the handler and not the default action.
#[cfg(target_os = "linux")]
fn wait_for_sigint_handler(child: &mut Child) {
    let status = format!("/proc/{}/status", child.id());
    let handles = || {
        fs::read_to_string(&status).is_ok_and(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("SigCgt:"))
                .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
                .is_some_and(|m| m & (1 << (libc::SIGINT - 1)) != 0)
        })
    };
    assert!(
        wait_for(PATIENCE, || handles() || child.try_wait().unwrap().is_some()),
        "no SIGINT handler"
    );
}

#[cfg(target_os = "linux")]
fn interrupt(child: &Child) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: kill(2) with a valid signal number has no memory effects.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_during_the_run_exits_130_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut child = start_big_run(&dir);
    wait_for_sigint_handler(&mut child);
    interrupt(&child);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(INTERRUPTED), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(names(tmp.path()).is_empty(), "left {:?}", names(tmp.path()));
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_during_the_write_exits_130_and_removes_the_temporary() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    assert_ok(&run_out(&dir, &[]));
    let before = snapshot(&dir);
    let mut child = start_big_run(&dir);
    let partial = wait_for_write(&mut child, tmp.path());
    interrupt(&child);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(INTERRUPTED), "{}", stderr(&o));
    assert!(!partial.exists(), "the temporary stayed");
    assert_eq!(names(tmp.path()), ["run"]);
    assert_eq!(snapshot(&dir), before, "the previous output changed");
}
