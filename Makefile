# `make test` is the one test command of the README (CI runs it from .ci/run).
# `make notebooks` re-executes the notebooks at full path count, in place.

VENV ?= .venv
PY := $(VENV)/bin/python
# Paths per run for examples and notebooks executed by the tests.
TEST_PATHS ?= 2000

.PHONY: test rust-test examples-test python-test notebooks-test notebooks venv

test: rust-test examples-test python-test notebooks-test

rust-test:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --no-default-features -- -D warnings
	cargo clippy --lib --no-default-features --features python -- -D warnings
	cargo test
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --lib

examples-test:
	cargo build --release --examples
	for ex in ft_bubble turning_points moat_vs_parity custom_scenario; do \
		AIBUBBLE_PATHS=$(TEST_PATHS) ./target/release/examples/$$ex > /dev/null || exit 1; \
	done

# The package is built by `pip install .` (maturin), as a user would.
$(VENV)/.installed: pyproject.toml Cargo.toml Cargo.lock $(shell find src python presets -type f)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q ".[test]"
	touch $@

venv: $(VENV)/.installed

python-test: venv
	cargo build --release --bin aibubble
	$(PY) -m pytest -q tests/python
	$(PY) -m mypy.stubtest aibubble._core

notebooks-test: venv
	AIBUBBLE_PATHS=$(TEST_PATHS) $(PY) tests/run_notebooks.py

notebooks: venv
	$(PY) tests/run_notebooks.py --in-place
