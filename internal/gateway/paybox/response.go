package paybox

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/inpctl/inpctl/internal/gateway"
)

// maxAnswer bounds how much of an answer we read: a real one is ~300 bytes.
const maxAnswer = 64 << 10

// parseResponse reads a PPPS answer leniently: fields split on & then on the
// first =, names upper-cased, values taken raw or %xx-decoded, each value
// converted from Latin-1 unless it already is valid UTF-8. The first
// occurrence of a name wins; fields without a name are skipped.
func parseResponse(body []byte) map[string]string {
	body = bytes.TrimRight(body, "\r\n\x00")
	m := make(map[string]string, bytes.Count(body, []byte("&"))+1) // no growing
	// One copy of the body: when it is valid UTF-8, so is every field
	// (they are cut at ASCII bytes), and the names and the values without
	// escapes are substrings of it, as toUTF8 would give them.
	s := string(body)
	valid := utf8.ValidString(s)
	for part := range strings.SplitSeq(s, "&") {
		k, v, _ := strings.Cut(part, "=")
		if !valid {
			k = toUTF8([]byte(k))
		}
		name := strings.ToUpper(strings.TrimSpace(k))
		if name == "" {
			continue
		}
		if _, seen := m[name]; !seen {
			if valid && strings.IndexByte(v, '%') < 0 {
				m[name] = v
			} else {
				m[name] = toUTF8(percentDecode([]byte(v)))
			}
		}
	}
	return m
}

// percentDecode decodes %xx escapes when every % in v starts one, and
// returns v unchanged otherwise ("100 %" stays as it is). + is left alone:
// Paybox does not use it for spaces.
func percentDecode(v []byte) []byte {
	n := bytes.Count(v, []byte("%"))
	if n == 0 {
		return v
	}
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			out = append(out, v[i])
			continue
		}
		if i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2]) {
			return v
		}
		out = append(out, unhex(v[i+1])<<4|unhex(v[i+2]))
		i += 2
	}
	return out
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// toUTF8 returns b as a string, reading it as Latin-1 (Paybox's charset)
// unless it is already valid UTF-8.
func toUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// interpret turns a parsed answer into a Result. An answer for another
// NUMQUESTION, or one without a readable CODEREPONSE, is Unknown: we cannot
// tell what it is about.
func interpret(m map[string]string, nq int64) gateway.Result {
	if echo, ok := m["NUMQUESTION"]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(echo), 10, 64)
		// Paybox zeroes the echo on frame errors: 0 is not a mismatch.
		if err != nil || n != 0 && n != nq {
			return gateway.Result{Outcome: gateway.Unknown,
				Detail: "the answer is for NUMQUESTION " + strconv.Quote(redactPAN(echo)) + ", not " + strconv.FormatInt(nq, 10)}
		}
	}
	code := strings.TrimSpace(m["CODEREPONSE"])
	out, hard := gateway.Classify(code)
	if len(code) != 5 {
		return gateway.Result{Outcome: gateway.Unknown, Detail: "the answer has no readable CODEREPONSE"}
	}
	r := gateway.Result{Outcome: out, Hard: hard && out == gateway.Declined, Code: code,
		Text: redactPAN(strings.TrimSpace(m["COMMENTAIRE"]))}
	if out == gateway.Approved {
		r.NumTrans = digitsOnly(m["NUMTRANS"])
		r.NumAppel = digitsOnly(m["NUMAPPEL"])
		r.Authorisation = redactPAN(strings.TrimSpace(m["AUTORISATION"]))
		if tok := strings.TrimSpace(m["PORTEUR"]); redactPAN(tok) == tok {
			r.Token = tok
		}
	}
	return r
}

// digitsOnly returns s trimmed when it is all digits (a Paybox number), ""
// otherwise.
func digitsOnly(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 12 || strings.Trim(s, "0123456789") != "" {
		return ""
	}
	return s
}
