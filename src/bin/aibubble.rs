//! The `aibubble` command line (see `src/cli/`).

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(aibubble::cli::main(std::env::args_os()))
}
