package smtp

import (
	"context"
	"flag"
	"fmt"
	"mime"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/mail"
	"github.com/inpctl/inpctl/internal/mail/smtptest"
	gomail "github.com/wneessen/go-mail"
)

// The raw side of make bench's mail row (scripts/bench.d/30-mail.sh):
//
//	go test ./internal/mail/smtp -run TestRawSendLoop -bench.mail.dir D -bench.mail.addr 127.0.0.1:PORT
var (
	benchMailDir  = flag.String("bench.mail.dir", "", "folder of .eml messages (what mail send delivered) for TestRawSendLoop")
	benchMailAddr = flag.String("bench.mail.addr", "", "SMTP server (host:port, no TLS) TestRawSendLoop sends to")
)

// TestRawSendLoop is the floor mail send is measured against: the messages
// inpctl delivered (read back from the .eml files an `inpctl mail sandbox`
// wrote), sent again to the same server by a plain loop of go-mail sends
// over one connection, with no outbox, template, PDF or commit. Each
// message is made into a go-mail Msg with build, the few go-mail calls the
// transport makes; reading and parsing the files is not timed. It prints
// "raw-mail N messages S seconds". Skipped without -bench.mail.dir.
func TestRawSendLoop(t *testing.T) {
	if *benchMailDir == "" {
		t.Skip("the raw side of the mail benchmark: give -bench.mail.dir and -bench.mail.addr")
	}
	files, err := filepath.Glob(filepath.Join(*benchMailDir, "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .eml in %s (%v)", *benchMailDir, err)
	}
	sort.Strings(files)
	host, port, err := net.SplitHostPort(*benchMailAddr)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := gomail.NewClient(host, gomail.WithPort(p), gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var spent time.Duration
	t0 := time.Now()
	if err := cl.DialWithContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	spent += time.Since(t0)
	for _, f := range files {
		m := readMessage(t, f)
		t0 := time.Now()
		msg, err := build(m)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := cl.Send(msg); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		spent += time.Since(t0)
	}
	t0 = time.Now()
	if err := cl.Close(); err != nil {
		t.Fatal(err)
	}
	spent += time.Since(t0)
	fmt.Printf("raw-mail %d messages %.3f seconds\n", len(files), spent.Seconds())
}

// readMessage reads back a delivered message as the mail.Message it was.
func readMessage(t *testing.T, file string) *mail.Message {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := smtptest.Received{Data: b}.Parse()
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	dec := new(mime.WordDecoder)
	from, err := dec.DecodeHeader(p.Header.Get("From"))
	if err != nil {
		t.Fatal(err)
	}
	to, err := p.Header.AddressList("To")
	if err != nil || len(to) != 1 {
		t.Fatalf("%s: To: %v %v", file, to, err)
	}
	date, _ := p.Header.Date()
	id := p.Header.Get("Message-Id")
	m := &mail.Message{From: from, To: to[0].Address, ToName: to[0].Name, Subject: p.Subject, Text: p.Text, HTML: p.HTML,
		MessageID: id[1 : len(id)-1], Date: date}
	names := make([]string, 0, len(p.Attachments))
	for name := range p.Attachments {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		m.Attachments = append(m.Attachments, mail.Attachment{Name: name, ContentType: "application/pdf", Data: p.Attachments[name]})
	}
	return m
}
