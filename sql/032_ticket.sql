-- 032_ticket.sql -- after-sales tickets (售后工单, docs/service.md): a
-- ticket of a customer company (or of a guest who scanned a product QR,
-- known by phone until that phone logs in), about an order, an order
-- line or a product; its timeline of events (every move: who, when,
-- from, to, note; every message, with its photos); and each shop's
-- service levels. Rows of deleted companies go with them; a deleted
-- order, line, product or staff member leaves the ticket, unlinked.
-- Re-runnable.

ALTER TABLE shop
	ADD COLUMN IF NOT EXISTS ticket_first_response_hours INT NOT NULL
		DEFAULT 4 COMMENT 'SLA: first staff answer within',
	ADD COLUMN IF NOT EXISTS ticket_resolve_days INT NOT NULL
		DEFAULT 3 COMMENT 'SLA: resolved within';

CREATE TABLE IF NOT EXISTS ticket (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	customer_id	BIGINT UNSIGNED NULL COMMENT 'NULL: a guest''s',
	customer_user_id BIGINT UNSIGNED NULL,
	guest_phone	VARCHAR(20) NULL,
	guest_name	VARCHAR(60) NOT NULL DEFAULT '',
	order_id	BIGINT UNSIGNED NULL,
	order_line_id	BIGINT UNSIGNED NULL,
	product_id	BIGINT UNSIGNED NULL,
	kind		ENUM('quality','missing_or_damaged','return_or_exchange',
			'installation','question') NOT NULL,
	state		ENUM('open','in_progress','waiting_customer','resolved',
			'closed') NOT NULL DEFAULT 'open',
	source		ENUM('h5','api','qr','guest','kf','staff') NOT NULL
			DEFAULT 'h5',
	subject		VARCHAR(120) NOT NULL DEFAULT ''
			COMMENT 'the first message, cut, for lists',
	assigned_staff_id BIGINT UNSIGNED NULL,
	resolution	ENUM('fixed','return','exchange','refund','no_action')
			NULL,
	first_response_at DATETIME(3) NULL,
	resolved_at	DATETIME(3) NULL,
	closed_at	DATETIME(3) NULL,
	first_overdue_at DATETIME(3) NULL
			COMMENT 'when the ticket.sla job gave notice, once',
	resolve_overdue_at DATETIME(3) NULL,
	refund_fen	BIGINT NOT NULL DEFAULT 0,
	replacement_order_id BIGINT UNSIGNED NULL,
	stock_returned	TINYINT(1) NOT NULL DEFAULT 0,
	ip		VARCHAR(45) NOT NULL DEFAULT '',
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	updated_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
			ON UPDATE CURRENT_TIMESTAMP(3),
	KEY ticket_queue (shop_id, state, id),
	KEY ticket_customer (shop_id, customer_id, id),
	KEY ticket_guest (shop_id, guest_phone, created_at),
	KEY ticket_ip (shop_id, ip, created_at),
	KEY ticket_assignee (shop_id, assigned_staff_id, state),
	CONSTRAINT ticket_fk_shop FOREIGN KEY (shop_id) REFERENCES shop (id)
		ON DELETE CASCADE,
	CONSTRAINT ticket_fk_customer FOREIGN KEY (customer_id)
		REFERENCES customer (id) ON DELETE CASCADE,
	CONSTRAINT ticket_fk_user FOREIGN KEY (customer_user_id)
		REFERENCES customer_user (id) ON DELETE SET NULL,
	CONSTRAINT ticket_fk_order FOREIGN KEY (order_id)
		REFERENCES sales_order (id) ON DELETE SET NULL,
	CONSTRAINT ticket_fk_order_line FOREIGN KEY (order_line_id)
		REFERENCES order_line (id) ON DELETE SET NULL,
	CONSTRAINT ticket_fk_product FOREIGN KEY (product_id)
		REFERENCES product (id) ON DELETE SET NULL,
	CONSTRAINT ticket_fk_staff FOREIGN KEY (assigned_staff_id)
		REFERENCES staff (id) ON DELETE SET NULL,
	CONSTRAINT ticket_fk_replacement FOREIGN KEY (replacement_order_id)
		REFERENCES sales_order (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The timeline. kind: opened, message, assign, ask_info, resolve, close,
-- reopen, refund, replacement, stock_return, overdue, linked. A move
-- keeps the states it went from and to; internal rows (overdue, a staff
-- note) are not shown to the customer.
CREATE TABLE IF NOT EXISTS ticket_event (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	ticket_id	BIGINT UNSIGNED NOT NULL,
	kind		VARCHAR(20) CHARACTER SET ascii NOT NULL,
	from_state	VARCHAR(20) CHARACTER SET ascii NULL,
	to_state	VARCHAR(20) CHARACTER SET ascii NULL,
	staff_id	BIGINT UNSIGNED NULL,
	customer_user_id BIGINT UNSIGNED NULL,
	source		ENUM('h5','api','qr','guest','kf','staff','system')
			NOT NULL DEFAULT 'h5',
	body		TEXT NOT NULL,
	internal	TINYINT(1) NOT NULL DEFAULT 0,
	created_at	DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	KEY ticket_event_ticket (shop_id, ticket_id, id),
	KEY ticket_event_month (shop_id, kind, created_at),
	CONSTRAINT ticket_event_fk_ticket FOREIGN KEY (ticket_id)
		REFERENCES ticket (id) ON DELETE CASCADE,
	CONSTRAINT ticket_event_fk_staff FOREIGN KEY (staff_id)
		REFERENCES staff (id) ON DELETE SET NULL,
	CONSTRAINT ticket_event_fk_user FOREIGN KEY (customer_user_id)
		REFERENCES customer_user (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A message's photos, re-encoded under private_dir (domain/image.c); read
-- out by the worker for the ticket's readers only.
CREATE TABLE IF NOT EXISTS ticket_photo (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	shop_id		BIGINT UNSIGNED NOT NULL,
	ticket_id	BIGINT UNSIGNED NOT NULL,
	event_id	BIGINT UNSIGNED NOT NULL,
	path		VARCHAR(96) CHARACTER SET ascii NOT NULL,
	thumb_path	VARCHAR(96) CHARACTER SET ascii NOT NULL,
	KEY ticket_photo_ticket (shop_id, ticket_id, id),
	CONSTRAINT ticket_photo_fk_ticket FOREIGN KEY (ticket_id)
		REFERENCES ticket (id) ON DELETE CASCADE,
	CONSTRAINT ticket_photo_fk_event FOREIGN KEY (event_id)
		REFERENCES ticket_event (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
