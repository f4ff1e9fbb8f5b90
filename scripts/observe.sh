#!/usr/bin/env bash
# observe.sh CATALOG_BINARY
#
# make observe: the example's demo with Jaeger and Prometheus on loopback.
# Run it inside scripts/with-servers.sh (example/Makefile does). It
#
#   1. builds Jaeger v1.76.0 from the Go module proxy once and caches the
#      binary in $SHADOWREAD_CACHE (default ~/.cache/shadowread; about 12 min
#      on a busy 2-core machine; JAEGER_BIN names a binary to use instead),
#   2. starts Jaeger on loopback only (OTLP/HTTP 127.0.0.1:4318, query API
#      127.0.0.1:16686) and
#      Prometheus (rules of example/observability, scraping the demo's admin
#      listener every 5 s, on a free port from 9090 up),
#   3. runs the demo with OTEL_EXPORTER_OTLP_ENDPOINT pointing at Jaeger and
#      a parent-based 25% sampler (OTEL_TRACES_SAMPLER_ARG to change it),
#      its report page linking trace ids to Jaeger (SHADOWREAD_TRACE_URL),
#   4. once the demo's report is out, checks that the trace ids on the report
#      page, in the exemplars of /metrics and in the mismatch log lines
#      resolve in Jaeger, counts mismatch spans per route and per index-free
#      diff field (shadowread.diff.field) with Jaeger's tag search, puts
#      Prometheus's fleet bound beside the service's own per route and
#      direction (one replica here), runs the three-replica fleet test for
#      the fleet figures (OBSERVE_NO_FLEET=1 skips it), runs the cutover
#      controller's dry run against its Prometheus, then prints where to
#      click.
#
# It serves until Ctrl-C, or exits after the checks with OBSERVE_EXIT=1.
# A failure keeps the logs and prints where they are (OBSERVE_KEEP_LOGS=1
# keeps them always).
# Needs curl and jq, and Prometheus (installed by ensure-prometheus.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { printf 'observe: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ $# -eq 1 ] || die "usage: scripts/observe.sh CATALOG_BINARY (make -C example observe)"
catalog=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -n "${SHADOWREAD_PG_URL:-}" ] || die "run it inside scripts/with-servers.sh (make -C example observe does)"
for tool in curl jq go; do
	command -v "$tool" >/dev/null || die "$tool was not found (Debian: apt-get install $tool)"
done
"$root/scripts/ensure-prometheus.sh"

jaeger_version=v1.76.0
cache=${SHADOWREAD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shadowread}
jaeger=${JAEGER_BIN:-$cache/jaeger-$jaeger_version}

