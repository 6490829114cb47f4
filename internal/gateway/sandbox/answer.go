package sandbox

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/inpctl/inpctl/internal/pan"
)

// encodeReply writes the answer as Paybox does: fields in its order,
// 10-digit numbers, values raw (spaces, accents and the token's padding as
// they are) except the bytes that would change how the answer splits or
// decodes (answerEscape), Latin-1. SITE and RANG are the request's (an
// empty request gets them empty): the answer echoes, it does not tell.
func (s *Sandbox) encodeReply(f form, r reply) []byte {
	auth := ""
	if r.code == "00000" && !r.noAuth {
		auth = "XXXXXX"
	}
	if r.text == "" {
		r.text = commentaire(r.code)
	}
	var b strings.Builder
	b.Grow(256)
	for _, p := range []struct {
		name string
		n    int64
		w    int
	}{{"NUMTRANS=", r.numTrans, 10}, {"&NUMAPPEL=", r.numAppel, 10}, {"&NUMQUESTION=", numQuestion(f), 10}} {
		b.WriteString(p.name)
		writePadded(&b, p.n, p.w)
	}
	b.WriteString("&SITE=")
	answerEscape(&b, f.get("SITE"))
	b.WriteString("&RANG=")
	if rang := f.get("RANG"); pan.Digits(rang, 1, 3) {
		writePadded(&b, atoi(rang), 2)
	} else {
		answerEscape(&b, rang)
	}
	for _, p := range [...][2]string{{"&AUTORISATION=", auth}, {"&CODEREPONSE=", r.code}, {"&COMMENTAIRE=", r.text},
		{"&REFABONNE=", r.refAbonne}, {"&PORTEUR=", r.porteur}} {
		b.WriteString(p[0])
		answerEscape(&b, p[1])
	}
	if f.has("PAYS") {
		b.WriteString("&PAYS=FRA")
	}
	if f.has("TYPECARTE") {
		b.WriteString("&TYPECARTE=")
		answerEscape(&b, r.typeCarte)
	}
	for _, p := range r.extra {
		b.WriteString("&" + p.name + "=")
		answerEscape(&b, p.value)
	}
	return latin1(b.String())
}

// answerEscape writes v as Paybox writes Direct answer values: raw, but
// with %XX for '%', '&', '=', '+' and control characters, so that a value
// such as REFABONNE=A&B=C stays one field and a standard decoder gives it
// back. Other bytes, spaces and accented letters included, are written as
// they are (docs/paybox.md §2.1, samples §2.8).
func answerEscape(b *strings.Builder, v string) {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '%' || c == '&' || c == '=' || c == '+' || c < 0x20 || c == 0x7F:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		default:
			b.WriteByte(c)
		}
	}
}

// writePadded writes fmt's %0*d of n and w, without fmt.
func writePadded(b *strings.Builder, n int64, w int) {
	if n < 0 {
		fmt.Fprintf(b, "%0*d", w, n)
		return
	}
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], n, 10)
	for range w - len(d) {
		b.WriteByte('0')
	}
	b.Write(d)
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
