//! The `aibubble` command line: run scenarios, list and show presets,
//! validate files. A thin layer over the library, in the library so that
//! the binary (`src/bin/aibubble.rs`) and the Python package's console
//! script (`aibubble._core.cli_main`) run the same code.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::printable;
use crate::scenario::{parse_override, presets};
use crate::{CancelToken, Error, Scenario, Simulation};
use clap::{Args, Parser, Subcommand};

mod analysis;
mod backtest;
mod calibrate;
mod compare;
mod options;
mod progress;
mod signals;
mod sobol;
mod table;

use options::{AnalysisOptions, RunOptions, paths};
use signals::on_signals;
use table::{print_net_table, print_table};

/// The exit statuses of [`exit_code`], for `--help`.
const EXIT_STATUS: &str = "\
Exit status:
  0    success
  1    any other failure
  2    invalid arguments
  3    invalid or unparsable scenario
  4    a file could not be read or written, or --out would replace what aibubble did not write
  5    unreadable results file
  6    resource limit (the run needs too much memory)
  7    numerical failure on a path
  129  hung up (SIGHUP)
  130  interrupted (Ctrl-C, SIGINT)
  143  terminated (SIGTERM)";

#[derive(Parser)]
#[command(
    name = "aibubble",
    version,
    about = "Monte Carlo repricing of closed AI labs as open models close the gap",
    after_help = EXIT_STATUS
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a preset or a scenario file and print the per-lab table.
    Run(RunArgs),
    /// List the presets.
    Presets,
    /// Print a preset as TOML with its sources, ready to copy and edit.
    Show {
        preset: String,
        /// Write every defaulted field too.
        #[arg(long)]
        expanded: bool,
        /// JSON instead of TOML.
        #[arg(long)]
        json: bool,
    },
    /// Reverse DCF: the value of an input at which a lab's fair value
    /// meets its mark (without --input: the investor's page, a standard set
    /// of inputs).
    Implied(ImpliedArgs),
    /// Check a preset or a scenario file and list every problem.
    Validate {
        /// A preset name or a path to a .toml/.json scenario.
        scenario: String,
    },
    /// Fix one input at each of a list of values (on the same seed and
    /// paths) and print the headline statistics at each.
    Sweep(SweepArgs),
    /// Which uncertain input drives a statistic: rank correlations and
    /// decile means of one run (single), or paired runs with each input at
    /// its p10 and p90 (runs).
    Tornado(TornadoArgs),
    /// Compare scenarios on common random numbers: each statistic with its
    /// standard error and the paired difference from the first (or --base).
    Compare(compare::CompareArgs),
    /// Split a scenario's repricing over the model's channels (exact Shapley
    /// values on common random numbers) against its frozen counterfactual or
    /// a preset.
    Channels(compare::ChannelsArgs),
    /// Fit the model's parameters to a releases file (data/models.csv):
    /// each with its standard error, method, rows used and fit.
    Calibrate(calibrate::CalibrateArgs),
    /// Back-test: place dated observations (run rates, the gap, prices,
    /// shares, marks) in the scenario's distribution at their dates: each
    /// one's percentile and 90%/99% bands, the coverage and the PIT histogram.
    Backtest(backtest::BacktestArgs),
    /// Sobol indices of a per-path output over the uncertain inputs and the
    /// process noise (Saltelli's design, first-order and total indices,
    /// bootstrap intervals).
    Sobol(sobol::SobolArgs),
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("points").required(true).args(["values", "range"]))]
#[command(mut_arg("paths", paths("10000", "Paths of every run")))]
struct SweepArgs {
    /// A preset name or a path to a .toml/.json scenario.
    scenario: String,
    /// The input to sweep, by field path (prices.premium_sensitivity).
    #[arg(long)]
    input: String,
    /// The values, comma-separated: 0,0.1,0.2.
    #[arg(long, value_name = "A,B,C")]
    values: Option<String>,
    /// Evenly spaced values: LO,HI,N (N >= 2, both ends included).
    #[arg(long, value_name = "LO,HI,N")]
    range: Option<String>,
    /// The statistics of the table (repeatable; default: each marked lab's
    /// mean fair value and P(pop), and the sector's median phi). --json has all.
    #[arg(long = "output", value_name = "STAT")]
    outputs: Vec<String>,
    /// Also run each value with competition frozen and add the net figures.
    #[arg(long)]
    net: bool,
    #[command(flatten)]
    run: AnalysisOptions,
}

