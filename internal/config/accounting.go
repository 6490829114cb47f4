package config

import (
	"regexp"
	"sort"

	"github.com/spf13/viper"
)

// Accounting is the chart of accounts and the journal codes the journal
// (inpctl journal, FEC layout) books the ledger's movements with (issue 20).
// A student's auxiliary account is their student number, a payer's its
// SIRET; both are sub-accounts of Accounts.Receivable.
type Accounting struct {
	Accounts Accounts `mapstructure:"accounts" json:"accounts" yaml:"accounts"`
	Journals Journals `mapstructure:"journals" json:"journals" yaml:"journals"`
	// PayboxExport is the layout of the Paybox back office's transaction
	// export that inpctl reconcile paybox reads.
	PayboxExport PayboxExport `mapstructure:"paybox_export" json:"paybox_export" yaml:"paybox_export"`
}

// PayboxExport is the layout of the transaction export of the Paybox back
// office (issue 20). Its CSV is not documented publicly: the column names
// and values below are the defaults, as the back office shows them, and
// are assumptions to check against a real export (docs/paybox-export.md).
type PayboxExport struct {
	// Columns are the names of the columns read; the file may be ; or ,
	// separated, with or without a BOM (the reader tells), and hold other
	// columns.
	Columns PayboxColumns `mapstructure:"columns" json:"columns" yaml:"columns"`
	// PaymentTypes and RefundTypes are the values of the Type column that
	// are a payment (money in) and a refund (money out); other types
	// (an authorization alone, a cancellation) are not money and are left out.
	PaymentTypes []string `mapstructure:"payment_types" json:"payment_types" yaml:"payment_types"`
	RefundTypes  []string `mapstructure:"refund_types" json:"refund_types" yaml:"refund_types"`
	// OKStatuses are the values of the Status column of a transaction
	// that went through; a refused one is left out.
	OKStatuses []string `mapstructure:"ok_statuses" json:"ok_statuses" yaml:"ok_statuses"`
}

// PayboxColumns are the names of the export's columns inpctl reads.
type PayboxColumns struct {
	Date      string `mapstructure:"date" json:"date" yaml:"date"`
	NumTrans  string `mapstructure:"numtrans" json:"numtrans" yaml:"numtrans"`
	NumAppel  string `mapstructure:"numappel" json:"numappel" yaml:"numappel"`
	Reference string `mapstructure:"reference" json:"reference" yaml:"reference"`
	Amount    string `mapstructure:"amount" json:"amount" yaml:"amount"`
	Type      string `mapstructure:"type" json:"type" yaml:"type"`
	Status    string `mapstructure:"status" json:"status" yaml:"status"`
}

// Account is one general-ledger account: its number and label.
type Account struct {
	Number string `mapstructure:"number" json:"number" yaml:"number"`
	Label  string `mapstructure:"label" json:"label" yaml:"label"`
}

// Accounts are the general-ledger accounts inpctl posts to.
type Accounts struct {
	Receivable Account `mapstructure:"receivable" json:"receivable" yaml:"receivable"` // 411: students and payers
	Revenue    Account `mapstructure:"revenue" json:"revenue" yaml:"revenue"`          // 706: fees of a code not in RevenueByCode
	// RevenueByCode: fee code → revenue account, for codes booked apart.
	RevenueByCode  map[string]Account `mapstructure:"revenue_by_code" json:"revenue_by_code,omitempty" yaml:"revenue_by_code,omitempty"`
	VATCollected   Account            `mapstructure:"vat_collected" json:"vat_collected" yaml:"vat_collected"`       // 44571
	PayboxClearing Account            `mapstructure:"paybox_clearing" json:"paybox_clearing" yaml:"paybox_clearing"` // 5117: card money not yet on the bank statement
	Bank           Account            `mapstructure:"bank" json:"bank" yaml:"bank"`                                  // 512: cheques and transfers
	Cash           Account            `mapstructure:"cash" json:"cash" yaml:"cash"`                                  // 530
	RefundsPayable Account            `mapstructure:"refunds_payable" json:"refunds_payable" yaml:"refunds_payable"` // 4191: manual refunds the agence comptable pays out
}

// Journal is one journal: its code (JournalCode) and label (JournalLib).
type Journal struct {
	Code  string `mapstructure:"code" json:"code" yaml:"code"`
	Label string `mapstructure:"label" json:"label" yaml:"label"`
}

// Journals are the journals entries are booked in: invoices and credit
// notes in Sales, card payments and card refunds in Card, cheques and
// transfers in Bank, cash in Cash; an unpaid or a void goes to its
// payment's journal.
type Journals struct {
	Sales Journal `mapstructure:"sales" json:"sales" yaml:"sales"`
	Card  Journal `mapstructure:"card" json:"card" yaml:"card"`
	Bank  Journal `mapstructure:"bank" json:"bank" yaml:"bank"`
	Cash  Journal `mapstructure:"cash" json:"cash" yaml:"cash"`
	// Misc (opérations diverses) holds manual refunds: a debt to the
	// student (refunds_payable) that the agence comptable pays out itself.
	Misc Journal `mapstructure:"misc" json:"misc" yaml:"misc"`
}

