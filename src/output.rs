//! Writing result directories that are complete or untouched, and that
//! never delete, rename or overwrite what aibubble did not write.
//!
//! - Every output directory holds a marker file, [`MARKER`], naming the tool,
//!   its version and the files it wrote: regular files of the fixed names
//!   [`RUN_FILES`], nothing else.
//! - The target may be absent, an empty directory, or a previous output: a
//!   directory holding aibubble's marker and, besides it, only regular files
//!   that the marker lists, all of [`RUN_FILES`]; it is replaced whole. A
//!   directory holding anything else (a file added to a previous output, a
//!   subdirectory or a symbolic link, even one named `summary.json`, or a
//!   marker listing any other name) is refused with [`Error::OutputExists`]
//!   naming what is there, unless `force` is given. Anything that is not a
//!   directory (a file, a symbolic link, ...) is always refused: it is never
//!   deleted.
//! - Files are written to a new temporary sibling directory,
//!   `.NAME.aibubble-tmp-PID-START-TOKEN` (START the process start time on
//!   Linux, so that a reused PID is not taken for the writer; TOKEN random,
//!   and recorded in the temporary's marker), each file created exclusively,
//!   then the directory is renamed into place. A replaced output is first
//!   renamed aside (`.NAME.aibubble-old-...`) and removed once the new one
//!   is in place. [`check_target`] creates and removes a temporary of the
//!   same name length before a run, so that a parent that cannot be written
//!   or a name too long for the temporary is reported before the run.
//! - Temporaries are removed on error, by [`abandon_writes`] (for a signal
//!   handler), and, when their writer has died (kill -9, power loss), by the
//!   next write into the same parent directory, but only those that prove to
//!   be aibubble's: a marker with the token of their name, and nothing but
//!   regular files of the names it lists. Clean-up never renames anything: a
//!   previous output left aside by a writer killed between its two renames
//!   stays as `.NAME.aibubble-old-...`. Writers are only known to be dead on
//!   Linux (through `/proc`); elsewhere such leftovers stay.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::error::{Error, Result};
use crate::results::Results;

/// The marker file of every output directory aibubble writes.
pub const MARKER: &str = ".aibubble-output";

/// The files of a run directory: the only names, besides [`MARKER`], that
/// aibubble writes there or accepts in a marker.
pub const RUN_FILES: [&str; 3] = ["summary.json", "per_path.csv", "timeseries.csv"];

/// Tags of the temporary directories, after the target's name (of one length).
const TMP_TAG: &str = ".aibubble-tmp-";
const OLD_TAG: &str = ".aibubble-old-";

/// Random characters of a temporary's token.
const TOKEN_LEN: usize = 16;

/// The longest file name (in bytes) that common file systems take.
const NAME_MAX: usize = 255;

/// Writes one file of an output directory.
pub type FileWriter<'a> = &'a dyn Fn(&mut BufWriter<File>) -> io::Result<()>;

/// Temporary directories of writes in progress in this process. Held during
/// the swap into place, so that [`abandon_writes`] never sees half a swap.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

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

/// The files of `aibubble run --out DIR`: [`RUN_FILES`] and the marker, by
/// the rules of this module.
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
            (RUN_FILES[0], &summary),
            (RUN_FILES[1], &per_path),
            (RUN_FILES[2], &series),
        ],
    )
}

/// Check, before a long run, that [`write_dir_atomically`] may write `dir`:
/// its parent is a directory in which the temporary directory can be created
/// (it is created and removed again), and `dir` is absent, empty, a previous
/// output, or (with `force`) any directory.
///
/// # Errors
/// [`Error::OutputExists`] naming what is at `dir`; [`Error::Io`] naming the
/// parent when it does not exist, or `dir` when the temporary cannot be
/// created beside it (no permission, a read-only file system, a name too
/// long); [`Error::Argument`] when `dir` has no name (`/`, `..`).
pub fn check_target(dir: &Path, force: bool) -> Result<()> {
    let (parent, name) = split(dir)?;
    check_parent(parent)?;
    inspect(dir, force)?;
    let (probe, _) = create_temporary(dir, parent, &name)?;
    let removed = fs::remove_dir(&probe);
    unregister(&probe);
    removed.map_err(io(&probe))
}