#[derive(Args)]
#[command(mut_arg("paths", paths("10000", "Paths of every run")))]
struct TornadoArgs {
    /// A preset name or a path to a .toml/.json scenario.
    scenario: String,
    /// The statistic: labs.<id>.<measure> or sector.<measure>.
    #[arg(long)]
    output: String,
    /// single (one run) or runs (two paired runs per input).
    #[arg(long, default_value = "single")]
    method: String,
    /// Only these uncertain inputs (repeatable; default: every drawn input).
    #[arg(long = "input", value_name = "PATH")]
    inputs: Vec<String>,
    /// Print only the largest N bars of the table (--json has all).
    #[arg(long, default_value_t = 15)]
    top: usize,
    #[command(flatten)]
    run: AnalysisOptions,
}

#[derive(Args)]
struct RunArgs {
    /// A preset name or a path to a .toml/.json scenario.
    #[arg(default_value = "baseline")]
    scenario: String,
    /// Override a field: PATH=VALUE (VALUE in TOML syntax). Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Number of paths [default: 100000, or the rows of --inputs].
    #[arg(long)]
    paths: Option<u64>,
    /// Take input values per path from a CSV file instead of drawing them:
    /// a header of field paths (inputs that may be uncertain), then one row
    /// per path, as many rows as paths. An optional `noise_stream` column
    /// gives each row the path whose process noise it draws.
    #[arg(long, value_name = "FILE.csv")]
    inputs: Option<PathBuf>,
    /// Keep each lab's revenue and FCF of every calendar year per path: the
    /// per-year quantiles of the summary and the yearly columns of
    /// per_path.csv. Without it each year has its mean and sd only (exact
    /// sums over the paths), and a run takes much less memory.
    #[arg(long)]
    keep_years: bool,
    /// Write summary.json, per_path.csv and timeseries.csv to this directory.
    /// It must be new, empty, or the output of an earlier run (replaced
    /// whole); its parent must exist. per_path.csv grows with --paths, about
    /// 1.6 MB per 1,000 paths for baseline (about 160 MB at the default
    /// 100,000; with --keep-years about 4.8 MB per 1,000); the other two
    /// files take about 300 kB together.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// With --out: replace DIR even if it holds files aibubble did not write
    /// (they are deleted). A file at DIR is never replaced.
    #[arg(long, requires = "out")]
    force: bool,
    /// Also write an Excel workbook of the run to FILE.xlsx: Summary (the
    /// per-lab table, every statistic, charts of a revenue fan and the phi
    /// histogram), Inputs, Time series, Per path (every path up to a
    /// sheet's 1,048,574 rows, then an evenly spaced sample) and Sources.
    /// FILE must not exist.
    #[arg(long, value_name = "FILE.xlsx", conflicts_with = "net")]
    xlsx: Option<PathBuf>,
    /// Also run the scenario with competition frozen (same seed and paths)
    /// and print each lab's P(pop), P(FV=0), P(crunch) and fair value net
    /// of what frozen competition gives, with standard errors.
    #[arg(long, conflicts_with = "out")]
    net: bool,
    #[command(flatten)]
    run: RunOptions,
}

#[derive(Args)]
#[command(mut_arg("paths", paths("5000", "Paths of every run of the search")))]
struct ImpliedArgs {
    /// The lab's id (a lab with a mark).
    lab: String,
    /// A preset name or a path to a .toml/.json scenario.
    #[arg(long, default_value = "baseline")]
    scenario: String,
    /// The input's field path (segments.<id>.growth_tau, valuation.discount_rate, ...).
    #[arg(long, value_name = "PATH")]
    input: Option<String>,
    /// mean: mean fair value = mean mark; median: median phi = 1.
    #[arg(long, default_value = "mean")]
    target: String,
    /// The bracket LO,HI in the input's unit (its central value); default
    /// from the field's domain and distribution.
    #[arg(long, value_name = "LO,HI", requires = "input", allow_hyphen_values = true)]
    bracket: Option<String>,
    #[command(flatten)]
    run: AnalysisOptions,
}

/// Why a command failed.
enum Failure {
    /// An error of the library (or of the arguments, in its terms).
    Lib(Error),
    /// Standard output could not be written.
    Stdout(io::Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Lib(e)
    }
}

/// Only stdout is written through `std::io` directly, so a bare I/O error is one of stdout's.
impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Stdout(e)
    }
}

