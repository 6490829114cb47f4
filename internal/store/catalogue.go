package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
)

// Numbering is where each document series starts and its prefix.
type Numbering struct {
	OrderPrefix, InvoicePrefix, CreditNotePrefix, PaymentPrefix string
	OrderStart, InvoiceStart, CreditNoteStart, PaymentStart     int64
}

// CatalogueChange counts what LoadCatalogue changed.
type CatalogueChange struct {
	Codes, Programmes, TariffsAdded, TariffsChanged, Unchanged int
}

// LoadCatalogue writes the catalogue into the database, idempotently, and
// creates the document series. A tariff already used by an order is never
// changed in place: changing it is refused (conflict) and nothing is written.
func (db *DB) LoadCatalogue(ctx context.Context, cat fees.Catalogue, n Numbering) (CatalogueChange, error) {
	var ch CatalogueChange
	err := db.inTx(ctx, func(tx *Tx) error {
		for _, s := range []struct {
			name, prefix string
			start        int64
		}{
			{SeqOrder, n.OrderPrefix, n.OrderStart}, {SeqInvoice, n.InvoicePrefix, n.InvoiceStart},
			{SeqCreditNote, n.CreditNotePrefix, n.CreditNoteStart}, {SeqPayment, n.PaymentPrefix, n.PaymentStart},
			{SeqNumQuestion, "", 1}, {SeqAttempt, randomPrefix(), 1},
		} {
			if err := tx.ensureSequence(ctx, s.name, s.prefix, s.start); err != nil {
				return err
			}
		}
		for _, id := range sortedKeys(cat.Codes) {
			c := cat.Codes[id]
			if _, err := tx.exec(ctx, `INSERT INTO fee_codes(code, label, needs_proof, financed) VALUES (?, ?, ?, ?)
				ON CONFLICT(school, code) DO UPDATE SET label=excluded.label, needs_proof=excluded.needs_proof, financed=excluded.financed`,
				id, c.Label, c.NeedsProof, c.Financed); err != nil {
				return err
			}
			ch.Codes++
		}
		for _, id := range sortedKeys(cat.Programmes) {
			if err := tx.loadProgramme(ctx, cat.Programmes[id], &ch); err != nil {
				return err
			}
			ch.Programmes++
		}
		return tx.audit(ctx, "catalogue", fmt.Sprintf("loaded %d codes, %d programmes; tariffs %d added, %d changed",
			ch.Codes, ch.Programmes, ch.TariffsAdded, ch.TariffsChanged))
	})
	return ch, err
}

func (tx *Tx) loadProgramme(ctx context.Context, p fees.Programme, ch *CatalogueChange) error {
	sessions, err := json.Marshal(p.Sessions)
	if err != nil || p.Sessions == nil {
		sessions = []byte("{}")
	}
	if _, err := tx.exec(ctx, `INSERT INTO programmes(id, label, session, diploma, apprenticeship, session_year, sessions) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(school, id) DO UPDATE SET label=excluded.label, session=excluded.session,
		diploma=excluded.diploma, apprenticeship=excluded.apprenticeship, session_year=excluded.session_year, sessions=excluded.sessions`,
		p.ID, p.Label, p.Session, p.Diploma, p.Apprenticeship, p.SessionYear, string(sessions)); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM programme_codes WHERE programme = ?`, p.ID); err != nil {
		return err
	}
	for _, c := range p.Codes {
		if _, err := tx.exec(ctx, `INSERT INTO programme_codes(programme, code) VALUES (?, ?)`, p.ID, c); err != nil {
			return err
		}
	}
	for _, year := range sortedKeys(p.Tariffs) {
		for _, code := range sortedKeys(p.Tariffs[year]) {
			if err := tx.loadTariff(ctx, p.ID, year, code, p.Tariffs[year][code], ch); err != nil {
				return err
			}
		}
	}
	return nil
}

func (tx *Tx) loadTariff(ctx context.Context, prog, year, code string, amount money.Cents, ch *CatalogueChange) error {
	var old money.Cents
	err := tx.queryRow(ctx, `SELECT amount FROM tariffs WHERE programme=? AND year=? AND code=?`, prog, year, code).Scan(&old)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		ch.TariffsAdded++
		_, err = tx.exec(ctx, `INSERT INTO tariffs(programme, year, code, amount) VALUES (?, ?, ?, ?)`, prog, year, code, amount)
		return err
	case err != nil:
		return err
	case old == amount:
		ch.Unchanged++
		return nil
	}
	var used int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM orders o JOIN dossiers d ON d.id = o.dossier_id
		WHERE d.programme=? AND d.year=? AND o.code=?`, prog, year, code).Scan(&used); err != nil {
		return err
	}
	if used > 0 {
		return fault.New(fault.Conflict, "tariff %s %s code %s is used by %d order(s): it cannot change from %s to %s",
			prog, year, code, used, old, amount).
			WithHint("a tariff in use stays as it is; correct individual orders with credit notes")
	}
	ch.TariffsChanged++
	_, err = tx.exec(ctx, `UPDATE tariffs SET amount=? WHERE programme=? AND year=? AND code=?`, amount, prog, year, code)
	return err
}

// Catalogue reads the catalogue back from the database.
func (db *DB) Catalogue(ctx context.Context) (fees.Catalogue, error) {
	cat := fees.Catalogue{Codes: map[string]fees.Code{}, Programmes: map[string]fees.Programme{}}
	rows, err := db.sql.QueryContext(ctx, `SELECT code, label, needs_proof, financed FROM fee_codes`)
	if err != nil {
		return cat, mapErr(err)
	}
	for rows.Next() {
		var c fees.Code
		if err := rows.Scan(&c.ID, &c.Label, &c.NeedsProof, &c.Financed); err != nil {
			rows.Close()
			return cat, err
		}
		cat.Codes[c.ID] = c
	}
	rows.Close()
	rows, err = db.sql.QueryContext(ctx, `SELECT id, label, session, diploma, apprenticeship, session_year, sessions,
		COALESCE((SELECT group_concat(code, ',') FROM (SELECT code FROM programme_codes pc WHERE pc.programme = p.id ORDER BY code) codes), '')
		FROM programmes p`)
	if err != nil {
		return cat, mapErr(err)
	}
	for rows.Next() {
		var p fees.Programme
		var codes, sessions string
		if err := rows.Scan(&p.ID, &p.Label, &p.Session, &p.Diploma, &p.Apprenticeship, &p.SessionYear, &sessions, &codes); err != nil {
			rows.Close()
			return cat, err
		}
		if err := json.Unmarshal([]byte(sessions), &p.Sessions); err != nil {
			rows.Close()
			return cat, fmt.Errorf("programme %s: sessions %q: %w", p.ID, sessions, err)
		}
		if codes != "" {
			p.Codes = strings.Split(codes, ",")
		}
		p.Tariffs = map[string]map[string]money.Cents{}
		cat.Programmes[p.ID] = p
	}
	rows.Close()
	rows, err = db.sql.QueryContext(ctx, `SELECT programme, year, code, amount FROM tariffs`)
	if err != nil {
		return cat, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var prog, year, code string
		var amount money.Cents
		if err := rows.Scan(&prog, &year, &code, &amount); err != nil {
			return cat, err
		}
		if cat.Programmes[prog].Tariffs[year] == nil {
			cat.Programmes[prog].Tariffs[year] = map[string]money.Cents{}
		}
		cat.Programmes[prog].Tariffs[year][code] = amount
	}
	return cat, rows.Err()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
