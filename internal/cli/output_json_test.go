package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJSONMoneyCarriesCurrency (issue 20): in every JSON document, an
// object that holds an amount (a key ending in _cents) carries
// "currency": "EUR", itself or in the document it is a part of (the lines
// of an invoice, the instalments of a plan) — invoices, payments, credit
// notes, refunds, dossiers, plans, accounts, tariffs, charge runs.
func TestJSONMoneyCarriesCurrency(t *testing.T) {
	r := newRig(t, t.TempDir())
	students := "student_id,last_name,first_name,email,programme,apprentice,extra_eu,exchange\n" +
		"22100001,Carte,Zoé,zoe@etu.example.org,ING-GC-3A,non,non,non\n" +
		"22100002,Rejet,Hugo,hugo@etu.example.org,ING-GC-3A,non,non,non\n" +
		"22100003,Plan,Inès,ines@etu.example.org,ING-GC-3A,non,oui,non\n"
	if err := os.WriteFile(filepath.Join(r.dir, "students.csv"), []byte(students), 0o600); err != nil {
		t.Fatal(err)
	}
	r.must("init", "-q")
	r.must("student", "import", "students.csv", "-q")
	for _, id := range []string{"22100001", "22100002"} {
		r.must("dossier", "set-code", id, "01", "-q")
	}
	r.must("dossier", "set-code", "22100003", "05", "-q")
	r.must("schedule", "request", "22100003", "--plan", "3x", "-q")
	r.must("schedule", "approve", "22100003", "--yes", "-q")
	docs := map[string]string{}
	js := func(args ...string) {
		res := r.must(append(args, "-o", "json", "--yes", "-q")...)
		docs[strings.Join(args, " ")] = res.stdout
	}
	js("pay", "simulate", "22100001")
	js("pay", "simulate", "22100003")
	js("payment", "record", "22100002", "--amount", "700", "--method", "cheque", "--ref", "CHQ 1", "--allow-credit")
	js("refund", "22100002", "--amount", "72", "--reason", "trop-perçu")
	js("payment", "unpaid", "REG000001", "--reason", "opposition")
	js("credit-note", "issue", "9200", "--amount", "28", "--reason", "remise")
	for _, args := range [][]string{
		{"student", "list"}, {"student", "show", "22100001"}, {"dossier", "list"}, {"dossier", "show", "22100003"},
		{"invoice", "list"}, {"invoice", "show", "9200"}, {"credit-note", "list"}, {"payment", "list"},
		{"schedule", "list"}, {"schedule", "show", "22100003"}, {"account", "list"}, {"account", "show", "22100002"},
		{"fees", "list"}, {"charge", "--due", "--dry-run"},
		{"report", "summary"}, {"report", "summary", "--by", "month"}, {"report", "instalments"}, {"report", "refunds"},
	} {
		js(args...)
	}
	for cmd, out := range docs {
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, out)
		}
		checkCurrency(t, cmd, "$", v, false)
	}
}

// checkCurrency walks v: each object with a key ending in _cents has
// "currency": "EUR", or is inside one that has (inEUR).
func checkCurrency(t *testing.T, cmd, path string, v any, inEUR bool) {
	switch x := v.(type) {
	case map[string]any:
		inEUR = inEUR || x["currency"] == "EUR"
		for k := range x {
			if strings.HasSuffix(k, "_cents") && !inEUR {
				t.Errorf("%s: %s has %s but no \"currency\": \"EUR\"", cmd, path, k)
				break
			}
		}
		for k, sub := range x {
			checkCurrency(t, cmd, path+"."+k, sub, inEUR)
		}
	case []any:
		for i, sub := range x {
			checkCurrency(t, cmd, fmt.Sprintf("%s[%d]", path, i), sub, inEUR)
		}
	}
}
