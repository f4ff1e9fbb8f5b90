#!/usr/bin/env bash
# each-module.sh CMD...
#
# Runs CMD in the directory of every Go module of the repository (every
# directory with a go.mod: the root, bench/, example/, ...). It goes on after a
# failure so one run shows every broken module, and fails if any did.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -gt 0 ] || { echo "usage: scripts/each-module.sh CMD [ARG...]" >&2; exit 2; }

# An interrupt stops the whole loop, not just the module being run.
trap 'exit 130' INT
trap 'exit 143' TERM

mapfile -t modules < <(cd "$root" &&
	find . \( -name node_modules -o -name .git -o -name testdata \) -prune -o -name go.mod -printf '%h\n' | sort)

failed=()
for m in "${modules[@]}"; do
	printf '== %s: %s\n' "${m#./}" "$*" >&2
	(cd "$root/$m" && "$@") || failed+=("${m#./}")
done
if [ ${#failed[@]} -gt 0 ]; then
	printf 'each-module: failed in: %s\n' "${failed[*]}" >&2
	exit 1
fi
