package cli

import (
	"bytes"
	"strings"
	"testing"
	"unicode"

	"github.com/spf13/cobra"
)

// TestCommandTree walks every command: each has a Short that starts with a
// capital letter and has no final period, an Example and an Args
// validator; runnable commands document their EXIT STATUS.
func TestCommandTree(t *testing.T) {
	env := &Env{IO: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}, Getenv: func(string) string { return "" }}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := c.CommandPath()
		if c.Name() == "help" || c.Name() == "completion" || c.Name() == "exit-codes" || strings.HasPrefix(path, "inpctl completion") {
			return
		}
		if c.Short == "" || !unicode.IsUpper([]rune(c.Short)[0]) || strings.HasSuffix(c.Short, ".") {
			t.Errorf("%s: Short %q must start with a capital letter and have no final period", path, c.Short)
		}
		if c.HasParent() && c.Example == "" {
			t.Errorf("%s: no Example", path)
		}
		if c.HasParent() && c.Args == nil {
			t.Errorf("%s: no Args validator", path)
		}
		if c.RunE != nil && c.HasParent() && c.Name() != "version" && !strings.Contains(c.Long, "EXIT STATUS") {
			t.Errorf("%s: Long has no EXIT STATUS section", path)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(env))
}

func TestCSVSafe(t *testing.T) {
	cases := map[string]string{
		"=SUM(A1)": "'=SUM(A1)", "+33 6": "'+33 6", "@cmd": "'@cmd", "\tx": "'\tx", "\rx": "'\rx",
		"-3941.00": "-3941.00", "-x": "'-x", "Durand": "Durand", "": "",
	}
	for in, want := range cases {
		if got := CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactArgs(t *testing.T) {
	got := redactArgs("inpctl pay ipn", []string{"pay", "ipn", "Mt=100&Ref=X&Sign=abc", "--hmac-key", "SECRET", "--token=TOK"})
	s := strings.Join(got, " ")
	if strings.Contains(s, "SECRET") || strings.Contains(s, "TOK") || strings.Contains(s, "Sign=abc") {
		t.Fatalf("secrets left in audit args: %v", got)
	}
}

// TestMaskCardNumbers: the audit log's arguments keep the last four digits
// of a card number (package pan finds them).
func TestMaskCardNumbers(t *testing.T) {
	cases := map[string]string{
		"--card":                              "--card",
		"4012001037141112":                    "****1112",
		"--ref=VIR 22104567 1111222233334444": "--ref=VIR 22104567 ****4444",
		"--card=1111 2222 3333 4444":          "--card=****4444",
		"22104567":                            "22104567",         // a student number
		"1111222233335555":                    "1111222233335555", // fails Luhn: not a card number
	}
	for in, want := range cases {
		got := strings.Join(redactArgs("inpctl payment record", []string{in}), " ")
		if got != want {
			t.Errorf("redactArgs(%q) = %q, want %q", in, got, want)
		}
	}
}
