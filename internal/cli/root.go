// Package cli is inpctl's command tree: one file per command, each with an
// options struct, a constructor and a run function. Cobra stops at RunE;
// commands parse, call one billing or store function, and print. They hold
// no business rule. Only cli imports cobra and tablewriter.
package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X github.com/inpctl/inpctl/internal/cli.version=…".
var version = ""

// Main runs inpctl with the process's arguments and returns the exit status.
func Main() int { return Run(osEnv(), os.Args[1:]) }

// Run runs inpctl with env and args and returns the exit status.
func Run(env *Env, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env.args = args
	root := rootFor(env, args)
	root.SetArgs(args)
	root.SetOut(env.IO.Out)
	root.SetErr(env.IO.Err)
	err := root.ExecuteContext(ctx)
	env.closeGateway()
	env.closeStore()
	if err != nil && !env.started && fault.KindOf(err) == fault.Failure {
		err = &fault.Error{Kind: fault.Usage, Err: err, Hint: "see inpctl --help"}
	}
	if err != nil {
		printError(env, err)
	}
	return exitCode(err)
}

// printError writes "inpctl: error: …" and the hint on stderr, plus a JSON
// error object in JSON mode.
func printError(env *Env, err error) {
	msg := err.Error()
	fmt.Fprintf(env.IO.Err, "inpctl: error: %s\n", msg)
	hint := fault.HintOf(err)
	if hint != "" {
		fmt.Fprintf(env.IO.Err, "inpctl: hint: %s\n", hint)
	}
	if env.JSON() {
		obj := map[string]any{"error": map[string]any{"code": errorCode(err), "message": msg, "hint": hint, "exit": exitCode(err)}}
		b, _ := json.Marshal(obj)
		fmt.Fprintln(env.IO.Err, string(b))
	}
}

// newRootCmd is the whole command tree.
func newRootCmd(env *Env) *cobra.Command {
	root := newRootOnly(env)
	for _, n := range nouns {
		root.AddCommand(n.cmd(env))
	}
	return root
}

// rootFor builds the command tree for a run (tests compare it with newRootCmd).
var rootFor = newRootCmdFor

// newRootCmdFor is the tree args need: the root with only the command args
// name, when the first word after the root's own flags is one of nouns;
// the whole tree otherwise (help, completion, an unknown or misspelled
// command, a flag the scan does not know). Building the ~60 commands cost
// 2 ms of a 40 ms "account show" process (issue 8); a command's help,
// errors and suggestions only look at its own subtree and the root's
// persistent flags, which are the same either way.
func newRootCmdFor(env *Env, args []string) *cobra.Command {
	name := firstCommandWord(args)
	for _, n := range nouns {
		if n.name == name {
			root := newRootOnly(env)
			root.AddCommand(n.cmd(env))
			return root
		}
	}
	return newRootCmd(env)
}

// firstCommandWord returns the first argument that is not one of the
// root's persistent flags or a flag's value, or "" when an argument before
// it is anything else (then the whole tree is built and cobra decides).
func firstCommandWord(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case !strings.HasPrefix(a, "-"):
			return a
		case a == "--config" || a == "--db" || a == "--output" || a == "--operator" || a == "-o":
			i++ // the flag's value is the next argument
		case strings.HasPrefix(a, "--config=") || strings.HasPrefix(a, "--db=") || strings.HasPrefix(a, "--output=") ||
			strings.HasPrefix(a, "--operator=") || a == "--yes" || a == "--quiet" || a == "-q" ||
			strings.HasPrefix(a, "--yes=") || strings.HasPrefix(a, "--quiet=") || (strings.HasPrefix(a, "-o") && len(a) > 2):
		default:
			return ""
		}
	}
	return ""
}

// nouns are the commands under the root, by name (TestNounsNameTheirCommand
// checks each name is its command's); each later issue adds its nouns here.
var nouns = []struct {
	name string
	cmd  func(*Env) *cobra.Command
}{
	{"init", newInitCmd},
	{"config", newConfigCmd},
	{"student", newStudentCmd},
	{"fees", newFeesCmd},
	{"dossier", newDossierCmd},
	{"invoice", newInvoiceCmd},
	{"credit-note", newCreditNoteCmd},
	{"schedule", newScheduleCmd},
	{"account", newAccountCmd},
	{"charge", newChargeCmd},
	{"pay", newPayCmd},
	{"payment", newPaymentCmd},
	{"refund", newRefundCmd},
	{"gateway", newGatewayCmd},
	{"db", newDBCmd},
	{"rehearse", newRehearseCmd},
	{"version", func(*Env) *cobra.Command { return newVersionCmd() }},
	{"exit-codes", func(*Env) *cobra.Command { return newExitCodesCmd() }},
}

