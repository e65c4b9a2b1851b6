//! Writing result directories that are complete or untouched, and that
//! never destroy what aibubble did not write.
//!
//! - Every output directory holds a marker file, [`MARKER`], naming the tool,
//!   its version and the files it wrote.
//! - The target may be absent, an empty directory, or a previous output: a
//!   directory with the marker and only the files that the marker lists,
//!   which is replaced whole. A directory holding anything else (also a
//!   previous output to which a file was added) is refused with
//!   [`Error::OutputExists`] naming what is there, unless `force` is given.
//!   Anything that is not a directory (a file, a symbolic link, ...) is
//!   always refused: it is never deleted.
//! - Files are written to a temporary sibling directory named after the
//!   target and the writer (`.NAME.aibubble-tmp-PID-START-N`, START being
//!   the process start time on Linux, so that a reused PID is not taken for
//!   the writer), then renamed into place. A replaced output is first renamed
//!   aside (`.NAME.aibubble-old-...`) and removed once the new one is in place.
//! - Temporaries are removed on error, by [`abandon_writes`] (for a signal
//!   handler), and, when their writer has died (kill -9, power loss), by the
//!   next write into the same parent directory. Writers are only known to
//!   be dead on Linux (through `/proc`); elsewhere such leftovers stay.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::error::{Error, Result};
use crate::results::Results;

/// The marker file of every output directory aibubble writes.
pub const MARKER: &str = ".aibubble-output";

/// Tags of the temporary directories, after the target's name.
const TMP_TAG: &str = ".aibubble-tmp-";
const OLD_TAG: &str = ".aibubble-old-";

/// Writes one file of an output directory.
pub type FileWriter<'a> = &'a dyn Fn(&mut BufWriter<File>) -> io::Result<()>;

/// Temporary directories of writes in progress in this process. Held during
/// the swap into place, so that [`abandon_writes`] never sees half a swap.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Numbers the writes of this process, so that two threads writing the same
/// target use different temporaries.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

