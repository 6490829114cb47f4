package paybox

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"net/url"
	"strings"
)

// Field is one NAME=value pair of a Paybox request, in sending order.
type Field struct {
	Name, Value string
}

// fields is an ordered list of request fields: Paybox signs them in the
// order they are sent, so a map would not do.
type fields []Field

func (fs *fields) add(name, value string) { *fs = append(*fs, Field{name, value}) }

// signString is the HMAC input: NAME=value joined with &, values raw (not
// URL-encoded), in sending order (docs/paybox.md §2.2, §3.2).
func (fs fields) signString() string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(f.Name)
		b.WriteByte('=')
		b.WriteString(f.Value)
	}
	return b.String()
}

// encode is the application/x-www-form-urlencoded body (or query) with the
// fields in the same order as signString.
func (fs fields) encode() string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(f.Name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(f.Value))
	}
	return b.String()
}

// newHash returns the hash named by a PBX_HASH/HASH value; ok is false for
// names we do not support.
func newHash(name string) (func() hash.Hash, bool) {
	switch strings.ToUpper(name) {
	case "", "SHA512":
		return sha512.New, true
	case "SHA384":
		return sha512.New384, true
	case "SHA256":
		return sha256.New, true
	case "SHA224":
		return sha256.New224, true
	}
	return nil, false
}

// sign returns the upper-case hex HMAC of data with key and the hash named
// alg (SHA512 when empty or unknown). A new HMAC state each time: keeping
// ready states per key (as once done) saved 2.7 µs a signature, nothing
// next to the network call that follows, and meant a package-level map
// holding the secret keys.
func sign(key []byte, alg, data string) string {
	h, ok := newHash(alg)
	if !ok {
		h = sha512.New
	}
	m := hmac.New(h, key)
	m.Write([]byte(data))
	sum := m.Sum(make([]byte, 0, sha512.Size))
	const digits = "0123456789ABCDEF"
	out := make([]byte, 2*len(sum))
	for i, c := range sum {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&0x0f]
	}
	return string(out)
}
