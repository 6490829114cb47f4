package cli

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/inpctl/inpctl/internal/config"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/inpctl/inpctl/internal/rehearse"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

type rehearseOpts struct {
	env         *Env
	students    int
	seed        uint64
	dir         string
	render      bool
	noCharges   bool
	concurrency int
}

func newRehearseCmd(env *Env) *cobra.Command {
	o := &rehearseOpts{env: env}
	cmd := &cobra.Command{
		Use:   "rehearse --students N [--seed S] [--dir D]",
		Short: "Play a whole academic year on the sandbox and time each step",
		Long: `Play the year of "make demo" at any scale, in one process, on a new database
D/inpctl.db and the built-in Paybox sandbox: a fictitious intake of N
students is imported, given fee codes, validated; plans are requested and
approved; first payments go through the sandbox's hosted page (about 5 % of
the students with sandbox cards that decline later); cron's "charge --due"
runs on the 10th, 13th and 20th of each month from September to June; an
exemption, a bourse with its refund and a cheque happen on their dates; with
--render every invoice and credit note is written to D/invoices; db check
runs last. The clock moves from June to the next June 30th by itself.

It calls the same billing code as the commands. It prints the time of each
step and the end-of-year figures read back from the books. Sandbox only:
refused with a real Paybox gateway. --no-charges stops after the first
payments and leaves the instalments due (for benchmarks of charge --due).` + exitDoc(
			"0   the year ran and db check is clean", "2   bad arguments", "5   not the sandbox, D/inpctl.db exists, or db check found errors"),
		Example: "  inpctl rehearse --students 2000\n  inpctl rehearse --students 20000 --seed 7 --dir /tmp/year --render",
		Args:    noArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return runRehearse(c.Context(), o) },
	}
	f := cmd.Flags()
	f.IntVar(&o.students, "students", 0, "size of the intake (required)")
	f.Uint64Var(&o.seed, "seed", 2025, "seed of the fictitious intake")
	f.StringVar(&o.dir, "dir", "rehearsal", "folder of the new database (and of invoices/ with --render)")
	f.BoolVar(&o.render, "render", false, "write every invoice and credit note as PDF into D/invoices (slow)")
	f.BoolVar(&o.noCharges, "no-charges", false, "stop after the first payments: no charge runs, instalments stay due")
	f.IntVar(&o.concurrency, "concurrency", 4, "charges in flight at once in each charge run (1 to 64)")
	return cmd
}

func runRehearse(ctx context.Context, o *rehearseOpts) error {
	if o.students < 1 || o.students > 2_000_000 {
		return fault.New(fault.Usage, "--students %d is out of range (1 to 2000000)", o.students)
	}
	if o.concurrency < 1 || o.concurrency > 64 {
		return fault.New(fault.Usage, "--concurrency %d is out of range (1 to 64)", o.concurrency)
	}
	kit, closeKit, err := o.kit(ctx)
	if err != nil {
		return err
	}
	defer closeKit()
	progress := o.stepProgress()
	rep, err := rehearse.Run(ctx, kit, rehearse.Options{
		Students: o.students, Seed: o.seed, Dir: o.dir, Render: o.render, NoCharges: o.noCharges,
		Concurrency: o.concurrency, Workers: runtime.NumCPU(), Progress: progress,
	})
	if progress != nil {
		fmt.Fprint(o.env.IO.Err, "\r\033[K")
	}
	if err != nil {
		return err
	}
	if err := printRehearsal(o.env, rep); err != nil {
		return err
	}
	if errs := errorFindings(rep.Findings); errs > 0 {
		return fault.New(fault.Conflict, "db check: %d error(s) after the rehearsal in %s", errs, o.dir)
	}
	return nil
}

// kit creates D/inpctl.db with a clock the rehearsal moves, loads the
// catalogue as init does, and wires the in-process sandbox as
// Env.gateway does for gateway.kind: sandbox (same lines, this clock).
func (o *rehearseOpts) kit(ctx context.Context) (rehearse.Kit, func(), error) {
	cfg, err := o.env.Config()
	if err != nil {
		return rehearse.Kit{}, nil, err
	}
	if cfg.Gateway.Kind != "sandbox" {
		return rehearse.Kit{}, nil, fault.New(fault.Conflict, "rehearse works only with the built-in sandbox (gateway.kind: sandbox)").
			WithHint("run it with a sandbox config, never against Paybox")
	}
	clk, err := o.openDB(ctx, cfg)
	if err != nil {
		return rehearse.Kit{}, nil, err
	}
	svc, err := o.env.Service(ctx, "")
	if err != nil {
		return rehearse.Kit{}, nil, err
	}
	p := cfg.Gateway.Paybox
	key, _ := paybox.DecodeKey(sandbox.TestKeyHex)
	link := linkURLs(cfg, paybox.LinkConfig{URL: "http://sandbox.invalid/cgi/MYchoix_pagepaiement.cgi", Site: sandbox.TestSite, Rang: sandbox.TestRang,
		Identifiant: sandbox.TestIdentifiant, Location: cfg.Location, Key: key})
	pcfg := paybox.Config{Site: sandbox.TestSite, Rang: sandbox.TestRang, Identifiant: sandbox.TestIdentifiant,
		Timeout: p.Timeout, Location: cfg.Location, Key: key}
	client, sb, err := sandbox.NewInProcess(sandbox.Options{StatePath: filepath.Join(o.dir, "inpctl.db.sandbox"), Now: clk.Now}, pcfg)
	if err != nil {
		return rehearse.Kit{}, nil, fault.Wrap(fault.Failure, err, "start the built-in Paybox sandbox")
	}
	pub, err := paybox.ParsePublicKeyPEM([]byte(sandbox.PublicKeyPEM))
	if err != nil {
		sb.Close()
		return rehearse.Kit{}, nil, err
	}
	kit := rehearse.Kit{Svc: svc, Clock: clk, Gateway: client, Sandbox: sb, Link: link, Keys: []*rsa.PublicKey{pub}}
	return kit, func() { sb.Close() }, nil
}

