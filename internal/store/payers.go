package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/inpctl/inpctl/internal/money"
)

// Payer is the third party (a company, an OPCO) that pays a dossier's
// order instead of the student (SPEC §4, codes 42 and 08).
type Payer struct {
	ID        int64  `json:"-"`
	DossierID int64  `json:"-"`
	Name      string `json:"name"`
	SIRET     string `json:"siret"`
	Address   string `json:"address"` // one line each, "\n" between
	PORef     string `json:"po_ref"`  // purchase order or contract reference
	// Share is the part of the order's TTC the payer pays (set-payer
	// --share); 0 is the whole order.
	Share money.Cents `json:"share_cents"`
	SetAt string      `json:"set_at"`
}

// SetPayer records the payer of a dossier, replacing an earlier one.
func (tx *Tx) SetPayer(ctx context.Context, p Payer) (Payer, error) {
	p.SetAt = ts(tx.Now)
	_, err := tx.exec(ctx, `INSERT INTO payers(dossier_id, name, siret, address, po_ref, share, set_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(dossier_id) DO UPDATE SET name = excluded.name, siret = excluded.siret, address = excluded.address,
		po_ref = excluded.po_ref, share = excluded.share, set_at = excluded.set_at`, p.DossierID, p.Name, p.SIRET, p.Address, p.PORef, p.Share, p.SetAt)
	if err != nil {
		return p, err
	}
	q, _, err := tx.PayerOf(ctx, p.DossierID)
	return q, err
}

// PayerOf returns the payer of a dossier, if it has one.
func (tx *Tx) PayerOf(ctx context.Context, dossierID int64) (Payer, bool, error) {
	var p Payer
	err := tx.queryRow(ctx, `SELECT id, dossier_id, name, siret, address, po_ref, share, set_at FROM payers WHERE dossier_id = ?`, dossierID).
		Scan(&p.ID, &p.DossierID, &p.Name, &p.SIRET, &p.Address, &p.PORef, &p.Share, &p.SetAt)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	return p, err == nil, err
}
