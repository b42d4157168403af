-- 018_order_number.sql -- an order's number is taken last in its
-- transaction, after its insert, instead of before it: the shop's
-- order_counter row is the one row every order of a shop writes, and its
-- lock, held to COMMIT, put a shop's orders in single file for the whole
-- insert of order, lines, movements, event and cart (docs/performance.md,
-- 2026-12-02); now it is held for two short statements. So sales_order.
-- order_no is NULL between the insert and the number, inside that
-- transaction only. idem_hash keeps the submit request's fingerprint with
-- its key, so a key sent again with another request is refused instead of
-- answered with this order. Re-runnable.

ALTER TABLE sales_order
	MODIFY order_no VARCHAR(20) NULL
		COMMENT 'DH + China yyMMdd + the day''s sequence; NULL only before its transaction ends',
	ADD COLUMN IF NOT EXISTS idem_hash CHAR(64) CHARACTER SET ascii
		COLLATE ascii_bin NULL
		COMMENT 'the submit request''s fingerprint (http_request_hash)'
		AFTER idem_key;
