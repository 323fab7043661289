# switchboard: the two commands of the README, and their parts.
#   make run   install dependencies, build, start the server on ./var (SQLite)
#   make test  install dependencies, build, run every unit and end-to-end test
SHELL := /bin/bash
JOBS ?= $(shell nproc)
# Let ccache hit across clones (CI builds a fresh clone each time): paths relative to the
# checkout, and no build directory in the hash.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true

.PHONY: run test deps build build-asan unit unit-asan e2e fuzz-smoke bench clean

run: deps build
	./build/release/switchboard serve --data-dir var --show-credentials

test: deps build build-asan
	@set -o pipefail; status=0; \
	  echo "== unit tests (release) =="; ctest --preset release -j $(JOBS) || status=1; \
	  echo "== unit tests (address + undefined sanitizers) =="; ctest --preset asan -j $(JOBS) || status=1; \
	  echo "== fuzzing the SIP parser briefly (fuzz/run-smoke) =="; $(MAKE) --no-print-directory fuzz-smoke || status=1; \
	  echo "== end-to-end tests =="; $(MAKE) --no-print-directory e2e || status=1; \
	  exit $$status

deps:
	@scripts/install-deps

build:
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

build-asan:
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)

unit: build
	ctest --preset release -j $(JOBS)

unit-asan: build-asan
	ctest --preset asan -j $(JOBS)

e2e: build
	cd tests/e2e && SWITCHBOARD_BIN=$(CURDIR)/build/release/switchboard node --test --test-concurrency=2 --test-reporter=spec

# Replays the fuzz corpus and fuzzes the SIP parser for FUZZ_SECONDS (longer runs: fuzz/run-smoke 600).
FUZZ_SECONDS ?= 15
fuzz-smoke:
	fuzz/run-smoke $(FUZZ_SECONDS)

bench: build
	@ls build/release/bench/*_bench >/dev/null 2>&1 && for b in build/release/bench/*_bench; do $$b; done || echo "no benchmarks built"

clean:
	rm -rf build
