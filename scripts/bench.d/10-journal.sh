# shellcheck shell=bash
# 10-journal.sh — issue 20's benchmark, part of make bench (sourced by
# scripts/bench.sh in bench-out/): `inpctl journal --format fec --out FILE`
# of the whole year of benchmark 6's database (big.db: the headline year
# × BENCH_COPIES, 100 000 students by default) against its raw limit in the
# same run: `benchfloor -journal FROM:TO -out FILE` (store.RawJournal), the
# journal's one SELECT of the same movements (the same query, rows and
# columns) written with bufio to a file, synced as journal --out syncs its
# own. Target ≥ 0.5×, memory flat.
#
# big.db is made by benchmark 6, before bench.sh sources the parts: this
# part only reads it, and stops if it is missing. BENCH_JOURNAL_DB names
# another database (a small one, to try the part out).
#
# ROUNDS rounds: raw, journal, raw, …; each journal round is compared with
# the mean of the raw runs right before and after it, as a rate (movements
# per second: both read the same rows). The rounds export the year while it
# is not over (INPCTL_NOW on its last day): nothing is recorded, each round
# does the same work. Then one export of the closed year, which records
# the number of every entry in one transaction (the agence comptable's
# year-end export), is timed once against the last raw run.
#
# Memory is flat when the journal's peak is at most twice the raw
# program's: both open the file with the same DSN (a 32 MB page cache) and
# SQLite sorts the same union, so what the journal adds on top is its own
# (a bufio buffer, the chart, the CLI); a year held in memory would add at
# least the size of its FEC file (in the row), which grows with the year.
JOURNAL_DB=${BENCH_JOURNAL_DB:-big.db}
JOURNAL_FROM=2025-06-01 # the rehearsed year: approvals in June 2025 to the last debits in June 2026
JOURNAL_TO=2026-08-31
JOURNAL_OPEN=2026-08-31T12:00:00+02:00  # the year's last day: not over, nothing recorded
JOURNAL_CLOSE=2026-09-01T09:00:00+02:00 # the day after: the export records its numbers
if [[ ! -s $JOURNAL_DB ]]; then
	echo "bench: 10-journal.sh needs $JOURNAL_DB (benchmark 6's database, made before the parts)" >&2
	exit 1
fi

# journal_raw ROUND: the raw run; sets JRAW_WALL[ROUND], JRAW_PEAK, JRAW_ROWS.
JRAW_WALL=() JRAW_PEAK=0
journal_raw() {
	timed "journal-raw$1" "$OUT/bin/benchfloor" -journal "$JOURNAL_FROM:$JOURNAL_TO" -out journal-raw.txt "$JOURNAL_DB"
	expect "journal-raw$1" 0
	JRAW_WALL[$1]=$WALL JRAW_PEAK=$((PEAK > JRAW_PEAK ? PEAK : JRAW_PEAK))
	JRAW_ROWS=$(awk '{print $1}' "journal-raw$1.out")
	rm -f journal-raw.txt
}

# journal_run NAME NOW: inpctl journal of the year to NAME.fec, checked: exit
# 0 (every entry balanced, debit = credit), one entry per movement the raw
# SELECT read, a header and the lines it reports, and the debits and
# credits of the file itself equal. Sets WALL, PEAK, JOURNAL_LINES.
journal_run() {
	local name=$1 now=$2 entries sums
	rm -f "$name.fec" "$name.fec.txt"
	timed "$name" env INPCTL_NOW="$now" "$BIN" --db "$JOURNAL_DB" journal --from "$JOURNAL_FROM" --to "$JOURNAL_TO" --format fec --out "$name.fec"
	expect "$name" 0
	# read fails (set -e) when the line is missing: the check below says so
	read -r entries JOURNAL_LINES < <(sed -n 's/^✓ .* written (\([0-9]*\) entries, \([0-9]*\) lines;.*/\1 \2/p' "$name.err") || true
	if [[ $entries != "$JRAW_ROWS" || $(wc -l <"$name.fec") != $((JOURNAL_LINES + 1)) ]]; then
		echo "bench: $name wrote ${entries:-?} entries and $(wc -l <"$name.fec") lines, want $JRAW_ROWS entries (the raw rows) and ${JOURNAL_LINES:-?} + 1 lines" >&2
		exit 1
	fi
	sums=$(awk -F'|' 'NR > 1 {gsub(",", "", $12); gsub(",", "", $13); d += $12; c += $13} END {printf "%d %d", d, c}' "$name.fec")
	if [[ ${sums% *} != "${sums#* }" ]]; then
		echo "bench: $name.fec does not balance: debit $sums credit (cents)" >&2
		exit 1
	fi
}