// stepProgress shows the step under way on stderr when it is a terminal
// (not with -q or JSON), like the progress bars of the other commands.
func (o *rehearseOpts) stepProgress() func(step, date string) {
	e := o.env
	if !e.IO.ErrTTY || e.flags.quiet || e.JSON() {
		return nil
	}
	return func(step, date string) { fmt.Fprintf(e.IO.Err, "\r\033[K%s  %s", date, step) }
}

// openDB creates D/inpctl.db (refusing an existing one), opened with a
// clock the rehearsal moves, and loads the catalogue as init does. The Env
// keeps the database, so Service uses it and Run closes it.
func (o *rehearseOpts) openDB(ctx context.Context, cfg config.Config) (*rehearse.Clock, error) {
	path := filepath.Join(o.dir, "inpctl.db")
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil, fault.New(fault.Conflict, "%s already exists: a rehearsal starts from an empty database", path).
			WithHint("remove it or choose another --dir")
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return nil, fault.Wrap(fault.Usage, err, "--dir %s", o.dir)
	}
	first, _ := strconv.Atoi(cfg.AcademicYear[:4]) // validated by config: "2025-2026"
	clk := rehearse.NewClock(time.Date(first, time.June, 20, 9, 0, 0, 0, cfg.Location))
	db, err := store.Open(ctx, path, clk, store.Create)
	if err != nil {
		return nil, err
	}
	db.SetActor(store.Actor{Operator: o.env.Operator(), Command: o.env.auditCommand, Args: o.env.auditArgs})
	o.env.db = db
	cat, err := catalogueOf(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := db.LoadCatalogue(ctx, cat, numberingOf(cfg)); err != nil {
		return nil, err
	}
	return clk, nil
}

// rehearsalStep is a line of the timing table as printed.
type rehearsalStep struct {
	rehearse.Step
	Seconds float64 `json:"seconds"`
	PerSec  float64 `json:"items_per_second"`
}

var rehearsalCols = []Col[rehearsalStep]{
	{Head: "Step", Cell: func(s rehearsalStep) string { return s.Name }},
	{Head: "Date", Cell: func(s rehearsalStep) string { return s.Date }},
	{Head: "Items", Cell: func(s rehearsalStep) string { return fmt.Sprint(s.Items) }, Right: true},
	{Head: "Duration", Cell: func(s rehearsalStep) string { return s.Duration.Round(time.Millisecond).String() }, Right: true},
	{Head: "Items/s", Cell: func(s rehearsalStep) string { return fmt.Sprintf("%.0f", s.PerSec) }, Right: true},
}

func printRehearsal(env *Env, rep *rehearse.Report) error {
	steps := make([]rehearsalStep, len(rep.Steps))
	for i, s := range rep.Steps {
		steps[i] = rehearsalStep{s, s.Duration.Seconds(), s.Rate()}
	}
	p := env.Printer()
	if p.Format == "json" {
		return writeJSON(p.Out, map[string]any{"steps": steps, "counts": rep.Counts, "figures": rep.Figures,
			"findings": rep.Findings, "total_seconds": rep.Total.Seconds()})
	}
	if err := Print(p, steps, rehearsalCols, ""); err != nil || p.Format == "csv" {
		return err
	}
	return writeFigures(p.Out, rep)
}

func writeFigures(w io.Writer, rep *rehearse.Report) error {
	f := rep.Figures
	_, err := fmt.Fprintf(w, "\ntotal %s\nstudents %d · invoices %d · credit notes %d · payments %d · declines %d · blocked %d\n"+
		"collected %s (paid %s, refunded %s)\ndb check: %d finding(s)\n",
		rep.Total.Round(time.Millisecond), f.Students, f.Invoices, f.CreditNotes, f.Payments, f.Declines, f.Blocked,
		f.Collected, f.Paid, f.Refunded, len(rep.Findings))
	return err
}

// errorFindings counts the findings that are errors (not warnings).
func errorFindings(fs []store.Finding) int {
	n := 0
	for _, f := range fs {
		if !f.Warning {
			n++
		}
	}
	return n
}
