package paybox

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/pan"
)

// Notification is a verified Paybox hosted-page result (IPN or browser
// return), decoded with the PBX_RETOUR it was requested with.
type Notification struct {
	Amount   money.Cents        // M
	Cmd      string             // R: PBX_CMD
	Auth     string             // A: authorization number (XXXXXX in preprod)
	NumAppel string             // T
	NumTrans string             // S
	Code     string             // E: result code, 00000 = paid
	CardType string             // C: CB, VISA, E_CARD…
	Token    string             // U: the card token, to charge it later (Direct Plus)
	Expiry   gateway.CardExpiry // U: the card expiry (sent as YYMM); zero when absent or unreadable
	ECard    bool               // C is E_CARD (or E-CARD, ECARD): a temporary card that cannot be charged later
	Raw      string             // the notification as received
	Fields   map[string]string
}

// The reasons a notification is refused, reachable with errors.Is.
var (
	ErrUnsigned     = errors.New("the notification carries no signature")
	ErrBadSignature = errors.New("the notification signature does not verify with any configured Paybox key")
)

// VerifyIPN verifies a notification requested with DefaultRetour and
// decodes it. See VerifyIPNRetour.
func VerifyIPN(raw string, keys []*rsa.PublicKey) (Notification, error) {
	return VerifyIPNRetour(raw, DefaultRetour, keys)
}

// VerifyIPNRetour verifies the RSA-SHA1 signature of raw (a query string or
// POST body, or a whole URL) with keys, then decodes the signed fields with
// the letters of retour. The signature must be the last field and be named
// as in retour, or "Sign" or "K"; it covers the raw bytes before it. When
// the merchant's own parameters precede Paybox's (browser returns), the
// longest signed suffix is used and only its fields are decoded.
func VerifyIPNRetour(raw, retour string, keys []*rsa.PublicKey) (Notification, error) {
	n := Notification{Raw: raw, Fields: map[string]string{}}
	if len(keys) == 0 {
		return n, fault.New(fault.Usage, "no Paybox public key is configured to verify notifications")
	}
	letters, sigName := parseRetour(retour)
	q := strings.TrimSpace(raw)
	if i := strings.IndexByte(q, '?'); i >= 0 && (i == 0 || strings.Contains(q[:i], "://")) {
		q = q[i+1:]
	}
	i := strings.LastIndexByte(q, '&')
	if i < 0 {
		return n, reject(ErrUnsigned)
	}
	name, enc, _ := strings.Cut(q[i+1:], "=")
	if name != sigName && name != "Sign" && name != "K" {
		return n, reject(ErrUnsigned)
	}
	sig, ok := decodeSignature(enc)
	if !ok {
		return n, reject(ErrBadSignature)
	}
	signed, ok := verified(q[:i], sig, keys)
	if !ok {
		return n, reject(ErrBadSignature)
	}
	return n, n.decode(signed, letters)
}

func reject(err error) error { return fault.Wrap(fault.Usage, err, "paybox notification rejected") }

// verified returns the longest suffix of data (data itself, or what follows
// one of its &) whose signature sig verifies with one of keys.
func verified(data string, sig []byte, keys []*rsa.PublicKey) (string, bool) {
	for tries := 0; tries < 64; tries++ {
		h := sha1.Sum([]byte(data))
		for _, k := range keys {
			if k != nil && rsa.VerifyPKCS1v15(k, crypto.SHA1, h[:], sig) == nil {
				return data, true
			}
		}
		j := strings.IndexByte(data, '&')
		if j < 0 {
			break
		}
		data = data[j+1:]
	}
	return "", false
}

// decodeSignature percent-decodes the signature once and base64-decodes
// it, tolerating a + turned into a space and missing padding.
func decodeSignature(enc string) ([]byte, bool) {
	s, err := url.PathUnescape(strings.TrimSpace(enc))
	if err != nil {
		s = enc
	}
	s = strings.ReplaceAll(s, " ", "+")
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	return b, err == nil && len(b) > 0
}

// parseRetour maps the variable names of a PBX_RETOUR to their letters and
// returns the name of the signature (K) variable.
func parseRetour(retour string) (map[string]byte, string) {
	m := map[string]byte{}
	sig := "Sign"
	for _, part := range strings.Split(retour, ";") {
		name, letter, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || len(letter) != 1 || name == "" {
			continue
		}
		m[name] = letter[0]
		if letter[0] == 'K' {
			sig = name
		}
	}
	return m, sig
}

// subscriberData matches U: token++YYMM++--- (or with spaces for +).
// Compiled at first use, not at package init: most commands never use it.
var subscriberData = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.*)(?:\+\+|  )(\d{4})(?:\+\+|  )([^+ ]*)$`) })

// decode fills n from the signed fields.
func (n *Notification) decode(signed string, letters map[string]byte) error {
	for _, part := range strings.Split(signed, "&") {
		name, enc, _ := strings.Cut(part, "=")
		v, err := url.PathUnescape(enc)
		if err != nil {
			v = enc
		}
		v = redactPAN(v)
		if _, seen := n.Fields[name]; seen || name == "" {
			continue
		}
		n.Fields[name] = v
		if err := n.set(letters[name], v); err != nil {
			return err
		}
	}
	return nil
}

func (n *Notification) set(letter byte, v string) error {
	switch letter {
	case 'M':
		a, err := strconv.ParseInt(v, 10, 64)
		if err != nil || a < 0 || !pan.Digits(v, 1, 12) {
			return fault.New(fault.Usage, "paybox notification: amount %q is not a number of cents", v)
		}
		n.Amount = money.Cents(a)
	case 'R':
		n.Cmd = v
	case 'A':
		n.Auth = v
	case 'T':
		n.NumAppel = v
	case 'S':
		n.NumTrans = v
	case 'E':
		n.Code = v
	case 'C':
		n.CardType = v
		u := strings.ToUpper(strings.NewReplacer("-", "", "_", "", " ", "").Replace(v))
		n.ECard = u == "ECARD"
	case 'U':
		if m := subscriberData().FindStringSubmatch(v); m != nil {
			n.Token, n.Expiry = strings.TrimSpace(m[1]), gateway.StoredExpiry(m[2])
		} else {
			n.Token = strings.TrimSpace(v)
		}
	}
	return nil
}
