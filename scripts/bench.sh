#!/usr/bin/env bash
# make bench — inpctl measured against the raw limits of what it is built on
# (modernc SQLite, gopdf, net/http on loopback, process start), each raw
# figure measured in the same run on this machine, and written to
# BENCHMARKS.md with the ratio, the peak memory and the target.
#
# Every inpctl figure is a whole CLI invocation of bin/inpctl (built by
# make), timed with the shell's clock; peak memory is /usr/bin/time -v's
# "Maximum resident set size" (or getrusage through cmd/benchfloor when
# /usr/bin/time is missing). Raw limits are Go benchmarks (go test -bench)
# and the process-start floor (cmd/benchfloor). Scratch files: bench-out/.
#
# Knobs (environment): BENCH_STUDENTS (headline rehearsal, 20000),
# BENCH_ROWS (import and set-code rows, 100000), BENCH_CHARGE_STUDENTS
# (intake whose due instalments charge --due sends, 43000 ≈ 10 000 due:
# one instalment per active plan, the earliest unpaid), BENCH_RENDER_STUDENTS
# (intake whose invoices invoice render --all draws, 16600 ≈ 12 000),
# BENCH_COPIES (account show database = headline year × copies, 5),
# BENCH_SHOW_ROUNDS (rounds of 7 account show runs against the floor, 5),
# BENCH_RENDER_ROUNDS (invoice render runs between raw gopdf runs, 3),
# BENCH_ROUNDS (rounds of import, set-code and charge --due, 2),
# BENCH_BASE (the commit compared with; default the newest tag, else the
# commit of the previous BENCHMARKS.md), BENCH_HEADLINE_ROUNDS (headline
# years from each, alternated, 2), BENCH_BASE_ROUNDS, BENCH_BASE_STUDENTS
# and BENCH_BASE_ROWS (the smaller release-to-release runs: 3, 3000, 20000).
#
# Every target is a ratio to a figure measured in the same run (issue 23):
# this machine's speed moves by a factor of two from one day to the next,
# and an absolute target failed on slow days although nothing changed.
# Rows measured in rounds are judged round by round (judge): rounds on both
# sides of the target read "unsteady", not pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/bin/inpctl
OUT=$ROOT/bench-out
GO=${GO:-go}
STUDENTS=${BENCH_STUDENTS:-20000}
ROWS=${BENCH_ROWS:-100000}
CHARGE_STUDENTS=${BENCH_CHARGE_STUDENTS:-43000}
RENDER_STUDENTS=${BENCH_RENDER_STUDENTS:-16600}
COPIES=${BENCH_COPIES:-5}
SHOW_ROUNDS=${BENCH_SHOW_ROUNDS:-5}
RENDER_ROUNDS=${BENCH_RENDER_ROUNDS:-3}
ROUNDS=${BENCH_ROUNDS:-2}
BASE_ROUNDS=${BENCH_BASE_ROUNDS:-3}
HEADLINE_ROUNDS=${BENCH_HEADLINE_ROUNDS:-2}
BASE_STUDENTS=${BENCH_BASE_STUDENTS:-3000}
BASE_ROWS=${BENCH_BASE_ROWS:-20000}
for v in RENDER_ROUNDS ROUNDS SHOW_ROUNDS BASE_ROUNDS HEADLINE_ROUNDS BASE_STUDENTS BASE_ROWS; do
	if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
		echo "bench: BENCH_$v must be a whole number of 1 or more, not \"${!v}\"" >&2
		exit 2
	fi
done
KEY=0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
START=$(date +%s)

# Hermetic: the built-in configuration only (no INPCTL_* from the caller,
# no user config file), while go keeps its own caches and settings.
for v in $(compgen -e | grep '^INPCTL_' || true); do unset "$v"; done
eval "$($GO env -json GOENV GOPATH GOMODCACHE GOCACHE | sed -n 's/^\t"\(GO[A-Z]*\)": \(".*"\),\{0,1\}$/export \1=\2/p')"
# The previous run's files are moved aside now and deleted at the end, not
# deleted now: on a file system without a journal (this VM's ext4), inodes
# freed in the last minutes are skipped, one lookup each, when new files
# are created. invoice render --all right after deleting the 12 271 PDFs
# of a previous render took 25.2 s, 9 % of its CPU in ext4's inode
# allocation, against 17.4 s without the deletion (same binary, database).
OLD=$ROOT/bench-out.old
rm -rf "$OLD" # left by a run that did not finish
if [[ -d $OUT ]]; then mv "$OUT" "$OLD"; fi
mkdir -p "$OUT/bin"
export XDG_CONFIG_HOME=$OUT/.config INPCTL_OPERATOR=bench
log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# --- helpers -----------------------------------------------------------------

# timed NAME CMD… runs CMD in $OUT (stdout NAME.out, stderr NAME.err) and
# sets WALL (seconds), PEAK (MiB) and RC.
timed() {
	local name=$1 t0 t1 kb
	shift
	t0=$(date +%s%N)
	set +e
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -v -o "$OUT/$name.time" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
		RC=$?
		kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$OUT/$name.time")
	else
		"$OUT/bin/benchfloor" -rusage "$OUT/$name.time" -- "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
		RC=$?
		kb=$(awk '{print $2}' "$OUT/$name.time")
	fi
	set -e
	t1=$(date +%s%N)
	WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
	PEAK=$(awk -v k="${kb:-0}" 'BEGIN {printf "%.0f", k / 1024}')
}

# expect NAME RC… fails the script unless the last timed command exited
# with one of the statuses given.
expect() {
	local name=$1 ok
	shift
	for ok in "$@"; do [[ $RC == "$ok" ]] && return 0; done
	echo "bench: $name exited $RC" >&2
	tail -5 "$OUT/$name.err" >&2
	exit 1
}

