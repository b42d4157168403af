-- 033_stock_return.sql -- goods a customer sends back on an after-sales
-- ticket (docs/service.md) come back into stock as a movement of their
-- own reason. Re-runnable: MODIFY to the same list is a no-op.
ALTER TABLE stock_movement MODIFY reason ENUM('reserve','release','ship',
	'adjust','import','return') NOT NULL;
