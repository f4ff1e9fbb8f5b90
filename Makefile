# shadowread: build, test and demo entry points (GNU make).
#
#   make test    vet and gofmt check, then go test -race in every Go module with
#                PostgreSQL and dynalite started for the run (scripts/with-servers.sh)
#   make demo    the example service's demo
#   make bench   benchmarks (bench/ once it exists, else every package's)
#   make fuzz    every fuzz target for FUZZTIME each
#   make vet     go vet in every module
#   make fmt     gofmt -w every Go file
#   make tools   npm ci: the pinned dynalite of package-lock.json
#
# With CI set, anything missing fails the target instead of being skipped.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

# The race detector makes the tests several times slower; the bound is there
# for a hung test, not for a slow machine.
TEST_TIMEOUT ?= 20m
FUZZTIME ?= 30s

# Every Go file of the repository, outside node_modules and testdata (which
# the go tool ignores too).
GO_FILES = $(shell find . \( -name node_modules -o -name .git -o -name testdata \) -prune -o -name '*.go' -print)

.PHONY: test demo bench fuzz vet fmt fmtcheck tools

test: vet fmtcheck
	scripts/with-servers.sh scripts/each-module.sh go test -race -count=1 -timeout $(TEST_TIMEOUT) ./...

vet:
	scripts/each-module.sh go vet ./...

fmt:
	gofmt -w $(GO_FILES)

fmtcheck:
	@unformatted=$$(gofmt -l $(GO_FILES)); \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt would change these files (run make fmt):" >&2; \
		echo "$$unformatted" >&2; \
		exit 1; \
	fi

demo:
	@if [ -f example/Makefile ]; then \
		$(MAKE) -C example demo; \
	else \
		echo "make demo: not yet: the example service has not landed"; \
		if [ -n "$${CI:-}" ]; then exit 1; fi; \
	fi

bench:
	@if [ -f bench/Makefile ]; then \
		$(MAKE) -C bench bench; \
	else \
		scripts/with-servers.sh scripts/each-module.sh go test -run '^$$' -bench . -benchmem ./...; \
	fi

fuzz:
	scripts/with-servers.sh scripts/fuzz.sh $(FUZZTIME)

tools:
	npm ci --no-audit --no-fund
