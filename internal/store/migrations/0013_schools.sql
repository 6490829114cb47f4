-- 0013: schools as entities (issue 22). Every row of the books carries its
-- school. A SQLite file holds one school: the one it was made for (schools),
-- which is each column's default, so no statement names it. {{school}} is
-- put in by the store (migrationText) from the school the file is opened
-- for, a code as config.validSchoolCode allows it.
-- The unique indexes below are the keys that hold within one school;
-- PostgreSQL, where several schools share the tables, has them as its
-- only keys, and the statements' ON CONFLICT name them on both.
CREATE TABLE schools (
  school TEXT PRIMARY KEY DEFAULT '{{school}}',
  created_at TEXT NOT NULL
);
INSERT INTO schools(created_at) VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

ALTER TABLE allocations ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE attempt_outcomes ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE attempts ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE audit_log ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE cards ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE chain_heads ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE chain_links ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE credit_notes ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE dossiers ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE fee_codes ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE instalments ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE invoice_lines ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE invoices ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE journal_exports ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE journal_numbers ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE locks ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE notifications ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE order_lines ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE orders ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE outbox ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE pay_requests ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE payers ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE payments ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE plans ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE programme_codes ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE programmes ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE refunds ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE sequences ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE students ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE tariff_history ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE tariffs ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';
ALTER TABLE unpaids ADD COLUMN school TEXT NOT NULL DEFAULT '{{school}}';

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
