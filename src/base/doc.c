/*
 * doc.c -- what both document writers share: how a cell reads as text.
 */
#include "base/doc.h"

/* fen as "¥1,234.56" or "-¥1,234.56"; returns the length. */
size_t
doc_money(char *out, size_t sz, int64_t fen)
{
	char		 digits[32], grouped[48];
	uint64_t	 u = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	size_t		 n, i, j = 0;
	int		 len;

	n = (size_t)snprintf(digits, sizeof(digits), "%" PRIu64, u / 100);
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			grouped[j++] = ',';
		grouped[j++] = digits[i];
	}
	grouped[j] = '\0';
	len = snprintf(out, sz, "%s¥%s.%02u", fen < 0 ? "-" : "", grouped,
	    (unsigned)(u % 100));
	return len < 0 ? 0 : (size_t)len;
}

/* The text a cell prints as: its own, or its number formatted. */
const char *
doc_cell_str(const struct doc_col *col, const struct doc_cell *c, char *tmp,
    size_t sz)
{
	if (c->text != NULL)
		return c->text;
	switch (col->kind) {
	case DOC_MONEY:
		doc_money(tmp, sz, c->n);
		return tmp;
	case DOC_INT:
		snprintf(tmp, sz, "%" PRId64, c->n);
		return tmp;
	default:
		return "";
	}
}
