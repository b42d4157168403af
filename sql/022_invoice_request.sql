-- 022_invoice_request.sql -- invoice requests (开票申请, docs/money.md):
-- a company asks for a 普票 or 专票 for orders it placed with that kind
-- of invoice; the amounts are the orders' own (tax per line, as placed),
-- the title and tax details those of the first order's snapshot. Staff
-- mark it issued with the invoice number, date and a file (PDF or image,
-- under private_dir), or reject it with a reason. An order is on at most
-- one live request: sales_order.invoice_state says where it is.
-- Re-runnable: IF NOT EXISTS.

ALTER TABLE sales_order
	ADD COLUMN IF NOT EXISTS invoice_state ENUM('none','requested','issued')
		NOT NULL DEFAULT 'none' COMMENT 'its invoice request''s state';

CREATE TABLE IF NOT EXISTS invoice_request (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	customer_user_id BIGINT UNSIGNED NULL,
	kind		ENUM('normal','special') NOT NULL,
	title		VARCHAR(100) NOT NULL,
	tax_id		VARCHAR(30) NOT NULL,
	bank_name	VARCHAR(100) NOT NULL DEFAULT '',
	bank_account	VARCHAR(40) NOT NULL DEFAULT '',
	address		VARCHAR(200) NOT NULL DEFAULT '',
	phone		VARCHAR(30) NOT NULL DEFAULT '',
	orders		INT NOT NULL,
	subtotal_fen	BIGINT NOT NULL,
	tax_fen		BIGINT NOT NULL,
	total_fen	BIGINT NOT NULL,
	remark		VARCHAR(200) NOT NULL DEFAULT '',
	state		ENUM('requested','issued','rejected') NOT NULL
			DEFAULT 'requested',
	invoice_no	VARCHAR(40) NOT NULL DEFAULT '',
	issued_on	DATE NULL,
	file_path	VARCHAR(96) NULL,
	file_type	VARCHAR(10) NULL COMMENT 'pdf, jpeg, png, webp',
	reason		VARCHAR(200) NOT NULL DEFAULT '',
	decided_by	BIGINT UNSIGNED NULL,
	decided_at	DATETIME(3) NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY invoice_request_tenant (shop_id, id),
	KEY invoice_request_state (shop_id, state, created_at),
	KEY invoice_request_customer (shop_id, customer_id, created_at),
	CONSTRAINT invoice_request_customer_same_shop FOREIGN KEY (shop_id,
		customer_id) REFERENCES customer (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT invoice_request_sums CHECK (total_fen = subtotal_fen +
		tax_fen AND orders > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS invoice_request_order (
	shop_id		BIGINT UNSIGNED NOT NULL,
	request_id	BIGINT UNSIGNED NOT NULL,
	order_id	BIGINT UNSIGNED NOT NULL,
	PRIMARY KEY (request_id, order_id),
	KEY invoice_request_order_order (shop_id, order_id),
	CONSTRAINT invoice_request_order_request FOREIGN KEY (shop_id,
		request_id) REFERENCES invoice_request (shop_id, id)
		ON DELETE CASCADE,
	CONSTRAINT invoice_request_order_order FOREIGN KEY (shop_id,
		order_id) REFERENCES sales_order (shop_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