# build_jaeger builds Jaeger's all-in-one binary from the module proxy.
# `go install ...@v1.76.0` is refused (its go.mod has replace directives),
# so the module is downloaded, copied out of the read-only module cache and
# built inside its own directory.
#
# The build prints nothing for minutes, so a line every 30 s says it is
# still going; its output goes to a log that is kept when it fails.
build_jaeger() {
	local dir src build_log pid started=$SECONDS next status=0
	log "building Jaeger $jaeger_version into $jaeger (once; about 12 minutes on 2 busy cores)"
	dir=$(go mod download -json "github.com/jaegertracing/jaeger@$jaeger_version" | jq -r .Dir)
	[ -d "$dir" ] || die "go mod download github.com/jaegertracing/jaeger@$jaeger_version failed"
	src=$(mktemp -d "${TMPDIR:-/tmp}/shadowread-jaeger.XXXXXX")
	cp -r "$dir/." "$src"
	chmod -R u+w "$src"
	mkdir -p "$(dirname "$jaeger")"
	build_log=$jaeger.build.log
	(cd "$src" && exec go build -o "$jaeger.tmp" ./cmd/jaeger) >"$build_log" 2>&1 &
	pid=$!
	# An interrupted script stops the build and removes its copy.
	trap 'kill "$pid" 2>/dev/null || true; rm -rf "$src"' EXIT
	next=$((started + 30))
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if [ "$SECONDS" -ge "$next" ]; then
			log "still building Jaeger ($((SECONDS - started))s so far)"
			next=$((next + 30))
		fi
	done
	wait "$pid" || status=$?
	trap - EXIT
	rm -rf "$src"
	if [ "$status" -ne 0 ]; then
		tail -n 20 "$build_log" >&2
		die "building Jaeger failed (exit $status); the build log is $build_log"
	fi
	mv "$jaeger.tmp" "$jaeger"
	rm -f "$build_log"
	log "built Jaeger in $((SECONDS - started))s"
}
[ -x "$jaeger" ] || build_jaeger

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
first_free_port() {
	local p
	for p in $(seq "$1" $(($1 + 100))); do
		if port_free "$p"; then
			echo "$p"
			return
		fi
	done
	die "no free port from $1 to $(($1 + 100))"
}
for p in 4317 4318 16685 16686; do
	port_free "$p" || die "port $p is taken: Jaeger's default ports 4317, 4318, 16685 and 16686 must be free"
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/shadowread-observe.XXXXXX")
pids=()
cleanup() {
	local status=$? pid
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	# A failure keeps the logs (Jaeger's, Prometheus', the demo's output) for
	# a look; a clean run or a Ctrl-C removes them unless OBSERVE_KEEP_LOGS=1.
	if [ "${OBSERVE_KEEP_LOGS:-}" = 1 ] || { [ "$status" -ne 0 ] && [ "$status" -ne 130 ] && [ "$status" -ne 143 ]; }; then
		log "logs kept in $dir (jaeger.log, prometheus.log, demo.out)"
	else
		log "logs were in $dir (removed; OBSERVE_KEEP_LOGS=1 keeps them)"
		rm -rf "$dir"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_http() { # wait_http URL WHAT
	local deadline=$((SECONDS + 60))
	until curl -fsS -o /dev/null "$1" 2>/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || die "$2 did not answer $1 within 60s (logs in $dir)"
		sleep 0.2
	done
}

# Jaeger: in-memory storage, its default ports, on loopback only. Without a
# config, v1.76's query API (16686, 16685) listens on every interface; this
# is its all-in-one config cut to OTLP, the query API and the store.
cat >"$dir/jaeger.yaml" <<EOF
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
extensions:
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:16686
    grpc:
      endpoint: 127.0.0.1:16685
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:4317
      http:
        endpoint: 127.0.0.1:4318
processors:
  batch:
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
EOF
"$jaeger" --config "$dir/jaeger.yaml" >"$dir/jaeger.log" 2>&1 &
pids+=($!)
jaeger_api=http://127.0.0.1:16686
wait_http "$jaeger_api/api/services" "Jaeger"
log "Jaeger on 127.0.0.1 (OTLP/HTTP :4318, query API $jaeger_api)"

# Prometheus, scraping the demo's admin listener.
admin_port=$(first_free_port 8081)
prom_port=$(first_free_port 9090)
cat >"$dir/prometheus.yml" <<EOF
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
  - $root/example/observability/readiness.rules.yml
  - $root/example/observability/alerts.yml
scrape_configs:
  - job_name: catalog
    static_configs:
      - targets: ["127.0.0.1:$admin_port"]
EOF
# Exemplars (trace ids on /metrics) are stored only with exemplar-storage;
# the dashboard's latency and outcome panels link them to Jaeger.
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/prometheus" \
	--web.listen-address="127.0.0.1:$prom_port" --enable-feature=exemplar-storage \
	--log.level=warn >"$dir/prometheus.log" 2>&1 &
pids+=($!)
prom=http://127.0.0.1:$prom_port
wait_http "$prom/-/ready" "Prometheus"
log "Prometheus on $prom"

# The demo, exporting its spans to Jaeger.
OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 \
	OTEL_TRACES_SAMPLER=${OTEL_TRACES_SAMPLER:-parentbased_traceidratio} \
	OTEL_TRACES_SAMPLER_ARG=${OTEL_TRACES_SAMPLER_ARG:-0.25} \
	SHADOWREAD_TRACE_URL="$jaeger_api/api/traces/{trace_id}" \
	"$catalog" demo -keep -admin-addr "127.0.0.1:$admin_port" > >(tee "$dir/demo.out") &
pids+=($!)
demo_pid=$!
until grep -q 'Serving until interrupted' "$dir/demo.out" 2>/dev/null; do
	kill -0 "$demo_pid" 2>/dev/null || die "the demo exited before its report (output above)"
	sleep 1
done
admin=http://127.0.0.1:$admin_port
demo_dir=$(sed -n 's/^  files    \([^ ]*\) .*/\1/p' "$dir/demo.out" | head -1)
# The batch span processor exports every 5 s; Prometheus scrapes and
# evaluates every 5 s.
sleep 12

report=$(curl -fsS "$admin/debug/shadowread?format=json")
exposition=$(curl -fsS -H 'Accept: application/openmetrics-text; version=1.0.0' "$admin/metrics")

# resolves ID_OR_URL: whether Jaeger has a span of the trace (an id, or a
# report page link to Jaeger's API).
resolves() {
	local url=$1
	[[ $url == http* ]] || url=$jaeger_api/api/traces/$1
	curl -fsS "$url" 2>/dev/null | jq -e '.data | length > 0' >/dev/null
}
# resolved WHAT ID_OR_URL...: prints how many resolve in Jaeger and lists
# those that do not. Those still missing are tried again for 30 s, so a
# span exported after the first try is not counted as lost.
resolved() {
	local what=$1 id missing=() deadline=$((SECONDS + 30))
	shift
	missing=("$@")
	while [ ${#missing[@]} -gt 0 ] && [ "$SECONDS" -lt "$deadline" ]; do
		local still=()
		for id in "${missing[@]}"; do
			resolves "$id" || still+=("$id")
		done
		missing=("${still[@]}")
		[ ${#missing[@]} -eq 0 ] || sleep 5
	done
	printf '  %-44s %d of %d\n' "$what resolving in Jaeger:" $(($# - ${#missing[@]})) $#
	for id in "${missing[@]}"; do
		printf '    not found: %s\n' "$id"
	done
}

echo
echo "make observe: checks (sampler ${OTEL_TRACES_SAMPLER:-parentbased_traceidratio} ${OTEL_TRACES_SAMPLER_ARG:-0.25})"
mapfile -t report_links < <(jq -r '[.routes[].signatures[]? | (.trace_urls // [])[]] | unique | .[]' <<<"$report")
resolved "report-page trace links" "${report_links[@]}"
echo "    ($(jq '[.routes[].signatures[]?.trace_ids[]?] | unique | length' <<<"$report") trace ids on the page; $(jq '[.routes[].signatures[]?] | length' <<<"$report") signatures, $(jq '[.routes[].signatures[]? | select((.trace_ids | length) == 0)] | length' <<<"$report") of them with no sampled occurrence kept)"
mapfile -t exemplar_ids < <(grep -o 'trace_id="[0-9a-f]*"' <<<"$exposition" | cut -d'"' -f2 | sort -u)
resolved "exemplar trace ids on /metrics" "${exemplar_ids[@]}"
log_ids=() log_lines=0 otel_errors=
if [ -n "$demo_dir" ] && [ -f "$demo_dir/catalog.log" ]; then
	# The log also has lines that are not JSON (stderr of libraries).
	mismatch_lines() { jq -cR 'fromjson? | select(.msg == "shadowread: mismatch")' "$demo_dir/catalog.log"; }
	log_lines=$(mismatch_lines | wc -l)
	mapfile -t log_ids < <(mismatch_lines | jq -r '.trace_id // empty' | sort -u)
	otel_errors=$(grep -c ' opentelemetry: ' "$demo_dir/catalog.log" || true)
fi
resolved "trace ids of mismatch log lines" "${log_ids[@]}"
echo "    ($log_lines mismatch log lines, ${#log_ids[@]} distinct trace ids: lines of unsampled requests carry none;"
echo "     ${otel_errors:-no} OpenTelemetry error lines in the log, such as failed span exports)"
if [ "${otel_errors:-0}" -gt 0 ]; then
	grep ' opentelemetry: ' "$demo_dir/catalog.log" | head -3 | cut -c1-200 | sed 's/^/      /'
fi

# Mismatch spans by tag search, per route and per index-free diff field.
# Jaeger returns the traces that have a span with every tag (span
# attributes or, for the field, the attributes of the span's diff events);
# the spans that match are counted in them.
search() { # search TAGS_JSON: the matching traces as JSON
	curl -fsS -G "$jaeger_api/api/traces" --data-urlencode service=catalog --data-urlencode "tags=$1" \
		--data-urlencode limit=10000 --data-urlencode lookback=2h
}
matching_spans() { # matching_spans TAGS_JSON: "SPANS spans in TRACES traces"
	search "$1" | jq -r --argjson want "$1" '
		[.data[].spans[] | . as $span | select($want | to_entries | all(. as $w
			| [$span.tags[]?, $span.logs[]?.fields[]?] | any(.key == $w.key and (.value | tostring) == $w.value)))]
			as $spans
		| "\($spans | length) spans in \(.data | length) traces"'
}
echo "  mismatch spans by tag search, per route (shadowread.route; the report's mismatches, all directions):"
for route in $(jq -r '[.routes[].route] | unique | .[]' <<<"$report"); do
	printf '    %-34s %s (report: %s)\n' "$route" \
		"$(matching_spans "$(jq -cn --arg r "$route" '{"shadowread.route": $r, "shadowread.outcome": "mismatch"}')")" \
		"$(jq --arg r "$route" '[.routes[] | select(.route == $r) | .mismatches] | add' <<<"$report")"
done
echo "  mismatch spans by tag search, per field (shadowread.diff.field):"
for field in $(jq -r '[.routes[].signatures[]?.fields[]?] | unique | .[]' <<<"$report"); do
	printf '    %-34s %s\n' "$field" \
		"$(matching_spans "$(jq -cn --arg f "$field" '{"shadowread.diff.field": $f, "shadowread.outcome": "mismatch"}')")"
done

# Prometheus's fleet bound beside the service's own, per route and
# direction. make observe runs one replica, so the fleet is this service;
# the three-replica figures come from the fleet test below.
echo "  failure upper bound (95%), one replica: Prometheus fleet, conservative 1 h (failures covered/samples observed) | estimated 1 h (increase()) | the service's Clopper-Pearson (failures/samples)"
query() { curl -fsS -G "$prom/api/v1/query" --data-urlencode "query=$1"; }
fleet_bound=$(query 'route_direction:shadowread_failure_upper_bound:wilson95_1h')
fleet_samples=$(query 'route_direction:shadowread_samples:increase1h')
fleet_failures=$(query 'route_direction:shadowread_failures:increase1h')
safe_bound=$(query 'route_direction:shadowread_failure_upper_bound:conservative1h')
safe_samples=$(query 'route_direction:shadowread_samples:observed1h')
safe_failures=$(query 'route_direction:shadowread_failures:covered1h')
pick() { # pick JSON ROUTE PRIMARY SHADOW: the value of that series, rounded
	jq -r --arg r "$2" --arg p "$3" --arg s "$4" \
		'[.data.result[] | select(.metric.route == $r and .metric.primary == $p and .metric.shadow == $s) | .value[1] | tonumber * 1e4 | round / 1e4] | first // "none"' <<<"$1"
}
while IFS=$'\t' read -r route primary shadow own; do
	printf '    %-34s %-18s %s (%s/%s) | %s (%s/%s) | %s\n' "$route" "$primary→$shadow" \
		"$(pick "$safe_bound" "$route" "$primary" "$shadow")" \
		"$(pick "$safe_failures" "$route" "$primary" "$shadow")" \
		"$(pick "$safe_samples" "$route" "$primary" "$shadow")" \
		"$(pick "$fleet_bound" "$route" "$primary" "$shadow")" \
		"$(pick "$fleet_failures" "$route" "$primary" "$shadow")" \
		"$(pick "$fleet_samples" "$route" "$primary" "$shadow")" "$own"
done < <(jq -r '.routes[] | [.route, .primary, .shadow, "\(.upper_bound * 1e4 | round / 1e4) (\(.mismatches + .errors)/\(.samples))"] | @tsv' <<<"$report")

# Three replicas: the fleet test runs them with their own Prometheus.
if [ -z "${OBSERVE_NO_FLEET:-}" ]; then
	echo "  three replicas (go test ./observability -run TestFleetReadiness; OBSERVE_NO_FLEET=1 skips it):"
	(cd "$root/example" && go test -count=1 -run 'TestFleetReadiness$' -v ./observability 2>&1) |
		sed -n 's/^ *fleet_test.go:[0-9]*: /    /p; s/^\(--- [A-Z]*: .*\)/    \1/p'
fi

# The cutover controller against this Prometheus: the fleet's evidence per
# route, and what its next interval would do for a switch starting at 0%
# (a copy of the example's flag file; nothing the demo reads is written).
echo "  cutover controller (shadowread-cutover -dry-run, evidence from this Prometheus):"
cp "$root/example/internal/flagfile/catalog.flagd.json" "$dir/cutover.flags.json"
cat >"$dir/cutover.json" <<EOF
{
  "routes": ["/products/{productID}", "/orders/{orderID}", "/customers/{customerID}/orders"],
  "prometheus": "$prom",
  "window": "1h",
  "flag_file": "$dir/cutover.flags.json",
  "single": true
}
EOF
(cd "$root/tools/cutover" && go run ./cmd/shadowread-cutover -config "$dir/cutover.json" -dry-run 2>&1) | sed 's/^/    /' ||
	die "the cutover controller's dry run against Prometheus failed (config $dir/cutover.json)"

cat <<EOF

Where to click:
  report page     $admin/debug/shadowread (trace ids link to $jaeger_api/api/traces/TRACE_ID)
  Jaeger          $jaeger_api/api/traces?service=catalog&tags={"shadowread.outcome":"mismatch"}
                  (the UI is a placeholder in a module build; the JSON API works)
  Prometheus      $prom/graph?g0.expr=route_direction:shadowread_failure_upper_bound:wilson95_1h
                  $prom/alerts
EOF
if [ -n "${OBSERVE_EXIT:-}" ]; then
	exit 0
fi
echo "Serving until Ctrl-C."
wait "$demo_pid"
