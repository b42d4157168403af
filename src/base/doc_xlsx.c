/*
 * doc_xlsx.c -- a document as an .xlsx worksheet (libxlsxwriter).
 *
 * Money goes in as a number (fen / 100, the double nearest the decimal,
 * which Excel shows exactly with the 0.00 format) so that Excel can sum
 * it; dates as date serials with a yyyy-mm-dd format. The workbook is in
 * constant_memory mode: each row is flushed to a temporary file when the
 * next begins, so 100,000 rows cost what one does. Its limits suit us:
 * rows must be written top to bottom (we do), and strings are stored
 * inline rather than shared (bigger file, same text; base/xlsx.c reads
 * both).
 */
#include <unistd.h>

#include <xlsxwriter.h>

#include "base/doc.h"

struct fmts {
	lxw_format	*title, *sub, *key, *head, *money, *date, *intg;
	lxw_format	*text, *tot, *tot_money;
};

static void
add_fmts(lxw_workbook *wb, struct fmts *f)
{
	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 16);
	f->sub = workbook_add_format(wb);
	format_set_font_size(f->sub, 11);
	f->key = workbook_add_format(wb);
	format_set_bold(f->key);
	f->head = workbook_add_format(wb);
	format_set_bold(f->head);
	format_set_pattern(f->head, LXW_PATTERN_SOLID);
	format_set_bg_color(f->head, 0xD9D9D9);
	format_set_border(f->head, LXW_BORDER_THIN);
	format_set_align(f->head, LXW_ALIGN_CENTER);
	f->money = workbook_add_format(wb);
	format_set_num_format(f->money, "#,##0.00");
	f->date = workbook_add_format(wb);
	format_set_num_format(f->date, "yyyy-mm-dd");
	f->intg = workbook_add_format(wb);
	format_set_num_format(f->intg, "0");
	f->text = workbook_add_format(wb);
	f->tot = workbook_add_format(wb);
	format_set_bold(f->tot);
	format_set_top(f->tot, LXW_BORDER_THIN);
	f->tot_money = workbook_add_format(wb);
	format_set_bold(f->tot_money);
	format_set_top(f->tot_money, LXW_BORDER_THIN);
	format_set_num_format(f->tot_money, "#,##0.00");
}

static void
put_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
    const struct doc_col *col, const struct doc_cell *cell,
    const struct fmts *f, int total)
{
	lxw_datetime	 dt = { 0 };
	char		 rest;

	if (cell->text != NULL && col->kind == DOC_DATE &&
	    sscanf(cell->text, "%4d-%2d-%2d%c", &dt.year, &dt.month,
	    &dt.day, &rest) == 3) {
		worksheet_write_datetime(ws, r, c, &dt, f->date);
		return;
	}
	if (cell->text != NULL) {
		if (cell->text[0] != '\0')
			worksheet_write_string(ws, r, c, cell->text,
			    total ? f->tot : f->text);
		else if (total)
			worksheet_write_blank(ws, r, c, f->tot);
		return;
	}
	switch (col->kind) {
	case DOC_MONEY:
		worksheet_write_number(ws, r, c, (double)cell->n / 100.0,
		    total ? f->tot_money : f->money);
		break;
	case DOC_INT:
		worksheet_write_number(ws, r, c, (double)cell->n,
		    total ? f->tot : f->intg);
		break;
	default:
		if (total)
			worksheet_write_blank(ws, r, c, f->tot);
		break;
	}
}

int
doc_xlsx_file(const struct doc *d, const char *path, const char *tmpdir,
    const char **err)
{
	lxw_workbook_options	 opt = { .constant_memory = LXW_TRUE };
	lxw_workbook		*wb;
	lxw_worksheet		*ws;
	struct fmts		 f;
	lxw_row_t		 r = 0;
	lxw_error		 e;
	int			 i, c, frozen = 0;
	size_t			 k;

	opt.tmpdir = (char *)(uintptr_t)tmpdir;
	if ((wb = workbook_new_opt(path, &opt)) == NULL) {
		*err = "cannot create the workbook";
		return -1;
	}
	ws = workbook_add_worksheet(wb, NULL);
	add_fmts(wb, &f);
	/* Column widths first: the widest hint of any table wins. */
	for (c = 0; c < 16384; c++) {
		double w = 0;

		for (i = 0; i < d->ntable; i++)
			if (c < d->table[i].ncol) {
				int cw = d->table[i].col[c].width;

				if (cw <= 0)
					cw = 10;
				if (cw > w)
					w = cw;
			}
		if (w == 0)
			break;
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w + 2,
		    NULL);
	}
	if (d->title != NULL)
		worksheet_write_string(ws, r++, 0, d->title, f.title);
	if (d->subtitle != NULL)
		worksheet_write_string(ws, r++, 0, d->subtitle, f.sub);
	for (i = 0; i < d->nkv; i++, r++) {
		worksheet_write_string(ws, r, 0, d->kv[i].key, f.key);
		if (d->kv[i].value != NULL)
			worksheet_write_string(ws, r, 1, d->kv[i].value, NULL);
	}
	for (i = 0; i < d->ntable; i++) {
		const struct doc_table *t = &d->table[i];

		r++;			/* a blank row before each table */
		if (t->title != NULL)
			worksheet_write_string(ws, r++, 0, t->title, f.key);
		for (c = 0; c < t->ncol; c++)
			worksheet_write_string(ws, r, (lxw_col_t)c,
			    t->col[c].head, f.head);
		/* Keep the first table's header in view while scrolling. */
		if (!frozen++)
			worksheet_freeze_panes(ws, r + 1, 0);
		r++;
		for (k = 0; k < t->nrow; k++, r++)
			for (c = 0; c < t->ncol; c++)
				put_cell(ws, r, (lxw_col_t)c, &t->col[c],
				    &t->cell[k * (size_t)t->ncol + (size_t)c],
				    &f, 0);
		if (t->total != NULL) {
			for (c = 0; c < t->ncol; c++)
				put_cell(ws, r, (lxw_col_t)c, &t->col[c],
				    &t->total[c], &f, 1);
			r++;
		}
	}
	if (d->nfooter > 0)
		r++;
	for (i = 0; i < d->nfooter; i++)
		worksheet_write_string(ws, r++, 0, d->footer[i], NULL);
	if ((e = workbook_close(wb)) != LXW_NO_ERROR) {
		*err = lxw_strerror(e);
		return -1;
	}
	return 0;
}

int
doc_xlsx(const struct doc *d, const char *tmpdir, struct buf *out,
    const char **err)
{
	char		 path[4096], chunk[65536];
	const char	*dir = tmpdir;
	FILE		*fp;
	size_t		 n;
	int		 fd, rc;

	if (dir == NULL && (dir = getenv("TMPDIR")) == NULL)
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof(path), "%s/dinghuo-xlsx-XXXXXX",
	    dir) >= sizeof(path) || (fd = mkstemp(path)) == -1) {
		*err = "cannot create a temporary file";
		return -1;
	}
	close(fd);
	rc = doc_xlsx_file(d, path, dir, err);
	if (rc == 0) {
		if ((fp = fopen(path, "rb")) == NULL) {
			*err = "cannot read the workbook back";
			rc = -1;
		} else {
			while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
				buf_add(out, chunk, n);
			if (ferror(fp)) {
				*err = "cannot read the workbook back";
				rc = -1;
			}
			fclose(fp);
		}
	}
	unlink(path);
	return rc;
}
