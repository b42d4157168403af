-- 016_min_order.sql -- 起订金额: the smallest order a member level's
-- companies may place from the cart, in fen of goods before tax (the
-- order's subtotal_fen), so that the invoice chosen does not change
-- whether an order may be placed. 0, the default, is none. An accepted
-- quote is an agreed deal and is not held to it (docs/orders.md,
-- "Minimum order amount"). Re-runnable: IF NOT EXISTS throughout.

ALTER TABLE member_level
	ADD COLUMN IF NOT EXISTS min_order_fen BIGINT NOT NULL DEFAULT 0
		COMMENT '起订金额, goods before tax; 0 none' AFTER rank_no,
	ADD CONSTRAINT IF NOT EXISTS member_level_min_order
		CHECK (min_order_fen >= 0);
