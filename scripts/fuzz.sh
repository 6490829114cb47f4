#!/usr/bin/env bash
# fuzz.sh [FUZZTIME] — run every fuzz target of the module for FUZZTIME
# each (default 30s), one after the other, in its own package. Used by
# `make fuzz` (FUZZTIME=2m make fuzz). New crashers are written under the
# package's testdata/fuzz/ by go test: commit them as regression seeds.
set -euo pipefail
fuzztime=${1:-30s}
cd "$(dirname "$0")/.."
go=${GO:-go}

# "go test -list" prints each package's matching tests, then "ok  <pkg>".
targets=$("$go" test -list '^Fuzz' ./... | awk '
	/^Fuzz/ { names = names " " $1; next }
	/^ok /  { if (names != "") print $2 names; names = "" }')
if [ -z "$targets" ]; then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi

failed=0
while read -r pkg names; do
	for name in $names; do
		echo "== $pkg $name ($fuzztime)"
		if ! "$go" test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"; then
			failed=$((failed + 1))
		fi
	done
done <<< "$targets"

if [ "$failed" -gt 0 ]; then
	echo "fuzz.sh: $failed fuzz target(s) failed" >&2
	exit 1
fi
echo "fuzz.sh: every fuzz target ran $fuzztime without a failure"
