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
-- The plan and instalment state machines of schedule (CheckPlanTransition,
-- CheckInstalmentTransition) as database guards: billing checks them first and
-- says why; these refuse a write that skipped it. A test in billing holds the two
-- to the same pairs.
CREATE TRIGGER plans_transition BEFORE UPDATE OF status ON plans
WHEN NOT ((OLD.status = 'requested' AND NEW.status IN ('approved','rejected','cancelled'))
  OR (OLD.status = 'approved' AND NEW.status IN ('active','cancelled'))
  OR (OLD.status = 'active' AND NEW.status IN ('completed','cancelled'))
  OR (OLD.status = 'completed' AND NEW.status = 'active'))
BEGIN SELECT RAISE(ABORT, 'a plan status change the state machine refuses'); END;
CREATE TRIGGER instalments_transition BEFORE UPDATE OF status ON instalments
WHEN NEW.status <> OLD.status AND NOT ((OLD.status = 'pending' AND NEW.status IN ('paid','failed','cancelled'))
  OR (OLD.status = 'failed' AND NEW.status IN ('paid','cancelled','pending'))
  OR (OLD.status = 'paid' AND NEW.status IN ('pending','cancelled'))
  OR (OLD.status = 'cancelled' AND NEW.status IN ('pending','paid')))
BEGIN SELECT RAISE(ABORT, 'an instalment status change the state machine refuses'); END;
