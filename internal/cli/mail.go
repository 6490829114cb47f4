package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/invoice"
	"github.com/inpctl/inpctl/internal/mail"
	"github.com/inpctl/inpctl/internal/mail/smtp"
	"github.com/spf13/cobra"
)

func newMailCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "mail",
		Short:   "Send and follow the e-mail notices to students",
		Example: "  inpctl mail send\n  inpctl mail list --failed\n  inpctl mail preview plan_approved 22104567",
		Args:    noArgs,
	}
	cmd.AddCommand(newMailSendCmd(env), newMailListCmd(env), newMailShowCmd(env), newMailRetryCmd(env), newMailPreviewCmd(env), newMailSandboxCmd(env))
	return cmd
}

type mailSendOpts struct {
	env    *Env
	limit  int
	dryRun bool
}

func newMailSendCmd(env *Env) *cobra.Command {
	o := &mailSendOpts{env: env}
	cmd := &cobra.Command{
		Use:   "send [--limit N] [--dry-run]",
		Short: "Send the pending notices over SMTP",
		Long: `Send the notices that are due (written by the billing commands with their
events) to the configured SMTP server, one connection, one message at a time.
First it queues the debit_upcoming notices of the debits due within
mail.debit_upcoming_days. Run it from cron after charge --due, and every few
minutes. Only one run at a time: a second one exits 11 at once.

Each message has a Message-ID derived from its notice, so a crash between
the server's acceptance and the commit can only give a duplicate with the
same Message-ID. A 4xx answer or a connection lost is tried again later
(back-off); a 5xx answer marks the notice failed with the server's answer;
a student without a usable address is failed at once.` + exitDoc(
			"0   every due notice was sent (or none was due)", "2   no SMTP server configured (mail.host)",
			"3   some notices failed or wait for a retry", "6   the SMTP server could not be reached: all left pending",
			"11  another mail send holds the lock"),
		Example: "  inpctl mail send\n  inpctl mail send --dry-run -o json\n  inpctl mail send --limit 500",
		Args:    noArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return runMailSend(c.Context(), o) },
	}
	cmd.Flags().IntVar(&o.limit, "limit", 0, "send at most N notices (0: all that are due)")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "show what would be sent; write nothing, connect to nothing")
	return cmd
}

var mailItemCols = []Col[mail.Item]{
	{Head: "N°", Cell: func(i mail.Item) string { return strconv.FormatInt(i.ID, 10) }},
	{Head: "N° étudiant", Cell: func(i mail.Item) string { return i.StudentID }},
	{Head: "Type", Cell: func(i mail.Item) string { return i.Kind }},
	{Head: "Destinataire", Cell: func(i mail.Item) string { return i.Recipient }},
	{Head: "Résultat", Cell: func(i mail.Item) string { return i.Outcome }},
	{Head: "Réponse", Cell: func(i mail.Item) string { return i.Answer }},
}

func runMailSend(ctx context.Context, o *mailSendOpts) error {
	if o.limit < 0 {
		return fault.New(fault.Usage, "--limit %d must be 0 or more", o.limit)
	}
	cfg, err := o.env.Config()
	if err != nil {
		return err
	}
	if cfg.Mail.Host == "" && !o.dryRun {
		return fault.New(fault.Usage, "no SMTP server is configured (mail.host)").
			WithHint("set mail.host (or INPCTL_MAIL_HOST); mail preview works without one")
	}
	r, svc, err := o.env.mailRunner(ctx, !o.dryRun)
	if err != nil {
		return err
	}
	if !o.dryRun {
		release, err := o.env.lockRun(ctx, svc.DB, "mail")
		if err != nil {
			return err
		}
		defer release()
		today, err := o.env.Today()
		if err != nil {
			return err
		}
		if cfg.Mail.Notices.DebitUpcoming {
			if _, err := svc.QueueUpcomingDebits(ctx, today, cfg.Mail.DebitUpcomingDays); err != nil {
				return err
			}
		}
	}
	r.Limit, r.DryRun = o.limit, o.dryRun
	defer invoice.Batch{}.TuneGC()() // each attached PDF is mostly short-lived garbage
	items, sum, runErr := r.Run(ctx)
	if err := printMailSend(o.env, items, sum); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	if n := sum.Failed + sum.Retry; n > 0 && !sum.DryRun {
		return fault.New(fault.Partial, "%d of %d notices were not sent", n, sum.Due).WithHint("see them with: inpctl mail list --failed (or --pending)")
	}
	return nil
}

