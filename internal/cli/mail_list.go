package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/mail"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

type mailListOpts struct {
	env             *Env
	pending, failed bool
	student         string
}

func newMailListCmd(env *Env) *cobra.Command {
	o := &mailListOpts{env: env}
	cmd := &cobra.Command{
		Use:     "list [--pending|--failed] [--student ID]",
		Short:   "List the notices of the outbox",
		Long:    "List the e-mail notices, oldest first, with their status and the server's last answer." + exitDoc("0   listed (an empty list is not an error)", "2   --pending and --failed together"),
		Example: "  inpctl mail list --failed\n  inpctl mail list --student 22104567 -o json",
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if o.pending && o.failed {
				return fault.New(fault.Usage, "give --pending or --failed, not both")
			}
			f := store.NoticeFilter{StudentID: o.student}
			if o.pending {
				f.Status = "pending"
			}
			if o.failed {
				f.Status = "failed"
			}
			db, err := env.Store(c.Context())
			if err != nil {
				return err
			}
			rows, err := db.ListNotices(c.Context(), f)
			if err != nil {
				return err
			}
			return Print(env.Printer(), rows, noticeCols, "no notices match")
		},
	}
	cmd.Flags().BoolVar(&o.pending, "pending", false, "only the notices not sent yet")
	cmd.Flags().BoolVar(&o.failed, "failed", false, "only the notices that failed")
	cmd.Flags().StringVar(&o.student, "student", "", "only this student's notices")
	return cmd
}

var noticeCols = []Col[store.Notice]{
	{Head: "N°", Cell: func(n store.Notice) string { return strconv.FormatInt(n.ID, 10) }},
	{Head: "Créée", Cell: func(n store.Notice) string { return frDate(n.CreatedAt[:min(10, len(n.CreatedAt))]) }},
	{Head: "N° étudiant", Cell: func(n store.Notice) string { return n.StudentID }},
	{Head: "Type", Cell: func(n store.Notice) string { return n.Kind }},
	{Head: "Statut", Cell: func(n store.Notice) string { return n.Status }},
	{Head: "Essais", Cell: func(n store.Notice) string { return strconv.Itoa(n.Attempts) }},
	{Head: "Destinataire", Cell: func(n store.Notice) string { return n.Recipient }},
	{Head: "Réponse", Cell: func(n store.Notice) string { return n.LastError }},
}

func noticeID(arg string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id < 1 {
		return 0, fault.New(fault.Usage, "%q is not a notice number", arg).WithHint("see them with: inpctl mail list")
	}
	return id, nil
}

func newMailShowCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "show N",
		Short:   "Show one notice: its headers, text and the server's answer",
		Long:    "Show a notice as the student reads it (headers and text; attachments by name) with its status and the server's last answer." + exitDoc("0   shown", "4   no such notice"),
		Example: "  inpctl mail show 12\n  inpctl mail show 12 -o json",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := noticeID(args[0])
			if err != nil {
				return err
			}
			ctx := c.Context()
			r, _, err := env.mailRunner(ctx, false)
			if err != nil {
				return err
			}
			n, err := r.DB.Notice(ctx, id)
			if err != nil {
				return err
			}
			m, err := buildNotice(ctx, r, n)
			if err != nil {
				return err
			}
			return printNotice(env, n, m, false)
		},
	}
}

// buildNotice renders a notice without its documents (their names only).
func buildNotice(ctx context.Context, r *mail.Runner, n store.Notice) (*mail.Message, error) {
	d, err := mail.DecodeData(n.Data)
	if err != nil {
		return nil, err
	}
	if d.NeedsLink && n.Link == "" {
		n.Link = "(lien de paiement personnel, créé à l'envoi du message)"
	}
	return r.Build(ctx, n, d, false)
}

type noticeView struct {
	store.Notice
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
	HTML    string   `json:"html"`
	Docs    []string `json:"attachments"`
}

func printNotice(env *Env, n store.Notice, m *mail.Message, preview bool) error {
	d, _ := mail.DecodeData(n.Data)
	docs := []string{}
	for _, doc := range d.Docs {
		docs = append(docs, doc.Kind+" "+doc.Number)
	}
	v := noticeView{Notice: n, Subject: m.Subject, Text: m.Text, HTML: m.HTML, Docs: docs}
	return PrintObject(env.Printer(), v, func(w io.Writer) error {
		var extra []string
		if !preview {
			extra = append(extra, fmt.Sprintf("Statut: %s (%d essai(s))", n.Status, n.Attempts))
		}
		if n.LastError != "" && !preview {
			extra = append(extra, "Réponse du serveur: "+n.LastError)
		}
		if n.SentAt != "" {
			extra = append(extra, "Envoyée: "+n.SentAt)
		}
		if len(docs) > 0 {
			extra = append(extra, "Pièces jointes: "+strings.Join(docs, ", "))
		}
		return writeMessage(w, m, extra...)
	})
}

func newMailRetryCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "retry N",
		Short:   "Queue a failed notice again",
		Long:    "Put a failed (or skipped) notice back in the queue, due now, for the next mail send. A sent notice is never sent twice." + exitDoc("0   queued again", "4   no such notice", "5   the notice was already sent"),
		Example: "  inpctl mail retry 12",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := noticeID(args[0])
			if err != nil {
				return err
			}
			db, err := env.Store(c.Context())
			if err != nil {
				return err
			}
			n, err := db.RequeueNotice(c.Context(), id)
			if err != nil {
				return err
			}
			env.Infof("✓ notice %d (%s to %s) queued again", n.ID, n.Kind, n.StudentID)
			return Print(env.Printer(), []store.Notice{n}, noticeCols, "")
		},
	}
}

type mailPreviewOpts struct {
	env  *Env
	html string
}

func newMailPreviewCmd(env *Env) *cobra.Command {
	o := &mailPreviewOpts{env: env}
	cmd := &cobra.Command{
		Use:   "preview KIND STUDENT_ID [--html FILE]",
		Short: "Render a notice for a student without sending it",
		Long: `Render the notice of KIND that the student's latest event of that kind
gives (the plan approved, the last payment…), as it would be sent, and print
it; --html also writes its HTML version to FILE. Nothing is written to the
database and nothing is sent. Kinds: plan_approved, plan_rejected,
debit_upcoming, debit_failed, order_blocked, payment_received, credit_note,
refund, exemption.` + exitDoc("0   rendered", "2   an unknown kind or a template that does not parse", "4   no such student, or no event of that kind"),
		Example: "  inpctl mail preview plan_approved 22104567\n  inpctl mail preview payment_received 22104567 --html recu.html",
		Args:    cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			kind, err := mail.ParseKind(args[0])
			if err != nil {
				return err
			}
			return runMailPreview(c.Context(), o, kind, args[1])
		},
	}
	cmd.Flags().StringVar(&o.html, "html", "", "write the HTML version to this file")
	return cmd
}

func runMailPreview(ctx context.Context, o *mailPreviewOpts, kind mail.Kind, studentID string) error {
	r, svc, err := o.env.mailRunner(ctx, false)
	if err != nil {
		return err
	}
	n, err := svc.NoticeFor(ctx, kind, studentID)
	if err != nil {
		return err
	}
	m, err := buildNotice(ctx, r, n)
	if err != nil {
		return err
	}
	if o.html != "" {
		if err := os.WriteFile(o.html, []byte(m.HTML), 0o644); err != nil {
			return fault.Wrap(fault.Failure, err, "write %s", o.html)
		}
		o.env.Infof("✓ HTML written to %s", o.html)
	}
	return printNotice(o.env, n, m, true)
}
