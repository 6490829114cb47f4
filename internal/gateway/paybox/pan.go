package paybox

import "github.com/inpctl/inpctl/internal/pan"

// panMask replaces anything that looks like a card number in text we hand
// to the caller: inpctl must never store a PAN, even one echoed by mistake.
const panMask = "[card number removed]"

// redactPAN masks every run of digits (with single spaces or dashes between
// groups) that holds a card number, as package pan finds them: the whole
// run, so that no digit of the number is kept.
func redactPAN(s string) string { return pan.Redact(s, panMask) }