# nsop FILE NAME: ns/op of benchmark NAME in go test output FILE.
nsop() { awk -v n="$2" '$1 ~ "^"n"(-[0-9]+)?$" {for (i = 2; i <= NF; i++) if ($i == "ns/op") print $(i - 1)}' "$1" | tail -1; }
# metric FILE NAME UNIT: a custom metric of benchmark NAME.
metric() { awk -v n="$2" -v u="$3" '$1 ~ "^"n"(-[0-9]+)?$" {for (i = 2; i <= NF; i++) if ($i == u) print $(i - 1)}' "$1" | tail -1; }
calc() { awk "BEGIN {printf \"$1\", $2}"; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a >= b)}'; }
verdict() { if "$@"; then echo pass; else echo "**FAIL**"; fi; }
# judge OP TARGET RATIO…: the verdict of a row measured in rounds. OP is ge
# (the ratio must be at least TARGET) or le (at most). Every round on the
# same side of the target gives pass or **FAIL**; rounds on both sides
# disagree by more than this machine's noise, and the row says so
# ("unsteady") rather than pass or fail on the weather.
judge() {
	local op=$1 target=$2 r ok=0 n=0
	shift 2
	for r in "$@"; do
		n=$((n + 1))
		if [[ $op == ge ]]; then ge "$r" "$target" && ok=$((ok + 1)); else ge "$target" "$r" && ok=$((ok + 1)); fi
	done
	if ((ok == n)); then echo pass; elif ((ok == 0)); then echo "**FAIL**"; else echo "unsteady ($ok of $n rounds pass)"; fi
}
# rounds RATIO…: "0.68×, 0.72×, 0.78×", the rounds of a row for its label.
rounds() { printf '%s\n' "$@" | awk '{printf "%s%.2f×", (NR > 1 ? ", " : ""), $1}'; }
# mid RATIO…: the median round (the lower middle one for an even count).
mid() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
# memok VERDICT PEAK LIMIT: a verdict that also needs PEAK ≤ LIMIT MB.
memok() { if (($2 <= $3)); then echo "$1"; else echo "**FAIL** (memory)"; fi; }
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# profile_notes are the profiles of the headline year and of the benchmarks
# that miss their target, taken by hand (not by make bench: it takes
# minutes); the year with
#   go test ./internal/cli -run 'TestRehearse$' -rehearse.students 20000 -cpuprofile cpu.prof
#   go tool pprof -top -cum internal/cli.test cpu.prof
profile_notes() {
	cat <<'EOF'
## Where the time of a 20 000-student year goes (CPU profile, taken by hand)

`go test ./internal/cli -run 'TestRehearse$' -rehearse.students 20000 -cpuprofile cpu.prof` at commit
cc04301, 2026-11-28, on a quiet machine: 23.0 s wall, 28.5 s of CPU samples (both cores busy while
the sandbox signs). Shares are of all CPU samples (cumulative).

| step of the rehearsal | share | what dominates |
|---|---|---|
| first payments (14 512, `billing.SimulatePayments`, as `pay simulate`) | 25.0 % | applying the notifications 18.2 %, the links 6.7 %; the sandbox's RSA signature of each notification 14.9 %, on both cores (`payAll`) |
| charge --due, 30 runs (13 852 charges) | 12.1 % | `billing.(*Service).record` 8.7 % |
| db check | 11.3 % | |
| schedule request + approve (19 350 plans) | 10.5 % | |
| import, set-code, validate | 6.1 % | |
| the garbage collector | 3.9 % | |

What changed since the first profiles (67.7 s in `make bench` at 54ed4f9, 21.5 s now):

1. **Writes on one connection (af3bb20).** database/sql handed each write transaction to whichever
   pooled connection was idle; in WAL mode a connection that sees another one's commit drops its
   whole page cache, so every transaction read its pages again from the file (`pread`: half of
   charge --due's CPU). Every write transaction of a process now runs on one connection, in turn.
2. **First payments in batches (af3bb20).** Each first payment was two transactions and two fsyncs
   (the link, then the notification): 29 000 commits. `SimulatePayments` (the code of `pay simulate`)
   records 256 links in one transaction and applies their notifications in another, falling back to
   one at a time when one fails, so the result is the one-by-one loop's (pay_simulate_batch.txtar);
   the sandbox's signatures run on both cores.
3. **Fewer statements per payment (af3bb20, 3b37b04, 869d925).** The plan was read four times per
   payment; `SettleInstalment` reads it once and returns it worked out in memory (tested equal to a
   fresh read). `InstalmentTarget` answers in one query what recording a payment asked in five
   (instalment, dossier, current order and its lines, invoice). The audit chain's last hash is read
   once per transaction; a charge run's intents take one block of references and NUMQUESTIONs.
4. **Bulk import and set-code (4847f79, 39235a5, 6a412eb).** Rows are checked as they are written
   (the import never holds the file), dossiers read 500 at a time, orders numbered from one block.

History: the very first profile of this year (before a6ba205, bddd5ae and 292c67f) took 222 s wall:
no index reached a dossier's plans, no statement cache across transactions, a 2 MB page cache.

## invoice render --all against raw gopdf (3., target missed), taken by hand on 2026-11-29

- **Still about 0.8×, not steadily above it.** Four make bench runs on 2026-11-29 after the changes
  below gave median ratios of 0.93×, 0.77×, 0.80× and 0.78× (single rounds 0.71× to 0.94×); the
  day before, one round per run, 0.66× to 0.77×. Three changes. (1) The raw page drew the right
  text but not the same page: no colours, one rule of five,
  the field labels in the values' cells; its content stream was 5.1 kB against Render's 6.6 kB, and
  it ran 4 to 6 % faster than the page the CLI writes. It now draws the same page
  (`TestRawInvoiceDrawsWhatRenderDraws`). (2) The CLI starts the write-back every 64 MiB instead of
  leaving 330 MB for the final syncfs, which waited 0.3 to 0.5 s with both cores idle: idle CPU
  during a run 2.45 core-s instead of 3.12 (5 interleaved runs each). (3) One round of raw, CLI,
  raw swung from 0.66× to 0.79× for the same binaries within an afternoon; the median of three is
  reported, with every ratio.
- **Where the CLI's time goes** (CPU profile of a 12 271-invoice render): gopdf writing the PDFs
  78 % (compressing the two font subsets alone 54 %), the layout 7 %, the file writes 8 % (create,
  write, rename: kernel time), reading the invoices 2 %, the collector 3 %. Next to the raw
  benchmark under perf stat: 1.90 ms of CPU per PDF against 1.70, and 1.75 of the 2 cores busy
  against 1.96.
- **Tried and dropped**, each over 4 or 5 interleaved runs: a 1024-job buffer between the reader and
  the renderers (the renderers no longer wait for the next 512 invoices, but the run used 14 % more
  CPU, ratio 0.69× against 0.77×); `sync_file_range` after each file (more CPU in the process);
  GOMAXPROCS 3 or 4 (still 1.75 cores busy); writing each file from its render worker, and writing
  with bare syscalls (4 instead of 11 per file): both within the noise, not kept.

## The benchmarks that miss their target, and why

- **6. account show (was 2.0–2.9× in wall time, the verdict flipping with the load; now 2.39–2.44×
  the floor in instructions, every run).** Where the instructions of one account show went at
  d69786d's successor 05450b3 (callgrind, 32.9 M with GOGC=off against the floor's 10.0 M): the
  config load 12.4 M (the built-in YAML parsed by yaml.v3, viper, mapstructure, the checks), the
  schema and open 8.0 M (the floor's own work), the 13 queries 4.2 M, the 7 tables 3.1 M
  (tablewriter), the binary's start 5.0 M against the floor's 1.5 M (146 package inits, among them
  17 regular expressions, and the cobra tree of ~80 commands). Cut since, each measured in its
  commit: the built-in configuration is a Go value, not parsed (BenchmarkLoadBuiltIn 1.22 → 0.59 ms),
  one Replacer in money.Parse, INPCTL_ variables matched in place (12.4 → 4.9 M per load), the
  regular expressions and paybox's country table of a few commands built at first use, and only
  the command run built under the root (inpctl version 5.04 → 3.62 M). What is left over the floor
  (24.2 M against 10.0 M): viper and mapstructure decoding the config (4.9 M), the queries, the
  tables, and the inpctl binary's start (3.6 M: tablewriter's twwidth allocates an 8 192-entry
  cache at init, and NewTable a 10 240-entry one that a table of strings never reads).

EOF
}

