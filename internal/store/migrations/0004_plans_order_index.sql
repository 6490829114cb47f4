-- 0004: reach an order's plans by index (every plan read goes through
-- order_id; without it a 20 000-student year scanned the plans table for
-- each student: schedule request took 104 s instead of 4 s).
CREATE INDEX plans_order ON plans(order_id);
CREATE INDEX attempts_instalment ON attempts(instalment_id);