fn io(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

fn refuse(dir: &Path, found: impl Into<String>) -> Error {
    Error::OutputExists {
        path: dir.display().to_string(),
        found: found.into(),
    }
}

/// The files of `aibubble run --out DIR`: `summary.json`, `per_path.csv`,
/// `timeseries.csv` (and the marker), by the rules of this module.
///
/// # Errors
/// As [`write_dir_atomically`].
pub fn write_run(dir: &Path, results: &Results, force: bool) -> Result<()> {
    let summary = |w: &mut BufWriter<File>| write!(w, "{}", results.summary().to_json());
    let per_path = |w: &mut BufWriter<File>| results.write_per_path_csv(w);
    let series = |w: &mut BufWriter<File>| results.write_series_csv(w);
    write_dir_atomically(
        dir,
        force,
        &[
            ("summary.json", &summary),
            ("per_path.csv", &per_path),
            ("timeseries.csv", &series),
        ],
    )
}

/// Check, before a long run, that [`write_dir_atomically`] may write `dir`:
/// its parent is a directory, and `dir` is absent, empty, a previous output,
/// or (with `force`) any directory.
///
/// # Errors
/// [`Error::OutputExists`] naming what is at `dir`; [`Error::Io`] naming the
/// parent when it does not exist; [`Error::Argument`] when `dir` has no name
/// (`/`, `..`).
pub fn check_target(dir: &Path, force: bool) -> Result<()> {
    let (parent, _) = split(dir)?;
    check_parent(parent)?;
    inspect(dir, force).map(|_| ())
}

/// Write `files` (name, writer) and the marker as the directory `dir`, by the
/// rules of this module: `dir` is replaced whole or left as it was.
///
/// # Errors
/// As [`check_target`] (checked before anything is written, and again just
/// before the swap), and [`Error::Io`] naming the file that could not be
/// written. On error nothing is left that was not there before.
pub fn write_dir_atomically(dir: &Path, force: bool, files: &[(&str, FileWriter)]) -> Result<()> {
    let (parent, name) = split(dir)?;
    check_parent(parent)?;
    inspect(dir, force)?;
    remove_stale(parent);
    let me = Writer::current();
    let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    let id = format!("{}-{}-{n}", me.pid, me.start);
    let tmp = parent.join(format!(".{name}{TMP_TAG}{id}"));
    let old = parent.join(format!(".{name}{OLD_TAG}{id}"));
    create_pending(&tmp)?;
    let filled = fill(&tmp, dir, &me, files);
    let result = filled.and_then(|()| swap(&tmp, dir, &old, force));
    if result.is_err() {
        let _ = remove_fully(&tmp);
    }
    unregister(&tmp);
    result
}

/// The parent directory and the name of `dir`.
fn split(dir: &Path) -> Result<(&Path, String)> {
    let name = dir
        .file_name()
        .ok_or_else(|| Error::argument("out", format!("{} is not a directory name", dir.display())))?;
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok((parent, name.to_string_lossy().into_owned()))
}

/// The parent must exist: creating it would leave a directory behind on failure.
fn check_parent(parent: &Path) -> Result<()> {
    match fs::metadata(parent) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(io(parent)(io::Error::new(
            io::ErrorKind::NotADirectory,
            "the parent of the output directory is not a directory",
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(io(parent)(io::Error::new(
            io::ErrorKind::NotFound,
            "the parent of the output directory does not exist",
        ))),
        Err(e) => Err(io(parent)(e)),
    }
}

/// What is at the target.
#[derive(Debug, PartialEq)]
enum Target {
    Absent,
    /// An empty directory, a previous output or, with `force`, any directory.
    Replaceable,
}

fn inspect(dir: &Path, force: bool) -> Result<Target> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::Absent),
        Err(e) => return Err(io(dir)(e)),
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        let to = fs::read_link(dir).map(|t| t.display().to_string()).unwrap_or_default();
        return Err(refuse(
            dir,
            format!("is a symbolic link (to {to}); give the directory itself"),
        ));
    }
    if kind.is_file() {
        return Err(refuse(dir, "is a regular file"));
    }
    if !kind.is_dir() {
        return Err(refuse(dir, "is not a directory"));
    }
    if force {
        return Ok(Target::Replaceable);
    }
    let written = written_files(dir);
    let foreign: Vec<String> = entry_names(dir)?
        .into_iter()
        .filter(|n| !written.iter().any(|w| w == n))
        .collect();
    if foreign.is_empty() {
        return Ok(Target::Replaceable);
    }
    Err(refuse(
        dir,
        format!("holds files aibubble did not write ({})", list(&foreign)),
    ))
}

/// The files that the marker of `dir` says aibubble wrote, the marker
/// included; none when there is no marker of aibubble's.
fn written_files(dir: &Path) -> Vec<String> {
    let marker = dir.join(MARKER);
    let small_file = fs::symlink_metadata(&marker).is_ok_and(|m| m.is_file() && m.len() <= 4096);
    let value = small_file
        .then(|| fs::read_to_string(&marker).ok())
        .flatten()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .filter(|v| v["tool"] == "aibubble");
    let Some(value) = value else {
        return Vec::new();
    };
    let listed = value["files"].as_array().into_iter().flatten();
    // Compared with the names of entries only, so a path here matches nothing.
    let names = listed.filter_map(|f| f.as_str());
    std::iter::once(MARKER).chain(names).map(String::from).collect()
}

