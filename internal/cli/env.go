package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"sync"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/config"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/store"
)

// IOStreams are the process's streams with what we know of them.
type IOStreams struct {
	In             io.Reader
	Out, Err       io.Writer
	InTTY, ErrTTY  bool
	OutTTY         bool
	ColorAvailable bool
}

// globalFlags are the persistent flags of the root command.
type globalFlags struct {
	config   string
	db       string
	output   string
	operator string
	// school is --school ("": the config's school).
	school string
	// csvDialect is --csv-dialect ("": the config's output.csv).
	csvDialect string
	yes        bool
	quiet      bool
}

// Env is what every command gets: IO, the environment, and lazy openers for
// the config, the clock and the store (gh's Factory). Nothing below the cli
// reads os.Stdout, time.Now or the process environment directly.
type Env struct {
	IO      *IOStreams
	Getenv  func(string) string
	Environ []string
	flags   globalFlags
	// Now overrides the clock (tests); nil means system time or INPCTL_NOW.
	Now func() time.Time
	// wrapGateway, when set, wraps the gateway the commands get: the test
	// binary's inpctl sets it to kill the process at a point of a card
	// debit or refund (INPCTL_TEST_CRASH, crash_hook_test.go); inpctl
	// itself never does.
	wrapGateway func(gateway.Gateway) gateway.Gateway
	// notifyWait, when set, is how long pay simulate waits for inpctl
	// serve (the test binary's, from INPCTL_TEST_NOTIFY_WAIT).
	notifyWait time.Duration

	cfgOnce sync.Once
	cfg     config.Config
	cfgErr  error

	db    *store.DB
	gwKit *gatewayKit

	// auditCommand and auditArgs are what audit rows record (secrets removed).
	auditCommand string
	auditArgs    []string
	// args are the arguments Run was given (for the audit log).
	args []string
	// started is set once flags and arguments were accepted.
	started bool
	// tables is the table every table of the command is rendered with.
	tables tableShare
}

// Config loads the configuration once.
func (e *Env) Config() (config.Config, error) {
	e.cfgOnce.Do(func() {
		path := config.Find(e.flags.config, e.Getenv)
		e.cfg, e.cfgErr = config.Load(path, e.Environ)
		if e.cfgErr == nil {
			e.cfg, e.cfgErr = e.cfg.ForSchool(e.flags.school)
		}
		if e.cfgErr == nil && e.flags.db != "" {
			e.cfg.Database = e.flags.db
		}
	})
	return e.cfg, e.cfgErr
}

// Clock returns the clock: INPCTL_NOW when the gateway allows a test
// clock (SPEC §11), the system clock otherwise.
func (e *Env) Clock() (clock.Clock, error) {
	if e.Now != nil {
		return clock.Fixed(e.Now()), nil
	}
	v := e.Getenv("INPCTL_NOW")
	if v == "" {
		return clock.System{}, nil
	}
	cfg, err := e.Config()
	if err != nil {
		return nil, err
	}
	if !cfg.TestClockAllowed() {
		return nil, fault.New(fault.Usage, "INPCTL_NOW is set but the gateway is a real Paybox host").
			WithHint("INPCTL_NOW is only for the sandbox or a Paybox URL on loopback; unset it")
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, fault.New(fault.Usage, "INPCTL_NOW=%q is not an RFC 3339 time (e.g. 2025-09-10T09:00:00+02:00)", v)
	}
	return clock.Fixed(t), nil
}

// Today is the calendar date of now in the configured time zone.
func (e *Env) Today() (clock.Date, error) {
	cfg, err := e.Config()
	if err != nil {
		return clock.Date{}, err
	}
	clk, err := e.Clock()
	if err != nil {
		return clock.Date{}, err
	}
	return clock.DateOf(clk.Now(), cfg.Location), nil
}

// Store opens the database (once), which must exist.
func (e *Env) Store(ctx context.Context) (*store.DB, error) {
	return e.openStore(ctx, store.MustExist)
}

func (e *Env) openStore(ctx context.Context, mode store.OpenMode) (*store.DB, error) {
	if e.db != nil {
		return e.db, nil
	}
	cfg, err := e.Config()
	if err != nil {
		return nil, err
	}
	clk, err := e.Clock()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.Database, clk, mode, store.WithSchool(cfg.School))
	if err != nil {
		return nil, err
	}
	if err := e.checkRole(ctx, db, cfg.OperatorRole); err != nil {
		db.Close()
		return nil, err
	}
	db.SetActor(store.Actor{Operator: e.Operator(), Command: e.auditCommand, Args: e.auditArgs})
	e.db = db
	return db, nil
}

