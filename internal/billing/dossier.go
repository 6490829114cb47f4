package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/store"
)

// CodeChange is one fee code to set.
type CodeChange struct {
	StudentID, Code, Proof, Reason string
	Line                           int // line of a bulk file (0 for one student)
}

// CodeResult is what setting a code did.
type CodeResult struct {
	Dossier store.Dossier `json:"dossier"`
	Order   store.Order   `json:"order"`
	// Reinvoiced is set when the old order was invoiced: its invoice was
	// cancelled by a credit note and a new order (and invoice) made.
	Reinvoiced *Reinvoice `json:"reinvoiced,omitempty"`
}

// RowError is a rule refusal on one line of a bulk file.
type RowError struct {
	Line int
	Err  error
}

// SetCode declares a fee code for a student's dossier and (re)makes the
// order, in one transaction.
func (s *Service) SetCode(ctx context.Context, c CodeChange) (CodeResult, error) {
	var res CodeResult
	s.waitForCharges(ctx, c.StudentID)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = s.setCode(ctx, tx, c)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "dossier:"+c.StudentID, codeSummary(c, res))
	})
	return res, err
}

// SetCodes sets many codes all or nothing: every refused row is returned
// with its line, and then nothing is written.
func (s *Service) SetCodes(ctx context.Context, changes []CodeChange, file string) (int, []RowError, error) {
	var rowErrs []RowError
	reinvoiced := 0
	errRows := errors.New("rows refused")
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		b := &codeBatch{s: s, tx: tx, date: s.today(tx).String()}
		for start := 0; start < len(changes); start += codeChunk {
			chunk := changes[start:min(start+codeChunk, len(changes))]
			if err := b.run(ctx, chunk); err != nil {
				return err
			}
		}
		rowErrs, reinvoiced = b.rowErrs, b.reinvoiced
		if len(rowErrs) > 0 {
			return errRows
		}
		return tx.Audit(ctx, "dossiers", fmt.Sprintf("set-code --from %s: %d codes set, %d re-invoiced", file, len(changes), reinvoiced))
	})
	if errors.Is(err, errRows) {
		return 0, rowErrs, nil
	}
	return len(changes), nil, err
}

// codeChunk is how many rows of a code file are read from the database in
// one query.
const codeChunk = 500

// codeBatch applies a code file a chunk at a time. A dossier without an
// order (every dossier of a first code file) takes the fast path: its
// dossier was read with the chunk's, and its new order waits in pending to
// be created with the others, numbered from one block of the sequence. Any
// other row goes through setCode, as one change does, after the pending
// orders are created: the orders are numbered in the file's order either
// way.
type codeBatch struct {
	s          *Service
	tx         *store.Tx
	date       string
	declared   []store.Dossier // written by flush, before the orders
	pending    []store.Order
	rowErrs    []RowError
	reinvoiced int
}

func (b *codeBatch) run(ctx context.Context, chunk []CodeChange) error {
	ids := make([]string, len(chunk))
	for i, c := range chunk {
		ids[i] = c.StudentID
	}
	ds, err := b.tx.DossiersOf(ctx, b.s.Year, ids)
	if err != nil {
		return err
	}
	seen := make(map[string]bool, len(chunk))
	for _, c := range chunk {
		d, ok := ds[c.StudentID]
		// A student twice in the chunk: the second row must see what the
		// first did, so it reads the dossier again (slow path).
		if !ok || d.OrderID != 0 || seen[c.StudentID] {
			if err := b.slow(ctx, c); err != nil {
				return err
			}
			continue
		}
		seen[c.StudentID] = true
		dd, lines, t, err := b.s.declare(d.Dossier, c)
		if err != nil {
			if err := b.refuse(c, err); err != nil {
				return err
			}
			continue
		}
		b.declared = append(b.declared, dd)
		b.pending = append(b.pending, store.Order{DossierID: dd.ID, Date: b.date, Code: c.Code, Lines: lines,
			HT: t.HT, TVA: t.TVA, TTC: t.TTC, Financed: t.Financed})
	}
	return b.flush(ctx)
}

// slow applies one change with setCode, after the pending orders.
func (b *codeBatch) slow(ctx context.Context, c CodeChange) error {
	if err := b.flush(ctx); err != nil {
		return err
	}
	res, err := b.s.setCode(ctx, b.tx, c)
	if err != nil {
		return b.refuse(c, err)
	}
	if res.Reinvoiced != nil {
		b.reinvoiced++
	}
	return nil
}

// refuse records a row's refusal; a failure (not the row's fault: the
// database, the disk) is returned and ends the file.
func (b *codeBatch) refuse(c CodeChange, err error) error {
	if fault.KindOf(err) == fault.Failure {
		return err
	}
	b.rowErrs = append(b.rowErrs, RowError{c.Line, err})
	return nil
}

func (b *codeBatch) flush(ctx context.Context) error {
	if len(b.pending) == 0 {
		return nil
	}
	if err := b.tx.UpdateDossiers(ctx, b.declared); err != nil {
		return err
	}
	_, err := b.tx.CreateOrders(ctx, b.pending)
	b.declared, b.pending = b.declared[:0], b.pending[:0]
	return err
}

