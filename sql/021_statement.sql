-- 021_statement.sql -- monthly statements (对账单, docs/money.md): for
-- each company with anything on its AR account, a month's opening
-- balance, its entries (the ledger_entry rows of the account made in the
-- month, China time: starts_at <= created_at < ends_at, UTC), the sums
-- and the closing balance, made once by the statements.generate job or
-- `dinghuo statements generate`. Entries are never changed, so a period
-- is fixed once it ends; a correction made later is a later entry and
-- lands in the next statement. The company's finance user confirms it
-- or disputes lines with a comment; staff answer and reopen it.
-- Re-runnable: IF NOT EXISTS.

-- A company's account over a month, as generation sums it.
ALTER TABLE ledger_entry ADD KEY IF NOT EXISTS ledger_account_time
	(shop_id, customer_id, account, created_at);

CREATE TABLE IF NOT EXISTS statement (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	period		CHAR(7) CHARACTER SET ascii NOT NULL COMMENT 'YYYY-MM',
	starts_at	DATETIME(3) NOT NULL COMMENT 'UTC, the month''s China start',
	ends_at		DATETIME(3) NOT NULL,
	opening_fen	BIGINT NOT NULL,
	debit_fen	BIGINT NOT NULL COMMENT 'sum of the + entries',
	credit_fen	BIGINT NOT NULL COMMENT 'sum of the - entries, <= 0',
	closing_fen	BIGINT NOT NULL,
	entries		INT NOT NULL,
	state		ENUM('open','confirmed','disputed') NOT NULL DEFAULT 'open',
	decided_by	BIGINT UNSIGNED NULL COMMENT 'customer_user',
	decided_at	DATETIME(3) NULL,
	comment		VARCHAR(500) NOT NULL DEFAULT ''
			COMMENT 'the dispute''s',
	answer		VARCHAR(500) NOT NULL DEFAULT '',
	answered_by	BIGINT UNSIGNED NULL COMMENT 'staff',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY statement_tenant (shop_id, id),
	UNIQUE KEY statement_period (shop_id, customer_id, period),
	KEY statement_state (shop_id, state, period),
	CONSTRAINT statement_customer_same_shop FOREIGN KEY (shop_id,
		customer_id) REFERENCES customer (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT statement_sums CHECK (closing_fen = opening_fen +
		debit_fen + credit_fen AND debit_fen >= 0 AND credit_fen <= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The lines a dispute names.
CREATE TABLE IF NOT EXISTS statement_dispute (
	shop_id		BIGINT UNSIGNED NOT NULL,
	statement_id	BIGINT UNSIGNED NOT NULL,
	entry_id	BIGINT UNSIGNED NOT NULL,
	PRIMARY KEY (statement_id, entry_id),
	CONSTRAINT statement_dispute_statement FOREIGN KEY (shop_id,
		statement_id) REFERENCES statement (shop_id, id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
