#!/usr/bin/env bash
# make lint: gofmt, go vet, staticcheck and deadcode, at pinned versions
# (go run fetches them once into the module cache; nothing to install).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
STATICCHECK=honnef.co/go/tools/cmd/staticcheck@v0.8.2
DEADCODE=golang.org/x/tools/cmd/deadcode@v0.52.0

out=$(gofmt -l cmd internal)
if [ -n "$out" ]; then echo "gofmt would change:"; echo "$out"; exit 1; fi
$GO vet ./...
# What only the benchmarks build (//go:build bench: store/bench.go,
# cmd/benchfloor, rehearse's BenchmarkRawImport) is vetted too, so it
# cannot rot unseen.
$GO vet -tags bench ./...
$GO run "$STATICCHECK" ./...

# deadcode prints "FILE:LINE:COL: unreachable func: NAME"; keep "FILE: NAME"
# and compare with the allow-list, both ways.
found=$($GO run "$DEADCODE" ./cmd/... | sed -E 's/^([^:]+):[0-9]+:[0-9]+: unreachable func: (.*)$/\1: \2/' | sort)
allowed=$(sed -E 's/[[:space:]]*#.*$//; /^[[:space:]]*$/d' scripts/deadcode.allow | sort)
new=$(comm -23 <(echo "$found") <(echo "$allowed") | sed '/^$/d')
gone=$(comm -13 <(echo "$found") <(echo "$allowed") | sed '/^$/d')
if [ -n "$new" ]; then
	echo "deadcode: unreachable from ./cmd/inpctl and not in scripts/deadcode.allow (remove it, or list it with why):"
	echo "$new"
fi
if [ -n "$gone" ]; then
	echo "deadcode: listed in scripts/deadcode.allow but no longer unreachable (remove the line):"
	echo "$gone"
fi
[ -z "$new$gone" ]
echo "ok  	lint (gofmt, vet, vet -tags bench, staticcheck, deadcode)"
