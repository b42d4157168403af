-- 017_order_line_change.sql -- staff adjust a submitted order's lines
-- before they confirm it (docs/orders.md, "Adjusting a submitted order").
-- order_line stays what the order is now, so everything that reads lines
-- (cancel, ship, the delivery note, reorder) is unchanged; it remembers
-- what a line was as placed (orig_*), for both sides' pages to show. Every
-- change of every adjustment is an order_line_change row, removed lines
-- among them (they leave order_line: a line's quantity is at least 1).
-- sales_order.version counts the adjustments: the form sends the one it
-- showed, and a stale one is refused. Re-runnable: IF [NOT] EXISTS.

-- orig_qty NULL: the line is as placed. Otherwise orig_qty and
-- orig_unit_fen are what it was when placed, kept from its first change;
-- orig_qty 0 is a line staff added (its orig_unit_fen NULL until it is
-- changed in turn).
ALTER TABLE order_line
	ADD COLUMN IF NOT EXISTS orig_qty INT NULL
		COMMENT 'units as placed; 0 added by staff; NULL unchanged',
	ADD COLUMN IF NOT EXISTS orig_unit_fen BIGINT NULL
		COMMENT 'unit price as placed; NULL unchanged',
	ADD COLUMN IF NOT EXISTS changed_at DATETIME(3) NULL
		COMMENT 'the last adjustment of this line';

ALTER TABLE sales_order
	ADD COLUMN IF NOT EXISTS version INT NOT NULL DEFAULT 0
		COMMENT 'staff adjustments of the lines so far'
		AFTER total_fen;

-- One row per line an adjustment touched. version: the order's version the
-- adjustment made (all rows of one adjustment share it). action: change
-- (quantity, price or both), remove, add. The SKU's code, name, spec and
-- unit as the line had them, so a removed line can still be listed.
-- old_*: before (NULL for add), new_*: after (NULL for remove).
CREATE TABLE IF NOT EXISTS order_line_change (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	order_id	BIGINT UNSIGNED NOT NULL,
	version		INT NOT NULL,
	action		ENUM('change','remove','add') NOT NULL,
	line_no		INT NOT NULL,
	sku_id		BIGINT UNSIGNED NOT NULL,
	sku_code	VARCHAR(64) NOT NULL,
	name		VARCHAR(200) NOT NULL,
	spec		VARCHAR(200) NOT NULL DEFAULT '',
	unit		VARCHAR(10) NOT NULL,
	old_qty		INT NULL,
	new_qty		INT NULL,
	old_unit_fen	BIGINT NULL,
	new_unit_fen	BIGINT NULL,
	price_source	VARCHAR(10) NULL COMMENT 'after: manual for a price set',
	reason		VARCHAR(200) NOT NULL DEFAULT '',
	staff_id	BIGINT UNSIGNED NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	KEY order_line_change_order (shop_id, order_id, id),
	CONSTRAINT order_line_change_order_same_shop FOREIGN KEY (shop_id,
		order_id) REFERENCES sales_order (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT order_line_change_sku_same_shop FOREIGN KEY (shop_id,
		sku_id) REFERENCES sku (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT order_line_change_staff_same_shop FOREIGN KEY (shop_id,
		staff_id) REFERENCES staff (shop_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
