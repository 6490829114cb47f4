-- 0013: schools as entities (issue 22), the twin of migrations/0013.
-- Every row carries its school; several schools share the tables, and
-- row-level security keeps them apart: every table with a school column
-- has the policy school, ENABLEd and FORCEd (the owner is held to it too),
-- which shows a statement the rows of the school its transaction set with
-- SET LOCAL inpctl.school (store: every write transaction; each
-- connection also sets it when it starts, for the reads outside one) and
-- lets it write no other. inpctl_school() gives that school, and refuses
-- one that is not set or a login that is not a member of the school's role
-- inpctl_school_CODE (or the database's owner): which schools a clerk may
-- see is the database's decision, not the client's. The policies call it
-- in a subquery, which PostgreSQL runs once per statement (an InitPlan),
-- not once per row.
-- A superuser or a BYPASSRLS role is not held to policies at all: the
-- store refuses one on books of more than one school.

CREATE FUNCTION inpctl_school() RETURNS text LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  s text := current_setting('inpctl.school', true);
  r regrole;
BEGIN
  IF s IS NULL OR s = '' THEN
    RAISE EXCEPTION 'no school selected (inpctl.school is not set)' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_database d WHERE d.datname = current_database() AND pg_has_role(current_user, d.datdba, 'MEMBER')) THEN
    RETURN s;
  END IF;
  r := to_regrole('inpctl_school_' || s);
  IF r IS NULL OR NOT pg_has_role(current_user, r, 'MEMBER') THEN
    RAISE EXCEPTION 'role % may not work on school %: it is not a member of inpctl_school_%', current_user, s, s
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN s;
END
$fn$;

CREATE TABLE schools (
  school TEXT PRIMARY KEY DEFAULT current_setting('inpctl.school'),
  created_at TEXT NOT NULL
);
INSERT INTO schools(created_at) VALUES (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));

ALTER TABLE allocations ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE attempt_outcomes ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE attempts ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE audit_log ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE cards ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE chain_heads ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE chain_links ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE credit_notes ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE dossiers ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE fee_codes ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE instalments ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE invoice_lines ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE invoices ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE journal_exports ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE journal_numbers ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE locks ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE notifications ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE order_lines ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE orders ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE outbox ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE pay_requests ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE payers ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE payments ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE plans ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE programme_codes ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE programmes ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE refunds ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE sequences ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE students ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE tariff_history ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE tariffs ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');
ALTER TABLE unpaids ADD COLUMN school TEXT NOT NULL DEFAULT current_setting('inpctl.school');

-- The keys that hold within one school replace the ones that held in the
-- whole table, and the foreign keys on them follow.
ALTER TABLE programme_codes DROP CONSTRAINT programme_codes_programme_fkey, DROP CONSTRAINT programme_codes_code_fkey;
ALTER TABLE tariffs DROP CONSTRAINT tariffs_programme_fkey, DROP CONSTRAINT tariffs_code_fkey;
ALTER TABLE students DROP CONSTRAINT students_programme_fkey;
ALTER TABLE dossiers DROP CONSTRAINT dossiers_programme_fkey, DROP CONSTRAINT dossiers_code_fkey;
ALTER TABLE orders DROP CONSTRAINT orders_code_fkey;
ALTER TABLE sequences DROP CONSTRAINT sequences_pkey;
ALTER TABLE fee_codes DROP CONSTRAINT fee_codes_pkey;
ALTER TABLE programmes DROP CONSTRAINT programmes_pkey;
ALTER TABLE programme_codes DROP CONSTRAINT programme_codes_pkey;
ALTER TABLE tariffs DROP CONSTRAINT tariffs_pkey;
ALTER TABLE locks DROP CONSTRAINT locks_pkey;
ALTER TABLE chain_heads DROP CONSTRAINT chain_heads_pkey;
ALTER TABLE chain_links DROP CONSTRAINT chain_links_pkey;
ALTER TABLE invoices DROP CONSTRAINT invoices_seq_key;
ALTER TABLE credit_notes DROP CONSTRAINT credit_notes_seq_key;
ALTER TABLE journal_numbers DROP CONSTRAINT journal_numbers_journal_seq_key;
CREATE UNIQUE INDEX sequences_school ON sequences(school, name);
CREATE UNIQUE INDEX fee_codes_school ON fee_codes(school, code);
CREATE UNIQUE INDEX programmes_school ON programmes(school, id);
CREATE UNIQUE INDEX programme_codes_school ON programme_codes(school, programme, code);
CREATE UNIQUE INDEX tariffs_school ON tariffs(school, programme, year, code);
CREATE UNIQUE INDEX locks_school ON locks(school, name);
CREATE UNIQUE INDEX chain_heads_school ON chain_heads(school, series);
CREATE UNIQUE INDEX chain_links_school ON chain_links(school, series, n);
CREATE UNIQUE INDEX invoices_school ON invoices(school, seq);
CREATE UNIQUE INDEX credit_notes_school ON credit_notes(school, seq);
CREATE UNIQUE INDEX journal_numbers_school ON journal_numbers(school, journal, seq);
ALTER TABLE programme_codes ADD FOREIGN KEY (school, programme) REFERENCES programmes(school, id) DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE programme_codes ADD FOREIGN KEY (school, code) REFERENCES fee_codes(school, code) DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE tariffs ADD FOREIGN KEY (school, programme) REFERENCES programmes(school, id) DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE tariffs ADD FOREIGN KEY (school, code) REFERENCES fee_codes(school, code) DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE students ADD FOREIGN KEY (school, programme) REFERENCES programmes(school, id) DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE dossiers ADD FOREIGN KEY (school, programme) REFERENCES programmes(school, id) DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE dossiers ADD FOREIGN KEY (school, code) REFERENCES fee_codes(school, code) DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE orders ADD FOREIGN KEY (school, code) REFERENCES fee_codes(school, code) DEFERRABLE INITIALLY IMMEDIATE;

DO $do$
DECLARE t text;
BEGIN
  FOR t IN SELECT c.table_name FROM information_schema.columns c
      WHERE c.table_schema = current_schema() AND c.column_name = 'school' ORDER BY 1 LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY school ON %I
      USING (school = (SELECT inpctl_school()))
      WITH CHECK (school = (SELECT inpctl_school()))', t);
  END LOOP;
END
$do$;
