// Shared by the example binaries (included with `mod common;`).
// Each example uses some of these helpers, not all.
#![allow(dead_code)]

/// Paths per run: `AIBUBBLE_PATHS` if set (the test command uses a small
/// number), else 50,000.
pub fn paths() -> u64 {
    std::env::var("AIBUBBLE_PATHS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000)
}

pub fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The example's question, with the paths and seed behind every number.
pub fn header(question: &str, paths: u64, seed: u64) {
    println!("{question}");
    println!("({paths} paths, seed {seed}; the same seed gives the same numbers. Money in USD bn.)\n");
}
