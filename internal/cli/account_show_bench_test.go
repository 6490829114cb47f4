package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// BenchmarkAccountShowProcess runs "account show" the way one process does
// (a fresh Env and command tree each time) on the database named by
// INPCTL_BENCH_DB for the student INPCTL_BENCH_ID (skipped without them):
// the in-process part of make bench's figure 6.
func BenchmarkAccountShowProcess(b *testing.B) {
	path, id := os.Getenv("INPCTL_BENCH_DB"), os.Getenv("INPCTL_BENCH_ID")
	if path == "" || id == "" {
		b.Skip("set INPCTL_BENCH_DB and INPCTL_BENCH_ID")
	}
	environ := []string{"INPCTL_OPERATOR=bench", "INPCTL_NOW=2026-06-30T09:00:00+02:00"}
	getenv := func(k string) string {
		for _, kv := range environ {
			if name, v, _ := strings.Cut(kv, "="); name == k {
				return v
			}
		}
		return ""
	}
	for b.Loop() {
		out := &bytes.Buffer{}
		env := &Env{IO: &IOStreams{In: strings.NewReader(""), Out: out, Err: out}, Getenv: getenv, Environ: environ}
		if rc := Run(env, []string{"--db", path, "account", "show", id}); rc != 0 {
			b.Fatalf("exit %d: %s", rc, out)
		}
	}
}

// BenchmarkRootCmd is the command tree every invocation builds.
func BenchmarkRootCmd(b *testing.B) {
	env := &Env{IO: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}, Getenv: os.Getenv}
	for b.Loop() {
		newRootCmd(env)
	}
}
