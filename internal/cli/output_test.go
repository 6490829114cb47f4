package cli

import (
	"bytes"
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
	sharedTable.Lock()
	sharedTable.t = nil // as in a fresh process
	sharedTable.Unlock()
	first := renderTable(t, threeRows, threeCols, []string{"Total", "", "731,00 €"})
	if first != threeColsTable {
		t.Fatalf("first table:\n%s\nwant:\n%s", first, threeColsTable)
	}
	one := renderTable(t, oneRows, oneCol, nil)
	if strings.Contains(one, "Total") || !strings.Contains(one, "                                 x") {
		t.Errorf("one-column table after a three-column one:\n%s", one)
	}
	if again := renderTable(t, threeRows, threeCols, []string{"Total", "", "731,00 €"}); again != first {
		t.Errorf("same table after others:\n%s\nwant:\n%s", again, first)
	}
	sharedTable.Lock()
	sharedTable.t = nil
	sharedTable.Unlock()
	if fresh := renderTable(t, oneRows, oneCol, nil); fresh != one {
		t.Errorf("one-column table in a fresh process:\n%s\nafter another table:\n%s", fresh, one)
	}
}

// TestSharedTableConcurrent: tables printed from several goroutines at once
// each come out whole (go test -race checks the lock).
func TestSharedTableConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b bytes.Buffer
			var err error
			if i%2 == 0 {
				err = writeTable(&b, threeRows, threeCols, []string{"Total", "", "731,00 €"})
				if b.String() != threeColsTable {
					errs <- b.String()
				}
			} else {
				err = writeTable(&b, oneRows, oneCol, nil)
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
