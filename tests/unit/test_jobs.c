/*
 * test_jobs.c — the scheduler: every job runs at start on the scheduler's
 * own connection and thread (signals blocked), again on its period, at
 * once when woken; a long run is told to stop and the thread ends
 * promptly; a second start and unknown names are refused. Instances on
 * one database take each periodic turn once between them (jobs_claim), on
 * SQLite and on PostgreSQL (HM_TEST_PG, from scripts/with-pg).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "db/db.h"
#include "jobs/jobs.h"
#include "test_shared.h"

static char dir[64], path[96];

static atomic_int runs_a, runs_b, runs_long, saw_db, sigterm_blocked;
static atomic_int long_stopped; /* the long job saw stopping() */

static void run_a(struct db *db, int64_t now, int (*stopping)(void))
{
	(void)stopping;
	if (db && now > 0)
		atomic_store(&saw_db, 1);
	sigset_t cur;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	atomic_store(&sigterm_blocked, sigismember(&cur, SIGTERM) == 1);
	atomic_fetch_add(&runs_a, 1);
}

static void run_b(struct db *db, int64_t now, int (*stopping)(void))
{
	(void)db;
	(void)now;
	(void)stopping;
	atomic_fetch_add(&runs_b, 1);
}

/* Runs until told to stop (at most 30 s, so a broken stop cannot hang). */
static void run_long(struct db *db, int64_t now, int (*stopping)(void))
{
	(void)db;
	(void)now;
	atomic_fetch_add(&runs_long, 1);
	for (int i = 0; i < 3000 && !stopping(); i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	atomic_store(&long_stopped, stopping());
}

static const struct job job_a = {"test.a", 3600, run_a};
static const struct job job_b = {"test.b", 1, run_b};
static const struct job job_long = {"test.long", 3600, run_long};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when *v reaches at least want within timeout_ms. */
static int wait_for(atomic_int *v, int want, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	while (atomic_load(v) < want && now_ms() < end) {
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return atomic_load(v) >= want;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/hm-test-jobs-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	char err[256];
	struct db *db;
	if (db_open(path, DB_OPEN_CREATE, 1, &db, err, sizeof(err)) != HM_OK)
		return -1;
	db_close(db);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char p[160];
	static const char *const files[] = {"t.db", "t.db-wal", "t.db-shm"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

/* Runs sql on the test database through a connection of its own. */
static void exec_sql(const char *spec, const char *sql)
{
	struct db *db;
	char err[256];
	assert_int_equal(db_open(spec, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)), HM_OK);
	assert_int_equal(db_exec_script(db, sql, err, sizeof(err)), HM_OK);
	db_close(db);
}

static void reset(void)
{
	/* Each test starts with no turn taken. */
	exec_sql(path, "DELETE FROM job_schedule");
	atomic_store(&runs_a, 0);
	atomic_store(&runs_b, 0);
	atomic_store(&runs_long, 0);
	atomic_store(&saw_db, 0);
	atomic_store(&sigterm_blocked, 0);
	atomic_store(&long_stopped, 0);
}

static void test_jobs_wake_without_scheduler_is_refused(void **state)
{
	(void)state;
	assert_int_equal(jobs_wake("test.a"), -1);
	assert_int_equal(jobs_stopping(), 0);
	jobs_stop(); /* no-op */
}

static void test_jobs_run_at_start_then_when_woken(void **state)
{
	(void)state;
	reset();
	const struct job *const jobs[] = {&job_a};
	assert_int_equal(jobs_start(path, jobs, 1), HM_OK);
	assert_true(wait_for(&runs_a, 1, 3000));
	assert_int_equal(atomic_load(&saw_db), 1);
	assert_int_equal(atomic_load(&sigterm_blocked), 1);
	/* Its period is an hour: only a wake runs it again, at once. */
	struct timespec ts = {0, 200 * 1000 * 1000};
	nanosleep(&ts, NULL);
	assert_int_equal(atomic_load(&runs_a), 1);
	int64_t t0 = now_ms();
	assert_int_equal(jobs_wake("test.a"), 0);
	assert_true(wait_for(&runs_a, 2, 3000));
	assert_true(now_ms() - t0 < 1000);
	assert_int_equal(jobs_wake("test.nope"), -1);
	jobs_stop();
}

static void test_jobs_run_again_on_their_period(void **state)
{
	(void)state;
	reset();
	const struct job *const jobs[] = {&job_a, &job_b};
	assert_int_equal(jobs_start(path, jobs, 2), HM_OK);
	assert_true(wait_for(&runs_a, 1, 3000));
	assert_true(wait_for(&runs_b, 3, 4000)); /* at start, then every second */
	assert_int_equal(atomic_load(&runs_a), 1);
	jobs_stop();
}

static void test_jobs_second_start_is_refused(void **state)
{
	(void)state;
	reset();
	const struct job *const jobs[] = {&job_a};
	assert_int_equal(jobs_start(path, jobs, 1), HM_OK);
	assert_int_equal(jobs_start(path, jobs, 1), HM_EEXIST);
	jobs_stop();
	/* Stopped, it may start again. */
	assert_int_equal(jobs_start(path, jobs, 1), HM_OK);
	jobs_stop();
}

static void test_jobs_start_without_database_fails(void **state)
{
	(void)state;
	char missing[128];
	snprintf(missing, sizeof(missing), "%s/missing.db", dir);
	const struct job *const jobs[] = {&job_a};
	assert_int_equal(jobs_start(missing, jobs, 1), HM_EDB);
	assert_int_equal(jobs_wake("test.a"), -1);
}

static void test_jobs_stop_ends_a_long_run_promptly(void **state)
{
	(void)state;
	reset();
	const struct job *const jobs[] = {&job_long, &job_a};
	assert_int_equal(jobs_start(path, jobs, 2), HM_OK);
	assert_true(wait_for(&runs_long, 1, 3000));
	int64_t t0 = now_ms();
	jobs_stop();
	assert_true(now_ms() - t0 < 1000);
	assert_int_equal(atomic_load(&long_stopped), 1);
	assert_int_equal(jobs_stopping(), 1);
	/* The job after it never started: the scheduler stopped first. */
	assert_int_equal(atomic_load(&runs_a), 0);
}

/* Two instances' connections to spec (a migrated database). */
static void claim_once_between_instances(const char *spec)
{
	struct db *one, *two;
	char err[512];
	assert_int_equal(db_open(spec, DB_OPEN_EXISTING, 0, &one, err, sizeof(err)), HM_OK);
	assert_int_equal(db_open(spec, DB_OPEN_EXISTING, 0, &two, err, sizeof(err)), HM_OK);
	const int64_t t = 1700000000;
	static const struct job minute = {"test.minute", 60, run_b};
	assert_int_equal(jobs_claim(one, &minute, t), 1);
	assert_int_equal(jobs_claim(two, &minute, t), 0);
	assert_int_equal(jobs_claim(one, &minute, t + 30), 0);
	/* Due again a period later, to the one that asks first. */
	assert_int_equal(jobs_claim(two, &minute, t + 59), 1);
	assert_int_equal(jobs_claim(one, &minute, t + 59), 0);
	/* Another job's turns are its own. */
	assert_int_equal(jobs_claim(one, &job_a, t), 1);
	db_close(one);
	db_close(two);
}

static void test_jobs_claim_once_between_instances_sqlite(void **state)
{
	(void)state;
	exec_sql(path, "DELETE FROM job_schedule");
	claim_once_between_instances(path);
}

static void test_jobs_claim_once_between_instances_postgresql(void **state)
{
	(void)state;
	const char *uri = getenv("HM_TEST_PG");
	if (!uri || !*uri) {
		if (ts_in_ci())
			fail_msg("HM_TEST_PG is not set (CI=true needs PostgreSQL: scripts/with-pg)");
		print_message("skipped: HM_TEST_PG is not set (run through scripts/with-pg)\n");
		skip();
	}
	PGconn *c = PQconnectdb(uri);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("%s: %s", uri, PQerrorMessage(c));
	PGresult *r = PQexec(c, "DROP SCHEMA IF EXISTS t_jobs CASCADE; CREATE SCHEMA t_jobs");
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s", PQresultErrorMessage(r));
	PQclear(r);
	char *spec = xasprintf("%s%coptions=-csearch_path%%3Dt_jobs", uri,
			       strchr(uri, '?') ? '&' : '?');
	struct db *db;
	char err[512];
	assert_int_equal(db_open(spec, DB_OPEN_CREATE, 1, &db, err, sizeof(err)), HM_OK);
	db_close(db);
	claim_once_between_instances(spec);
	r = PQexec(c, "DROP SCHEMA t_jobs CASCADE");
	PQclear(r);
	PQfinish(c);
	free(spec);
}

/* A turn another instance took is not run here, at start or after. */
static void test_jobs_turn_taken_elsewhere_is_skipped(void **state)
{
	(void)state;
	reset();
	char *sql = xasprintf("INSERT INTO job_schedule (name, due_at) VALUES ('test.a', %lld)",
			      (long long)time(NULL) + 3600);
	exec_sql(path, sql);
	free(sql);
	const struct job *const jobs[] = {&job_a, &job_b};
	assert_int_equal(jobs_start(path, jobs, 2), HM_OK);
	assert_true(wait_for(&runs_b, 2, 4000));
	assert_int_equal(atomic_load(&runs_a), 0);
	/* Woken, it runs here at once: deferred work is this instance's. */
	assert_int_equal(jobs_wake("test.a"), 0);
	assert_true(wait_for(&runs_a, 1, 3000));
	jobs_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobs_wake_without_scheduler_is_refused),
		cmocka_unit_test(test_jobs_run_at_start_then_when_woken),
		cmocka_unit_test(test_jobs_run_again_on_their_period),
		cmocka_unit_test(test_jobs_second_start_is_refused),
		cmocka_unit_test(test_jobs_start_without_database_fails),
		cmocka_unit_test(test_jobs_stop_ends_a_long_run_promptly),
		cmocka_unit_test(test_jobs_claim_once_between_instances_sqlite),
		cmocka_unit_test(test_jobs_claim_once_between_instances_postgresql),
		cmocka_unit_test(test_jobs_turn_taken_elsewhere_is_skipped),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
