package paybox

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/inpctl/inpctl/internal/fault"
)

// The real Paybox signatures of docs/paybox.md §6.2.
const (
	ipnVector1 = "Mt=1000&Ref=CMD1349338388&Auto=XXXXXX&Erreur=00000&Sign=" +
		"QnhlnuOpcbfUruOU7kKG/ZmDPsDzM31VrpMIObQomYwEE/afhJiDPkWVN9+r3JVFXBsFnqo3VlOVzxQVVahXpF7eWiJoAe5LcIoqSvms96SFFv9LfndS/3zAO5fF/tR4Us3rOSUwT1Hs2AS17R3B9ATwBMhKt1l3DPw9hClpFw0="
	ipnVector2 = "Mt=8160&Ref=COM000000117T1402932051&Erreur=00004&Sign=" +
		"j2OZPEE0gKc%2BD34u2QkpBUR3VQyd9zYhpewHS6IZ1vjdiuGvC01irSBb2taQblYQ3RXI0DkmgIgdFY8ywW6NOdWx1vH%2B1c3GSZX2MhMqlonpfElUAN%2FlzYNH%2Ftw%2BntQLvzO2HBPobCLNUERqKrFqU9dSAvAYagXNdjpU%2BXPzPgI%3D"
)

func payboxKey(t testing.TB) *rsa.PublicKey {
	t.Helper()
	k, err := ParsePublicKeyPEM([]byte(PayboxPublicKeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestPayboxPublicKey(t *testing.T) {
	k := payboxKey(t)
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	if got := hex.EncodeToString(sum[:]); got != "e3e24366a97653cb40f9ed2ee2b91fe6d8c28ee81d062ca1508c9e32abe141bb" {
		t.Fatalf("key fingerprint %s", got)
	}
	if k.N.BitLen() != 1024 || k.E != 65537 {
		t.Fatalf("key %d bits, e=%d", k.N.BitLen(), k.E)
	}
	pkcs1 := "-----BEGIN RSA PUBLIC KEY-----\n" + b64(x509.MarshalPKCS1PublicKey(k)) + "\n-----END RSA PUBLIC KEY-----\n"
	if k2, err := ParsePublicKeyPEM([]byte(pkcs1)); err != nil || !k2.Equal(k) {
		t.Fatalf("PKCS#1 form: %v", err)
	}
	for _, bad := range []string{"", "not pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		if _, err := ParsePublicKeyPEM([]byte(bad)); err == nil {
			t.Errorf("ParsePublicKeyPEM(%q) accepted", bad)
		}
	}
}

func TestVerifyIPNRealVectors(t *testing.T) {
	keys := []*rsa.PublicKey{payboxKey(t)}
	n, err := VerifyIPNRetour(ipnVector1, "Mt:M;Ref:R;Auto:A;Erreur:E;Sign:K", keys)
	if err != nil {
		t.Fatalf("vector 1: %v", err)
	}
	if n.Amount != 1000 || n.Cmd != "CMD1349338388" || n.Auth != "XXXXXX" || n.Code != "00000" {
		t.Fatalf("vector 1 decoded as %+v", n)
	}
	n, err = VerifyIPN(ipnVector2, keys)
	if err != nil {
		t.Fatalf("vector 2: %v", err)
	}
	if n.Amount != 8160 || n.Code != "00004" || n.Cmd != "COM000000117T1402932051" {
		t.Fatalf("vector 2 decoded as %+v", n)
	}
	// The same vectors given as a whole URL, as a POST body with a newline,
	// or with the signature named K.
	for _, raw := range []string{
		"https://shop.example/ipn?" + ipnVector1,
		ipnVector1 + "\r\n",
		strings.Replace(ipnVector2, "&Sign=", "&K=", 1),
		"?" + ipnVector2,
	} {
		if _, err := VerifyIPN(raw, keys); err != nil {
			t.Errorf("VerifyIPN(%.40q…): %v", raw, err)
		}
	}
}

func TestVerifyIPNRejectsTampering(t *testing.T) {
	keys := []*rsa.PublicKey{payboxKey(t)}
	bad := []string{
		strings.Replace(ipnVector1, "CMD1349338388", "CMD1349338389", 1), // the §6.2 forgery
		strings.Replace(ipnVector1, "Mt=1000", "Mt=1001", 1),
		strings.Replace(ipnVector2, "Erreur=00004", "Erreur=00000", 1),
		"Mt=1000&Ref=CMD1349338388&Auto=XXXXXX&Erreur=00000",           // unsigned
		"Mt=1000&Ref=CMD1349338388&Auto=XXXXXX&Erreur=00000&Sign=",     // empty signature
		"Mt=1000&Ref=CMD1349338388&Auto=XXXXXX&Erreur=00000&Sign=AAAA", // short signature
		strings.Replace(ipnVector1, "&Sign=", "&Signature=", 1),        // unknown name
		ipnVector1 + "&Mt=1", // signature not last
		"Mt=5&" + strings.Replace(ipnVector1, "Mt=1000&", "", 1), // field swapped
		strings.Replace(ipnVector2, "%2B", "+", 1) + "x",         // corrupted base64
		"",
	}
	for _, raw := range bad {
		_, err := VerifyIPN(raw, keys)
		if err == nil {
			t.Errorf("VerifyIPN accepted %q", raw)
			continue
		}
		if !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrUnsigned) {
			t.Errorf("VerifyIPN(%q) = %v, want ErrBadSignature or ErrUnsigned", raw, err)
		}
		if fault.KindOf(err) != fault.Usage {
			t.Errorf("kind %v", fault.KindOf(err))
		}
	}
	if _, err := VerifyIPN(ipnVector1, nil); err == nil {
		t.Fatal("verified without keys")
	}
}

// TestVerifyIPNMerchantPrefix: a browser return signs everything after ?,
// including the merchant's parameters; only signed fields are decoded.
func TestVerifyIPNMerchantPrefix(t *testing.T) {
	keys := []*rsa.PublicKey{payboxKey(t)}
	n, err := VerifyIPN("lang=fr&Mt=99999&"+ipnVector1, keys)
	if err != nil {
		t.Fatal(err)
	}
	if n.Amount != 1000 || n.Fields["lang"] != "" {
		t.Fatalf("unsigned prefix leaked into the notification: %+v", n)
	}
}

func TestSubscriberData(t *testing.T) {
	cases := map[string][2]string{
		"SLDLrcsLMPC++2512++---":         {"SLDLrcsLMPC", "2512"},
		"SLDLrcsLMPC  2512  ---":         {"SLDLrcsLMPC", "2512"},
		"SLD%2BLrcs++2701++---":          {"SLD+Lrcs", "2701"},
		"plain":                          {"plain", ""},
		"SLDLrcsLMPC%20%202512%20%20---": {"SLDLrcsLMPC", "2512"},
	}
	for in, want := range cases {
		var n Notification
		n.Fields = map[string]string{}
		if err := n.decode("Abo="+in, map[string]byte{"Abo": 'U'}); err != nil {
			t.Fatal(err)
		}
		if n.Token != want[0] || n.Expiry.YYMM() != want[1] {
			t.Errorf("U=%q → token %q expiry %q, want %q", in, n.Token, n.Expiry.YYMM(), want)
		}
	}
}
