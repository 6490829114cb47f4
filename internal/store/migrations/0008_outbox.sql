-- 0008 (issue 19): e-mail notices to students. A notice is a fact written in the
-- transaction of the event that causes it (plan approved, debit failed, payment
-- received…); `mail send` sends what is pending, later, outside any billing command.
-- key names the event, so the same event never queues two notices. data is what the
-- message needs (JSON, read by internal/mail); link is the payment link made at the
-- first send, kept so that a retry or a duplicate carries the same one.
-- (0007 is reserved for another change.)
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  student_id TEXT NOT NULL REFERENCES students(id),
  kind TEXT NOT NULL CHECK (kind IN ('plan_approved','plan_rejected','debit_upcoming','debit_failed',
    'order_blocked','payment_received','credit_note','refund','exemption')),
  data TEXT NOT NULL CHECK (json_valid(data)),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed','skipped')), -- skipped: its kind is off
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try_at TEXT NOT NULL,          -- RFC 3339 UTC: not sent before then
  last_error TEXT NOT NULL DEFAULT '', -- the server's answer, or why it was not sent
  recipient TEXT NOT NULL DEFAULT '',  -- the address it went (or would have gone) to
  message_id TEXT NOT NULL DEFAULT '',
  link TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  sent_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(status, next_try_at);
CREATE INDEX outbox_student ON outbox(student_id);
-- A sent notice stays as it was sent: only a pending or failed one may change.
CREATE TRIGGER outbox_sent_final BEFORE UPDATE ON outbox
WHEN OLD.status = 'sent'
BEGIN SELECT RAISE(ABORT, 'outbox: a sent notice is immutable'); END;
CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'outbox is append-only'); END;
