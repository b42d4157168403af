/* test_qr.c -- QR codes: the modules libqrencode gives (size, the three
 * finder patterns), the SVG and PNG drawn from them, base64, and the
 * limits. The integration suite decodes a real one (test_invite_qr.py). */
#include "base/base.h"
#include "base/qr.h"

#include <setjmp.h>
#include <cmocka.h>

#define LINK "https://shop.example.cn/s/demo/invite/" \
    "0123456789abcdef0123456789abcdef0123456789abcdef"

static uint32_t
be32_at(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* A 7x7 finder pattern with its top-left module at (x, y). */
static void
assert_finder(const struct qr *q, int x, int y)
{
	int	i, j, ring;

	for (j = 0; j < 7; j++)
		for (i = 0; i < 7; i++) {
			ring = i == 0 || j == 0 || i == 6 || j == 6;
			if (ring || (i >= 2 && i <= 4 && j >= 2 && j <= 4))
				assert_int_equal(q->dark[(y + j) * q->width +
				    x + i], 1);
			else
				assert_int_equal(q->dark[(y + j) * q->width +
				    x + i], 0);
		}
}

static void
test_encode(void **state)
{
	struct arena	*a = arena_new(0);
	struct qr	 q;

	assert_int_equal(qr_encode(a, LINK, &q), 0);
	/* 86 bytes at level M: more than version 5 holds (84), so 6: 41. */
	assert_int_equal(q.width, 41);
	assert_finder(&q, 0, 0);
	assert_finder(&q, q.width - 7, 0);
	assert_finder(&q, 0, q.width - 7);
	assert_int_equal(qr_encode(a, "", &q), -1);
	assert_int_equal(qr_encode(a, NULL, &q), -1);
	arena_free(a);
}

static void
test_too_long(void **state)
{
	struct arena	*a = arena_new(0);
	char		 big[QR_TEXT_MAX + 2];
	struct qr	 q;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(qr_encode(a, big, &q), -1);
	big[QR_TEXT_MAX] = '\0';
	assert_int_equal(qr_encode(a, big, &q), 0);
	arena_free(a);
}

static void
test_svg(void **state)
{
	struct arena	*a = arena_new(0);
	struct qr	 q;
	const char	*svg, *p;
	int		 dark = 0, x, y, run, i;

	assert_int_equal(qr_encode(a, LINK, &q), 0);
	svg = qr_svg(a, &q);
	assert_non_null(strstr(svg, "viewBox=\"0 0 49 49\""));
	assert_int_equal(strncmp(svg, "<svg ", 5), 0);
	assert_string_equal(svg + strlen(svg) - 6, "</svg>");
	/* The runs the path draws cover exactly the dark modules. */
	for (p = strstr(svg, " d=\"") + 4; *p == 'M'; ) {
		assert_int_equal(sscanf(p, "M%d %dh%d", &x, &y, &run), 3);
		for (i = 0; i < run; i++) {
			assert_int_equal(q.dark[(y - QR_MARGIN) * q.width +
			    x - QR_MARGIN + i], 1);
			dark++;
		}
		p = strchr(p, 'z') + 1;
	}
	for (i = 0, run = 0; i < q.width * q.width; i++)
		run += q.dark[i];
	assert_int_equal(dark, run);
	arena_free(a);
}

static void
test_png(void **state)
{
	struct arena	*a = arena_new(0);
	unsigned char	*png;
	size_t		 len;
	struct qr	 q;

	assert_int_equal(qr_encode(a, LINK, &q), 0);
	assert_int_equal(qr_png(a, &q, 8, &png, &len), 0);
	assert_true(len > 33 + 12);
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
	assert_int_equal(be32_at(png + 8), 13);
	assert_memory_equal(png + 12, "IHDR", 4);
	assert_int_equal(be32_at(png + 16), (41 + 2 * QR_MARGIN) * 8);
	assert_int_equal(be32_at(png + 20), (41 + 2 * QR_MARGIN) * 8);
	assert_int_equal(png[24], 8);		/* bit depth */
	assert_int_equal(png[25], 0);		/* grey */
	assert_memory_equal(png + len - 8, "IEND", 4);
	assert_int_equal(be32_at(png + len - 4), 0xae426082);	/* its CRC */
	assert_int_equal(qr_png(a, &q, 0, &png, &len), -1);
	assert_int_equal(qr_png(a, &q, 33, &png, &len), -1);
	arena_free(a);
}

static void
test_base64(void **state)
{
	struct arena	*a = arena_new(0);

	/* RFC 4648, section 10. */
	assert_string_equal(base64_encode(a, "", 0), "");
	assert_string_equal(base64_encode(a, "f", 1), "Zg==");
	assert_string_equal(base64_encode(a, "fo", 2), "Zm8=");
	assert_string_equal(base64_encode(a, "foo", 3), "Zm9v");
	assert_string_equal(base64_encode(a, "foob", 4), "Zm9vYg==");
	assert_string_equal(base64_encode(a, "fooba", 5), "Zm9vYmE=");
	assert_string_equal(base64_encode(a, "foobar", 6), "Zm9vYmFy");
	assert_string_equal(base64_encode(a, "\xff\xfe\x00", 3), "//4A");
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_png),
		cmocka_unit_test(test_base64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