// declare checks the code c against dossier d and returns the dossier as
// declared (the caller writes it) and the order it needs.
func (s *Service) declare(d store.Dossier, c CodeChange) (store.Dossier, []fees.Line, fees.Totals, error) {
	f := d.Facts()
	if c.Proof != "" {
		f.Proof = c.Proof
	}
	if err := fees.CheckDeclare(s.Cat, f, c.Code, c.Reason); err != nil {
		return d, nil, fees.Totals{}, err
	}
	lines, t, err := fees.OrderFor(s.Cat, d.Programme, s.Year, c.Code)
	if err != nil {
		return d, nil, fees.Totals{}, err
	}
	d.Status, d.Code, d.Proof, d.Reason = string(fees.DossierDeclared), c.Code, f.Proof, c.Reason
	return d, lines, t, nil
}

func (s *Service) setCode(ctx context.Context, tx *store.Tx, c CodeChange) (CodeResult, error) {
	d, err := tx.Dossier(ctx, c.StudentID, s.Year)
	if err != nil {
		return CodeResult{}, err
	}
	if err := s.guardCharges(ctx, tx, c.StudentID); err != nil {
		return CodeResult{}, err
	}
	d, lines, totals, err := s.declare(d, c)
	if err != nil {
		return CodeResult{}, err
	}
	if err := tx.UpdateDossier(ctx, d); err != nil {
		return CodeResult{}, err
	}
	res := CodeResult{Dossier: d}
	cur, ok, err := tx.CurrentOrder(ctx, d.ID)
	if err != nil {
		return res, err
	}
	date := s.today(tx).String()
	if ok && cur.Invoiced {
		res.Order, res.Reinvoiced, err = s.reinvoice(ctx, tx, d, cur, c, lines, totals)
	} else {
		if ok && cur.TTC != totals.TTC {
			// Plan amounts were fixed for the old total: the plan goes.
			if err := s.cancelLivePlan(ctx, tx, cur.ID, "order amount changed"); err != nil {
				return res, err
			}
		}
		res.Order, err = tx.SaveOrderOver(ctx, d.ID, cur, ok, c.Code, date, lines, totals)
	}
	res.Dossier.OrderNumber, res.Dossier.TotalTTC = res.Order.Number, res.Order.TTC
	return res, err
}

func codeSummary(c CodeChange, r CodeResult) string {
	s := fmt.Sprintf("code %s set, order %s %s", c.Code, r.Order.Number, eur(r.Order.TTC))
	if c.Proof != "" {
		s += ", proof recorded"
	}
	if c.Reason != "" {
		s += ", reason: " + c.Reason
	}
	if r.Reinvoiced != nil {
		s += fmt.Sprintf("; invoice %s cancelled by credit note %s", r.Reinvoiced.OldInvoice, r.Reinvoiced.CreditNote)
	}
	return s
}

// Validate validates one dossier after the supporting documents were checked.
func (s *Service) Validate(ctx context.Context, studentID string) (store.Dossier, error) {
	var d store.Dossier
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		d, err = tx.Dossier(ctx, studentID, s.Year)
		if err != nil {
			return err
		}
		if err := fees.CheckValidate(s.Cat, d.Facts(), d.Code); err != nil {
			return err
		}
		d.Status = string(fees.DossierValidated)
		if err := tx.UpdateDossier(ctx, d); err != nil {
			return err
		}
		return tx.Audit(ctx, "dossier:"+studentID, "validated with code "+d.Code)
	})
	return d, err
}

// ValidateAll validates every declared dossier (of a programme), all or
// nothing: every refusal is returned and then nothing is written.
func (s *Service) ValidateAll(ctx context.Context, programme string) (int, []error, error) {
	var refused []error
	n := 0
	errRows := errors.New("refused")
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ds, err := tx.Dossiers(ctx, store.DossierFilter{Year: s.Year, Status: string(fees.DossierDeclared), Programme: programme})
		if err != nil {
			return err
		}
		for _, d := range ds {
			if err := fees.CheckValidate(s.Cat, d.Facts(), d.Code); err != nil {
				refused = append(refused, err)
				continue
			}
			d.Status = string(fees.DossierValidated)
			if err := tx.UpdateDossier(ctx, d); err != nil {
				return err
			}
			n++
		}
		if len(refused) > 0 {
			return errRows
		}
		return tx.Audit(ctx, "dossiers", fmt.Sprintf("validate --all-declared %s: %d validated", programme, n))
	})
	if errors.Is(err, errRows) {
		return 0, refused, nil
	}
	return n, nil, err
}

// Reject rejects a declared dossier with a reason; the student can then be
// given a new code.
func (s *Service) Reject(ctx context.Context, studentID, reason string) (store.Dossier, error) {
	var d store.Dossier
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		d, err = tx.Dossier(ctx, studentID, s.Year)
		if err != nil {
			return err
		}
		if err := fees.CheckReject(d.Facts(), reason); err != nil {
			return err
		}
		d.Status, d.Reason = string(fees.DossierRejected), reason
		if err := tx.UpdateDossier(ctx, d); err != nil {
			return err
		}
		return tx.Audit(ctx, "dossier:"+studentID, "rejected: "+reason)
	})
	return d, err
}
