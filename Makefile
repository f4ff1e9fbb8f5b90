# shadowread: build, test and demo entry points (GNU make).
#
#   make test    vet and gofmt check, the Prometheus rule tests, then go test -race
#                in every Go module with PostgreSQL and dynalite started for the
#                run (scripts/with-servers.sh)
#   make rules   promtool check rules and promtool test rules on
#                example/observability (installs Debian's prometheus if missing)
#   make demo    the example service's demo
#   make observe the demo with Jaeger and Prometheus on loopback (not in CI)
#   make bench   benchmarks (bench/RESULTS.md says what they measure)
#   make soak    the fault run: stores stalled and stopped under load, checked
#                (about 6 minutes; not in CI; bench/Makefile)
#   make fuzz    every fuzz target for FUZZTIME each
#   make vet     go vet in every module
#   make fmt     gofmt -w every Go file
#   make tools   npm ci: the pinned dynalite of package-lock.json
#
# A tool that is missing is installed (PostgreSQL, Prometheus: Debian's
# packages, as root; dynalite: npm) or fails the target; nothing is skipped.

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

.PHONY: test rules demo observe bench soak fuzz vet fmt fmtcheck tools

# The fleet test in example/observability runs a Prometheus server too.
test: vet fmtcheck rules
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

OBSERVABILITY := example/observability

rules:
	scripts/ensure-prometheus.sh
	promtool check rules $(OBSERVABILITY)/readiness.rules.yml $(OBSERVABILITY)/alerts.yml
	cd $(OBSERVABILITY) && promtool test rules readiness.test.yml alerts.test.yml

demo:
	$(MAKE) -C example demo

observe:
	$(MAKE) -C example observe

bench:
	$(MAKE) -C bench bench

# The fault run (about 6 minutes): see bench/Makefile.
soak:
	$(MAKE) -C bench soak

fuzz:
	scripts/with-servers.sh scripts/fuzz.sh $(FUZZTIME)

tools:
	npm ci --no-audit --no-fund
