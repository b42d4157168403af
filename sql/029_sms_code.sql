-- 029_sms_code.sql -- one-time SMS codes for logging in outside WeChat
-- (domain/sms_login.c). Every asked code is a row, sent or not (a
-- phone that is no user's gets none, but counts the same), so the
-- limits per phone and per address are counts of rows. Only a salted
-- hash of the code is kept. Re-runnable.
CREATE TABLE IF NOT EXISTS sms_code (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	phone		VARCHAR(20) NOT NULL,
	ip		VARCHAR(45) NOT NULL DEFAULT '',
	salt		CHAR(32) CHARACTER SET ascii NOT NULL,
	code_hash	CHAR(64) CHARACTER SET ascii NOT NULL,
	sent		TINYINT(1) NOT NULL DEFAULT 0,
	tries		INT NOT NULL DEFAULT 0,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	expires_at	DATETIME(3) NOT NULL,
	used_at		DATETIME(3) NULL,
	KEY sms_code_phone (shop_id, phone, created_at),
	KEY sms_code_ip (ip, created_at),
	KEY sms_code_created (created_at),
	CONSTRAINT sms_code_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
