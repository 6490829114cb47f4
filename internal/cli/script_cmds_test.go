package cli

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/inpctl/inpctl/internal/school"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/inpctl/inpctl/internal/store/storetest"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdDBSum prints the SHA-256 of the database and its WAL, so a script can
// prove a command wrote nothing: dbsum > before.txt … cmp.
func cmdDBSum(ts *testscript.TestScript, neg bool, args []string) {
	h := sha256.New()
	if db := ts.Getenv("INPCTL_DB"); store.IsURL(db) {
		// On PostgreSQL: every row of every table, as text, in order.
		ts.Check(pgContentSum(storetest.WithSchool(db, scriptSchool(ts)), h))
		fmt.Fprintln(ts.Stdout(), hex.EncodeToString(h.Sum(nil)))
		return
	}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(ts.MkAbs("inpctl.db" + suffix))
		if err == nil {
			h.Write(b)
		}
	}
	fmt.Fprintln(ts.Stdout(), hex.EncodeToString(h.Sum(nil)))
}

// cmdSandbox runs a Paybox sandbox over loopback HTTP for the script and
// points inpctl at it with the real client (gateway.kind paybox):
//
//	sandbox start [-drop-rate F] [-fail-rate F] [-latency D] [-seed N] [-state FILE]
//	sandbox check   # the sandbox's approved charges vs the database: exactly once
func cmdSandbox(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: sandbox start|check")
	}
	switch args[0] {
	case "start":
		fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
		drop := fs.Float64("drop-rate", 0, "")
		fail := fs.Float64("fail-rate", 0, "")
		lat := fs.Duration("latency", 0, "")
		seed := fs.Int64("seed", 1, "")
		state := fs.String("state", "", "")
		ts.Check(fs.Parse(args[1:]))
		sb, err := sandbox.New(sandbox.Options{StatePath: ts.MkAbs(*state), DropRate: *drop, FailRate: *fail, Latency: *lat, Seed: *seed})
		ts.Check(err)
		srv := httptest.NewServer(sb)
		ts.Defer(func() { srv.Close(); sb.Close() })
		scripts.sandboxes[ts] = sb
		ts.Setenv("INPCTL_GATEWAY_KIND", "paybox")
		ts.Setenv("INPCTL_GATEWAY_PAYBOX_URL", srv.URL+"/PPPS.php")
		ts.Setenv("INPCTL_GATEWAY_PAYBOX_BACKUP_URL", "")
		ts.Setenv("INPCTL_GATEWAY_PAYBOX_HOSTED_URL", srv.URL+"/cgi/MYchoix_pagepaiement.cgi")
		ts.Setenv("INPCTL_GATEWAY_PAYBOX_HMAC_KEY", sandbox.TestKeyHex)
		ts.Setenv("INPCTL_GATEWAY_PAYBOX_TIMEOUT", "5s")
	case "check":
		sb := scripts.sandboxes[ts]
		if sb == nil {
			ts.Fatalf("sandbox check: no sandbox started")
		}
		checkExactlyOnce(ts, sb)
	default:
		ts.Fatalf("sandbox: unknown verb %q", args[0])
	}
}

var scripts = struct {
	sandboxes map[*testscript.TestScript]*sandbox.Sandbox
}{map[*testscript.TestScript]*sandbox.Sandbox{}}

// checkExactlyOnce asserts, from the sandbox's own records, that every
// instalment was approved at most once at Paybox, and that every approved
// charge is a payment in the database, once.
func checkExactlyOnce(ts *testscript.TestScript, sb *sandbox.Sandbox) {
	ctx := context.Background()
	db, err := store.Open(ctx, scriptDB(ts), clock.Fixed(time.Now()), store.MustExist)
	ts.Check(err)
	defer db.Close()
	attempts, err := db.AttemptInstalments(ctx)
	ts.Check(err)
	paid, err := db.PaidByCard(ctx)
	ts.Check(err)
	approvedAt := map[int64]int{}
	charges := 0
	for _, r := range sb.Records() {
		a, ok := attempts[r.Reference]
		if !ok {
			continue // hosted-page payments carry a PBX_CMD, not an attempt reference
		}
		charges++
		approvedAt[a.InstalmentID]++
		if a.State != "approved" {
			ts.Fatalf("reference %s approved at Paybox but %s in the database", r.Reference, a.State)
		}
	}
	for inst, n := range approvedAt {
		if n != 1 || paid[inst] != 1 {
			ts.Fatalf("instalment %d: approved %d times at Paybox, %d payments recorded", inst, n, paid[inst])
		}
	}
	for inst, n := range paid {
		if approvedAt[inst] != n {
			ts.Fatalf("instalment %d: %d card payments recorded, %d approved at Paybox", inst, n, approvedAt[inst])
		}
	}
	fmt.Fprintf(ts.Stdout(), "%d charges approved at Paybox, each recorded once\n", charges)
}

// scriptDB is the script's database: $WORK/inpctl.db, or the PostgreSQL
// database the harness made for it.
func scriptDB(ts *testscript.TestScript) string {
	if db := ts.Getenv("INPCTL_DB"); store.IsURL(db) {
		return db
	}
	return ts.MkAbs("inpctl.db")
}

// pgContentSum hashes the content of every table of the PostgreSQL
// database at url into h: each table's name, then its rows as text, sorted.
func pgContentSum(url string, h io.Writer) error {
	raw, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		var content string
		if err := raw.QueryRow(`SELECT COALESCE(string_agg(x::text, E'\n' ORDER BY x::text), '') FROM "` + t + `" x`).Scan(&content); err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\n%s\n", t, content)
	}
	return nil
}

// cmdPgSQL runs SQL on the script's PostgreSQL database, as its owner or,
// with -as VAR, as the URL held by $VAR: "pgsql [-as VAR] FILE|'SQL'".
// With !, the SQL must fail (its error on stderr).
func cmdPgSQL(ts *testscript.TestScript, neg bool, args []string) {
	url := ts.Getenv("INPCTL_DB")
	if len(args) > 2 && args[0] == "-as" {
		url, args = ts.Getenv(args[1]), args[2:]
	}
	if len(args) != 1 || !store.IsURL(url) {
		ts.Fatalf("usage: pgsql [-as VAR] FILE|SQL (on PostgreSQL)")
	}
	q := args[0]
	if b, err := os.ReadFile(ts.MkAbs(q)); err == nil {
		q = string(b)
	}
	raw, err := sql.Open("pgx", storetest.WithSchool(url, scriptSchool(ts)))
	ts.Check(err)
	defer raw.Close()
	_, err = raw.Exec(q)
	if neg {
		if err == nil {
			ts.Fatalf("pgsql: the SQL went through")
		}
		fmt.Fprintln(ts.Stderr(), err)
		return
	}
	ts.Check(err)
}

// cmdPgUser sets $VAR to the script's database URL with another login
// role: "pguser VAR ROLE" (the test server trusts loopback logins).
func cmdPgUser(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: pguser VAR ROLE")
	}
	u, err := url.Parse(ts.Getenv("INPCTL_DB"))
	ts.Check(err)
	u.User = url.User(args[1])
	ts.Setenv(args[0], u.String())
}

// scriptSchool is the school a script's raw SQL works on: $INPCTL_SCHOOL,
// else the default one.
func scriptSchool(ts *testscript.TestScript) string {
	if s := ts.Getenv("INPCTL_SCHOOL"); s != "" {
		return s
	}
	return school.Default
}