/// Write `files` (names of [`RUN_FILES`], with their writers) and the marker
/// as the directory `dir`, by the rules of this module: `dir` is replaced
/// whole or left as it was.
///
/// # Errors
/// As [`check_target`] (checked before anything is written, and again just
/// before the swap), [`Error::Argument`] for a name not in [`RUN_FILES`],
/// and [`Error::Io`] naming the file that could not be written. On error
/// nothing is left that was not there before.
pub fn write_dir_atomically(dir: &Path, force: bool, files: &[(&str, FileWriter)]) -> Result<()> {
    if let Some((bad, _)) = files.iter().find(|(n, _)| !RUN_FILES.contains(n)) {
        return Err(Error::argument(
            "files",
            format!(
                "{bad:?} is not one of the files of a run directory ({})",
                RUN_FILES.join(", ")
            ),
        ));
    }
    let (parent, name) = split(dir)?;
    check_parent(parent)?;
    inspect(dir, force)?;
    remove_stale(parent);
    let (tmp, token) = create_temporary(dir, parent, &name)?;
    let me = Writer::current();
    let old = parent.join(format!(".{name}{OLD_TAG}{}-{}-{token}", me.pid, me.start));
    let filled = fill(&tmp, dir, &me, &token, files);
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

/// Create, exclusively, a new temporary directory for `dir` in `parent`
/// (`.NAME.aibubble-tmp-PID-START-TOKEN`), registered so that
/// [`abandon_writes`] finds it from the moment it exists; and its token.
fn create_temporary(dir: &Path, parent: &Path, name: &str) -> Result<(PathBuf, String)> {
    let me = Writer::current();
    let prefix = format!(".{name}{TMP_TAG}{}-{}-", me.pid, me.start);
    let too_long = |added: usize| {
        io(dir)(io::Error::new(
            io::ErrorKind::InvalidFilename,
            format!(
                "the name is too long for an output directory: aibubble writes it first as a \
                 temporary directory named with {added} more bytes, and a file name may have at \
                 most {NAME_MAX} bytes; choose a shorter name"
            ),
        ))
    };
    let added = prefix.len() + TOKEN_LEN - name.len();
    if prefix.len() + TOKEN_LEN > NAME_MAX {
        return Err(too_long(added));
    }
    let mut pending = pending();
    let created = tempfile::Builder::new()
        .prefix(&prefix)
        .rand_bytes(TOKEN_LEN)
        .tempdir_in(parent)
        .map(tempfile::TempDir::keep);
    let tmp = match created {
        Ok(tmp) => tmp,
        Err(e) if e.kind() == io::ErrorKind::InvalidFilename => return Err(too_long(added)),
        Err(e) => {
            let kind = e.kind();
            return Err(io(dir)(io::Error::new(
                kind,
                format!(
                    "cannot create the output's temporary directory in {}: {}",
                    parent.display(),
                    io::Error::from(kind)
                ),
            )));
        }
    };
    pending.push(tmp.clone());
    let file_name = tmp
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let token = file_name[prefix.len()..].to_string();
    Ok((tmp, token))
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
    let entries = entries(dir)?;
    if entries.is_empty() {
        return Ok(Target::Replaceable);
    }
    // Without a marker of aibubble's, everything is foreign, a file named
    // like the marker included.
    let listed = match marker_files(dir, None) {
        Ok(listed) => Some(listed),
        Err(Some(why)) => return Err(refuse(dir, why)),
        Err(None) => None,
    };
    let ours = |n: &String| listed.as_ref().is_some_and(|l| n == MARKER || l.contains(n));
    let foreign: Vec<String> = entries
        .into_iter()
        .filter(|(n, t)| !(t.is_file() && ours(n)))
        .map(|(n, t)| describe(n, t))
        .collect();
    if foreign.is_empty() {
        return Ok(Target::Replaceable);
    }
    Err(refuse(
        dir,
        format!("holds files aibubble did not write ({})", list(&foreign)),
    ))
}

/// An entry's name, with its kind when it is not a regular file.
fn describe(name: String, kind: fs::FileType) -> String {
    if kind.is_file() {
        name
    } else if kind.is_dir() {
        format!("{name} (a directory)")
    } else if kind.is_symlink() {
        format!("{name} (a symbolic link)")
    } else {
        format!("{name} (not a regular file)")
    }
}

/// The files that the marker of `dir` lists, all of [`RUN_FILES`] (and, when
/// `token` is given, only if the marker holds that token). `Err(None)` when
/// there is no marker of aibubble's; `Err(Some(why))` when there is one
/// that lists a name aibubble never writes.
fn marker_files(dir: &Path, token: Option<&str>) -> std::result::Result<Vec<String>, Option<String>> {
    let marker = dir.join(MARKER);
    let small_file = fs::symlink_metadata(&marker).is_ok_and(|m| m.is_file() && m.len() <= 4096);
    let value = small_file
        .then(|| fs::read_to_string(&marker).ok())
        .flatten()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .filter(|v| v["tool"] == "aibubble")
        .filter(|v| token.is_none_or(|t| v["token"] == t))
        .ok_or(None)?;
    let mut listed = Vec::new();
    for f in value["files"].as_array().into_iter().flatten() {
        match f.as_str() {
            Some(name) if RUN_FILES.contains(&name) => listed.push(name.to_string()),
            _ => {
                return Err(Some(format!(
                    "holds a marker of aibubble's that lists {f}, which is not a file aibubble writes ({})",
                    RUN_FILES.join(", ")
                )));
            }
        }
    }
    Ok(listed)
}

/// The entries of `dir` (not following symbolic links), by name.
fn entries(dir: &Path) -> Result<Vec<(String, fs::FileType)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let kind = entry.file_type().map_err(io(dir))?;
        out.push((entry.file_name().to_string_lossy().into_owned(), kind));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
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

fn unregister(path: &Path) {
    pending().retain(|p| p != path);
}

/// The marker (with the temporary's token), then every file, each flushed
/// to disk before the rename.
fn fill(tmp: &Path, dir: &Path, me: &Writer, token: &str, files: &[(&str, FileWriter)]) -> Result<()> {
    let marker = serde_json::json!({
        "tool": "aibubble",
        "version": env!("CARGO_PKG_VERSION"),
        "pid": me.pid,
        "start_time": me.start,
        "token": token,
        "files": files.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
    });
    let write_marker = |w: &mut BufWriter<File>| writeln!(w, "{marker}");
    write_file(&tmp.join(MARKER), &dir.join(MARKER), &write_marker)?;
    for (name, writer) in files {
        write_file(&tmp.join(name), &dir.join(name), *writer)?;
    }
    Ok(())
}

/// Write one new file (created exclusively: nothing already at its name is
/// written through) and flush it to disk; errors name it by the path it is
/// written for (`DIR/NAME`), not by its temporary one.
fn write_file(path: &Path, shown: &Path, writer: FileWriter) -> Result<()> {
    let written = || -> io::Result<()> {
        let file = File::options().write(true).create_new(true).open(path)?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
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
/// (as `aibubble` does on Ctrl-C, SIGTERM and SIGHUP); a write that was
/// being swapped into place completes first, so its target is whole, old
/// or new.
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

    /// The writer and token of a temporary's name (`.NAME<tag>PID-START-TOKEN`).
    fn parse(file_name: &str, tag: &str) -> Option<(Writer, String)> {
        let at = file_name.rfind(tag)?;
        let name = file_name[..at].strip_prefix('.')?;
        let mut id = file_name[at + tag.len()..].split('-');
        let pid = id.next()?.parse().ok()?;
        let start = id.next()?.parse().ok()?;
        let token = id.next()?;
        let token_ok = token.len() == TOKEN_LEN && token.bytes().all(|b| b.is_ascii_alphanumeric());
        if name.is_empty() || !token_ok || id.next().is_some() {
            return None;
        }
        Some((Writer { pid, start }, token.to_string()))
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

/// Remove the temporaries that dead writers left in `parent`: only
/// directories named as aibubble's temporaries whose marker holds the token
/// of their name, and that hold nothing but regular files of the names the
/// marker lists; those files are removed by name, then the empty directory.
/// Nothing is renamed. Best effort: what cannot be removed stays.
fn remove_stale(parent: &Path) {
    let Ok(read) = fs::read_dir(parent) else {
        return;
    };
    for entry in read.flatten() {
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str().filter(|_| is_dir) else {
            continue;
        };
        let Some((writer, token)) = Writer::parse(file_name, TMP_TAG) else {
            continue;
        };
        if writer.may_be_alive() {
            continue;
        }
        let path = entry.path();
        let (Ok(listed), Ok(inside)) = (marker_files(&path, Some(&token)), entries(&path)) else {
            continue;
        };
        let ours = |(n, t): &(String, fs::FileType)| t.is_file() && (n == MARKER || listed.contains(n));
        if inside.iter().all(ours) {
            for (n, _) in &inside {
                let _ = fs::remove_file(path.join(n));
            }
            let _ = fs::remove_dir(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_parse_back() {
        let w = Writer { pid: 12, start: 345 };
        let token = "aB3dE6gH9jK2mN5p";
        assert_eq!(
            Writer::parse(&format!(".my-run.aibubble-tmp-12-345-{token}"), TMP_TAG),
            Some((w, token.to_string()))
        );
        assert_eq!(
            Writer::parse(&format!("..x.aibubble-old-12-345-{token}"), OLD_TAG),
            Some((w, token.to_string()))
        );
        for bad in [
            "run.aibubble-tmp-12-345-aB3dE6gH9jK2mN5p",
            "..aibubble-tmp-12-345-aB3dE6gH9jK2mN5p",
            ".run.aibubble-tmp-12-345",
            ".run.aibubble-tmp-12-345-0",
            ".run.aibubble-tmp-12-345-aB3dE6gH9jK2mN5p-1",
            ".run.aibubble-tmp-12-345-aB3dE6gH9jK2mN5-",
            ".run.aibubble-tmp-x-345-aB3dE6gH9jK2mN5p",
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

    fn names(dir: &Path) -> Vec<String> {
        entries(dir).unwrap().into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn a_failed_write_leaves_the_previous_output_and_no_temporary() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("run");
        let good = |w: &mut BufWriter<File>| w.write_all(b"first");
        write_dir_atomically(&dir, false, &[("summary.json", &good)]).unwrap();
        assert_eq!(names(&dir), [MARKER, "summary.json"]);

        let e = write_dir_atomically(&dir, false, &[("summary.json", &good), ("per_path.csv", &failing)]).unwrap_err();
        let message = e.to_string();
        assert!(
            message.contains(&dir.join("per_path.csv").display().to_string()) && message.contains("disk full"),
            "{message}"
        );
        assert_eq!(names(tmp.path()), ["run"]);
        assert_eq!(names(&dir), [MARKER, "summary.json"]);
        assert_eq!(fs::read_to_string(dir.join("summary.json")).unwrap(), "first");
        assert!(pending().is_empty(), "a temporary is still registered");
    }

    /// Files in the temporary directory are created exclusively: a link
    /// planted at one of their names is not written through.
    #[cfg(unix)]
    #[test]
    fn a_link_at_a_file_name_in_the_temporary_is_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let staging = tmp.path().join("staging");
        fs::create_dir(&staging).unwrap();
        std::os::unix::fs::symlink(&victim, staging.join("per_path.csv")).unwrap();
        let good = |w: &mut BufWriter<File>| w.write_all(b"new");
        let me = Writer::current();
        let files: [(&str, FileWriter); 2] = [("summary.json", &good), ("per_path.csv", &good)];
        let e = fill(&staging, &tmp.path().join("run"), &me, "t", &files).unwrap_err();
        assert!(e.to_string().contains("per_path.csv"), "{e}");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    }

    #[test]
    fn only_the_files_of_a_run_are_written() {
        let tmp = tempfile::tempdir().unwrap();
        let good = |w: &mut BufWriter<File>| w.write_all(b"x");
        let e = write_dir_atomically(&tmp.path().join("run"), false, &[("thesis", &good)]).unwrap_err();
        assert!(
            matches!(e, Error::Argument { .. }) && e.to_string().contains("thesis"),
            "{e}"
        );
        assert!(names(tmp.path()).is_empty());
    }

    #[test]
    fn long_listings_are_cut() {
        let names: Vec<String> = (0..8).map(|i| format!("f{i}")).collect();
        assert_eq!(list(&names), "f0, f1, f2, f3, f4, and 3 more");
        let long = ["é".repeat(50)];
        assert_eq!(list(&long), format!("{}…", "é".repeat(40)));
    }
}
