package billing

import (
	"context"
	"crypto/rsa"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
	"github.com/inpctl/inpctl/internal/gateway/sandbox"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/inpctl/inpctl/internal/store/storetest"
)

const simOld, simNew = "2024-2025", "2025-2026"

// simTariffs is the catalogue the simulation runs on: the example one
// (2025-2026) and the year before (618,00 € national fee in 2024-2025).
var simTariffs = map[string]map[string]money.Cents{
	simOld: {"01": 61800, "02": 0, "05": 377000, "07": 0, "14": 30900},
	simNew: {"01": 62800, "02": 0, "05": 394100, "07": 0, "14": 31400},
}

func simCatalogue() fees.Catalogue {
	cat := fees.ExampleCatalogue()
	for id, p := range cat.Programmes {
		old := map[string]money.Cents{}
		for code, c := range p.Tariffs[simNew] {
			old[code] = c
			if t, ok := simTariffs[simOld][code]; ok {
				old[code] = t
			}
		}
		p.Tariffs[simOld] = old
		cat.Programmes[id] = p
	}
	return cat
}

type simClock struct{ now time.Time }

func (c *simClock) Now() time.Time { return c.now }

type simStudent struct {
	id, prog string
	years    []string
	card     string // what the student pays with on the hosted page
}

// simWorld is one sequence: its database, services, gateway and oracle.
type simWorld struct {
	ctx      context.Context
	rng      *rand.Rand
	clk      *simClock
	loc      *time.Location
	db       *store.DB
	drop     func() error // drops the sequence's PostgreSQL database
	svc      map[string]*Service
	gw       gateway.Gateway
	sb       *sandbox.Sandbox
	link     paybox.LinkConfig
	keys     []*rsa.PublicKey
	or       *simOracle
	students []*simStudent
	ops      []string
	logf     func(string, ...any)
	// card money on its way: attempt REFERENCE → order, instalment → order,
	// and what Paybox took for an order whose answer was lost.
	refOrder  map[string]int64
	instOrder map[int64]int64
	inflight  map[int64]money.Cents
	n         int
	strict    bool                 // check everything after every step
	charged   []string             // the students the last charge run touched
	lastRef   map[string][3]string // student → method, reference, number of their last manual payment
}

func (w *simWorld) today() clock.Date { return clock.DateOf(w.clk.now, w.loc) }
func (w *simWorld) next() int         { w.n++; return w.n }

// simCards are what students pay with: the Paybox test card and the
// sandbox's behaviour classes (docs/sandbox.md), never a card number.
var simCards = []string{sandbox.CardOK, sandbox.CardOK, sandbox.CardOK, sandbox.CardOK, sandbox.CardOK, "soft-once", "soft-always", "lost", "expired", "lose-answer", "ecard"}

var simNames = []string{"Aubert Lina", "Besson Théo", "Carvalho Inès", "Diallo Noé", "Estève Maëlle", "Fournier Yanis", "Giraud Zélie", "Haddad Oscar"}

// simTemplate makes, once per test, a database with the catalogue loaded:
// each sequence starts from a copy (a migration per sequence would cost a
// tenth of the run).
func simTemplate(ctx context.Context, dir string) (string, error) {
	path := filepath.Join(dir, "template.db")
	if storetest.Postgres() {
		// On PostgreSQL the template is a database, its URL in the file.
		u, _, err := storetest.Create(os.Getenv(storetest.Env), "")
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(path+".url", []byte(u), 0o600); err != nil {
			return "", err
		}
		path = u
	}
	db, err := store.Open(ctx, path, clock.Fixed(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)), store.Create)
	if err != nil {
		return "", err
	}
	n := store.Numbering{OrderPrefix: "CMD", OrderStart: 1, InvoiceStart: 9200, CreditNotePrefix: "AV", CreditNoteStart: 1, PaymentPrefix: "REG", PaymentStart: 1}
	if _, err := db.LoadCatalogue(ctx, simCatalogue(), n); err != nil {
		db.Close()
		return "", err
	}
	return path, db.Close()
}

func newSimWorld(ctx context.Context, seed uint64, dir, template string, students int) (*simWorld, error) {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, err
	}
	w := &simWorld{ctx: ctx, rng: rand.New(rand.NewPCG(seed, 0x16)), clk: &simClock{time.Date(2025, 6, 2, 9, 0, 0, 0, loc)}, loc: loc,
		svc: map[string]*Service{}, or: newSimOracle(), logf: func(string, ...any) {},
		refOrder: map[string]int64{}, instOrder: map[int64]int64{}, inflight: map[int64]money.Cents{}, lastRef: map[string][3]string{}}
	name := filepath.Join(dir, "sim.db")
	if storetest.Postgres() {
		tmpl, err := os.ReadFile(template + ".url")
		if err != nil {
			return nil, err
		}
		if name, w.drop, err = storetest.Create(os.Getenv(storetest.Env), string(tmpl)); err != nil {
			return nil, err
		}
	} else {
		b, err := os.ReadFile(template)
		if err == nil {
			err = os.WriteFile(name, b, 0o600)
		}
		if err != nil {
			return nil, err
		}
	}
	if w.db, err = store.Open(ctx, name, w.clk, store.MustExist); err != nil {
		return nil, err
	}
	cat := simCatalogue()
	for _, y := range []string{simOld, simNew} {
		w.svc[y] = &Service{DB: w.db, Cat: cat, Year: y, Location: loc, Rules: schedule.DefaultRules(), Retry: schedule.DefaultRetryPolicy(),
			Issuer: Issuer{Name: "Clermont Auvergne INP", LibelleCard: "Paiement en ligne"}}
	}
	key, _ := paybox.DecodeKey(sandbox.TestKeyHex)
	opt := sandbox.Options{Now: w.clk.Now, Seed: int64(seed)}
	if w.rng.IntN(4) == 0 { // a gateway that loses answers and fails now and then
		opt.DropRate, opt.FailRate = 0.1, 0.05
	}
	w.gw, w.sb, err = sandbox.NewInProcess(opt, paybox.Config{Site: sandbox.TestSite, Rang: sandbox.TestRang, Identifiant: sandbox.TestIdentifiant, Key: key, Location: loc})
	if err != nil {
		return nil, err
	}
	pub, err := paybox.ParsePublicKeyPEM([]byte(sandbox.PublicKeyPEM))
	w.keys = []*rsa.PublicKey{pub}
	w.link = paybox.LinkConfig{URL: "http://sandbox.invalid/cgi/MYchoix_pagepaiement.cgi", Site: sandbox.TestSite, Rang: sandbox.TestRang,
		Identifiant: sandbox.TestIdentifiant, Key: key, IPNURL: "https://inscriptions.example.org/paybox/ipn", Location: loc}
	for i := range students {
		st := &simStudent{id: fmt.Sprintf("2210%04d", 100+i), prog: []string{"ING-GC-3A", "ING-INFO-3A"}[w.rng.IntN(2)],
			years: [][]string{{simNew}, {simNew}, {simOld}, {simOld, simNew}}[w.rng.IntN(4)], card: simCards[w.rng.IntN(len(simCards))]}
		w.students = append(w.students, st)
	}
	return w, err
}

