# `make test` is the one test command of the README (CI runs it from .ci/run).
# `make crate-test` (part of it) builds the README's Rust example as a crate
# of its own outside the repository, depending on aibubble by path.
# `make notebooks` re-executes the notebooks at full path count, in place.
# `make screenshots` retakes the README's images of the explorer and the
# report (docs/images/), through their browser tests.
# `make bench-compare` times the engine (1 thread, all cores) against the
# NumPy implementation of the model (benches/numpy_model.py) and the RNG
# floor (examples/rng_floor.rs) at 1e5 and 1e6 paths (benches/compare.py;
# about 20 min on a loaded 2-core machine; not part of `make test`).
# `make mutants` breaks the engine's recurrences one at a time and checks
# that the model tests catch each (about 10 min warm; not part of `make test`).
# `make package-test` runs `cargo package` and then the package's own tests,
# doc tests and docs from the unpacked crate alone (tests/package_test.sh).
# `make wheel` builds the manylinux2014 wheel into dist/; `make sdist` the
# source distribution; `make wheel-test` checks both with `twine check`, and
# installs the wheel in a fresh venv without Rust and smoke-tests it.
#
# Each stage prints a header: the time of day, what runs, and how long it
# takes on a 2-core machine, first on a fresh clone and then when warm; a
# range runs from the machine to itself to the machine shared with four
# other builds (load 5 to 8), which can take three times as long.

VENV ?= .venv
PY := $(VENV)/bin/python
# Paths per run for examples and notebooks executed by the tests.
TEST_PATHS ?= 2000

# The wheel: built by maturin with zig as the linker against glibc 2.17
# (manylinux2014), from a build venv of its own; installed into a venv made
# anew each time, by a pip that sees no cargo or rustc.
BUILD_VENV ?= .build-venv
WHEEL_VENV ?= .wheel-venv
WHEEL_DIR ?= dist
# twine 6.1 or later reads metadata 2.4 (the SPDX `License-Expression`).
BUILD_REQS := "maturin>=1.9,<2" "ziglang==0.17.1" "auditwheel>=6" "twine>=6.1"
WHEEL_GLOB := $(WHEEL_DIR)/aibubble-*-manylinux*.whl
SDIST_GLOB := $(WHEEL_DIR)/aibubble-*.tar.gz
# PATH less ~/.cargo/bin and any rustup directory.
NO_RUST_PATH := $(shell printf '%s' "$$PATH" | tr ':' '\n' | grep -v -e '\.cargo' -e rustup | paste -sd: -)

STAGE = @printf '\n==> %s  %s\n' "$$(date +%H:%M:%S)"

.PHONY: screenshots bench-compare test rust-test examples-test python-test crate-test package-test notebooks-test notebooks venv wheel sdist wheel-test mutants

test: rust-test examples-test python-test crate-test package-test notebooks-test wheel-test
	$(STAGE) "make test: every stage passed"

rust-test:
	$(STAGE) "cargo fmt --check (seconds)"
	cargo fmt --check
	$(STAGE) "cargo clippy, all targets, warnings as errors (fresh clone: 1 to 2.5 min; warm: seconds)"
	cargo clippy --all-targets -- -D warnings
	$(STAGE) "cargo clippy, library without default features, then with python (fresh clone: 0.5 to 1.5 min; warm: seconds)"
	cargo clippy --lib --no-default-features -- -D warnings
	cargo clippy --lib --no-default-features --features python -- -D warnings
	$(STAGE) "cargo test --no-run: build the optimised test binaries, a line as each is built (fresh clone: 2.5 to 9 min, of which 0.5 to 3 min on the library alone, a line a minute meanwhile; warm: seconds)"
	python3 tests/cargo_progress.py test --no-run
	$(STAGE) "cargo test: run the unit, integration and doc tests (30 s on an idle machine, 1.5 to 2 min on a loaded one)"
	cargo test
	$(STAGE) "cargo doc, warnings as errors (seconds)"
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --lib

examples-test:
	$(STAGE) "cargo build --release --examples (fresh clone: 2 to 4 min; warm: seconds)"
	cargo build --release --examples
	$(STAGE) "examples on $(TEST_PATHS) paths: ft_bubble turning_points moat_vs_parity custom_scenario channels (channels on ft_bubble only: 128 runs; seconds to a minute)"
	for ex in ft_bubble turning_points moat_vs_parity custom_scenario channels; do \
		echo "    $$ex"; \
		AIBUBBLE_PATHS=$(TEST_PATHS) ./target/release/examples/$$ex $$([ $$ex = channels ] && echo ft_bubble) > /dev/null || exit 1; \
	done

# The package is built by `pip install .` (maturin), as a user would.
$(VENV)/.installed: pyproject.toml Cargo.toml Cargo.lock $(shell find src python presets -type f)
	$(STAGE) "pip install \".[test]\" into $(VENV): builds the Rust core in release, quiet while cargo compiles (fresh clone: 1 to 4 min; about a minute after a change to src/; skipped when nothing changed)"
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install ".[test]"
	touch $@

venv: $(VENV)/.installed

