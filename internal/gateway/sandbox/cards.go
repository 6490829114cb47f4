package sandbox

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/pan"
)

// Test cards. CardOK and CardInvalid are Paybox's own preprod cards
// (docs/paybox.md §4.2); the others are sandbox cards, fictitious and
// Luhn-valid, all starting 1111 2222 3333 0. Every card approves at
// registration (00056) and on the hosted page; they differ on later
// TYPE 00053 charges, as docs/sandbox.md tells.
const (
	CardOK          = "1111222233334444" // always approves
	CardInvalid     = "1111222233335555" // fails the Luhn check: 00004
	CardSoftOnce    = "1111222233330103" // 00151 on the first attempt of each amount and month, then 00000
	CardSoftAlways  = "1111222233330202" // always 00151 (insufficient funds)
	CardLost        = "1111222233330301" // 00141 (lost card), hard
	CardExpired     = "1111222233330400" // 00154 (card expired), hard
	CardLoseAnswer  = "1111222233330509" // approves, but the first answer per REFERENCE is lost
	CardSlow        = "1111222233330608" // approves, answers after Options.SlowDelay (2 s)
	CardECard       = "1111222233330707" // approves; hosted-page card type E_CARD
	expiredDateVal  = "0101"             // any card with this DATEVAL: 00008
	defaultTypeCard = "CB"
)

// class is a card's behaviour: all the sandbox keeps of a card.
type class string

const (
	classOK         class = "ok"
	classSoftOnce   class = "soft-once"
	classSoftAlways class = "soft-always"
	classLost       class = "lost"
	classExpired    class = "expired"
	classLoseAnswer class = "lose-answer"
	classSlow       class = "slow"
	classECard      class = "ecard"
)

var cardClasses = map[string]class{
	CardSoftOnce: classSoftOnce, CardSoftAlways: classSoftAlways, CardLost: classLost,
	CardExpired: classExpired, CardLoseAnswer: classLoseAnswer, CardSlow: classSlow, CardECard: classECard,
}

// classOf returns the behaviour of a card given as a PAN (spaces allowed)
// or by class name ("soft-once"). ok is false for a PAN failing the Luhn
// check or an unknown name. Any other Luhn-valid PAN behaves like CardOK.
func classOf(card string) (c class, ok bool) {
	card = strings.ReplaceAll(strings.TrimSpace(card), " ", "")
	switch class(strings.ToLower(card)) {
	case classOK, classSoftOnce, classSoftAlways, classLost, classExpired, classLoseAnswer, classSlow, classECard:
		return class(strings.ToLower(card)), true
	}
	if !pan.Digits(card, 12, 19) || !pan.Luhn(card) {
		return "", false
	}
	if c, found := cardClasses[card]; found {
		return c, true
	}
	return classOK, true
}

// tokenLetters are what tokens are made of: letters only, so that a token
// can never be mistaken for (or be) a card number.
const tokenLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newToken derives an 11-letter token, like Paybox's "SLDLrcsLMPC", from
// the subscriber and a counter; taken says whether a token is in use.
func newToken(site, refAbonne string, n int64, taken func(string) bool) string {
	for ; ; n++ {
		h := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%d", site, refAbonne, n)))
		var b [11]byte
		for i := range b {
			v := binary.BigEndian.Uint16(h[2*i:])
			b[i] = tokenLetters[int(v)%len(tokenLetters)]
		}
		if t := string(b[:]); !taken(t) {
			return t
		}
	}
}

// padToken right-pads a token with spaces to 19 characters, as Paybox
// returns it in PORTEUR.
func padToken(t string) string {
	if len(t) >= 19 {
		return t
	}
	return t + strings.Repeat(" ", 19-len(t))
}
