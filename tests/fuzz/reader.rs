//! The CLI's scenario reader on fuzz input: the text is written to a file
//! in a directory that also holds what `extends` may name by mistake or
//! malice, and read with `aibubble::cli::load` (and as text with that
//! directory as its base). Shared by the fuzz target (`fuzz/fuzz_targets/scenario.rs`) and
//! the test suite (`tests/fuzz_regressions.rs`), so that the same code runs
//! on the same cases in both.
//!
//! The directory holds:
//! - `base.toml`: a preset-like file (`extends = "baseline"` with overrides);
//! - `pipe.toml`: a FIFO with no writer (a read that opens it blocks);
//! - `big.toml`: a sparse file one byte over the 16 MiB cap;
//! - `zero.toml`: a symbolic link to `/dev/zero`;
//! - `dir.toml`: a directory;
//! - `secret.txt`: a file that is no scenario, whose first line must never
//!   appear in a message.

use std::path::PathBuf;

use aibubble::scenario::Format;
use aibubble::scenario::read::MAX_FILE_BYTES;
use aibubble::{Error, Scenario};

/// What `secret.txt` holds; no message may contain it.
pub const SECRET: &str = "SECRETHASH0123";

/// The names `extends` can reach in the directory (the dictionary has them).
#[allow(dead_code)] // used by tests/fuzz_regressions.rs
pub const NAMES: [&str; 6] = [
    "base.toml",
    "pipe.toml",
    "big.toml",
    "zero.toml",
    "dir.toml",
    "secret.txt",
];

/// The directory of cases, removed when dropped.
pub struct Cases {
    pub dir: PathBuf,
}

impl Cases {
    /// Make the directory `dir` (a fresh one) with every case in it.
    pub fn new(dir: PathBuf) -> Cases {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the cases directory");
        let at = |name: &str| dir.join(name);
        std::fs::write(
            at("base.toml"),
            "extends = \"baseline\"\nname = \"base\"\n[overrides]\n\"gap.floor\" = -1.0\n",
        )
        .unwrap();
        let fifo = std::process::Command::new("mkfifo").arg(at("pipe.toml")).status();
        assert!(fifo.is_ok_and(|s| s.success()), "mkfifo");
        // Sparse: no disk space, and what it yields are zeros.
        std::fs::File::create(at("big.toml"))
            .and_then(|f| f.set_len(MAX_FILE_BYTES + 1))
            .unwrap();
        std::os::unix::fs::symlink("/dev/zero", at("zero.toml")).unwrap();
        std::fs::create_dir(at("dir.toml")).unwrap();
        std::fs::write(at("secret.txt"), format!("root:$6${SECRET}:19000:0:99999:7:::\n")).unwrap();
        Cases { dir }
    }

    /// Read `text` as the CLI reads a scenario file (written to `input.toml`
    /// or `input.json` here), then as text with this directory as its base.
    /// Each result is checked: no panic (the caller's), no block (the
    /// fuzzer's timeout), no message quoting `secret.txt`.
    pub fn read(&self, text: &str, format: Format) -> Option<Scenario> {
        let name = match format {
            Format::Toml => "input.toml",
            Format::Json => "input.json",
        };
        let path = self.dir.join(name);
        std::fs::write(&path, text).ok()?;
        let from_file = aibubble::cli::load(path.to_str()?);
        let from_text = match format {
            Format::Toml => Scenario::from_toml_str_in(text, &self.dir),
            Format::Json => Scenario::from_json_str_in(text, &self.dir),
        };
        for r in [&from_file, &from_text] {
            if let Err(e) = r {
                check_message(e);
            }
        }
        from_file.ok()
    }
}

impl Drop for Cases {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// No message quotes a file that is no scenario file, or holds a raw
/// control character other than a newline.
fn check_message(e: &Error) {
    let m = e.to_string();
    assert!(!m.contains(SECRET), "a message quotes secret.txt: {m}");
    assert!(
        !m.chars().any(|c| c.is_control() && c != '\n'),
        "a raw control character in: {m:?}"
    );
}

/// A directory of cases for this process (the fuzzer may run several).
pub fn cases_dir() -> PathBuf {
    std::env::temp_dir().join(format!("aibubble-fuzz-reader-{}", std::process::id()))
}
