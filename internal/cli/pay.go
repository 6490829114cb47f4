package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/spf13/cobra"
)

func newPayCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "pay",
		Short:   "Hosted-page payments: link, notification, sandbox simulation",
		Example: "  inpctl pay link 22104567\n  inpctl pay ipn - < notification.txt\n  inpctl pay simulate --all-pending --yes",
		Args:    noArgs,
	}
	cmd.AddCommand(newPayLinkCmd(env), newPayIPNCmd(env), newPaySimulateCmd(env))
	return cmd
}

type payLinkOpts struct {
	env           *Env
	student, year string
}

type fieldView struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func newPayLinkCmd(env *Env) *cobra.Command {
	o := &payLinkOpts{env: env}
	cmd := &cobra.Command{
		Use:   "link STUDENT_ID",
		Short: "Print the signed Paybox payment page request for a student",
		Long: `Print the signed Paybox System (hosted page) request for the student's next
amount: the whole order (1x), or the next instalment of an approved plan. The
request asks Paybox to register the card (Direct Plus subscriber) so later
instalments can be debited. Each call records a new PBX_CMD.` + exitDoc(
			"0   printed", "4   no such student", "5   nothing to pay, or the plan awaits approval"),
		Example: "  inpctl pay link 22104567\n  inpctl pay link 22104567 -o json",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.student = args[0]
			pl, err := o.link(c.Context())
			if err != nil {
				return err
			}
			fields := make([]fieldView, len(pl.Fields))
			for i, f := range pl.Fields {
				fields[i] = fieldView{f.Name, f.Value}
			}
			v := struct {
				billing.PayLink
				Fields []fieldView `json:"fields"`
			}{pl, fields}
			return PrintObject(o.env.Printer(), v, func(w io.Writer) error {
				_, err := fmt.Fprintln(w, pl.URL)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func (o *payLinkOpts) link(ctx context.Context) (billing.PayLink, error) {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return billing.PayLink{}, err
	}
	kit, err := o.env.gateway(ctx)
	if err != nil {
		return billing.PayLink{}, err
	}
	clk, _ := o.env.Clock()
	return svc.MakePayLink(ctx, o.student, kit.link, clk.Now())
}

type payIPNOpts struct {
	env        *Env
	query      string
	verifyOnly bool
}

func newPayIPNCmd(env *Env) *cobra.Command {
	o := &payIPNOpts{env: env}
	cmd := &cobra.Command{
		Use:   "ipn [QUERY|-]",
		Short: "Verify and apply a Paybox payment notification",
		Long: `Verify the RSA-SHA1 signature of a Paybox notification (the raw query string
Paybox sent to PBX_REPONDRE_A, as an argument or on stdin with "-") with the
configured Paybox public key(s), and apply it once: the payment is recorded,
the invoice issued, the plan activated and the card stored.

A notification is identified by its transaction (NUMTRANS, NUMAPPEL and the
authorisation), not by PBX_CMD: every signed, approved notification is money
Paybox took and is recorded once. A second payment on a link already paid
(two browser tabs, a second try) is recorded as a payment in excess, kept as
a credit of the student (outcome "excess", exit 0 with a warning on stderr;
it shows in account list --credit). A refused try leaves the link payable. A
replay of a notification already applied (Paybox sending it again) answers
what it did, exit 0, and writes nothing, so a web front can answer 200.
A bad signature or an unknown PBX_CMD is refused and changes nothing.
--verify-only checks the signature and prints the decoded fields.` + exitDoc(
			"0   applied, a replay (nothing written), or a payment in excess kept as a credit (warning)",
			"2   bad signature or unreadable notification", "4   unknown PBX_CMD",
			"5   a transaction already recorded under another PBX_CMD"),
		Example: "  inpctl pay ipn 'Mt=62800&Ref=…&Sign=…'\n  inpctl pay ipn - < notification.txt\n  inpctl pay ipn --verify-only -",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.query = "-"
			if len(args) == 1 {
				o.query = args[0]
			}
			return runPayIPN(c.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.verifyOnly, "verify-only", false, "check the signature and print the fields; apply nothing")
	return cmd
}

func runPayIPN(ctx context.Context, o *payIPNOpts) error {
	raw := o.query
	if raw == "-" {
		b, err := io.ReadAll(io.LimitReader(o.env.IO.In, 64<<10))
		if err != nil {
			return err
		}
		raw = strings.TrimSpace(string(b))
	}
	if raw == "" {
		return fault.New(fault.Usage, "no notification given (pass the query string, or - to read it on stdin)")
	}
	kit, err := o.env.gateway(ctx)
	if err != nil {
		return err
	}
	if o.verifyOnly {
		n, err := paybox.VerifyIPN(raw, kit.keys)
		if err != nil {
			return fault.Wrap(fault.Usage, err, "notification refused")
		}
		o.env.Infof("✓ signature verified")
		n.Token = "***" // the card token is not for display
		return PrintObject(o.env.Printer(), map[string]any{"pbx_cmd": n.Cmd, "amount_cents": n.Amount, "currency": "EUR", "code": n.Code,
			"numtrans": n.NumTrans, "numappel": n.NumAppel, "authorisation": n.Auth, "card_type": n.CardType, "expiry": n.Expiry.YYMM(), "ecard": n.ECard},
			func(w io.Writer) error {
				return writeKV(w, [][2]string{{"PBX_CMD", n.Cmd}, {"Montant", n.Amount.String()}, {"Code", n.Code}, {"NUMTRANS", n.NumTrans},
					{"NUMAPPEL", n.NumAppel}, {"Autorisation", n.Auth}, {"Carte", n.CardType}, {"Expiration", n.Expiry.YYMM()}})
			})
	}
	svc, err := o.env.Service(ctx, "")
	if err != nil {
		return err
	}
	res, err := svc.ApplyIPN(ctx, raw, kit.keys)
	if err != nil {
		return err
	}
	return printIPN(o.env, res)
}

func printIPN(env *Env, res billing.IPNResult) error {
	if res.Warning != "" {
		env.Warnf("%s", res.Warning)
	}
	if res.Replay {
		env.Infof("notification already applied (NUMTRANS %s): nothing written", res.NumTrans)
	}
	return PrintObject(env.Printer(), res, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%s  %s  %s  %s%s%s\n", res.StudentID, res.Outcome, res.Amount, res.Code, ifSet("  règlement ", res.Payment), ifSet("  facture ", res.Invoice))
		return err
	})
}
