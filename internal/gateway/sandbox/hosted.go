package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/pan"
)

// Sandbox-only hosted-page parameters, outside the HMAC: the card to pay
// with (a PAN or a class name such as "soft-once") and its expiry (MMYY).
const (
	ParamCard    = "SBX_CARD"
	ParamDateVal = "SBX_DATEVAL"
)

// HostedOptions configures the hosted page (Options.Hosted).
type HostedOptions struct {
	// AllowDuplicate pays again a PBX_CMD already paid on the hosted page.
	// Without it such a request is refused with 00015 ("payment already
	// done", docs/paybox.md §3.5) before any money is taken, as Paybox
	// does; with it the "two payments on one link" case (two tabs paid,
	// issue 12) can still be produced on purpose.
	AllowDuplicate bool
	// Notify, if set, is the client with which the hosted page calls
	// PBX_REPONDRE_A after a payment (approved or refused), like Paybox:
	// an HTTP GET of the URL with the signed notification as its query,
	// in the background, retried with back-off until HTTP 200, at most
	// NotifyTries times (MaxNotifyTries if zero or more). The notification
	// is returned to the caller as well. Nil: no call.
	Notify      *http.Client
	NotifyTries int
	// NotifyBackoff is the wait before the second call, doubled after each
	// failed one up to 30 s (DefaultNotifyBackoff if zero); Sleep waits
	// (time.Sleep if nil). Tests inject both.
	NotifyBackoff time.Duration
	Sleep         func(time.Duration)
}

// codeDuplicate is Paybox's answer to a PBX_CMD already paid.
const codeDuplicate = "00015"

// hostedResult is the outcome of one hosted-page payment.
type hostedResult struct {
	code               string
	numTrans, numAppel int64
	token, expiry      string // expiry as YYMM
	cardType           string
}

// paidHosted reports whether PBX_CMD cmd was already paid on the hosted
// page (an approved payment not cancelled).
func (st *state) paidHosted(cmd string) bool {
	for _, t := range st.byRef[cmd] {
		if t.Type == TypeHosted && !t.Cancelled {
			return true
		}
	}
	return false
}

// serveHosted "pays" and answers the signed PBX_RETOUR query string as the
// body (text/plain); with Options.Hosted.Notify it also calls
// PBX_REPONDRE_A (see notify).
func (s *Sandbox) serveHosted(w http.ResponseWriter, r *http.Request) {
	q, status, err := s.pay(readRaw(r), "")
	if err != nil {
		http.Error(w, err.Error(), status)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(q))
}

// Pay does what the hosted page does for link (a URL from paybox.BuildLink,
// or its query string) paid with card (a PAN or a class name; "" means the
// link's SBX_CARD, or CardOK), and returns the signed notification query
// string Paybox would send to PBX_REPONDRE_A.
func (s *Sandbox) Pay(link, card string) (string, error) {
	raw := link
	if i := strings.IndexByte(link, '?'); i >= 0 {
		raw = link[i+1:]
	}
	q, _, err := s.pay(raw, card)
	return q, err
}

func (s *Sandbox) pay(raw, card string) (string, int, error) {
	f := parseForm(raw)
	if status, err := s.checkHosted(f); err != nil {
		return "", status, err
	}
	if card == "" {
		card = f.get(ParamCard)
	}
	if card == "" {
		card = CardOK
	}
	res := s.payHosted(f, card)
	q, err := s.retour(f, res)
	if err != nil {
		return "", http.StatusInternalServerError, err
	}
	s.notify(f.get("PBX_REPONDRE_A"), q)
	return q, http.StatusOK, nil
}

// checkHosted checks the account, the mandatory fields and PBX_HMAC
// (recomputed over the received order, SBX_ fields left out).
func (s *Sandbox) checkHosted(f form) (int, error) {
	for _, n := range []string{"PBX_SITE", "PBX_RANG", "PBX_IDENTIFIANT", "PBX_TOTAL", "PBX_DEVISE",
		"PBX_CMD", "PBX_PORTEUR", "PBX_RETOUR", "PBX_HMAC"} {
		if f.get(n) == "" {
			return http.StatusBadRequest, fmt.Errorf("PAYBOX : %s manquant (missing)", n)
		}
	}
	site, rang, ident := f.get("PBX_SITE"), f.get("PBX_RANG"), f.get("PBX_IDENTIFIANT")
	_, known := s.Account(site, rang, ident, nil)
	_, signed := s.Account(site, rang, ident, func(a Account) bool {
		return a.macs != nil && f.hmacOK(a.macs, "PBX_HMAC", "PBX_HASH", "SBX_")
	})
	limit := f.get("PBX_DATEVALMAX")
	switch {
	case !known:
		return http.StatusForbidden, errors.New("PAYBOX : problème d'identification du commerce (unknown site/rang/identifiant)")
	case !signed:
		return http.StatusForbidden, errors.New("PAYBOX : problème d'identification du commerce (PBX_HMAC does not verify)")
	case limit != "" && !validYYMM(limit):
		return http.StatusBadRequest, errors.New("PAYBOX : paramètre invalide (PBX_DATEVALMAX is not YYMM)")
	case !pan.Digits(f.get("PBX_TOTAL"), 3, 10) || !knownCurrency[f.get("PBX_DEVISE")] || len(f.get("PBX_CMD")) > 250:
		return http.StatusBadRequest, errors.New("PAYBOX : paramètre invalide (PBX_TOTAL, PBX_DEVISE or PBX_CMD)")
	case !strings.Contains(f.get("PBX_PORTEUR"), "@"):
		return http.StatusBadRequest, errors.New("PAYBOX : PBX_PORTEUR n'est pas une adresse e-mail")
	}
	return 0, nil
}

