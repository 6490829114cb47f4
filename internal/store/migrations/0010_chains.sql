-- 0010 (issue 17): books that prove themselves.
--
-- Every issued document (invoices and their lines, credit notes), every money movement
-- (payments, allocations, unpaids and voids, refunds, Paybox notifications) and every
-- attempt outcome is chained: the AFTER INSERT trigger of its table computes
-- inpctl_chain(previous head, series, position, name, value, …) over the row's full
-- content and appends the link to chain_links; chain_heads keeps, per series, the
-- number of links, the last hash and the total of the series' amounts. inpctl_chain is
-- SHA-256 registered by package store (chain.go), which also recomputes every chain
-- from the rows in db check: a row changed, removed or added outside these triggers
-- does not match its link (E018); a last row removed with its link leaves the head
-- behind (E019). A seal (db check --seal) signs the heads outside the database.
--
-- A row's content is every column of its table, by name, in the table's order; NULL,
-- '' and 0 are left out, so that a column a later migration adds with such a default
-- leaves the hashes of the older rows as they were. A later migration that adds a
-- column to a chained table re-creates its _chain trigger with the new column.
--
-- Attempts and tariffs change in place (a charge is sent, then approved; a tariff
-- no order uses may change): each version of the row is copied, whole, into
-- attempt_outcomes or tariff_history, which are chained; db check compares every
-- attempt and tariff with its last version (E020). The audit log keeps its own chain
-- (audit.go); its head is kept here too, so that its last rows cannot go unnoticed.
--
-- The rows written before this migration are chained by store.backfillChains, in the
-- migration's transaction.

CREATE TABLE chain_heads (
  series TEXT PRIMARY KEY,
  n INTEGER NOT NULL CHECK (n >= 0),   -- links so far
  head TEXT NOT NULL,                  -- hash of link n ('' before the first)
  total INTEGER NOT NULL DEFAULT 0     -- sum of the series' amounts, in cents
);
CREATE TABLE chain_links (
  series TEXT NOT NULL,
  n INTEGER NOT NULL,                  -- 1, 2, … in the order the rows were written
  k1 INTEGER NOT NULL,                 -- the row: its id (invoice_lines: invoice_id)
  k2 INTEGER NOT NULL DEFAULT 0,       -- invoice_lines: seq
  hash TEXT NOT NULL,
  PRIMARY KEY (series, n)
) WITHOUT ROWID;
CREATE TABLE attempt_outcomes (
  id INTEGER PRIMARY KEY,
  attempt_id INTEGER NOT NULL,
  kind TEXT, reference TEXT, numquestion INTEGER, instalment_id INTEGER, refund_id INTEGER,
  card_id INTEGER, amount INTEGER, state TEXT, code TEXT, text TEXT, numtrans TEXT, numappel TEXT,
  created_at TEXT, resolved_at TEXT, payment_id INTEGER, note TEXT  -- the attempt as it was
);
CREATE TABLE tariff_history (
  id INTEGER PRIMARY KEY,
  programme TEXT NOT NULL,
  year TEXT NOT NULL,
  code TEXT NOT NULL,
  amount INTEGER NOT NULL
);
-- chain_heads gets one row per series from backfillChains.

-- The chain's own guards: a head only moves forward one link at a time; links and
-- versions are never changed or removed.
CREATE TRIGGER chain_heads_forward BEFORE UPDATE ON chain_heads
WHEN NEW.series IS NOT OLD.series OR NEW.n IS NOT OLD.n + 1
BEGIN SELECT RAISE(ABORT, 'chain_heads only moves forward'); END;
CREATE TRIGGER chain_heads_no_delete BEFORE DELETE ON chain_heads
BEGIN SELECT RAISE(ABORT, 'chain_heads is append-only'); END;
CREATE TRIGGER chain_links_no_update BEFORE UPDATE ON chain_links
BEGIN SELECT RAISE(ABORT, 'chain_links is append-only'); END;
CREATE TRIGGER chain_links_no_delete BEFORE DELETE ON chain_links
BEGIN SELECT RAISE(ABORT, 'chain_links is append-only'); END;
CREATE TRIGGER attempt_outcomes_no_update BEFORE UPDATE ON attempt_outcomes
BEGIN SELECT RAISE(ABORT, 'attempt_outcomes is append-only'); END;
CREATE TRIGGER attempt_outcomes_no_delete BEFORE DELETE ON attempt_outcomes
BEGIN SELECT RAISE(ABORT, 'attempt_outcomes is append-only'); END;
CREATE TRIGGER tariff_history_no_update BEFORE UPDATE ON tariff_history
BEGIN SELECT RAISE(ABORT, 'tariff_history is append-only'); END;
CREATE TRIGGER tariff_history_no_delete BEFORE DELETE ON tariff_history
BEGIN SELECT RAISE(ABORT, 'tariff_history is append-only'); END;

