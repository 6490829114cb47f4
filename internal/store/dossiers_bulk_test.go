package store

import (
	"context"
	"fmt"
	"testing"
)

// TestBulkDossiersAndOrders: DossiersOf reads what Dossier reads,
// UpdateDossiers writes what UpdateDossier would (a full batch of 64 and
// the rest, in two groups), and CreateOrders numbers from one block with no
// gap.
func TestBulkDossiersAndOrders(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	var rows []ImportRow
	var ids []string
	for i := range 70 {
		id := fmt.Sprintf("221%05d", i)
		ids = append(ids, id)
		rows = append(rows, ImportRow{Student: Student{ID: id, LastName: "L", FirstName: "F", Email: "a@b.fr", Programme: "ING-GC-3A"}, Year: "2025-2026", Line: i + 2})
	}
	if _, _, err := db.ImportStudents(ctx, "s.csv", rows, false, nil); err != nil {
		t.Fatal(err)
	}
	err := db.InTx(ctx, func(tx *Tx) error {
		ds, err := tx.DossiersOf(ctx, "2025-2026", append(ids, "nobody"))
		if err != nil {
			return err
		}
		if len(ds) != 70 {
			return fmt.Errorf("%d dossiers, want 70", len(ds))
		}
		var upd []Dossier
		var orders []Order
		for i, id := range ids {
			d := ds[id].Dossier
			if one, err := tx.Dossier(ctx, id, "2025-2026"); err != nil || one != d || ds[id].OrderID != 0 {
				return fmt.Errorf("%s: %+v, Dossier gives %+v (%v)", id, ds[id], one, err)
			}
			d.Status, d.Code = "declared", "01"
			if i%10 == 0 {
				d.Proof = "p"
			}
			upd = append(upd, d)
			orders = append(orders, Order{DossierID: d.ID, Date: "2025-09-01", Code: "01", TTC: 100})
		}
		if err := tx.UpdateDossiers(ctx, upd); err != nil {
			return err
		}
		for _, want := range upd {
			got, err := tx.Dossier(ctx, want.StudentID, "2025-2026")
			if err != nil || got.Status != "declared" || got.Code != "01" || got.Proof != want.Proof {
				return fmt.Errorf("%s: %+v (%v), want code 01 proof %q", want.StudentID, got, err, want.Proof)
			}
		}
		made, err := tx.CreateOrders(ctx, orders)
		if err != nil {
			return err
		}
		for i, o := range made {
			if want := fmt.Sprintf("CMD%06d", i+1); o.Number != want || o.ID == 0 {
				return fmt.Errorf("order %d: %s id %d, want %s", i, o.Number, o.ID, want)
			}
		}
		_, next, err := tx.next(ctx, SeqOrder)
		if err != nil || next != 71 {
			return fmt.Errorf("next order number %d (%v), want 71", next, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
