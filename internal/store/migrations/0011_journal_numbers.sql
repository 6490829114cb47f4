-- 0011 (issue 20): entries, once exported for a closed period, are never renumbered.
--
-- An export of the journal (inpctl journal) for a period whose last day is past records
-- what it numbered: one row per movement (the invoice, credit note, payment, unpaid, void
-- or refund row the entry books), with the journal and the EcritureNum it was given, and
-- the export that gave it. A later export, of the same period or one overlapping it, gives
-- a recorded movement its recorded number; a movement without one gets the next number of
-- its journal after every number recorded. A number is never given twice (the unique
-- index) and a record is never changed (the triggers).
CREATE TABLE journal_exports (
  id INTEGER PRIMARY KEY,
  date_from TEXT NOT NULL,
  date_to TEXT NOT NULL,
  at TEXT NOT NULL,
  operator TEXT NOT NULL
);
CREATE TABLE journal_numbers (
  kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note', 'payment', 'unpaid', 'void', 'refund')),
  movement_id INTEGER NOT NULL,
  journal TEXT NOT NULL,           -- JournalCode
  journal_lib TEXT NOT NULL,       -- JournalLib, as exported
  seq INTEGER NOT NULL CHECK (seq > 0),
  date TEXT NOT NULL,              -- EcritureDate (YYYY-MM-DD)
  export_id INTEGER NOT NULL REFERENCES journal_exports(id),
  PRIMARY KEY (kind, movement_id),
  UNIQUE (journal, seq)
);
CREATE TRIGGER journal_exports_no_update BEFORE UPDATE ON journal_exports
BEGIN SELECT RAISE(ABORT, 'journal_exports is append-only'); END;
CREATE TRIGGER journal_exports_no_delete BEFORE DELETE ON journal_exports
BEGIN SELECT RAISE(ABORT, 'journal_exports is append-only'); END;
CREATE TRIGGER journal_numbers_no_update BEFORE UPDATE ON journal_numbers
BEGIN SELECT RAISE(ABORT, 'journal_numbers is append-only'); END;
CREATE TRIGGER journal_numbers_no_delete BEFORE DELETE ON journal_numbers
BEGIN SELECT RAISE(ABORT, 'journal_numbers is append-only'); END;
