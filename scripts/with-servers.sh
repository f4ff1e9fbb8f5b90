#!/usr/bin/env bash
# with-servers.sh CMD...
#
# Runs CMD with a PostgreSQL server and a dynalite (DynamoDB API) server
# available, and exits with CMD's status. CMD sees:
#
#   SHADOWREAD_PG_URL             postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
#   SHADOWREAD_DYNAMODB_ENDPOINT  http://127.0.0.1:PORT
#   SHADOWREAD_PG_BIN             the PostgreSQL bin directory (initdb, pg_ctl)
#   SHADOWREAD_DYNALITE_CLI       the absolute path of scripts/dynalite.js, dynalite's launcher
#   SHADOWREAD_REQUIRE_SERVERS    1: a test that finds no server fails instead of skipping
#
# SHADOWREAD_PG_BIN and SHADOWREAD_DYNALITE_CLI let tests start private
# servers of their own for fault tests.
#
# A server whose variable is already set is used as it is; otherwise a
# throwaway one is started on a free loopback port and stopped on exit, also
# when CMD fails or the script is interrupted. Only what this script started
# is stopped.
#
# SHADOWREAD_SERVER_WAIT (seconds, default 30) bounds the wait for a server
# to accept connections.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
wait_seconds=${SHADOWREAD_SERVER_WAIT:-30}

