-- scripts/demo-orders.sql -- what the demo customer company needs to order
-- (docs/orders.md), run by dev-up after scripts/demo-prices.sql: two
-- delivery addresses, a 普票 and a 专票 invoice profile, and the bottled
-- drinks sold in whole cases only (整箱销售).
SET @s = (SELECT id FROM shop WHERE slug = 'demo');
SET @c = (SELECT id FROM customer WHERE shop_id = @s
    AND name = '示例商贸有限公司');

INSERT INTO customer_address (shop_id, customer_id, receiver, phone, region,
    address, is_default) VALUES
  (@s, @c, '张采购', '13900000000', '上海市 浦东新区',
   '川沙路 1888 号 3 号仓库', 1),
  (@s, @c, '李经理', '13900000001', '江苏省 苏州市 昆山市',
   '前进东路 66 号 示例商贸门店', 0);

INSERT INTO invoice_profile (shop_id, customer_id, kind, title, tax_id,
    bank_name, bank_account, address, phone) VALUES
  (@s, @c, 'normal', '示例商贸有限公司', '91310000MA1FL0000X', '', '', '',
   ''),
  (@s, @c, 'special', '示例商贸有限公司', '91310000MA1FL0000X',
   '招商银行上海川沙支行', '121900000010001', '上海市浦东新区川沙路 1888 号',
   '021-58000000');

-- 矿泉水 and 饮料 in bottles go out by the case.
UPDATE sku k JOIN product p ON p.id = k.product_id AND p.shop_id = k.shop_id
  SET k.pack_only = 1
  WHERE k.shop_id = @s AND k.pack_size > 1 AND k.min_qty = k.pack_size
  AND p.code IN ('P0001', 'P0002', 'P0013');
