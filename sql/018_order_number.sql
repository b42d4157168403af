-- 018_order_number.sql -- an order's number comes from its id, set in the
-- order's own transaction right after its insert, instead of from a
-- per-shop day counter: the counter row was the one row every order of a
-- shop wrote, and its lock, held to COMMIT, put a shop's orders in single
-- file (docs/performance.md, 2026-12-02). Numbers stay unique per shop and
-- grow with time; they are no longer consecutive per shop and day. The
-- column is NULL only inside that transaction. idem_hash keeps the submit
-- request's fingerprint with its key, so a key sent again with another
-- request is refused instead of answered with this order. Re-runnable.

ALTER TABLE sales_order
	MODIFY order_no VARCHAR(20) NULL
		COMMENT 'DH + China yyMMdd + id; NULL only before its insert commits',
	ADD COLUMN IF NOT EXISTS idem_hash CHAR(64) CHARACTER SET ascii
		COLLATE ascii_bin NULL
		COMMENT 'the submit request''s fingerprint (http_request_hash)'
		AFTER idem_key;

DROP TABLE IF EXISTS order_counter;
