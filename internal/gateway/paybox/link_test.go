package paybox

import (
	"strings"
	"testing"
	"time"
)

func TestBuildLink(t *testing.T) {
	l, err := BuildLink(linkConfig("https://tpeweb.paybox.com"), student)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range l.Fields {
		names = append(names, f.Name)
	}
	wantNames := "PBX_SITE PBX_RANG PBX_IDENTIFIANT PBX_TOTAL PBX_DEVISE PBX_CMD PBX_PORTEUR PBX_RETOUR PBX_REFABONNE PBX_REPONDRE_A PBX_HASH PBX_TIME PBX_SHOPPINGCART PBX_BILLING PBX_HMAC"
	if strings.Join(names, " ") != wantNames {
		t.Fatalf("fields %v", names)
	}
	get := func(n string) string {
		for _, f := range l.Fields {
			if f.Name == n {
				return f.Value
			}
		}
		return ""
	}
	if get("PBX_TIME") != "2025-09-10T09:00:00+02:00" || get("PBX_RANG") != "032" || get("PBX_TOTAL") != "61800" || get("PBX_RETOUR") != DefaultRetour {
		t.Fatalf("fields %+v", l.Fields)
	}
	wantBilling := `<?xml version="1.0" encoding="utf-8"?><Billing><Address><FirstName>Lea-Francoise Eloise M</FirstName>` +
		`<LastName>Dupre</LastName><Address1>12, rue de l&apos;Eglise &amp; &lt;Coeur&gt;</Address1><Address2></Address2>` +
		`<ZipCode>63000</ZipCode><City>Clermont-Ferrand</City><CountryCode>250</CountryCode></Address></Billing>`
	if get("PBX_BILLING") != wantBilling {
		t.Fatalf("billing\n%s\nwant\n%s", get("PBX_BILLING"), wantBilling)
	}
	if !strings.HasPrefix(l.URL, "https://tpeweb.paybox.com/cgi/MYchoix_pagepaiement.cgi?PBX_SITE=1999888&PBX_RANG=032&") {
		t.Fatalf("URL %s", l.URL)
	}
	// The HMAC covers every field, raw, in order.
	fs := fields(l.Fields[:len(l.Fields)-1])
	if sign(k128, "SHA512", fs.signString()) != get("PBX_HMAC") {
		t.Fatal("PBX_HMAC does not cover the fields in order")
	}
}

func TestBuildLinkRefusals(t *testing.T) {
	cfg := linkConfig("https://tpeweb.paybox.com")
	for i, mod := range []func(*LinkConfig, *LinkRequest){
		func(c *LinkConfig, r *LinkRequest) { r.Email = "not-an-email" },
		func(c *LinkConfig, r *LinkRequest) { r.Amount = 0 },
		func(c *LinkConfig, r *LinkRequest) { r.Cmd = "" },
		func(c *LinkConfig, r *LinkRequest) { r.When = time.Time{} },
		func(c *LinkConfig, r *LinkRequest) { c.Key = nil },
		func(c *LinkConfig, r *LinkRequest) { c.Retour = "Mt:M;Sign:K;Ref:R" },
		func(c *LinkConfig, r *LinkRequest) { c.URL = "" },
	} {
		c, r := cfg, student
		mod(&c, &r)
		if _, err := BuildLink(c, r); err == nil {
			t.Errorf("case %d accepted", i)
		}
	}
}

func TestCountryCode(t *testing.T) {
	cases := map[string]string{"France": "250", "FR": "250", "fra": "250", "250": "250", "Belgique": "056",
		"Côte d'Ivoire": "384", "Sénégal": "686", "Atlantis": "", "": "", "Royaume-Uni": "826"}
	for in, want := range cases {
		if got := CountryCode(in); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", in, got, want)
		}
	}
}
