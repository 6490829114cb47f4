package paybox

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"net/url"
	"strings"
	"sync"
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
// alg (SHA512 when empty).
func sign(key []byte, alg, data string) string {
	var m hash.Hash
	if h, ok := newHash(alg); ok && alg != "" && !strings.EqualFold(alg, "SHA512") {
		m = hmac.New(h, key)
	} else {
		p := sha512MACs(key)
		m = p.Get().(hash.Hash)
		defer p.Put(m)
		m.Reset()
	}
	m.Write([]byte(data))
	sum := m.Sum(make([]byte, 0, sha512.Size))
	const digits = "0123456789ABCDEF"
	out := make([]byte, 2*len(sum))
	for i, c := range sum {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&0x0f]
	}
	return string(out)
}

// macPools holds, per key, HMAC-SHA512 states ready to use: hmac.New
// hashes the padded key twice and Reset restores those states, so every
// request and link (all SHA512) skips that work. A process has one key or
// two; the map holds what the Configs already hold.
var macPools sync.Map // string(key) → *sync.Pool

func sha512MACs(key []byte) *sync.Pool {
	if p, ok := macPools.Load(string(key)); ok {
		return p.(*sync.Pool)
	}
	k := append([]byte(nil), key...)
	p, _ := macPools.LoadOrStore(string(k), &sync.Pool{New: func() any { return hmac.New(sha512.New, k) }})
	return p.(*sync.Pool)
}
