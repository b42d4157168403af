-- 010_inquiry_quote.sql -- a quote has a validity, and an inquiry is a
-- conversation: the customer replies to an answer, staff answer again,
-- and every answer and reply is kept as a message in time order. The
-- inquiry's own message stays where it is (inquiry.message), and
-- inquiry.answer keeps the latest answer for the lists. A NULL validity:
-- nothing quoted, or quoted before quotes had one. Re-runnable:
-- IF [NOT] EXISTS throughout, the backfill only where nothing is yet.

ALTER TABLE inquiry
	ADD COLUMN IF NOT EXISTS quote_valid_until DATE NULL
		COMMENT 'last day (China time) the quoted prices hold'
		AFTER answered_at;

CREATE TABLE IF NOT EXISTS inquiry_message (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	inquiry_id	BIGINT UNSIGNED NOT NULL,
	author		ENUM('customer','staff') NOT NULL,
	customer_user_id BIGINT UNSIGNED NULL,
	staff_id	BIGINT UNSIGNED NULL,
	body		VARCHAR(4000) NOT NULL,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	KEY inquiry_message_thread (shop_id, inquiry_id, id),
	CONSTRAINT inquiry_message_inquiry_same_shop FOREIGN KEY
		(shop_id, inquiry_id) REFERENCES inquiry (shop_id, id)
		ON DELETE CASCADE,
	CONSTRAINT inquiry_message_customer_user_same_shop FOREIGN KEY
		(shop_id, customer_user_id) REFERENCES customer_user (shop_id, id),
	CONSTRAINT inquiry_message_staff_same_shop FOREIGN KEY
		(shop_id, staff_id) REFERENCES staff (shop_id, id),
	-- The author's id, when known, is of the author's kind only.
	CONSTRAINT inquiry_message_author CHECK
		((author = 'customer' AND staff_id IS NULL) OR
		(author = 'staff' AND customer_user_id IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Answers given before there were messages become the first staff
-- message of their inquiry.
INSERT INTO inquiry_message (shop_id, inquiry_id, author, staff_id, body,
    created_at)
	SELECT i.shop_id, i.id, 'staff', i.assigned_staff_id, i.answer,
	    COALESCE(i.answered_at, i.created_at)
	FROM inquiry i
	WHERE i.answer <> '' AND NOT EXISTS (SELECT 1 FROM inquiry_message m
	    WHERE m.shop_id = i.shop_id AND m.inquiry_id = i.id);
