-- 007_inquiry_item_shop.sql -- inquiry_item gets the shop_id every other
-- tenant-owned table has (005 left it out), filled from its inquiry, so
-- the database checks that a line's inquiry, product and SKU are of one
-- shop. Re-runnable: IF [NOT] EXISTS throughout.

ALTER TABLE inquiry_item
	ADD COLUMN IF NOT EXISTS shop_id BIGINT UNSIGNED NULL AFTER id;
UPDATE inquiry_item it JOIN inquiry i ON i.id = it.inquiry_id
	SET it.shop_id = i.shop_id WHERE it.shop_id IS NULL;
ALTER TABLE inquiry_item MODIFY shop_id BIGINT UNSIGNED NOT NULL;

ALTER TABLE inquiry_item
	DROP FOREIGN KEY IF EXISTS inquiry_item_inquiry_fk,
	DROP FOREIGN KEY IF EXISTS inquiry_item_product_fk,
	ADD CONSTRAINT inquiry_item_inquiry_same_shop FOREIGN KEY
		IF NOT EXISTS (shop_id, inquiry_id)
		REFERENCES inquiry (shop_id, id) ON DELETE CASCADE,
	ADD CONSTRAINT inquiry_item_product_same_shop FOREIGN KEY
		IF NOT EXISTS (shop_id, product_id)
		REFERENCES product (shop_id, id),
	ADD CONSTRAINT inquiry_item_sku_same_shop FOREIGN KEY
		IF NOT EXISTS (shop_id, sku_id) REFERENCES sku (shop_id, id);
