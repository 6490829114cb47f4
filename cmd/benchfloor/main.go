//go:build bench

// Command benchfloor is the process-start floor of the benchmarks
// (scripts/bench.sh): "benchfloor DATABASE" opens the database with the DSN
// inpctl uses (the same pragmas, through internal/store), runs PRAGMA
// user_version and exits. An inpctl command reading the same database is
// compared with it: what is left is the command's own work.
//
// Two helpers of the benchmarks live here too, so that bench.sh needs
// nothing but Go: "benchfloor -replicate N DATABASE" makes a rehearsed year
// N times as large (store.ReplicateForBench) and prints its busiest
// student; "benchfloor -rusage FILE -- CMD ARGS…" runs a command and writes
// its wall time (s), peak memory (KiB) and CPU time (user + system, s) to
// FILE, for machines without /usr/bin/time and for bench.sh's figure 6
// (the CPU time of a process does not count the time it waited for a core:
// see scripts/bench.sh); "benchfloor -journal FROM:TO -out FILE DATABASE" is the
// raw limit of inpctl journal (journal.go).
//
// It uses the benchmark-only part of internal/store, so it builds only with
// the bench tag: go build -tags bench ./cmd/benchfloor.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/inpctl/inpctl/internal/store"
)

func main() {
	replicate := flag.Int("replicate", 0, "make DATABASE this many times as large")
	rusage := flag.String("rusage", "", "run the command after -- and write its wall time and peak memory to this file")
	period := flag.String("journal", "", "FROM:TO: write the journal's movements of the period to -out (the raw limit of inpctl journal)")
	out := flag.String("out", "", "the file -journal writes")
	flag.Parse()
	var err error
	switch {
	case *rusage != "":
		err = run(*rusage, flag.Args())
	case flag.NArg() != 1:
		fmt.Fprintln(os.Stderr, "usage: benchfloor [-replicate N | -journal FROM:TO -out FILE] DATABASE | benchfloor -rusage FILE -- CMD ARGS…")
		os.Exit(2)
	case *period != "":
		err = journal(flag.Arg(0), *period, *out)
	case *replicate > 1:
		err = grow(flag.Arg(0), *replicate)
	default:
		err = floor(flag.Arg(0))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchfloor:", err)
		os.Exit(1)
	}
}

// floor is the whole work of the floor process.
func floor(path string) error {
	db, err := store.OpenRaw(path)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.UserVersion(context.Background())
	fmt.Println(v)
	return err
}

func grow(path string, n int) error {
	db, err := store.OpenRaw(path)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.ReplicateForBench(ctx, n); err != nil {
		return err
	}
	id, err := db.BusiestStudent(ctx)
	fmt.Println(id)
	return err
}

func run(file string, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("-rusage: no command")
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	t0 := time.Now()
	runErr := cmd.Run()
	wall := time.Since(t0)
	if cmd.ProcessState == nil {
		return runErr // it did not start
	}
	rss := int64(0)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss // KiB on Linux
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if err := os.WriteFile(file, fmt.Appendf(nil, "%.6f %d %.6f\n", wall.Seconds(), rss, cpu.Seconds()), 0o644); err != nil {
		return err
	}
	os.Exit(cmd.ProcessState.ExitCode())
	return nil
}
