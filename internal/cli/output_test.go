package cli

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
)

type tableRow struct{ a, b, c string }

var (
	threeCols = []Col[tableRow]{
		{Head: "Numéro", Cell: func(r tableRow) string { return r.a }},
		{Head: "Libellé", Cell: func(r tableRow) string { return r.b }},
		{Head: "Montant", Cell: func(r tableRow) string { return r.c }, Right: true},
	}
	oneCol = []Col[tableRow]{
		{Head: "Long header of one column", Cell: func(r tableRow) string { return r.b }, Right: true},
	}
	threeRows = []tableRow{{"F-1", "Droits d'inscription", "628,00 €"}, {"F-22", "CVEC", "103,00 €"}}
	oneRows   = []tableRow{{b: "x"}, {b: "a much longer cell than its header"}}
)

// The table of threeCols with a total, as a table made for it alone prints it.
const threeColsTable = ` Numéro  Libellé               Montant  
────────────────────────────────────────
 F-1     Droits d'inscription  628,00 € 
 F-22    CVEC                  103,00 € 
────────────────────────────────────────
 Total                         731,00 € 
`

func renderTable[T any](t *testing.T, rows []T, cols []Col[T], total []string) string {
	t.Helper()
	var b bytes.Buffer
	if err := writeTable(&b, rows, cols, total); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestSharedTableReset: a table printed through the shared table after
// other tables (other columns, alignments, footers) is byte for byte the
// table printed first in a fresh process.
func TestSharedTableReset(t *testing.T) {
	first := renderTable(t, threeRows, threeCols, []string{"Total", "", "731,00 €"}) // a table of its own
	if first != threeColsTable {
		t.Fatalf("first table:\n%s\nwant:\n%s", first, threeColsTable)
	}
	// The same table for the next ones, as a command's Env gives it.
	share := &tableShare{}
	shared := func(w *bytes.Buffer) io.Writer { return &cleanWriter{w: w, share: share} }
	var b1 bytes.Buffer
	if err := writeTable(shared(&b1), threeRows, threeCols, []string{"Total", "", "731,00 €"}); err != nil || b1.String() != first {
		t.Fatalf("first shared table: %v\n%s", err, b1.String())
	}
	var b2 bytes.Buffer
	if err := writeTable(shared(&b2), oneRows, oneCol, nil); err != nil {
		t.Fatal(err)
	}
	one := b2.String()
	if share.t == nil {
		t.Fatal("the Env's table was not used")
	}
	if strings.Contains(one, "Total") || !strings.Contains(one, "                                 x") {
		t.Errorf("one-column table after a three-column one:\n%s", one)
	}
	var b3 bytes.Buffer
	if err := writeTable(shared(&b3), threeRows, threeCols, []string{"Total", "", "731,00 €"}); err != nil || b3.String() != first {
		t.Errorf("same table after others:\n%s\nwant:\n%s", b3.String(), first)
	}
	if fresh := renderTable(t, oneRows, oneCol, nil); fresh != one {
		t.Errorf("one-column table in a fresh process:\n%s\nafter another table:\n%s", fresh, one)
	}
}

// TestSharedTableConcurrent: tables printed from several goroutines at once
// each come out whole (go test -race checks the lock).
func TestSharedTableConcurrent(t *testing.T) {
	share := &tableShare{}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b bytes.Buffer
			w := &cleanWriter{w: &b, share: share}
			var err error
			if i%2 == 0 {
				err = writeTable(w, threeRows, threeCols, []string{"Total", "", "731,00 €"})
				if b.String() != threeColsTable {
					errs <- b.String()
				}
			} else {
				err = writeTable(w, oneRows, oneCol, nil)
			}
			if err != nil {
				errs <- err.Error()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