log() { printf 'with-servers: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ $# -gt 0 ] || die "usage: scripts/with-servers.sh CMD [ARG...]"

# What this script started, for cleanup.
pg_dir=''
pg_started=''
ddb_dir=''
ddb_pid=''

cleanup() {
	local status=$?
	trap - EXIT INT TERM
	if [ -n "$pg_started" ]; then
		as_pg "$SHADOWREAD_PG_BIN/pg_ctl" -D "$pg_dir/data" -m fast -w -t "$wait_seconds" stop >/dev/null ||
			log "warning: could not stop PostgreSQL in $pg_dir"
	fi
	if [ -n "$ddb_pid" ]; then
		kill "$ddb_pid" 2>/dev/null || true
		wait "$ddb_pid" 2>/dev/null || true
	fi
	[ -z "$pg_dir" ] || rm -rf "$pg_dir"
	[ -z "$ddb_dir" ] || rm -rf "$ddb_dir"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

is_root() { [ "$(id -u)" -eq 0 ]; }

# as_pg runs a PostgreSQL tool as a user it accepts: initdb and postgres
# refuse to run as root.
as_pg() {
	if is_root; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# free_port prints a TCP port that is free on 127.0.0.1 right now, below
# the kernel's ephemeral range when there is room: outgoing connections take
# their source ports from that range, and a server restarted on a port
# inside it can find the port taken by a client's connection.
free_port() {
	node -e "
const net = require('net'), fs = require('fs');
let hi = 32768;
try { hi = parseInt(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\\s+/)[0], 10) || hi; } catch (e) {}
const lo = 20000;
function tryPort(n) {
	const port = (hi > lo && n > 0) ? lo + Math.floor(Math.random() * (hi - lo)) : 0;
	const s = net.createServer();
	s.once('error', () => tryPort(n - 1));
	s.listen(port, '127.0.0.1', () => { console.log(s.address().port); s.close(); });
}
tryPort(100);"
}

# pg_bin_dir prints the directory of initdb and pg_ctl, or nothing.
pg_bin_dir() {
	local initdb
	if [ -n "${SHADOWREAD_PG_BIN:-}" ]; then
		printf '%s\n' "$SHADOWREAD_PG_BIN"
	elif initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1) && [ -n "$initdb" ]; then
		dirname "$initdb"
	elif initdb=$(command -v initdb); then
		dirname "$(readlink -f "$initdb")"
	fi
	return 0
}

ensure_postgres_tools() {
	local bin
	bin=$(pg_bin_dir)
	if [ -z "$bin" ]; then
		is_root || die "PostgreSQL's initdb was not found; install PostgreSQL (Debian: apt-get install postgresql) or set SHADOWREAD_PG_BIN"
		log "installing PostgreSQL (apt-get install postgresql)"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
		bin=$(pg_bin_dir)
	fi
	[ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] ||
		die "no initdb and pg_ctl in '$bin'; set SHADOWREAD_PG_BIN to PostgreSQL's bin directory"
	export SHADOWREAD_PG_BIN=$bin
}

ensure_dynalite() {
	command -v node >/dev/null || die "node was not found; install Node.js (it runs dynalite, the DynamoDB test server)"
	local cli=$root/node_modules/dynalite/cli.js
	# npm records what it installed in node_modules/.package-lock.json; an older
	# copy than package-lock.json means the pinned packages changed since.
	if [ ! -f "$cli" ] || [ ! -f "$root/node_modules/.package-lock.json" ] ||
		[ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
		command -v npm >/dev/null || die "npm was not found; install it to get dynalite (make tools)"
		log "installing dynalite (npm ci)"
		(cd "$root" && npm ci --no-audit --no-fund >&2) || die "npm ci failed"
	fi
	[ -f "$cli" ] || die "npm ci did not install $cli"
	# Our launcher, not cli.js: it keeps dynalite up when a client hangs up.
	export SHADOWREAD_DYNALITE_CLI=$root/scripts/dynalite.js
}

start_postgres() {
	local port
	port=$(free_port)
	pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/shadowread-pg.XXXXXX")
	if is_root; then
		chown postgres:postgres "$pg_dir"
	fi
	as_pg "$SHADOWREAD_PG_BIN/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 \
		--locale=C.UTF-8 --no-sync --no-instructions >"$pg_dir/initdb.log" 2>&1 ||
		{ cat "$pg_dir/initdb.log" >&2; die "initdb failed"; }
	# A throwaway cluster: loopback TCP only, no durability.
	pg_started=yes
	if ! as_pg "$SHADOWREAD_PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t "$wait_seconds" \
		-o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='' -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >/dev/null; then
		tail -n 20 "$pg_dir/server.log" >&2 || true
		die "PostgreSQL did not start on 127.0.0.1:$port within ${wait_seconds}s (log above)"
	fi
	export SHADOWREAD_PG_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	log "PostgreSQL on 127.0.0.1:$port"
}

start_dynalite() {
	local port deadline
	port=$(free_port)
	ddb_dir=$(mktemp -d "${TMPDIR:-/tmp}/shadowread-dynalite.XXXXXX")
	node "$SHADOWREAD_DYNALITE_CLI" --host 127.0.0.1 --port "$port" \
		--createTableMs 50 --deleteTableMs 50 --updateTableMs 50 >"$ddb_dir/dynalite.log" 2>&1 &
	ddb_pid=$!
	deadline=$((SECONDS + wait_seconds))
	until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
		if ! kill -0 "$ddb_pid" 2>/dev/null; then
			cat "$ddb_dir/dynalite.log" >&2
			ddb_pid=''
			die "dynalite exited before it listened on 127.0.0.1:$port (log above)"
		fi
		[ "$SECONDS" -lt "$deadline" ] || die "dynalite did not listen on 127.0.0.1:$port within ${wait_seconds}s"
		sleep 0.05
	done
	export SHADOWREAD_DYNAMODB_ENDPOINT="http://127.0.0.1:$port"
	log "dynalite on 127.0.0.1:$port"
}

ensure_dynalite
ensure_postgres_tools
if [ -n "${SHADOWREAD_PG_URL:-}" ]; then
	log "PostgreSQL: using SHADOWREAD_PG_URL from the environment"
else
	start_postgres
fi
if [ -n "${SHADOWREAD_DYNAMODB_ENDPOINT:-}" ]; then
	log "dynalite: using SHADOWREAD_DYNAMODB_ENDPOINT=$SHADOWREAD_DYNAMODB_ENDPOINT from the environment"
else
	start_dynalite
fi

# Here every integration test has its servers: one that finds none fails.
export SHADOWREAD_REQUIRE_SERVERS=1

# CMD runs in the foreground so it keeps the terminal; a Ctrl-C reaches it
# directly, and the traps above clean up once it has exited.
status=0
"$@" || status=$?
exit "$status"
