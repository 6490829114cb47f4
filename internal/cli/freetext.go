package cli

import (
	"fmt"
	"unicode/utf8"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/pan"
	"github.com/inpctl/inpctl/internal/siret"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// cardNumberFlag is the annotation of the one flag meant for a card
// number: pay simulate's --card, a test card for the sandbox (masked in
// the audit log like any other argument).
const cardNumberFlag = "inpctl/card-number"

// maxFlagText is the longest text a flag or argument may be (free text:
// references, reasons, decisions); file paths may be longer.
const maxFlagText = 500

// pathFlags name files or addresses, not text a person reads: they are
// checked for control characters only.
var pathFlags = map[string]bool{"config": true, "db": true, "out": true, "dir": true, "from": true, "listen": true}

// rawArgCommands take arguments that are not free text: a file path, or
// pay ipn's notification, which is only ever recorded hashed.
var rawArgCommands = map[string]bool{"inpctl pay ipn": true, "inpctl student import": true, "inpctl db backup": true}

// checkFreeText refuses, before anything is read or written, a card number
// (package pan), a control character or an over-long text in any string
// flag or argument of the command: free text goes into the books and the
// append-only audit log, where a card number could never be removed. The
// message names the flag and shows the number masked.
func checkFreeText(cmd *cobra.Command, args []string) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		switch f.Value.Type() {
		case "string", "stringSlice", "stringArray":
		default:
			return
		}
		vals := []string{f.Value.String()}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			vals = sv.GetSlice()
		}
		for _, v := range vals {
			// A SIRET passes the Luhn check like a card number: in the
			// flag meant for it (dossier set-payer --siret), a valid SIRET
			// is not one; the field tells them apart, never the digits.
			isSIRET := f.Name == "siret" && siret.Valid(v)
			if err = checkText("--"+f.Name, v, pathFlags[f.Name], f.Annotations[cardNumberFlag] != nil || isSIRET); err != nil {
				return
			}
		}
	})
	if err != nil || rawArgCommands[cmd.CommandPath()] {
		return err
	}
	for i, a := range args {
		if err := checkText(fmt.Sprintf("argument %d", i+1), a, false, false); err != nil {
			return err
		}
	}
	return nil
}

// checkText checks one value of field.
func checkText(field, v string, path, cardOK bool) error {
	if r, ok := firstControl(v); ok {
		return fault.New(fault.Usage, "%s holds a control character (%U)", field, r).
			WithHint("type the text again without it")
	}
	if !path && utf8.RuneCountInString(v) > maxFlagText {
		return fault.New(fault.Usage, "%s is %d characters long: at most %d", field, utf8.RuneCountInString(v), maxFlagText)
	}
	if cardOK || path {
		return nil
	}
	if ms := pan.Find(v); len(ms) > 0 {
		return fault.New(fault.Usage, "%s holds a card number (%s): nothing was written", field, ms[0].Masked()).
			WithHint("remove the card number: inpctl never records one (cards are registered on Paybox's payment page)")
	}
	return nil
}

// firstControl returns the first C0 or C1 control character of s (tab
// included), or DEL.
func firstControl(s string) (rune, bool) {
	for _, r := range s {
		if isControl(r) {
			return r, true
		}
	}
	return 0, false
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }
