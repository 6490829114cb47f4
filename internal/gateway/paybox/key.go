package paybox

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"

	"github.com/inpctl/inpctl/internal/fault"
)

// PayboxPublicKeyPEM is the RSA-1024 key Paybox (and Crédit Agricole
// E-transactions / Up2pay) sign notifications with (docs/paybox.md §3.6;
// SHA-256 of its DER: e3e24366…e141bb). Paybox may rotate it: configure
// several keys then.
const PayboxPublicKeyPEM = `-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDe+hkicNP7ROHUssGNtHwiT2Ew
HFrSk/qwrcq8v5metRtTTFPE/nmzSkRnTs3GMpi57rBdxBBJW5W9cpNyGUh0jNXc
VrOSClpD5Ri2hER/GcNrxVRP7RlWOqB1C03q4QYmwjHZ+zlM4OUhCCAtSWflB4wC
Ka1g88CjFwRw/PB9kwIDAQAB
-----END PUBLIC KEY-----
`

// ParsePublicKeyPEM reads an RSA public key in PEM, either "PUBLIC KEY"
// (PKIX, as Paybox publishes it) or "RSA PUBLIC KEY" (PKCS #1).
func ParsePublicKeyPEM(b []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fault.New(fault.Usage, "the Paybox public key is not PEM (expected -----BEGIN PUBLIC KEY-----)")
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fault.Wrap(fault.Usage, err, "the Paybox public key is unreadable")
		}
		if rk, ok := k.(*rsa.PublicKey); ok {
			return rk, nil
		}
		return nil, fault.New(fault.Usage, "the Paybox public key is not an RSA key")
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fault.Wrap(fault.Usage, err, "the Paybox public key is unreadable")
		}
		return k, nil
	}
	return nil, fault.New(fault.Usage, "the PEM block is a %q, not a public key", block.Type)
}
