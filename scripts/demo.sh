#!/usr/bin/env bash
# make demo — a whole academic year of tuition-fee billing, on the built-in
# defaults (a SQLite file and the built-in Paybox sandbox), in ./demo.
#
# Read it as a tutorial: every line starting with "inp" is an inpctl command
# a clerk (or cron) would type. INPCTL_NOW moves the clock through the year;
# it is honoured only with the sandbox, never with a real Paybox host.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/bin/inpctl"
rm -rf demo && mkdir -p demo/invoices && cd demo
export INPCTL_OPERATOR=demo

# The students' e-mails go to a local SMTP server that keeps them in demo/mails
# (inpctl mail sandbox: loopback only, nothing leaves the machine).
"$BIN" mail sandbox --listen 127.0.0.1:0 --dir mails > mail.addr 2> mail.log &
MAILPID=$!
trap 'kill $MAILPID 2>/dev/null || true; serve_stop' EXIT
for _ in $(seq 100); do [[ -s mail.addr ]] && break; sleep 0.05; done
MAILADDR=$(cat mail.addr)
export INPCTL_MAIL_HOST=127.0.0.1 INPCTL_MAIL_PORT="${MAILADDR##*:}" INPCTL_MAIL_TLS=none

# Paybox's notifications go to inpctl serve, as in production (systemd, docs/deploy.md):
# serve.public_url makes pay link send PBX_REPONDRE_A to it, the sandbox calls that URL
# after each hosted-page payment, and serve alone applies the notification (pay simulate
# waits for it). serve runs on a free loopback port with the demo's clock, so it is
# started again when the demo moves the clock; its access log is demo/serve.log.
SERVEPID='' SERVENOW=''
serve_at() {
  [[ "$SERVENOW" == "$INPCTL_NOW" ]] && return
  serve_stop
  rm -f serve.addr
  "$BIN" serve --listen 127.0.0.1:0 > serve.addr 2>> serve.log &
  SERVEPID=$! SERVENOW=$INPCTL_NOW
  local u=''
  for _ in $(seq 100); do u=$(cat serve.addr 2>/dev/null || true); [[ "$u" == */paybox/ipn ]] && break; sleep 0.05; done
  [[ "$u" == */paybox/ipn ]] || { echo "inpctl serve did not start (demo/serve.log)" >&2; exit 1; }
  export INPCTL_SERVE_PUBLIC_URL="${u%/paybox/ipn}"
}
serve_stop() {
  if [[ -n "$SERVEPID" ]]; then kill "$SERVEPID" 2>/dev/null || true; wait "$SERVEPID" 2>/dev/null || true; fi
  SERVEPID='' SERVENOW=''
}