func newExitCodesCmd() *cobra.Command {
	return &cobra.Command{Use: "exit-codes", Short: "Exit statuses and what they mean", Long: exitCodesHelp}
}

// newRootOnly is the root command with its persistent flags, no subcommand.
func newRootOnly(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "inpctl",
		Short: "Tuition-fee billing for Clermont Auvergne INP",
		Long: `inpctl runs tuition-fee billing for a whole academic year: import students,
set fee codes, compute what is owed, approve instalment plans, charge cards
through Paybox, issue invoices and credit notes, and show account positions.

Data goes to stdout; messages, warnings and progress to stderr.
Exit statuses: see "inpctl help exit-codes".`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       buildVersion(),
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := validFormat(env.flags.output); err != nil {
				return err
			}
			env.started = true
			env.auditCommand = cmd.CommandPath()
			env.auditArgs = redactArgs(cmd.CommandPath(), env.args)
			return nil
		},
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &fault.Error{Kind: fault.Usage, Err: err, Hint: fmt.Sprintf("see %s --help", c.CommandPath())}
	})
	f := root.PersistentFlags()
	f.StringVar(&env.flags.config, "config", "", "config file (default: $INPCTL_CONFIG, ./inpctl.yaml, ~/.config/inpctl/config.yaml, else built-in)")
	f.StringVar(&env.flags.db, "db", "", "database file (overrides the config's database)")
	f.StringVarP(&env.flags.output, "output", "o", "table", "output format: table, json or csv")
	f.StringVar(&env.flags.operator, "operator", "", "operator recorded in the audit log (default: login name)")
	f.BoolVar(&env.flags.yes, "yes", false, "answer yes to confirmations (needed when not on a terminal)")
	f.BoolVarP(&env.flags.quiet, "quiet", "q", false, "no messages on stderr except errors and warnings")
	return root
}

// exitDoc is the EXIT STATUS section appended to each command's Long text.
func exitDoc(lines ...string) string {
	return "\n\nEXIT STATUS\n  " + strings.Join(lines, "\n  ") + "\n  (all statuses: inpctl help exit-codes)"
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// redactArgs removes secrets from the command line recorded in the audit
// log: values of flags that name a key, token, secret or password, and the
// raw Paybox notification given to "pay ipn" (replaced by its SHA-256).
func redactArgs(path string, args []string) []string {
	out := make([]string, 0, len(args))
	hideNext := false
	for _, a := range args {
		low := strings.ToLower(a)
		switch {
		case hideNext:
			out = append(out, "***")
			hideNext = false
		case strings.HasPrefix(a, "-") && containsAny(low, "key", "token", "secret", "password"):
			if name, _, ok := strings.Cut(a, "="); ok {
				out = append(out, name+"=***")
			} else {
				out = append(out, a)
				hideNext = true
			}
		case strings.HasSuffix(path, "pay ipn") && strings.Contains(a, "="):
			sum := sha256.Sum256([]byte(a))
			out = append(out, "<notification sha256:"+hex.EncodeToString(sum[:8])+">")
		default:
			out = append(out, maskCardNumbers(a))
		}
	}
	return out
}

// cardRunRe is compiled on first use: most runs never need it.
var cardRunRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\d[\d -]{11,22}\d`) })

// maskCardNumbers replaces anything that looks like a card number (13 to
// 19 digits, spaces or dashes allowed, passing the Luhn check) with its last
// four digits: even a test card never reaches the audit log.
func maskCardNumbers(s string) string {
	if digitCount(s) < 13 {
		return s // no card number fits: what the regexp would find is left as is
	}
	return cardRunRe().ReplaceAllStringFunc(s, func(m string) string {
		digits := strings.NewReplacer(" ", "", "-", "").Replace(m)
		if len(digits) < 13 || len(digits) > 19 || !luhnValid(digits) {
			return m
		}
		return "****" + digits[len(digits)-4:]
	})
}

// digitCount counts the ASCII digits of s (\d in the regexp).
func digitCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			n++
		}
	}
	return n
}

func luhnValid(s string) bool {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of inpctl",
		Example: "  inpctl version",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			fmt.Fprintln(c.OutOrStdout(), "inpctl", buildVersion())
			return nil
		},
	}
}