-- New guards: an attempt's outcome, once known, is final (the next run would charge an
-- approved debit set back to failed again); attempts and tariffs are never deleted; a
-- tariff an order uses never changes (LoadCatalogue refuses it first and says why).
CREATE TRIGGER attempts_outcome_final BEFORE UPDATE OF state ON attempts
WHEN OLD.state IN ('approved','declined','failed') AND NEW.state IS NOT OLD.state
BEGIN SELECT RAISE(ABORT, 'attempts: an outcome is immutable once known'); END;
CREATE TRIGGER attempts_no_delete BEFORE DELETE ON attempts
BEGIN SELECT RAISE(ABORT, 'attempts is append-only'); END;
CREATE TRIGGER tariffs_no_delete BEFORE DELETE ON tariffs
BEGIN SELECT RAISE(ABORT, 'tariffs is append-only'); END;
CREATE TRIGGER tariffs_in_use BEFORE UPDATE ON tariffs
WHEN EXISTS (SELECT 1 FROM orders o JOIN dossiers d ON d.id = o.dossier_id
  WHERE d.programme = OLD.programme AND d.year = OLD.year AND o.code = OLD.code)
BEGIN SELECT RAISE(ABORT, 'tariffs: a tariff in use is immutable'); END;

-- Every version of an attempt and of a tariff, whole.
CREATE TRIGGER attempts_version_insert AFTER INSERT ON attempts
BEGIN
  INSERT INTO attempt_outcomes(attempt_id, kind, reference, numquestion, instalment_id, refund_id, card_id,
    amount, state, code, text, numtrans, numappel, created_at, resolved_at, payment_id, note)
  VALUES (NEW.id, NEW.kind, NEW.reference, NEW.numquestion, NEW.instalment_id, NEW.refund_id, NEW.card_id,
    NEW.amount, NEW.state, NEW.code, NEW.text, NEW.numtrans, NEW.numappel, NEW.created_at, NEW.resolved_at,
    NEW.payment_id, NEW.note);
END;
CREATE TRIGGER attempts_version_update AFTER UPDATE ON attempts
BEGIN
  INSERT INTO attempt_outcomes(attempt_id, kind, reference, numquestion, instalment_id, refund_id, card_id,
    amount, state, code, text, numtrans, numappel, created_at, resolved_at, payment_id, note)
  VALUES (NEW.id, NEW.kind, NEW.reference, NEW.numquestion, NEW.instalment_id, NEW.refund_id, NEW.card_id,
    NEW.amount, NEW.state, NEW.code, NEW.text, NEW.numtrans, NEW.numappel, NEW.created_at, NEW.resolved_at,
    NEW.payment_id, NEW.note);
END;
CREATE TRIGGER tariffs_version_insert AFTER INSERT ON tariffs
BEGIN
  INSERT INTO tariff_history(programme, year, code, amount) VALUES (NEW.programme, NEW.year, NEW.code, NEW.amount);
END;
CREATE TRIGGER tariffs_version_update AFTER UPDATE ON tariffs
BEGIN
  INSERT INTO tariff_history(programme, year, code, amount) VALUES (NEW.programme, NEW.year, NEW.code, NEW.amount);
END;

-- The audit log's head.
CREATE TRIGGER audit_log_chain AFTER INSERT ON audit_log
BEGIN UPDATE chain_heads SET n = n + 1, head = NEW.hash WHERE series = 'audit_log'; END;

