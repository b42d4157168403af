/* test_job.c -- the retry backoff of job.c and the kind table of
 * job_tasks.c (which kinds a runner offers). */
#include "base/base.h"
#include "base/conf.h"
#include "services/job.h"
#include "domain/job_tasks.h"

#include <setjmp.h>
#include <cmocka.h>

static void
test_backoff_doubles_from_the_base(void **state)
{
	assert_int_equal(job_backoff(1), JOB_BACKOFF_BASE);
	assert_int_equal(job_backoff(1), 10);
	assert_int_equal(job_backoff(2), 20);
	assert_int_equal(job_backoff(3), 40);
	assert_int_equal(job_backoff(4), 80);
	assert_int_equal(job_backoff(9), 2560);
}

static void
test_backoff_is_capped(void **state)
{
	int64_t	n, prev = 0;

	assert_int_equal(job_backoff(10), JOB_BACKOFF_MAX);	/* not 5120 */
	assert_int_equal(JOB_BACKOFF_MAX, 3600);
	assert_int_equal(job_backoff(64), JOB_BACKOFF_MAX);	/* 2^63 */
	assert_int_equal(job_backoff(1000), JOB_BACKOFF_MAX);
	assert_int_equal(job_backoff(INT64_MAX), JOB_BACKOFF_MAX);
	for (n = 1; n <= 200; n++) {
		assert_true(job_backoff(n) >= prev);
		assert_true(job_backoff(n) <= JOB_BACKOFF_MAX);
		prev = job_backoff(n);
	}
}

static void
test_backoff_before_any_attempt(void **state)
{
	assert_int_equal(job_backoff(0), JOB_BACKOFF_BASE);
	assert_int_equal(job_backoff(-3), JOB_BACKOFF_BASE);
	assert_int_equal(job_backoff(INT64_MIN), JOB_BACKOFF_BASE);
}

static void
test_test_kinds_only_when_asked(void **state)
{
	struct arena	*a = arena_new(1024);
	const char	*list;

	conf.job_test_kinds = 0;
	assert_null(job_kind_find("test.fail"));
	assert_null(job_kind_find("no.such.kind"));
	assert_non_null(job_kind_find("session.expire"));
	assert_true(job_kind_find("session.expire")->every > 0);
	assert_non_null(job_kind_find("login_failure.expire"));
	assert_non_null(job_kind_find("uploads.prune"));
	list = job_kinds_enabled(a);
	assert_non_null(strstr(list, "session.expire"));
	assert_null(strstr(list, "test."));
	assert_null(strchr(list, ' '));

	conf.job_test_kinds = 1;
	assert_non_null(job_kind_find("test.fail"));
	assert_int_equal(job_kind_find("test.fail")->every, 0);
	list = job_kinds_enabled(a);
	assert_non_null(strstr(list, "test.record"));
	assert_non_null(strstr(list, "test.sleep"));
	assert_non_null(strstr(list, ",test.fail"));
	conf.job_test_kinds = 0;
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_doubles_from_the_base),
		cmocka_unit_test(test_backoff_is_capped),
		cmocka_unit_test(test_backoff_before_any_attempt),
		cmocka_unit_test(test_test_kinds_only_when_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