if [[ -t 1 ]]; then B=$'\033[1m' N=$'\033[0m'; else B='' N=''; fi
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
# quote: an argument as it must be typed again (single quotes when it needs them).
quote() { if [[ "$1" =~ ^[A-Za-z0-9_./:,=@%+-]+$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi; }
inp() { printf '$ inpctl'; for a in "$@"; do printf ' '; quote "$a"; done; printf '\n'; "$BIN" "$@"; }
# inpv: the same, printing only the one-line summary on stderr (not the command's data).
inpv() { printf '$ inpctl'; for a in "$@"; do printf ' '; quote "$a"; done; printf '\n'; "$BIN" "$@" >/dev/null; }
quiet() { "$BIN" -q "$@" >/dev/null; }
at() { export INPCTL_NOW="$1T09:00:00+02:00"; }
nth() { awk -F, -v p="$1" -v n="$2" '$2==p && ++k==n {print $1}' plans.csv; }

say "1. June: a fictitious intake of 300 students arrives from the registration system"
go run ../cmd/gendata -n 300 -seed 2025 -dir .
# One more student, for the off-script case of step 5: declared 01 by mistake.
OFF=22199999
echo "$OFF,Exemple,Aïcha,aicha.exemple@etu.example.org,ING-GC-3A,non,oui,non,2 place Delille,63000,Clermont-Ferrand,France" >> students.csv
at 2025-06-20
inp init
inp student import students.csv
inp fees list --programme ING-GC-3A

say "2. Staff set every student's fee code from the registration export, then validate"
inp dossier set-code --from codes.csv
inp dossier validate --all-declared
"$BIN" dossier list | tail -2

say "3. Students choose how to pay; the accounting office approves instalment plans"
inp schedule request --from plans.csv
inpv schedule approve --all-requested --yes
echo "…"; "$BIN" schedule list | tail -3

# A few students pay their first instalment with the sandbox's special cards
# (docs/sandbox.md) so the year shows declines, retries and a lost card.
SOFT=$(nth 5x 1); ALWAYS=$(nth 5x 2); LOST=$(nth 5x 3); EXEMPT=$(nth 5x 4); CHEQUE=$(nth 3x 1)
# a non-apprentice paying 628,00 € in one go, who will obtain the bourse in October
BOURSE=$(awk -F, 'FILENAME=="students.csv" { if ($6=="non") ok[$1]=1; next }
  FILENAME=="codes.csv" { if ($2=="01") c01[$1]=1; next }
  $2=="1x" && ok[$1] && c01[$1] {print $1; exit}' students.csv codes.csv plans.csv)

say "4. First payments on the Paybox hosted page (sandbox), cards registered for later debits"
at 2025-07-01
serve_at
inp pay simulate "$SOFT" --card 1111222233330103 --yes
inp pay simulate "$ALWAYS" --card 1111222233330202 --yes
inp pay simulate "$LOST" --card 1111222233330301 --yes
# Off the script: an extra-EU student is declared 01 by mistake and pays 628,00 € at once.
quiet dossier set-code "$OFF" 01
inp pay simulate "$OFF" --yes -q
at 2025-09-05
serve_at
"$BIN" pay simulate --all-pending --yes -q | tail -3
echo "   inpctl serve applied $(grep -c ' GET /paybox/ipn 200 ' serve.log) Paybox notifications so far (demo/serve.log)"

say "   Company-financed students (code 42): the company is named as payer, its invoice is issued now, it pays by transfer"
for s in $(awk -F, '$2=="42" {print $1}' codes.csv); do
  quiet dossier set-payer "$s" --name "Exemple Formation SAS" --siret "412 001 232 10004" \
    --address "12 rue de l'Exemple" --address "63000 Clermont-Ferrand" --po-ref "BC-$s" --yes
  quiet invoice issue "$s" --yes
  total=$("$BIN" dossier show "$s" -o json | awk -F'[:,]' '/"ttc_cents"/ {print $2+0; exit}')
  quiet payment record "$s" --payer --amount "$((total / 100))" --method transfer --ref "virement entreprise" --yes
  PAYER=$s
done
[ -n "${PAYER:-}" ] && inp payment list --student "$PAYER"
"$BIN" invoice list | tail -1

say "5. September: the exemption commission cancels the rest of a 5x plan"
at 2025-09-25
inp schedule exempt "$EXEMPT" --decision 'commission du 25/09/2025, décision n° 12' --yes

say "   Off the script: the code paid in July was wrong (01 for an extra-EU student): corrected to 05"
# The paid invoice is cancelled by a credit note, a new one of 3 941,00 € takes the 628,00 €
# already paid, and the 5x plan she then asks for schedules only the rest: 628,00 + 4 × 671,25.
inpv dossier set-code "$OFF" 05 --reason "étudiante extra-communautaire : code 05" --yes
inpv schedule request "$OFF" --plan 5x
inpv schedule approve "$OFF" --yes
inp schedule show "$OFF"
serve_at
inpv pay simulate "$OFF" --yes
serve_stop

say "6. The monthly debits: cron runs 'inpctl charge --due' every day (shown: days with something to do)"
# Cron runs every day. Debits fall on the 10th and retries 3 and 7 days
# later, so to keep the demo short only the 10th to the 20th are run here.
d=2025-07-02
while [[ "$d" < 2026-07-01 ]]; do
  at "$d"
  day=${d:8:2}
  if [[ "$day" < 10 || "$day" > 20 ]] && [[ "$d" != 2025-10-15 && "$d" != 2025-10-20 ]]; then d=$(date -d "$d + 1 day" +%F); continue; fi
  out=$("$BIN" charge --due --yes -q 2>/dev/null || true)
  if [[ "$out" != "" && "$out" != *"nothing to charge"* ]]; then
    n=$(($(printf '%s\n' "$out" | wc -l) - 2))
    printf '%s  %3d debit(s): %s\n' "$d" "$n" "$(printf '%s\n' "$out" | awk 'NR>2 {print $0}' | grep -o 'approved\|declined\|failed\|unknown' | sort | uniq -c | tr -s ' ' | tr '\n' ' ')"
  fi
  case "$d" in
    2025-10-15)
      say "   15/10: a student obtains the bourse after paying: credit note, new order at 0,00 €, refund"
      inp dossier set-code "$BOURSE" 02 --proof "attestation CROUS 2025-4242" --reason "bourse obtenue en octobre" --yes -q
      inp refund "$BOURSE" --amount 628,00 --reason "bourse obtenue en octobre" --yes ;;
    2025-10-20)
      say "   20/10: a cheque covers the remainder of a 3x plan: the coming debit is cancelled"
      rest=$("$BIN" schedule show "$CHEQUE" -o json | awk -F'[:,]' '/"next_due_cents"/ {print $2+0}')
      inp payment record "$CHEQUE" --amount "$((rest / 100)),$(printf '%02d' $((rest % 100)))" --method cheque --ref "chèque n° 4031877" --yes -q ;;
  esac
  d=$(date -d "$d + 1 day" +%F)
done

say "7. Invoices as PDF, and three account statements"
at 2026-06-30
inp invoice render --all --out invoices
for s in "$SOFT" "$LOST" "$BOURSE"; do quiet account statement "$s" --out "invoices/RELEVE-$s.pdf"; done
ls invoices | head -3; echo "… $(ls invoices | wc -l) files in demo/invoices/"

say "8. The year in figures"
for s in "$SOFT" "$LOST" "$BOURSE" "$OFF"; do inp account show "$s"; echo; done
inp account list --overdue

say "9. E-mails to the students: queued with each event, sent by mail send (cron, after charge --due)"
inpv mail send
echo "$(ls mails/*.eml | wc -l) messages in demo/mails/; three as the students read them:"
for subject in 'paiement en 5 fois est accepté' 'prélèvement' 'reçu'; do
  f=$(grep -l "^Subject: .*$subject" mails/*.txt | sed -n 1p)
  [[ -n "$f" ]] && { echo; echo "--- $f"; sed -n '1,18p' "$f"; }
done
"$BIN" db check || true
