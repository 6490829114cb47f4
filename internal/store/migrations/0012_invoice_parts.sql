-- 0012 (issue 16): a payer may pay only a share of an order (dossier set-payer --share).
--
-- The order then has two invoices: the payer's, for the share, and the student's, for the
-- rest. An invoice says which part of its order it is: '' the whole order (every invoice
-- issued before this migration, and every order without a share), 'student' or 'payer'.
-- The whole is '' rather than a word so that the chain of the invoices (0010) hashes the
-- older rows as it did: a column's empty value is left out of a link.
--
-- invoices.order_id was UNIQUE (0001). SQLite cannot drop a column constraint, so the
-- table is rebuilt: its rows are kept in a temporary table, the table is created again
-- with UNIQUE (order_id, part) and the new column last (the chain hashes the columns in
-- the table's order), the rows are copied back with their ids, and the index and
-- triggers DROP TABLE took are created again, as 0001 and 0010 define them. The table is
-- not renamed: renaming would rewrite, or break, what refers to it by name. Dropping the
-- table deletes its rows for the foreign keys of invoice_lines, credit_notes and
-- allocations; deferred, they hold again when the rows are back, before the commit.
-- The triggers are created after the copy: the rows keep their links in chain_links.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE invoices_0012 AS SELECT * FROM invoices;
DROP TABLE invoices;
CREATE TABLE invoices (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  seq INTEGER NOT NULL UNIQUE,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  student_id TEXT NOT NULL REFERENCES students(id),
  date TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  libelle TEXT NOT NULL,
  session TEXT NOT NULL,
  client_name TEXT NOT NULL,
  client_address TEXT NOT NULL,
  ht INTEGER NOT NULL, tva INTEGER NOT NULL, ttc INTEGER NOT NULL CHECK (ttc > 0),
  vat_mention TEXT NOT NULL,
  issuer_name TEXT NOT NULL DEFAULT '',
  issuer_address TEXT NOT NULL DEFAULT '',
  issuer_siret TEXT NOT NULL DEFAULT '',
  client_siret TEXT NOT NULL DEFAULT '',
  client_ref TEXT NOT NULL DEFAULT '',
  student_name TEXT NOT NULL DEFAULT '',
  due_date TEXT NOT NULL DEFAULT '',
  mentions TEXT NOT NULL DEFAULT '',
  part TEXT NOT NULL DEFAULT '' CHECK (part IN ('', 'student', 'payer')),
  UNIQUE (order_id, part)
);
INSERT INTO invoices(id, number, seq, order_id, student_id, date, issued_at, libelle, session, client_name, client_address,
  ht, tva, ttc, vat_mention, issuer_name, issuer_address, issuer_siret, client_siret, client_ref, student_name, due_date, mentions)
SELECT id, number, seq, order_id, student_id, date, issued_at, libelle, session, client_name, client_address,
  ht, tva, ttc, vat_mention, issuer_name, issuer_address, issuer_siret, client_siret, client_ref, student_name, due_date, mentions
FROM temp.invoices_0012 ORDER BY id;
DROP TABLE temp.invoices_0012;

CREATE INDEX invoices_student ON invoices(student_id);
CREATE TRIGGER invoices_no_update BEFORE UPDATE ON invoices
BEGIN SELECT RAISE(ABORT, 'invoices is immutable once issued'); END;
CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices
BEGIN SELECT RAISE(ABORT, 'invoices is immutable once issued'); END;
-- An order has one invoice for the whole, or its two parts, never both.
CREATE TRIGGER invoices_parts BEFORE INSERT ON invoices
WHEN EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = NEW.order_id AND (i.part = '' OR NEW.part = ''))
BEGIN SELECT RAISE(ABORT, 'invoices: an order is invoiced whole or in parts, not both'); END;
CREATE TRIGGER invoices_chain AFTER INSERT ON invoices
BEGIN
  UPDATE chain_heads SET n = n + 1, total = total + NEW.ttc,
    head = inpctl_chain(head, 'invoices', n + 1,
      'id', NEW.id, 'number', NEW.number, 'seq', NEW.seq, 'order_id', NEW.order_id,
      'student_id', NEW.student_id, 'date', NEW.date, 'issued_at', NEW.issued_at, 'libelle', NEW.libelle,
      'session', NEW.session, 'client_name', NEW.client_name, 'client_address', NEW.client_address, 'ht', NEW.ht,
      'tva', NEW.tva, 'ttc', NEW.ttc, 'vat_mention', NEW.vat_mention, 'issuer_name', NEW.issuer_name,
      'issuer_address', NEW.issuer_address, 'issuer_siret', NEW.issuer_siret, 'client_siret', NEW.client_siret, 'client_ref', NEW.client_ref,
      'student_name', NEW.student_name, 'due_date', NEW.due_date, 'mentions', NEW.mentions, 'part', NEW.part)
  WHERE series = 'invoices';
  INSERT INTO chain_links(series, n, k1, k2, hash)
    SELECT series, n, NEW.id, 0, head FROM chain_heads WHERE series = 'invoices';
END;

-- The payer's share of the order's TTC, in cents; 0 is the whole order.
ALTER TABLE payers ADD COLUMN share INTEGER NOT NULL DEFAULT 0 CHECK (share >= 0);
