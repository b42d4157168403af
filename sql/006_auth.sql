-- 006_auth.sql -- failed logins as one counter row per (shop, scope,
-- subject) instead of a row per failure: a login try locks its rows, so
-- parallel tries are counted one after another, and retry_at holds the
-- growing delay. Scope 'account_ip' is an account tried from one address
-- ("customer:<phone>@<address>"), 'ip' an address whatever the account.
-- The old rows only ever throttled for login_window: they are dropped.

DROP TABLE login_failure;

CREATE TABLE login_failure (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	scope		ENUM('account_ip','ip') NOT NULL,
	subject		VARCHAR(80) NOT NULL,
	failures	INT UNSIGNED NOT NULL DEFAULT 0,
	last_at		DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	retry_at	DATETIME(3) NULL,
	UNIQUE KEY login_failure_subject (shop_id, scope, subject),
	KEY login_failure_last (last_at)	-- the login_failure.expire job
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
