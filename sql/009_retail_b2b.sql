-- 009_retail_b2b.sql -- the retail mall is for consumers: it hides the
-- B2B details (minimum order, case size, prices with 普票/专票 tax) unless
-- the shop turns them on here. Re-runnable.

ALTER TABLE shop
	ADD COLUMN IF NOT EXISTS retail_b2b_details TINYINT(1) NOT NULL
		DEFAULT 0 AFTER hide_wholesale_prices;
