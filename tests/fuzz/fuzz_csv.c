/*
 * fuzz_csv.c -- the RFC 4180 reader in csv.c (csv_init/csv_next) and the
 * writer (csv_put/csv_endrow/csv_unguard).
 *
 * Reads every record of the input (exact-size copy, no NUL after it).
 * When every record read cleanly, writes them back as export_products()
 * does (BOM, then csv_put with the formula guard), reads that again and
 * checks that csv_unguard() of each field gives back the original field,
 * and that without the guard the fields come back byte for byte.
 */
#include "fuzz_common.h"
#include "base/csv.h"

#define MAXREC	4096

struct rec {
	char	**f;
	int	  n;
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

static void
free_recs(struct rec *r, int n)
{
	int	i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < r[i].n; k++)
			free(r[i].f[k]);
		free(r[i].f);
	}
	free(r);
}

/* Write the records, read them back, compare. */
static void
round_trip(const struct rec *rec, int nrec, int guard)
{
	struct buf	 out;
	struct csv	 r;
	int		 i, k, rc;

	buf_init(&out, 0);
	buf_adds(&out, "\xef\xbb\xbf");
	for (i = 0; i < nrec; i++) {
		for (k = 0; k < rec[i].n; k++)
			csv_put(&out, rec[i].f[k], (k == 0 ? CSV_FIRST : 0) |
			    (guard ? CSV_TEXT : 0));
		csv_endrow(&out);
	}
	csv_init(&r, out.p, out.len);
	for (i = 0; i < nrec; i++) {
		rc = csv_next(&r);
		CHECKF(rc == 1, "record %d: rc %d (%s)", i, rc,
		    r.error ? r.error : "-");
		CHECKF(r.nfield == rec[i].n, "record %d: %d fields, wrote %d",
		    i, r.nfield, rec[i].n);
		for (k = 0; k < r.nfield; k++) {
			const char *got = guard ? csv_unguard(r.field[k]) :
			    r.field[k];

			CHECKF(strcmp(got, rec[i].f[k]) == 0,
			    "record %d field %d", i, k);
		}
	}
	CHECK(csv_next(&r) == 0);
	csv_free(&r);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv	 r;
	struct rec	*rec;
	char		*in;
	int		 rc, nrec = 0, clean = 1, k, last_line = 0;

	if (size > 128 * 1024)
		return 0;
	in = fuzz_dup(data, size);
	rec = xcalloc(MAXREC, sizeof(*rec));
	csv_init(&r, in, size);
	while ((rc = csv_next(&r)) != 0) {
		CHECK(rc == 1 || rc == -1);
		CHECK(r.nfield >= 1);
		CHECK(r.rec_line > last_line);
		CHECK(r.rec_line <= r.line);
		last_line = r.rec_line;
		if (rc == -1) {
			CHECK(r.error != NULL);
			CHECK(r.err_line >= r.rec_line &&
			    r.err_line <= r.line);
			clean = 0;
		}
		for (k = 0; k < r.nfield; k++) {
			CHECK(r.field[k] >= r.data.p &&
			    r.field[k] < r.data.p + r.data.len);
			/* A clean record is valid UTF-8 without NUL. */
			if (rc == 1)
				CHECK(utf8_valid(r.field[k],
				    strlen(r.field[k])));
		}
		if (rc == 1 && nrec < MAXREC) {
			rec[nrec].n = r.nfield;
			rec[nrec].f = xcalloc(r.nfield, sizeof(char *));
			for (k = 0; k < r.nfield; k++)
				rec[nrec].f[k] = xstrdup(r.field[k]);
			nrec++;
		} else
			clean = 0;
	}
	CHECK(csv_next(&r) == 0);
	csv_free(&r);

	if (clean) {
		round_trip(rec, nrec, 0);
		round_trip(rec, nrec, 1);
	}
	free_recs(rec, nrec);
	free(in);
	return 0;
}
