-- 020_ledger.sql -- money: one ledger per customer company, payments and
-- what they paid (docs/money.md).
--
-- A company has two accounts with the shop. 'ar' (应收) is what it owes:
-- a monthly-credit order debits it at submit, a prepaid one when it is
-- first paid; payments credit it. 'deposit' (预存款) is money the company
-- has left with the shop: a top-up or what a payment had over credits it,
-- paying an order from it debits it. customer_balance holds both sums
-- (outstanding_fen, deposit_fen) and is the row the order transaction
-- locks for the credit check; every change to it is one ledger_entry in
-- the same transaction, so each sum equals the sum of its entries. An
-- entry is never changed or deleted (the triggers below refuse it): a
-- correction is a new entry. Re-runnable: IF NOT EXISTS, NOT EXISTS.

ALTER TABLE customer_balance
	ADD COLUMN IF NOT EXISTS deposit_fen BIGINT NOT NULL DEFAULT 0
		COMMENT 'the company''s prepaid deposit, sum of its entries'
		AFTER outstanding_fen;
ALTER TABLE customer_balance
	ADD CONSTRAINT IF NOT EXISTS customer_balance_deposit
		CHECK (deposit_fen >= 0);

-- What the order put on the AR account (its total once debited; 0 for a
-- prepaid order nobody has paid yet), what payments allocated to it, and
-- when it is due: submit day (China) for prepaid, + credit_days for
-- monthly.
ALTER TABLE sales_order
	ADD COLUMN IF NOT EXISTS ar_fen BIGINT NOT NULL DEFAULT 0
		COMMENT 'debited to the ar account for this order',
	ADD COLUMN IF NOT EXISTS paid_fen BIGINT NOT NULL DEFAULT 0
		COMMENT 'sum of payment_allocation',
	ADD COLUMN IF NOT EXISTS due_on DATE NULL
		COMMENT 'China date the money is due',
	ADD KEY IF NOT EXISTS sales_order_due (shop_id, customer_id, due_on);

