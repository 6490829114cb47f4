package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

func newStudentCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "student",
		Short:   "Import, list and show students",
		Example: "  inpctl student import students.csv\n  inpctl student list --programme ING-GC-3A\n  inpctl student show 22104567",
		Args:    noArgs,
	}
	cmd.AddCommand(newStudentImportCmd(env), newStudentListCmd(env), newStudentShowCmd(env))
	return cmd
}

type studentListOpts struct {
	env                           *Env
	programme, status, year, name string
}

var studentCols = []Col[store.StudentView]{
	{Head: "N° étudiant", Cell: func(s store.StudentView) string { return s.ID }},
	{Head: "Nom", Cell: func(s store.StudentView) string { return s.LastName }},
	{Head: "Prénom", Cell: func(s store.StudentView) string { return s.FirstName }},
	{Head: "Formation", Cell: func(s store.StudentView) string { return s.Programme }},
	{Head: "Situation", Cell: situation},
	{Head: "Dossier", Cell: func(s store.StudentView) string { return s.DossierStatus }},
	{Head: "Code", Cell: func(s store.StudentView) string { return s.Code }},
}

func situation(s store.StudentView) string {
	var tags []string
	if s.Apprentice {
		tags = append(tags, "apprenti")
	}
	if s.ExtraEU {
		tags = append(tags, "extra-UE")
	}
	if s.Exchange {
		tags = append(tags, "échange")
	}
	return strings.Join(tags, ", ")
}

func newStudentListCmd(env *Env) *cobra.Command {
	o := &studentListOpts{env: env}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List students with their dossier",
		Long: "List students with their dossier status and fee code for an academic year. --name keeps the students\n" +
			"whose first and last names hold every word given, accents and case aside." +
			exitDoc("0   listed (an empty list is not an error)", "2   an unknown programme or year, a wrong status"),
		Example: "  inpctl student list\n  inpctl student list --programme ING-GC-3A --status declared -o csv\n  inpctl student list --name \"zoe dubois\"",
		Args:    noArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return runStudentList(c.Context(), o) },
	}
	cmd.Flags().StringVar(&o.programme, "programme", "", "only this programme")
	cmd.Flags().StringVar(&o.status, "status", "", "only dossiers in this status (pending, declared, validated, rejected)")
	cmd.Flags().StringVar(&o.name, "name", "", "only students whose names hold these words (e.g. \"dubois\", \"zoe le gall\")")
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func runStudentList(ctx context.Context, o *studentListOpts) error {
	year, err := yearOrDefault(o.env, o.year)
	if err != nil {
		return err
	}
	if err := oneOf("--status", o.status, "", "pending", "declared", "validated", "rejected"); err != nil {
		return err
	}
	if err := (filters{Programme: o.programme, Year: o.year}).check(ctx, o.env); err != nil {
		return err
	}
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	rows, err := db.ListStudents(ctx, store.StudentFilter{Programme: o.programme, Status: o.status, Year: year})
	if err != nil {
		return err
	}
	if o.name != "" {
		rows = slices.DeleteFunc(rows, func(s store.StudentView) bool { return !nameMatches(s, o.name) })
	}
	return Print(o.env.Printer(), rows, studentCols, "no students match")
}

// lookupStudent is the student a clerk names on the command line: a
// student number, or a name that matches exactly one student of year
// (accents and case aside, as student list --name). Several matches are
// refused with the list, so that the clerk picks the number.
func lookupStudent(ctx context.Context, db *store.DB, arg, year string) (store.StudentView, error) {
	s, err := db.GetStudent(ctx, arg, year)
	if err == nil || !fault.Is(err, fault.NotFound) || isStudentNumber(arg) {
		return s, err
	}
	all, lerr := db.ListStudents(ctx, store.StudentFilter{Year: year})
	if lerr != nil {
		return s, lerr
	}
	var found []store.StudentView
	for _, v := range all {
		if nameMatches(v, arg) {
			found = append(found, v)
		}
	}
	switch len(found) {
	case 0:
		return s, fault.New(fault.NotFound, "no student numbered or named %q", arg).WithHint("list students with: inpctl student list --name WORDS")
	case 1:
		return db.GetStudent(ctx, found[0].ID, year)
	}
	var names []string
	for i, v := range found {
		if i == 10 {
			names = append(names, fmt.Sprintf("… (%d in all)", len(found)))
			break
		}
		names = append(names, fmt.Sprintf("%s %s %s (%s)", v.ID, v.FirstName, v.LastName, v.Programme))
	}
	return s, fault.New(fault.Usage, "%q names %d students: %s", arg, len(found), strings.Join(names, "; ")).
		WithHint("give the student number, or more of the name")
}

