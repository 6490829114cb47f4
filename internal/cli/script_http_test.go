package cli

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// Testscript commands for inpctl serve (issue 18):
//
//	freeport NAME
//	    Sets $NAME to a TCP port free on 127.0.0.1 now.
//	httpget [-status N] [-post] URL [FILE]
//	    Sends FILE's content (trimmed) as the query string (GET) or the body
//	    (POST) to URL, retrying for up to 5 s while nothing listens yet;
//	    checks the status (default 200) and prints the body.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport NAME")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := l.Addr().(*net.TCPAddr).Port
	ts.Check(l.Close())
	ts.Setenv(args[0], fmt.Sprint(port))
}

func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("httpget does not support !: use -status")
	}
	fs := flag.NewFlagSet("httpget", flag.ContinueOnError)
	status := fs.Int("status", 200, "the status expected")
	post := fs.Bool("post", false, "send FILE as a form body")
	ts.Check(fs.Parse(args))
	if fs.NArg() < 1 || fs.NArg() > 2 {
		ts.Fatalf("usage: httpget [-status N] [-post] URL [FILE]")
	}
	u, payload := fs.Arg(0), ""
	if fs.NArg() == 2 {
		payload = strings.TrimSpace(ts.ReadFile(fs.Arg(1)))
	}
	var res *http.Response
	deadline := time.Now().Add(5 * time.Second)
	for {
		var err error
		if *post {
			res, err = http.Post(u, "application/x-www-form-urlencoded", strings.NewReader(payload))
		} else {
			q := u
			if payload != "" {
				q += "?" + payload
			}
			res, err = http.Get(q)
		}
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			ts.Fatalf("httpget %s: %v", u, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	ts.Check(err)
	if res.StatusCode != *status {
		ts.Fatalf("httpget %s: status %d, want %d; body %q", u, res.StatusCode, *status, b)
	}
	fmt.Fprint(ts.Stdout(), string(b))
}
