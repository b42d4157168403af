-- 001_init.sql -- tenants, staff, customer companies and their users,
-- sessions, login throttling and the audit log. Money is BIGINT fen,
-- times are UTC DATETIME(3). Every business table carries shop_id.

CREATE TABLE shop (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	slug		VARCHAR(40) NOT NULL,
	name		VARCHAR(100) NOT NULL,
	host		VARCHAR(190) NULL,
	theme		VARCHAR(40) NOT NULL DEFAULT 'default',
	logo_url	VARCHAR(500) NOT NULL DEFAULT '',
	color_primary	VARCHAR(7) NOT NULL DEFAULT '#c8102e',
	contact_phone	VARCHAR(40) NOT NULL DEFAULT '',
	footer_text	VARCHAR(500) NOT NULL DEFAULT '',
	modes		SET('ordering','wholesale','retail') NOT NULL
			DEFAULT 'ordering,wholesale,retail',
	-- Bumped by every change to the shop or its catalog; workers
	-- compare it to their cached copy (see shop.c).
	version		BIGINT UNSIGNED NOT NULL DEFAULT 1,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY shop_slug (slug),
	UNIQUE KEY shop_host (host)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE staff (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	name		VARCHAR(60) NOT NULL,
	phone		VARCHAR(20) NOT NULL,
	password_hash	VARCHAR(128) NOT NULL,
	role		ENUM('owner','admin','sales','warehouse','finance',
			'service') NOT NULL,
	status		ENUM('active','departed') NOT NULL DEFAULT 'active',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY staff_phone (shop_id, phone),
	CONSTRAINT staff_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE customer (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	name		VARCHAR(100) NOT NULL,
	owner_staff_id	BIGINT UNSIGNED NULL,
	payment_terms	ENUM('prepaid','monthly') NOT NULL DEFAULT 'prepaid',
	credit_days	INT NOT NULL DEFAULT 0,
	credit_limit_fen BIGINT NOT NULL DEFAULT 0,
	tax_id		VARCHAR(30) NOT NULL DEFAULT '',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	KEY customer_shop (shop_id, name),
	CONSTRAINT customer_shop FOREIGN KEY (shop_id) REFERENCES shop (id),
	CONSTRAINT customer_owner FOREIGN KEY (owner_staff_id)
		REFERENCES staff (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE customer_user (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	name		VARCHAR(60) NOT NULL,
	phone		VARCHAR(20) NOT NULL,
	password_hash	VARCHAR(128) NOT NULL DEFAULT '',
	role		ENUM('buyer','approver','finance') NOT NULL
			DEFAULT 'buyer',
	status		ENUM('active','disabled') NOT NULL DEFAULT 'active',
	openid		VARCHAR(64) NULL,
	unionid		VARCHAR(64) NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY customer_user_phone (shop_id, phone),
	UNIQUE KEY customer_user_openid (shop_id, openid),
	CONSTRAINT customer_user_shop FOREIGN KEY (shop_id)
		REFERENCES shop (id),
	CONSTRAINT customer_user_customer FOREIGN KEY (customer_id)
		REFERENCES customer (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A cookie session or a mini-program bearer token; only the token's
-- BLAKE2b hash is stored, so the table leaks no usable credential.
CREATE TABLE session (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	token_hash	CHAR(64) NOT NULL,
	shop_id		BIGINT UNSIGNED NOT NULL,
	kind		ENUM('staff','customer') NOT NULL,
	staff_id	BIGINT UNSIGNED NULL,
	customer_user_id BIGINT UNSIGNED NULL,
	via		ENUM('cookie','bearer') NOT NULL DEFAULT 'cookie',
	csrf		CHAR(32) NOT NULL,
	ip		VARCHAR(45) NOT NULL DEFAULT '',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	expires_at	DATETIME(3) NOT NULL,
	UNIQUE KEY session_token (token_hash),
	KEY session_expires (expires_at),
	CONSTRAINT session_shop FOREIGN KEY (shop_id) REFERENCES shop (id),
	CONSTRAINT session_staff FOREIGN KEY (staff_id) REFERENCES staff (id)
		ON DELETE CASCADE,
	CONSTRAINT session_customer_user FOREIGN KEY (customer_user_id)
		REFERENCES customer_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE login_failure (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	scope		ENUM('account','ip') NOT NULL,
	subject		VARCHAR(64) NOT NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	KEY login_failure_subject (shop_id, scope, subject, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE audit_log (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	actor		VARCHAR(40) NOT NULL,
	action		VARCHAR(60) NOT NULL,
	detail		VARCHAR(1000) NOT NULL DEFAULT '',
	ip		VARCHAR(45) NOT NULL DEFAULT '',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	KEY audit_log_shop (shop_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
