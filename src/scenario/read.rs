//! Reading scenario files from disk, for every reader (a file named on the
//! command line or given to `Scenario::from_file`, a base named by
//! `extends`): only a regular file whose name ends in `.toml` or `.json`,
//! and at most [`MAX_FILE_BYTES`] of it.
//!
//! The name and the file type are checked before the file is opened for
//! reading, so that `/etc/shadow` is never read (and so never quoted in a
//! parse error), `/dev/zero` does not fill memory and a FIFO does not block.
//! The size is checked by reading at most one byte past the cap, since the
//! metadata of a special file says nothing about what it yields.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// The largest scenario file read: 16 MiB (the presets are about 20 KB).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Whether a file name ends in `.toml` or `.json` (any case): the names a
/// scenario file may have.
pub fn has_scenario_extension(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some(e) if e.eq_ignore_ascii_case("toml") || e.eq_ignore_ascii_case("json")
    )
}

/// Why a scenario file was refused, as an I/O error: the caller names the path.
fn refused(why: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, why.into())
}

/// What is at a path that is not a regular file, in words (`None`: a regular file).
fn not_regular(meta: &Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Open for reading without blocking: a FIFO swapped in after the check
/// (or any special file) must not hang the open.
fn open(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// The text of a scenario file: a regular file named `*.toml` or `*.json`,
/// of at most [`MAX_FILE_BYTES`], in UTF-8.
///
/// # Errors
/// An I/O error saying why (the file is missing, has another name, is a
/// directory, FIFO or device, is too large, is not UTF-8); the caller
/// names the path.
pub fn read_scenario_file(path: &Path) -> io::Result<String> {
    if !has_scenario_extension(path) {
        return Err(refused("not a scenario file: its name must end in .toml or .json"));
    }
    // Follows symbolic links: what counts is what would be read.
    let what = |meta: &Metadata| not_regular(meta).map(|w| refused(format!("is {w}, not a regular file")));
    if let Some(e) = what(&std::fs::metadata(path)?) {
        return Err(e);
    }
    let file = open(path)?;
    // The same check on what was opened, in case the path changed in between.
    if let Some(e) = what(&file.metadata()?) {
        return Err(e);
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(refused(format!(
            "larger than {} MiB, the most a scenario file may be",
            MAX_FILE_BYTES >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        refused(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}
