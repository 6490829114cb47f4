# shellcheck shell=bash
# 8. inpctl serve: Paybox notifications per second (issue 18), sourced by
# scripts/bench.sh in $OUT. The same pre-signed notifications, real pay
# requests of a rehearsed year, go through `inpctl serve` (verify, apply,
# commit, answer 200) and through a bare net/http handler that only
# verifies the same RSA signature (cmd/benchipn verify), from the same K
# keep-alive clients (cmd/benchipn send). ROUNDS rounds: bare, serve on a
# fresh copy of the year, bare, …; each serve round is compared with the
# mean of the bare runs right before and after it.
#
# Knobs: BENCH_SERVE_STUDENTS (the year, 20000), BENCH_SERVE_NOTIFICATIONS
# (at most this many, 2000: after rehearse --no-charges only the students of
# an approved 3x or 5x plan have something to pay, about a quarter),
# BENCH_SERVE_CLIENTS (K, 8).

SERVE_STUDENTS=${BENCH_SERVE_STUDENTS:-20000}
SERVE_MAX=${BENCH_SERVE_NOTIFICATIONS:-2000}
SERVE_CLIENTS=${BENCH_SERVE_CLIENTS:-8}
SERVE_NOW=2026-06-10T09:00:00+02:00

(cd "$ROOT" && $GO build -o "$OUT/bin/benchipn" ./cmd/benchipn)
log "serve: rehearse --students $SERVE_STUDENTS --no-charges, then up to $SERVE_MAX pay requests signed by the sandbox"
rm -rf serve
timed serve-setup "$BIN" rehearse --students "$SERVE_STUDENTS" --dir serve --no-charges -q
expect serve-setup 0
timed serve-prepare "$OUT/bin/benchipn" prepare -db serve/inpctl.db -n "$SERVE_MAX" -now "$SERVE_NOW" -out serve-ipn.txt
expect serve-prepare 0
SERVE_N=$(wc -l <serve-ipn.txt)
# The bare handler keeps nothing: it gets the file over again, about 20 000
# requests, so that its run lasts long enough to be timed.
SERVE_REPEAT=$(((20000 + SERVE_N - 1) / SERVE_N))

# serve_bare ROUND: the bare verify-only handler's rate (notifications/s).
serve_bare() {
	local pid url
	: >serve-bare.url
	"$OUT/bin/benchipn" verify >"serve-bare.url" 2>"serve-bare.err" &
	pid=$!
	for _ in $(seq 200); do [[ -s serve-bare.url ]] && break; sleep 0.05; done
	url=$(head -1 serve-bare.url)
	"$OUT/bin/benchipn" send -url "$url" -c "$SERVE_CLIENTS" -repeat "$SERVE_REPEAT" serve-ipn.txt >"serve-bare.$1" 2>>serve-bare.err || {
		kill "$pid"; wait "$pid" || true
		echo "bench: the bare verify handler did not take every notification" >&2; cat serve-bare.err >&2; exit 1
	}
	kill "$pid"; wait "$pid" || true
	awk '{print $3}' "serve-bare.$1"
}

