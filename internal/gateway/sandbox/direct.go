package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/inpctl/inpctl/internal/pan"
)

// kv is one received field.
type kv struct{ name, value string }

// form is a received request with its fields in received order: Paybox
// checks the HMAC over that order. A request has a few dozen fields at
// most, so looking a name up by scanning them costs less than building a
// map for every request.
type form struct {
	fields []kv
}

// parseForm reads a urlencoded body or query; undecodable escapes are kept
// as they are.
func parseForm(raw string) form {
	f := form{fields: make([]kv, 0, strings.Count(raw, "&")+1)}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		n, v, _ := strings.Cut(part, "=")
		f.fields = append(f.fields, kv{unescape(n), unescape(v)})
	}
	return f
}

func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s // what url.QueryUnescape returns, without its work
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// get returns the first value of name ("" if absent).
func (f form) get(name string) string {
	v, _ := f.lookup(name)
	return v
}

func (f form) has(name string) bool {
	_, ok := f.lookup(name)
	return ok
}

func (f form) lookup(name string) (string, bool) {
	for _, p := range f.fields {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

// macs keeps HMAC states of the account key for SHA512, the hash every
// request of the inpctl client names: hmac.New hashes the padded key
// twice, Reset restores those states.
type macs struct {
	key  []byte
	pool sync.Pool
}

func newMACs(key []byte) *macs {
	m := &macs{key: key}
	m.pool.New = func() any { return hmac.New(sha512.New, key) }
	return m
}

// hmacOK checks the HMAC field hmacName over every field except it and
// those named with skipPrefix, in received order, with the hash named in
// hashName (SHA512 if absent).
func (f form) hmacOK(keys *macs, hmacName, hashName, skipPrefix string) bool {
	var wantBuf [sha512.Size]byte
	got := f.get(hmacName)
	if len(got) == 0 || len(got) > 2*len(wantBuf) {
		return false // no HMAC, or longer than any hash we accept
	}
	n, err := hex.Decode(wantBuf[:], []byte(got))
	if err != nil {
		return false
	}
	want := wantBuf[:n]
	var m hash.Hash
	switch strings.ToUpper(f.get(hashName)) {
	case "", "SHA512":
		m = keys.pool.Get().(hash.Hash)
		defer keys.pool.Put(m)
		m.Reset()
	case "SHA384":
		m = hmac.New(sha512.New384, keys.key)
	case "SHA256":
		m = hmac.New(sha256.New, keys.key)
	case "SHA224":
		m = hmac.New(sha256.New224, keys.key)
	default:
		return false
	}
	msg := make([]byte, 0, 512)
	for _, p := range f.fields {
		if p.name != hmacName && (skipPrefix == "" || !strings.HasPrefix(p.name, skipPrefix)) {
			if len(msg) > 0 {
				msg = append(msg, '&')
			}
			msg = append(append(append(msg, p.name...), '='), p.value...)
		}
	}
	m.Write(msg)
	return hmac.Equal(m.Sum(make([]byte, 0, sha512.Size)), want)
}

// readRaw returns the POST body, or the query of other methods.
func readRaw(r *http.Request) string {
	if r.Method != http.MethodPost {
		return r.URL.RawQuery
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	return string(b)
}

// reply is a Direct answer before encoding.
type reply struct {
	numTrans, numAppel int64
	code, text         string
	refAbonne, porteur string
	typeCarte          string
	noAuth             bool // no AUTORISATION even on 00000 (nothing was authorized)
	extra              []kv // fields after the standard ones (00017: STATUS, REMISE)
}

// effect is what happens to the answer after the state was updated.
type effect struct{ drop, slow bool }

// serveDirect answers one PPPS request.
func (s *Sandbox) serveDirect(w http.ResponseWriter, r *http.Request) {
	sleep(r, s.opt.Latency)
	f := parseForm(readRaw(r))
	rep, eff := s.direct(f)
	if eff.slow {
		sleep(r, s.opt.SlowDelay)
	}
	if eff.drop {
		// The operation is recorded; the answer is lost on the way.
		panic(http.ErrAbortHandler)
	}
	w.Header().Set("Content-Type", "text/plain; charset=ISO-8859-1")
	_, _ = w.Write(s.encodeReply(f, rep))
}

// checkFrame validates what every Direct request shares and returns the
// CODEREPONSE of the first problem, or "".
func (s *Sandbox) checkFrame(f form) string {
	switch {
	case f.get("VERSION") != versionDirect && f.get("VERSION") != versionPlus:
		return "00013"
	case !pan.Digits(f.get("TYPE"), 5, 5):
		return "00009"
	case directPlus(f.get("TYPE")) && f.get("VERSION") != versionPlus:
		// Subscriber TYPEs belong to Direct Plus (docs/paybox.md §2.3).
		return "00013"
	case !s.authenticated(f):
		return "00006"
	case numQuestion(f) == 0:
		return "00005"
	case f.has("DATEQ") && !pan.Digits(f.get("DATEQ"), 8, 8) && !pan.Digits(f.get("DATEQ"), 14, 14):
		return "00007"
	case f.has("DEVISE") && !knownCurrency[f.get("DEVISE")]:
		return "00010"
	case f.has("ACTIVITE") && (!pan.Digits(f.get("ACTIVITE"), 3, 3) || f.get("ACTIVITE") < "020" || f.get("ACTIVITE") > "027"):
		return "00026"
	}
	return ""
}

// Protocol versions: Direct, and Direct Plus (needed for TYPE 00051 and
// above).
const (
	versionDirect = "00103"
	versionPlus   = "00104"
)

// directPlus says whether typ (5 digits) is a subscriber TYPE.
func directPlus(typ string) bool { return typ >= "00051" }

var knownCurrency = map[string]bool{"978": true, "840": true, "826": true, "756": true, "124": true, "952": true, "953": true}

// authenticated says whether SITE, RANG and IDENTIFIANT (if present) name
// an accepted account that the request authenticates to: a valid HMAC, or
// the account's CLE when no HMAC is sent.
func (s *Sandbox) authenticated(f form) bool {
	_, ok := s.Account(f.get("SITE"), f.get("RANG"), f.get("IDENTIFIANT"), func(a Account) bool {
		if f.has("HMAC") {
			return a.macs != nil && f.hmacOK(a.macs, "HMAC", "HASH", "")
		}
		return a.CLE != "" && f.get("CLE") == a.CLE
	})
	return ok
}

// numQuestion returns NUMQUESTION, or 0 if it is not 1..2147483647.
func numQuestion(f form) int64 {
	v := f.get("NUMQUESTION")
	n, err := strconv.ParseInt(v, 10, 64)
	if !pan.Digits(v, 1, 10) || err != nil || n < 1 || n > 2147483647 {
		return 0
	}
	return n
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}
