-- 004_idempotency.sql -- replay protection for state-changing requests:
-- the first answer to a request with an Idempotency-Key (or an H5 form's
-- hidden idempotency_key) is kept for a day, per shop, owner and key, and
-- given back to a replay instead of acting twice (src/domain/idempotency.c).

CREATE TABLE idempotency_key (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	-- staff:<id>, customer:<customer_user.id>, guest:<hash of the
	-- guest's csrf cookie>, or addr:<client address> for other guests
	owner		VARCHAR(80) CHARACTER SET ascii COLLATE ascii_bin
			NOT NULL,
	idem_key	VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin
			NOT NULL,
	method		VARCHAR(8) CHARACTER SET ascii NOT NULL,
	path		VARCHAR(500) NOT NULL COMMENT 'inside the shop, decoded',
	request_hash	CHAR(64) CHARACTER SET ascii NOT NULL
			COMMENT 'BLAKE2b of method, path, query and body',
	status		SMALLINT UNSIGNED NOT NULL DEFAULT 0
			COMMENT '0 while the first request runs',
	content_type	VARCHAR(100) NOT NULL DEFAULT '',
	location	VARCHAR(1000) NOT NULL DEFAULT '',
	body		MEDIUMBLOB NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	expires_at	DATETIME(3) NOT NULL,
	UNIQUE KEY idempotency_key_owner (shop_id, owner, idem_key),
	KEY idempotency_key_expires (expires_at),
	CONSTRAINT idempotency_key_shop FOREIGN KEY (shop_id)
		REFERENCES shop (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
