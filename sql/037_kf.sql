-- 037_kf.sql -- 微信客服 (WeChat customer service through WeCom): a
-- shop's corp and accounts, their contact links (each with a scene),
-- the pull cursor and its lease, the conversations and every message,
-- in and out, stored once (docs/wechat-kf.md, wechat-protocols.md §11).
-- The secrets (the app's Secret, the callback Token and EncodingAESKey)
-- are files under secrets_dir (domain/secret.c). Times the platform
-- gives are unix seconds (BIGINT); our own are DATETIME(3), UTC.
-- Re-runnable: IF NOT EXISTS.

CREATE TABLE IF NOT EXISTS shop_kf (
	shop_id		BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	corp_id		VARCHAR(32) CHARACTER SET ascii NOT NULL DEFAULT '',
	updated_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
			ON UPDATE CURRENT_TIMESTAMP(3),
	updated_by	BIGINT UNSIGNED NULL,
	CONSTRAINT shop_kf_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The accounts (客服账号) kf/account/list gave, as last synced.
CREATE TABLE IF NOT EXISTS kf_account (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	open_kfid	VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin
			NOT NULL,
	name		VARCHAR(64) NOT NULL DEFAULT '',
	avatar		VARCHAR(512) CHARACTER SET ascii NOT NULL DEFAULT '',
	manage_privilege TINYINT(1) NOT NULL DEFAULT 0,
	listed		TINYINT(1) NOT NULL DEFAULT 1
			COMMENT '0: gone from the last account/list',
	synced_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY kf_account_kfid (shop_id, open_kfid),
	UNIQUE KEY kf_account_tenant (shop_id, id),
	CONSTRAINT kf_account_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Contact links (kf/add_contact_way), one per account and scene: where
-- a customer came from (公众号菜单, 小程序, 视频号, 网页, 海报…).
CREATE TABLE IF NOT EXISTS kf_contact (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	account_id	BIGINT UNSIGNED NOT NULL,
	scene		VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin
			NOT NULL,
	label		VARCHAR(40) NOT NULL,
	url		VARCHAR(1024) CHARACTER SET ascii NOT NULL,
	created_by	BIGINT UNSIGNED NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY kf_contact_scene (shop_id, account_id, scene),
	CONSTRAINT kf_contact_account FOREIGN KEY (shop_id, account_id)
		REFERENCES kf_account (shop_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One puller per account: the cursor moves with the messages of each
-- page (one transaction), the lease is a committed row (never a lock
-- held across an HTTP call), wanted counts callbacks so a pull that
-- ran while one arrived goes again (and kf.sweep wakes any account
-- whose done_wanted lags). act_after: messages sent before
-- the first pull are history (stored, never answered).
CREATE TABLE IF NOT EXISTS kf_sync (
	shop_id		BIGINT UNSIGNED NOT NULL,
	open_kfid	VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin
			NOT NULL,
	next_cursor	VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin
			NOT NULL DEFAULT '',
	cb_token	VARCHAR(128) CHARACTER SET ascii NULL,
	cb_token_at	DATETIME(3) NULL,
	wanted		BIGINT NOT NULL DEFAULT 0,
	done_wanted	BIGINT NOT NULL DEFAULT 0
			COMMENT 'wanted when the last pull ended',
	lease_owner	VARCHAR(64) CHARACTER SET ascii NULL,
	lease_until	DATETIME(3) NULL,
	act_after	BIGINT NULL,
	pulled_at	DATETIME(3) NULL,
	pages		BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (shop_id, open_kfid),
	CONSTRAINT kf_sync_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- A conversation: one customer (external_userid) with one account.
-- The reply window (§11.7): 48 h after last_customer_at, at most 5 of
-- our messages sent since (counted in kf_msg, under this row's lock:
-- rows after last_customer_msg, since platform seconds tie).
CREATE TABLE IF NOT EXISTS kf_conv (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	open_kfid	VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin
			NOT NULL,
	external_userid	VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin
			NOT NULL,
	customer_user_id BIGINT UNSIGNED NULL,
	linked_by	ENUM('unionid','staff') NULL,
	unionid		VARCHAR(64) CHARACTER SET ascii NULL,
	nickname	VARCHAR(64) NOT NULL DEFAULT '',
	looked_up	TINYINT(1) NOT NULL DEFAULT 0
			COMMENT '1: customer/batchget answered for it',
	scene		VARCHAR(32) CHARACTER SET ascii NOT NULL DEFAULT '',
	scene_param	VARCHAR(128) NOT NULL DEFAULT '',
	channels_scene	TINYINT NOT NULL DEFAULT 0
			COMMENT '视频号 entry 1-5 (§11.6), 0: none',
	state		ENUM('open','closed') NOT NULL DEFAULT 'open',
	last_customer_at BIGINT NOT NULL DEFAULT 0,
	last_customer_msg BIGINT UNSIGNED NOT NULL DEFAULT 0
			COMMENT 'kf_msg.id of that message',
	last_msg_at	BIGINT NOT NULL DEFAULT 0,
	rejected	TINYINT(1) NOT NULL DEFAULT 0
			COMMENT 'msg_send_fail 10: the customer refuses',
	-- The after-sales ticket it became (the tickets' table, once
	-- merged; docs/wechat-kf.md). NULL: none.
	ticket_id	BIGINT UNSIGNED NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY kf_conv_user (shop_id, open_kfid, external_userid),
	UNIQUE KEY kf_conv_tenant (shop_id, id),
	KEY kf_conv_recent (shop_id, state, last_msg_at),
	KEY kf_conv_customer (customer_user_id),
	KEY kf_conv_unionid (shop_id, unionid),
	CONSTRAINT kf_conv_shop FOREIGN KEY (shop_id) REFERENCES shop (id),
	CONSTRAINT kf_conv_user_fk FOREIGN KEY (shop_id, customer_user_id)
		REFERENCES customer_user (shop_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every message, once by (account, msgid): what sync_msg gave (origin
-- 3 customer, 4 event, 5 a servicer in the WeCom client) and what we
-- sent (origin 0, msgid "dh<id>", reused on a retry). body is the
-- platform's JSON object as it came (or as we sent it).
CREATE TABLE IF NOT EXISTS kf_msg (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	conv_id		BIGINT UNSIGNED NULL COMMENT 'NULL: no customer',
	open_kfid	VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin
			NOT NULL,
	msgid		VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin
			NULL,
	origin		TINYINT NOT NULL,
	msgtype		VARCHAR(32) CHARACTER SET ascii NOT NULL,
	event_type	VARCHAR(48) CHARACTER SET ascii NOT NULL DEFAULT '',
	send_time	BIGINT NOT NULL,
	body		MEDIUMTEXT NOT NULL,
	status		ENUM('received','history','sending','sent','failed')
			NOT NULL DEFAULT 'received',
	errcode		INT NOT NULL DEFAULT 0,
	recalled	TINYINT(1) NOT NULL DEFAULT 0,
	staff_id	BIGINT UNSIGNED NULL,
	-- A picture we sent, under uploads_dir (uploads prune keeps it).
	image_path	VARCHAR(96) CHARACTER SET ascii NULL,
	image_thumb	VARCHAR(96) CHARACTER SET ascii NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY kf_msg_once (shop_id, open_kfid, msgid),
	KEY kf_msg_conv (conv_id, send_time, id),
	CONSTRAINT kf_msg_shop FOREIGN KEY (shop_id) REFERENCES shop (id),
	CONSTRAINT kf_msg_conv_fk FOREIGN KEY (shop_id, conv_id)
		REFERENCES kf_conv (shop_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Media we uploaded (§11.9: a media_id lives 3 days), by the file.
CREATE TABLE IF NOT EXISTS kf_media (
	shop_id		BIGINT UNSIGNED NOT NULL,
	path		VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin
			NOT NULL,
	media_id	VARCHAR(128) CHARACTER SET ascii NOT NULL,
	uploaded_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	PRIMARY KEY (shop_id, path),
	CONSTRAINT kf_media_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
