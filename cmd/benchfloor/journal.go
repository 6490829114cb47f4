//go:build bench

package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/store"
)

// journal is "benchfloor -journal FROM:TO -out FILE DATABASE", the raw
// limit of inpctl journal (scripts/bench.d/10-journal.sh): the journal's
// one SELECT of the period's movements written with bufio to FILE
// (store.RawJournal), then synced and closed as inpctl journal --out syncs
// its file. It prints the rows written and the seconds taken.
func journal(path, period, out string) error {
	from, to, ok := strings.Cut(period, ":")
	if !ok || out == "" {
		return fmt.Errorf("-journal FROM:TO needs -out FILE, e.g. -journal 2025-06-01:2026-08-31 -out raw.txt")
	}
	t0 := time.Now()
	db, err := store.OpenRaw(path)
	if err != nil {
		return err
	}
	defer db.Close()
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	n, err := db.RawJournal(context.Background(), from, to, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Printf("%d rows %.3f s\n", n, time.Since(t0).Seconds())
	return nil
}
