package sandbox

import (
	"time"

	"github.com/inpctl/inpctl/internal/pan"
)

// Direct TYPEs of a transaction's life after it was made, and the card
// update of a subscriber (docs/paybox.md §2.4).
const (
	typeCapture = "00002"
	typeCancel  = "00005"
	typeConsult = "00017"
	typeUpdate  = "00057"
)

// STATUS values of a consultation (TYPE 00017), as Paybox writes them
// (docs/paybox.md §2.5).
const (
	statusAuthorized = "Autorisé"
	statusCaptured   = "Capturé"
	statusRefunded   = "Remboursé"
	statusCancelled  = "Annulé"
)

// transaction finds a transaction by NUMTRANS: a payment, an
// authorization or a refund; nil if there is none.
func (st *state) transaction(numTrans string) *Transaction {
	if tx := st.byTrans[numTrans]; tx != nil {
		return tx
	}
	if tx := st.auths[numTrans]; tx != nil {
		return tx
	}
	for _, tx := range st.refunds {
		if tx.NumTrans == numTrans {
			return tx
		}
	}
	return nil
}

// named finds the transaction that NUMTRANS and NUMAPPEL name: 00014 when
// they are not numbers, 00018 when no transaction has both.
func (s *Sandbox) named(f form) (*Transaction, string) {
	if !pan.Digits(f.get("NUMTRANS"), 1, 10) || !pan.Digits(f.get("NUMAPPEL"), 1, 10) {
		return nil, "00014"
	}
	tx := s.st.transaction(pad10(f.get("NUMTRANS")))
	if tx == nil || tx.NumAppel != pad10(f.get("NUMAPPEL")) {
		return nil, "00018"
	}
	return tx, ""
}

// settled says whether tx is in a settlement batch ("remise"): the
// sandbox settles each day's transactions at the end of that day (Europe/
// Paris, sandbox clock). Authorizations and cancelled transactions are
// never settled.
func (s *Sandbox) settled(tx *Transaction) bool {
	if tx.Type == TypeAuth || tx.Cancelled {
		return false
	}
	return tx.Time.In(s.loc).Format("2006-01-02") < s.now().Format("2006-01-02")
}

// capture is TYPE 00002: capture (part of) an authorization made with
// TYPE 00001, once. The capture is a payment of its own (a new NUMTRANS),
// found by a lookup under its REFERENCE, or the authorization's when the
// capture has none.
func (s *Sandbox) capture(f form, e entry) (reply, entry) {
	amt, code := s.amount(f, 1)
	ref := f.get("REFERENCE")
	var auth *Transaction
	switch {
	case code != "":
	case f.has("REFERENCE") && !textOK(ref):
		code = "00012"
	default:
		if auth, code = s.named(f); code == "" && auth.Type != TypeAuth {
			code = "00018" // not an authorization
		}
	}
	switch {
	case code != "":
	case auth.Cancelled || s.st.capture[auth.NumTrans] != "":
		code = "00015" // already cancelled or captured
	case amt > auth.Amount:
		code = "00011"
	}
	if code != "" {
		return reply{code: code}, e
	}
	if ref == "" {
		ref = auth.Reference
	}
	e.Op, e.Key, e.Num, e.Tx = "capture", auth.NumTrans, s.st.num+1, s.newTx(TypeCapture, ref, amt, "")
	return approved(reply{}, e.Num), e
}

// cancel is TYPE 00005: void a transaction before it is settled, for its
// whole amount: a payment (00002, 00003, 00053, hosted page) not refunded,
// or an authorization not captured (cancel its capture instead).
func (s *Sandbox) cancel(f form, e entry) (reply, entry) {
	amt, code := s.amount(f, 1)
	var tx *Transaction
	switch {
	case code != "":
	case f.has("REFERENCE") && !textOK(f.get("REFERENCE")):
		code = "00012"
	default:
		tx, code = s.named(f)
	}
	switch {
	case code != "":
	case tx.RefundOf != "" || tx.Cancelled || tx.Refunded > 0 || s.settled(tx) || s.st.capture[tx.NumTrans] != "":
		code = "00015" // a refund, or no longer cancellable
	case amt != tx.Amount:
		code = "00011"
	}
	if code != "" {
		return reply{code: code}, e
	}
	e.Op, e.Key = "cancel", tx.NumTrans
	return reply{code: "00000", numTrans: atoi(tx.NumTrans), numAppel: atoi(tx.NumAppel), refAbonne: tx.RefAbonne, noAuth: true}, e
}

// consult is TYPE 00017: the status of the transaction NUMTRANS names
// (NUMAPPEL, if sent, must match): STATUS, and REMISE once settled.
func (s *Sandbox) consult(f form) reply {
	if !pan.Digits(f.get("NUMTRANS"), 1, 10) || f.has("NUMAPPEL") && !pan.Digits(f.get("NUMAPPEL"), 1, 10) {
		return reply{code: "00014"}
	}
	tx := s.st.transaction(pad10(f.get("NUMTRANS")))
	if tx == nil || f.has("NUMAPPEL") && tx.NumAppel != pad10(f.get("NUMAPPEL")) {
		return reply{code: "00018"}
	}
	status := statusCaptured
	switch {
	case tx.Cancelled:
		status = statusCancelled
	case tx.Type == TypeAuth && s.st.capture[tx.NumTrans] == "":
		status = statusAuthorized
	case tx.RefundOf != "" || tx.Refunded > 0 && tx.Refunded == tx.Amount:
		status = statusRefunded
	}
	remise := ""
	if s.settled(tx) {
		remise = remiseOf(tx.Time.In(s.loc))
	}
	return reply{code: "00000", numTrans: atoi(tx.NumTrans), numAppel: atoi(tx.NumAppel), refAbonne: tx.RefAbonne, noAuth: true,
		extra: []kv{{"STATUS", status}, {"REMISE", remise}}}
}

// remiseOf numbers the settlement batch of a day: YYYYMMDD.
func remiseOf(t time.Time) string { return t.Format("20060102") }

// update is TYPE 00057: give subscriber REFABONNE a new card, with the
// checks of a registration (00056). The subscriber gets a new token and
// the old one stops working, as on the hosted page.
func (s *Sandbox) update(f form, e entry) (reply, entry) {
	_, code := s.amount(f, 0)
	refab, porteur := f.get("REFABONNE"), f.get("PORTEUR")
	cls, ok := classOf(porteur)
	switch {
	case code != "":
	case !textOK(refab):
		code = "00014"
	case !pan.Digits(porteur, 12, 19) || !ok || !cvvOK(f):
		code = "00004"
	case s.checkDateVal(f.get("DATEVAL")) != "":
		code = "00008"
	case s.st.subs[refab] == nil:
		code = "00017"
	}
	if code != "" {
		return reply{code: code, refAbonne: refab}, e
	}
	e.Op, e.Num, e.Sub = "resub", s.st.num+1, s.newSubscriber(refab, f.get("DATEVAL"), cls)
	return approved(reply{refAbonne: refab, porteur: padToken(e.Sub.Token), typeCarte: cardType(cls)}, e.Num), e
}
