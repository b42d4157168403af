-- scripts/demo-prices.sql -- the demo shop's price system, run by dev-up
-- once the sample catalog is imported: a member level with a price list
-- (90 % of base, a few fixed prices), the demo customer on that level,
-- and contract prices for a few SKUs.
SET @s = (SELECT id FROM shop WHERE slug = 'demo');
INSERT INTO member_level (shop_id, name, rank_no) VALUES (@s, '金牌经销商', 1);
SET @lvl = LAST_INSERT_ID();
INSERT INTO price_list (shop_id, level_id, name, percent_bp)
  VALUES (@s, @lvl, '金牌经销价', 9000);
INSERT INTO price_list_item (price_list_id, sku_id, shop_id, price_fen)
  SELECT LAST_INSERT_ID(), id, @s, price_fen * 85 DIV 100 FROM sku
  WHERE shop_id = @s ORDER BY id LIMIT 10;
UPDATE customer SET level_id = @lvl WHERE shop_id = @s;
INSERT INTO contract_price (shop_id, customer_id, sku_id, price_fen)
  SELECT @s, c.id, k.id, k.price_fen * 80 DIV 100
  FROM customer c JOIN sku k ON k.shop_id = c.shop_id
  WHERE c.shop_id = @s AND k.id % 9 = 0 LIMIT 12;
UPDATE shop SET version = version + 1, auth_version = auth_version + 1
  WHERE id = @s;
