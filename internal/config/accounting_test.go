package config

import (
	"strings"
	"testing"
)

// TestAccountingDefaults: the built-in example carries a chart of accounts,
// and a config file without an accounting section gets the same defaults.
func TestAccountingDefaults(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	a := c.Accounting
	if a.Accounts.Receivable.Number != "411" || a.Accounts.PayboxClearing.Number != "5117" || a.Journals.Sales.Code != "VE" {
		t.Fatalf("example chart of accounts: %+v", a)
	}
	bare := c
	bare.Accounting = Accounting{}
	if err := bare.Validate(); err == nil || !strings.Contains(err.Error(), "accounting.accounts.receivable.number") {
		t.Fatalf("an empty chart of accounts validated: %v", err)
	}
}

// TestValidateAccounting names the key of each bad value.
func TestValidateAccounting(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Accounting.Accounts.Receivable.Number = "706"
	c.Accounting.Accounts.Bank.Label = "Banque|X"
	c.Accounting.Accounts.RevenueByCode = map[string]Account{"4": {Number: "7062", Label: "FC"}, "42": {Number: "", Label: "FC"}}
	c.Accounting.Journals.Cash.Code = "VE"
	c.Accounting.Journals.Card.Code = "pb"
	err = c.Validate()
	if err == nil {
		t.Fatal("bad chart of accounts validated")
	}
	for _, want := range []string{"accounting.accounts.receivable.number: \"706\" is not a third-party account",
		"accounting.accounts.bank.label", "revenue_by_code: \"4\" is not a fee code", "revenue_by_code.42.number",
		"accounting.journals.cash.code: \"VE\" is already", "accounting.journals.card.code"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
