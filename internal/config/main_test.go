package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuiltInLoads(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != BuiltIn || c.Gateway.Kind != "sandbox" || c.AcademicYear != "2025-2026" || c.Location == nil {
		t.Fatalf("unexpected built-in config: %+v", c)
	}
	if len(c.Catalogue.Programmes) < 7 {
		t.Fatalf("want the 7 example programmes, got %d", len(c.Catalogue.Programmes))
	}
}

func TestEnvOverrides(t *testing.T) {
	c, err := Load("", []string{"INPCTL_DB=/tmp/x.db", "INPCTL_SCHEDULE_DEBIT_DAY=12", "INPCTL_NOW=2025-01-01T00:00:00Z", "HOME=/root"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Database != "/tmp/x.db" || c.Schedule.DebitDay != 12 {
		t.Fatalf("env not applied: %q %d", c.Database, c.Schedule.DebitDay)
	}
}

func writeConfig(t *testing.T, body string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "inpctl.yaml")
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestErrorsNameTheKey(t *testing.T) {
	base, _ := os.ReadFile("../../config.example.yaml")
	cases := []struct{ edit, want string }{
		{"timezone: Europe/Paris\nfoo_bar: 1", "foo_bar"},
		{"timezone: Mars/Olympus", "timezone"},
		{"debit_day: 10\n  flavour: x", "schedule.flavour"},
		{"debit_day: 10", "schedule.debit_day: must be a day from 1 to 28"},
		{"kind: sandbox", "gateway.kind"},
		{`"01": "628,00"`, "catalogue.programmes[0].tariffs.2025-2026.01"},
		{"academic_year: 2025-2026", "academic_year"},
		{"invoice_start: 9200", "numbering.invoice_start"},
		// The schedule rules are schedule's own Validate, under their keys:
		// min_total was never checked, max_attempts had its own bound here.
		{`min_total: "1 000,00"`, "schedule.plans.five.min_total: \"-1,00\" is not an amount"},
		{"max_attempts: 3 ", "schedule.retry.max_attempts: must be from 1 to 10, got 11"},
		{"gaps_days: [3, 7]", "schedule.retry.gaps_days[1]: must be at least 1 day, got 0"},
	}
	repl := map[string]string{
		"debit_day: 10":            "debit_day: 31",
		"kind: sandbox":            "kind: stripe",
		`"01": "628,00"`:           `"01": "6,28,00"`,
		"academic_year: 2025-2026": "academic_year: 2025-2027",
		"invoice_start: 9200":      "invoice_start: 0",
		`min_total: "1 000,00"`:    `min_total: "-1,00"`,
		"max_attempts: 3 ":         "max_attempts: 11 ",
		"gaps_days: [3, 7]":        "gaps_days: [3, 0]",
	}
	for _, c := range cases {
		body := string(base)
		switch {
		case strings.Contains(c.edit, "\n"):
			first := strings.SplitN(c.edit, "\n", 2)[0]
			body = strings.Replace(body, first, c.edit, 1)
		case c.edit == "timezone: Mars/Olympus":
			body = strings.Replace(body, "timezone: Europe/Paris", c.edit, 1)
		default:
			body = strings.Replace(body, c.edit, repl[c.edit], 1)
		}
		_, err := Load(writeConfig(t, body, 0o600), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("edit %q: error %v; want it to name %q", c.edit, err, c.want)
		}
	}
}

func TestConfigReadableByOthersRefused(t *testing.T) {
	base, _ := os.ReadFile("../../config.example.yaml")
	_, err := Load(writeConfig(t, string(base), 0o644), nil)
	if err == nil || !strings.Contains(err.Error(), "readable by other users") {
		t.Fatalf("want refusal, got %v", err)
	}
}

func TestUnknownEnvRefused(t *testing.T) {
	_, err := Load("", []string{"INPCTL_DATABSE=x"})
	if err == nil || !strings.Contains(err.Error(), "INPCTL_DATABSE") {
		t.Fatalf("want refusal naming the variable, got %v", err)
	}
}

func TestSecretHidden(t *testing.T) {
	key := strings.Repeat("0123456789ABCDEF", 8)
	c, err := Load("", []string{"INPCTL_GATEWAY_PAYBOX_HMAC_KEY=" + key})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{c.Gateway.Paybox.HMACKey.String(), strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(fmtAll(c), "\n", ""), " ", ""))} {
		if strings.Contains(s, "0123456789ABCDEF") {
			t.Fatalf("secret leaked: %s", s)
		}
	}
	if k, _ := c.HMACKey(); k != key {
		t.Fatal("HMACKey must reveal the key to its one user")
	}
	_, err = Load("", []string{"INPCTL_GATEWAY_PAYBOX_HMAC_KEY=CANARYzzzz"})
	if err == nil || strings.Contains(err.Error(), "CANARY") {
		t.Fatalf("invalid key must be refused without echoing it: %v", err)
	}
}

func TestTestClockAllowed(t *testing.T) {
	c, _ := Load("", nil)
	if !c.TestClockAllowed() {
		t.Fatal("sandbox must allow INPCTL_NOW")
	}
	c.Gateway.Kind = "paybox"
	c.Gateway.Paybox.URL, c.Gateway.Paybox.BackupURL = "http://127.0.0.1:8080/PPPS.php", ""
	c.Gateway.Paybox.HostedURL = "http://127.0.0.1:8080/cgi/MYchoix_pagepaiement.cgi"
	if !c.TestClockAllowed() {
		t.Fatal("loopback paybox must allow INPCTL_NOW")
	}
	c.Gateway.Paybox.HostedURL = "https://tpeweb.paybox.com/cgi/MYchoix_pagepaiement.cgi"
	if c.TestClockAllowed() {
		t.Fatal("a real hosted payment page must refuse INPCTL_NOW")
	}
	c.Gateway.Paybox.HostedURL = ""
	c.Gateway.Paybox.BackupURL = "https://ppps1.paybox.com/PPPS.php"
	if c.TestClockAllowed() {
		t.Fatal("a real backup host must refuse INPCTL_NOW")
	}
	c.Gateway.Paybox.BackupURL = ""
	c.Gateway.Paybox.URL = "https://ppps.paybox.com/PPPS.php"
	if c.TestClockAllowed() {
		t.Fatal("real paybox must refuse INPCTL_NOW")
	}
}

func fmtAll(c Config) string {
	return strings.Join([]string{c.Gateway.Paybox.HMACKey.GoString(), sprintf(c)}, " ")
}

func sprintf(c Config) string { return fmtSprintf("%v %+v", c, c) }

var fmtSprintf = fmt.Sprintf
