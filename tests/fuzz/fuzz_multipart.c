/*
 * fuzz_multipart.c -- multipart_parse(), the multipart/form-data body
 * parser, with the Content-Type (and so the boundary) from the input.
 *
 * Input: the Content-Type header value, '\n', then the body, e.g.
 *   multipart/form-data; boundary=XyZ\n--XyZ\r\nContent-Disposition: ...
 * Without a '\n' the whole input is the body and the boundary is "XyZ".
 * The body is copied as request_body() hands it over: len bytes and a
 * NUL at [len], in a buffer of exactly len + 1 bytes.
 */
#include "fuzz_common.h"
#include "http/http.h"

static struct arena	*arena;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	arena = arena_new(0);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*line;
	size_t		 linelen;
	char		*ct, *body;
	struct ctx	 c;
	int		 rc, i;

	if (size > 256 * 1024)
		return 0;
	if (fuzz_line(&data, &size, &line, &linelen) == 0)
		ct = fuzz_dup0(line, linelen);	/* up to its first NUL */
	else
		ct = xstrdup("multipart/form-data; boundary=XyZ");
	body = fuzz_dup0(data, size);

	ctx_init(&c, arena);
	c.json_out = 1;		/* errors as JSON: no templates here */
	c.method = "POST";
	c.uri = "/fuzz";
	strcpy(c.d.reqid, "fuzz");
	rc = multipart_parse(&c, body, size, ct);
	if (rc == 0) {
		CHECK(c.status == 0);
		CHECK(c.nuploads >= 0 && c.nuploads <= 16);
		for (i = 0; i < c.nuploads; i++) {
			const struct upload *u = &c.uploads[i];

			CHECK(u->field != NULL && u->filename != NULL &&
			    u->type != NULL);
			CHECK(u->data >= body && u->data + u->len <= body + size);
			CHECK(strchr(u->type, '\r') == NULL);
		}
		for (i = 0; i < c.form.n; i++) {
			const struct kv	*v = &c.form.v[i];

			CHECK(v->value >= body &&
			    v->value + v->len <= body + size);
			CHECK(strlen(v->value) == v->len);
			CHECK(utf8_valid(v->value, v->len));
		}
	} else
		CHECK(rc == ERR_INVALID && c.d.error != NULL);

	ctx_free(&c);
	free(ct);
	free(body);
	arena_reset(arena);
	return 0;
}