// closeStore closes the database if it was opened.
func (e *Env) closeStore() {
	if e.db != nil {
		e.db.Close()
		e.db = nil
	}
}

// Operator is who runs the command: --operator, the config, or the login name.
func (e *Env) Operator() string {
	if e.flags.operator != "" {
		return e.flags.operator
	}
	if cfg, err := e.Config(); err == nil && cfg.Operator != "" {
		return cfg.Operator
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if v := e.Getenv("USER"); v != "" {
		return v
	}
	return "unknown"
}

// Printer returns the printer for the chosen -o format.
func (e *Env) Printer() *Printer {
	p := &Printer{Out: e.cleanOut(), Format: e.flags.output, Err: newCleanWriter(e.IO.Err, false), Raw: e.IO.Out}
	if p.Format == "csv" {
		p.Dialect = e.csvDialect()
	}
	return p
}

// cleanOut is stdout for data: control characters removed (escaped in
// JSON), see cleanWriter.
func (e *Env) cleanOut() io.Writer {
	w := newCleanWriter(e.IO.Out, e.JSON())
	if cw, ok := w.(*cleanWriter); ok && cw.share == nil {
		cw.share = &e.tables
	}
	return w
}

// JSON reports whether the output format is JSON.
func (e *Env) JSON() bool { return e.flags.output == "json" }

// Infof writes a message for the person at the terminal on stderr, unless -q.
func (e *Env) Infof(format string, args ...any) {
	if !e.flags.quiet {
		fmt.Fprint(e.IO.Err, cleanText(fmt.Sprintf(format, args...))+"\n")
	}
}

// Warnf writes a warning on stderr (even with -q).
func (e *Env) Warnf(format string, args ...any) {
	fmt.Fprint(e.IO.Err, "inpctl: warning: "+cleanText(fmt.Sprintf(format, args...))+"\n")
}

// Confirm asks before money moves or a legal document is issued: --yes
// answers for scripts; on a TTY the operator types y; otherwise it refuses.
func (e *Env) Confirm(question string) error {
	if e.flags.yes {
		return nil
	}
	if !e.IO.InTTY || !e.IO.ErrTTY {
		return fault.New(fault.Usage, "this command needs confirmation: %s", question).
			WithHint("pass --yes to confirm when not running in a terminal")
	}
	fmt.Fprintf(e.IO.Err, "%s [y/N] ", cleanText(question))
	line, _ := bufio.NewReader(e.IO.In).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes", "o", "oui":
		return nil
	}
	return fault.New(fault.Conflict, "not confirmed; nothing was changed")
}

// ProgressFn is Progress for callers that learn the total as they go.
func (e *Env) ProgressFn(label string) func(done, total int) {
	var draw func(int)
	last := -1
	return func(done, total int) {
		if total != last {
			draw, last = e.Progress(label, total), total
		}
		draw(done)
	}
}

// Progress returns a callback drawing a progress bar on stderr when stderr is
// a TTY, the output is not JSON and -q was not given; otherwise a no-op.
func (e *Env) Progress(label string, total int) func(done int) {
	if !e.IO.ErrTTY || e.flags.quiet || e.JSON() || total < 200 {
		return func(int) {}
	}
	last := -1
	return func(done int) {
		pct := done * 100 / total
		if pct == last && done != total {
			return
		}
		last = pct
		bar := strings.Repeat("█", pct/4) + strings.Repeat("░", 25-pct/4)
		fmt.Fprintf(e.IO.Err, "\r%s %s %3d%% (%d/%d)", label, bar, pct, done, total)
		if done >= total {
			fmt.Fprintln(e.IO.Err)
		}
	}
}

// osEnv builds the Env of the real process.
func osEnv() *Env {
	return &Env{
		IO: &IOStreams{
			In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
			InTTY: isTerminal(os.Stdin), OutTTY: isTerminal(os.Stdout), ErrTTY: isTerminal(os.Stderr),
		},
		Getenv:  os.Getenv,
		Environ: os.Environ(),
	}
}
