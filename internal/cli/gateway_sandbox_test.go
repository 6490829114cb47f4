package cli

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
)

// TestGatewaySandboxAccounts (issue 18): `gateway sandbox --account` makes
// the sandbox accept that account, with its own key, for the real client;
// the pre-production accounts stay accepted unless --preprod-accounts=false.
func TestGatewaySandboxAccounts(t *testing.T) {
	const ownKey = "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"
	when := time.Date(2025, 9, 10, 9, 0, 0, 0, time.UTC)
	lookup := func(opt sandbox.Options, site, rang, ident, keyHex string) gateway.Result {
		t.Helper()
		opt.Now = func() time.Time { return when }
		sb, err := sandbox.New(opt)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(sb)
		defer func() { srv.Close(); sb.Close() }()
		key, err := paybox.DecodeKey(keyHex)
		if err != nil {
			t.Fatal(err)
		}
		c := paybox.New(paybox.Config{URLs: []string{srv.URL + "/PPPS.php"}, Site: site, Rang: rang, Identifiant: ident, Key: key})
		res, err := c.Lookup(context.Background(), gateway.LookupRequest{Reference: "R", NumQuestion: 1, Amount: 100, When: when})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	o := &sandboxOpts{accounts: []string{"1234567:05:42:" + ownKey}, preprod: true}
	opt, err := o.sandboxOptions()
	if err != nil {
		t.Fatal(err)
	}
	if res := lookup(opt, "1234567", "05", "42", ownKey); !res.NotFound() {
		t.Fatalf("configured account: %+v, want a lookup answer (00018)", res)
	}
	if res := lookup(opt, sandbox.TestSite, sandbox.TestRang, sandbox.TestIdentifiant, sandbox.TestKeyHex); !res.NotFound() {
		t.Fatalf("pre-production account beside it: %+v", res)
	}
	o.preprod = false
	if opt, err = o.sandboxOptions(); err != nil {
		t.Fatal(err)
	}
	if res := lookup(opt, sandbox.TestSite, sandbox.TestRang, sandbox.TestIdentifiant, sandbox.TestKeyHex); res.Code != "00006" {
		t.Fatalf("--preprod-accounts=false still accepts the test account: %+v", res)
	}
	if res := lookup(opt, "1234567", "005", "42", ownKey); !res.NotFound() {
		t.Fatalf("configured account alone: %+v", res)
	}

	for _, c := range []struct {
		o    sandboxOpts
		want string
	}{
		{sandboxOpts{accounts: []string{"1234567:05:42:" + ownKey, "1234567:05:42"}, preprod: true}, "--account #2: 3 parts"},
		{sandboxOpts{accounts: []string{"1234567:05:42:" + ownKey[:30]}, preprod: true}, "--account #1: KEY is too short"},
		{sandboxOpts{preprod: false}, "needs at least one --account"},
	} {
		_, err := c.o.sandboxOptions()
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Kind != fault.Usage || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want a usage error %q", err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), ownKey[:16]) {
			t.Errorf("the error quotes the key: %v", err)
		}
	}
}