// importAll is "student import", one file per academic year.
func (w *simWorld) importAll() error {
	for _, y := range []string{simOld, simNew} {
		var rows []store.ImportRow
		for i, st := range w.students {
			if slices.Contains(st.years, y) {
				last, first, _ := strings.Cut(simNames[i%len(simNames)], " ")
				rows = append(rows, store.ImportRow{Year: y, Line: i + 2, Student: store.Student{ID: st.id, LastName: last, FirstName: first,
					Email: st.id + "@etu.example.org", Programme: st.prog, Address: "1 rue des Essais", Postcode: "63000", City: "Clermont-Ferrand", Country: "France"}})
			}
		}
		if _, c, err := w.db.ImportStudents(w.ctx, y+".csv", rows, false, nil); err != nil || len(c) > 0 {
			return violation(invInternal, "import %s: %v %v", y, err, c)
		}
	}
	var s []string
	for _, st := range w.students {
		s = append(s, st.id+" "+st.prog+" "+strings.Join(st.years, "+")+" card "+simCardName(st.card))
	}
	w.step("import " + strings.Join(s, "; "))
	return nil
}

func simCardName(c string) string {
	if c == sandbox.CardOK {
		return "ok"
	}
	return c
}

func (w *simWorld) step(desc string) {
	w.ops = append(w.ops, fmt.Sprintf("#%d %s %s", len(w.ops), w.today(), desc))
	w.logf("%s", w.ops[len(w.ops)-1])
}

// refused describes a refusal; an unclassified error is a violation.
func refused(desc string, err error) (string, error) {
	if fault.KindOf(err) == fault.Failure {
		return desc, violation(invInternal, "%s: %v", desc, err)
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return desc + " → refused (" + fault.KindOf(err).String() + "): " + msg, nil
}

// run plays one sequence of n operations; it returns the first violation.
func (w *simWorld) run(n int) error {
	if err := w.importAll(); err != nil {
		return err
	}
	total := 0
	for _, op := range simOps {
		total += op.weight
	}
	for i := range n {
		w.clk.now = w.clk.now.Add(time.Minute)
		st := w.students[w.rng.IntN(len(w.students))]
		year := st.years[w.rng.IntN(len(st.years))]
		r := w.rng.IntN(total)
		op := simOps[0]
		for _, o := range simOps {
			if r -= o.weight; r < 0 {
				op = o
				break
			}
		}
		if w.or.current[[2]string{st.id, year}] == nil && w.rng.IntN(3) > 0 {
			op = simOps[0] // most students get a code before anything else
		}
		desc, err := op.run(w, st, year)
		w.step(desc)
		if err == nil {
			err = w.checkStep(i, n, st.id, desc)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// simEvery is how often a fast run checks every student (a strict run, and
// a failing seed's replay, check everything after every step).
const simEvery = 16

// checkStep checks after op i of n. Strict: every invariant for every
// student, and db check, after every step. Fast (what makes 500 sequences
// fit in a minute; db check is a quarter of the time): invariants 3 and 4
// for the student of the op (those a charge run touched; no one after an op
// refused or with nothing to do, or one that moves no amount), every student every
// simEvery steps, and db check at the end. A fast run that fails is played
// again strictly, so the report names the first step that broke something.
func (w *simWorld) checkStep(i, n int, student, desc string) error {
	switch {
	case w.strict || i == n-1:
		return w.check(w.ids(), true)
	case i%simEvery == simEvery-1:
		return w.check(w.ids(), false)
	case strings.Contains(desc, " → refused (") || strings.HasSuffix(desc, simNothing):
		return nil
	case strings.HasPrefix(desc, "validate") || strings.HasPrefix(desc, "schedule request") ||
		strings.HasPrefix(desc, "schedule reject") || strings.HasPrefix(desc, "schedule cancel"):
		return nil // no amount changed: a requested plan has none, a rejected or cancelled one is not live
	case strings.HasPrefix(desc, "charge"):
		return w.check(w.charged, false)
	}
	return w.check([]string{student}, false)
}

// simNothing ends the description of an op that had nothing to do.
const simNothing = ": nothing to do"

func (w *simWorld) ids() []string {
	var ids []string
	for _, st := range w.students {
		ids = append(ids, st.id)
	}
	return ids
}
