package cli

import (
	"flag"
	"fmt"
	"mime"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/inpctl/inpctl/internal/mail/smtptest"
	"github.com/rogpeppe/go-internal/testscript"
)

var smtpServers = struct {
	sync.Mutex
	m map[*testscript.TestScript]*smtptest.Server
}{m: map[*testscript.TestScript]*smtptest.Server{}}

// cmdSMTPD runs a real SMTP server (go-smtp) on loopback for the script
// and points inpctl at it:
//
//	smtpd start [-answers 451,550] [-reject ADDR]   # INPCTL_MAIL_HOST/PORT/TLS set
//	smtpd stop                                       # the server goes down
//	smtpd count N                                    # it accepted N messages
//	smtpd show I                                     # message I: envelope, headers, text
//	smtpd text I                                     # message I's text part alone
//	smtpd html I                                     # message I's HTML part, as sent
//	smtpd attachment I NAME FILE                     # message I's attachment NAME to FILE
func cmdSMTPD(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: smtpd start|stop|count|show|text|html|attachment")
	}
	smtpServers.Lock()
	srv := smtpServers.m[ts]
	smtpServers.Unlock()
	if args[0] != "start" && srv == nil {
		ts.Fatalf("smtpd %s: no server started", args[0])
	}
	switch args[0] {
	case "start":
		fs := flag.NewFlagSet("smtpd", flag.ContinueOnError)
		answers := fs.String("answers", "", "")
		reject := fs.String("reject", "", "")
		ts.Check(fs.Parse(args[1:]))
		o := smtptest.Options{}
		for _, a := range strings.Split(*answers, ",") {
			if a != "" {
				n, err := strconv.Atoi(a)
				ts.Check(err)
				o.DataAnswers = append(o.DataAnswers, n)
			}
		}
		if *reject != "" {
			o.RejectRcpt = []string{*reject}
		}
		s, err := smtptest.Start(o)
		ts.Check(err)
		ts.Defer(func() { s.Close() })
		smtpServers.Lock()
		smtpServers.m[ts] = s
		smtpServers.Unlock()
		ts.Setenv("INPCTL_MAIL_HOST", s.Host)
		ts.Setenv("INPCTL_MAIL_PORT", strconv.Itoa(s.Port))
		ts.Setenv("INPCTL_MAIL_TLS", "none")
	case "stop":
		ts.Check(srv.Close())
	case "count":
		want, err := strconv.Atoi(args[1])
		ts.Check(err)
		if got := len(srv.Messages()); got != want {
			ts.Fatalf("the server accepted %d messages, want %d", got, want)
		}
	case "show", "text", "html", "attachment":
		smtpdMessage(ts, srv, args)
	default:
		ts.Fatalf("smtpd: unknown verb %q", args[0])
	}
}

// smtpdMessage prints or saves one received message (smtpd show, text,
// html, attachment).
func smtpdMessage(ts *testscript.TestScript, srv *smtptest.Server, args []string) {
	want := 2
	if args[0] == "attachment" {
		want = 4
	}
	if len(args) != want {
		ts.Fatalf("usage: smtpd show|text|html I, smtpd attachment I NAME FILE")
	}
	i, err := strconv.Atoi(args[1])
	ts.Check(err)
	msgs := srv.Messages()
	if i < 0 || i >= len(msgs) {
		ts.Fatalf("no message %d (the server has %d)", i, len(msgs))
	}
	p, err := msgs[i].Parse()
	ts.Check(err)
	// A payment link carries a fresh PBX_CMD and its signature: its query
	// is cut for the golden files. Lines end as SMTP sends them (CRLF);
	// they are printed with LF, so that ^…$ matches a line.
	text := linkQueryRe.ReplaceAllString(crlf.Replace(p.Text), "?…")
	switch args[0] {
	case "attachment":
		b, ok := p.Attachments[args[2]]
		if !ok {
			ts.Fatalf("message %d has no attachment %s (has %v)", i, args[2], keys(p.Attachments))
		}
		ts.Check(os.WriteFile(ts.MkAbs(args[3]), b, 0o644))
	case "html":
		if p.HTML == "" {
			ts.Fatalf("message %d has no HTML part", i)
		}
		fmt.Fprint(ts.Stdout(), linkQueryRe.ReplaceAllString(crlf.Replace(p.HTML), "?…"))
	case "text":
		fmt.Fprint(ts.Stdout(), text)
	default:
		to, err := new(mime.WordDecoder).DecodeHeader(p.Header.Get("To"))
		ts.Check(err)
		fmt.Fprintf(ts.Stdout(), "Envelope-To: %s\nTo: %s\nSubject: %s\nMessage-ID: %s\nAttachments: %s\n\n%s",
			strings.Join(msgs[i].To, ","), to, p.Subject, p.Header.Get("Message-Id"), strings.Join(keys(p.Attachments), ","), text)
	}
}

var (
	linkQueryRe = regexp.MustCompile(`\?PBX_SITE=[^\s"<]*`)
	crlf        = strings.NewReplacer("\r\n", "\n")
)

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
