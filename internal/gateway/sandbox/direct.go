package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// kv is one received field.
type kv struct{ name, value string }

// form is a received request with its fields in received order: Paybox
// checks the HMAC over that order.
type form struct {
	fields []kv
	first  map[string]string
}

// parseForm reads a urlencoded body or query; undecodable escapes are kept
// as they are.
func parseForm(raw string) form {
	f := form{first: map[string]string{}}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		n, v, _ := strings.Cut(part, "=")
		n, v = unescape(n), unescape(v)
		f.fields = append(f.fields, kv{n, v})
		if _, seen := f.first[n]; !seen {
			f.first[n] = v
		}
	}
	return f
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func (f form) get(name string) string { return f.first[name] }

func (f form) has(name string) bool { _, ok := f.first[name]; return ok }

// hmacOK checks the HMAC field hmacName over every field except it and
// those named with skipPrefix, in received order, with the hash named in
// hashName (SHA512 if absent).
func (f form) hmacOK(key []byte, hmacName, hashName, skipPrefix string) bool {
	want, err := hex.DecodeString(f.get(hmacName))
	if err != nil || len(want) == 0 {
		return false
	}
	var h func() hash.Hash
	switch strings.ToUpper(f.get(hashName)) {
	case "", "SHA512":
		h = sha512.New
	case "SHA384":
		h = sha512.New384
	case "SHA256":
		h = sha256.New
	case "SHA224":
		h = sha256.New224
	default:
		return false
	}
	var parts []string
	for _, p := range f.fields {
		if p.name != hmacName && (skipPrefix == "" || !strings.HasPrefix(p.name, skipPrefix)) {
			parts = append(parts, p.name+"="+p.value)
		}
	}
	m := hmac.New(h, key)
	m.Write([]byte(strings.Join(parts, "&")))
	return hmac.Equal(m.Sum(nil), want)
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
	case f.get("VERSION") != "00103" && f.get("VERSION") != "00104":
		return "00013"
	case !isDigits(f.get("TYPE"), 5, 5):
		return "00009"
	case f.get("SITE") != s.opt.Site || atoi(f.get("RANG")) != atoi(s.opt.Rang) || !isDigits(f.get("RANG"), 1, 3):
		return "00006"
	case f.has("IDENTIFIANT") && atoi(f.get("IDENTIFIANT")) != atoi(s.opt.Identifiant):
		return "00006"
	case !s.authenticated(f):
		return "00006"
	case numQuestion(f) == 0:
		return "00005"
	case f.has("DATEQ") && !isDigits(f.get("DATEQ"), 8, 8) && !isDigits(f.get("DATEQ"), 14, 14):
		return "00007"
	case f.has("DEVISE") && !knownCurrency[f.get("DEVISE")]:
		return "00010"
	case f.has("ACTIVITE") && (!isDigits(f.get("ACTIVITE"), 3, 3) || f.get("ACTIVITE") < "020" || f.get("ACTIVITE") > "027"):
		return "00026"
	}
	return ""
}

var knownCurrency = map[string]bool{"978": true, "840": true, "826": true, "756": true, "124": true, "952": true, "953": true}

// authenticated accepts a valid HMAC, or the account's CLE when no HMAC is
// sent.
func (s *Sandbox) authenticated(f form) bool {
	if f.has("HMAC") {
		return f.hmacOK(s.opt.Key, "HMAC", "HASH", "")
	}
	return s.opt.CLE != "" && f.get("CLE") == s.opt.CLE
}

// numQuestion returns NUMQUESTION, or 0 if it is not 1..2147483647.
func numQuestion(f form) int64 {
	v := f.get("NUMQUESTION")
	n, err := strconv.ParseInt(v, 10, 64)
	if !isDigits(v, 1, 10) || err != nil || n < 1 || n > 2147483647 {
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

// encodeReply writes the answer as Paybox does: fields in its order, raw
// values, 10-digit numbers, Latin-1.
func (s *Sandbox) encodeReply(f form, r reply) []byte {
	auth := ""
	if r.code == "00000" {
		auth = "XXXXXX"
	}
	if r.text == "" {
		r.text = commentaire(r.code)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "NUMTRANS=%010d&NUMAPPEL=%010d&NUMQUESTION=%010d&SITE=%s&RANG=%02d",
		r.numTrans, r.numAppel, numQuestion(f), s.opt.Site, atoi(s.opt.Rang))
	fmt.Fprintf(&b, "&AUTORISATION=%s&CODEREPONSE=%s&COMMENTAIRE=%s&REFABONNE=%s&PORTEUR=%s",
		auth, r.code, r.text, r.refAbonne, r.porteur)
	if f.has("PAYS") {
		b.WriteString("&PAYS=FRA")
	}
	if f.has("TYPECARTE") {
		b.WriteString("&TYPECARTE=" + r.typeCarte)
	}
	return latin1(b.String())
}

// latin1 encodes s in ISO-8859-1, '?' for what it cannot hold.
func latin1(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			r = '?'
		}
		out = append(out, byte(r))
	}
	return out
}
