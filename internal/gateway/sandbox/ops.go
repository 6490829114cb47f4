package sandbox

import (
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/pan"
)

// Direct TYPEs the sandbox serves.
const (
	typeAuth     = "00001"
	typeAuthCapt = "00003"
	typeLookup   = "00011"
	typeRefund   = "00014"
	typeCharge   = "00053"
	typeRegister = "00056"
	typeDelete   = "00058"
)

// numAppelBase sets NUMAPPEL apart from NUMTRANS (both 10 digits).
const numAppelBase = 1_000_000_000

// direct validates, authenticates, applies faults and performs one Direct
// request, under the lock.
func (s *Sandbox) direct(f form) (reply, effect) {
	if code := s.checkFrame(f); code != "" {
		return reply{code: code}, effect{}
	}
	if err := s.lock(); err != nil {
		return reply{code: "00003", text: "PAYBOX : erreur interne (journal)"}, effect{}
	}
	defer s.unlock()
	nq, typ := numQuestion(f), f.get("TYPE")
	e := entry{Op: "q", Day: s.now().Format("2006-01-02"), NQ: nq, Acct: acctKey(f.get("SITE"), f.get("RANG"))}
	if s.st.seen[dayNQ{e.Acct, e.Day, nq}] {
		return reply{code: "00005", text: "PAYBOX : Numéro de question déjà utilisé"}, effect{}
	}
	var eff effect
	if t := f.get("ERRORCODETEST"); len(t) == 5 && t != "00000" {
		return s.commitReply(e, reply{code: t}), eff
	}
	if typ == typeCharge || typ == typeRefund {
		roll := s.rng.Float64()
		if roll < s.opt.FailRate {
			return s.commitReply(e, reply{code: [...]string{"00001", "00097"}[s.rng.IntN(2)]}), eff
		}
		eff.drop = roll < s.opt.FailRate+s.opt.DropRate
	}
	var rep reply
	var opEff effect
	switch typ {
	case typeCharge:
		rep, e, opEff = s.charge(f, e)
	case typeRefund:
		rep, e = s.refund(f, e)
	case typeLookup:
		rep = s.lookup(f)
	case typeRegister:
		rep, e = s.register(f, e)
	case typeDelete:
		rep, e = s.unregister(f, e)
	case typeAuth, typeAuthCapt:
		rep, e = s.payCard(f, e)
	case typeCapture:
		rep, e = s.capture(f, e)
	case typeCancel:
		rep, e = s.cancel(f, e)
	case typeConsult:
		rep = s.consult(f)
	case typeUpdate:
		rep, e = s.update(f, e)
	default:
		rep = reply{code: "00009"}
	}
	if err := s.commit(e); err != nil {
		return reply{code: "00003", text: "PAYBOX : erreur interne (journal)"}, effect{}
	}
	return rep, effect{drop: eff.drop || opEff.drop, slow: opEff.slow}
}

// commitReply records e (the question number is used) and returns rep, or
// 00003 if the journal cannot be written.
func (s *Sandbox) commitReply(e entry, rep reply) reply {
	if err := s.commit(e); err != nil {
		return reply{code: "00003"}
	}
	return rep
}

// charge is TYPE 00053: debit a registered card according to its class.
func (s *Sandbox) charge(f form, e entry) (reply, entry, effect) {
	amt, code := s.amount(f, 1)
	ref, refab := f.get("REFERENCE"), f.get("REFABONNE")
	sub := s.st.subs[refab]
	switch {
	case code != "":
	case !textOK(ref):
		code = "00012"
	case !textOK(refab):
		code = "00014"
	case sub == nil:
		code = "00017"
	case strings.TrimRight(f.get("PORTEUR"), " ") != sub.Token:
		code = "00004"
	default:
		code = s.checkDateVal(f.get("DATEVAL"))
	}
	if code != "" {
		return reply{code: code, refAbonne: refab}, e, effect{}
	}
	rep := reply{refAbonne: refab, porteur: padToken(sub.Token), typeCarte: cardType(sub.Class)}
	switch sub.Class {
	case classSoftAlways:
		rep.code = "00151"
	case classLost:
		rep.code = "00141"
	case classExpired:
		rep.code = "00154"
	case classSoftOnce:
		if key := fmt.Sprintf("%s|%d|%s", refab, amt, s.now().Format("2006-01")); !s.st.soft[key] {
			e.Op, e.Key, rep.code = "soft", key, "00151"
		}
	}
	if rep.code != "" {
		return rep, e, effect{}
	}
	e.Op, e.Tx = "charge", s.newTx(TypeCharge, ref, amt, refab)
	e.Num = s.st.num + 1
	eff := effect{slow: sub.Class == classSlow}
	if sub.Class == classLoseAnswer && !s.st.dropped[ref] {
		e.Dropped, eff.drop = true, true
	}
	return approved(rep, e.Num), e, eff
}

// refund is TYPE 00014: refund at most what remains of a transaction.
func (s *Sandbox) refund(f form, e entry) (reply, entry) {
	amt, code := s.amount(f, 1)
	tx := s.st.byTrans[pad10(f.get("NUMTRANS"))]
	switch {
	case code != "":
	case !pan.Digits(f.get("NUMTRANS"), 1, 10) || !pan.Digits(f.get("NUMAPPEL"), 1, 10):
		code = "00014"
	case tx == nil || tx.NumAppel != pad10(f.get("NUMAPPEL")):
		code = "00018"
	case tx.Cancelled:
		code = "00015" // voided: nothing to refund
	case amt > tx.Amount-tx.Refunded:
		code = "00011"
	}
	if code != "" {
		return reply{code: code}, e
	}
	e.Op, e.Key, e.Amount, e.Num = "refund", tx.NumTrans, amt, s.st.num+1
	// The refund is a transaction of its own, found by its REFERENCE
	// (TYPE 00011), as a charge is: see refunds.go.
	e.Tx = s.newTx(TypeRefund, f.get("REFERENCE"), amt, "")
	return approved(reply{}, e.Num), e
}

