-- 0009 (issue 17): refunds exactly once, notifications identified by their transaction.
--
-- A card refund is an attempt (kind 'refund') written and committed before Paybox is
-- called, with its own REFERENCE and NUMQUESTION, like a charge. While it is 'sent' or
-- 'unknown' it reserves its amount on the payment it refunds (store.refundedSQL counts
-- it), so a second refund cannot spend the same credit. Its reason is kept on the
-- attempt, so that a refund found later by a lookup is recorded with it.
ALTER TABLE attempts ADD COLUMN note TEXT NOT NULL DEFAULT '';
CREATE INDEX attempts_refund_payment ON attempts(payment_id) WHERE kind = 'refund';

-- Every signed notification applied (pay ipn), identified by the transaction Paybox
-- reports (NUMTRANS, NUMAPPEL, AUTORISATION and the result code), not by PBX_CMD: the
-- same payment link may be paid twice (two tabs), or refused then paid. A replay of a
-- notification already applied matches its row and writes nothing; an approved
-- transaction is recorded once (the partial unique index), whatever its PBX_CMD.
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  cmd TEXT NOT NULL,
  pay_request_id INTEGER REFERENCES pay_requests(id),
  numtrans TEXT NOT NULL,
  numappel TEXT NOT NULL,
  auth TEXT NOT NULL DEFAULT '',
  code TEXT NOT NULL,
  amount INTEGER NOT NULL,
  payment_id INTEGER REFERENCES payments(id),
  outcome TEXT NOT NULL,           -- paid, excess (a payment kept as a credit), refused
  created_at TEXT NOT NULL,
  UNIQUE (cmd, numtrans, numappel, auth, code)
);
CREATE UNIQUE INDEX notifications_one_transaction ON notifications(numtrans, numappel) WHERE code = '00000';
CREATE TRIGGER notifications_no_update BEFORE UPDATE ON notifications
BEGIN SELECT RAISE(ABORT, 'notifications is append-only'); END;
CREATE TRIGGER notifications_no_delete BEFORE DELETE ON notifications
BEGIN SELECT RAISE(ABORT, 'notifications is append-only'); END;
