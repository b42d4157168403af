-- 013_purchase_list.sql -- saved purchase lists (常购清单): a customer
-- company's named lists of SKUs and quantities, made from the cart or an
-- order, edited by any user of the company and ordered from in one tap
-- (docs/orders.md). A list belongs to the company, not to the user who
-- made it (created_by, kept NULL when that user is deleted). Same-shop
-- foreign keys as 005_tenancy.sql set up; a SKU deleted leaves its lists.
-- Re-runnable: IF NOT EXISTS.

CREATE TABLE IF NOT EXISTS purchase_list (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	name		VARCHAR(60) NOT NULL,
	created_by	BIGINT UNSIGNED NULL COMMENT 'customer_user.id',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	updated_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY purchase_list_shop_id (shop_id, id),
	KEY purchase_list_company (shop_id, customer_id, updated_at),
	CONSTRAINT purchase_list_customer_same_shop FOREIGN KEY (shop_id,
		customer_id) REFERENCES customer (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT purchase_list_user FOREIGN KEY (created_by)
		REFERENCES customer_user (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS purchase_list_item (
	shop_id		BIGINT UNSIGNED NOT NULL,
	list_id		BIGINT UNSIGNED NOT NULL,
	sku_id		BIGINT UNSIGNED NOT NULL,
	qty		INT NOT NULL,
	added_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	PRIMARY KEY (shop_id, list_id, sku_id),
	KEY purchase_list_item_sku (shop_id, sku_id),
	CONSTRAINT purchase_list_item_list FOREIGN KEY (shop_id, list_id)
		REFERENCES purchase_list (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT purchase_list_item_sku_same_shop FOREIGN KEY (shop_id,
		sku_id) REFERENCES sku (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT purchase_list_item_qty CHECK (qty BETWEEN 1 AND 1000000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
