-- 008_contract_binding.sql -- a contract price the shop marks binding
-- applies whatever the quantity tiers and level prices say; one that is
-- not (the default, and every price set before) is one candidate among
-- them, and the customer pays the lowest (docs/pricing.md). Re-runnable.

ALTER TABLE contract_price
	ADD COLUMN IF NOT EXISTS binding TINYINT(1) NOT NULL DEFAULT 0
		AFTER price_fen;
