package sandbox

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"sync"
)

// privateKeyPEM is the sandbox's own RSA-1024 signing key. It is a TEST key,
// generated once for this simulator and published with its source: it
// proves nothing about Paybox and must never be configured in production
// (the real Paybox key is PayboxPublicKeyPEM in package paybox).
const privateKeyPEM = `-----BEGIN RSA PRIVATE KEY-----
MIICWwIBAAKBgQC06A4kGWFuIhTQFYzDVWJDXpbiqBUvJq1G1Bg746L31n4kqKbA
/gLf6gmZm0ffdiDcyVvi+UpcXp6rXh0DDjGmGoyo7f0IxwF8BAClul/1/6EA9cOh
Wb6BRMHupaKpPB/PJQMDuljP5T7GC8XwEuBBh+XWeFI7pKmoFGt9sRhsxQIDAQAB
AoGAFc/9FIEy7DKTy9stU8gRxwm6q62UkFDbh7S/D0mNNtDX+NeU86Qs+I6hhbHh
YqI9qCFnQODKBIUsIIGCggHOHoMcHJFUhNen++k2LL0RhFlDRIUWsaT9+Syg2ry1
btKSaR2GstKO8kB+tkFj2BUfVS7sNiW53pxyKiSqq4LtK6kCQQDejlekg+WztNC8
iOUdiu9XD5Z0xsjUkF6xLlsygRdoz/vY828n3q9QtUaIHIlHahBYoysplmdEKtlH
GQSeuJ0nAkEA0Bd3yuVWQbrVGODZdAD5nBNFCqKQetNaievYeB1fi5wpmrn5/5jg
xskqgGs3dsuUkeVldkHge67+yYmr4hSyMwJAPtPGMB5ACTRBPQgUTfu7x0MSQVMg
vMkowjII8r/4oNEeEsfeGE5IBau3BpOvuWZayPr/I1VfP6ItBmIsqLYLPwJANmz8
6vdiwRxRogklNt8OahDsLOTp7wYalxo1au0b0VMN2qcryPs+Rx/UWvQv9IU4nZQn
HnAKe68AesvkReRt2wJABcChMjBa8GxT1XSvC4WSNbpUZG6UR8Ot1dwYsqt+Gxx1
XMtHEn1nAb8GnNVWsnbxB9+tVnc2DmeCaRaVkjys+A==
-----END RSA PRIVATE KEY-----
`

// PublicKeyPEM is the public half of the sandbox's test signing key:
// configure it (instead of, or beside, the Paybox key) to accept the
// sandbox's notifications.
const PublicKeyPEM = `-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC06A4kGWFuIhTQFYzDVWJDXpbi
qBUvJq1G1Bg746L31n4kqKbA/gLf6gmZm0ffdiDcyVvi+UpcXp6rXh0DDjGmGoyo
7f0IxwF8BAClul/1/6EA9cOhWb6BRMHupaKpPB/PJQMDuljP5T7GC8XwEuBBh+XW
eFI7pKmoFGt9sRhsxQIDAQAB
-----END PUBLIC KEY-----
`

// signingKey parses the embedded key, once per process: every sandbox
// shares it (signing only reads it). ParsePKCS1PrivateKey validates the
// key and precomputes its CRT values, so no notification parses PEM or
// recomputes them.
var signingKey = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(privateKeyPEM))
	if block == nil {
		return nil, fmt.Errorf("sandbox: embedded signing key is not PEM")
	}
	return x509.ParsePKCS1PrivateKey(block.Bytes)
})

// signRetour signs data as Paybox signs PBX_RETOUR answers (RSA PKCS #1
// v1.5 over SHA-1) and returns the base64 signature.
func signRetour(k *rsa.PrivateKey, data string) (string, error) {
	h := sha1.Sum([]byte(data))
	sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA1, h[:])
	if err != nil {
		return "", fmt.Errorf("sandbox: sign: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}
