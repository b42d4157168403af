-- 023_wechat.sql -- a shop's WeChat accounts, the tokens every worker
-- shares, and who a WeChat user is to a shop (docs/wechat.md).
--
-- What is not secret lives here: app ids, the merchant number, serials.
-- The secrets (AppSecrets, the merchant's private key, the APIv3 key)
-- are files under secrets_dir/<shop_id>/ (domain/secret.c), so a
-- database dump holds no credential. Re-runnable: IF NOT EXISTS.

CREATE TABLE IF NOT EXISTS shop_wechat (
	shop_id		BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	-- 公众号 (official account: H5 login, template messages, QR codes)
	mp_appid	VARCHAR(32) NOT NULL DEFAULT '',
	-- 小程序 (mini-program: wx.login, subscribe messages, wxacode)
	miniapp_appid	VARCHAR(32) NOT NULL DEFAULT '',
	-- WeChat Pay v3, 直连商户
	pay_mchid	VARCHAR(32) NOT NULL DEFAULT '',
	pay_serial	VARCHAR(64) NOT NULL DEFAULT ''
			COMMENT 'serial of the merchant API certificate',
	pay_pubkey_id	VARCHAR(64) NOT NULL DEFAULT ''
			COMMENT 'PUB_KEY_ID_... of the WeChat Pay public key',
	pay_enabled	TINYINT(1) NOT NULL DEFAULT 0,
	updated_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
			ON UPDATE CURRENT_TIMESTAMP(3),
	updated_by	BIGINT UNSIGNED NULL,
	CONSTRAINT shop_wechat_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- access_token (kind 'mp', 'miniapp') and jsapi_ticket ('jsapi') per
-- app id, shared by every worker and host: one refresher at a time holds
-- the lease (refreshing_until), the rest use the stored token.
CREATE TABLE IF NOT EXISTS wx_token (
	appid		VARCHAR(32) NOT NULL,
	kind		VARCHAR(16) NOT NULL,
	token		VARCHAR(1024) NOT NULL DEFAULT '',
	expires_at	BIGINT NOT NULL DEFAULT 0 COMMENT 'unix seconds',
	refreshing_until BIGINT NOT NULL DEFAULT 0 COMMENT 'unix seconds',
	refreshed_at	DATETIME(3) NULL,
	PRIMARY KEY (appid, kind)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- A WeChat user as one app of the shop knows them (an openid is per
-- app), bound to a customer user or not yet (a visitor who browses).
CREATE TABLE IF NOT EXISTS wx_identity (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	appid		VARCHAR(32) CHARACTER SET ascii NOT NULL,
	openid		VARCHAR(64) CHARACTER SET ascii NOT NULL,
	unionid		VARCHAR(64) CHARACTER SET ascii NULL,
	customer_user_id BIGINT UNSIGNED NULL,
	bound_at	DATETIME(3) NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	last_seen_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY wx_identity_openid (shop_id, appid, openid),
	KEY wx_identity_unionid (shop_id, unionid),
	KEY wx_identity_user (customer_user_id),
	CONSTRAINT wx_identity_shop FOREIGN KEY (shop_id) REFERENCES shop (id),
	CONSTRAINT wx_identity_user FOREIGN KEY (customer_user_id)
		REFERENCES customer_user (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The WeChat identity a session was opened with (H5 OAuth or wx.login):
-- which app and openid WeChat Pay charges, which openid notices go to.
ALTER TABLE session
	ADD COLUMN IF NOT EXISTS wx_identity_id BIGINT UNSIGNED NULL
		AFTER customer_user_id,
	ADD CONSTRAINT session_wx_identity
		FOREIGN KEY IF NOT EXISTS (wx_identity_id) REFERENCES wx_identity (id)
		ON DELETE SET NULL;

-- customer_user.openid / unionid were never used: an openid is per app,
-- so wx_identity holds them.
ALTER TABLE customer_user
	DROP INDEX IF EXISTS customer_user_openid,
	DROP COLUMN IF EXISTS openid,
	DROP COLUMN IF EXISTS unionid;
