-- 030_invoice_statement.sql -- an invoice request made from a monthly
-- statement keeps which one (its orders are that month's). Re-runnable.
ALTER TABLE invoice_request
	ADD COLUMN IF NOT EXISTS statement_id BIGINT UNSIGNED NULL
		COMMENT 'asked from this statement, or NULL'
		AFTER customer_user_id,
	ADD KEY IF NOT EXISTS invoice_request_statement (shop_id,
		statement_id);