/// Runs the command line on `args` (the program name first, as
/// `std::env::args_os` gives them) and returns the exit status (listed
/// in `aibubble --help`). Handles
/// Ctrl-C (SIGINT), SIGTERM and SIGHUP for the rest of the process: a run
/// stops, a temporary output directory is removed, and the process exits
/// with 128 + the signal's number (130, 143, 129).
pub fn main<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; usage errors exit with 2.
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(2);
        }
    };
    let command = match cli.command {
        Some(c) => c,
        // `aibubble` alone is `aibubble run`, with run's defaults.
        None => match Cli::try_parse_from(["aibubble", "run"]) {
            Ok(Cli { command: Some(c) }) => c,
            _ => {
                report("error: cannot make the default command `aibubble run`");
                return 1;
            }
        },
    };
    let cancel = CancelToken::new();
    on_signals(&cancel);
    match execute(command, &cancel, &mut io::stdout().lock()) {
        Ok(()) => 0,
        // The reader has gone (`aibubble run --json | head`): nothing is
        // wrong, there is only no one left to tell.
        Err(Failure::Stdout(e)) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(Failure::Stdout(e)) => {
            report(&format!("error: cannot write to standard output: {e}"));
            4
        }
        Err(Failure::Lib(e)) => {
            report(&format!("error: {e}{}", hint(&e)));
            exit_code(&e)
        }
    }
}

/// What the user can do about an error, where the CLI knows better than the library.
fn hint(e: &Error) -> &'static str {
    match e {
        // Only a directory can be replaced; a file never is.
        Error::OutputExists { path, .. } if Path::new(path).is_dir() => "; use --force to replace it",
        _ => "",
    }
}

/// A message on stderr, its lines kept and any other control character
/// escaped (messages are escaped where they are made; this is the net);
/// if even stderr is gone, there is no one to tell.
fn report(message: &str) {
    let lines: Vec<_> = message.split('\n').map(printable).collect();
    let _ = writeln!(io::stderr(), "{}", lines.join("\n"));
}

/// The exit status of each kind of error, so that scripts can tell a bad
/// scenario from a full disk; listed in [`EXIT_STATUS`]. clap exits with 2
/// on its own for malformed command lines.
fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Argument { .. } => 2,
        Error::Scenario(_) | Error::Parse { .. } => 3,
        Error::Io { .. } | Error::OutputExists { .. } => 4,
        Error::ResultsFile { .. } | Error::Schema { .. } => 5,
        Error::ResourceLimit(_) => 6,
        Error::Numerical { .. } => 7,
        Error::Cancelled { .. } => 130,
    }
}