ROWS_MD=()
row() { ROWS_MD+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"); }

SBX_PID=
stop_sandbox() {
	if [[ -n $SBX_PID ]]; then
		kill "$SBX_PID" 2>/dev/null || true
		wait "$SBX_PID" 2>/dev/null || true
		SBX_PID=
	fi
}
trap stop_sandbox EXIT

# start_sandbox STATE FLAGS…: inpctl gateway sandbox on a free loopback
# port, replaying STATE (the rehearsal's sandbox journal); sets URL.
start_sandbox() {
	local state=$1 i
	shift
	: >"$OUT/sandbox.url"
	"${SBX_BIN:-$BIN}" gateway sandbox --listen 127.0.0.1:0 --state "$state" "$@" >"$OUT/sandbox.url" 2>"$OUT/sandbox.err" &
	SBX_PID=$!
	for i in $(seq 200); do
		[[ -s $OUT/sandbox.url ]] && break
		sleep 0.05
	done
	URL=$(head -1 "$OUT/sandbox.url")
	[[ -n $URL ]] || { echo "bench: the sandbox did not start" >&2; cat "$OUT/sandbox.err" >&2; exit 1; }
}

# --- build ---------------------------------------------------------------------

log "build the helpers and the benchmark binaries"
$GO build -o "$OUT/bin/gendata" ./cmd/gendata
# The bench tag brings in what only the benchmarks use (store's raw open,
# raw insert and replication, cmd/benchfloor, BenchmarkRawImport): none of
# it is in inpctl's binary.
$GO build -tags bench -o "$OUT/bin/benchfloor" ./cmd/benchfloor
for p in invoice gateway/paybox rehearse; do
	$GO test -tags bench -c -o "$OUT/bin/$(basename $p).test" "./internal/$p"
done

# The base: the release this run is compared with, built from its own
# source (git archive into bench-out, no worktree left behind). BENCH_BASE
# names it; else the newest tag; else the commit the previous BENCHMARKS.md
# was written from, so that each run is compared with the one before it.
BASE=${BENCH_BASE:-} BASE_WHY="BENCH_BASE"
if [[ -z $BASE ]]; then BASE=$(git describe --tags --abbrev=0 2>/dev/null || true) BASE_WHY="the newest tag"; fi
if [[ -z $BASE ]]; then
	# "inpctl 1a2b3c4", or git describe's "inpctl v0.27-71-g1a2b3c4[-dirty]"
	BASE=$(sed -n 's/^| inpctl | inpctl \(.*-g\)\{0,1\}\([0-9a-f]\{7,40\}\)\(-dirty\)\{0,1\} |$/\2/p' BENCHMARKS.md 2>/dev/null | head -1)
	BASE_WHY="no tag: the commit of the previous BENCHMARKS.md"
fi
if [[ -z $BASE ]] || ! BASE_SHA=$(git rev-parse --short=7 --verify -q "$BASE^{commit}"); then
	echo "bench: no base to compare with (\"$BASE\" is not a commit here); set BENCH_BASE=COMMIT" >&2
	exit 2
fi
log "build the base $BASE_SHA ($BASE_WHY)"
BASE_BIN=$OUT/bin/inpctl-base
rm -rf "$OUT/base-src" && mkdir -p "$OUT/base-src"
git archive "$BASE_SHA" | tar -x -C "$OUT/base-src"
(cd "$OUT/base-src" && $GO build -ldflags "-X github.com/inpctl/inpctl/internal/cli.version=$BASE_SHA" -o "$BASE_BIN" ./cmd/inpctl)
rm -rf "$OUT/base-src"
HEAD_DESC=$("$BIN" version | awk '{print $NF}')
cd "$OUT"
gobench() { # PKG PATTERN BENCHTIME [FLAGS…] > output
	local pkg=$1 pat=$2 bt=$3
	shift 3
	(cd "$ROOT/internal/$pkg" && "$OUT/bin/$(basename "$pkg").test" -test.run '^$' -test.bench "$pat" -test.benchtime "$bt" "$@")
}

# --- 4. sandbox round trips vs bare net/http ---------------------------------
# The bare POST is measured right before and right after the sandbox round
# trips, and the two rates averaged: the load of the machine moves both.

log "sandbox round trip between two bare form POST runs (go test -bench)"
gobench gateway/paybox '^BenchmarkRawFormPost$' 3s >paybox.before
gobench gateway/paybox '^BenchmarkSandboxRoundTrip$' 3s >paybox.bench
gobench gateway/paybox '^BenchmarkRawFormPost$' 3s >paybox.after
SBX_RATE=$(calc %.0f "1e9 / $(nsop paybox.bench BenchmarkSandboxRoundTrip)")
POST_BEFORE=$(calc %.0f "1e9 / $(nsop paybox.before BenchmarkRawFormPost)")
POST_AFTER=$(calc %.0f "1e9 / $(nsop paybox.after BenchmarkRawFormPost)")
POST_RATE=$(calc %.0f "($POST_BEFORE + $POST_AFTER) / 2")
R=$(calc %.2f "$SBX_RATE / $POST_RATE")
row "4. sandbox round trip over loopback (paybox client → sandbox)" "$SBX_RATE/s" \
	"$POST_RATE/s bare net/http form POST (before $POST_BEFORE, after $POST_AFTER)" "$R×" "—" "≥ 0.5×" "$(verdict ge "$R" 0.5)"

# --- 3b. raw gopdf, one goroutine (the two-goroutine limit is measured in 3.) --

log "render vs raw gopdf, one goroutine (go test -bench)"
gobench invoice 'BenchmarkRender$|BenchmarkRawGopdf$' 3s >invoice.bench
RENDER_NS=$(nsop invoice.bench BenchmarkRender)
RAW1_NS=$(nsop invoice.bench BenchmarkRawGopdf)

# --- 1 and 2. student import and bulk set-code vs raw prepared INSERT ----------
# ROUNDS rounds: raw, (init, import, set-code on a fresh file), raw, …; each
# round is compared with the mean of the raw runs right before and after it.

log "student import and set-code of $ROWS rows, $ROUNDS rounds between raw prepared INSERT runs"
mkdir -p data
"$OUT/bin/gendata" -n "$ROWS" -seed 2025 -dir data
rawimport() { gobench rehearse '^BenchmarkRawImport$' 3x -raw.rows "$ROWS" >"rawimport.$1"; calc %.0f "$(metric "rawimport.$1" BenchmarkRawImport rows/s)"; }
RAWS=("$(rawimport 0)")
IMPORT_R=() SETCODE_R=() IMPORT_PEAK=0 SETCODE_PEAK=0
for ((i = 1; i <= ROUNDS; i++)); do
	rm -f import.db import.db-wal import.db-shm
	timed init "$BIN" --db import.db init -q
	expect init 0
	timed import "$BIN" --db import.db student import data/students.csv -q
	expect import 0
	IMPORT_WALL[i]=$WALL IMPORT_PEAK=$((PEAK > IMPORT_PEAK ? PEAK : IMPORT_PEAK))
	timed setcode "$BIN" --db import.db dossier set-code --from data/codes.csv -q
	expect setcode 0
	SETCODE_WALL[i]=$WALL SETCODE_PEAK=$((PEAK > SETCODE_PEAK ? PEAK : SETCODE_PEAK))
	RAWS[i]=$(rawimport "$i")
	raw=$(calc %.0f "(${RAWS[i - 1]} + ${RAWS[i]}) / 2")
	IMPORT_R+=("$(calc %.3f "$ROWS / ${IMPORT_WALL[i]} / $raw")")
	SETCODE_R+=("$(calc %.3f "$ROWS / ${SETCODE_WALL[i]} / $raw")")
done
RAW_IMPORT=$(printf '%s\n' "${RAWS[@]}" | median)
RAW_IMPORT=$(calc %.0f "$RAW_IMPORT")
RAW_SPREAD="$(printf '%s\n' "${RAWS[@]}" | sort -n | head -1)–$(printf '%s\n' "${RAWS[@]}" | sort -n | tail -1)"
R=$(mid "${IMPORT_R[@]}")
row "1. \`student import\` $ROWS rows (whole CLI; $ROUNDS rounds: $(rounds "${IMPORT_R[@]}"))" "$(calc %.0f "$R * $RAW_IMPORT") rows/s" \
	"$RAW_IMPORT rows/s prepared INSERT, 1 tx, store.DSN (median of $((ROUNDS + 1)) runs, $RAW_SPREAD)" "$(calc %.2f "$R")×" "$IMPORT_PEAK MB" "≥ 0.5×, < 200 MB" \
	"$(memok "$(judge ge 0.5 "${IMPORT_R[@]}")" "$IMPORT_PEAK" 199)"
R=$(mid "${SETCODE_R[@]}")
row "2. \`dossier set-code --from\` $ROWS rows (whole CLI; $ROUNDS rounds: $(rounds "${SETCODE_R[@]}"))" "$(calc %.0f "$R * $RAW_IMPORT") rows/s" \
	"$RAW_IMPORT rows/s raw prepared INSERT (as in 1.)" "$(calc %.2f "$R")×" "$SETCODE_PEAK MB" "≥ 0.4×" "$(judge ge 0.4 "${SETCODE_R[@]}")"

# --- setup for 3 and 5: a year stopped before the first debit ------------------

log "setup: rehearse --students $CHARGE_STUDENTS --no-charges"
timed setup "$BIN" rehearse --students "$CHARGE_STUDENTS" --dir charge --no-charges -q
expect setup 0
SETUP_WALL=$WALL
log "setup: rehearse --students $RENDER_STUDENTS --no-charges (the invoices of 3.)"
timed setup-render "$BIN" rehearse --students "$RENDER_STUDENTS" --dir render --no-charges -q
expect setup-render 0
export INPCTL_NOW=2026-06-10T09:00:00+02:00
timed dryrun "$BIN" --db charge/inpctl.db charge --due --dry-run -o json
expect dryrun 0
DUE=$(grep -Eo '"items": *[0-9]+' dryrun.out | tail -1 | grep -Eo '[0-9]+$')
unset INPCTL_NOW

# --- 3. invoice render --all, between raw gopdf runs --------------------------
# The raw limit moves with the load of the machine, by a fifth and more
# within minutes: each CLI run is compared with the mean of the raw runs
# right before and right after it, over RENDER_ROUNDS rounds (raw, CLI,
# raw, CLI, …, raw), and the round with the median ratio (the lower of the
# two middle ones for an even count) is reported, all the ratios beside
# it. One round, as before 2026-11-29, gave 0.66× to 0.79× for the same
# binaries within an afternoon.

log "invoice render --all, $RENDER_ROUNDS rounds between raw gopdf runs (2 goroutines, one process)"
gobench invoice '^BenchmarkRawGopdf2$' 3s >rawpdf.0
rm -f render.rounds
for ((i = 1; i <= RENDER_ROUNDS; i++)); do
	INPCTL_NOW=2026-06-30T09:00:00+02:00 timed render$i "$BIN" --db render/inpctl.db invoice render --all --out pdf$i -q
	expect render$i 0
	cpu=$(awk -F: '/User time|System time/ {s += $2; n++} END {if (n) printf "%.1f", s; else print "?"}' render$i.time)
	gobench invoice '^BenchmarkRawGopdf2$' 3s >rawpdf.$i
	before=$(calc %.0f "$(metric rawpdf.$((i - 1)) BenchmarkRawGopdf2 PDF/s)")
	after=$(calc %.0f "$(metric rawpdf.$i BenchmarkRawGopdf2 PDF/s)")
	raw=$(calc %.0f "($before + $after) / 2")
	pdfs=$(find pdf$i -name '*.pdf' | wc -l)
	rate=$(calc %.0f "$pdfs / $WALL")
	# ratio round pdfs wall cpu peak rate raw before after
	echo "$(calc %.3f "$rate / $raw") $i $pdfs $WALL $cpu $PEAK $rate $raw $before $after" >>render.rounds
done
read -r R3 _ PDFS RENDER_WALL RENDER_CPU RENDER_PEAK RENDER_RATE RAW2_RATE RAW_BEFORE RAW_AFTER \
	< <(sort -n render.rounds | sed -n "$(((RENDER_ROUNDS + 1) / 2))p")
R=$(calc %.2f "$R3")
RATIOS=$(sort -k2n render.rounds | awk '{printf "%s%.2f×", (NR > 1 ? ", " : ""), $1}')
row "3. \`invoice render --all\` $PDFS invoices (whole CLI, 2 workers, ${RENDER_WALL}s wall, ${RENDER_CPU}s CPU; median of $RENDER_ROUNDS rounds: $RATIOS)" "$RENDER_RATE PDF/s" \
	"$RAW2_RATE PDF/s raw gopdf, 2 goroutines (before $RAW_BEFORE, after $RAW_AFTER)" "$R×" "$RENDER_PEAK MB" "≥ 0.8×" "$(verdict ge "$R" 0.8)"

# --- 5. charge --due against the sandbox on loopback ---------------------------

charge_run() { # NAME FLAGS…: charge --due on a fresh copy of the set-up year
	local name=$1
	shift
	cp charge/inpctl.db "$name.db"
	cp charge/inpctl.db.sandbox "$name.sandbox"
	start_sandbox "$name.sandbox" "${SANDBOX_FLAGS[@]}"
	timed "$name" env INPCTL_GATEWAY_KIND=paybox INPCTL_GATEWAY_PAYBOX_URL="$URL" INPCTL_GATEWAY_PAYBOX_BACKUP_URL= INPCTL_GATEWAY_PAYBOX_HOSTED_URL="$URL/cgi/MYchoix_pagepaiement.cgi" \
		INPCTL_GATEWAY_PAYBOX_HMAC_KEY=$KEY INPCTL_NOW=2026-06-10T09:00:00+02:00 \
		"$BIN" --db "$name.db" charge --due --yes -q -o json "$@"
	stop_sandbox
	expect "$name" 0 3 # 3: some cards declined, as the rehearsal wants
	CHARGED=$(grep -Eo '"items": *[0-9]+' "$name.out" | tail -1 | grep -Eo '[0-9]+$')
}
log "charge --due: $DUE due instalments, sandbox on loopback, no latency, $ROUNDS rounds between bare POST runs"
SANDBOX_FLAGS=()
rawpost() { gobench gateway/paybox '^BenchmarkRawFormPost$' 3s >"post.$1"; calc %.0f "1e9 / $(nsop "post.$1" BenchmarkRawFormPost)"; }
POSTS=("$(rawpost 0)")
CHARGE_R=() CHARGE_PEAK=0 CHARGE_WALLS=()
for ((i = 1; i <= ROUNDS; i++)); do
	charge_run charge0
	CHARGE_PEAK=$((PEAK > CHARGE_PEAK ? PEAK : CHARGE_PEAK)) CHARGE_WALLS+=("$WALL")
	POSTS[i]=$(rawpost "$i")
	CHARGE_R+=("$(calc %.4f "$CHARGED / $WALL / ((${POSTS[i - 1]} + ${POSTS[i]}) / 2)")")
done
POST5=$(calc %.0f "$(printf '%s\n' "${POSTS[@]}" | median)")
R=$(mid "${CHARGE_R[@]}")
row "5a. \`charge --due\` $CHARGED charges, loopback sandbox, no latency, --concurrency 4 ($ROUNDS rounds: $(rounds "${CHARGE_R[@]}"); $(printf '%ss ' "${CHARGE_WALLS[@]}"| sed 's/ $//'))" "$(calc %.0f "$R * $POST5") charges/s" \
	"$POST5/s bare loopback form POST round trips (median of $((ROUNDS + 1)) runs)" "$(calc %.2f "$R")×" "$CHARGE_PEAK MB" "≥ 0.15×" "$(judge ge 0.15 "${CHARGE_R[@]}")"
log "charge --due: the same with --latency 100ms and --concurrency 16"
SANDBOX_FLAGS=(--latency 100ms)
charge_run charge100 --concurrency 16
RATE=$(calc %.0f "$CHARGED / $WALL")
R=$(calc %.2f "$RATE / 160")
row "5b. \`charge --due\` $CHARGED charges, --latency 100ms, --concurrency 16 (${WALL}s)" "$RATE charges/s" "160/s (16 in flight / 100 ms)" "$R×" "$PEAK MB" "≥ 0.8× (128/s)" "$(verdict ge "$R" 0.8)"

# --- R. release to release: import, render and charge at a smaller size -----
# Each binary builds its own year (a database written by this commit may be
# newer than the base can open), then BASE_ROUNDS rounds alternate the two
# on the same work: base, this, base, this. A round is this commit's wall
# time over the base's.

log "release to release: import of $BASE_ROWS rows, render and charge of a $BASE_STUDENTS-student year, $BASE_ROUNDS rounds against $BASE_SHA"
mkdir -p data-small
"$OUT/bin/gendata" -n "$BASE_ROWS" -seed 2026 -dir data-small
REL_ROWS_MD=()
declare -A REL_WALL REL_PEAK
rel_run() { # TAG BIN KIND ROUND: one run; sets REL_WALL[TAG.KIND.ROUND], REL_PEAK[TAG.KIND]
	local tag=$1 bin=$2 kind=$3 i=$4 name="rel-$1-$3"
	case $kind in
	import)
		rm -f "rel-$tag.db" "rel-$tag.db-wal" "rel-$tag.db-shm"
		timed "$name-init" "$bin" --db "rel-$tag.db" init -q
		expect "$name-init" 0
		timed "$name" "$bin" --db "rel-$tag.db" student import data-small/students.csv -q
		expect "$name" 0
		;;
	render)
		timed "$name" env INPCTL_NOW=2026-06-30T09:00:00+02:00 "$bin" --db "rel-year-$tag/inpctl.db" invoice render --all --out "rel-pdf-$tag-$i" -q
		expect "$name" 0
		;;
	charge)
		cp "rel-year-$tag/inpctl.db" "rel-charge-$tag.db"
		cp "rel-year-$tag/inpctl.db.sandbox" "rel-charge-$tag.sandbox"
		SBX_BIN=$bin start_sandbox "rel-charge-$tag.sandbox"
		timed "$name" env INPCTL_GATEWAY_KIND=paybox INPCTL_GATEWAY_PAYBOX_URL="$URL" INPCTL_GATEWAY_PAYBOX_BACKUP_URL= INPCTL_GATEWAY_PAYBOX_HOSTED_URL="$URL/cgi/MYchoix_pagepaiement.cgi" \
			INPCTL_GATEWAY_PAYBOX_HMAC_KEY=$KEY INPCTL_NOW=2026-06-10T09:00:00+02:00 \
			"$bin" --db "rel-charge-$tag.db" charge --due --yes -q -o json
		stop_sandbox
		expect "$name" 0 3
		;;
	esac
	REL_WALL[$tag.$kind.$i]=$WALL
	local p=${REL_PEAK[$tag.$kind]:-0}
	REL_PEAK[$tag.$kind]=$((PEAK > p ? PEAK : p))
}
for tag in base this; do
	bin=$BIN
	[[ $tag == base ]] && bin=$BASE_BIN
	timed "rel-setup-$tag" "$bin" rehearse --students "$BASE_STUDENTS" --dir "rel-year-$tag" --no-charges -q
	expect "rel-setup-$tag" 0