python-test: venv
	$(STAGE) "cargo build --release --bin aibubble, for the CLI parity tests (seconds after the examples; under a minute after a change)"
	cargo build --release --bin aibubble
	$(STAGE) "pytest tests/python (45 s on an idle machine, 1.5 to 3.5 min on a loaded one)"
	$(PY) -m pytest -q tests/python
	$(STAGE) "mypy.stubtest aibubble._core: the type stubs against the module (about 15 s)"
	$(PY) -m mypy.stubtest aibubble._core

notebooks-test: venv
	$(STAGE) "notebooks on $(TEST_PATHS) paths, five of them (about two minutes)"
	AIBUBBLE_PATHS=$(TEST_PATHS) $(PY) tests/run_notebooks.py

# The README's screenshots of the explorer and the report, taken by their
# browser tests in Debian's chromium.
screenshots: venv
	AIBUBBLE_SCREENSHOTS=docs/images $(PY) -m pytest -q tests/python/test_explore_app.py tests/python/test_report.py -k "slider or chromium"

notebooks: venv
	$(PY) tests/run_notebooks.py --in-place

$(BUILD_VENV)/.installed: Makefile
	$(STAGE) "build venv $(BUILD_VENV): maturin, ziglang, auditwheel, twine from PyPI (about 15 s)"
	test -x $(BUILD_VENV)/bin/python || python3 -m venv $(BUILD_VENV)
	$(BUILD_VENV)/bin/python -m pip install -q --upgrade pip
	$(BUILD_VENV)/bin/python -m pip install $(BUILD_REQS)
	touch $@

wheel: $(BUILD_VENV)/.installed
	$(STAGE) "maturin build --zig --compatibility manylinux2014 into $(WHEEL_DIR)/ (fresh clone: about 4 min alone, 2 to 4 min after the builds above; warm: seconds)"
	rm -f $(WHEEL_GLOB)
	PATH="$(abspath $(BUILD_VENV))/bin:$$PATH" maturin build --release --zig \
		--compatibility manylinux2014 --out $(WHEEL_DIR)
	$(STAGE) "auditwheel show: the wheel must need nothing newer than glibc 2.17 (seconds)"
	$(BUILD_VENV)/bin/auditwheel show $(WHEEL_GLOB) | tee $(BUILD_VENV)/auditwheel.txt
	@tr -s ' \n' '  ' < $(BUILD_VENV)/auditwheel.txt | grep -Eq 'consistent with the following platform tag: "manylinux_2_(5|12|17)_' \
		|| { echo "error: the wheel is not manylinux_2_17 (manylinux2014) compatible"; exit 1; }

sdist: $(BUILD_VENV)/.installed
	$(STAGE) "maturin sdist into $(WHEEL_DIR)/ (seconds)"
	rm -f $(SDIST_GLOB)
	PATH="$(abspath $(BUILD_VENV))/bin:$$PATH" maturin sdist --out $(WHEEL_DIR)

wheel-test: wheel sdist
	$(STAGE) "twine check --strict: the sdist's and the wheel's metadata, as PyPI reads them (seconds)"
	$(BUILD_VENV)/bin/twine check --strict $(SDIST_GLOB) $(WHEEL_GLOB)
	$(STAGE) "fresh venv $(WHEEL_VENV): pip install the wheel with no cargo or rustc on PATH, binary dependencies only (under a minute)"
	rm -rf $(WHEEL_VENV)
	python3 -m venv $(WHEEL_VENV)
	@env PATH="$(NO_RUST_PATH)" sh -c '! command -v cargo && ! command -v rustc' > /dev/null \
		|| { echo "error: cargo or rustc still on PATH without ~/.cargo/bin and rustup"; exit 1; }
	env PATH="$(NO_RUST_PATH)" $(WHEEL_VENV)/bin/python -m pip install -q --upgrade pip
	env PATH="$(NO_RUST_PATH)" $(WHEEL_VENV)/bin/python -m pip install --only-binary :all: $(WHEEL_GLOB)
	$(STAGE) "wheel smoke test: import, version, baseline on 500 paths (seconds)"
	env PATH="$(NO_RUST_PATH)" $(WHEEL_VENV)/bin/python tests/wheel_smoke.py $(WHEEL_GLOB)

# The README's "As a Rust crate" section as a user's crate outside the repo.
crate-test:
	$(STAGE) "the README's Rust example as a crate of its own, aibubble by path without default features, offline (after the release builds above: 10 to 40 s; warm: seconds)"
	bash tests/crate_test.sh

# The crate as crates.io gets it: cargo package, then its tests and docs from
# the unpacked package alone, built in target/ beside the repository's.
package-test:
	$(STAGE) "cargo package, then the package's tests, doc tests and docs from the package alone (fresh clone: about 4.5 min on an idle machine, of which 2.5 min building the tests; warm: about 1 min, mostly the tests running)"
	bash tests/package_test.sh

mutants:
	$(STAGE) "engine mutants: each recurrence broken in turn against the model tests (about 10 min warm)"
	python3 tests/engine_mutants.py --report tests/engine_mutants.md

bench-compare: venv
	$(STAGE) "benches/compare.py: engine against NumPy and the RNG floor, 1e5 and 1e6 paths (about 20 min on a loaded 2-core machine)"
	cargo build --release --example rng_floor
	$(PY) benches/compare.py $(BENCH_ARGS)
