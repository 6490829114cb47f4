# shellcheck shell=bash
# 30-mail.sh — issue 19's benchmark, part of make bench (sourced by
# scripts/bench.sh in bench-out/): `mail send` of BENCH_MAIL_NOTICES
# (10 000) pending notices, one PDF attached each, to a local SMTP server
# that accepts everything (`inpctl mail sandbox`, on loopback), against a
# raw loop of go-mail sends of the same messages to the same server in the
# same run (TestRawSendLoop in internal/mail/smtp: the .eml files the
# server kept, sent again over one connection). Target ≥ 0.7×.
#
# The notices are a rehearsed intake's receipts: `rehearse --no-charges`
# for enough students that their first payments make BENCH_MAIL_NOTICES
# payment_received notices (each with its invoice PDF, rendered when
# sent). Its plan_approved notices, queued before them and with no PDF, are
# sent first by an untimed mail send --limit.
MAIL_N=${BENCH_MAIL_NOTICES:-10000}
if ! [[ $MAIL_N =~ ^[1-9][0-9]*$ ]]; then
	echo "bench: BENCH_MAIL_NOTICES must be a whole number of 1 or more, not \"$MAIL_N\"" >&2
	exit 2
fi
MAIL=$OUT/mail
rm -rf "$MAIL"
mkdir -p "$MAIL/in" "$MAIL/raw"
# About 72 % of a rehearsed intake pay their first instalment by card.
MAIL_STUDENTS=$((MAIL_N * 100 / 70 + 20))
log "mail: rehearse --students $MAIL_STUDENTS --no-charges for $MAIL_N receipts"
timed mail-rehearse "$BIN" rehearse --students "$MAIL_STUDENTS" --no-charges --dir "$MAIL/year" -o json
expect mail-rehearse 0

MAIL_PORT=
MAIL_PID=
for _ in 1 2 3 4 5 6 7 8; do
	MAIL_PORT=$((20000 + RANDOM % 30000))
	"$BIN" mail sandbox --listen "127.0.0.1:$MAIL_PORT" --dir "$MAIL/in" >"$OUT/mail-sandbox.out" 2>"$OUT/mail-sandbox.err" &
	MAIL_PID=$!
	for _ in $(seq 50); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$MAIL_PORT") 2>/dev/null; then break 2; fi
		kill -0 "$MAIL_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$MAIL_PID" 2>/dev/null || true
	wait "$MAIL_PID" 2>/dev/null || true
	MAIL_PID=
done
[[ -n $MAIL_PID ]] || { echo "bench: inpctl mail sandbox did not start" >&2; cat "$OUT/mail-sandbox.err" >&2; exit 1; }
stop_mail_sandbox() {
	if [[ -n $MAIL_PID ]]; then
		kill "$MAIL_PID" 2>/dev/null || true
		wait "$MAIL_PID" 2>/dev/null || true
		MAIL_PID=
	fi
}
trap 'stop_mail_sandbox; stop_sandbox' EXIT
# An array, not a function: timed runs its command under /usr/bin/time.
MAILENV=(env INPCTL_DB="$MAIL/year/inpctl.db" INPCTL_MAIL_HOST=127.0.0.1 INPCTL_MAIL_PORT="$MAIL_PORT" INPCTL_MAIL_TLS=none)

# The plan_approved notices (no PDF) were queued first, at the intake's
# approval: an untimed mail send --limit takes them out of the way.
# (grep -c exits 1 on no match: a count of 0 is not an error; --limit 0
# would send everything, the receipts with them.)
"${MAILENV[@]}" "$BIN" mail list --pending -o csv >mail-pending.csv
MAIL_PLANS=$(grep -c ',plan_approved,' mail-pending.csv || true)
if ((MAIL_PLANS > 0)); then
	timed mail-plans "${MAILENV[@]}" "$BIN" mail send --limit "$MAIL_PLANS"
	expect mail-plans 0
fi
rm -f "$MAIL/in"/*
MAIL_OTHER=$("${MAILENV[@]}" "$BIN" mail list --pending -o csv | sed 1d | grep -vc ',payment_received,' || true)
MAIL_DUE=$("${MAILENV[@]}" "$BIN" mail list --pending -o csv | grep -c ',payment_received,' || true)
if ((MAIL_OTHER != 0 || MAIL_DUE < MAIL_N)); then
	echo "bench: $MAIL_DUE receipts pending (want $MAIL_N or more) and $MAIL_OTHER other notices (want 0)" >&2
	exit 1
fi
log "mail: mail send --limit $MAIL_N"
timed mail-send "${MAILENV[@]}" "$BIN" mail send --limit "$MAIL_N" -o json
expect mail-send 0
MAIL_WALL=$WALL MAIL_PEAK=$PEAK
MAIL_SENT=$(find "$MAIL/in" -name '*.eml' | wc -l)
MAIL_PDF=$(grep -l '^Content-Type: application/pdf' "$MAIL/in"/*.eml | wc -l)
if ((MAIL_SENT != MAIL_N || MAIL_PDF != MAIL_N)); then
	echo "bench: mail send delivered $MAIL_SENT messages ($MAIL_PDF with a PDF), want $MAIL_N" >&2
	exit 1
fi
mv "$MAIL/in"/*.eml "$MAIL/raw/"
log "mail: raw go-mail loop of the same $MAIL_N messages"
(cd "$ROOT" && $GO test ./internal/mail/smtp -run '^TestRawSendLoop$' -count=1 -v \
	-bench.mail.dir "$MAIL/raw" -bench.mail.addr "127.0.0.1:$MAIL_PORT") >"$OUT/mail-raw.out" 2>&1 ||
	{ echo "bench: the raw go-mail loop failed" >&2; tail -5 "$OUT/mail-raw.out" >&2; exit 1; }
MAIL_RAW=$(awk '$1 == "raw-mail" && $3 == "messages" {print $4}' "$OUT/mail-raw.out" | tail -1)
MAIL_RAW_N=$(awk '$1 == "raw-mail" {print $2}' "$OUT/mail-raw.out" | tail -1)
stop_mail_sandbox
if [[ -z $MAIL_RAW || $MAIL_RAW_N != "$MAIL_N" ]]; then
	echo "bench: the raw loop sent ${MAIL_RAW_N:-nothing}, want $MAIL_N" >&2
	exit 1
fi
MAIL_RATE=$(calc %.0f "$MAIL_N / $MAIL_WALL")
MAIL_RAW_RATE=$(calc %.0f "$MAIL_N / $MAIL_RAW")
MAIL_R=$(calc %.2f "$MAIL_RAW / $MAIL_WALL")
row "10. \`mail send\` $MAIL_N notices, one PDF each, to a local SMTP server (\`inpctl mail sandbox\`; whole CLI, ${MAIL_WALL}s; 1 round)" \
	"$MAIL_RATE msg/s" "$MAIL_RAW_RATE msg/s raw go-mail loop, same messages, same server (${MAIL_RAW}s)" "$MAIL_R×" "$MAIL_PEAK MB" "≥ 0.7×" "$(judge ge 0.7 "$MAIL_R")"
NOTES_MD+=("- **10.** \`mail send\` renders each notice's templates and its invoice PDF (the bytes of \`invoice render --as-of\`) and commits the outcomes in batches (64, or every 200 ms); the raw loop sends the messages it delivered, read back from the server's .eml files (parsing not timed), with the same go-mail calls over one connection. One round: the notices are sent once. Setup: \`rehearse --students $MAIL_STUDENTS --no-charges\`, its plan_approved notices (no PDF, queued first) sent before by an untimed \`mail send --limit\`.")
