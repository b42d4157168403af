-- 035_nps.sql -- NPS surveys and their follow-up (docs/nps.md): a shop's
-- survey settings, one survey per order received (or ticket resolved),
-- sent once after the delay and answered at most once, and a follow-up
-- task for each detractor. A notification may carry a link (the survey's
-- answer page). Re-runnable.

-- A shop without a row has the defaults: 3 days, once in 90 days.
CREATE TABLE IF NOT EXISTS nps_settings (
	shop_id		BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	enabled		TINYINT(1) NOT NULL DEFAULT 1,
	delay_days	INT NOT NULL DEFAULT 3
			COMMENT 'after the order is received; 0: at once',
	period_days	INT NOT NULL DEFAULT 90
			COMMENT 'at most one survey per customer user in this',
	updated_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
			ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT nps_settings_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One survey: scheduled (due_at), sent (the notification made; answer
-- until expires_at), answered (score 0-10, comment). One per source.
CREATE TABLE IF NOT EXISTS nps_survey (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NOT NULL,
	customer_user_id BIGINT UNSIGNED NOT NULL,
	source		ENUM('order','ticket') NOT NULL,
	source_id	BIGINT UNSIGNED NOT NULL,
	order_id	BIGINT UNSIGNED NULL
			COMMENT 'the order surveyed (its categories)',
	state		ENUM('scheduled','sent','answered') NOT NULL
			DEFAULT 'scheduled',
	due_at		DATETIME(3) NOT NULL,
	sent_at		DATETIME(3) NULL,
	expires_at	DATETIME(3) NULL,
	score		TINYINT NULL,
	comment		VARCHAR(500) NULL,
	answered_at	DATETIME(3) NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY nps_survey_source (shop_id, source, source_id),
	KEY nps_survey_due (state, due_at),
	KEY nps_survey_user (shop_id, customer_user_id, created_at),
	KEY nps_survey_answered (shop_id, answered_at),
	CONSTRAINT nps_survey_user_same_shop FOREIGN KEY (shop_id,
		customer_user_id) REFERENCES customer_user (shop_id, id)
		ON DELETE CASCADE,
	CONSTRAINT nps_survey_customer_same_shop FOREIGN KEY (shop_id,
		customer_id) REFERENCES customer (shop_id, id) ON DELETE CASCADE,
	CONSTRAINT nps_survey_order FOREIGN KEY (order_id)
		REFERENCES sales_order (id) ON DELETE SET NULL,
	CONSTRAINT nps_survey_score CHECK (score IS NULL OR
		score BETWEEN 0 AND 10)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A detractor's follow-up, for the customer's salesperson (or the shop
-- owner): open until someone records contacted or resolved.
CREATE TABLE IF NOT EXISTS nps_task (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	survey_id	BIGINT UNSIGNED NOT NULL,
	staff_id	BIGINT UNSIGNED NULL COMMENT 'who follows it up',
	state		ENUM('open','contacted','resolved') NOT NULL
			DEFAULT 'open',
	note		VARCHAR(500) NOT NULL DEFAULT '',
	updated_by	BIGINT UNSIGNED NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	updated_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
			ON UPDATE CURRENT_TIMESTAMP(3),
	UNIQUE KEY nps_task_survey (survey_id),
	KEY nps_task_list (shop_id, state, id),
	KEY nps_task_staff (shop_id, staff_id, state),
	CONSTRAINT nps_task_survey_fk FOREIGN KEY (survey_id)
		REFERENCES nps_survey (id) ON DELETE CASCADE,
	CONSTRAINT nps_task_staff_fk FOREIGN KEY (staff_id) REFERENCES staff (id)
		ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The page a notification opens, under the shop ("/nps/<token>"), or NULL.
ALTER TABLE notification
	ADD COLUMN IF NOT EXISTS link VARCHAR(200) NULL
		COMMENT 'the shop page it opens, under the shop base';
