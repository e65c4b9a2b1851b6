#!/usr/bin/env bash
# `make package-test`: the crate as crates.io would get it. `cargo package
# --locked` makes target/package/aibubble-VERSION.crate and builds it (as
# `cargo publish` does); its files are listed and checked (what the tests
# and docs read is in, the Python package, notebooks and fuzz package are
# not); then the package's own tests, doc tests and docs run from the
# unpacked package alone, outside the repository's tree of sources.
#
# The build goes to the repository's target/ (CARGO_TARGET_DIR), so the
# dependencies built for `cargo test` are reused. The package's own units
# need names of their own there: cargo names a workspace's root package's
# files the same whatever directory it is in, so the package's build would
# overwrite the repository's (and `cargo test` in the repository would then
# take them as fresh, run them and read the package's files). A profile
# setting for aibubble alone, `incremental = false` (which changes nothing
# the tests see), gives them other names.
#
# `cargo package` unpacks the crate anew each time, every file with a new
# modification time, which would rebuild everything on every run. The tests
# run in a copy, target/package-test/aibubble-VERSION, in which only the
# files whose contents changed are replaced: a second run rebuilds only what
# changed.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
VERSION="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
NAME="aibubble-$VERSION"
export CARGO_TARGET_DIR="$REPO/target"
OWN=(--config 'profile.dev.package.aibubble.incremental = false'
     --config 'profile.test.package.aibubble.incremental = false')

# --allow-dirty: `make test` runs on a working tree with changes not yet
# committed, and the package is made of them (`cargo publish` would refuse).
echo "--- cargo package --locked: $NAME.crate, then build it"
cargo package --locked --allow-dirty "${OWN[@]}"
CRATE="target/package/$NAME.crate"
UNPACKED="target/package/$NAME"

echo "--- the files of $NAME.crate"
FILES="$(tar tzf "$CRATE" | sed "s|^$NAME/||" | sort)"
printf '%s\n' "$FILES" | awk -F/ '
    NF == 1 { top = top " " $1; next }
    { n[$1 "/"]++ }
    END { for (d in n) printf "    %-12s %d files\n", d, n[d]; print "    top level:" top }' | sort
echo "    $(printf '%s\n' "$FILES" | wc -l) files, $(du -k "$CRATE" | cut -f1) KiB packed, $(du -sk "$UNPACKED" | cut -f1) KiB unpacked"
missing=""
for f in README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE Cargo.lock docs/equations.md docs/model.md \
    docs/errors.md docs/architecture.md data/README.md presets/baseline.toml tests/data/frozen.toml \
    tests/invalid tests/fuzz/reader.rs tests/fuzz/regressions/README.md python/aibubble/errors.py; do
    printf '%s\n' "$FILES" | grep -q "^$f" || missing="$missing $f"
done
[ -z "$missing" ] || { echo "error: not in the package:$missing"; exit 1; }
extra="$(printf '%s\n' "$FILES" | grep -E '^(notebooks|target|fuzz|dist|tests/python|\.venv|\.build-venv|\.wheel-venv|\.ci)/|\.ipynb$|\.so$' || true)"
[ -z "$extra" ] || { echo "error: in the package, and should not be:"; printf '    %s\n' $extra; exit 1; }

echo "--- target/package-test/$NAME: the unpacked package, changed files only replaced"
COPY="target/package-test/$NAME"
mkdir -p "$COPY"
(cd "$COPY" && find . -type f) | while read -r f; do
    [ -f "$UNPACKED/$f" ] || rm "$COPY/$f"
done
changed=0
while read -r f; do
    if ! cmp -s "$UNPACKED/$f" "$COPY/$f"; then
        mkdir -p "$(dirname "$COPY/$f")"
        cp "$UNPACKED/$f" "$COPY/$f"
        changed=$((changed + 1))
    fi
done < <(cd "$UNPACKED" && find . -type f)
echo "    $changed files new or changed"

cd "$COPY"
echo "--- cargo test --no-run, from the package"
cargo test --locked "${OWN[@]}" --no-run
echo "--- cargo test, from the package: every test and doc test"
cargo test --locked "${OWN[@]}"
echo "--- cargo doc, warnings as errors, from the package"
RUSTDOCFLAGS="-D warnings" cargo doc --locked "${OWN[@]}" --no-deps --lib
