-- 039_retail.sql -- the retail mall (零售商城) takes orders (docs/retail.md).
-- A consumer who buys there is a customer of kind 'consumer': a company of
-- one, made when they first buy from WeChat, prepaid only, priced at the
-- retail price, never shown the ordering mall or B2B prices. A WeChat-only
-- consumer has no phone number yet: customer_user.phone may be NULL (the
-- unique key allows any number of NULLs). Cart lines can come from the
-- retail mall. Re-runnable.
ALTER TABLE customer
	ADD COLUMN IF NOT EXISTS kind ENUM('dealer','consumer') NOT NULL
		DEFAULT 'dealer' COMMENT 'consumer: a retail buyer',
	ADD KEY IF NOT EXISTS customer_kind (shop_id, kind, created_at);
ALTER TABLE customer_user
	MODIFY phone VARCHAR(20) NULL;
ALTER TABLE cart_item
	MODIFY mode ENUM('ordering','wholesale','retail') NOT NULL
		DEFAULT 'ordering';
