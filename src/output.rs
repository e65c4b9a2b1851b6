//! Writing result files so that a directory is complete or untouched: files
//! go to a temporary sibling directory, which is then renamed into place.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::results::Results;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Write `files` (name, contents) as the directory `dir`, replacing it whole.
///
/// # Errors
/// [`Error::Io`] naming the path (also when the parent of `dir` does not
/// exist); on error nothing is left at `dir` that was not there before.
pub fn write_dir_atomically(dir: &Path, files: &[(&str, String)]) -> Result<()> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dir
        .file_name()
        .ok_or_else(|| Error::argument("out", format!("{} is not a directory name", dir.display())))?
        .to_string_lossy()
        .into_owned();
    // The parent must exist: creating it would leave a directory behind on failure.
    if !parent.is_dir() {
        return Err(Error::Io {
            path: parent.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "the parent directory does not exist"),
        });
    }
    let tmp: PathBuf = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
        }
        fs::create_dir(&tmp).map_err(io(&tmp))?;
        for (file, contents) in files {
            let p = tmp.join(file);
            fs::write(&p, contents).map_err(io(&p))?;
        }
        if dir.exists() {
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            fs::rename(dir, &old).map_err(io(dir))?;
            if let Err(e) = fs::rename(&tmp, dir) {
                // Put the previous directory back so `dir` stays untouched.
                let _ = fs::rename(&old, dir);
                return Err(io(dir)(e));
            }
            fs::remove_dir_all(&old).map_err(io(&old))?;
        } else {
            fs::rename(&tmp, dir).map_err(io(dir))?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

/// The files of `aibubble run --out DIR`: `summary.json`, `per_path.csv`,
/// `timeseries.csv`.
pub fn write_run(dir: &Path, results: &Results) -> Result<()> {
    write_dir_atomically(
        dir,
        &[
            ("summary.json", results.summary().to_json()),
            ("per_path.csv", results.per_path_csv()),
            ("timeseries.csv", results.series_csv()),
        ],
    )
}