/// Run one command, printing to `out`.
fn execute(command: Command, cancel: &CancelToken, out: &mut impl Write) -> Result<(), Failure> {
    match command {
        Command::Run(args) => run(args, cancel, out)?,
        Command::Sweep(args) => analysis::sweep(args, cancel, out)?,
        Command::Tornado(args) => analysis::tornado(args, cancel, out)?,
        Command::Implied(args) => implied(args, cancel, out)?,
        Command::Compare(args) => compare::compare(args, cancel, out)?,
        Command::Channels(args) => compare::channels(args, cancel, out)?,
        Command::Calibrate(args) => calibrate::calibrate(args, out)?,
        Command::Backtest(args) => backtest::backtest(args, cancel, out)?,
        Command::Sobol(args) => sobol::sobol(args, cancel, out)?,
        Command::Presets => {
            for name in presets::names() {
                let s = Scenario::preset(name)?;
                let first = s.description.split(". ").next().unwrap_or("").trim_end_matches('.');
                writeln!(out, "{name:<18} {}", printable(first))?;
            }
        }
        Command::Show { preset, expanded, json } => {
            let s = load(&preset)?;
            let value = if expanded { s.to_value_expanded() } else { s.to_value() };
            if json {
                print_json(out, &value)?;
            } else {
                write!(out, "{}", crate::scenario::value_to_toml(&value))?;
            }
        }
        Command::Validate { scenario } => {
            let s = load(&scenario)?;
            writeln!(
                out,
                "{}: valid scenario {:?} ({} labs, {} segments, {} events)",
                printable(&scenario),
                s.name,
                s.labs.len(),
                s.segments.len(),
                s.events.len()
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

/// `aibubble run`: the scenario with its overrides, run, written to `--out`
/// and printed.
fn run(args: RunArgs, cancel: &CancelToken, out: &mut impl Write) -> Result<(), Failure> {
    if let Some(dir) = &args.out {
        // Before the run, so that a refused directory costs no waiting.
        crate::internals::output::check_target(dir, args.force)?;
    }
    if let Some(file) = &args.xlsx
        && std::fs::symlink_metadata(file).is_ok()
    {
        return Err(Error::argument(
            "--xlsx",
            format!(
                "{} exists; give a new file name",
                printable(&file.display().to_string())
            ),
        )
        .into());
    }
    let base = load(&args.scenario)?;
    let mut overrides = Vec::new();
    // Every non-finite value is listed, not only the first.
    let mut problems = Vec::new();
    for s in &args.set {
        let (p, v) = s
            .split_once('=')
            .ok_or_else(|| Error::argument("--set", format!("expected PATH=VALUE, got {s:?}")))?;
        match parse_override(p.trim(), v.trim()) {
            Ok(v) => overrides.push((p.trim(), v)),
            Err(Error::Scenario(p)) => problems.extend(p.0),
            Err(e) => return Err(e.into()),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Scenario(crate::error::Problems(problems)).into());
    }
    let scenario = if overrides.is_empty() {
        base
    } else {
        base.with_overrides(overrides)?
    };
    let table = args
        .inputs
        .as_deref()
        .map(crate::analysis::input_table::read_csv)
        .transpose()?;
    let paths = match (&table, args.paths) {
        (Some(t), Some(n)) if t.rows() != n => {
            return Err(Error::argument(
                "--inputs",
                format!(
                    "the input table has {} rows, --paths is {n}: one row per path",
                    t.rows()
                ),
            )
            .into());
        }
        (Some(t), None) => t.rows(),
        (_, n) => n.unwrap_or(100_000),
    };
    // Declared before the runs that borrow it; dropped (the line cleared)
    // before anything else is printed.
    let progress = progress::Progress::for_stderr(args.run.json, "");
    let simulation = |scenario: &Scenario| -> Result<Simulation<'_>, Error> {
        let mut sim = Simulation::new(scenario)?
            .paths(paths)
            .seed(args.run.seed)
            .keep_years(args.keep_years)
            .cancel_token(cancel.clone());
        if let Some(p) = &progress {
            sim = sim.observer(p);
        }
        if let Some(t) = args.run.threads {
            sim = sim.threads(t);
        }
        if let Some(bytes) = args.run.max_memory {
            sim = sim.max_memory(bytes);
        }
        if let Some(t) = &table {
            sim = sim.inputs(t)?;
        }
        Ok(sim)
    };
    let sim = simulation(&scenario)?;
    if let Some(t) = args.run.threads
        && sim.threads_used() < t
    {
        report(&format!(
            "note: --threads {t} capped at {} (the cores available)",
            sim.threads_used()
        ));
    }
    let results = sim.run();
    progress::clear();
    let results = results?;
    let collapsed = results.collapsed_series();
    if !collapsed.is_empty() {
        report(&format!(
            "note: the values of {} series span more than 17 orders of magnitude; their low quantiles are coarse",
            collapsed.len()
        ));
    }
    if args.net {
        // The same seed and paths: the pair shares its draws (docs/equations.md §11).
        let frozen = simulation(&scenario.freeze_competition())?.run();
        progress::clear();
        let frozen = frozen?;
        let net = results.net(&frozen)?;
        let (summary, frozen_summary) = (results.summary(), frozen.summary());
        if args.run.json {
            print_json(out, &net.summary_json(&summary, &frozen_summary))?;
        } else {
            print_net_table(out, &summary, &net)?;
        }
        return Ok(());
    }
    let summary = results.summary();
    if let Some(dir) = &args.out {
        crate::internals::output::write_run(dir, &results, args.force)?;
        if !args.run.json {
            report(&format!("wrote {}", printable(&dir.display().to_string())));
        }
    }
    if let Some(file) = &args.xlsx {
        crate::workbook::write(&results, file, &crate::workbook::Options::default())?;
        if !args.run.json {
            report(&format!("wrote {}", printable(&file.display().to_string())));
        }
    }
    if args.run.json {
        writeln!(out, "{}", json_printable(&summary.to_json()))?;
    } else {
        print_table(out, &summary)?;
    }
    Ok(())
}

/// `aibubble implied`: one input's root, or the investor's page.
fn implied(args: ImpliedArgs, cancel: &CancelToken, out: &mut impl Write) -> Result<(), Failure> {
    use crate::analysis::implied::{Options, PageRow, Target, implied, investor_page};
    let scenario = load(&args.scenario)?;
    let bracket = match &args.bracket {
        None => None,
        Some(text) => {
            let parsed = text
                .split_once(',')
                .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)));
            Some(parsed.ok_or_else(|| Error::argument("--bracket", format!("expected LO,HI, got {text:?}")))?)
        }
    };
    let target = Target::parse(&args.target)?;
    let title = format!("implied {}", args.lab);
    // The options are printed with the page.
    let (options, rows) = args.run.observed(&title, cancel, |runs| {
        let options = Options {
            paths: runs.paths,
            seed: runs.seed,
            target,
            bracket,
            cancel: runs.cancel,
            threads: runs.threads,
            max_memory: runs.max_memory,
            observer: runs.observer,
            executor: None,
        };
        let rows = match &args.input {
            Some(input) => vec![PageRow::Root(Box::new(implied(&scenario, &args.lab, input, &options)?))],
            None => investor_page(&scenario, &args.lab, &options)?,
        };
        Ok((options, rows))
    })?;
    if args.run.run.json {
        print_json(out, &rows)?;
    } else {
        table::print_implied(out, &scenario, &args.lab, &options, &rows)?;
    }
    Ok(())
}

