-- 025_wxpay.sql -- WeChat Pay v3 (JSAPI, 直连商户) for orders: each
-- attempt to pay an order, the notifications WeChat Pay sent, and the
-- refunds (docs/wechat-pay.md). A paid attempt becomes a confirmed
-- payment (method 'wechat') allocated to its order through the ledger,
-- exactly once: the attempt's state moves open -> paid under its row
-- lock, and transaction_id is unique. Re-runnable: IF NOT EXISTS.

CREATE TABLE IF NOT EXISTS wxpay_txn (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	order_id	BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	customer_user_id BIGINT UNSIGNED NULL,
	out_trade_no	VARCHAR(32) CHARACTER SET ascii NOT NULL,
	appid		VARCHAR(32) CHARACTER SET ascii NOT NULL,
	mchid		VARCHAR(32) CHARACTER SET ascii NOT NULL,
	openid		VARCHAR(64) CHARACTER SET ascii NOT NULL,
	amount_fen	BIGINT NOT NULL,
	prepay_id	VARCHAR(64) CHARACTER SET ascii NULL,
	state		ENUM('open','paid','closed') NOT NULL DEFAULT 'open',
	transaction_id	VARCHAR(32) CHARACTER SET ascii NULL,
	payment_id	BIGINT UNSIGNED NULL,
	refunded_fen	BIGINT NOT NULL DEFAULT 0
			COMMENT 'refunds asked for, not failed',
	expires_at	DATETIME(3) NOT NULL,
	paid_at		DATETIME(3) NULL,
	closed_at	DATETIME(3) NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY wxpay_txn_no (out_trade_no),
	UNIQUE KEY wxpay_txn_transaction (transaction_id),
	UNIQUE KEY wxpay_txn_tenant (shop_id, id),
	KEY wxpay_txn_order (shop_id, order_id, state),
	KEY wxpay_txn_open (state, created_at),
	CONSTRAINT wxpay_txn_order_same_shop FOREIGN KEY (shop_id, order_id)
		REFERENCES sales_order (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT wxpay_txn_payment FOREIGN KEY (shop_id, payment_id)
		REFERENCES payment (shop_id, id),
	CONSTRAINT wxpay_txn_amount CHECK (amount_fen > 0 AND
		refunded_fen >= 0 AND refunded_fen <= amount_fen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A refund of a paid attempt. The money leaves the company's deposit
-- (and, past it, what the company paid ahead on its account) when the
-- refund is asked for; a refund that fails puts it back.
CREATE TABLE IF NOT EXISTS wxpay_refund (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	txn_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	out_refund_no	VARCHAR(64) CHARACTER SET ascii NOT NULL,
	amount_fen	BIGINT NOT NULL,
	from_deposit_fen BIGINT NOT NULL DEFAULT 0,
	from_ar_fen	BIGINT NOT NULL DEFAULT 0,
	reason		VARCHAR(80) NOT NULL,
	state		ENUM('asked','processing','success','closed','abnormal')
			NOT NULL DEFAULT 'asked',
	refund_id	VARCHAR(32) CHARACTER SET ascii NULL,
	staff_id	BIGINT UNSIGNED NOT NULL,
	error		VARCHAR(200) NOT NULL DEFAULT '',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	done_at		DATETIME(3) NULL,
	UNIQUE KEY wxpay_refund_no (out_refund_no),
	KEY wxpay_refund_txn (shop_id, txn_id),
	KEY wxpay_refund_open (state, created_at),
	CONSTRAINT wxpay_refund_txn FOREIGN KEY (shop_id, txn_id)
		REFERENCES wxpay_txn (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT wxpay_refund_amount CHECK (amount_fen > 0 AND
		from_deposit_fen >= 0 AND from_ar_fen >= 0 AND
		from_deposit_fen + from_ar_fen = amount_fen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every notification that passed the signature check. Applied once per
-- resource and event: a replay finds the applied row and changes
-- nothing. One refused (wrong amount, unknown order, another merchant)
-- is kept once, with why, and does not stand in the way of a right one.
CREATE TABLE IF NOT EXISTS wxpay_notice (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	kind		ENUM('payment','refund') NOT NULL,
	event_type	VARCHAR(40) CHARACTER SET ascii NOT NULL,
	resource_id	VARCHAR(64) CHARACTER SET ascii NOT NULL
			COMMENT 'transaction_id or refund_id',
	out_no		VARCHAR(64) CHARACTER SET ascii NOT NULL,
	amount_fen	BIGINT NOT NULL DEFAULT 0,
	outcome		ENUM('applied','rejected') NOT NULL,
	detail		VARCHAR(200) NOT NULL DEFAULT '',
	received_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY wxpay_notice_once (shop_id, kind, resource_id, event_type,
		outcome),
	KEY wxpay_notice_received (shop_id, received_at),
	CONSTRAINT wxpay_notice_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