done
for kind in import render charge; do
	for ((i = 1; i <= BASE_ROUNDS; i++)); do
		rel_run base "$BASE_BIN" "$kind" "$i"
		rel_run this "$BIN" "$kind" "$i"
	done
done
rm -rf rel-pdf-*
for kind in import render charge; do
	rs=() bw=() tw=()
	for ((i = 1; i <= BASE_ROUNDS; i++)); do
		rs+=("$(calc %.3f "${REL_WALL[this.$kind.$i]} / ${REL_WALL[base.$kind.$i]}")")
		bw+=("${REL_WALL[base.$kind.$i]}") tw+=("${REL_WALL[this.$kind.$i]}")
	done
	case $kind in
	import) what="\`student import\` $BASE_ROWS rows" ;;
	render) what="\`invoice render --all\`, $BASE_STUDENTS-student year" ;;
	charge) what="\`charge --due\`, $BASE_STUDENTS-student year, loopback sandbox" ;;
	esac
	REL_ROWS_MD+=("| $what | $(printf '%s\n' "${bw[@]}" | median) s, ${REL_PEAK[base.$kind]} MB | $(printf '%s\n' "${tw[@]}" | median) s, ${REL_PEAK[this.$kind]} MB | $(calc %.2f "$(mid "${rs[@]}")")× ($(rounds "${rs[@]}")) | ≤ 1.10× | $(judge le 1.10 "${rs[@]}") |")