/// Where a scenario named on the command line comes from.
enum Source<'a> {
    Preset(&'a str),
    File(&'a Path),
}

/// A preset name, or else a file that exists; whether it is a scenario file
/// (a regular file named `*.toml` or `*.json`, at most 16 MiB) is checked
/// before it is read, an I/O error naming it if not.
fn source(name: &str) -> Result<Source<'_>, Error> {
    if presets::names().contains(&name) {
        return Ok(Source::Preset(name));
    }
    let path = Path::new(name);
    // Follows links without opening: a FIFO does not block here.
    if std::fs::metadata(path).is_ok() {
        return Ok(Source::File(path));
    }
    Err(Error::argument(
        "scenario",
        format!(
            "{name:?} is neither a preset ({}) nor a file",
            presets::names().join(", ")
        ),
    ))
}

/// The scenario argument of `run`, `show` and `validate`: a preset name, or
/// a regular file named `*.toml` or `*.json` of at most 16 MiB, validated
/// (public for the fuzz target, which runs it on files that `extends`
/// others).
///
/// # Errors
/// [`Error::Argument`] for a name that is neither a preset nor an existing
/// file; the errors of [`Scenario::from_file`] otherwise ([`Error::Io`]
/// for a file that is no scenario file).
pub fn load(name: &str) -> Result<Scenario, Error> {
    match source(name)? {
        Source::Preset(p) => Scenario::preset(p),
        Source::File(path) => Scenario::from_file(path),
    }
}

/// JSON with every character a terminal could act on escaped: serde_json
/// escapes C0 controls but writes DEL, C1 and bidirectional overrides raw.
/// Outside strings JSON has none of them, so the escape is exact.
/// Print `value` as pretty JSON, control characters escaped (`--json`).
fn print_json(out: &mut impl Write, value: &impl serde::Serialize) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::from)?;
    writeln!(out, "{}", json_printable(&text))
}

fn json_printable(text: &str) -> std::borrow::Cow<'_, str> {
    use crate::error::unsafe_char;
    if !text.chars().any(unsafe_char) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) && c != '\n' {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// `--max-memory`: a size such as `8G` or `512M`.
fn parse_memory(text: &str) -> Result<u64, String> {
    crate::internals::parse_size(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every status that [`exit_code`] gives is explained in `--help`.
    #[test]
    fn every_exit_code_is_documented() {
        let io = || std::io::Error::other("x");
        let errors = [
            Error::argument("a", "b"),
            Error::problem("a", "b"),
            Error::Parse {
                what: "a".into(),
                message: "b".into(),
            },
            Error::Io {
                path: "a".into(),
                source: io(),
            },
            Error::OutputExists {
                path: "a".into(),
                found: "b".into(),
            },
            Error::ResultsFile { message: "a".into() },
            Error::Schema { found: 2, supported: 1 },
            Error::ResourceLimit("a".into()),
            Error::numerical("gap", 1, 2, 2026.0, f64::NAN, "must be finite"),
            Error::Cancelled { done: 1, total: 2 },
        ];
        let mut codes: Vec<u8> = errors.iter().map(exit_code).collect();
        codes.extend([0, 1]);
        for code in codes {
            let line = format!("\n  {code:<5}");
            assert!(
                EXIT_STATUS.contains(&line),
                "exit status {code} is not in\n{EXIT_STATUS}"
            );
        }
    }
}
