/*
 * payment_rows.h -- SQL the money files share (domain/payment*.c,
 * invoice_req.c); domain files only. PAYABLE_STATES is the SQL of
 * order_state_payable() (order.c).
 */
#ifndef DOMAIN_PAYMENT_ROWS_H
#define DOMAIN_PAYMENT_ROWS_H

/* An order is paid for once the shop has it: not while it waits for the
 * company's approver, never once cancelled. */
#define PAYABLE_STATES	"('submitted','confirmed','shipped','received'," \
			"'completed')"
/* The columns payable_of() reads. */
#define PAYABLE_COLS \
    "SELECT id, customer_id, order_no, state, " \
    "DATE_FORMAT(created_at + INTERVAL 8 HOUR, '%Y-%m-%d'), " \
    "DATE_FORMAT(due_on, '%Y-%m-%d'), total_fen, paid_fen, ar_fen " \
    "FROM sales_order "

/* An order of the company, locked: ? order, shop, company. */
#define PAYABLE_LOCK \
    PAYABLE_COLS "WHERE id = ? AND shop_id = ? AND customer_id = ? " \
    "FOR UPDATE"

#endif /* DOMAIN_PAYMENT_ROWS_H */
