#!/usr/bin/env bash
# ensure-prometheus.sh
#
# Makes sure Prometheus and promtool are on PATH, installing Debian's
# prometheus package as root when they are missing (as with-servers.sh
# installs PostgreSQL); with both on PATH it never runs apt. Fails, never skips, when they cannot be had: the
# rule tests and the fleet test need them.
set -euo pipefail

log() { printf 'ensure-prometheus: %s\n' "$*" >&2; }

if command -v promtool >/dev/null && command -v prometheus >/dev/null; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	log "error: prometheus and promtool were not found; install Prometheus (Debian: apt-get install prometheus)"
	exit 1
fi
# Another apt-get (unattended upgrades, a parallel install) may hold the
# lock: wait for it up to 5 minutes instead of failing at once.
apt_opts=(-o DPkg::Lock::Timeout=300)
log "installing Prometheus (apt-get install prometheus; a few minutes)"
DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq prometheus >&2
command -v promtool >/dev/null && command -v prometheus >/dev/null || {
	log "error: apt-get install prometheus did not put prometheus and promtool on PATH"
	exit 1
}
