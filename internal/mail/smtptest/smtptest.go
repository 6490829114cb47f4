// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp,
// which only this package imports) on loopback for tests, as httptest does
// for HTTP: it keeps what it receives and answers what a test tells it to
// (451 then 250, 550 for an address, a required AUTH). Tests import it, and
// `inpctl mail sandbox` (make demo's mail server, on loopback only).
package smtptest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted.
type Received struct {
	From string
	To   []string
	Data []byte
}

// Options say how the server answers.
type Options struct {
	// DataAnswers are the codes answered to successive DATA commands
	// (451, 550…); once used up, every message is accepted (250).
	DataAnswers []int
	// RejectRcpt answers 550 to RCPT TO for these addresses.
	RejectRcpt []string
	// Username and Password, when set, require AUTH PLAIN with them.
	Username, Password string
	// Addr is where to listen (default 127.0.0.1 on a free port).
	Addr string
	// OnMessage, when set, is called with each accepted message (outside
	// the server's lock).
	OnMessage func(Received)
}

// Server is a running SMTP server.
type Server struct {
	Host string
	Port int

	srv  *smtp.Server
	l    net.Listener
	mu   sync.Mutex
	opts Options
	got  []Received
	// Tries counts the DATA commands, accepted or not.
	tries int
}

// Start starts a server on 127.0.0.1 on a free port.
func Start(opts Options) (*Server, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, l: l}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "smtp.test"
	s.srv.AllowInsecureAuth = true
	bound := l.Addr().(*net.TCPAddr)
	s.Host, s.Port = bound.IP.String(), bound.Port
	go s.srv.Serve(l)
	return s, nil
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Close stops the server.
func (s *Server) Close() error {
	// Serve may not have taken the listener yet: close it ourselves. A
	// second Close (a test's and a cleanup's) is no error.
	s.l.Close()
	s.srv.Close()
	return nil
}

// Messages returns what the server accepted, in order.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.got...)
}

// Tries is how many DATA commands the server saw.
func (s *Server) Tries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tries
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.opts.Username || pass != ss.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	for _, r := range ss.s.opts.RejectRcpt {
		if strings.EqualFold(r, to) {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + to + ">: Recipient address rejected: User unknown"}
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	s.tries++
	if len(s.opts.DataAnswers) > 0 {
		code := s.opts.DataAnswers[0]
		s.opts.DataAnswers = s.opts.DataAnswers[1:]
		if code >= 400 {
			s.mu.Unlock()
			return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: fmt.Sprintf("test server answers %d", code)}
		}
	}
	m := Received{From: ss.from, To: append([]string(nil), ss.to...), Data: b}
	s.got = append(s.got, m)
	on := s.opts.OnMessage
	s.mu.Unlock()
	if on != nil {
		on(m)
	}
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// Parsed is a received message taken apart.
type Parsed struct {
	Header      netmail.Header
	Subject     string
	Text, HTML  string
	Attachments map[string][]byte
}

// Parse reads a received message: its headers (the subject decoded), its
// text and HTML parts and its attachments by file name.
func (r Received) Parse() (Parsed, error) {
	m, err := netmail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return Parsed{}, err
	}
	p := Parsed{Header: m.Header, Attachments: map[string][]byte{}}
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		return p, err
	}
	return p, p.walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), "", m.Body)
}

func (p *Parsed) walk(ctype, cte, disp string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := p.walk(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part.Header.Get("Content-Disposition"), part); err != nil {
				return err
			}
		}
	}
	b, err := decode(cte, body)
	if err != nil {
		return err
	}
	if _, dp, err := mime.ParseMediaType(disp); err == nil && dp["filename"] != "" {
		p.Attachments[dp["filename"]] = b
		return nil
	}
	switch mt {
	case "text/plain":
		p.Text = string(b)
	case "text/html":
		p.HTML = string(b)
	}
	return nil
}