fn entry_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        names.push(entry.map_err(io(dir))?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

/// The first few names, each cut short, and how many more there are.
fn list(names: &[String]) -> String {
    const SHOWN: usize = 5;
    const CHARS: usize = 40;
    let mut shown: Vec<String> = names
        .iter()
        .take(SHOWN)
        .map(|n| match n.char_indices().nth(CHARS) {
            Some((cut, _)) => format!("{}…", &n[..cut]),
            None => n.clone(),
        })
        .collect();
    if names.len() > SHOWN {
        shown.push(format!("and {} more", names.len() - SHOWN));
    }
    shown.join(", ")
}

/// Create the temporary directory, registered so that [`abandon_writes`]
/// finds it from the moment it exists.
fn create_pending(tmp: &Path) -> Result<()> {
    let mut pending = pending();
    fs::create_dir(tmp).map_err(io(tmp))?;
    pending.push(tmp.to_path_buf());
    Ok(())
}

fn unregister(path: &Path) {
    pending().retain(|p| p != path);
}

/// The marker, then every file, each flushed to disk before the rename.
fn fill(tmp: &Path, dir: &Path, me: &Writer, files: &[(&str, FileWriter)]) -> Result<()> {
    let marker = serde_json::json!({
        "tool": "aibubble",
        "version": env!("CARGO_PKG_VERSION"),
        "pid": me.pid,
        "start_time": me.start,
        "files": files.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
    });
    let write_marker = |w: &mut BufWriter<File>| writeln!(w, "{marker}");
    write_file(&tmp.join(MARKER), &dir.join(MARKER), &write_marker)?;
    for (name, writer) in files {
        write_file(&tmp.join(name), &dir.join(name), *writer)?;
    }
    Ok(())
}

/// Write one file and flush it to disk; errors name it by the path it is
/// written for (`DIR/NAME`), not by its temporary one.
fn write_file(path: &Path, shown: &Path, writer: FileWriter) -> Result<()> {
    let written = || -> io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
        writer(&mut w)?;
        w.into_inner().map_err(io::IntoInnerError::into_error)?.sync_all()
    };
    written().map_err(io(shown))
}

/// Put the filled temporary directory in place of `dir`, moving a previous
/// directory aside to `old` and removing it after.
fn swap(tmp: &Path, dir: &Path, old: &Path, force: bool) -> Result<()> {
    {
        let mut pending = pending();
        // Checked again: the directory may have changed during a long run.
        match inspect(dir, force)? {
            Target::Absent => return fs::rename(tmp, dir).map_err(io(dir)),
            Target::Replaceable => {
                fs::rename(dir, old).map_err(io(dir))?;
                pending.push(old.to_path_buf());
                if let Err(e) = fs::rename(tmp, dir) {
                    // Put the previous directory back so that `dir` stays untouched.
                    let _ = fs::rename(old, dir);
                    pending.retain(|p| p != old);
                    return Err(io(dir)(e));
                }
            }
        }
    }
    let removed = remove_fully(old).map_err(io(old));
    unregister(old);
    removed
}

/// `remove_dir_all`, which succeeds when there is nothing to remove.
fn remove_fully(path: &Path) -> io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Remove the temporary directories of every write in progress in this
/// process, and keep any write from finishing: from then on they block
/// until the process ends. For a signal handler that then ends the process
/// (as `aibubble` does on Ctrl-C); a write that was being swapped into place
/// completes first, so its target is whole, old or new.
pub fn abandon_writes() {
    let mut pending = pending();
    for path in pending.drain(..) {
        // A file created meanwhile by the writing thread makes a pass fail.
        for _ in 0..10 {
            if remove_fully(&path).is_ok() {
                break;
            }
        }
    }
    // Never unlocked: a write that reaches the lock waits for the end of the process.
    std::mem::forget(pending);
}

/// A writing process: its PID and start time (0 where unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Writer {
    pid: u32,
    start: u64,
}

impl Writer {
    fn current() -> Writer {
        let pid = std::process::id();
        Writer {
            pid,
            start: proc_stat(pid).map_or(0, |(_, start)| start),
        }
    }

    /// Whether the process may still be writing; `true` where this cannot be told.
    fn may_be_alive(self) -> bool {
        if self == Writer::current() || proc_stat(std::process::id()).is_none() {
            return true;
        }
        match proc_stat(self.pid) {
            None => false,
            // A zombie writes nothing; another start time is another process.
            Some((state, start)) => !matches!(state, 'Z' | 'X') && start == self.start,
        }
    }

    /// The writer and target name of a temporary's name (`.NAME<tag>PID-START-N`).
    fn parse(file_name: &str, tag: &str) -> Option<(Writer, String)> {
        let at = file_name.rfind(tag)?;
        let name = file_name[..at].strip_prefix('.')?;
        let mut id = file_name[at + tag.len()..].split('-');
        let pid = id.next()?.parse().ok()?;
        let start = id.next()?.parse().ok()?;
        id.next()?.parse::<u64>().ok()?;
        if name.is_empty() || id.next().is_some() {
            return None;
        }
        Some((Writer { pid, start }, name.to_string()))
    }
}

