package cli

import (
	"os"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdUTF16 writes SRC as UTF-16LE with a BOM, as Excel's "Texte Unicode"
// saves a sheet: utf16 SRC DST.
func cmdUTF16(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: utf16 SRC DST")
	}
	src := ts.ReadFile(args[0])
	out := []byte{0xff, 0xfe}
	for _, r := range src {
		if r > 0xffff {
			ts.Fatalf("utf16: %q is outside the BMP", r)
		}
		out = append(out, byte(r), byte(r>>8))
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), out, 0o600))
}
