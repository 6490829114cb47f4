-- 0007 (issue 16): an issued document keeps everything its PDF prints that could
-- later change, and an order may be paid by a third party (a company, an OPCO).
-- (There is no 0005: that number was reserved and never used.)
--
-- Documents issued before this migration have empty issuer columns; they render
-- with the issuer of the config, as they always did (billing.documentIssuer).
ALTER TABLE invoices ADD COLUMN issuer_name TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN issuer_address TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN issuer_siret TEXT NOT NULL DEFAULT '';
-- The client is the student, or the payer of a financed order: then the invoice
-- names the student, the payer's SIRET and purchase-order reference, its due date
-- and the mentions of an invoice to a business (Code de commerce L441-9, L441-10, D441-5).
ALTER TABLE invoices ADD COLUMN client_siret TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN client_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN student_name TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN due_date TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN mentions TEXT NOT NULL DEFAULT '';
ALTER TABLE credit_notes ADD COLUMN issuer_name TEXT NOT NULL DEFAULT '';
ALTER TABLE credit_notes ADD COLUMN issuer_address TEXT NOT NULL DEFAULT '';
ALTER TABLE credit_notes ADD COLUMN issuer_siret TEXT NOT NULL DEFAULT '';

-- The payer of a dossier's order (dossier set-payer): one per dossier, replaced
-- by a later set-payer (the audit log keeps the earlier ones).
CREATE TABLE payers (
  id INTEGER PRIMARY KEY,
  dossier_id INTEGER NOT NULL UNIQUE REFERENCES dossiers(id),
  name TEXT NOT NULL CHECK (name <> ''),
  siret TEXT NOT NULL CHECK (length(siret) = 14),
  address TEXT NOT NULL DEFAULT '',
  po_ref TEXT NOT NULL DEFAULT '',
  set_at TEXT NOT NULL
);
-- A payment made by the payer (payment record --payer).
ALTER TABLE payments ADD COLUMN payer_id INTEGER REFERENCES payers(id);

-- The session name of each academic year: session is the one of session_year
-- (the config's academic_year when the catalogue was loaded); sessions (JSON,
-- year → name) the others the config names. An invoice prints the session of its
-- own year (fees.Programme.SessionFor).
ALTER TABLE programmes ADD COLUMN session_year TEXT NOT NULL DEFAULT '';
ALTER TABLE programmes ADD COLUMN sessions TEXT NOT NULL DEFAULT '{}';
