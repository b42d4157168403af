-- 031_user_channel.sql -- a customer user who joined by an invite link
-- keeps the channel their visit came from (first touch), so the channel
-- report counts them as a registration, as it counts a dealer
-- application. Re-runnable.
ALTER TABLE customer_user
	ADD COLUMN IF NOT EXISTS channel_id BIGINT UNSIGNED NULL
		COMMENT 'joined from this channel (invite), or NULL',
	ADD KEY IF NOT EXISTS customer_user_channel (shop_id, channel_id,
		created_at);
