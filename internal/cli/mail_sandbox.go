package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/mail/smtptest"
	"github.com/spf13/cobra"
)

type mailSandboxOpts struct {
	env         *Env
	listen, dir string
}

// newMailSandboxCmd is the SMTP counterpart of gateway sandbox: a real SMTP
// server on loopback that keeps what it receives in a folder, for make demo
// and for trying a mail config without sending anything to anyone.
func newMailSandboxCmd(env *Env) *cobra.Command {
	o := &mailSandboxOpts{env: env}
	cmd := &cobra.Command{
		Use:   "sandbox --listen 127.0.0.1:PORT --dir DIR",
		Short: "Run a local SMTP server that keeps the messages in a folder",
		Long: `Run a real SMTP server (no TLS, no AUTH) on a loopback address only, until
interrupted, and write every message it accepts to DIR: NNNN.eml (the message
as sent) and NNNN.txt (its recipient, subject, text and attachment names, as a
clerk would read it). Nothing leaves the machine. Point mail send at it with
mail.host: 127.0.0.1, mail.port: PORT, mail.tls: none (or INPCTL_MAIL_HOST,
INPCTL_MAIL_PORT, INPCTL_MAIL_TLS).` + exitDoc("0   stopped by SIGINT/SIGTERM", "2   not a loopback address, or no --dir"),
		Example: "  inpctl mail sandbox --listen 127.0.0.1:2525 --dir mails",
		Args:    noArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return runMailSandbox(c.Context(), o) },
	}
	cmd.Flags().StringVar(&o.listen, "listen", "", "loopback HOST:PORT to listen on (required)")
	cmd.Flags().StringVar(&o.dir, "dir", "", "folder the messages are written to (required)")
	return cmd
}

func runMailSandbox(ctx context.Context, o *mailSandboxOpts) error {
	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return fault.New(fault.Usage, "--listen %q is not HOST:PORT (e.g. 127.0.0.1:2525)", o.listen)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fault.New(fault.Usage, "--listen %s: the mail sandbox only listens on a loopback address", o.listen).
			WithHint("use 127.0.0.1:PORT or [::1]:PORT")
	}
	if o.dir == "" {
		return fault.New(fault.Usage, "--dir is required: the folder the messages are written to")
	}
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return fault.Wrap(fault.Usage, err, "--dir %s", o.dir)
	}
	var mu sync.Mutex
	n := 0
	save := func(m smtptest.Received) {
		mu.Lock()
		n++
		base := filepath.Join(o.dir, fmt.Sprintf("%04d", n))
		mu.Unlock()
		if err := os.WriteFile(base+".eml", m.Data, 0o600); err != nil {
			o.env.Infof("mail sandbox: %v", err)
			return
		}
		p, err := m.Parse()
		if err != nil {
			o.env.Infof("mail sandbox: %s.eml: %v", base, err)
			return
		}
		names := make([]string, 0, len(p.Attachments))
		for name := range p.Attachments {
			names = append(names, name)
		}
		sort.Strings(names)
		text := fmt.Sprintf("To: %s\nSubject: %s\nAttachments: %s\n\n%s", strings.Join(m.To, ", "), p.Subject, strings.Join(names, ", "),
			strings.ReplaceAll(p.Text, "\r\n", "\n"))
		if err := os.WriteFile(base+".txt", []byte(text), 0o600); err != nil {
			o.env.Infof("mail sandbox: %v", err)
		}
	}
	srv, err := smtptest.Start(smtptest.Options{Addr: o.listen, OnMessage: save})
	if err != nil {
		return fault.Wrap(fault.Usage, err, "listen on %s", o.listen)
	}
	defer srv.Close()
	fmt.Fprintln(o.env.IO.Out, srv.Addr())
	o.env.Infof("mail sandbox listening on %s, messages in %s (Ctrl-C to stop)", srv.Addr(), o.dir)
	<-ctx.Done()
	return nil
}
