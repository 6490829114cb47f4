-- 0006 (issue 16): what an order owes is computed from the ledger, and plans follow it.
-- A plan remembers the last payment that existed when it was approved: money received
-- after that counts on the plan; money received before made the plan's base smaller.
ALTER TABLE plans ADD COLUMN paid_before INTEGER NOT NULL DEFAULT 0;
-- A reversal is an unpaid (impayé: chargeback, bounced cheque) or a void (a manual payment
-- entered by mistake). Both reverse the payment's allocations.
ALTER TABLE unpaids ADD COLUMN kind TEXT NOT NULL DEFAULT 'unpaid' CHECK (kind IN ('unpaid','void'));
-- A block lifted by staff (schedule unblock) or by a new card keeps its trace.
ALTER TABLE orders ADD COLUMN unblocked_at TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN unblock_reason TEXT NOT NULL DEFAULT '';
-- One charge in flight per instalment. An approved charge no longer forbids a second
-- one on the same instalment: after an unpaid the instalment is owed again, and the
-- amount of every debit is capped by what the order owes (db check E008, E015).
DROP INDEX attempts_one_live;
CREATE UNIQUE INDEX attempts_one_live ON attempts(instalment_id)
  WHERE kind = 'charge' AND state IN ('sent','unknown');
