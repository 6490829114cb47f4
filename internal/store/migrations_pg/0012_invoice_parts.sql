-- 0012 (issue 16), PostgreSQL: what migrations/0012_invoice_parts.sql does on SQLite,
-- which has to rebuild the table to drop a constraint. An invoice says which part of
-- its order it is ('' the whole order, 'student' or 'payer'; '' so that the chain
-- hashes the older rows as it did), an order has one invoice per part, and a payer may
-- pay a share of the order.
ALTER TABLE invoices DROP CONSTRAINT invoices_order_id_key;
ALTER TABLE invoices ADD COLUMN part TEXT NOT NULL DEFAULT '' CHECK (part IN ('', 'student', 'payer'));
ALTER TABLE invoices ADD CONSTRAINT invoices_order_id_part_key UNIQUE (order_id, part);

-- An order has one invoice for the whole, or its two parts, never both.
CREATE FUNCTION invoices_parts_fn() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = NEW.order_id AND (i.part = '' OR NEW.part = '')) THEN
    RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', MESSAGE = 'invoices: an order is invoiced whole or in parts, not both';
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER invoices_parts BEFORE INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_parts_fn();

-- The chain hashes the new column, last, as the table has it.
CREATE OR REPLACE FUNCTION invoices_chain_fn() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE chain_heads SET n = n + 1, total = total + NEW.ttc,
    head = inpctl_chain(head, 'invoices', n + 1, jsonb_build_array('id', NEW.id, 'number', NEW.number, 'seq', NEW.seq, 'order_id', NEW.order_id,
    'student_id', NEW.student_id, 'date', NEW.date, 'issued_at', NEW.issued_at, 'libelle', NEW.libelle,
    'session', NEW.session, 'client_name', NEW.client_name, 'client_address', NEW.client_address, 'ht', NEW.ht,
    'tva', NEW.tva, 'ttc', NEW.ttc, 'vat_mention', NEW.vat_mention, 'issuer_name', NEW.issuer_name,
    'issuer_address', NEW.issuer_address, 'issuer_siret', NEW.issuer_siret, 'client_siret', NEW.client_siret, 'client_ref', NEW.client_ref,
    'student_name', NEW.student_name, 'due_date', NEW.due_date, 'mentions', NEW.mentions, 'part', NEW.part))
    WHERE series = 'invoices';
  INSERT INTO chain_links(series, n, k1, k2, hash)
    SELECT series, n, NEW.id, 0, head FROM chain_heads WHERE series = 'invoices';
  RETURN NULL;
END
$fn$;

-- The payer's share of the order's TTC, in cents; 0 is the whole order.
ALTER TABLE payers ADD COLUMN share BIGINT NOT NULL DEFAULT 0 CHECK (share >= 0);
