-- 011_orders.sql -- ordering: each customer user's cart (进货单), orders
-- with their lines (price snapshots), every move of their state, shipments,
-- stock as movements, and one balance row per company that the order
-- transaction locks for the credit check (docs/orders.md). Money is BIGINT
-- fen, times UTC DATETIME(3). Every reference is a same-shop foreign key
-- (shop_id, x_id) -> parent (shop_id, id), as 005_tenancy.sql set up; the
-- order tables have no foreign key to shop itself, so that placing an order
-- never locks the shop row. Re-runnable: IF [NOT] EXISTS throughout.

-- 整箱销售: the SKU is sold in whole cases only, so a quantity must be a
-- multiple of pack_size (besides at least min_qty, as always).
ALTER TABLE sku
	ADD COLUMN IF NOT EXISTS pack_only TINYINT(1) NOT NULL DEFAULT 0
		COMMENT 'ordered in multiples of pack_size only'
		AFTER min_qty;

-- One line per customer user and SKU; adding the SKU again adds to qty.
-- mode: the storefront it was added from, whose visibility it must keep.
CREATE TABLE IF NOT EXISTS cart_item (
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_user_id BIGINT UNSIGNED NOT NULL,
	sku_id		BIGINT UNSIGNED NOT NULL,
	mode		ENUM('ordering','wholesale') NOT NULL DEFAULT 'ordering',
	qty		INT NOT NULL,
	added_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	updated_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
			ON UPDATE CURRENT_TIMESTAMP(3),
	PRIMARY KEY (shop_id, customer_user_id, sku_id),
	KEY cart_item_sku (shop_id, sku_id),
	CONSTRAINT cart_item_user_same_shop FOREIGN KEY (shop_id,
		customer_user_id) REFERENCES customer_user (shop_id, id)
		ON DELETE CASCADE,
	CONSTRAINT cart_item_sku_same_shop FOREIGN KEY (shop_id, sku_id)
		REFERENCES sku (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT cart_item_qty CHECK (qty BETWEEN 1 AND 1000000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The shop's order numbers: DH + yyMMdd + a daily sequence (China date).
-- One row per shop, taken last in the order transaction (it is the one row
-- every order of the shop writes).
CREATE TABLE IF NOT EXISTS order_counter (
	shop_id		BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	day		DATE NOT NULL COMMENT 'China date of the last number',
	seq		INT UNSIGNED NOT NULL COMMENT 'its sequence that day',
	CONSTRAINT order_counter_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS sales_order (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	order_no	VARCHAR(20) NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	-- Who placed it: a user of the company, or staff on its behalf.
	customer_user_id BIGINT UNSIGNED NULL,
	staff_id	BIGINT UNSIGNED NULL,
	channel		ENUM('h5','api','admin') NOT NULL,
	state		ENUM('pending_approval','submitted','confirmed','shipped',
			'received','completed','cancelled') NOT NULL,
	-- The delivery address as it was at submit.
	ship_receiver	VARCHAR(60) NOT NULL,
	ship_phone	VARCHAR(20) NOT NULL,
	ship_region	VARCHAR(100) NOT NULL DEFAULT '',
	ship_address	VARCHAR(300) NOT NULL,
	-- The invoice asked for and the company's profile as it was.
	invoice_type	ENUM('none','normal','special') NOT NULL DEFAULT 'none',
	invoice_title	VARCHAR(100) NOT NULL DEFAULT '',
	invoice_tax_id	VARCHAR(30) NOT NULL DEFAULT '',
	invoice_bank_name VARCHAR(100) NOT NULL DEFAULT '',
	invoice_bank_account VARCHAR(40) NOT NULL DEFAULT '',
	invoice_address	VARCHAR(200) NOT NULL DEFAULT '',
	invoice_phone	VARCHAR(30) NOT NULL DEFAULT '',
	tax_bp		INT NOT NULL DEFAULT 0
			COMMENT 'the shop''s tax points for that invoice',
	payment_terms	ENUM('prepaid','monthly') NOT NULL,
	delivery_date	DATE NULL COMMENT 'requested, China date',
	remark		VARCHAR(500) NOT NULL DEFAULT '',
	po_no		VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'buyer''s PO',
	line_count	INT NOT NULL,
	subtotal_fen	BIGINT NOT NULL COMMENT 'sum of line_fen',
	tax_fen		BIGINT NOT NULL COMMENT 'sum of the lines'' tax_fen',
	total_fen	BIGINT NOT NULL,
	-- The submit's idempotency key with its owner, as idempotency_key
	-- names them ("customer:<customer_user.id>:<key>", "staff:<id>:…"):
	-- a replay finds the order it made, even once that row expired.
	idem_key	VARCHAR(140) CHARACTER SET ascii COLLATE ascii_bin NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	updated_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
			ON UPDATE CURRENT_TIMESTAMP(3),
	UNIQUE KEY sales_order_tenant (shop_id, id),
	UNIQUE KEY sales_order_no (shop_id, order_no),
	UNIQUE KEY sales_order_idem (shop_id, idem_key),
	KEY sales_order_state (shop_id, state, created_at),
	KEY sales_order_created (shop_id, created_at),
	KEY sales_order_customer (shop_id, customer_id, created_at),
	CONSTRAINT sales_order_customer_same_shop FOREIGN KEY (shop_id,
		customer_id) REFERENCES customer (shop_id, id),
	CONSTRAINT sales_order_user_same_shop FOREIGN KEY (shop_id,
		customer_user_id) REFERENCES customer_user (shop_id, id),
	CONSTRAINT sales_order_staff_same_shop FOREIGN KEY (shop_id, staff_id)
		REFERENCES staff (shop_id, id),
	CONSTRAINT sales_order_placed_by CHECK
		(customer_user_id IS NOT NULL OR staff_id IS NOT NULL),
	CONSTRAINT sales_order_money CHECK (subtotal_fen >= 0 AND
		tax_fen >= 0 AND total_fen = subtotal_fen + tax_fen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A line is a snapshot: the SKU's code, name and spec and the unit price
-- as they were at submit. line_fen = unit_fen * qty; tax_fen is the tax
-- on line_fen, rounded half up to the fen per line (docs/orders.md).
CREATE TABLE IF NOT EXISTS order_line (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	order_id	BIGINT UNSIGNED NOT NULL,
	line_no		INT NOT NULL,
	sku_id		BIGINT UNSIGNED NOT NULL,
	sku_code	VARCHAR(64) NOT NULL,
	name		VARCHAR(200) NOT NULL,
	spec		VARCHAR(200) NOT NULL DEFAULT '',
	unit		VARCHAR(10) NOT NULL,
	qty		INT NOT NULL,
	unit_fen	BIGINT NOT NULL,
	price_source	ENUM('base','tier','level','contract','quote','manual')
			NOT NULL,
	line_fen	BIGINT NOT NULL,
	tax_fen		BIGINT NOT NULL,
	shipped_qty	INT NOT NULL DEFAULT 0,
	UNIQUE KEY order_line_tenant (shop_id, id),
	UNIQUE KEY order_line_no (shop_id, order_id, line_no),
	KEY order_line_sku (shop_id, sku_id),
	CONSTRAINT order_line_order_same_shop FOREIGN KEY (shop_id, order_id)
		REFERENCES sales_order (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT order_line_sku_same_shop FOREIGN KEY (shop_id, sku_id)
		REFERENCES sku (shop_id, id),
	CONSTRAINT order_line_valid CHECK (qty >= 1 AND unit_fen >= 0 AND
		line_fen = unit_fen * qty AND tax_fen >= 0 AND
		shipped_qty BETWEEN 0 AND qty)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every move of an order's state: who, when, from, to, why. from_state
-- NULL: the order was placed.
CREATE TABLE IF NOT EXISTS order_event (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	order_id	BIGINT UNSIGNED NOT NULL,
	from_state	ENUM('pending_approval','submitted','confirmed','shipped',
			'received','completed','cancelled') NULL,
	to_state	ENUM('pending_approval','submitted','confirmed','shipped',
			'received','completed','cancelled') NOT NULL,
	customer_user_id BIGINT UNSIGNED NULL,
	staff_id	BIGINT UNSIGNED NULL,
	note		VARCHAR(500) NOT NULL DEFAULT '',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	KEY order_event_order (shop_id, order_id, id),
	CONSTRAINT order_event_order_same_shop FOREIGN KEY (shop_id, order_id)
		REFERENCES sales_order (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT order_event_user_same_shop FOREIGN KEY (shop_id,
		customer_user_id) REFERENCES customer_user (shop_id, id),
	CONSTRAINT order_event_staff_same_shop FOREIGN KEY (shop_id, staff_id)
		REFERENCES staff (shop_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A parcel: carrier and tracking number, and how much of which line it
-- holds (today an order ships whole, once; the lines allow parts).
CREATE TABLE IF NOT EXISTS shipment (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	order_id	BIGINT UNSIGNED NOT NULL,
	carrier		VARCHAR(60) NOT NULL,
	tracking_no	VARCHAR(60) NOT NULL,
	staff_id	BIGINT UNSIGNED NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY shipment_tenant (shop_id, id),
	KEY shipment_order (shop_id, order_id),
	CONSTRAINT shipment_order_same_shop FOREIGN KEY (shop_id, order_id)
		REFERENCES sales_order (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT shipment_staff_same_shop FOREIGN KEY (shop_id, staff_id)
		REFERENCES staff (shop_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS shipment_line (
	shop_id		BIGINT UNSIGNED NOT NULL,
	shipment_id	BIGINT UNSIGNED NOT NULL,
	order_line_id	BIGINT UNSIGNED NOT NULL,
	qty		INT NOT NULL,
	PRIMARY KEY (shipment_id, order_line_id),
	CONSTRAINT shipment_line_shipment_same_shop FOREIGN KEY (shop_id,
		shipment_id) REFERENCES shipment (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT shipment_line_line_same_shop FOREIGN KEY (shop_id,
		order_line_id) REFERENCES order_line (shop_id, id)
		ON DELETE CASCADE,
	CONSTRAINT shipment_line_qty CHECK (qty >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Stock as movements: every change of sku.stock (what may still be sold)
-- is a row. delta is the change to sku.stock; qty the units the movement
-- is about (the line's quantity for reserve, release and ship; |delta| for
-- adjust and import). A shipment moves reserved goods out: delta 0.
CREATE TABLE IF NOT EXISTS stock_movement (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	sku_id		BIGINT UNSIGNED NOT NULL,
	delta		INT NOT NULL,
	qty		INT NOT NULL,
	reason		ENUM('reserve','release','ship','adjust','import')
			NOT NULL,
	order_id	BIGINT UNSIGNED NULL,
	customer_user_id BIGINT UNSIGNED NULL,
	staff_id	BIGINT UNSIGNED NULL,
	note		VARCHAR(200) NOT NULL DEFAULT '',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	KEY stock_movement_sku (shop_id, sku_id, id),
	KEY stock_movement_order (shop_id, order_id),
	CONSTRAINT stock_movement_sku_same_shop FOREIGN KEY (shop_id, sku_id)
		REFERENCES sku (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT stock_movement_order_same_shop FOREIGN KEY (shop_id,
		order_id) REFERENCES sales_order (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT stock_movement_user_same_shop FOREIGN KEY (shop_id,
		customer_user_id) REFERENCES customer_user (shop_id, id),
	CONSTRAINT stock_movement_staff_same_shop FOREIGN KEY (shop_id,
		staff_id) REFERENCES staff (shop_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What a company owes on monthly-credit orders not yet paid: placing one
-- adds its total, cancelling it takes it off (payments will, later). The
-- row the order transaction locks for the credit check; made on the
-- company's first monthly order.
CREATE TABLE IF NOT EXISTS customer_balance (
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	outstanding_fen	BIGINT NOT NULL DEFAULT 0,
	updated_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
			ON UPDATE CURRENT_TIMESTAMP(3),
	PRIMARY KEY (shop_id, customer_id),
	CONSTRAINT customer_balance_customer_same_shop FOREIGN KEY (shop_id,
		customer_id) REFERENCES customer (shop_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
