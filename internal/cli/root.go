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
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/pan"
	"github.com/inpctl/inpctl/internal/store"
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
	root := rootCmd(env, commandsFor(env, args))
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
	msg := cleanText(err.Error())
	fmt.Fprintf(env.IO.Err, "inpctl: error: %s\n", msg)
	hint := cleanText(fault.HintOf(err))
	if hint != "" {
		fmt.Fprintf(env.IO.Err, "inpctl: hint: %s\n", hint)
	}
	if env.JSON() {
		obj := map[string]any{"error": map[string]any{"code": errorCode(err), "message": msg, "hint": hint, "exit": exitCode(err)}}
		b, _ := json.Marshal(obj)
		fmt.Fprintln(newCleanWriter(env.IO.Err, true), string(b))
	}
}

// rootCmd is the root command with the commands given under it.
func rootCmd(env *Env, cmds []*cobra.Command) *cobra.Command {
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
			if err := checkCSVFlags(cmd, env.flags); err != nil {
				return err
			}
			if err := checkFreeText(cmd, args); err != nil {
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
	f.StringVar(&env.flags.db, "db", "", "database: a SQLite file or a postgres:// URL (overrides the config's database)")
	f.StringVarP(&env.flags.output, "output", "o", "table", "output format: table, json or csv")
	f.StringVar(&env.flags.csvDialect, "csv-dialect", "", "CSV of -o csv: rfc4180 (scripts) or excel-fr (French Excel and LibreOffice); default: the config's output.csv, else rfc4180")
	f.StringVar(&env.flags.operator, "operator", "", "operator recorded in the audit log (default: login name)")
	f.StringVar(&env.flags.school, "school", "", "school whose books the command works on: a code under the config's schools (default: the config's school)")
	f.BoolVar(&env.flags.yes, "yes", false, "answer yes to confirmations (needed when not on a terminal)")
	f.BoolVarP(&env.flags.quiet, "quiet", "q", false, "no messages on stderr except errors and warnings")
	for _, c := range cmds {
		root.AddCommand(c)
	}
	root.AddCommand(&cobra.Command{Use: "exit-codes", Short: "Exit statuses and what they mean", Long: exitCodesHelp})
	refuseUnknownSubcommands(root)
	return root
}

// refuseUnknownSubcommands makes every command group (account, dossier…)
// refuse a word that is none of its commands, as the root does: a group
// has no action of its own, and cobra then printed its help and exited 0,
// so "inpctl account shwo X" in a script passed for a success. A group
// given no word still prints its help.
func refuseUnknownSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		if sub.HasSubCommands() && !sub.Runnable() {
			sub.Args = unknownSubcommand
			sub.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
			if sub.Long == "" {
				sub.Long = sub.Short
			}
			sub.Long += exitDoc("0  this help (no command given)", "2  a word that is none of its commands")
		}
		refuseUnknownSubcommands(sub)
	}
}

// unknownSubcommand refuses any word after a command group (exit 2),
// suggesting the command it is closest to.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	err := fault.New(fault.Usage, "unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // what the root uses
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		return err.WithHint("did you mean %s %s?", cmd.CommandPath(), s[0])
	}
	return err.WithHint("see %s --help", cmd.CommandPath())
}

// commands is the command tree; each later issue adds its nouns here.
func commands(env *Env) []*cobra.Command {
	cmds := make([]*cobra.Command, len(topLevel))
	for i, t := range topLevel {
		cmds[i] = t.make(env)
	}
	return cmds
}

// topLevel lists the commands under the root, by name, in help order
// (TestTopLevelNames checks each name against the command made).
var topLevel = []struct {
	name string
	make func(*Env) *cobra.Command
}{
	{"init", newInitCmd}, {"config", newConfigCmd}, {"student", newStudentCmd}, {"fees", newFeesCmd},
	{"dossier", newDossierCmd}, {"invoice", newInvoiceCmd}, {"credit-note", newCreditNoteCmd},
	{"schedule", newScheduleCmd}, {"account", newAccountCmd}, {"journal", newJournalCmd},
	{"charge", newChargeCmd}, {"pay", newPayCmd}, {"serve", newServeCmd}, {"payment", newPaymentCmd},
	{"refund", newRefundCmd}, {"reconcile", newReconcileCmd}, {"report", newReportCmd}, {"mail", newMailCmd},
	{"gateway", newGatewayCmd}, {"db", newDBCmd}, {"rehearse", newRehearseCmd},
	{"version", func(*Env) *cobra.Command { return newVersionCmd() }},
}

// commandsFor is the one top-level command args run, when args name one
// plainly (its name first, after root flags only), else every command. A
// command runs the same either way: only the tree around it is not built
// (the ~80 commands and their flags, 0.55 M instructions and 1 000
// allocations of every run). Help, completion, a misspelt or unknown
// command, and anything firstWord cannot read get the whole tree.
func commandsFor(env *Env, args []string) []*cobra.Command {
	if name, ok := firstWord(args); ok {
		for _, t := range topLevel {
			if t.name == name {
				return []*cobra.Command{t.make(env)}
			}
		}
	}
	return commands(env)
}

// firstWord returns the first argument that is not a root flag or its
// value (see rootCmd's persistent flags), or false at any other flag.
func firstWord(args []string) (string, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--" || a == "-":
			return "", false
		case strings.HasPrefix(a, "--"):
			name, _, inline := strings.Cut(a[2:], "=")
			switch name {
			case "config", "db", "output", "csv-dialect", "operator", "school":
				if !inline {
					i++ // the value
				}
			case "yes", "quiet":
			default:
				return "", false
			}
		case strings.HasPrefix(a, "-"):
			for j := 1; j < len(a); j++ { // -q, -o json, -ojson, -qo json
				if a[j] == 'o' {
					if j == len(a)-1 {
						i++ // the value
					}
					break
				}
				if a[j] != 'q' {
					return "", false
				}
			}
		default:
			return a, true
		}
	}
	return "", false
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
		case store.IsURL(a) || strings.HasPrefix(a, "--db=") && store.IsURL(a[5:]):
			// A PostgreSQL URL may carry its password.
			out = append(out, store.RedactURL(strings.TrimPrefix(a, "--db=")))
		case strings.HasSuffix(path, "pay ipn") && strings.Contains(a, "="):
			sum := sha256.Sum256([]byte(a))
			out = append(out, "<notification sha256:"+hex.EncodeToString(sum[:8])+">")
		default:
			out = append(out, pan.Mask(a))
		}
	}
	return out
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
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			fmt.Fprintln(c.OutOrStdout(), "inpctl", buildVersion())
			return nil
		},
	}
}