log "journal --format fec of the year of $JOURNAL_DB ($JOURNAL_FROM to $JOURNAL_TO), $ROUNDS rounds between raw SELECT runs"
journal_raw 0
JOURNAL_R=() JOURNAL_WALLS=() JOURNAL_PEAK=0
for ((i = 1; i <= ROUNDS; i++)); do
	journal_run "journal$i" "$JOURNAL_OPEN"
	JOURNAL_WALLS+=("$WALL") JOURNAL_PEAK=$((PEAK > JOURNAL_PEAK ? PEAK : JOURNAL_PEAK))
	JOURNAL_MB=$(calc %.0f "$(stat -c %s "journal$i.fec") / 1048576")
	((i == ROUNDS)) || rm -f "journal$i.fec"
	journal_raw "$i"
	JOURNAL_R+=("$(calc %.3f "(${JRAW_WALL[i - 1]} + ${JRAW_WALL[i]}) / 2 / $WALL")")
done
JRAW_MED=$(printf '%s\n' "${JRAW_WALL[@]}" | median)
R=$(mid "${JOURNAL_R[@]}")
JOURNAL_LIMIT=$((2 * JRAW_PEAK))
row "9. \`journal --format fec --out\` of the year, $JRAW_ROWS movements, $JOURNAL_LINES lines, $JOURNAL_MB MB (whole CLI, period not over; $ROUNDS rounds: $(rounds "${JOURNAL_R[@]}"); $(printf '%ss ' "${JOURNAL_WALLS[@]}" | sed 's/ $//'))" \
	"$(calc %.0f "$R * $JRAW_ROWS / $JRAW_MED") movements/s" \
	"$(calc %.0f "$JRAW_ROWS / $JRAW_MED") rows/s the journal's SELECT written with bufio, synced (${JRAW_MED}s, median of $((ROUNDS + 1)) runs; $JRAW_PEAK MB)" \
	"$(calc %.2f "$R")×" "$JOURNAL_PEAK MB" "≥ 0.5×, ≤ 2× the raw peak ($JOURNAL_LIMIT MB)" \
	"$(memok "$(judge ge 0.5 "${JOURNAL_R[@]}")" "$JOURNAL_PEAK" "$JOURNAL_LIMIT")"
rm -f "journal$ROUNDS.fec"

log "journal of the closed year: every entry's number recorded"
journal_run journal-close "$JOURNAL_CLOSE"
JCLOSE_WALL=$WALL JCLOSE_PEAK=$PEAK
grep -q "^$JRAW_ROWS new entries numbered and recorded" journal-close.err ||
	{ echo "bench: the export of the closed year did not record $JRAW_ROWS numbers" >&2; tail -3 journal-close.err >&2; exit 1; }
rm -f journal-close.fec
R=$(calc %.3f "${JRAW_WALL[ROUNDS]} / $JCLOSE_WALL")
row "9b. \`journal --format fec --out\` of the closed year: the same, and its $JRAW_ROWS entry numbers recorded in one transaction (whole CLI, 1 round, ${JCLOSE_WALL}s)" \
	"$(calc %.0f "$JRAW_ROWS / $JCLOSE_WALL") movements/s" "$(calc %.0f "$JRAW_ROWS / ${JRAW_WALL[ROUNDS]}") rows/s the raw SELECT of 9. (its last run)" \
	"$(calc %.2f "$R")×" "$JCLOSE_PEAK MB" "reported; ≤ $JOURNAL_LIMIT MB" "$(memok "pass (memory; the ratio has no target)" "$JCLOSE_PEAK" "$JOURNAL_LIMIT")"
NOTES_MD+=("- **9.** \`inpctl journal --from $JOURNAL_FROM --to $JOURNAL_TO --format fec --out FILE\` on $JOURNAL_DB (benchmark 6's database)
  is timed from process start to exit: config, schema check, the one query of the period's movements (a union of invoices,
  credit notes, payments, unpaids and refunds with the students and the recorded numbers, sorted by date, kind and id),
  each movement booked on the chart of accounts and checked balanced, numbered, written in the FEC layout, the file
  synced and renamed, its description written. The raw limit, \`benchfloor -journal\` (store.RawJournal), runs the same
  query through internal/store with the same DSN, scans the same columns and writes them |-separated with bufio to a
  file it syncs: one line per movement where the journal writes one per line of entry (2 or 3). Rounds run with
  \`INPCTL_NOW=$JOURNAL_OPEN\` (the period is not over: nothing is recorded, every round does the same work); 9b. is
  then the export of the closed year (\`INPCTL_NOW=$JOURNAL_CLOSE\`), which also inserts one journal_numbers row per
  entry in its transaction: what the raw side does not do (a durable insert per entry, about 9 µs each, so that a later
  export never renumbers a closed period), so 9b. has no ratio target, only the memory bound; the issue's target is
  9.'s. Each run checks exit 0, one entry per raw row, the file's lines (header + the lines
  reported) and its debits equal to its credits. Memory is flat when the peak is at most twice the raw program's (the
  same page cache and sort): holding the year would add at least the FEC file, $JOURNAL_MB MB.")