// payHosted decides the payment and records it, with the subscriber when
// PBX_REFABONNE is given (an existing one gets the new card: see
// docs/sandbox.md).
func (s *Sandbox) payHosted(f form, card string) hostedResult {
	if err := s.lock(); err != nil {
		return hostedResult{code: "00003"}
	}
	defer s.unlock()
	if t := f.get("PBX_ERRORCODETEST"); len(t) == 5 && t != "00000" {
		return hostedResult{code: t}
	}
	if !s.opt.Hosted.AllowDuplicate && s.st.paidHosted(f.get("PBX_CMD")) {
		return hostedResult{code: codeDuplicate}
	}
	cls, ok := classOf(card)
	if !ok {
		return hostedResult{code: "00004"}
	}
	dv := f.get(ParamDateVal)
	if dv == "" {
		dv = fmt.Sprintf("12%02d", (s.now().Year()+3)%100)
	}
	if code := s.checkDateVal(dv); code != "" {
		return hostedResult{code: code}
	}
	// PBX_DATEVALMAX (YYMM): a card that expires before that month is
	// refused with 00008 before any money is taken.
	expiry, _ := gateway.ParseMMYY(dv) // checked just above
	if limit, err := gateway.ParseYYMM(f.get("PBX_DATEVALMAX")); err == nil && expiry.Before(limit) {
		return hostedResult{code: "00008"}
	}
	refab := f.get("PBX_REFABONNE")
	e := entry{Op: "pay", Num: s.st.num + 1, Tx: s.newTx(TypeHosted, f.get("PBX_CMD"), totalOf(f), refab)}
	res := hostedResult{code: "00000", numTrans: e.Num, numAppel: e.Num + numAppelBase,
		expiry: expiry.YYMM(), cardType: cardType(cls)}
	if refab != "" {
		e.Sub = s.newSubscriber(refab, dv, cls)
		res.token = e.Sub.Token
	}
	if err := s.commit(e); err != nil {
		return hostedResult{code: "00003"}
	}
	return res
}

// retour builds the answer in the order of PBX_RETOUR and appends the
// signature under the name given to K.
func (s *Sandbox) retour(f form, res hostedResult) (string, error) {
	var parts []string
	sigName := ""
	for _, spec := range strings.Split(f.get("PBX_RETOUR"), ";") {
		name, letter, ok := strings.Cut(strings.TrimSpace(spec), ":")
		if !ok || name == "" {
			continue
		}
		if letter == "K" {
			sigName = name
			continue
		}
		if v, ok := s.retourValue(letter, f, res); ok {
			parts = append(parts, name+"="+v)
		}
	}
	data := strings.Join(parts, "&")
	if sigName == "" {
		return data, nil
	}
	sig, err := signRetour(s.signer, data)
	if err != nil {
		return "", err
	}
	return data + "&" + sigName + "=" + url.QueryEscape(sig), nil
}

// retourValue is the value of one PBX_RETOUR letter, encoded as Paybox
// does; ok is false for fields Paybox leaves out (A on refusal).
func (s *Sandbox) retourValue(letter string, f form, res hostedResult) (string, bool) {
	now := s.now()
	switch letter {
	case "M":
		return strconv.FormatInt(int64(totalOf(f)), 10), true
	case "R":
		return retourEscape(f.get("PBX_CMD")), true
	case "T":
		return fmt.Sprintf("%010d", res.numAppel), true
	case "S":
		return fmt.Sprintf("%010d", res.numTrans), true
	case "A":
		return "XXXXXX", res.code == "00000"
	case "E":
		return res.code, true
	case "C":
		return res.cardType, true
	case "D":
		return res.expiry, true
	case "U":
		if res.token == "" {
			return "", true
		}
		// The whole value is encoded, + included (%2B): a standard decoder
		// gives back token++YYMM++--- (docs/paybox.md §3.3, §3.6).
		return retourEscape(res.token + "++" + res.expiry + "++---"), true
	case "B":
		return "0", true
	case "F", "O":
		return "Y", true
	case "G":
		return "O", true
	case "I", "Y":
		return "FRA", true
	case "P":
		return "CARTE", true
	case "Q":
		return now.Format("15:04:05"), true
	case "W":
		return now.Format("02012006"), true
	case "v":
		return "2", true
	}
	return "", true
}

// totalOf reads PBX_TOTAL (validated by checkHosted).
func totalOf(f form) money.Cents { return money.Cents(atoi(f.get("PBX_TOTAL"))) }

// retourEscape percent-encodes like Paybox: spaces as %20, letters, digits
// and -_.~@/: left as they are.
func retourEscape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~@/:", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// validYYMM reports whether PBX_DATEVALMAX can be read.
func validYYMM(s string) bool {
	_, err := gateway.ParseYYMM(s)
	return err == nil
}
