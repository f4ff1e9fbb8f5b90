#!/usr/bin/env bash
# fuzz.sh [FUZZTIME]
#
# Runs every fuzz target of the repository (each func FuzzXxx(f *testing.F)
# in a _test.go file) for FUZZTIME each (default 30s), one after another:
# go test -fuzz takes one target of one package at a time. New inputs that
# fail are written to the package's testdata/fuzz/ by go test itself.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzztime=${1:-30s}

trap 'exit 130' INT
trap 'exit 143' TERM

# Lines of "dir<TAB>FuzzName", in a stable order.
mapfile -t targets < <(cd "$root" &&
	grep -r --include='*_test.go' --exclude-dir=node_modules --exclude-dir=.git \
		-o -E '^func Fuzz[A-Za-z0-9_]*\(' . |
	sed -E 's|^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|\1\t\2|' | sort -u)

if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz: no fuzz targets (func FuzzXxx in a _test.go file) in the repository" >&2
	# In CI a missing thing is a failure, never a quiet pass.
	[ -z "${CI:-}" ] || exit 1
	exit 0
fi

failed=()
for t in "${targets[@]}"; do
	dir=${t%%$'\t'*}
	name=${t#*$'\t'}
	printf '== fuzz %s %s for %s\n' "${dir#./}" "$name" "$fuzztime" >&2
	(cd "$root/$dir" && go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" .) ||
		failed+=("${dir#./}.$name")
done
if [ ${#failed[@]} -gt 0 ]; then
	printf 'fuzz: failed: %s\n' "${failed[*]}" >&2
	exit 1
fi
