package sandbox

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/inpctl/inpctl/internal/pan"
)

// Account is a merchant account the sandbox accepts, on Direct and on the
// hosted page. Sandbox.Account finds one by SITE, RANG and IDENTIFIANT.
type Account struct {
	Site string // 7 digits, compared as written
	Rang string // 1–3 digits, compared as a number (32 = 032)
	// Identifiant is compared as a number; "" accepts any IDENTIFIANT (an
	// account whose identifiant the sources do not give, docs/paybox.md
	// §4.1 rang 99).
	Identifiant string
	// Key is the decoded HMAC key; nil means the account has none and
	// authenticates with its CLE only.
	Key []byte
	// CLE is accepted on Direct instead of an HMAC; "" accepts no CLE.
	CLE  string
	macs *macs // HMAC states of Key
}

// testKey128 is the HMAC key of every shared pre-production account:
// 0123456789ABCDEF × 8, decoded.
var testKey128, _ = hex.DecodeString(TestKeyHex)

// PreprodAccounts returns the public pre-production accounts of
// docs/paybox.md §4.1, which the public client libraries and their tests
// use; the sandbox accepts them when it is given no account. The first is
// the Paybox test account (TestSite, TestRang, TestIdentifiant). Where the
// sources give several identifiants for one SITE and RANG, each is an
// account; the Crédit Agricole site 1999887 has no CLE (its back office
// password is not a CLE), and rang 99, seen only with a CLE, has no HMAC key
// and accepts any identifiant.
func PreprodAccounts() []Account {
	const cle = TestCLE
	acc := []Account{
		{Site: TestSite, Rang: TestRang, Identifiant: TestIdentifiant, CLE: cle},
		{Site: TestSite, Rang: "32", Identifiant: "110647233", CLE: cle},
		{Site: TestSite, Rang: "32", Identifiant: "2", CLE: cle},
		{Site: TestSite, Rang: "43", Identifiant: "107975626"},
		{Site: TestSite, Rang: "63", Identifiant: "109518543", CLE: cle},
		{Site: TestSite, Rang: "77", Identifiant: "3262411", CLE: cle},
	}
	for _, rang := range []string{"32", "43", "63", "85"} {
		for _, id := range []string{"2", "3"} {
			acc = append(acc, Account{Site: "1999887", Rang: rang, Identifiant: id})
		}
	}
	for i := range acc {
		acc[i].Key = testKey128
	}
	// Rang 99: older Direct examples, CLE only (no key, no identifiant).
	return append(acc, Account{Site: TestSite, Rang: "99", CLE: cle})
}

// ParseAccount reads SITE:RANG:IDENTIFIANT:KEY (KEY in hex, as the Paybox
// back office shows it), the form of `inpctl gateway sandbox --account`.
// Its errors name the part that is wrong, never the key.
func ParseAccount(s string) (Account, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) != 4 {
		return Account{}, fmt.Errorf("%d parts separated by ':', want SITE:RANG:IDENTIFIANT:KEY", len(parts))
	}
	a := Account{Site: parts[0], Rang: parts[1], Identifiant: parts[2]}
	switch {
	case !pan.Digits(a.Site, 7, 7):
		return Account{}, fmt.Errorf("SITE %q is not 7 digits", a.Site)
	case !pan.Digits(a.Rang, 1, 3):
		return Account{}, fmt.Errorf("RANG %q is not 1 to 3 digits", a.Rang)
	case !pan.Digits(a.Identifiant, 1, 9):
		return Account{}, fmt.Errorf("IDENTIFIANT %q is not 1 to 9 digits", a.Identifiant)
	}
	key, err := hex.DecodeString(parts[3])
	switch {
	case err != nil:
		return Account{}, fmt.Errorf("KEY is not hexadecimal (%d characters)", len(parts[3]))
	case len(key) < 20:
		return Account{}, fmt.Errorf("KEY is too short (%d hex digits, at least 40 expected)", len(parts[3]))
	}
	a.Key = key
	return a, nil
}

// matches says whether a is the account of site, rang and identifiant
// ("" for a request without IDENTIFIANT).
func (a Account) matches(site, rang, identifiant string) bool {
	if site != a.Site || !pan.Digits(rang, 1, 3) || atoi(rang) != atoi(a.Rang) {
		return false
	}
	return identifiant == "" || a.Identifiant == "" || atoi(identifiant) == atoi(a.Identifiant)
}

// accountsOf returns the accounts of opt: opt.Accounts, after the account
// of the single-account fields (Site, Rang, Identifiant, Key, CLE) when
// one of them is set, and the pre-production accounts when there is none.
// Accounts that share a key share its HMAC states.
func accountsOf(opt Options) []Account {
	var acc []Account
	if opt.Site != "" || len(opt.Key) > 0 || opt.CLE != "" {
		a := Account{Site: opt.Site, Rang: opt.Rang, Identifiant: opt.Identifiant, Key: opt.Key, CLE: opt.CLE}
		if a.Site == "" {
			a.Site, a.Rang, a.Identifiant = TestSite, TestRang, TestIdentifiant
			if a.CLE == "" {
				a.CLE = TestCLE
			}
		}
		if len(a.Key) == 0 {
			a.Key = testKey128
		}
		acc = append(acc, a)
	}
	acc = append(acc, opt.Accounts...)
	if len(acc) == 0 {
		acc = PreprodAccounts()
	}
	shared := map[string]*macs{}
	for i := range acc {
		if len(acc[i].Key) == 0 {
			continue
		}
		k := string(acc[i].Key)
		if shared[k] == nil {
			shared[k] = newMACs(append([]byte(nil), acc[i].Key...))
		}
		acc[i].macs = shared[k]
	}
	return acc
}

// acctKey names the SITE and RANG whose question numbers a request uses:
// each account numbers its own (docs/paybox.md §2.3). It is "" for the
// Paybox test account 1999888/32, the only account of journals written
// before there were several, so that their lines keep their meaning.
func acctKey(site, rang string) string {
	k := site + "/" + strconv.FormatInt(atoi(rang), 10)
	if k == TestSite+"/"+TestRang {
		return ""
	}
	return k
}
