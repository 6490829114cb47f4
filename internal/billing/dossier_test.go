package billing

import (
	"context"
	"testing"

	"github.com/inpctl/inpctl/internal/fees"
)

func orderNumber(t *testing.T, s *Service, id string) string {
	t.Helper()
	d, err := s.DB.Dossier(context.Background(), id, s.Year)
	if err != nil {
		t.Fatal(err)
	}
	return d.OrderNumber
}

// TestSetCodesNumbersInFileOrder: the new orders of a code file are numbered
// in the file's order, also when a row in the middle re-invoices (and so
// takes its order number on the slow path).
func TestSetCodesNumbersInFileOrder(t *testing.T) {
	ctx := context.Background()
	s, _ := planSvc(t)
	declare(t, s, "22100002", "01") // CMD000001
	if _, err := s.IssueInvoice(ctx, "22100002"); err != nil {
		t.Fatal(err)
	}
	n, rowErrs, err := s.SetCodes(ctx, []CodeChange{
		{StudentID: "22100001", Code: "01", Line: 2},
		{StudentID: "22100002", Code: "14", Reason: "changement", Line: 3},
		{StudentID: "22100003", Code: "42", Line: 4},
	}, "codes.csv")
	if err != nil || len(rowErrs) > 0 || n != 3 {
		t.Fatalf("SetCodes: %d %v %v", n, rowErrs, err)
	}
	for id, want := range map[string]string{"22100001": "CMD000002", "22100002": "CMD000003", "22100003": "CMD000004"} {
		if got := orderNumber(t, s, id); got != want {
			t.Errorf("%s: order %s, want %s", id, got, want)
		}
	}
}

// TestSetCodesTwiceInAFile: a student twice in the rows given to SetCodes
// keeps one current order (the second row replaces the first's), and the
// order series has no gap.
func TestSetCodesTwiceInAFile(t *testing.T) {
	ctx := context.Background()
	s, path := planSvc(t)
	_, rowErrs, err := s.SetCodes(ctx, []CodeChange{
		{StudentID: "22100001", Code: "01", Line: 2},
		{StudentID: "22100003", Code: "42", Line: 3},
		{StudentID: "22100001", Code: "14", Line: 4},
	}, "codes.csv")
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("SetCodes: %v %v", rowErrs, err)
	}
	raw := rawOpen(t, path)
	var orders, current int
	var next int64
	if err := raw.QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE superseded_by IS NULL) FROM orders`).Scan(&orders, &current); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow(`SELECT next FROM sequences WHERE name = 'order'`).Scan(&next); err != nil {
		t.Fatal(err)
	}
	if orders != 2 || current != 2 || next != 3 {
		t.Fatalf("%d orders, %d current, next number %d; want 2, 2, 3", orders, current, next)
	}
	if got := orderNumber(t, s, "22100001"); got != "CMD000001" {
		t.Fatalf("22100001: order %s, want CMD000001", got)
	}
	d, _ := s.DB.Dossier(ctx, "22100001", fees.ExampleYear)
	if d.Code != "14" {
		t.Fatalf("22100001: code %s, want 14", d.Code)
	}
}

// TestSetCodesRefusedRowsWriteNothing: an unknown student and a refused
// code are both reported with their lines, and no order is made.
func TestSetCodesRefusedRowsWriteNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := planSvc(t)
	_, rowErrs, err := s.SetCodes(ctx, []CodeChange{
		{StudentID: "22100001", Code: "01", Line: 2},
		{StudentID: "nobody", Code: "01", Line: 3},
		{StudentID: "22100003", Code: "99", Line: 4},
	}, "codes.csv")
	if err != nil || len(rowErrs) != 2 || rowErrs[0].Line != 3 || rowErrs[1].Line != 4 {
		t.Fatalf("SetCodes: %v %v", rowErrs, err)
	}
	if got := orderNumber(t, s, "22100001"); got != "" {
		t.Fatalf("22100001 has order %s after a refused file", got)
	}
}
