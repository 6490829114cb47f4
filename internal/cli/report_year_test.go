package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/money"
)

// TestReportsOfARehearsedYear (issue 20): over a whole rehearsed year, the
// total line of every report table is the sum of its lines, column by
// column; report summary by code, by programme and by month give the same
// totals, and these are the books' own figures (store.YearFigures, from
// rehearse) and account list's; report refunds adds up to account list
// --credit.
func TestReportsOfARehearsedYear(t *testing.T) {
	dir := t.TempDir()
	env := rehearsalEnv(dir)
	if code := Run(env, []string{"rehearse", "--students", "300", "--dir", dir, "-q", "-o", "json"}); code != 0 {
		t.Fatalf("rehearse: exit %d: %s", code, env.IO.Err.(*bytes.Buffer).String())
	}
	var rep rehearsalJSON
	if err := json.Unmarshal(env.IO.Out.(*bytes.Buffer).Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		e := rehearsalEnv(dir, "INPCTL_NOW", "2026-06-30T12:00:00+02:00")
		if code := Run(e, append([]string{"--db", filepath.Join(dir, "inpctl.db")}, args...)); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, e.IO.Err.(*bytes.Buffer).String())
		}
		return e.IO.Out.(*bytes.Buffer).String()
	}

	// a student pays 50,00 € more than owed, in cash: a credit to refund
	var before []accountListRow
	decode(t, run("account", "list", "-o", "json"), &before)
	run("payment", "record", before[len(before)-1].StudentID, "--amount", "50", "--method", "cash", "--ref", "CAISSE-1", "--allow-credit", "--yes")

	// tables: total line = Σ lines, every amount column
	for _, args := range [][]string{{"summary"}, {"summary", "--by", "programme"}, {"summary", "--by", "month"}, {"refunds"}} {
		if checkTotalLine(t, strings.Join(args, " "), run(append([]string{"report"}, args...)...), 0) == 0 {
			t.Errorf("report %v: no lines", args)
		}
	}
	lines := 0
	for _, m := range []string{"2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"} {
		out := run("report", "instalments", "--month", m)
		lines += checkTotalLine(t, "instalments "+m, out, 0)
		checkTotalLine(t, "instalments "+m+" (Prévu = the four)", out, 1)
	}
	if lines == 0 {
		t.Error("report instalments: no instalment in the year")
	}

	// summary: the same totals whatever the grouping, equal to the books'
	var byCode, byProg []billing.ReportSummaryRow
	var byMonth []billing.ReportMonthRow
	decode(t, run("report", "summary", "-o", "json"), &byCode)
	decode(t, run("report", "summary", "--by", "programme", "-o", "json"), &byProg)
	decode(t, run("report", "summary", "--by", "month", "-o", "json"), &byMonth)
	code, prog := sumSummary(byCode), sumSummary(byProg)
	code.Key, prog.Key = "", ""
	if code != prog {
		t.Errorf("by code %+v\nby programme %+v", code, prog)
	}
	var month billing.ReportFlows
	var change money.Cents
	for _, r := range byMonth {
		month.Add(r.ReportFlows)
		change += r.Change
	}
	if month != code.ReportFlows || change != code.Outstanding-code.Credits {
		t.Errorf("by month %+v (change %s), by code %+v", month, change, code)
	}
	for _, r := range byCode {
		if r.Net() != r.Outstanding-r.Credits {
			t.Errorf("code %s: flows leave %s, Reste dû − Crédits is %s", r.Key, r.Net(), r.Outstanding-r.Credits)
		}
	}
	f := rep.Figures
	if code.Dossiers != f.Students || code.Refunded != f.Refunded || code.Blocked != f.Blocked || code.Invoiced == 0 || code.Credits < 5000 {
		t.Errorf("summary: %d dossiers, %s refunded, %d blocked; the books: %d students, %s refunded, %d blocked orders",
			code.Dossiers, code.Refunded, code.Blocked, f.Students, f.Refunded, f.Blocked)
	}
	collected := code.Collected()
	if collected > f.Paid+5000 || collected == 0 {
		t.Errorf("collected %s, the books' payments %s", collected, f.Paid)
	}

	// account list: Débit = invoiced + refunded, Crédit = collected + credited
	var accounts []accountListRow
	decode(t, run("account", "list", "-o", "json"), &accounts)
	var debit, credit, due, inCredit money.Cents
	for _, a := range accounts {
		debit, credit = debit+a.Debit, credit+a.Credit
		if a.Balance > 0 {
			due += a.Position
		} else {
			inCredit -= a.Balance
		}
	}
	if debit != code.Invoiced+code.Refunded || credit != collected+code.Credited || due != code.Due || inCredit != code.Credits {
		t.Errorf("account list: Débit %s, Crédit %s, due %s, credits %s; summary: %s + %s, %s + %s, %s, %s",
			debit, credit, due, inCredit, code.Invoiced, code.Refunded, collected, code.Credited, code.Due, code.Credits)
	}

	// refunds: the credits to refund are the students' credits
	var refunds []billing.ReportRefundRow
	decode(t, run("report", "refunds", "-o", "json"), &refunds)
	var refundable money.Cents
	for _, r := range refunds {
		refundable += r.Refundable
	}
	if refundable != code.Credits {
		t.Errorf("report refunds: %s; summary's credits: %s", refundable, code.Credits)
	}
	t.Logf("%d dossiers, invoiced %s, collected %s, outstanding %s (due %s), credits %s in %d payments; %d instalments",
		code.Dossiers, code.Invoiced, collected, code.Outstanding, code.Due, code.Credits, len(refunds), lines)
}

