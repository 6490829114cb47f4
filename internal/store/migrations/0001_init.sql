-- 0001_init: the whole inpctl schema.
-- Money is INTEGER cents; calendar dates are TEXT 'YYYY-MM-DD'; timestamps RFC 3339 UTC.
-- Legal documents (invoices, credit notes and their lines), payments, allocations,
-- refunds, unpaids and the audit log are append-only: triggers abort UPDATE and DELETE.

CREATE TABLE sequences (
  name TEXT PRIMARY KEY,      -- order, invoice, credit_note, payment, numquestion, attempt
  prefix TEXT NOT NULL DEFAULT '',
  next INTEGER NOT NULL CHECK (next > 0)
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  operator TEXT NOT NULL,
  command TEXT NOT NULL,
  args TEXT NOT NULL,         -- JSON array, secrets removed
  entity TEXT NOT NULL,
  summary TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Catalogue (loaded from the config; tariffs of past years stay known).
CREATE TABLE fee_codes (
  code TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  needs_proof INTEGER NOT NULL DEFAULT 0,
  financed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE programmes (
  id TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  session TEXT NOT NULL,
  diploma INTEGER NOT NULL DEFAULT 1,
  apprenticeship INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE programme_codes (
  programme TEXT NOT NULL REFERENCES programmes(id),
  code TEXT NOT NULL REFERENCES fee_codes(code),
  PRIMARY KEY (programme, code)
);
CREATE TABLE tariffs (
  programme TEXT NOT NULL REFERENCES programmes(id),
  year TEXT NOT NULL,
  code TEXT NOT NULL REFERENCES fee_codes(code),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (programme, year, code)
);

CREATE TABLE students (
  id TEXT PRIMARY KEY,        -- university student number
  last_name TEXT NOT NULL,
  first_name TEXT NOT NULL,
  email TEXT NOT NULL,
  programme TEXT NOT NULL REFERENCES programmes(id),
  apprentice INTEGER NOT NULL DEFAULT 0,
  extra_eu INTEGER NOT NULL DEFAULT 0,
  exchange INTEGER NOT NULL DEFAULT 0,
  address TEXT NOT NULL DEFAULT '',
  postcode TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX students_programme ON students(programme);

CREATE TABLE dossiers (
  id INTEGER PRIMARY KEY,
  student_id TEXT NOT NULL REFERENCES students(id),
  year TEXT NOT NULL,
  programme TEXT NOT NULL REFERENCES programmes(id),
  status TEXT NOT NULL CHECK (status IN ('pending','declared','validated','rejected')),
  code TEXT REFERENCES fee_codes(code),
  proof TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL,
  UNIQUE (student_id, year)
);
CREATE INDEX dossiers_status ON dossiers(status);

-- An order is what a dossier costs. It is replaced in place while nothing is
-- invoiced; once invoiced, a code change supersedes it with a new order.
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
  date TEXT NOT NULL,
  code TEXT NOT NULL REFERENCES fee_codes(code),
  ht INTEGER NOT NULL, tva INTEGER NOT NULL, ttc INTEGER NOT NULL,
  financed INTEGER NOT NULL DEFAULT 0,
  superseded_by INTEGER REFERENCES orders(id),
  blocked_reason TEXT NOT NULL DEFAULT '',
  blocked_at TEXT NOT NULL DEFAULT '',
  settled_date TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);
CREATE INDEX orders_dossier ON orders(dossier_id);
CREATE TABLE order_lines (
  order_id INTEGER NOT NULL REFERENCES orders(id),
  seq INTEGER NOT NULL,
  designation TEXT NOT NULL,
  qty INTEGER NOT NULL,
  unit_ht INTEGER NOT NULL,
  vat_bp INTEGER NOT NULL DEFAULT 0,
  discount_pct INTEGER NOT NULL DEFAULT 0,
  amount_ht INTEGER NOT NULL,
  PRIMARY KEY (order_id, seq)
);

CREATE TABLE invoices (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  seq INTEGER NOT NULL UNIQUE,
  order_id INTEGER NOT NULL UNIQUE REFERENCES orders(id),
  student_id TEXT NOT NULL REFERENCES students(id),
  date TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  libelle TEXT NOT NULL,
  session TEXT NOT NULL,
  client_name TEXT NOT NULL,
  client_address TEXT NOT NULL,
  ht INTEGER NOT NULL, tva INTEGER NOT NULL, ttc INTEGER NOT NULL CHECK (ttc > 0),
  vat_mention TEXT NOT NULL
);
CREATE INDEX invoices_student ON invoices(student_id);
CREATE TABLE invoice_lines (
  invoice_id INTEGER NOT NULL REFERENCES invoices(id),
  seq INTEGER NOT NULL,
  designation TEXT NOT NULL,
  inscrits INTEGER NOT NULL DEFAULT 1,
  qty INTEGER NOT NULL,
  unit_ht INTEGER NOT NULL,
  vat_bp INTEGER NOT NULL,
  discount_pct INTEGER NOT NULL,
  amount_ht INTEGER NOT NULL,
  PRIMARY KEY (invoice_id, seq)
);
CREATE TABLE credit_notes (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  seq INTEGER NOT NULL UNIQUE,
  invoice_id INTEGER NOT NULL REFERENCES invoices(id),
  date TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  reason TEXT NOT NULL
);
CREATE INDEX credit_notes_invoice ON credit_notes(invoice_id);

CREATE TABLE plans (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  plan TEXT NOT NULL CHECK (plan IN ('1x','3x','5x')),
  status TEXT NOT NULL CHECK (status IN ('requested','approved','active','completed','rejected','cancelled')),
  requested_at TEXT NOT NULL,
  decided_at TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  decision TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX plans_one_live ON plans(order_id)
  WHERE status IN ('requested','approved','active');
CREATE INDEX plans_status ON plans(status);
CREATE TABLE instalments (
  id INTEGER PRIMARY KEY,
  plan_id INTEGER NOT NULL REFERENCES plans(id),
  seq INTEGER NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  due_date TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('pending','paid','failed','cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try TEXT NOT NULL DEFAULT '',
  last_code TEXT NOT NULL DEFAULT '',
  paid_date TEXT NOT NULL DEFAULT '',
  UNIQUE (plan_id, seq)
);
CREATE INDEX instalments_due ON instalments(status, due_date);

-- A stored card is a Paybox Direct Plus subscriber: never a card number.
CREATE TABLE cards (
  id INTEGER PRIMARY KEY,
  student_id TEXT NOT NULL REFERENCES students(id),
  refabonne TEXT NOT NULL UNIQUE,
  token TEXT NOT NULL,
  expiry TEXT NOT NULL,       -- YYMM as Paybox sends it
  ecard INTEGER NOT NULL DEFAULT 0,
  card_type TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  deleted_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cards_student ON cards(student_id);

-- Hosted-page requests: PBX_CMD is unique per attempt; an IPN is applied once.
CREATE TABLE pay_requests (
  id INTEGER PRIMARY KEY,
  cmd TEXT NOT NULL UNIQUE,
  student_id TEXT NOT NULL REFERENCES students(id),
  order_id INTEGER NOT NULL REFERENCES orders(id),
  instalment_id INTEGER REFERENCES instalments(id),
  amount INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open','paid','refused')) DEFAULT 'open',
  applied_at TEXT NOT NULL DEFAULT '',
  code TEXT NOT NULL DEFAULT ''
);

-- Charge attempts: the intent row is committed before the gateway is called.
CREATE TABLE attempts (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('charge','refund')) DEFAULT 'charge',
  reference TEXT NOT NULL UNIQUE,
  numquestion INTEGER NOT NULL,
  instalment_id INTEGER REFERENCES instalments(id),
  refund_id INTEGER,
  card_id INTEGER REFERENCES cards(id),
  amount INTEGER NOT NULL CHECK (amount > 0),
  state TEXT NOT NULL CHECK (state IN ('sent','approved','declined','failed','unknown')),
  code TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL DEFAULT '',
  numtrans TEXT NOT NULL DEFAULT '',
  numappel TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  resolved_at TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX attempts_one_live ON attempts(instalment_id)
  WHERE kind = 'charge' AND state IN ('sent','unknown','approved');
CREATE INDEX attempts_state ON attempts(state);

CREATE TABLE payments (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  student_id TEXT NOT NULL REFERENCES students(id),
  date TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  method TEXT NOT NULL CHECK (method IN ('card','cheque','transfer','cash')),
  ref TEXT NOT NULL DEFAULT '',
  numtrans TEXT NOT NULL DEFAULT '',
  numappel TEXT NOT NULL DEFAULT '',
  attempt_id INTEGER UNIQUE REFERENCES attempts(id),
  pay_request_id INTEGER UNIQUE REFERENCES pay_requests(id),
  created_at TEXT NOT NULL
);
CREATE INDEX payments_student ON payments(student_id);
CREATE INDEX payments_date ON payments(date);

-- Allocations are signed: moving money between invoices appends a negative
-- row for the old one and a positive row for the new one.
CREATE TABLE allocations (
  id INTEGER PRIMARY KEY,
  payment_id INTEGER NOT NULL REFERENCES payments(id),
  invoice_id INTEGER NOT NULL REFERENCES invoices(id),
  amount INTEGER NOT NULL CHECK (amount <> 0),
  created_at TEXT NOT NULL
);
CREATE INDEX allocations_payment ON allocations(payment_id);
CREATE INDEX allocations_invoice ON allocations(invoice_id);

CREATE TABLE unpaids (
  id INTEGER PRIMARY KEY,
  payment_id INTEGER NOT NULL UNIQUE REFERENCES payments(id),
  date TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE refunds (
  id INTEGER PRIMARY KEY,
  student_id TEXT NOT NULL REFERENCES students(id),
  payment_id INTEGER REFERENCES payments(id),
  date TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  method TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  numtrans TEXT NOT NULL DEFAULT '',
  numappel TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);
CREATE INDEX refunds_student ON refunds(student_id);

-- Advisory locks (one charge run at a time). A holder that died is detected
-- by its pid on the same host and taken over.
CREATE TABLE locks (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  acquired_at TEXT NOT NULL
);
CREATE TRIGGER invoices_no_update BEFORE UPDATE ON invoices
BEGIN SELECT RAISE(ABORT, 'invoices is immutable once issued'); END;
CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices
BEGIN SELECT RAISE(ABORT, 'invoices is immutable once issued'); END;
CREATE TRIGGER invoice_lines_no_update BEFORE UPDATE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'invoice_lines is immutable once issued'); END;
CREATE TRIGGER invoice_lines_no_delete BEFORE DELETE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'invoice_lines is immutable once issued'); END;
CREATE TRIGGER credit_notes_no_update BEFORE UPDATE ON credit_notes
BEGIN SELECT RAISE(ABORT, 'credit_notes is immutable once issued'); END;
CREATE TRIGGER credit_notes_no_delete BEFORE DELETE ON credit_notes
BEGIN SELECT RAISE(ABORT, 'credit_notes is immutable once issued'); END;
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
BEGIN SELECT RAISE(ABORT, 'payments is immutable once issued'); END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments is immutable once issued'); END;
CREATE TRIGGER allocations_no_update BEFORE UPDATE ON allocations
BEGIN SELECT RAISE(ABORT, 'allocations is immutable once issued'); END;
CREATE TRIGGER allocations_no_delete BEFORE DELETE ON allocations
BEGIN SELECT RAISE(ABORT, 'allocations is immutable once issued'); END;
CREATE TRIGGER unpaids_no_update BEFORE UPDATE ON unpaids
BEGIN SELECT RAISE(ABORT, 'unpaids is immutable once issued'); END;
CREATE TRIGGER unpaids_no_delete BEFORE DELETE ON unpaids
BEGIN SELECT RAISE(ABORT, 'unpaids is immutable once issued'); END;
CREATE TRIGGER refunds_no_update BEFORE UPDATE ON refunds
BEGIN SELECT RAISE(ABORT, 'refunds is immutable once issued'); END;
CREATE TRIGGER refunds_no_delete BEFORE DELETE ON refunds
BEGIN SELECT RAISE(ABORT, 'refunds is immutable once issued'); END;
