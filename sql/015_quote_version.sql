-- 015_quote_version.sql -- a quote is kept version by version: every
-- staff answer with prices is a new quote_version (its number, last day,
-- who, when, the answer as its note) with the quoted lines as they were
-- (quote_version_line: the inquiry's line, the SKU, qty, unit price).
-- inquiry_item.quoted_price_fen stays the latest version's price, for the
-- lists. An inquiry may be started by staff for a company (a quote made
-- directly: created_by_staff_id), and is closed by the order its quote
-- became (accepted_order_id). Re-runnable: IF [NOT] EXISTS throughout,
-- the backfill only for inquiries with prices and no version yet.

ALTER TABLE inquiry
	ADD COLUMN IF NOT EXISTS created_by_staff_id BIGINT UNSIGNED NULL
		COMMENT 'a quote staff made for the company directly'
		AFTER customer_user_id,
	ADD COLUMN IF NOT EXISTS accepted_order_id BIGINT UNSIGNED NULL
		COMMENT 'the order the accepted quote became'
		AFTER quote_valid_until,
	ADD CONSTRAINT inquiry_created_by_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, created_by_staff_id) REFERENCES staff (shop_id, id),
	ADD CONSTRAINT inquiry_accepted_order_same_shop FOREIGN KEY
		IF NOT EXISTS (shop_id, accepted_order_id)
		REFERENCES sales_order (shop_id, id);

CREATE TABLE IF NOT EXISTS quote_version (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	inquiry_id	BIGINT UNSIGNED NOT NULL,
	version		INT NOT NULL COMMENT '1, 2, ... per inquiry',
	valid_until	DATE NULL COMMENT 'last day (China time) it holds',
	staff_id	BIGINT UNSIGNED NULL,
	note		VARCHAR(4000) NOT NULL DEFAULT '',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY quote_version_tenant (shop_id, id),
	UNIQUE KEY quote_version_no (shop_id, inquiry_id, version),
	CONSTRAINT quote_version_inquiry_same_shop FOREIGN KEY (shop_id,
		inquiry_id) REFERENCES inquiry (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT quote_version_staff_same_shop FOREIGN KEY (shop_id,
		staff_id) REFERENCES staff (shop_id, id),
	CONSTRAINT quote_version_no_valid CHECK (version >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- sku_id: the line's SKU, or its product's only one; NULL when the
-- product has several and the line named none (it cannot be ordered).
CREATE TABLE IF NOT EXISTS quote_version_line (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	version_id	BIGINT UNSIGNED NOT NULL,
	inquiry_item_id	BIGINT UNSIGNED NOT NULL,
	sku_id		BIGINT UNSIGNED NULL,
	qty		INT NOT NULL,
	unit_fen	BIGINT NOT NULL,
	KEY quote_version_line_version (shop_id, version_id),
	CONSTRAINT quote_version_line_version_same_shop FOREIGN KEY (shop_id,
		version_id) REFERENCES quote_version (shop_id, id)
		ON DELETE CASCADE,
	CONSTRAINT quote_version_line_item FOREIGN KEY (inquiry_item_id)
		REFERENCES inquiry_item (id) ON DELETE CASCADE,
	CONSTRAINT quote_version_line_sku_same_shop FOREIGN KEY (shop_id,
		sku_id) REFERENCES sku (shop_id, id),
	CONSTRAINT quote_version_line_valid CHECK (qty >= 1 AND unit_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Quotes made before versions become their inquiry's version 1.
INSERT INTO quote_version (shop_id, inquiry_id, version, valid_until,
    staff_id, note, created_at)
	SELECT i.shop_id, i.id, 1, i.quote_valid_until, i.assigned_staff_id,
	    i.answer, COALESCE(i.answered_at, i.created_at)
	FROM inquiry i
	WHERE EXISTS (SELECT 1 FROM inquiry_item it WHERE it.inquiry_id = i.id
	    AND it.quoted_price_fen IS NOT NULL)
	AND NOT EXISTS (SELECT 1 FROM quote_version v
	    WHERE v.shop_id = i.shop_id AND v.inquiry_id = i.id);
INSERT INTO quote_version_line (shop_id, version_id, inquiry_item_id, sku_id,
    qty, unit_fen)
	SELECT v.shop_id, v.id, it.id, COALESCE(it.sku_id, (SELECT MIN(s.id)
	    FROM sku s WHERE s.product_id = it.product_id
	    AND s.shop_id = it.shop_id HAVING COUNT(*) = 1)), it.qty,
	    it.quoted_price_fen
	FROM quote_version v JOIN inquiry_item it ON it.inquiry_id = v.inquiry_id
	AND it.shop_id = v.shop_id
	WHERE v.version = 1 AND it.quoted_price_fen IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM quote_version_line l
	    WHERE l.shop_id = v.shop_id AND l.version_id = v.id);
