-- 028_channel.sql -- channels (渠道: a packaging batch, an exhibition, a
-- salesperson, a poster) with their printable codes, the visitors each
-- brought, and the first touch stored on what they became: a dealer
-- application, a WeChat identity, a company's first order
-- (docs/wechat-channels.md). Times are UTC; days and weeks are China's.
-- Re-runnable: IF NOT EXISTS.

CREATE TABLE IF NOT EXISTS channel (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	kind		ENUM('package','exhibition','sales','poster') NOT NULL,
	name		VARCHAR(100) NOT NULL,
	staff_id	BIGINT UNSIGNED NULL COMMENT 'the salesperson, if any',
	-- What the codes carry: ?ch=, the mini-program's scene, the
	-- official account's scene_str. Generated, [A-Za-z0-9_-]{1,32}.
	scene		VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin
			NOT NULL,
	-- The official account's permanent QR code, created once.
	mp_ticket	VARCHAR(255) CHARACTER SET ascii NULL,
	mp_url		VARCHAR(255) CHARACTER SET ascii NULL,
	-- The mini-program code, fetched once: a PNG under private_dir.
	wxacode_path	VARCHAR(96) CHARACTER SET ascii NULL,
	created_by	BIGINT UNSIGNED NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	updated_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
			ON UPDATE CURRENT_TIMESTAMP(3),
	UNIQUE KEY channel_scene (shop_id, scene),
	UNIQUE KEY channel_tenant (shop_id, id),
	CONSTRAINT channel_shop FOREIGN KEY (shop_id) REFERENCES shop (id),
	CONSTRAINT channel_staff FOREIGN KEY (staff_id) REFERENCES staff (id)
		ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per visitor, channel and China day: the unique visitors a
-- channel brought. visitor is the dh_ch cookie's id ("v…"), or the
-- WeChat user's ("o…", a hash of appid and openid).
CREATE TABLE IF NOT EXISTS channel_visit (
	channel_id	BIGINT UNSIGNED NOT NULL,
	day		DATE NOT NULL,
	visitor		CHAR(33) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	shop_id		BIGINT UNSIGNED NOT NULL,
	source		ENUM('h5','miniapp','mp') NOT NULL DEFAULT 'h5',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	PRIMARY KEY (channel_id, day, visitor),
	KEY channel_visit_shop (shop_id, day),
	CONSTRAINT channel_visit_channel FOREIGN KEY (channel_id)
		REFERENCES channel (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- Official-account messages and events seen, so a retry (WeChat sends
-- each up to three times) is handled once: MsgId, or FromUserName and
-- CreateTime for events (wechat-protocols.md §6.2).
CREATE TABLE IF NOT EXISTS wx_mp_seen (
	shop_id		BIGINT UNSIGNED NOT NULL,
	msg_key		VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin
			NOT NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	PRIMARY KEY (shop_id, msg_key),
	KEY wx_mp_seen_created (created_at),
	CONSTRAINT wx_mp_seen_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- First touch, stored on the row it led to (NULL: none known).
ALTER TABLE dealer_application
	ADD COLUMN IF NOT EXISTS channel_id BIGINT UNSIGNED NULL,
	ADD KEY IF NOT EXISTS dealer_application_channel (channel_id, created_at),
	ADD CONSTRAINT dealer_application_channel
		FOREIGN KEY IF NOT EXISTS (channel_id) REFERENCES channel (id)
		ON DELETE SET NULL;

ALTER TABLE wx_identity
	ADD COLUMN IF NOT EXISTS channel_id BIGINT UNSIGNED NULL,
	ADD KEY IF NOT EXISTS wx_identity_channel (channel_id, bound_at),
	ADD CONSTRAINT wx_identity_channel
		FOREIGN KEY IF NOT EXISTS (channel_id) REFERENCES channel (id)
		ON DELETE SET NULL;

-- Set on a company's first order only.
ALTER TABLE sales_order
	ADD COLUMN IF NOT EXISTS channel_id BIGINT UNSIGNED NULL,
	ADD KEY IF NOT EXISTS sales_order_channel (channel_id, created_at),
	ADD CONSTRAINT sales_order_channel
		FOREIGN KEY IF NOT EXISTS (channel_id) REFERENCES channel (id)
		ON DELETE SET NULL;
