-- 0002: a refund attempt names the card payment it refunds.
ALTER TABLE attempts ADD COLUMN payment_id INTEGER REFERENCES payments(id);
