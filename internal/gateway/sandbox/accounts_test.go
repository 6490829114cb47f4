package sandbox

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// signWith builds a Direct body from all (name, value pairs, in order),
// adding HASH and an HMAC-SHA512 with key; a nil key sends no HMAC.
func signWith(key []byte, all ...string) string {
	if key != nil {
		all = append(all, "HASH", "SHA512")
	}
	var sign, post []string
	for i := 0; i < len(all); i += 2 {
		sign = append(sign, all[i]+"="+all[i+1])
		post = append(post, url.QueryEscape(all[i])+"="+url.QueryEscape(all[i+1]))
	}
	if key == nil {
		return strings.Join(post, "&")
	}
	m := hmac.New(sha512.New, key)
	m.Write([]byte(strings.Join(sign, "&")))
	return strings.Join(post, "&") + "&HMAC=" + strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}

// lookupAs is a lookup (TYPE 00011) for site, rang, identifiant ("" sends
// none), signed with key or, when key is nil, authenticated with cle.
func (x *tb) lookupAs(site, rang, ident string, key []byte, cle string) map[string]string {
	kv := []string{"VERSION", "00104", "TYPE", typeLookup, "SITE", site, "RANG", rang}
	if ident != "" {
		kv = append(kv, "IDENTIFIANT", ident)
	}
	if key == nil {
		kv = append(kv, "CLE", cle)
	}
	kv = append(kv, "NUMQUESTION", fmt.Sprint(x.nq.Add(1)), "MONTANT", "100", "DEVISE", "978", "REFERENCE", "R")
	return parseAnswer(x.raw(signWith(key, kv...)).Body.Bytes())
}

// TestPreprodAccounts: with no account given, every public pre-production
// account of docs/paybox.md §4.1 gets in, with the shared key or its CLE,
// and its SITE and RANG come back; what §4.1 does not give is refused.
func TestPreprodAccounts(t *testing.T) {
	x := newTB(t, Options{})
	cases := []struct {
		site, rang, ident string
		key               []byte
		cle, want         string
	}{
		{"1999888", "032", "107904482", testKey, "", "00018"},
		{"1999888", "32", "110647233", testKey, "", "00018"},
		{"1999888", "32", "2", testKey, "", "00018"},
		{"1999888", "043", "107975626", testKey, "", "00018"},
		{"1999888", "063", "109518543", testKey, "", "00018"},
		{"1999888", "63", "", nil, "1999888I", "00018"},
		{"1999888", "077", "3262411", testKey, "", "00018"},
		{"1999888", "99", "", nil, "1999888I", "00018"},
		{"1999888", "99", "", testKey, "", "00006"}, // rang 99 has no HMAC key
		{"1999887", "032", "2", testKey, "", "00018"},
		{"1999887", "043", "3", testKey, "", "00018"},
		{"1999887", "063", "2", testKey, "", "00018"},
		{"1999887", "085", "3", testKey, "", "00018"},
		{"1999887", "032", "", nil, "1999888I", "00006"}, // no CLE on 1999887
		{"1999888", "43", "107904482", testKey, "", "00006"},
		{"1999888", "32", "107975626", testKey, "", "00006"},
		{"1999888", "32", "107904482", []byte("another key of twenty bytes"), "", "00006"},
		{"1999889", "32", "107904482", testKey, "", "00006"},
	}
	for _, c := range cases {
		m := x.lookupAs(c.site, c.rang, c.ident, c.key, c.cle)
		code(t, fmt.Sprintf("%s/%s/%s", c.site, c.rang, c.ident), m, c.want)
		if wantRang := fmt.Sprintf("%02d", atoi(c.rang)); m["SITE"] != c.site || m["RANG"] != wantRang {
			t.Errorf("%s/%s: answer SITE=%s RANG=%s, want the request's %s/%s", c.site, c.rang, m["SITE"], m["RANG"], c.site, wantRang)
		}
	}
}

// TestConfiguredAccounts: accounts given in Options (as `gateway sandbox
// --account` gives them) are accepted with their own key, and then only
// they are.
func TestConfiguredAccounts(t *testing.T) {
	a, err := ParseAccount("1234567:05:123456789:" + strings.Repeat("A1", 32))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseAccount("7654321:123:42:" + strings.Repeat("0F", 20))
	if err != nil {
		t.Fatal(err)
	}
	x := newTB(t, Options{Accounts: []Account{a, b}})
	code(t, "first account", x.lookupAs("1234567", "005", "123456789", a.Key, ""), "00018")
	code(t, "first account, no IDENTIFIANT", x.lookupAs("1234567", "5", "", a.Key, ""), "00018")
	code(t, "second account", x.lookupAs("7654321", "123", "42", b.Key, ""), "00018")
	code(t, "keys are per account", x.lookupAs("7654321", "123", "42", a.Key, ""), "00006")
	code(t, "wrong identifiant", x.lookupAs("1234567", "05", "123456788", a.Key, ""), "00006")
	code(t, "no CLE on a configured account", x.lookupAs("1234567", "05", "123456789", nil, ""), "00006")
	code(t, "preprod not accepted then", x.lookupAs(TestSite, "032", TestIdentifiant, testKey, ""), "00006")

	// Both, as the CLI gives them by default.
	y := newTB(t, Options{Accounts: append([]Account{a}, PreprodAccounts()...)})
	code(t, "configured", y.lookupAs("1234567", "05", "123456789", a.Key, ""), "00018")
	code(t, "and preprod", y.lookupAs(TestSite, "032", TestIdentifiant, testKey, ""), "00018")
}