-- The chains.
CREATE TRIGGER invoices_chain AFTER INSERT ON invoices
BEGIN
  UPDATE chain_heads SET n = n + 1, total = total + NEW.ttc,
    head = inpctl_chain(head, 'invoices', n + 1,
      'id', NEW.id, 'number', NEW.number, 'seq', NEW.seq, 'order_id', NEW.order_id,
      'student_id', NEW.student_id, 'date', NEW.date, 'issued_at', NEW.issued_at, 'libelle', NEW.libelle,
      'session', NEW.session, 'client_name', NEW.client_name, 'client_address', NEW.client_address, 'ht', NEW.ht,
      'tva', NEW.tva, 'ttc', NEW.ttc, 'vat_mention', NEW.vat_mention, 'issuer_name', NEW.issuer_name,
      'issuer_address', NEW.issuer_address, 'issuer_siret', NEW.issuer_siret, 'client_siret', NEW.client_siret, 'client_ref', NEW.client_ref,
      'student_name', NEW.student_name, 'due_date', NEW.due_date, 'mentions', NEW.mentions)
  WHERE series = 'invoices';
  INSERT INTO chain_links(series, n, k1, k2, hash)
    SELECT series, n, NEW.id, 0, head FROM chain_heads WHERE series = 'invoices';
END;
CREATE TRIGGER invoice_lines_chain AFTER INSERT ON invoice_lines
BEGIN
  UPDATE chain_heads SET n = n + 1, total = total + NEW.amount_ht,
    head = inpctl_chain(head, 'invoice_lines', n + 1,
      'invoice_id', NEW.invoice_id, 'seq', NEW.seq, 'designation', NEW.designation, 'inscrits', NEW.inscrits,
      'qty', NEW.qty, 'unit_ht', NEW.unit_ht, 'vat_bp', NEW.vat_bp, 'discount_pct', NEW.discount_pct,
      'amount_ht', NEW.amount_ht)
  WHERE series = 'invoice_lines';
  INSERT INTO chain_links(series, n, k1, k2, hash)
    SELECT series, n, NEW.invoice_id, NEW.seq, head FROM chain_heads WHERE series = 'invoice_lines';
END;
CREATE TRIGGER credit_notes_chain AFTER INSERT ON credit_notes
BEGIN
  UPDATE chain_heads SET n = n + 1, total = total + NEW.amount,
    head = inpctl_chain(head, 'credit_notes', n + 1,
      'id', NEW.id, 'number', NEW.number, 'seq', NEW.seq, 'invoice_id', NEW.invoice_id,
      'date', NEW.date, 'issued_at', NEW.issued_at, 'amount', NEW.amount, 'reason', NEW.reason,
      'issuer_name', NEW.issuer_name, 'issuer_address', NEW.issuer_address, 'issuer_siret', NEW.issuer_siret)
  WHERE series = 'credit_notes';
  INSERT INTO chain_links(series, n, k1, k2, hash)
    SELECT series, n, NEW.id, 0, head FROM chain_heads WHERE series = 'credit_notes';
END;
CREATE TRIGGER payments_chain AFTER INSERT ON payments
BEGIN
  UPDATE chain_heads SET n = n + 1, total = total + NEW.amount,
    head = inpctl_chain(head, 'payments', n + 1,
      'id', NEW.id, 'number', NEW.number, 'student_id', NEW.student_id, 'date', NEW.date,
      'amount', NEW.amount, 'method', NEW.method, 'ref', NEW.ref, 'numtrans', NEW.numtrans,
      'numappel', NEW.numappel, 'attempt_id', NEW.attempt_id, 'pay_request_id', NEW.pay_request_id, 'created_at', NEW.created_at,
      'payer_id', NEW.payer_id)
  WHERE series = 'payments';
  INSERT INTO chain_links(series, n, k1, k2, hash)
    SELECT series, n, NEW.id, 0, head FROM chain_heads WHERE series = 'payments';
END;
CREATE TRIGGER allocations_chain AFTER INSERT ON allocations
BEGIN
  UPDATE chain_heads SET n = n + 1, total = total + NEW.amount,
    head = inpctl_chain(head, 'allocations', n + 1,
      'id', NEW.id, 'payment_id', NEW.payment_id, 'invoice_id', NEW.invoice_id, 'amount', NEW.amount,
      'created_at', NEW.created_at)
  WHERE series = 'allocations';
  INSERT INTO chain_links(series, n, k1, k2, hash)
    SELECT series, n, NEW.id, 0, head FROM chain_heads WHERE series = 'allocations';
