-- 024_wx_oauth_state.sql -- the H5 OAuth states handed out (docs/wechat.md):
-- each names where the user goes next and works once (used_at); the
-- signature in the state itself is checked before this table is read.
-- Rows a day past their expiry are deleted as new ones are made.
-- Re-runnable: IF NOT EXISTS.

CREATE TABLE IF NOT EXISTS wx_oauth_state (
	nonce		CHAR(32) CHARACTER SET ascii NOT NULL PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	next		VARCHAR(512) NOT NULL,
	expires_at	DATETIME(3) NOT NULL,
	used_at		DATETIME(3) NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	KEY wx_oauth_state_expires (expires_at),
	CONSTRAINT wx_oauth_state_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