// TestAccountLookup: Sandbox.Account, which the hosted page uses too.
func TestAccountLookup(t *testing.T) {
	x := newTB(t, Options{})
	if a, ok := x.Account(TestSite, "032", TestIdentifiant, nil); !ok || a.Rang != TestRang || string(a.Key) != string(testKey) || a.CLE != TestCLE {
		t.Fatalf("test account: %+v %v", a, ok)
	}
	if a, ok := x.Account(TestSite, "32", "", nil); !ok || a.Identifiant != TestIdentifiant {
		t.Fatalf("no identifiant: the first account of 1999888/32, got %+v %v", a, ok)
	}
	second := func(a Account) bool { return a.Identifiant == "110647233" }
	if a, ok := x.Account(TestSite, "32", "", second); !ok || a.Identifiant != "110647233" {
		t.Fatalf("verify picks among the matches: %+v %v", a, ok)
	}
	if _, ok := x.Account(TestSite, "32", TestIdentifiant, func(Account) bool { return false }); ok {
		t.Fatal("an account that fails verify was returned")
	}
	for _, c := range [][3]string{{TestSite, "3x", ""}, {TestSite, "0032", ""}, {"", "32", ""}, {TestSite, "32", "999"}} {
		if a, ok := x.Account(c[0], c[1], c[2], nil); ok {
			t.Errorf("Account(%q, %q, %q) = %+v", c[0], c[1], c[2], a)
		}
	}
	// The single-account fields still name one account, before Accounts.
	y := newTB(t, Options{Key: []byte("a key of at least twenty bytes")})
	if a, ok := y.Account(TestSite, "32", TestIdentifiant, nil); !ok || string(a.Key) != "a key of at least twenty bytes" {
		t.Fatalf("Options.Key: %+v", a)
	}
	if _, ok := y.Account(TestSite, "63", "", nil); ok {
		t.Fatal("Options.Key replaces the preprod accounts")
	}
}

func TestParseAccount(t *testing.T) {
	key := strings.Repeat("AB", 64)
	a, err := ParseAccount(" 1999888:032:107904482:" + key + " ")
	if err != nil || a.Site != "1999888" || a.Rang != "032" || a.Identifiant != "107904482" || len(a.Key) != 64 || a.CLE != "" {
		t.Fatalf("%+v %v", a, err)
	}
	for in, want := range map[string]string{
		"1999888:32:107904482":                      "3 parts",
		"1999888:32:107904482:" + key + ":x":        "5 parts",
		"199988:32:107904482:" + key:                "SITE",
		"1999888:3200:107904482:" + key:             "RANG",
		"1999888:32:1234567890:" + key:              "IDENTIFIANT",
		"1999888:32:107904482:" + key[:38]:          "too short",
		"1999888:32:107904482:" + key[:40] + "XYZ1": "not hexadecimal",
	} {
		_, err := ParseAccount(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseAccount(%q) = %v, want an error about %s", in, err, want)
		}
		if err != nil && strings.Contains(err.Error(), key[:20]) {
			t.Errorf("the error quotes the key: %v", err)
		}
	}
}

// TestQuestionNumbersPerAccount: each account numbers its own questions:
// one NUMQUESTION used on 1999888/32 is still free on 1999888/63 the same
// day, and used there once it is taken, after a restart too.
func TestQuestionNumbersPerAccount(t *testing.T) {
	path := t.TempDir() + "/s.jsonl"
	x := newTB(t, Options{StatePath: path})
	as := func(y *tb, rang, ident string) map[string]string {
		return parseAnswer(y.raw(signWith(testKey, "VERSION", "00104", "TYPE", typeLookup, "SITE", TestSite, "RANG", rang,
			"IDENTIFIANT", ident, "NUMQUESTION", "77", "MONTANT", "100", "REFERENCE", "R")).Body.Bytes())
	}
	code(t, "32", as(x, "032", TestIdentifiant), "00018")
	code(t, "32 again", as(x, "32", "110647233"), "00005")
	code(t, "63", as(x, "63", "109518543"), "00018")
	code(t, "63 again", as(x, "063", "109518543"), "00005")
	x.Close()
	y := newTB(t, Options{StatePath: path})
	code(t, "63 after restart", as(y, "63", "109518543"), "00005")
	code(t, "77, another account", as(y, "77", "3262411"), "00018")
}