// lookup is TYPE 00011: an approved payment with this REFERENCE and amount.
func (s *Sandbox) lookup(f form) reply {
	amt, code := s.amount(f, 1)
	ref := f.get("REFERENCE")
	if code == "" && !textOK(ref) {
		code = "00012"
	}
	if code != "" {
		return reply{code: code}
	}
	for _, tx := range s.st.byRef[ref] {
		if tx.Amount == amt && !tx.Cancelled {
			return reply{code: "00000", numTrans: atoi(tx.NumTrans), numAppel: atoi(tx.NumAppel), refAbonne: tx.RefAbonne}
		}
	}
	return reply{code: gateway.CodeNotFound}
}

// register is TYPE 00056: create a subscriber and return its token.
func (s *Sandbox) register(f form, e entry) (reply, entry) {
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
	case s.st.subs[refab] != nil:
		code = "00016"
	}
	if code != "" {
		return reply{code: code, refAbonne: refab}, e
	}
	e.Op, e.Num, e.Sub = "sub", s.st.num+1, s.newSubscriber(refab, f.get("DATEVAL"), cls)
	return approved(reply{refAbonne: refab, porteur: padToken(e.Sub.Token), typeCarte: cardType(cls)}, e.Num), e
}

// unregister is TYPE 00058: delete a subscriber.
func (s *Sandbox) unregister(f form, e entry) (reply, entry) {
	refab := f.get("REFABONNE")
	if s.st.subs[refab] == nil {
		return reply{code: "00017", refAbonne: refab}, e
	}
	e.Op, e.Key = "unsub", refab
	return reply{code: "00000", refAbonne: refab, noAuth: true}, e
}

// payCard is TYPE 00001 (authorization, kept for a capture 00002 or a
// cancel 00005) and 00003 (authorization and capture) on a card number:
// every valid card approves.
func (s *Sandbox) payCard(f form, e entry) (reply, entry) {
	amt, code := s.amount(f, 1)
	ref, porteur := f.get("REFERENCE"), f.get("PORTEUR")
	cls, ok := classOf(porteur)
	switch {
	case code != "":
	case !textOK(ref):
		code = "00012"
	case !pan.Digits(porteur, 12, 19) || !ok || !cvvOK(f):
		code = "00004"
	default:
		code = s.checkDateVal(f.get("DATEVAL"))
	}
	if code != "" {
		return reply{code: code}, e
	}
	e.Num, e.Op, e.Tx = s.st.num+1, "auth", s.newTx(TypeAuth, ref, amt, "")
	if f.get("TYPE") == typeAuthCapt {
		e.Op, e.Tx = "charge", s.newTx(TypeDirect, ref, amt, "")
	}
	return approved(reply{typeCarte: cardType(cls)}, e.Num), e
}

// cvvOK: CVV, when sent, is 3 or 4 digits (00004 otherwise).
func cvvOK(f form) bool { return !f.has("CVV") || pan.Digits(f.get("CVV"), 3, 4) }

// amount reads MONTANT (at least min cents), or returns 00011.
func (s *Sandbox) amount(f form, min int64) (money.Cents, string) {
	v := f.get("MONTANT")
	n := atoi(v)
	if !pan.Digits(v, 1, 10) || n < min {
		return 0, "00011"
	}
	return money.Cents(n), ""
}

// checkDateVal returns 00008 unless v is a MMYY expiry not in the past.
func (s *Sandbox) checkDateVal(v string) string {
	e, err := gateway.ParseMMYY(v)
	now := s.now()
	if err != nil || !pan.Digits(v, 4, 4) || v == expiredDateVal || e.Before(gateway.CardExpiry{Year: now.Year(), Month: now.Month()}) {
		return "00008"
	}
	return ""
}

func (s *Sandbox) newTx(typ, ref string, amt money.Cents, refab string) *Transaction {
	n := s.st.num + 1
	return &Transaction{Type: typ, Reference: ref, Amount: amt, RefAbonne: refab,
		NumTrans: padded(n, 10), NumAppel: padded(n+numAppelBase, 10), Time: s.now()}
}

func (s *Sandbox) newSubscriber(refab, dateval string, cls class) *subscriber {
	tok := newToken(s.opt.Site, refab, s.st.subSeq, func(t string) bool { return s.st.tokens[t] })
	return &subscriber{RefAbonne: refab, Token: tok, DateVal: dateval, Class: cls}
}

func approved(r reply, n int64) reply {
	r.code, r.numTrans, r.numAppel = "00000", n, n+numAppelBase
	return r
}

func cardType(c class) string {
	if c == classECard {
		return "E_CARD"
	}
	return defaultTypeCard
}

func textOK(s string) bool { return s != "" && len(s) <= 250 }

func pad10(s string) string { return padded(atoi(s), 10) }

// padded is fmt.Sprintf("%0*d", w, n).
func padded(n int64, w int) string {
	var b strings.Builder
	b.Grow(w)
	writePadded(&b, n, w)
	return b.String()
}

// commentaire is the COMMENTAIRE Paybox would send with code.
func commentaire(code string) string {
	switch code {
	case "00000":
		return "Demande traitée avec succès"
	case "00004":
		return "PAYBOX : Numéro de porteur invalide"
	case "00006":
		return "Non autorise"
	case "00017":
		return "PAYBOX : Abonné inexistant"
	case "00018":
		return "PAYBOX : Transaction non trouvée"
	}
	return "PAYBOX : " + gateway.Describe(code)
}
