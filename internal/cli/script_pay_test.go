package cli

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdSbxPay gives scripts the raw, signed Paybox notifications that
// "pay ipn" takes, by doing what a student does on the sandbox's hosted
// page:
//
//	sbxpay pay [-errorcode CODE] [-state FILE] [-allow-duplicate] LINK [CARD]
//	    LINK is a "pay link" URL, or a file holding one (cp stdout link.txt).
//	    Pays it on a sandbox whose journal is FILE (default inpctl.db.sandbox,
//	    the built-in sandbox's) and clock INPCTL_NOW, with CARD (default the
//	    Paybox test card), and prints the notification query string.
//	    -errorcode adds PBX_ERRORCODETEST=CODE to the link and signs it again
//	    with the sandbox test key, so the page answers CODE without acting.
//	    -allow-duplicate pays a PBX_CMD already paid again (two tabs) instead
//	    of answering Paybox's 00015.
//	sbxpay tamper FILE [FIELD]
//	    Prints the notification in FILE with one byte changed: the last
//	    character of FIELD's value (default Mt), the signature left as is.
func cmdSbxPay(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("sbxpay does not support !")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: sbxpay pay|tamper ...")
	}
	switch args[0] {
	case "pay":
		sbxPay(ts, args[1:])
	case "tamper":
		sbxTamper(ts, args[1:])
	default:
		ts.Fatalf("sbxpay: unknown verb %q", args[0])
	}
}

func sbxPay(ts *testscript.TestScript, args []string) {
	fs := flag.NewFlagSet("sbxpay pay", flag.ContinueOnError)
	code := fs.String("errorcode", "", "PBX_ERRORCODETEST to add")
	state := fs.String("state", "inpctl.db.sandbox", "sandbox journal")
	dup := fs.Bool("allow-duplicate", false, "pay a PBX_CMD already paid again")
	ts.Check(fs.Parse(args))
	if fs.NArg() < 1 || fs.NArg() > 2 {
		ts.Fatalf("usage: sbxpay pay [-errorcode CODE] [-state FILE] [-allow-duplicate] LINK [CARD]")
	}
	link := fs.Arg(0)
	if !strings.Contains(link, "://") && !strings.Contains(link, "PBX_") {
		link = strings.TrimSpace(ts.ReadFile(link))
	}
	if *code != "" {
		link = withErrorCode(ts, link, *code)
	}
	now := time.Now
	if v := ts.Getenv("INPCTL_NOW"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		ts.Check(err)
		now = func() time.Time { return t }
	}
	sb, err := sandbox.New(sandbox.Options{StatePath: ts.MkAbs(*state), Now: now, Hosted: sandbox.HostedOptions{AllowDuplicate: *dup}})
	ts.Check(err)
	defer sb.Close()
	ipn, err := sb.Pay(link, fs.Arg(1))
	ts.Check(err)
	fmt.Fprintln(ts.Stdout(), ipn)
}

// withErrorCode inserts PBX_ERRORCODETEST before PBX_HMAC and signs the
// link again with the sandbox test key (HMAC-SHA512 over the raw values,
// in order, as docs/paybox.md §2.2 says).
func withErrorCode(ts *testscript.TestScript, link, code string) string {
	base, query, _ := strings.Cut(link, "?")
	var names, values []string
	for _, kv := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		name, err := url.QueryUnescape(k)
		ts.Check(err)
		value, err := url.QueryUnescape(v)
		ts.Check(err)
		if name == "PBX_HMAC" {
			continue
		}
		names, values = append(names, name), append(values, value)
	}
	names, values = append(names, "PBX_ERRORCODETEST"), append(values, code)
	signed := make([]string, len(names))
	encoded := make([]string, len(names))
	for i := range names {
		signed[i] = names[i] + "=" + values[i]
		encoded[i] = url.QueryEscape(names[i]) + "=" + url.QueryEscape(values[i])
	}
	key, err := hex.DecodeString(sandbox.TestKeyHex)
	ts.Check(err)
	m := hmac.New(sha512.New, key)
	m.Write([]byte(strings.Join(signed, "&")))
	encoded = append(encoded, "PBX_HMAC="+strings.ToUpper(hex.EncodeToString(m.Sum(nil))))
	return base + "?" + strings.Join(encoded, "&")
}

func sbxTamper(ts *testscript.TestScript, args []string) {
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: sbxpay tamper FILE [FIELD]")
	}
	field := "Mt"
	if len(args) == 2 {
		field = args[1]
	}
	q := []byte(strings.TrimSpace(ts.ReadFile(args[0])))
	start := -1
	for _, prefix := range []string{field + "=", "&" + field + "="} {
		if i := strings.Index(string(q), prefix); i >= 0 && (prefix[0] == '&' || i == 0) {
			start = i + len(prefix)
			break
		}
	}
	if start < 0 {
		ts.Fatalf("sbxpay tamper: no field %s in %s", field, args[0])
	}
	end := start
	for end < len(q) && q[end] != '&' {
		end++
	}
	if end == start {
		ts.Fatalf("sbxpay tamper: field %s is empty", field)
	}
	switch c := q[end-1]; {
	case c == '9':
		q[end-1] = '8'
	case c >= '0' && c < '9':
		q[end-1] = c + 1
	case c == 'Z' || c == 'z':
		q[end-1] = c - 1
	default:
		q[end-1] = c + 1
	}
	fmt.Fprintln(ts.Stdout(), string(q))
}
