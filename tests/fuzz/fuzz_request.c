/*
 * fuzz_request.c -- a whole request as a worker parses it: request_parse()
 * (method, URI path decoding, the /s/<slug> tenant prefix, the query
 * string, cookies, Content-Length) then request_body() (urlencoded,
 * multipart or JSON by Content-Type, within conf.max_body/max_upload),
 * through an in-memory FastCGI request (fuzz_fcgi.h).
 *
 * Input: FastCGI params as "NAME=value" lines, an empty line, the body:
 *   REQUEST_METHOD=POST
 *   REQUEST_URI=/s/acme/cart?x=1
 *   CONTENT_TYPE=application/x-www-form-urlencoded
 *
 *   qty=2&sku=7
 * CONTENT_LENGTH is the body's length unless a line sets it.
 */
#include "fuzz_common.h"
#include "base/conf.h"
#include "domain/shop.h"
#include "http/http.h"
#include "fuzz_fcgi.h"

static struct arena	*arena;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	arena = arena_new(0);
	conf.max_body = 64 * 1024;
	conf.max_upload = 256 * 1024;
	return 0;
}

static void
check_kv(const struct kvlist *l)
{
	int	i;

	for (i = 0; i < l->n; i++) {
		CHECK(l->v[i].name != NULL && l->v[i].value != NULL);
		CHECK(strlen(l->v[i].value) == l->v[i].len);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_fcgi f;
	struct ctx	 c;
	const uint8_t	*line, *eq;
	const char	*slug = NULL;
	char		*body, len[32], name[64];
	size_t		 linelen, nl;
	int		 rc, have_len = 0;

	if (size > 256 * 1024)
		return 0;
	fake_init(&f, NULL, 0);
	while (fuzz_line(&data, &size, &line, &linelen) == 0 && linelen > 0) {
		if ((eq = memchr(line, '=', linelen)) == NULL ||
		    (nl = (size_t)(eq - line)) >= sizeof(name) || nl == 0)
			continue;
		memcpy(name, line, nl);
		name[nl] = '\0';
		if (memchr(name, '\0', nl) != NULL)
			continue;
		have_len |= strcmp(name, "CONTENT_LENGTH") == 0;
		/* The value as a C string, as the FastCGI library gives it. */
		fake_param(&f, name, (const char *)eq + 1, strnlen((const char *)
		    eq + 1, linelen - nl - 1));
	}
	if (!have_len) {
		snprintf(len, sizeof(len), "%zu", size);
		fake_param(&f, "CONTENT_LENGTH", len, strlen(len));
	}
	body = fuzz_dup(data, size);
	f.in.rdNext = f.in.stopUnget = (unsigned char *)body;
	f.in.stop = f.in.wrNext = size ? (unsigned char *)body + size :
	    (unsigned char *)body;

	ctx_init(&c, arena);
	c.fcgi = &f.req;
	strcpy(c.d.reqid, "fuzz");
	rc = request_parse(&c, &slug);
	if (rc == 0) {
		CHECK(c.method != NULL && c.uri != NULL && *c.uri == '/');
		CHECK(c.path != NULL && *c.path == '/');
		CHECK(utf8_valid(c.path, strlen(c.path)));
		CHECK(c.content_length >= 0);
		if (slug != NULL) {
			CHECK(slug_valid(slug));
			CHECK(strncmp(c.base, "/s/", 3) == 0 &&
			    strcmp(c.base + 3, slug) == 0);
		} else
			CHECK(*c.base == '\0');
		check_kv(&c.query);
		check_kv(&c.cookies);
		rc = request_body(&c);
		if (rc == 0) {
			check_kv(&c.form);
			if (c.json != NULL)
				CHECK(json_object_is_type(c.json,
				    json_type_object));
			CHECK(c.nuploads >= 0 && c.nuploads <= 16);
		} else
			CHECK(rc == ERR_INVALID || rc == ERR_TOO_LARGE ||
			    rc == ERR_UNSUPPORTED);
		/* Twice is a no-op. */
		CHECK(request_body(&c) == 0);
	} else
		CHECK(rc == ERR_INVALID && c.d.error != NULL);

	ctx_free(&c);
	fake_free(&f);
	free(body);
	arena_reset(arena);
	return 0;
}
