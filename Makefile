# The one test command of the README: `make test`.
.PHONY: test rust-test

test: rust-test

rust-test:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --no-default-features -- -D warnings
	cargo test
