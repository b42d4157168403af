-- 014_order_approval.sql -- multi-account approval and reservation release
-- (docs/orders.md, "Approval and release"): the company's approval rule,
-- the shop's release hours, and the notifications the notify.order job
-- records for the company's users (WeChat delivery comes later and only
-- reads these rows). Re-runnable: IF [NOT] EXISTS throughout.

-- The company's rule: none; above (an order of a buyer whose total is over
-- approve_above_fen); buyer_orders (every order of a buyer); all (every
-- order, an approver's and finance's too). One mode and one amount rather
-- than two independent switches, so a rule reads as one sentence.
ALTER TABLE customer
	ADD COLUMN IF NOT EXISTS approval_mode ENUM('none','above',
		'buyer_orders','all') NOT NULL DEFAULT 'none'
		COMMENT 'which orders wait for the company''s approver',
	ADD COLUMN IF NOT EXISTS approve_above_fen BIGINT NOT NULL DEFAULT 0
		COMMENT 'approval_mode above: orders over this total';

-- Orders that wait do not hold stock for ever: the order.release job
-- cancels them after this many hours (0: never).
ALTER TABLE shop
	ADD COLUMN IF NOT EXISTS release_unapproved_hours INT NOT NULL
		DEFAULT 0 COMMENT 'pending_approval cancelled after; 0 never',
	ADD COLUMN IF NOT EXISTS release_unconfirmed_hours INT NOT NULL
		DEFAULT 0 COMMENT 'submitted cancelled after; 0 never';

-- One message to one customer user about an order (kind: the event,
-- "submitted", "approved", "rejected", "released"). read_at NULL: unread.
CREATE TABLE IF NOT EXISTS notification (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_user_id BIGINT UNSIGNED NOT NULL,
	kind		VARCHAR(40) NOT NULL,
	order_id	BIGINT UNSIGNED NULL,
	title		VARCHAR(100) NOT NULL,
	body		VARCHAR(600) NOT NULL DEFAULT '',
	-- The job that made it, so a job run twice records it once.
	job_id		BIGINT UNSIGNED NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	read_at		DATETIME(3) NULL,
	UNIQUE KEY notification_job (shop_id, job_id, customer_user_id),
	KEY notification_user (shop_id, customer_user_id, id),
	CONSTRAINT notification_user_same_shop FOREIGN KEY (shop_id,
		customer_user_id) REFERENCES customer_user (shop_id, id)
		ON DELETE CASCADE,
	CONSTRAINT notification_order_same_shop FOREIGN KEY (shop_id,
		order_id) REFERENCES sales_order (shop_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
