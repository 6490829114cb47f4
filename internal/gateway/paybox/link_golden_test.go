package paybox

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden")

// paperHMAC signs as docs/paybox.md §3.2 describes, with nothing of this
// package: NAME=value raw, joined with &, in sending order, HMAC-SHA512
// with the hex-decoded key, upper-case hex.
func paperHMAC(fs []Field) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, f.Name+"="+f.Value)
	}
	key, _ := hex.DecodeString(strings.Repeat("0123456789ABCDEF", 8))
	m := hmac.New(sha512.New, key)
	m.Write([]byte(strings.Join(parts, "&")))
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}

// TestPaperHMACVector checks paperHMAC itself against docs/paybox.md §6.1
// vector 1 (OMN testSignData) before it checks our links.
func TestPaperHMACVector(t *testing.T) {
	var fs []Field
	for _, kv := range strings.Split("PBX_SITE=1999888&PBX_RANG=32&PBX_IDENTIFIANT=107904482&PBX_TOTAL=1000&PBX_DEVISE=978&PBX_CMD=TEST zyxwv&PBX_PORTEUR=test@paybox.com&PBX_RETOUR=Mt:M;Ref:R;Auto:A;Erreur:E&PBX_TIME=2014-12-01T00:00:00+00:00", "&") {
		n, v, _ := strings.Cut(kv, "=")
		fs = append(fs, Field{n, v})
	}
	if got := paperHMAC(fs); got != "7D15A9C93C4B1A3E11427C35A4CE539CD146182A8EE9E2964E82AA99385007D8B08823272399B384E037F53DEA5008F66F37011FEF44CD65A8B4D964FB55FD10" {
		t.Fatalf("paperHMAC does not reproduce vector 1: %s", got)
	}
}

// TestBuildLinkGolden pins every field of two links: a 3x instalment with
// the serve routes, PBX_DATEVALMAX and a billing address, and a 1x link
// for a student without an address (no PBX_BILLING, no PBX_DATEVALMAX).
// PBX_HMAC must be what paperHMAC computes over the fields before it.
func TestBuildLinkGolden(t *testing.T) {
	serveCfg := linkConfig("https://tpeweb.paybox.com")
	serveCfg.IPNURL = "https://inscriptions.example.org/paybox/ipn"
	serveCfg.EffectueURL = "https://inscriptions.example.org/paybox/retour"
	serveCfg.RefuseURL = "https://inscriptions.example.org/paybox/refuse"
	serveCfg.AnnuleURL = "https://inscriptions.example.org/paybox/annule"
	plan := student
	plan.LastDue = time.Date(2026, 1, 10, 0, 0, 0, 0, paris())
	plan.Quantity = 1
	bare := student
	bare.Billing = Address{FirstName: "Inès", LastName: "Extra"}
	for _, c := range []struct {
		name string
		cfg  LinkConfig
		req  LinkRequest
	}{{"link_3x_serve", serveCfg, plan}, {"link_1x_no_address", linkConfig("https://tpeweb.paybox.com"), bare}} {
		t.Run(c.name, func(t *testing.T) {
			l, err := BuildLink(c.cfg, c.req)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, f := range l.Fields {
				b.WriteString(f.Name + "=" + f.Value + "\n")
			}
			last := l.Fields[len(l.Fields)-1]
			if last.Name != "PBX_HMAC" || last.Value != paperHMAC(l.Fields[:len(l.Fields)-1]) {
				t.Fatalf("PBX_HMAC does not cover every field in order: %s", last.Value)
			}
			path := filepath.Join("testdata", c.name+".golden")
			if *updateGolden {
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != string(want) {
				t.Fatalf("fields differ from %s:\n%s", path, b.String())
			}
		})
	}
}

func TestBuildLinkReturnURLRefusals(t *testing.T) {
	for _, u := range []string{"ftp://x.example.org/ipn", "https://x.example.org/" + strings.Repeat("a", 140), "https://x.example.org/a b", "https://x.example.org/?a=1&b=2"} {
		cfg := linkConfig("https://tpeweb.paybox.com")
		cfg.RefuseURL = u
		_, err := BuildLink(cfg, student)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("PBX_REFUSE %q must be an http(s) URL", u)) {
			t.Errorf("%q: %v, want the field and its value named", u, err)
		}
	}
}