done

# --- 7. headline: the whole year ------------------------------------------------

# The same year from the base and from this commit, alternated (base, this,
# base, this, …): each round is this commit's wall time over the base's
# just before it. The first round's year is the database of 6. and after.

log "headline: rehearse --students $STUDENTS, $HEADLINE_ROUNDS rounds against the base $BASE_SHA"
HEAD_R=() HEADLINE_PEAK=0 BASE_HEAD_PEAK=0 HEAD_WALLS=() BASE_WALLS=()
for ((i = 1; i <= HEADLINE_ROUNDS; i++)); do
	timed headline-base "$BASE_BIN" rehearse --students "$STUDENTS" --dir "year-base$i"
	expect headline-base 0
	bw=$WALL BASE_HEAD_PEAK=$((PEAK > BASE_HEAD_PEAK ? PEAK : BASE_HEAD_PEAK))
	rm -rf "year-base$i"
	dir=year
	((i == 1)) || dir=year$i
	timed headline "$BIN" rehearse --students "$STUDENTS" --dir "$dir"
	expect headline 0
	((i == 1)) && cp headline.out headline1.out
	((i == 1)) || rm -rf "$dir"
	HEADLINE_PEAK=$((PEAK > HEADLINE_PEAK ? PEAK : HEADLINE_PEAK))
	HEAD_WALLS+=("$WALL") BASE_WALLS+=("$bw")
	HEAD_R+=("$(calc %.3f "$WALL / $bw")")