// isStudentNumber reports whether arg is written as a student number (all
// digits): such an argument is never looked up as a name.
func isStudentNumber(arg string) bool {
	return arg != "" && strings.Trim(arg, "0123456789") == ""
}

type studentShowOpts struct {
	env      *Env
	id, year string
}

func newStudentShowCmd(env *Env) *cobra.Command {
	o := &studentShowOpts{env: env}
	cmd := &cobra.Command{
		Use:   "show STUDENT_ID|NAME",
		Short: "Show a student's identity, dossier and account figures",
		Long: "Show a student's identity, programme, dossier, and account: Débit, Crédit, Solde, Position as of today, the plan and its next debit.\n" +
			"The student is given by number, or by name when the words match one student only (accents and case aside)." +
			exitDoc("0   shown", "2   the name matches several students (they are listed)", "4   no such student"),
		Example: "  inpctl student show 22104567\n  inpctl student show 22104567 -o json\n  inpctl student show \"zoe dubois\"",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if o.id = strings.TrimSpace(args[0]); o.id == "" {
				return fault.New(fault.Usage, "STUDENT_ID is empty")
			}
			return runStudentShow(c.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.year, "year", "", "academic year (default: the config's)")
	return cmd
}

func runStudentShow(ctx context.Context, o *studentShowOpts) error {
	year, err := yearOrDefault(o.env, o.year)
	if err != nil {
		return err
	}
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	s, err := lookupStudent(ctx, db, o.id, year)
	if err != nil {
		return err
	}
	acct, err := accountBriefOf(ctx, o.env, s.ID, year)
	if err != nil {
		return err
	}
	v := studentShowView{s, acct}
	return PrintObjectCSV(o.env.Printer(), v, func(w io.Writer) error {
		kv := [][2]string{
			{"Étudiant", fmt.Sprintf("%s %s (%s)", s.FirstName, s.LastName, s.ID)},
			{"E-mail", s.Email},
			{"Adresse", strings.Join(nonEmpty(s.Address, strings.TrimSpace(s.Postcode+" "+s.City), s.Country), ", ")},
			{"Formation", s.Programme},
			{"Situation", situation(s)},
			{"Année", year},
			{"Dossier", s.DossierStatus},
			{"Code", s.Code},
			{"Justificatif", s.Proof},
		}
		return writeKV(w, append(kv, acct.KV()...))
	}, []studentShowView{v}, studentShowCols)
}

// studentShowView is student show's document: the student and their
// account figures as of today.
type studentShowView struct {
	store.StudentView
	Account accountBrief `json:"account"`
}

// studentShowCols are student show's CSV: student list's columns and the
// account's figures.
var studentShowCols = append(colsOf(studentCols, func(v studentShowView) store.StudentView { return v.StudentView }),
	Col[studentShowView]{Head: "Débit", Money: func(v studentShowView) money.Cents { return v.Account.Debit }, Right: true},
	Col[studentShowView]{Head: "Crédit", Money: func(v studentShowView) money.Cents { return v.Account.Credit }, Right: true},
	Col[studentShowView]{Head: "Solde", Money: func(v studentShowView) money.Cents { return v.Account.Balance }, Right: true},
	Col[studentShowView]{Head: "Position", Money: func(v studentShowView) money.Cents { return v.Account.Position }, Right: true},
	Col[studentShowView]{Head: "Blocage", Cell: func(v studentShowView) string { return v.Account.Blocked }})

// writeKV prints "label  value" lines, skipping empty values.
func writeKV(w io.Writer, kv [][2]string) error {
	width := 0
	for _, p := range kv {
		if len([]rune(p[0])) > width {
			width = len([]rune(p[0]))
		}
	}
	for _, p := range kv {
		if p[1] == "" {
			continue
		}
		pad := strings.Repeat(" ", width-len([]rune(p[0])))
		if _, err := fmt.Fprintf(w, "%s%s  %s\n", p[0], pad, p[1]); err != nil {
			return err
		}
	}
	return nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
