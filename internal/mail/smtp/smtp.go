// Package smtp is the transport of inpctl's e-mail notices: a real SMTP
// client (github.com/wneessen/go-mail, which only this package imports)
// with a STARTTLS policy, AUTH and timeouts, that sends mail.Messages one
// at a time and sorts the server's refusals into temporary (4xx, a
// connection lost: tried again later) and permanent (5xx: failed).
package smtp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/mail"
	gomail "github.com/wneessen/go-mail"
)

// TLS policies (config mail.tls).
const (
	StartTLS      = "starttls"      // STARTTLS required: a server without it is refused
	Opportunistic = "opportunistic" // STARTTLS when offered, else in clear
	ImplicitTLS   = "tls"           // TLS from the first byte (SMTPS, port 465)
	NoTLS         = "none"          // never encrypted (a relay on the same host)
)

// Config is how to reach the server.
type Config struct {
	Host     string
	Port     int
	TLS      string
	Username string
	Password string // "" for no AUTH
	// ConnectTimeout bounds the connection and greeting; Timeout each
	// command after it (a whole DATA included).
	ConnectTimeout, Timeout time.Duration
	// TLSConfig, when set, replaces the default (tests use it to trust
	// their own certificate).
	TLSConfig *tls.Config
}

// Transport is a mail.Transport over SMTP.
type Transport struct{ cfg Config }

// New returns the transport for cfg.
func New(cfg Config) *Transport { return &Transport{cfg: cfg} }

// Open connects, says EHLO, starts TLS as the policy says and
// authenticates. Any failure is ErrUnreachable's business: nothing was
// sent.
func (t *Transport) Open(ctx context.Context) (mail.Conn, error) {
	c := t.cfg
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(orDefault(c.Timeout, 30*time.Second))}
	switch c.TLS {
	case StartTLS, "":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case Opportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fault.New(fault.Usage, "mail.tls %q is not a TLS policy (starttls, opportunistic, tls or none)", c.TLS)
	}
	if c.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(c.TLSConfig))
	}
	if c.Username != "" {
		// Over TLS, the strongest mechanism the server offers; without TLS
		// only PLAIN, which go-mail allows to a server on this host alone:
		// a password never crosses a network in clear.
		auth := gomail.SMTPAuthAutoDiscover
		if c.TLS == NoTLS {
			auth = gomail.SMTPAuthPlain
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	cl, err := gomail.NewClient(c.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp %s:%d: %w", c.Host, c.Port, err)
	}
	dctx, cancel := context.WithTimeout(ctx, orDefault(c.ConnectTimeout, 10*time.Second))
	defer cancel()
	if err := cl.DialWithContext(dctx); err != nil {
		return nil, fmt.Errorf("smtp %s:%d: %w", c.Host, c.Port, err)
	}
	return &conn{cl: cl}, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

type conn struct{ cl *gomail.Client }

func (c *conn) Close() error { return c.cl.Close() }

// Send sends one message and returns the server's answer to its DATA.
func (c *conn) Send(ctx context.Context, m *mail.Message) (string, error) {
	msg, err := build(m)
	if err != nil {
		return "", &mail.SendError{Answer: err.Error()}
	}
	err = c.cl.Send(msg)
	if msg.IsDelivered() {
		// The server took it; a failure after (the RSET) does not undo that.
		return strings.TrimSpace(msg.ServerResponse()), nil
	}
	return "", classify(err)
}

// classify sorts a refusal: 4xx and a lost connection are temporary, a
// 5xx is permanent, with the server's own words as the answer.
func classify(err error) error {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return &mail.SendError{Temporary: true, ConnLost: true, Answer: err.Error()}
	}
	// go-mail adds the recipients and message ID to the server's words.
	answer, _, _ := strings.Cut(se.Error(), ", affected ")
	code := se.ErrorCode()
	switch {
	case code >= 500:
		return &mail.SendError{Answer: answer}
	case code >= 400:
		return &mail.SendError{Temporary: true, Answer: answer}
	case se.Reason == gomail.ErrConnCheck || se.Reason == gomail.ErrWriteContent || se.Reason == gomail.ErrSMTPDataClose:
		return &mail.SendError{Temporary: true, ConnLost: true, Answer: answer}
	case se.Reason == gomail.ErrGetRcpts || se.Reason == gomail.ErrGetSender:
		return &mail.SendError{Answer: answer} // an address go-mail refuses: permanent
	}
	return &mail.SendError{Temporary: se.IsTemp() || code == 0, Answer: answer}
}

// build turns a mail.Message into a go-mail message: text and HTML
// alternatives, the attachments, the stable Message-ID.
func build(m *mail.Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(m.From); err != nil {
		return nil, fmt.Errorf("sender %q: %w", m.From, err)
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return nil, fmt.Errorf("recipient %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDateWithValue(m.Date)
	msg.SetGenHeader(gomail.HeaderXMailer, "inpctl")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/pdf"
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return nil, fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	return msg, nil
}