done
cp headline1.out headline.out
HEADLINE_WALL=$(printf '%s\n' "${HEAD_WALLS[@]}" | median)
R=$(mid "${HEAD_R[@]}")
row "7. \`rehearse --students $STUDENTS\` (whole year, whole CLI; $HEADLINE_ROUNDS rounds: $(rounds "${HEAD_R[@]}"))" "$HEADLINE_WALL s (median)" \
	"$(printf '%s\n' "${BASE_WALLS[@]}" | median) s the same year from the base $BASE_SHA ($BASE_HEAD_PEAK MB)" "$(calc %.2f "$R")×" "$HEADLINE_PEAK MB" "≤ 1.10× the base, ≤ 500 MB" \
	"$(memok "$(judge le 1.10 "${HEAD_R[@]}")" "$HEADLINE_PEAK" 500)"

# --- 6. account show on the year × COPIES vs process start ---------------------
# The two sides are whole processes: account show, and the floor
# (cmd/benchfloor: process start, the same file opened through
# internal/store with the same DSN, PRAGMA user_version). Each is measured
# two ways (issue 23: the verdict must not depend on the load):
# - in instructions (callgrind, median of 3 runs each: a run that happens
#   to collect garbage counts ~4 M more), a count no load changes; this is
#   the verdict when valgrind is installed. Wall times moved the ratio from
#   2.3–2.5× on a quiet machine to 2.0–2.9× with one busy core for the same
#   binaries, and CPU times by as much under a load of 8 (other builds).
# - in CPU time (user + system, every thread; benchfloor -rusage), in
#   rounds of 7 triples in turn (floor, inpctl version, account show): a
#   round is account show's median over the floor's, judged round by round
#   (rounds on both sides of the target read "unsteady"); the verdict
#   without valgrind. Wall times are shown as well.
# inpctl version is the inpctl binary's own start (no config, no
# database): what of the gap is the binary rather than the command.

log "account show on $((STUDENTS * COPIES)) students vs the process-start floor, $SHOW_ROUNDS rounds"
cp year/inpctl.db big.db
ID=$("$OUT/bin/benchfloor" -replicate "$COPIES" big.db)
export INPCTL_NOW=2026-06-30T09:00:00+02:00
timed show "$BIN" --db big.db account show "$ID"
expect show 0
SHOW_PEAK=$PEAK
# usage CMD…: "WALL CPU" of one run, in microseconds (exit status 0 expected).
usage() {
	if ! "$OUT/bin/benchfloor" -rusage "$OUT/usage.txt" -- "$@" >/dev/null 2>"$OUT/usage.err"; then
		echo "bench: $* failed" >&2
		tail -5 "$OUT/usage.err" >&2
		return 1
	fi
	awk '{printf "%d %d\n", $1 * 1e6, $3 * 1e6}' "$OUT/usage.txt"
}
# insns N CMD…: the median instructions of N runs under callgrind. Go's
# asynchronous preemption signals abort callgrind, hence asyncpreemptoff.
insns() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
			awk '/Collected :/ {print $NF}' || true
	done | grep -E '^[0-9]+$' | median | awk '{printf "%.0f", $1}'
}
usage "$OUT/bin/benchfloor" big.db >/dev/null # warm
SHOW_R=() SHOW_WR=() CPU_SHOW=() CPU_FLOOR=() CPU_VERSION=() WALL_SHOW=() WALL_FLOOR=()
for ((r = 1; r <= SHOW_ROUNDS; r++)); do
	cs=() cf=() ws=() wf=()
	for _ in 1 2 3 4 5 6 7; do
		u=$(usage "$OUT/bin/benchfloor" big.db)
		read -r w c <<<"$u"
		cf+=("$c") wf+=("$w")
		u=$(usage "$BIN" version)
		read -r w c <<<"$u"
		CPU_VERSION+=("$c")
		u=$(usage "$BIN" --db big.db account show "$ID")
		read -r w c <<<"$u"
		cs+=("$c") ws+=("$w")
	done
	CPU_SHOW+=("${cs[@]}") CPU_FLOOR+=("${cf[@]}") WALL_SHOW+=("${ws[@]}") WALL_FLOOR+=("${wf[@]}")
	SHOW_R+=("$(calc %.3f "$(printf '%s\n' "${cs[@]}" | median) / $(printf '%s\n' "${cf[@]}" | median)")")
	SHOW_WR+=("$(calc %.3f "$(printf '%s\n' "${ws[@]}" | median) / $(printf '%s\n' "${wf[@]}" | median)")")