END;
CREATE TRIGGER unpaids_chain AFTER INSERT ON unpaids
BEGIN
  UPDATE chain_heads SET n = n + 1, total = total + COALESCE((SELECT amount FROM payments WHERE id = NEW.payment_id), 0),
    head = inpctl_chain(head, 'unpaids', n + 1,
      'id', NEW.id, 'payment_id', NEW.payment_id, 'date', NEW.date, 'reason', NEW.reason,
      'created_at', NEW.created_at, 'kind', NEW.kind)
  WHERE series = 'unpaids';
  INSERT INTO chain_links(series, n, k1, k2, hash)
    SELECT series, n, NEW.id, 0, head FROM chain_heads WHERE series = 'unpaids';
END;
CREATE TRIGGER refunds_chain AFTER INSERT ON refunds
BEGIN
  UPDATE chain_heads SET n = n + 1, total = total + NEW.amount,
    head = inpctl_chain(head, 'refunds', n + 1,
      'id', NEW.id, 'student_id', NEW.student_id, 'payment_id', NEW.payment_id, 'date', NEW.date,
      'amount', NEW.amount, 'method', NEW.method, 'reason', NEW.reason, 'numtrans', NEW.numtrans,
      'numappel', NEW.numappel, 'created_at', NEW.created_at)
  WHERE series = 'refunds';
  INSERT INTO chain_links(series, n, k1, k2, hash)
    SELECT series, n, NEW.id, 0, head FROM chain_heads WHERE series = 'refunds';
END;
CREATE TRIGGER notifications_chain AFTER INSERT ON notifications
BEGIN
  UPDATE chain_heads SET n = n + 1, total = total + NEW.amount,
    head = inpctl_chain(head, 'notifications', n + 1,
      'id', NEW.id, 'cmd', NEW.cmd, 'pay_request_id', NEW.pay_request_id, 'numtrans', NEW.numtrans,
      'numappel', NEW.numappel, 'auth', NEW.auth, 'code', NEW.code, 'amount', NEW.amount,
      'payment_id', NEW.payment_id, 'outcome', NEW.outcome, 'created_at', NEW.created_at)
  WHERE series = 'notifications';
  INSERT INTO chain_links(series, n, k1, k2, hash)
    SELECT series, n, NEW.id, 0, head FROM chain_heads WHERE series = 'notifications';
END;
CREATE TRIGGER attempt_outcomes_chain AFTER INSERT ON attempt_outcomes
BEGIN
  UPDATE chain_heads SET n = n + 1,
    head = inpctl_chain(head, 'attempt_outcomes', n + 1,
      'id', NEW.id, 'attempt_id', NEW.attempt_id, 'kind', NEW.kind, 'reference', NEW.reference,
      'numquestion', NEW.numquestion, 'instalment_id', NEW.instalment_id, 'refund_id', NEW.refund_id, 'card_id', NEW.card_id,
      'amount', NEW.amount, 'state', NEW.state, 'code', NEW.code, 'text', NEW.text,
      'numtrans', NEW.numtrans, 'numappel', NEW.numappel, 'created_at', NEW.created_at, 'resolved_at', NEW.resolved_at,
      'payment_id', NEW.payment_id, 'note', NEW.note)
  WHERE series = 'attempt_outcomes';
  INSERT INTO chain_links(series, n, k1, k2, hash)
    SELECT series, n, NEW.id, 0, head FROM chain_heads WHERE series = 'attempt_outcomes';
END;
CREATE TRIGGER tariff_history_chain AFTER INSERT ON tariff_history
BEGIN
  UPDATE chain_heads SET n = n + 1,
    head = inpctl_chain(head, 'tariff_history', n + 1,
      'id', NEW.id, 'programme', NEW.programme, 'year', NEW.year, 'code', NEW.code,
      'amount', NEW.amount)
  WHERE series = 'tariff_history';
  INSERT INTO chain_links(series, n, k1, k2, hash)
    SELECT series, n, NEW.id, 0, head FROM chain_heads WHERE series = 'tariff_history';
END;
