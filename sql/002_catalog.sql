-- 002_catalog.sql -- the catalog (categories, products, SKUs, images), the
-- price system (member levels, price lists, quantity tiers, contract
-- prices, tax points), customers' details and inquiries.
-- Prices are BIGINT fen; percentages and tax points are basis points
-- (9000 = 90 %, 300 = 3 %).

ALTER TABLE shop
	ADD COLUMN tax_normal_bp INT NOT NULL DEFAULT 300
		COMMENT '普票 tax points, basis points',
	ADD COLUMN tax_special_bp INT NOT NULL DEFAULT 600
		COMMENT '专票 tax points, basis points',
	ADD COLUMN hide_wholesale_prices TINYINT(1) NOT NULL DEFAULT 0
		COMMENT 'guests see "price on inquiry" in the wholesale mall',
	ADD COLUMN auth_version BIGINT UNSIGNED NOT NULL DEFAULT 1
		COMMENT 'bumped by logouts, account changes: drop sessions';

CREATE TABLE member_level (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	name		VARCHAR(40) NOT NULL,
	rank_no		INT NOT NULL DEFAULT 0,
	UNIQUE KEY member_level_name (shop_id, name),
	CONSTRAINT member_level_shop_fk FOREIGN KEY (shop_id) REFERENCES shop (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE customer
	ADD COLUMN level_id BIGINT UNSIGNED NULL AFTER name,
	ADD COLUMN tags VARCHAR(500) NOT NULL DEFAULT '',
	ADD COLUMN contact_name VARCHAR(60) NOT NULL DEFAULT '',
	ADD COLUMN contact_phone VARCHAR(20) NOT NULL DEFAULT '',
	ADD COLUMN status ENUM('active','disabled') NOT NULL DEFAULT 'active',
	ADD CONSTRAINT customer_level_fk FOREIGN KEY (level_id)
		REFERENCES member_level (id);

CREATE TABLE customer_address (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	receiver	VARCHAR(60) NOT NULL,
	phone		VARCHAR(20) NOT NULL,
	region		VARCHAR(100) NOT NULL DEFAULT '',
	address		VARCHAR(300) NOT NULL,
	is_default	TINYINT(1) NOT NULL DEFAULT 0,
	KEY customer_address_customer (shop_id, customer_id),
	CONSTRAINT customer_address_customer_fk FOREIGN KEY (customer_id)
		REFERENCES customer (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE invoice_profile (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	kind		ENUM('normal','special') NOT NULL
			COMMENT 'normal = 普票, special = 专票',
	title		VARCHAR(100) NOT NULL,
	tax_id		VARCHAR(30) NOT NULL,
	bank_name	VARCHAR(100) NOT NULL DEFAULT '',
	bank_account	VARCHAR(40) NOT NULL DEFAULT '',
	address		VARCHAR(200) NOT NULL DEFAULT '',
	phone		VARCHAR(30) NOT NULL DEFAULT '',
	KEY invoice_profile_customer (shop_id, customer_id),
	CONSTRAINT invoice_profile_customer_fk FOREIGN KEY (customer_id)
		REFERENCES customer (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A one-time link that lets a person join a customer company.
CREATE TABLE customer_invite (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	token_hash	CHAR(64) NOT NULL,
	role		ENUM('buyer','approver','finance') NOT NULL,
	created_by	BIGINT UNSIGNED NOT NULL,
	expires_at	DATETIME(3) NOT NULL,
	used_at		DATETIME(3) NULL,
	UNIQUE KEY customer_invite_token (token_hash),
	CONSTRAINT customer_invite_customer_fk FOREIGN KEY (customer_id)
		REFERENCES customer (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE category (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	parent_id	BIGINT UNSIGNED NULL,
	name		VARCHAR(60) NOT NULL,
	sort		INT NOT NULL DEFAULT 0,
	KEY category_parent (shop_id, parent_id, sort),
	CONSTRAINT category_shop_fk FOREIGN KEY (shop_id) REFERENCES shop (id),
	CONSTRAINT category_parent_fk FOREIGN KEY (parent_id)
		REFERENCES category (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE product (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	category_id	BIGINT UNSIGNED NULL,
	code		VARCHAR(64) NOT NULL COMMENT 'product number (货号)',
	name		VARCHAR(200) NOT NULL,
	unit		VARCHAR(10) NOT NULL DEFAULT '件',
	description	MEDIUMTEXT NOT NULL COMMENT 'sanitized HTML',
	on_shelf	TINYINT(1) NOT NULL DEFAULT 1,
	visible		SET('ordering','wholesale','retail') NOT NULL
			DEFAULT 'ordering,wholesale,retail',
	sort		INT NOT NULL DEFAULT 0,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	updated_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
			ON UPDATE CURRENT_TIMESTAMP(3),
	UNIQUE KEY product_code (shop_id, code),
	KEY product_category (shop_id, category_id, sort, id),
	CONSTRAINT product_shop_fk FOREIGN KEY (shop_id) REFERENCES shop (id),
	CONSTRAINT product_category_fk FOREIGN KEY (category_id)
		REFERENCES category (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE sku (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	product_id	BIGINT UNSIGNED NOT NULL,
	code		VARCHAR(64) NOT NULL COMMENT 'SKU code, unique per shop',
	barcode		VARCHAR(32) NOT NULL DEFAULT '',
	spec		VARCHAR(200) NOT NULL DEFAULT ''
			COMMENT 'spec values, e.g. 颜色:红;尺码:L',
	unit		VARCHAR(10) NOT NULL DEFAULT '件',
	pack_size	INT NOT NULL DEFAULT 1,
	min_qty		INT NOT NULL DEFAULT 1,
	stock		INT NOT NULL DEFAULT 0,
	weight_g	INT NOT NULL DEFAULT 0,
	price_fen	BIGINT NOT NULL COMMENT 'base (wholesale) price',
	retail_price_fen BIGINT NULL COMMENT 'retail mall price; NULL: base',
	sort		INT NOT NULL DEFAULT 0,
	UNIQUE KEY sku_code (shop_id, code),
	KEY sku_barcode (shop_id, barcode),
	KEY sku_product (product_id, sort),
	CONSTRAINT sku_product_fk FOREIGN KEY (product_id) REFERENCES product (id)
		ON DELETE CASCADE,
	CONSTRAINT sku_price CHECK (price_fen >= 0 AND (retail_price_fen IS NULL
		OR retail_price_fen >= 0)),
	CONSTRAINT sku_qty CHECK (pack_size >= 1 AND min_qty >= 1 AND stock >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE product_image (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	product_id	BIGINT UNSIGNED NOT NULL,
	path		VARCHAR(200) NOT NULL COMMENT 'under uploads_dir',
	thumb_path	VARCHAR(200) NOT NULL,
	width		INT NOT NULL,
	height		INT NOT NULL,
	sort		INT NOT NULL DEFAULT 0,
	KEY product_image_product (product_id, sort),
	CONSTRAINT product_image_product_fk FOREIGN KEY (product_id)
		REFERENCES product (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Quantity tiers (阶梯价): buying at least min_qty costs price_fen each.
CREATE TABLE price_tier (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	sku_id		BIGINT UNSIGNED NOT NULL,
	min_qty		INT NOT NULL,
	price_fen	BIGINT NOT NULL,
	UNIQUE KEY price_tier_qty (sku_id, min_qty),
	CONSTRAINT price_tier_sku_fk FOREIGN KEY (sku_id) REFERENCES sku (id)
		ON DELETE CASCADE,
	CONSTRAINT price_tier_valid CHECK (min_qty >= 1 AND price_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A member level's price list: a fixed price per SKU, or else a
-- percentage of the base price for every SKU.
CREATE TABLE price_list (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	level_id	BIGINT UNSIGNED NOT NULL,
	name		VARCHAR(60) NOT NULL,
	percent_bp	INT NULL COMMENT 'e.g. 9000 = 90 % of base; NULL: none',
	UNIQUE KEY price_list_level (level_id),
	CONSTRAINT price_list_level_fk FOREIGN KEY (level_id)
		REFERENCES member_level (id) ON DELETE CASCADE,
	CONSTRAINT price_list_percent CHECK (percent_bp IS NULL OR
		percent_bp BETWEEN 1 AND 100000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE price_list_item (
	price_list_id	BIGINT UNSIGNED NOT NULL,
	sku_id		BIGINT UNSIGNED NOT NULL,
	shop_id		BIGINT UNSIGNED NOT NULL,
	price_fen	BIGINT NOT NULL,
	PRIMARY KEY (price_list_id, sku_id),
	CONSTRAINT price_list_item_list_fk FOREIGN KEY (price_list_id)
		REFERENCES price_list (id) ON DELETE CASCADE,
	CONSTRAINT price_list_item_sku_fk FOREIGN KEY (sku_id) REFERENCES sku (id)
		ON DELETE CASCADE,
	CONSTRAINT price_list_item_price CHECK (price_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A price agreed with one customer for one SKU; wins over everything.
CREATE TABLE contract_price (
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	sku_id		BIGINT UNSIGNED NOT NULL,
	price_fen	BIGINT NOT NULL,
	PRIMARY KEY (customer_id, sku_id),
	CONSTRAINT contract_price_customer_fk FOREIGN KEY (customer_id)
		REFERENCES customer (id) ON DELETE CASCADE,
	CONSTRAINT contract_price_sku_fk FOREIGN KEY (sku_id) REFERENCES sku (id)
		ON DELETE CASCADE,
	CONSTRAINT contract_price_valid CHECK (price_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 询价: a guest or customer asks about products; staff answer.
CREATE TABLE inquiry (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_user_id BIGINT UNSIGNED NULL,
	contact_name	VARCHAR(60) NOT NULL,
	contact_phone	VARCHAR(20) NOT NULL,
	company		VARCHAR(100) NOT NULL DEFAULT '',
	message		VARCHAR(2000) NOT NULL DEFAULT '',
	status		ENUM('open','answered','closed') NOT NULL DEFAULT 'open',
	assigned_staff_id BIGINT UNSIGNED NULL,
	answer		VARCHAR(4000) NOT NULL DEFAULT '',
	answered_at	DATETIME(3) NULL,
	ip		VARCHAR(45) NOT NULL DEFAULT '',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	KEY inquiry_shop (shop_id, status, created_at),
	KEY inquiry_ip (shop_id, ip, created_at),
	CONSTRAINT inquiry_shop_fk FOREIGN KEY (shop_id) REFERENCES shop (id),
	CONSTRAINT inquiry_staff_fk FOREIGN KEY (assigned_staff_id)
		REFERENCES staff (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE inquiry_item (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	inquiry_id	BIGINT UNSIGNED NOT NULL,
	product_id	BIGINT UNSIGNED NOT NULL,
	sku_id		BIGINT UNSIGNED NULL,
	qty		INT NOT NULL,
	quoted_price_fen BIGINT NULL,
	CONSTRAINT inquiry_item_inquiry_fk FOREIGN KEY (inquiry_id)
		REFERENCES inquiry (id) ON DELETE CASCADE,
	CONSTRAINT inquiry_item_product_fk FOREIGN KEY (product_id)
		REFERENCES product (id),
	CONSTRAINT inquiry_item_qty CHECK (qty >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
