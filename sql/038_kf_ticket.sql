-- 038_kf_ticket.sql -- a 微信客服 conversation made into an after-sales
-- ticket (domain/kf_ticket.c). Until the tickets' tables are merged the
-- request is recorded here, and kf_conv.ticket_id stays NULL; after
-- the merge kf_ticket.c makes the ticket in the same transaction and
-- sets both (docs/wechat-kf.md, "What the lead wires"). Re-runnable.

CREATE TABLE IF NOT EXISTS kf_ticket_request (
	conv_id		BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	-- The newest message it keeps: the ticket's timeline is the
	-- conversation's messages up to this one (later ones join it too).
	upto_msg_id	BIGINT UNSIGNED NULL,
	requested_by	BIGINT UNSIGNED NULL,
	requested_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	ticket_id	BIGINT UNSIGNED NULL,
	KEY kf_ticket_request_shop (shop_id, requested_at),
	CONSTRAINT kf_ticket_request_conv FOREIGN KEY (shop_id, conv_id)
		REFERENCES kf_conv (shop_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
