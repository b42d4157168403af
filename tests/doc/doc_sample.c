/*
 * doc_sample.c -- write the sample statement (sample.h) as PDF or XLSX
 * for tests/doc/render to look at:
 *	doc_sample pdf|xlsx OUT [ROWS [FONT]]
 */
#include "sample.h"

int
main(int argc, char **argv)
{
	struct sample	 s;
	struct buf	 out;
	const char	*err = NULL;
	FILE		*fp;
	int		 pages = 0, rc;

	if (argc < 3) {
		fprintf(stderr, "usage: doc_sample pdf|xlsx OUT [ROWS [FONT]]\n");
		return 2;
	}
	sample_build(&s, argc > 3 ? (size_t)atol(argv[3]) : 40);
	buf_init(&out, 4096);
	if (strcmp(argv[1], "pdf") == 0)
		rc = doc_pdf(&s.doc, argc > 4 ? argv[4] : NULL, &out, &pages,
		    &err);
	else
		rc = doc_xlsx(&s.doc, NULL, &out, &err);
	if (rc != 0) {
		fprintf(stderr, "doc_sample: %s\n", err);
		return 1;
	}
	if ((fp = fopen(argv[2], "wb")) == NULL ||
	    fwrite(out.p, 1, out.len, fp) != out.len || fclose(fp) != 0) {
		perror(argv[2]);
		return 1;
	}
	printf("%zu bytes, %d pages\n", out.len, pages);
	buf_free(&out);
	sample_free(&s);
	return 0;
}