done
IS="" IF="" IV=""
if command -v valgrind >/dev/null 2>&1; then
	IS=$(insns 3 "$BIN" --db big.db account show "$ID") || IS=""
	IF=$(insns 3 "$OUT/bin/benchfloor" big.db) || IF=""
	IV=$(insns 1 "$BIN" version) || IV=""
fi
unset INPCTL_NOW
ms6() { printf '%s\n' "$@" | median | awk '{printf "%.1f", $1 / 1000}'; }
spread6() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {printf "%.1f–%.1f", a[1] / 1000, a[NR] / 1000}'; }
CPU_VERDICT=$(judge le 2.5 "${SHOW_R[@]}")
CPU_R=$(calc %.2f "$(mid "${SHOW_R[@]}")")
SHOW_CPU="$(ms6 "${CPU_SHOW[@]}") ms CPU ($(spread6 "${CPU_SHOW[@]}"))"
FLOOR_CPU="$(ms6 "${CPU_FLOOR[@]}") ms CPU ($(spread6 "${CPU_FLOOR[@]}"))"
SHOW_HOW="CPU time (user + system), $SHOW_ROUNDS rounds of 7: $(rounds "${SHOW_R[@]}"), $CPU_VERDICT; wall time $(ms6 "${WALL_SHOW[@]}") ms against $(ms6 "${WALL_FLOOR[@]}") ms, rounds $(rounds "${SHOW_WR[@]}")"
if [[ $IS =~ ^[1-9][0-9]*$ && $IF =~ ^[1-9][0-9]*$ ]]; then
	R=$(calc %.2f "$IS / $IF")
	row "6. \`account show\` on $((STUDENTS * COPIES)) students, a year of movements (instructions: callgrind, median of 3 runs each; $SHOW_HOW)" \
		"$(calc %.1f "$IS / 1e6") M instructions; $SHOW_CPU" \
		"$(calc %.1f "$IF / 1e6") M instructions; $FLOOR_CPU: process start + open + PRAGMA user_version (cmd/benchfloor); \`inpctl version\` $(calc %.1f "${IV:-0} / 1e6") M, $(ms6 "${CPU_VERSION[@]}") ms" \
		"$R× ($CPU_R× in CPU time)" "$SHOW_PEAK MB" "≤ 2.5× the floor's instructions" "$(verdict ge 2.5 "$R")"
else
	row "6. \`account show\` on $((STUDENTS * COPIES)) students, a year of movements (no valgrind: $SHOW_HOW)" "$SHOW_CPU" \
		"$FLOOR_CPU: process start + open + PRAGMA user_version (cmd/benchfloor); \`inpctl version\` $(ms6 "${CPU_VERSION[@]}") ms" \
		"$CPU_R×" "$SHOW_PEAK MB" "≤ 2.5× the floor's CPU time" "$CPU_VERDICT"
fi

# --- 8 and after: one file per benchmark in scripts/bench.d ------------------
# Each part is sourced here, in $OUT, after the headline year (year/inpctl.db)
# and its database × COPIES (big.db) exist: it may use every helper above,
# adds its table lines with row and its notes with NOTES_MD+=("- **N.** …").
# One file per benchmark keeps each one's setup beside its figures.

