-- 005_tenancy.sql -- the database checks tenancy too: a row that refers to
-- another row refers to one of its own shop. Every parent gets a key
-- (shop_id, id), and every reference becomes a foreign key
-- (shop_id, x_id) -> parent (shop_id, id) in place of the plain x_id ->
-- parent (id), with the same ON DELETE. A NULL reference is not checked.
-- On a database with data, a row that already points into another shop
-- stops this file (error 1452 names the constraint): fix that row and
-- migrate again; IF [NOT] EXISTS lets the file run again from the top.
-- inquiry_item has no shop_id yet: 007 adds it and its keys.

-- The parents' keys.
ALTER TABLE staff ADD UNIQUE KEY IF NOT EXISTS staff_tenant (shop_id, id);
ALTER TABLE customer
	ADD UNIQUE KEY IF NOT EXISTS customer_tenant (shop_id, id);
ALTER TABLE customer_user
	ADD UNIQUE KEY IF NOT EXISTS customer_user_tenant (shop_id, id);
ALTER TABLE member_level
	ADD UNIQUE KEY IF NOT EXISTS member_level_tenant (shop_id, id);
ALTER TABLE category
	ADD UNIQUE KEY IF NOT EXISTS category_tenant (shop_id, id);
ALTER TABLE product ADD UNIQUE KEY IF NOT EXISTS product_tenant (shop_id, id);
ALTER TABLE sku ADD UNIQUE KEY IF NOT EXISTS sku_tenant (shop_id, id);
ALTER TABLE price_list
	ADD UNIQUE KEY IF NOT EXISTS price_list_tenant (shop_id, id);
ALTER TABLE inquiry ADD UNIQUE KEY IF NOT EXISTS inquiry_tenant (shop_id, id);

-- Customers, their people and their details.
ALTER TABLE customer
	DROP FOREIGN KEY IF EXISTS customer_owner,
	DROP FOREIGN KEY IF EXISTS customer_level_fk,
	ADD CONSTRAINT customer_owner_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, owner_staff_id) REFERENCES staff (shop_id, id),
	ADD CONSTRAINT customer_level_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, level_id) REFERENCES member_level (shop_id, id);
ALTER TABLE customer_user
	DROP FOREIGN KEY IF EXISTS customer_user_customer,
	ADD CONSTRAINT customer_user_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, customer_id) REFERENCES customer (shop_id, id);
ALTER TABLE customer_address
	DROP FOREIGN KEY IF EXISTS customer_address_customer_fk,
	ADD CONSTRAINT customer_address_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, customer_id) REFERENCES customer (shop_id, id)
		ON DELETE CASCADE;
ALTER TABLE invoice_profile
	DROP FOREIGN KEY IF EXISTS invoice_profile_customer_fk,
	ADD CONSTRAINT invoice_profile_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, customer_id) REFERENCES customer (shop_id, id)
		ON DELETE CASCADE;
ALTER TABLE customer_invite
	DROP FOREIGN KEY IF EXISTS customer_invite_customer_fk,
	ADD CONSTRAINT customer_invite_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, customer_id) REFERENCES customer (shop_id, id)
		ON DELETE CASCADE,
	ADD CONSTRAINT customer_invite_by_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, created_by) REFERENCES staff (shop_id, id);

-- Sessions: an actor of the session's shop.
ALTER TABLE session
	DROP FOREIGN KEY IF EXISTS session_staff,
	DROP FOREIGN KEY IF EXISTS session_customer_user,
	ADD CONSTRAINT session_staff_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, staff_id) REFERENCES staff (shop_id, id)
		ON DELETE CASCADE,
	ADD CONSTRAINT session_customer_user_same_shop FOREIGN KEY
		IF NOT EXISTS (shop_id, customer_user_id)
		REFERENCES customer_user (shop_id, id) ON DELETE CASCADE;

-- The catalog.
ALTER TABLE category
	DROP FOREIGN KEY IF EXISTS category_parent_fk,
	ADD CONSTRAINT category_parent_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, parent_id) REFERENCES category (shop_id, id);
ALTER TABLE product
	DROP FOREIGN KEY IF EXISTS product_category_fk,
	ADD CONSTRAINT product_category_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, category_id) REFERENCES category (shop_id, id);
ALTER TABLE sku
	DROP FOREIGN KEY IF EXISTS sku_product_fk,
	ADD CONSTRAINT sku_product_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, product_id) REFERENCES product (shop_id, id)
		ON DELETE CASCADE;
ALTER TABLE product_image
	DROP FOREIGN KEY IF EXISTS product_image_product_fk,
	ADD CONSTRAINT product_image_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, product_id) REFERENCES product (shop_id, id)
		ON DELETE CASCADE;

-- Prices.
ALTER TABLE price_tier
	DROP FOREIGN KEY IF EXISTS price_tier_sku_fk,
	ADD CONSTRAINT price_tier_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, sku_id) REFERENCES sku (shop_id, id)
		ON DELETE CASCADE;
ALTER TABLE price_list
	DROP FOREIGN KEY IF EXISTS price_list_level_fk,
	ADD CONSTRAINT price_list_level_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, level_id) REFERENCES member_level (shop_id, id)
		ON DELETE CASCADE;
ALTER TABLE price_list_item
	DROP FOREIGN KEY IF EXISTS price_list_item_list_fk,
	DROP FOREIGN KEY IF EXISTS price_list_item_sku_fk,
	ADD CONSTRAINT price_list_item_list_same_shop FOREIGN KEY
		IF NOT EXISTS (shop_id, price_list_id)
		REFERENCES price_list (shop_id, id) ON DELETE CASCADE,
	ADD CONSTRAINT price_list_item_sku_same_shop FOREIGN KEY
		IF NOT EXISTS (shop_id, sku_id) REFERENCES sku (shop_id, id)
		ON DELETE CASCADE;
ALTER TABLE contract_price
	DROP FOREIGN KEY IF EXISTS contract_price_customer_fk,
	DROP FOREIGN KEY IF EXISTS contract_price_sku_fk,
	ADD CONSTRAINT contract_price_customer_same_shop FOREIGN KEY
		IF NOT EXISTS (shop_id, customer_id)
		REFERENCES customer (shop_id, id) ON DELETE CASCADE,
	ADD CONSTRAINT contract_price_sku_same_shop FOREIGN KEY
		IF NOT EXISTS (shop_id, sku_id) REFERENCES sku (shop_id, id)
		ON DELETE CASCADE;

-- Inquiries: the asker and the staff member answering are of the shop.
ALTER TABLE inquiry
	DROP FOREIGN KEY IF EXISTS inquiry_staff_fk,
	ADD CONSTRAINT inquiry_staff_same_shop FOREIGN KEY IF NOT EXISTS
		(shop_id, assigned_staff_id) REFERENCES staff (shop_id, id),
	ADD CONSTRAINT inquiry_customer_user_same_shop FOREIGN KEY
		IF NOT EXISTS (shop_id, customer_user_id)
		REFERENCES customer_user (shop_id, id);