# serve_run ROUND: inpctl serve on a fresh copy of the year; sets
# SERVE_RATE (notifications/s), SERVE_APPLIED (new card payments) and
# SERVE_PEAK (MB, the server's VmHWM).
serve_run() {
	local pid url before after
	rm -f serve-run.db serve-run.db-wal serve-run.db-shm
	cp serve/inpctl.db serve-run.db
	cp serve/inpctl.db.sandbox serve-run.db.sandbox
	before=$(INPCTL_NOW=$SERVE_NOW "$BIN" --db serve-run.db payment list --method card -o csv | wc -l)
	: >serve.url
	INPCTL_NOW=$SERVE_NOW "$BIN" --db serve-run.db serve --listen 127.0.0.1:0 >serve.url 2>"serve.err.$1" &
	pid=$!
	for _ in $(seq 400); do [[ -s serve.url ]] && break; sleep 0.05; done
	url=$(head -1 serve.url)
	[[ -n $url ]] || { kill "$pid" 2>/dev/null; wait "$pid" || true; echo "bench: inpctl serve did not start" >&2; cat "serve.err.$1" >&2; exit 1; }
	"$OUT/bin/benchipn" send -url "$url" -c "$SERVE_CLIENTS" -wait "${url%/paybox/ipn}/healthz" serve-ipn.txt >"serve.$1" 2>>"serve.err.$1" || {
		kill "$pid"; wait "$pid" || true
		echo "bench: inpctl serve did not answer 200 to every notification" >&2; tail -5 "serve.err.$1" >&2; exit 1
	}
	SERVE_PEAK=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")
	kill -TERM "$pid"
	wait "$pid" || { echo "bench: inpctl serve did not stop cleanly on SIGTERM" >&2; exit 1; }
	after=$(INPCTL_NOW=$SERVE_NOW "$BIN" --db serve-run.db payment list --method card -o csv | wc -l)
	SERVE_APPLIED=$((after - before))
	((SERVE_APPLIED == SERVE_N)) || { echo "bench: $SERVE_N notifications sent, $SERVE_APPLIED card payments written" >&2; exit 1; }
	SERVE_RATE=$(awk '{print $3}' "serve.$1")
}

log "serve: $SERVE_N notifications from $SERVE_CLIENTS clients, $ROUNDS rounds between bare verify-only runs"
SERVE_BARES=("$(serve_bare 0)")
SERVE_R=() SERVE_RATES=() SERVE_PEAKMAX=0
for ((i = 1; i <= ROUNDS; i++)); do
	serve_run "$i"
	SERVE_RATES+=("$SERVE_RATE") SERVE_PEAKMAX=$((SERVE_PEAK > SERVE_PEAKMAX ? SERVE_PEAK : SERVE_PEAKMAX))
	SERVE_BARES[i]=$(serve_bare "$i")
	SERVE_R+=("$(calc %.4f "$SERVE_RATE / ((${SERVE_BARES[i - 1]} + ${SERVE_BARES[i]}) / 2)")")
done
SERVE_BARE=$(calc %.0f "$(printf '%s\n' "${SERVE_BARES[@]}" | median)")
R=$(mid "${SERVE_R[@]}")
row "8. \`inpctl serve\` $SERVE_N notifications, $SERVE_STUDENTS-student year, $SERVE_CLIENTS clients on loopback ($ROUNDS rounds: $(rounds "${SERVE_R[@]}"); $(printf '%s/s ' "${SERVE_RATES[@]}" | sed 's/ $//'))" \
	"$(calc %.0f "$R * $SERVE_BARE") notifications/s" \
	"$SERVE_BARE/s bare net/http handler verifying the same RSA signature (the file × $SERVE_REPEAT; median of $((ROUNDS + 1)) runs)" \
	"$(calc %.2f "$R")×" "$SERVE_PEAKMAX MB" "≥ 0.5×" "$(judge ge 0.5 "${SERVE_R[@]}")"
NOTES_MD+=("- **8.** \`inpctl serve\` on a fresh copy of a \`rehearse --students $SERVE_STUDENTS --no-charges\` year, \`INPCTL_NOW=$SERVE_NOW\`:
  $SERVE_N hosted-page requests recorded as \`pay link\` records them (billing.MakePayLink, by cmd/benchipn prepare) and paid on the
  year's sandbox page, so each notification is signed by the sandbox's RSA key and applies a real payment (the run checks
  $SERVE_N new card payments). cmd/benchipn send sends them as Paybox does (GET, the raw query) from $SERVE_CLIENTS keep-alive
  clients and fails unless every answer is 200. The raw limit is cmd/benchipn verify: a bare net/http handler running
  paybox.VerifyIPN (the check serve runs first, in each request) and nothing else. Per notification serve also writes the
  payment, its allocation, the ledger and audit rows and a notice; the notifications that arrive while a commit is under
  way are applied together in the next transaction (group commit: what is queued when the previous commit ends, at most
  64, one applier, one SQLite writer), committed (synchronous=FULL) before each of them is answered 200, since only a 200
  stops Paybox's retries; serve's last stderr line counts the commits. The peak memory is the server's (VmHWM).")
rm -f serve-run.db serve-run.db-wal serve-run.db-shm serve-run.db.sandbox