NOTES_MD=()
for part in "$ROOT"/scripts/bench.d/*.sh; do
	[[ -e $part ]] || continue
	log "bench part $(basename "$part")"
	# shellcheck source=/dev/null
	. "$part"
	cd "$OUT"
done

# --- BENCHMARKS.md ------------------------------------------------------------------

END=$(date +%s)
cd "$ROOT"
{
	cat <<EOF
# Benchmarks

Written by \`make bench\` (scripts/bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'); the run took $(((END - START) / 60)) min $(((END - START) % 60)) s.
Every inpctl figure is a whole CLI invocation of \`bin/inpctl\`; every raw limit was measured in the
same run, on the same machine. Peak memory is the process's maximum resident set size.

| machine | |
|---|---|
| CPU | $(awk -F: '/model name/ {sub(/^ /, "", $2); print $2; exit}' /proc/cpuinfo) |
| cores (nproc) | $(nproc) |
| memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) |
| Go | $($GO version | awk '{print $3, $4}') |
| inpctl | $("$BIN" version) |
| load average (1, 5, 15 min) before / after | $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg) |

| benchmark | inpctl | raw limit (same run) | ratio | peak memory | target | result |
|---|---|---|---|---|---|---|
EOF
	# by number, then letter: 5a. 5b. … 9. 9b. 10.
	printf '%s\n' "${ROWS_MD[@]}" | awk '{ n = $2 + 0; l = substr($2, length(n "") + 1, 1); printf "%06d%s\t%s\n", n, (l == "." ? "" : l), $0 }' | LC_ALL=C sort | cut -f2-
	cat <<EOF

## Release to release

This commit ($HEAD_DESC) against the base $BASE_SHA ($BASE_WHY), both built by this run and
alternated on the same work, $BASE_ROUNDS rounds each (row 7 above is the same comparison for the
headline year). The ratio is this commit's wall time over the base's, round by round; the median
round is shown first. A row whose rounds fall on both sides of the target reads "unsteady".

| work | base $BASE_SHA (median wall, peak) | this commit (median wall, peak) | ratio (rounds) | target | result |
|---|---|---|---|---|---|
EOF
	printf '%s\n' "${REL_ROWS_MD[@]}"
	cat <<EOF

Notes on what is compared:

- **1.** \`student import\` is timed from process start to exit (config, migrations check, CSV
  parsing and validation, loading the existing students, the writes, the audit row). The raw limit,
  \`BenchmarkRawImport\` (internal/rehearse), inserts the same $ROWS generated rows with two prepared
  statements (the student and its dossier: what the import writes per row) in one transaction,
  opened with \`store.DSN\` (same pragmas), and nothing else.
- **1 and 2.** $ROUNDS rounds, each on a fresh file, each compared with the mean of the raw runs right
  before and after it (raw rates $RAW_SPREAD rows/s). set-code has no raw counterpart of its own: per
  row it reads the dossier, computes the fees, updates the dossier and writes an order with its line;
  its target is a share of the raw INSERT rate (≥ 0.4×), not a number of rows per second.
- **3.** The raw limit is \`BenchmarkRawGopdf2\` (internal/invoice): two goroutines in one process
  drawing the same page with bare gopdf calls at fixed positions, the fonts parsed once and shared,
  written to io.Discard: what 2 cores of gopdf give. The raw page is the page Render draws for a
  typical invoice, at fixed positions: the same text, fonts, colours, fills and rules
  (\`TestRawInvoiceDrawsWhatRenderDraws\` compares the two pages' content streams line by line, positions aside).
  The CLI runs $RENDER_ROUNDS times, each run between two raw runs and compared with their mean
  (the row shows the run with the median ratio, $RAW_BEFORE and $RAW_AFTER PDF/s around it, and
  every ratio): the speed of this machine moves by a fifth and more within minutes.
  Both run under \`invoice.Batch (its GCBudget)\` (a collection per 64 MiB allocated rather than per live-heap
  size): at the default GOGC the benchmark's tiny heap made it collect every PDF or two, which
  made its rate swing with the load (250 to 370 PDF/s, against 700 and more with the same budget).
  In the same run, one goroutine: \`BenchmarkRender\` (model + layout + gopdf, in memory)
  $(calc %.2f "$RENDER_NS / 1e6") ms per invoice, \`BenchmarkRawGopdf\` $(calc %.2f "$RAW1_NS / 1e6") ms
  ($(calc %.2f "$RAW1_NS / $RENDER_NS")×). The CLI figure also reads the invoices from the database
  (six queries per 512 invoices, while the first ones render), writes each file to a temporary name
  and renames it (the writes overlap the rendering), starts the write-back every 64 MiB, and
  syncs the file system (syncfs) before it reports success.
- **4.** \`BenchmarkSandboxRoundTrip\` and \`BenchmarkRawFormPost\` (internal/gateway/paybox): the real
  client charging a registered card on the sandbox (HMAC, checks, state, journal) vs a bare
  net/http POST of the same size to a handler that only answers, run right before and right after
  the round trips and averaged. Per round trip the sandbox also appends its journal line (one
  write(2), no fsync, as docs/sandbox.md says) before it answers.
- **5.** The $DUE instalments due on 2026-06-10 come from \`inpctl rehearse --students $CHARGE_STUDENTS
  --no-charges\` (${SETUP_WALL} s; the year stops before the first debit, every later instalment is
  then due). Each run is on a fresh copy, against \`inpctl gateway sandbox --listen 127.0.0.1:0
  --state …\` (the rehearsal's sandbox journal), with \`gateway.kind: paybox\` pointing at it.
  5a's rounds are compared with the bare loopback form POST of 4. measured right before and after
  each: a charge is an intent committed, a signed Direct Plus round trip and an outcome committed,
  so the target is a share of the bare round trip (≥ 0.15×).
  About 5 % of the students have sandbox cards that decline: the run exits 3, as it should.
- **6.** The database is the headline year (7.) copied $COPIES times under new student numbers
  (\`benchfloor -replicate\`, store.ReplicateForBench: every document, plan, card, charge and payment
  of every student). The account shown is the one with the most payments ($ID). The two sides are
  whole processes: \`inpctl account show\` (config, schema, 13 queries, 7 tables), and the floor,
  cmd/benchfloor: a Go binary that opens the same file through internal/store with the same DSN and
  runs \`PRAGMA user_version\` (process start, open, schema). \`inpctl version\` is shown beside it: the
  inpctl binary's own start, no config and no database.
- **6, how it is measured.** In instructions (valgrind's callgrind, median of 3 runs of each side),
  which no load changes: this is the verdict when valgrind is installed. Also in CPU time (user +
  system of every thread, getrusage through \`benchfloor -rusage\`), $SHOW_ROUNDS rounds of 7 triples
  in turn (floor, version, account show), each round judged; that is the verdict without valgrind.
  Wall time, what this row used to measure, is shown last. On 2026-12-04 the wall-time rounds of the
  same binaries read pass on a machine at load 4 (2.23–2.37× five times) and **FAIL** or unsteady
  with one busy loop added (1.97–4.44×, rounds 0.83× to 7.40×): the time a process waits for a core
  is counted in its wall time, and not in the same share for a 10 ms process as for a 4 ms one.
  CPU time did not move with the busy loop in its median (2.37–2.54× quiet, 2.38–2.54× busy) but
  its rounds spread by ±8 % at loads of 4 to 11, so near the target they read "unsteady".
  Instruction counts moved by less than 1 % (24.0–24.3 M quiet, 24.2–24.3 M busy).
- **6, target.** ≤ 2.5× the floor, the issue's figure, now in instructions. It is not looser than
  the same figure in seconds: the instruction ratio is the higher one for the command that went in
  (2.39–2.44× against 2.0× in wall time and 2.37–2.54× in CPU time), and it counts all the work the
  command adds, so a regression of account show raises it; what it does not see is kernel work
  (page faults, system calls), which the CPU-time rounds beside it still show. One trap: a run
  that crosses the collector's first 4 MB trigger counts ~4 M more (the command before these
  cuts did under callgrind every time, 38.7–39.5 M, and 32.9 M with GOGC=off), hence the median of 3.
- **7.** The base is $BASE_SHA ($BASE_WHY), built from its source by this run; the two rehearse the
  same year in turn ($HEADLINE_ROUNDS rounds), and the ratio is this commit's wall time over the base's
  just before it. The timing table of this commit's first headline rehearsal, as \`inpctl rehearse\` printed it:

\`\`\`
$(cat "$OUT/headline.out")
\`\`\`
$(printf '%s\n' "${NOTES_MD[@]}")
EOF
	profile_notes
} >BENCHMARKS.md
log "BENCHMARKS.md written ($(((END - START) / 60)) min $(((END - START) % 60)) s)"
rm -rf "$OLD" && sync # see the top: deleted once nothing is measured