CREATE TABLE IF NOT EXISTS payment (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	-- Who recorded it: a user of the company, or staff for it.
	customer_user_id BIGINT UNSIGNED NULL,
	staff_id	BIGINT UNSIGNED NULL,
	method		ENUM('transfer','deposit','wechat','cash') NOT NULL,
	purpose		ENUM('orders','deposit') NOT NULL,
	amount_fen	BIGINT NOT NULL,
	paid_on		DATE NOT NULL COMMENT 'China date the payer gives',
	payer_account	VARCHAR(100) NOT NULL DEFAULT ''
			COMMENT 'the paying bank account or name, as typed',
	remark		VARCHAR(200) NOT NULL DEFAULT '',
	-- The transfer's proof, re-encoded under private_dir.
	proof_path	VARCHAR(96) NULL,
	proof_thumb	VARCHAR(96) NULL,
	state		ENUM('pending','confirmed','rejected') NOT NULL
			DEFAULT 'pending',
	reason		VARCHAR(200) NOT NULL DEFAULT ''
			COMMENT 'why rejected',
	decided_by	BIGINT UNSIGNED NULL,
	decided_at	DATETIME(3) NULL,
	to_deposit_fen	BIGINT NOT NULL DEFAULT 0
			COMMENT 'what went to the deposit on confirming',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY payment_tenant (shop_id, id),
	KEY payment_state (shop_id, state, created_at),
	KEY payment_customer (shop_id, customer_id, created_at),
	CONSTRAINT payment_customer_same_shop FOREIGN KEY (shop_id,
		customer_id) REFERENCES customer (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT payment_user_same_shop FOREIGN KEY (shop_id,
		customer_user_id) REFERENCES customer_user (shop_id, id)
		ON DELETE CASCADE,
	CONSTRAINT payment_staff_same_shop FOREIGN KEY (shop_id, staff_id)
		REFERENCES staff (shop_id, id),
	CONSTRAINT payment_amount CHECK (amount_fen > 0 AND
		to_deposit_fen >= 0 AND to_deposit_fen <= amount_fen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The orders the payer named, to be paid in this order (none: oldest
-- due first).
CREATE TABLE IF NOT EXISTS payment_order (
	shop_id		BIGINT UNSIGNED NOT NULL,
	payment_id	BIGINT UNSIGNED NOT NULL,
	order_id	BIGINT UNSIGNED NOT NULL,
	PRIMARY KEY (payment_id, order_id),
	CONSTRAINT payment_order_payment FOREIGN KEY (shop_id, payment_id)
		REFERENCES payment (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT payment_order_order FOREIGN KEY (shop_id, order_id)
		REFERENCES sales_order (shop_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What a confirmed payment paid of which order.
CREATE TABLE IF NOT EXISTS payment_allocation (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	payment_id	BIGINT UNSIGNED NOT NULL,
	order_id	BIGINT UNSIGNED NOT NULL,
	amount_fen	BIGINT NOT NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	KEY payment_allocation_order (shop_id, order_id),
	KEY payment_allocation_payment (shop_id, payment_id),
	CONSTRAINT payment_allocation_payment FOREIGN KEY (shop_id,
		payment_id) REFERENCES payment (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT payment_allocation_order FOREIGN KEY (shop_id, order_id)
		REFERENCES sales_order (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT payment_allocation_amount CHECK (amount_fen > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS ledger_entry (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	account		ENUM('ar','deposit') NOT NULL,
	kind		ENUM('opening','order','order_change','order_cancel',
			'payment','deposit_in','deposit_use','deposit_back',
			'refund','credit_note','adjustment') NOT NULL,
	-- Signed: + the company owes more (ar) or holds more (deposit).
	amount_fen	BIGINT NOT NULL,
	balance_fen	BIGINT NOT NULL COMMENT 'the account after this entry',
	order_id	BIGINT UNSIGNED NULL,
	payment_id	BIGINT UNSIGNED NULL,
	note		VARCHAR(200) NOT NULL DEFAULT '',
	staff_id	BIGINT UNSIGNED NULL,
	customer_user_id BIGINT UNSIGNED NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	KEY ledger_customer (shop_id, customer_id, id),
	KEY ledger_created (shop_id, created_at),
	KEY ledger_order (shop_id, order_id),
	CONSTRAINT ledger_customer_same_shop FOREIGN KEY (shop_id,
		customer_id) REFERENCES customer (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT ledger_order_same_shop FOREIGN KEY (shop_id, order_id)
		REFERENCES sales_order (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT ledger_payment_same_shop FOREIGN KEY (shop_id,
		payment_id) REFERENCES payment (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT ledger_amount CHECK (amount_fen <> 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Never changed, never deleted (a foreign key's cascade, when a test or
-- an operator removes a whole company, does not fire triggers).
CREATE TRIGGER IF NOT EXISTS ledger_entry_no_update BEFORE UPDATE
	ON ledger_entry FOR EACH ROW
	SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT =
		'ledger entries are never changed: post a correction';
CREATE TRIGGER IF NOT EXISTS ledger_entry_no_delete BEFORE DELETE
	ON ledger_entry FOR EACH ROW
	SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT =
		'ledger entries are never deleted: post a correction';

-- The orders placed before this migration: monthly ones not cancelled
-- are on the balance already; they get their entry, what they put on
-- the account, and a due date.
UPDATE sales_order o JOIN customer cu ON cu.id = o.customer_id
	SET o.due_on = DATE(o.created_at + INTERVAL 8 HOUR) + INTERVAL
		IF(o.payment_terms = 'monthly', cu.credit_days, 0) DAY
	WHERE o.due_on IS NULL;
UPDATE sales_order SET ar_fen = total_fen
	WHERE payment_terms = 'monthly' AND state <> 'cancelled'
	AND ar_fen = 0 AND paid_fen = 0;
INSERT INTO ledger_entry (shop_id, customer_id, account, kind, amount_fen,
		balance_fen, order_id, note, created_at)
	SELECT o.shop_id, o.customer_id, 'ar', 'order', o.total_fen,
		SUM(o.total_fen) OVER (PARTITION BY o.shop_id, o.customer_id
			ORDER BY o.id),
		o.id, '迁移前的订单', o.created_at
	FROM sales_order o
	WHERE o.payment_terms = 'monthly' AND o.state <> 'cancelled'
	AND o.total_fen > 0 AND NOT EXISTS (SELECT 1 FROM ledger_entry e
		WHERE e.shop_id = o.shop_id AND e.order_id = o.id)
	ORDER BY o.id;
-- A balance its orders do not explain (none should be) gets an opening
-- entry for the difference, so that sum = balance holds from here on.
INSERT INTO ledger_entry (shop_id, customer_id, account, kind, amount_fen,
		balance_fen, note)
	SELECT b.shop_id, b.customer_id, 'ar', 'opening',
		b.outstanding_fen - COALESCE(SUM(e.amount_fen), 0),
		b.outstanding_fen, '迁移时的期初差额'
	FROM customer_balance b LEFT JOIN ledger_entry e
		ON e.shop_id = b.shop_id AND e.customer_id = b.customer_id
		AND e.account = 'ar'
	GROUP BY b.shop_id, b.customer_id, b.outstanding_fen
	HAVING b.outstanding_fen <> COALESCE(SUM(e.amount_fen), 0);
