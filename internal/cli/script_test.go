package cli

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/store/storetest"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the cmp files of testscript scripts")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		// inpctl as the binary runs it, with the test hooks only the test
		// binary knows: the crash points of the crash tests
		// (INPCTL_TEST_CRASH) and pay simulate's wait for serve
		// (INPCTL_TEST_NOTIFY_WAIT, a Go duration).
		"inpctl": func() {
			env := osEnv()
			env.wrapGateway = crashGateway(os.Getenv("INPCTL_TEST_CRASH"))
			env.notifyWait, _ = time.ParseDuration(os.Getenv("INPCTL_TEST_NOTIFY_WAIT"))
			os.Exit(Run(env, os.Args[1:]))
		},
	})
}

// TestScripts runs testdata/script/*.txtar: the CLI contract, each script
// with its own database, config and clock.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams("testdata/script"))
}

func scriptParams(dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		UpdateScripts:       *update,
		Setup: func(e *testscript.Env) error {
			e.Setenv("INPCTL_DB", filepath.Join(e.WorkDir, "inpctl.db"))
			if storetest.Postgres() {
				// The same script on a PostgreSQL database of its own
				// (issue 22); [postgres] marks what only SQLite has.
				u, drop, err := storetest.Create(os.Getenv(storetest.Env), "")
				if err != nil {
					return err
				}
				e.Defer(func() { _ = drop() })
				e.Setenv("INPCTL_DB", u)
				// The scripts' sandbox keeps its state where it would
				// next to a SQLite file.
				e.Setenv("INPCTL_GATEWAY_SANDBOX_STATE", filepath.Join(e.WorkDir, "inpctl.db.sandbox"))
			}
			e.Setenv("INPCTL_NOW", "2025-09-01T09:00:00+02:00")
			e.Setenv("HOME", e.WorkDir)
			e.Setenv("XDG_CONFIG_HOME", filepath.Join(e.WorkDir, ".config"))
			e.Setenv("USER", "clerk")
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "postgres" {
				return storetest.Postgres(), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits":    cmdExits,
			"dbsum":    cmdDBSum,
			"sandbox":  cmdSandbox,
			"sleep":    cmdSleep,
			"sbxpay":   cmdSbxPay,
			"smtpd":    cmdSMTPD,
			"freeport": cmdFreePort,
			"httpget":  cmdHTTPGet,
			"sqlexec":  cmdSQLExec,
			"utf16":    cmdUTF16,
			"pgsql":    cmdPgSQL,
			"pguser":   cmdPgUser,
		},
	}
}

// cmdExits runs "exits N prog args…" and asserts the exact exit status, so
// scripts check 2 vs 5 vs 10 rather than only "failed".
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("exits does not support !")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits N prog args...")
	}
	wants := map[int]bool{}
	for _, w := range strings.Split(args[0], "|") {
		n, err := strconv.Atoi(w)
		if err != nil {
			ts.Fatalf("exits: %q is not a number (or N|M)", args[0])
		}
		wants[n] = true
	}
	err := ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if !wants[got] {
		ts.Fatalf("exit status %d, want %s", got, args[0])
	}
}

// cmdSleep pauses the script: sleep 500ms.
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	time.Sleep(d)
}
