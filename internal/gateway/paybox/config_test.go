package paybox

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
)

func TestKeyNeverPrinted(t *testing.T) {
	key := []byte("SECRET-KEY-CANARY-0123456789")
	hexKey := strings.ToUpper(hex.EncodeToString(key))
	cfg := testConfig("https://ppps.paybox.com/PPPS.php")
	cfg.Key = key
	c := New(cfg)
	lc := LinkConfig{URL: "https://tpeweb.paybox.com", Key: key}
	var out []string
	for _, v := range []any{cfg, &cfg, c, *c, lc, &lc} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d"} {
			out = append(out, fmt.Sprintf(verb, v))
		}
	}
	out = append(out, fmt.Sprint(cfg), fmt.Sprintln(c))
	// Errors from every operation with a bad request.
	_, err := c.Charge(context.Background(), gateway.ChargeRequest{NumQuestion: 1, When: testNow})
	out = append(out, err.Error())
	_, err = DecodeKey("0123456789ABCDEFZZ")
	out = append(out, err.Error())
	for _, s := range out {
		for _, secret := range []string{string(key), hexKey, strings.ToLower(hexKey), "CANARY", fmt.Sprint(key[:4])} {
			if strings.Contains(s, secret) {
				t.Fatalf("%q reveals the key", s)
			}
		}
	}
}

func TestDecodeKey(t *testing.T) {
	k, err := DecodeKey(" " + strings.Repeat("0123456789ABCDEF", 8) + "\n")
	if err != nil || len(k) != 64 || string(k) != string(k128) {
		t.Fatalf("%x %v", k, err)
	}
	for _, bad := range []string{"", "0123", "0123456789ABCDEF0123456789ABCDEF0123456G", "abc"} {
		if _, err := DecodeKey(bad); err == nil || fault.KindOf(err) != fault.Usage {
			t.Errorf("DecodeKey(%q): %v", bad, err)
		}
	}
}

func TestEndpoint(t *testing.T) {
	cases := map[string]string{
		"https://ppps.paybox.com/PPPS.php": "https://ppps.paybox.com/PPPS.php",
		"https://ppps.paybox.com":          "https://ppps.paybox.com/PPPS.php",
		"http://127.0.0.1:8080/":           "http://127.0.0.1:8080/PPPS.php",
		"http://127.0.0.1:8080/sbx":        "http://127.0.0.1:8080/sbx/PPPS.php",
	}
	for in, want := range cases {
		if got := endpoint(in, "PPPS.php"); got != want {
			t.Errorf("endpoint(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBadRequestsAreErrors(t *testing.T) {
	ctx := context.Background()
	c := New(testConfig("https://ppps.paybox.com/PPPS.php"))
	ok := gateway.ChargeRequest{Reference: "R", NumQuestion: 1, Amount: 100, RefAbonne: "S", Token: "T", DateVal: "1229", When: testNow}
	bad := []func(*gateway.ChargeRequest){
		func(r *gateway.ChargeRequest) { r.NumQuestion = 0 },
		func(r *gateway.ChargeRequest) { r.NumQuestion = 2147483648 },
		func(r *gateway.ChargeRequest) { r.Amount = 0 },
		func(r *gateway.ChargeRequest) { r.Amount = 10_000_000_000 },
		func(r *gateway.ChargeRequest) { r.Reference = "" },
		func(r *gateway.ChargeRequest) { r.Reference = strings.Repeat("x", 251) },
		func(r *gateway.ChargeRequest) { r.Token = "" },
		func(r *gateway.ChargeRequest) { r.DateVal = "1329" },
		func(r *gateway.ChargeRequest) { r.When = time.Time{} },
	}
	for i, mod := range bad {
		r := ok
		mod(&r)
		if _, err := c.Charge(ctx, r); err == nil {
			t.Errorf("bad request %d accepted", i)
		}
	}
	for i, cfg := range []Config{{}, testConfig(), {URLs: []string{"ftp://x"}, Site: "1999888", Rang: "32", Identifiant: "1", Key: k128},
		{URLs: []string{"https://x"}, Site: "199988", Rang: "32", Identifiant: "1", Key: k128}} {
		if _, err := New(cfg).Charge(ctx, ok); err == nil || fault.KindOf(err) != fault.Usage {
			t.Errorf("config %d: %v", i, err)
		}
	}
}