func decode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
}

func sumSummary(rows []billing.ReportSummaryRow) billing.ReportSummaryRow {
	var s billing.ReportSummaryRow
	for _, r := range rows {
		s.Add(r)
	}
	s.Currency = money.Currency
	return s
}

var tableAmountRe = regexp.MustCompile(`-?\d[\d\x{202f}]*,\d\d €`)

// checkTotalLine reads a table's amounts, line by line, and checks that
// the line after the second rule is their sum, column by column. With
// parts 1 it checks instead that each line's first amount is the sum of
// the four after it (report instalments: Prévu = Encaissé + En attente +
// En échec + Bloqué). It returns the number of lines.
func checkTotalLine(t *testing.T, what, table string, parts int) int {
	t.Helper()
	var rows [][]money.Cents
	var total []money.Cents
	rules := 0
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, "─") {
			rules++
			continue
		}
		var cents []money.Cents
		for _, m := range tableAmountRe.FindAllString(line, -1) {
			neg := strings.HasPrefix(m, "-")
			c, err := money.Parse(strings.TrimPrefix(m, "-"))
			if err != nil {
				t.Fatalf("%s: %q: %v", what, m, err)
			}
			if neg {
				c = -c
			}
			cents = append(cents, c)
		}
		switch {
		case rules == 1 && len(cents) > 0:
			rows = append(rows, cents)
		case rules == 2 && len(cents) > 0:
			total = cents
		}
	}
	if len(rows) == 0 {
		return 0 // an empty month prints nothing
	}
	if parts == 1 {
		for _, r := range append(rows, total) {
			if len(r) != 5 || r[0] != r[1]+r[2]+r[3]+r[4] {
				t.Errorf("%s: a line's amounts %v", what, r)
			}
		}
		return len(rows)
	}
	sum := make([]money.Cents, len(total))
	for _, r := range rows {
		if len(r) != len(total) {
			t.Fatalf("%s: a line has %d amounts, the total %d", what, len(r), len(total))
		}
		for i, c := range r {
			sum[i] += c
		}
	}
	for i := range sum {
		if sum[i] != total[i] {
			t.Errorf("%s: column %d: lines add up to %s, the total line says %s", what, i+1, sum[i], total[i])
		}
	}
	return len(rows)
}
