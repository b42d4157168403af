-- 012_dealer_application.sql -- a visitor applies to become a dealer
-- (经销商申请): company, contact, mobile, business licence photo, and the
-- password the account will have. Staff approve it into a customer
-- company with its first user (customer_id), or reject it with a reason.
-- The password's hash waits here until then and is cleared on approval
-- (the user row holds it from there); the status link's token is stored
-- as a hash only. A phone has at most one pending application per shop
-- (pending_phone is NULL otherwise, and NULLs do not collide).
-- Re-runnable: IF NOT EXISTS.

CREATE TABLE IF NOT EXISTS dealer_application (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	company		VARCHAR(100) NOT NULL,
	contact_name	VARCHAR(60) NOT NULL,
	phone		VARCHAR(20) NOT NULL,
	region		VARCHAR(100) NOT NULL DEFAULT '',
	address		VARCHAR(300) NOT NULL DEFAULT '',
	tax_id		VARCHAR(20) NOT NULL DEFAULT '',
	message		VARCHAR(1000) NOT NULL DEFAULT '',
	licence_path	VARCHAR(96) NOT NULL
			COMMENT 'under uploads_dir, as image_store wrote it',
	licence_thumb	VARCHAR(96) NOT NULL,
	licence_width	INT NOT NULL DEFAULT 0,
	licence_height	INT NOT NULL DEFAULT 0,
	password_hash	VARCHAR(128) NOT NULL DEFAULT ''
			COMMENT 'of the account to be, cleared on approval',
	token_hash	CHAR(64) NOT NULL
			COMMENT 'of the status link given to the applicant',
	status		ENUM('pending','approved','rejected') NOT NULL
			DEFAULT 'pending',
	reason		VARCHAR(200) NOT NULL DEFAULT ''
			COMMENT 'why it was rejected, for the applicant',
	reviewed_by	BIGINT UNSIGNED NULL,
	reviewed_at	DATETIME(3) NULL,
	customer_id	BIGINT UNSIGNED NULL COMMENT 'the company approval made',
	ip		VARCHAR(45) NOT NULL DEFAULT '',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	pending_phone	VARCHAR(20) AS (IF(status = 'pending', phone, NULL))
			STORED,
	UNIQUE KEY dealer_application_tenant (shop_id, id),
	UNIQUE KEY dealer_application_pending (shop_id, pending_phone),
	UNIQUE KEY dealer_application_token (token_hash),
	KEY dealer_application_list (shop_id, status, created_at),
	KEY dealer_application_ip (shop_id, ip, created_at),
	KEY dealer_application_phone (shop_id, phone, created_at),
	CONSTRAINT dealer_application_shop FOREIGN KEY (shop_id)
		REFERENCES shop (id),
	CONSTRAINT dealer_application_reviewer_same_shop FOREIGN KEY
		(shop_id, reviewed_by) REFERENCES staff (shop_id, id),
	CONSTRAINT dealer_application_customer_same_shop FOREIGN KEY
		(shop_id, customer_id) REFERENCES customer (shop_id, id),
	-- Approved is exactly "has its company"; a refusal says why.
	CONSTRAINT dealer_application_approved CHECK
		((status = 'approved') = (customer_id IS NOT NULL)),
	CONSTRAINT dealer_application_reason CHECK
		(status <> 'rejected' OR reason <> '')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