/// State and start time (clock ticks after boot) of a process, from
/// `/proc/PID/stat`; `None` when there is no such process or no `/proc`.
fn proc_stat(pid: u32) -> Option<(char, u64)> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Field 2, the command name, is in parentheses and may hold spaces and
    // parentheses: fields are counted after its last `)`.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?.chars().next()?;
    // Field 22 is the start time; `fields` is at field 4 now.
    let start = fields.nth(18)?.parse().ok()?;
    Some((state, start))
}

/// Remove the temporaries that dead writers left in `parent`. A previous
/// output moved aside by a writer that died before the new one was in place
/// is put back. Best effort: what cannot be removed stays.
fn remove_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str().filter(|_| is_dir) else {
            continue;
        };
        let path = entry.path();
        if let Some((writer, _)) = Writer::parse(file_name, TMP_TAG) {
            // Only directories that look like ours: the marker comes first,
            // so a writer killed before it leaves an empty directory.
            let ours = path.join(MARKER).is_file() || fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none());
            if ours && !writer.may_be_alive() {
                let _ = remove_fully(&path);
            }
        } else if let Some((writer, name)) = Writer::parse(file_name, OLD_TAG) {
            if writer.may_be_alive() {
                continue;
            }
            let target = parent.join(name);
            if fs::symlink_metadata(&target).is_err() {
                let _ = fs::rename(&path, &target);
            } else {
                let _ = remove_fully(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_parse_back() {
        let w = Writer { pid: 12, start: 345 };
        assert_eq!(
            Writer::parse(".my-run.aibubble-tmp-12-345-0", TMP_TAG),
            Some((w, "my-run".to_string()))
        );
        assert_eq!(
            Writer::parse("..x.aibubble-old-12-345-7", OLD_TAG),
            Some((w, ".x".to_string()))
        );
        for bad in [
            "run.aibubble-tmp-12-345-0",
            "..aibubble-tmp-12-345-0",
            ".run.aibubble-tmp-12-345",
            ".run.aibubble-tmp-12-345-0-1",
            ".run.aibubble-tmp-x-345-0",
        ] {
            assert_eq!(Writer::parse(bad, TMP_TAG), None, "{bad}");
        }
    }

    #[test]
    fn this_process_is_alive_and_a_reused_pid_is_not() {
        let me = Writer::current();
        assert!(me.may_be_alive());
        if cfg!(target_os = "linux") {
            assert!(me.start > 0);
            assert!(
                !Writer {
                    start: me.start + 1,
                    ..me
                }
                .may_be_alive()
            );
            assert!(
                !Writer {
                    pid: u32::MAX,
                    start: 1
                }
                .may_be_alive()
            );
        }
    }

    /// A writer that fails half-way, as on a full disk.
    fn failing(w: &mut BufWriter<File>) -> io::Result<()> {
        w.write_all(b"path,x\n0,")?;
        Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
    }

    fn entries(dir: &Path) -> Vec<String> {
        entry_names(dir).unwrap()
    }

    #[test]
    fn a_failed_write_leaves_the_previous_output_and_no_temporary() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("run");
        let good = |w: &mut BufWriter<File>| w.write_all(b"first");
        write_dir_atomically(&dir, false, &[("a.csv", &good)]).unwrap();
        assert_eq!(entries(&dir), [MARKER, "a.csv"]);

        let e = write_dir_atomically(&dir, false, &[("a.csv", &good), ("b.csv", &failing)]).unwrap_err();
        let message = e.to_string();
        assert!(
            message.contains(&dir.join("b.csv").display().to_string()) && message.contains("disk full"),
            "{message}"
        );
        assert_eq!(entries(tmp.path()), ["run"]);
        assert_eq!(entries(&dir), [MARKER, "a.csv"]);
        assert_eq!(fs::read_to_string(dir.join("a.csv")).unwrap(), "first");
        assert!(pending().is_empty(), "a temporary is still registered");
    }

    #[test]
    fn long_listings_are_cut() {
        let names: Vec<String> = (0..8).map(|i| format!("f{i}")).collect();
        assert_eq!(list(&names), "f0, f1, f2, f3, f4, and 3 more");
        let long = ["é".repeat(50)];
        assert_eq!(list(&long), format!("{}…", "é".repeat(40)));
    }
}