// setAccountingDefaults gives the accounting section the plan comptable
// général's usual accounts, so that a config file written before it still
// loads.
func setAccountingDefaults(v *viper.Viper) {
	for k, val := range map[string]string{
		"accounts.receivable.number": "411", "accounts.receivable.label": "Clients - usagers",
		"accounts.revenue.number": "706", "accounts.revenue.label": "Prestations de services",
		"accounts.vat_collected.number": "44571", "accounts.vat_collected.label": "TVA collectée",
		"accounts.paybox_clearing.number": "5117", "accounts.paybox_clearing.label": "Paybox - encaissements à recevoir",
		"accounts.bank.number": "512", "accounts.bank.label": "Banque",
		"accounts.cash.number": "530", "accounts.cash.label": "Caisse",
		"accounts.refunds_payable.number": "4191", "accounts.refunds_payable.label": "Remboursements à effectuer",
		"journals.sales.code": "VE", "journals.sales.label": "Ventes",
		"journals.card.code": "PB", "journals.card.label": "Paybox",
		"journals.bank.code": "BQ", "journals.bank.label": "Banque",
		"journals.cash.code": "CA", "journals.cash.label": "Caisse",
		"journals.misc.code": "OD", "journals.misc.label": "Opérations diverses",
	} {
		v.SetDefault("accounting."+k, val)
	}
	for k, val := range map[string]string{"date": "Date", "numtrans": "Numéro de transaction", "numappel": "Numéro d'appel",
		"reference": "Référence", "amount": "Montant", "type": "Type", "status": "Statut"} {
		v.SetDefault("accounting.paybox_export.columns."+k, val)
	}
	v.SetDefault("accounting.paybox_export.payment_types", []string{"Débit", "Autorisation + Débit", "Capture"})
	v.SetDefault("accounting.paybox_export.refund_types", []string{"Remboursement"})
	v.SetDefault("accounting.paybox_export.ok_statuses", []string{"Accepté", "Télécollecté", "Remisé"})
}

// validatePayboxExport checks the export's layout: every column named,
// no two alike, types and statuses given.
func (c *Config) validatePayboxExport(errs *fieldErrs) {
	x := c.Accounting.PayboxExport
	key := "accounting.paybox_export."
	seen := map[string]string{}
	for _, col := range []struct{ key, name string }{{"date", x.Columns.Date}, {"numtrans", x.Columns.NumTrans},
		{"numappel", x.Columns.NumAppel}, {"reference", x.Columns.Reference}, {"amount", x.Columns.Amount},
		{"type", x.Columns.Type}, {"status", x.Columns.Status}} {
		switch other, dup := seen[col.name]; {
		case col.name == "":
			errs.add(key+"columns."+col.key, "must name a column of the export")
		case dup:
			errs.add(key+"columns."+col.key, "%q is already the column of %s", col.name, other)
		}
		seen[col.name] = col.key
	}
	for name, list := range map[string][]string{"payment_types": x.PaymentTypes, "refund_types": x.RefundTypes, "ok_statuses": x.OKStatuses} {
		if len(list) == 0 {
			errs.add(key+name, "must list at least one value")
		}
	}
}

var (
	accountRe = regexp.MustCompile(`^[1-9][0-9A-Za-z]{1,19}$`)
	journalRe = regexp.MustCompile(`^[A-Z0-9]{1,6}$`)
	fecSepRe  = regexp.MustCompile(`[|\t\r\n]`)
)

// validateAccounting checks the chart of accounts: account numbers start
// with their class digit, journal codes are short capitals, labels are set
// and hold no FEC separator.
func (c *Config) validateAccounting(errs *fieldErrs) {
	c.validatePayboxExport(errs)
	a := c.Accounting.Accounts
	accounts := []struct {
		key string
		acc Account
	}{{"receivable", a.Receivable}, {"revenue", a.Revenue}, {"vat_collected", a.VATCollected}, {"paybox_clearing", a.PayboxClearing},
		{"bank", a.Bank}, {"cash", a.Cash}, {"refunds_payable", a.RefundsPayable}}
	codes := make([]string, 0, len(a.RevenueByCode))
	for code := range a.RevenueByCode {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		if !codeRe.MatchString(code) {
			errs.add("accounting.accounts.revenue_by_code", "%q is not a fee code (two digits)", code)
		}
		accounts = append(accounts, struct {
			key string
			acc Account
		}{"revenue_by_code." + code, a.RevenueByCode[code]})
	}
	for _, x := range accounts {
		key := "accounting.accounts." + x.key
		if !accountRe.MatchString(x.acc.Number) {
			errs.add(key+".number", "%q is not an account number (digits of the plan comptable, e.g. 411)", x.acc.Number)
		}
		checkLabel(errs, key+".label", x.acc.Label)
	}
	if a.Receivable.Number != "" && a.Receivable.Number[0] != '4' {
		errs.add("accounting.accounts.receivable.number", "%q is not a third-party account (class 4, e.g. 411)", a.Receivable.Number)
	}
	j := c.Accounting.Journals
	seen := map[string]string{}
	for _, x := range []struct {
		key string
		j   Journal
	}{{"sales", j.Sales}, {"card", j.Card}, {"bank", j.Bank}, {"cash", j.Cash}, {"misc", j.Misc}} {
		key := "accounting.journals." + x.key
		if !journalRe.MatchString(x.j.Code) {
			errs.add(key+".code", "%q is not a journal code (1 to 6 capitals or digits, e.g. VE)", x.j.Code)
		} else if other, dup := seen[x.j.Code]; dup {
			errs.add(key+".code", "%q is already the code of accounting.journals.%s", x.j.Code, other)
		}
		seen[x.j.Code] = x.key
		checkLabel(errs, key+".label", x.j.Label)
	}
}

// checkLabel refuses an empty label or one a FEC line could not carry.
func checkLabel(errs *fieldErrs, key, label string) {
	switch {
	case label == "":
		errs.add(key, "must not be empty")
	case fecSepRe.MatchString(label):
		errs.add(key, "must not hold a | , a tab or a line break (the FEC's separators)")
	}
}
