-- scripts/demo-prices.sql -- the demo shop's price system, run by dev-up
-- once the catalog of scripts/demo/catalog is imported (the codes are
-- its): two member levels with their price lists and 起订金额 (the least
-- an order's goods before tax may come to: docs/orders.md), the demo
-- customer company (示例商贸有限公司) a gold dealer, and its contract
-- prices, one of them binding. docs/pricing.md says which price wins; the
-- back office's 价格核对 shows it for a SKU and a quantity.
SET @s = (SELECT id FROM shop WHERE slug = 'demo');

-- 金牌经销商: 95 % of the guest's price, fixed prices for the lines a
-- gold dealer buys by the pallet, and orders of at least ¥500.
INSERT INTO member_level (shop_id, name, rank_no, min_order_fen)
  VALUES (@s, '金牌经销商', 1, 50000);
SET @gold = LAST_INSERT_ID();
INSERT INTO price_list (shop_id, level_id, name, percent_bp)
  VALUES (@s, @gold, '金牌经销价', 9500);
SET @gold_list = LAST_INSERT_ID();
INSERT INTO price_list_item (price_list_id, sku_id, shop_id, price_fen)
  SELECT @gold_list, k.id, @s, v.fen FROM sku k JOIN (
    SELECT 'P0001-2' AS code, 95 AS fen          -- 清泉源 550ml
    UNION ALL SELECT 'P0013-1', 165              -- 汽泡乐 可乐 原味
    UNION ALL SELECT 'P0020-1', 210              -- 草原牧场 纯牛奶
    UNION ALL SELECT 'P0038-1', 205              -- 好味道 红烧牛肉面
  ) v ON v.code = k.code WHERE k.shop_id = @s;

-- 银牌经销商: 98 %, orders of at least ¥300, nobody on it yet.
INSERT INTO member_level (shop_id, name, rank_no, min_order_fen)
  VALUES (@s, '银牌经销商', 2, 30000);
INSERT INTO price_list (shop_id, level_id, name, percent_bp)
  VALUES (@s, LAST_INSERT_ID(), '银牌经销价', 9800);

UPDATE customer SET level_id = @gold WHERE shop_id = @s;

-- Contract prices of the demo company. The oil's is the lowest up to 19
-- 桶; from 20 the tier with the gold discount (57.10) is lower, and wins.
-- The 酱香 is binding: 158.00 whatever the tiers and the level say.
INSERT INTO contract_price (shop_id, customer_id, sku_id, price_fen, binding)
  SELECT @s, c.id, k.id, v.fen, v.binding FROM customer c JOIN (
    SELECT 'P0048-1' AS code, 5750 AS fen, 0 AS binding   -- 花生油 5L
    UNION ALL SELECT 'P0045-1', 2750, 0                   -- 东北大米 5kg
    UNION ALL SELECT 'P0062-1', 2080, 0                   -- 卷纸 10卷
    UNION ALL SELECT 'P0025-1', 430, 0                    -- 薯片 原味
    UNION ALL SELECT 'P0081-1', 6200, 0                   -- 浓香型白酒
    UNION ALL SELECT 'P0083-1', 15800, 1                  -- 酱香型白酒
  ) v JOIN sku k ON k.shop_id = c.shop_id AND k.code = v.code
  WHERE c.shop_id = @s;

UPDATE shop SET version = version + 1, auth_version = auth_version + 1
  WHERE id = @s;
