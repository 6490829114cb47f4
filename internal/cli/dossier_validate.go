package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/spf13/cobra"
)

type validateOpts struct {
	env             *Env
	student         string
	all             bool
	programme, year string
}

func newDossierValidateCmd(env *Env) *cobra.Command {
	o := &validateOpts{env: env}
	cmd := &cobra.Command{
		Use:   "validate STUDENT_ID | --all-declared",
		Short: "Validate dossiers after checking the supporting documents",
		Long: `Validate a declared dossier. Refused when the code needs a proof that was
not recorded, or when an extra-EU student in a diploma programme (not on
exchange) has any code but 05, or an apprentice any code but 01.

--all-declared validates every declared dossier (of --programme), all or
nothing: every refusal is listed and then nothing is written.` + exitDoc(
			"0   validated", "4   no such student", "5   refused by a rule (nothing was written)"),
		Example: "  inpctl dossier validate 22104567\n  inpctl dossier validate --all-declared --programme ING-GC-3A",
		Args: func(c *cobra.Command, args []string) error {
			if o.all {
				return notBoth(args, "one STUDENT_ID", "--all-declared")
			}
			return cobra.ExactArgs(1)(c, args)
		},
		RunE: func(c *cobra.Command, args []string) error {
			if !o.all {
				o.student = args[0]
			}
			return runValidate(c.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.all, "all-declared", false, "validate every declared dossier")
	cmd.Flags().StringVar(&o.programme, "programme", "", "with --all-declared: only this programme")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func runValidate(ctx context.Context, o *validateOpts) error {
	svc, err := o.env.Service(ctx, o.year)
	if err != nil {
		return err
	}
	if !o.all {
		d, err := svc.Validate(ctx, o.student)
		if err != nil {
			return err
		}
		o.env.Infof("✓ dossier of %s validated (code %s)", d.StudentID, d.Code)
		return PrintObject(o.env.Printer(), d, func(w io.Writer) error { return writeDossier(w, d, nil) })
	}
	if err := (filters{Programme: o.programme}).check(ctx, o.env); err != nil {
		return err
	}
	n, refused, err := svc.ValidateAll(ctx, o.programme)
	if err != nil {
		return err
	}
	if len(refused) > 0 {
		msgs := make([]string, len(refused))
		for i, e := range refused {
			msgs[i] = e.Error()
		}
		return fault.New(fault.Conflict, "%d dossier(s) cannot be validated, nothing was written:\n%s", len(refused), strings.Join(msgs, "\n")).
			WithHint("fix them (set-code, --proof) or validate the others one by one")
	}
	return PrintObject(o.env.Printer(), map[string]int{"validated": n}, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%s validated\n", plural(n, "dossier"))
		return err
	})
}

type rejectOpts struct {
	env                   *Env
	student, reason, year string
}

func newDossierRejectCmd(env *Env) *cobra.Command {
	o := &rejectOpts{env: env}
	cmd := &cobra.Command{
		Use:     "reject STUDENT_ID --reason TEXT",
		Short:   "Reject a declared dossier with a reason",
		Long:    "Reject a declared dossier; the student can then be given a new code." + exitDoc("0   rejected", "2   no --reason", "4   no such student", "5   the dossier is not declared"),
		Example: `  inpctl dossier reject 22104567 --reason "attestation de bourse manquante"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.student = args[0]
			svc, err := o.env.Service(c.Context(), o.year)
			if err != nil {
				return err
			}
			d, err := svc.Reject(c.Context(), o.student, o.reason)
			if err != nil {
				return err
			}
			o.env.Infof("✓ dossier of %s rejected", d.StudentID)
			return PrintObject(o.env.Printer(), d, func(w io.Writer) error { return writeDossier(w, d, nil) })
		},
	}
	cmd.Flags().StringVar(&o.reason, "reason", "", "why the dossier is rejected (required)")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}
