/* test_conf.c -- config file, environment overrides, every error named. */
#include "base/base.h"
#include "base/conf.h"

#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>

static char path[] = "/tmp/dinghuo-test-conf-XXXXXX";

static void
write_conf(const char *text)
{
	int	fd = mkstemp(path);

	assert_true(fd != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void
test_defaults(void **state)
{
	struct conf	cf;
	struct buf	errs;

	buf_init(&errs, 0);
	assert_int_equal(conf_load(NULL, &cf, &errs), 0);
	assert_int_equal(cf.workers, 4);
	assert_int_equal(cf.request_timeout, 30);
	assert_int_equal(cf.session_ttl, 14 * 86400);
	assert_int_equal(cf.max_body, 1048576);
	conf_free(&cf);
	buf_free(&errs);
}

static void
test_file_and_env(void **state)
{
	struct conf	cf;
	struct buf	errs;

	strcpy(path, "/tmp/dinghuo-test-conf-XXXXXX");
	write_conf("# comment\nworkers = 7\n  db_name=shop  \n"
	    "max_upload = 512k\nlogin_window = 2h\n");
	setenv("DINGHUO_WORKERS", "9", 1);
	buf_init(&errs, 0);
	assert_int_equal(conf_load(path, &cf, &errs), 0);
	assert_int_equal(cf.workers, 9);		/* env wins */
	assert_string_equal(cf.db_name, "shop");
	assert_int_equal(cf.max_upload, 512 * 1024);
	assert_int_equal(cf.login_window, 7200);
	unsetenv("DINGHUO_WORKERS");
	conf_free(&cf);
	buf_free(&errs);
	unlink(path);
}

static void
test_errors(void **state)
{
	struct conf	cf;
	struct buf	errs;

	strcpy(path, "/tmp/dinghuo-test-conf-XXXXXX");
	write_conf("workers = 0\nbogus = 1\nno equals sign\n"
	    "request_timeout = 5y\nlog_debug = maybe\n");
	buf_init(&errs, 0);
	assert_int_equal(conf_load(path, &cf, &errs), 5);
	buf_cstr(&errs);
	assert_non_null(strstr(errs.p, ":1: workers = 0 is out of range"));
	assert_non_null(strstr(errs.p, ":2: unknown key 'bogus'"));
	assert_non_null(strstr(errs.p, ":3: expected key = value"));
	assert_non_null(strstr(errs.p, ":4: request_timeout = 5y"));
	assert_non_null(strstr(errs.p, ":5: log_debug = maybe"));
	conf_free(&cf);
	buf_free(&errs);
	unlink(path);
}

/* A private_dir the web server would serve is refused. */
static void
test_private_dir_outside_uploads(void **state)
{
	static const char *const bad[] = {
		"var/uploads", "var/uploads/", "var/uploads/private", ""
	};
	struct conf	cf;
	struct buf	errs;
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("DINGHUO_PRIVATE_DIR", bad[i], 1);
		buf_init(&errs, 0);
		assert_int_equal(conf_load(NULL, &cf, &errs), 1);
		assert_non_null(strstr(buf_cstr(&errs), "private_dir"));
		conf_free(&cf);
		buf_free(&errs);
	}
	setenv("DINGHUO_PRIVATE_DIR", "var/uploads-private", 1);
	buf_init(&errs, 0);
	assert_int_equal(conf_load(NULL, &cf, &errs), 0);
	unsetenv("DINGHUO_PRIVATE_DIR");
	conf_free(&cf);
	buf_free(&errs);
	assert_true(conf_inside("/srv/up/x", "/srv/up/"));
	assert_true(conf_inside("/srv/up", "/srv/up"));
	assert_false(conf_inside("/srv/upx", "/srv/up"));
	assert_true(conf_inside("/anything", "/"));
}

/* External services: https, or plain http to the loopback only; and
 * secrets_dir never where the web server serves. */
static void
test_wechat_bases_and_secrets_dir(void **state)
{
	static const char *const bad[] = {
		"http://api.weixin.qq.com", "http://10.0.0.1:8080", "ftp://x",
		"https://", "https://api.weixin.qq.com/", "api.weixin.qq.com", ""
	};
	static const char *const good[] = {
		"https://api.weixin.qq.com", "http://127.0.0.1:9000",
		"http://[::1]:9000"
	};
	struct conf	cf;
	struct buf	errs;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("DINGHUO_WECHAT_PAY_BASE", bad[i], 1);
		buf_init(&errs, 0);
		assert_int_equal(conf_load(NULL, &cf, &errs), 1);
		assert_non_null(strstr(buf_cstr(&errs), "wechat_pay_base"));
		conf_free(&cf);
		buf_free(&errs);
	}
	unsetenv("DINGHUO_WECHAT_PAY_BASE");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		setenv("DINGHUO_WECHAT_API_BASE", good[i], 1);
		buf_init(&errs, 0);
		assert_int_equal(conf_load(NULL, &cf, &errs), 0);
		conf_free(&cf);
		buf_free(&errs);
	}
	unsetenv("DINGHUO_WECHAT_API_BASE");
	setenv("DINGHUO_SECRETS_DIR", "var/uploads/keys", 1);
	buf_init(&errs, 0);
	assert_int_equal(conf_load(NULL, &cf, &errs), 1);
	assert_non_null(strstr(buf_cstr(&errs), "secrets_dir"));
	unsetenv("DINGHUO_SECRETS_DIR");
	conf_free(&cf);
	buf_free(&errs);
}

static void
test_sample_lists_every_key(void **state)
{
	struct buf	out;

	buf_init(&out, 0);
	conf_sample(&out);
	buf_cstr(&out);
	assert_non_null(strstr(out.p, "#request_timeout = 30"));
	assert_non_null(strstr(out.p, "#db_socket = "));
	buf_free(&out);
}

/* The shipped dinghuo.conf.sample is what sample-config prints. */
static void
test_sample_file_is_current(void **state)
{
	const char	*dir = getenv("srcdir");
	char		 sample[4096], *text;
	struct buf	 out;
	FILE		*f;
	size_t		 n;

	snprintf(sample, sizeof(sample), "%s/dinghuo.conf.sample",
	    dir ? dir : ".");
	f = fopen(sample, "r");
	assert_non_null(f);
	text = xmalloc(65536);
	n = fread(text, 1, 65535, f);
	text[n] = '\0';
	fclose(f);
	buf_init(&out, 0);
	conf_sample(&out);
	if (strcmp(buf_cstr(&out), text) != 0)
		fail_msg("dinghuo.conf.sample is stale: run "
		    "'dinghuo sample-config > dinghuo.conf.sample'");
	buf_free(&out);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_file_and_env),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_private_dir_outside_uploads),
		cmocka_unit_test(test_wechat_bases_and_secrets_dir),
		cmocka_unit_test(test_sample_lists_every_key),
		cmocka_unit_test(test_sample_file_is_current),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