func printMailSend(env *Env, items []mail.Item, sum mail.Summary) error {
	p := env.Printer()
	if p.Format == "json" {
		return writeJSON(p.Out, map[string]any{"items": items, "summary": sum})
	}
	if err := Print(p, items, mailItemCols, "no notice is due"); err != nil {
		return err
	}
	tail := ""
	if sum.DryRun {
		tail = " (dry run: nothing was written or sent)"
	}
	env.Infof("%d due: %d sent, %d to retry, %d failed, %d skipped%s", sum.Due, sum.Sent, sum.Retry, sum.Failed, sum.Skipped, tail)
	return nil
}

// mailRunner builds the send loop from the config: templates, signature,
// the payment links and documents of billing, and, when sending, the SMTP
// transport with its password.
func (e *Env) mailRunner(ctx context.Context, sending bool) (*mail.Runner, *billing.Service, error) {
	cfg, err := e.Config()
	if err != nil {
		return nil, nil, err
	}
	svc, err := e.Service(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	tpl, err := mail.LoadTemplates(cfg.Mail.Templates)
	if err != nil {
		return nil, nil, err
	}
	clk, err := e.Clock()
	if err != nil {
		return nil, nil, err
	}
	m := cfg.Mail
	r := &mail.Runner{DB: svc.DB, Templates: tpl, Options: mail.Options{From: m.From, School: mail.School{Signature: m.Signature, Contact: m.Contact},
		Enabled: func(k mail.Kind) bool { return m.Notices.On(string(k)) }, Now: clk.Now, MaxAttempts: m.MaxAttempts}}
	r.Hooks.Attach = func(ctx context.Context, d mail.Doc) (mail.Attachment, error) { return e.mailDocument(ctx, svc, d) }
	r.Hooks.Link = func(ctx context.Context, studentID string) (string, error) {
		kit, err := e.gateway(ctx)
		if err != nil {
			return "", err
		}
		pl, err := svc.MakePayLink(ctx, studentID, kit.link, clk.Now())
		return pl.URL, err
	}
	if sending {
		password, err := cfg.MailPassword()
		if err != nil {
			return nil, nil, err
		}
		r.Transport = smtp.New(smtp.Config{Host: m.Host, Port: m.Port, TLS: m.TLS, Username: m.Username, Password: password,
			ConnectTimeout: m.ConnectTimeout, Timeout: m.Timeout})
	}
	return r, svc, nil
}

// mailDocument renders an attached document: the same bytes as invoice
// render N --as-of D, or account statement ID --as-of D.
func (e *Env) mailDocument(ctx context.Context, svc *billing.Service, d mail.Doc) (mail.Attachment, error) {
	var doc invoice.Document
	var model invoice.Model
	asOf, _ := clock.ParseDate(d.AsOf)
	name := ""
	switch d.Kind {
	case mail.DocInvoice:
		var err error
		if doc, err = svc.InvoiceDocument(ctx, d.Number, asOf); err != nil {
			return mail.Attachment{}, err
		}
		model, name = invoice.Build(doc), doc.FileName()
	case mail.DocCreditNote:
		var err error
		if doc, err = svc.CreditNoteDocument(ctx, d.Number); err != nil {
			return mail.Attachment{}, err
		}
		model, name = invoice.Build(doc), doc.FileName()
	case mail.DocStatement:
		cfg, err := e.Config()
		if err != nil {
			return mail.Attachment{}, err
		}
		acct, rows, err := loadAccount(ctx, e, d.Number, asOf)
		if err != nil {
			return mail.Attachment{}, err
		}
		st := acctStatement(acct, rows, asOf)
		st.Issuer = invoice.Party{Name: cfg.Issuer.Name, Address: cfg.Issuer.Address, SIRET: cfg.Issuer.SIRET}
		model, name = invoice.BuildStatement(st), fmt.Sprintf("position-%s-%s.pdf", d.Number, asOf)
	default:
		return mail.Attachment{}, fmt.Errorf("unknown document kind %q", d.Kind)
	}
	var buf bytes.Buffer
	if err := invoice.Render(&buf, model); err != nil {
		return mail.Attachment{}, err
	}
	return mail.Attachment{Name: name, ContentType: "application/pdf", Data: buf.Bytes()}, nil
}

// writeMessage prints a message as a clerk reads it: headers, then the text.
func writeMessage(w io.Writer, m *mail.Message, extra ...string) error {
	fmt.Fprintf(w, "From: %s\nTo: %s <%s>\nSubject: %s\nMessage-ID: <%s>\n", m.From, m.ToName, m.To, m.Subject, m.MessageID)
	for _, x := range extra {
		fmt.Fprintln(w, x)
	}
	_, err := fmt.Fprintf(w, "\n%s", m.Text)
	return err
}
