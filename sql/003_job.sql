-- 003_job.sql -- background jobs. A job is a row: job runners (forked by
-- `dinghuo serve`, or `dinghuo jobs run` from cron) claim due rows with
-- SELECT ... FOR UPDATE SKIP LOCKED and hold them by a lease (locked_by,
-- locked_until); a lease that ran out while the job was running means its
-- runner died, and the job may be claimed again. Failures back off
-- exponentially until max_attempts, then the row stays 'failed' with its
-- last error until someone retries it. Times are UTC DATETIME(3).

CREATE TABLE job (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NULL
			COMMENT 'NULL: system-wide (not shown to any shop)',
	kind		VARCHAR(60) NOT NULL,
	payload		TEXT NOT NULL,
	state		ENUM('queued','running','done','failed') NOT NULL
			DEFAULT 'queued',
	run_at		DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
			COMMENT 'not before: the schedule or the backoff',
	attempts	INT UNSIGNED NOT NULL DEFAULT 0
			COMMENT 'claims so far, the running one included',
	max_attempts	INT UNSIGNED NOT NULL DEFAULT 5,
	locked_by	VARCHAR(100) NULL COMMENT 'host:pid of the runner',
	locked_until	DATETIME(3) NULL COMMENT 'the lease, while running',
	last_error	VARCHAR(1000) NULL,
	-- Set while a job is queued or running, cleared when it ends: two
	-- enqueues with one key make one job (a recurring job's key is its
	-- kind, so it is never queued twice).
	dedupe_key	VARCHAR(190) NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	updated_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
			ON UPDATE CURRENT_TIMESTAMP(3),
	UNIQUE KEY job_dedupe (dedupe_key),
	-- The claim: due queued jobs by run_at, expired leases by lease.
	KEY job_due (state, run_at),
	KEY job_lease (state, locked_until),
	-- The back office: a shop's jobs, failed ones first.
	KEY job_shop (shop_id, state, updated_at),
	CONSTRAINT job_shop_fk FOREIGN KEY (shop_id) REFERENCES shop (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
