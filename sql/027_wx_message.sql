-- 027_wx_message.sql -- notices to customers in WeChat: which template
-- each event uses per app, and every message tried (docs/wechat.md).
-- A notification row (the account's 消息) makes at most one WeChat
-- message: wx_message is unique by notification. Re-runnable.

-- A shop's template for an event: a mini-program subscribe message
-- (app 'miniapp') or an official-account template message ('mp').
-- fields: one "key={placeholder}" a line, e.g. "thing1={title}".
CREATE TABLE IF NOT EXISTS wx_template (
	shop_id		BIGINT UNSIGNED NOT NULL,
	event		VARCHAR(40) NOT NULL,
	app		ENUM('mp','miniapp') NOT NULL,
	template_id	VARCHAR(64) CHARACTER SET ascii NOT NULL,
	fields		VARCHAR(600) NOT NULL,
	page		VARCHAR(200) NOT NULL DEFAULT ''
			COMMENT 'mini-program page or H5 path opened from it',
	enabled		TINYINT(1) NOT NULL DEFAULT 1,
	updated_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
			ON UPDATE CURRENT_TIMESTAMP(3),
	PRIMARY KEY (shop_id, event, app),
	CONSTRAINT wx_template_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One notification's WeChat message: queued until sent, failed (a
-- permanent error such as 43101, the user refused, or given up after
-- its tries) or skipped (no WeChat binding, no template): what the back
-- office lists.
CREATE TABLE IF NOT EXISTS wx_message (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	notification_id	BIGINT UNSIGNED NOT NULL,
	customer_user_id BIGINT UNSIGNED NOT NULL,
	event		VARCHAR(40) NOT NULL,
	app		ENUM('mp','miniapp') NULL,
	openid		VARCHAR(64) CHARACTER SET ascii NULL,
	template_id	VARCHAR(64) CHARACTER SET ascii NULL,
	state		ENUM('queued','sent','failed','skipped') NOT NULL
			DEFAULT 'queued',
	attempts	INT NOT NULL DEFAULT 0,
	errcode		INT NULL,
	error		VARCHAR(200) NOT NULL DEFAULT '',
	next_at		DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	sent_at		DATETIME(3) NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	UNIQUE KEY wx_message_once (notification_id),
	KEY wx_message_due (state, next_at),
	KEY wx_message_shop (shop_id, state, id),
	CONSTRAINT wx_message_notification FOREIGN KEY (notification_id)
		REFERENCES notification (id) ON DELETE CASCADE,
	CONSTRAINT wx_message_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
		ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The delivery job reads the day's new notifications.
ALTER TABLE notification ADD KEY IF NOT EXISTS notification_created
	(created_at);

-- A statement's 对账单已出 notice, once per statement and finance user.
ALTER TABLE notification
	ADD COLUMN IF NOT EXISTS statement_id BIGINT UNSIGNED NULL
		AFTER order_id,
	ADD UNIQUE KEY IF NOT EXISTS notification_statement
		(statement_id, customer_user_id);
