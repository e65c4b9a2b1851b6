#!/usr/bin/env bash
# `make crate-test`: the README's "As a Rust crate" section, as a new user
# would follow it. A crate made outside the repository takes its
# `[dependencies]` from the README's toml block (the path made absolute) and
# its src/main.rs from the README's rust block, then builds and runs with
# `cargo run --release --offline`. It depends on aibubble alone: no
# serde_json (aibubble re-exports `Value`), no command line
# (`default-features = false`, so no clap).
#
# The repository's Cargo.lock is copied in first so that every version
# resolves from the local cache as in the repository, and the build goes to
# $CRATE_TEST_TARGET (default: the repository's target/, so that the
# dependencies built in release for the examples and the binary are reused:
# only aibubble without its default features and the example are compiled).
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
README="$REPO/README.md"
TARGET="${CRATE_TEST_TARGET:-$REPO/target}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/aibubble-crate-test.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# The fenced block of the given language that comes first after the heading.
block() {
    awk -v lang="$1" '
        /^## / { in_section = ($0 == "## As a Rust crate") }
        in_section && !done && $0 == "```" lang { inside = 1; next }
        inside && /^```/ { inside = 0; done = 1; next }
        inside { print }
    ' "$README"
}

deps="$(block toml)"
main="$(block rust)"
[ -n "$deps" ] || { echo "error: no toml block under '## As a Rust crate' in README.md"; exit 1; }
[ -n "$main" ] || { echo "error: no rust block under '## As a Rust crate' in README.md"; exit 1; }

# The README's dependency table: [dependencies] and the one line for aibubble.
if [ "$(printf '%s\n' "$deps" | grep -cv -e '^\[dependencies\]$' -e '^\s*$' -e '^\s*#')" != 1 ] \
    || ! printf '%s\n' "$deps" | grep -q '^aibubble = { path = "\.\./aibubble", default-features = false }$'; then
    echo "error: README.md's toml block must be [dependencies] with the one line"
    echo '  aibubble = { path = "../aibubble", default-features = false }'
    printf 'it is:\n%s\n' "$deps"
    exit 1
fi

mkdir -p "$WORK/readme-example/src"
cd "$WORK/readme-example"
{
    printf '[package]\nname = "readme-example"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
    printf '# Not part of any workspace above it.\n[workspace]\n\n'
    printf '%s\n' "$deps" | sed "s#path = \"\\.\\./aibubble\"#path = \"$REPO\"#"
} > Cargo.toml
# rustdoc's hidden lines (`# code`) are compiled too: keep them, unmarked.
printf '%s\n' "$main" | sed -e 's/^# //' -e 's/^#$//' > src/main.rs
cp "$REPO/Cargo.lock" Cargo.lock

echo "    crate: $WORK/readme-example (target: $TARGET)"
sed 's/^/    | /' Cargo.toml | grep -v '^    | $'

export CARGO_TARGET_DIR="$TARGET"

# What the crate depends on, as cargo resolves it: aibubble alone, and
# nothing of the command line's.
direct="$(cargo tree --offline -e normal --depth 1 --prefix none | sed 1d | awk '{print $1}' | sort -u)"
[ "$direct" = aibubble ] || { echo "error: the crate depends on more than aibubble: $direct"; exit 1; }
if cargo tree --offline -e normal --prefix none | awk '{print $1}' | grep -qx -e clap -e comfy-table -e ctrlc -e signal-hook; then
    echo "error: default-features = false still pulls in the command line's dependencies"
    exit 1
fi

start=$SECONDS
out="$(cargo run --offline --release)"
printf '%s\n' "$out" | sed 's/^/    > /'
printf '%s\n' "$out" | grep -q '^OpenAI: median fair value [0-9.]* bn, P(pop) [0-9.]*$' \
    || { echo "error: the README example printed something else"; exit 1; }
echo "    built and ran in $((SECONDS - start)) s"
