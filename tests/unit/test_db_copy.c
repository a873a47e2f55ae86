/*
 * test_db_copy.c — what db_copy (src/db/copy.c) reads from the schema
 * rather than from a list: tables a future migration might add (here made
 * by hand on both ends) are copied, parents before children whatever
 * their names say; a column of bytes is refused, not carried as text; a
 * cycle of foreign keys is refused; a table one end has and the other not
 * is refused. Each case runs SQLite → SQLite and, when HM_TEST_PG is set
 * (scripts/with-pg), SQLite → PostgreSQL (a fresh schema each); without it
 * those are skipped, or fail under CI=true. The whole demo round trip is
 * tests/e2e/db-copy.test.mjs's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/copy.h"
#include "db/db.h"
#include "test_shared.h"

static char dir[64];
static int serial;

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/hm-test-copy-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* A fresh target: a new file, or a new schema of HM_TEST_PG's database
 * (which the URI's search_path selects). */
static char *target(int pg)
{
	serial++;
	if (!pg)
		return xasprintf("%s/target-%d.db", dir, serial);
	const char *uri = getenv("HM_TEST_PG");
	if (!uri || !*uri) {
		if (ts_in_ci())
			fail_msg("HM_TEST_PG is not set (CI=true needs PostgreSQL: run the tests "
				 "through scripts/with-pg)");
		print_message("skipped: HM_TEST_PG is not set (run through scripts/with-pg)\n");
		skip();
	}
	PGconn *c = PQconnectdb(uri);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("%s: %s", uri, PQerrorMessage(c));
	PQsetNoticeProcessor(c, quiet, NULL);
	char *sql = xasprintf("DROP SCHEMA IF EXISTS t_copy_%d_%d CASCADE; CREATE SCHEMA t_copy_%d_%d",
			      (int)getpid(), serial, (int)getpid(), serial);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	free(sql);
	return xasprintf("%s%coptions=-csearch_path%%3Dt_copy_%d_%d", uri, strchr(uri, '?') ? '&' : '?',
			 (int)getpid(), serial);
}

/* Makes spec a harmony database ('harmony init'), then runs script on it
 * (written in what both backends run). */
static void make(const char *spec, const char *script)
{
	struct db *db;
	char err[512];
	if (db_open(spec, DB_OPEN_CREATE, 1, &db, err, sizeof(err)) != HM_OK)
		fail_msg("%s", err);
	if (script && db_exec_script(db, script, err, sizeof(err)) != HM_OK)
		fail_msg("%s: %s", script, err);
	db_close(db);
}

static int64_t count(const char *spec, const char *sql)
{
	struct db *db;
	char err[512];
	assert_int_equal(db_open(spec, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)), HM_OK);
	struct db_stmt *st = db_prepare(db, sql);
	assert_non_null(st);
	assert_int_equal(db_step(st), 1);
	int64_t n = db_col_int(st, 0);
	db_done(st);
	db_close(db);
	return n;
}

struct seen {
	char order[16][32];
	int n;
};

static void note(const char *table, int64_t rows, void *ctx)
{
	struct seen *s = ctx;
	(void)rows;
	if (s->n < 16 && (strncmp(table, "zz_", 3) == 0 || strncmp(table, "aa_", 3) == 0))
		snprintf(s->order[s->n++], sizeof(s->order[0]), "%s", table);
}

/* A parent named to sort last, a child named to sort first. */
static const char EXTRA[] =
	"CREATE TABLE zz_parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
	"CREATE TABLE aa_child (id INTEGER PRIMARY KEY, "
	"parent_id INTEGER NOT NULL REFERENCES zz_parent(id), note TEXT);";
static const char EXTRA_ROWS[] =
	"INSERT INTO zz_parent VALUES (1, 'one'), (2, 'two');"
	"INSERT INTO aa_child VALUES (10, 2, NULL), (11, 1, 'x'), (12, 2, '');";

static void check_new_tables_in_fk_order(int pg)
{
	char *dst = target(pg); /* first: it may end the test (skip) */
	char *src = xasprintf("%s/src-%d.db", dir, ++serial);
	make(src, EXTRA);
	struct db *db;
	char err[512];
	assert_int_equal(db_open(src, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)), HM_OK);
	assert_int_equal(db_exec_script(db, EXTRA_ROWS, err, sizeof(err)), HM_OK);
	db_close(db);
	make(dst, EXTRA);
	struct seen seen = {0};
	enum hm_err e = db_copy(src, dst, note, &seen, NULL, err, sizeof(err));
	if (e != HM_OK)
		fail_msg("db_copy: %s", err);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.order[0], "zz_parent");
	assert_string_equal(seen.order[1], "aa_child");
	assert_int_equal(count(dst, "SELECT count(*) FROM aa_child WHERE note IS NULL"), 1);
	assert_int_equal(count(dst, "SELECT count(*) FROM aa_child WHERE note = ''"), 1);
	assert_int_equal(count(dst, "SELECT sum(parent_id) FROM aa_child"), 5);
	free(src);
	free(dst);
}

static void check_bytes_refused(int pg)
{
	char *dst = target(pg); /* first: it may end the test (skip) */
	char *src = xasprintf("%s/src-%d.db", dir, ++serial);
	make(src, "CREATE TABLE zz_files (id INTEGER PRIMARY KEY, data BLOB);");
	char err[512];
	assert_int_equal(db_copy(src, dst, NULL, NULL, NULL, err, sizeof(err)), HM_EINVAL);
	assert_non_null(strstr(err, "zz_files.data holds bytes"));
	free(src);
	free(dst);
}

static void check_cycle_refused(int pg)
{
	static const char cycle[] =
		"CREATE TABLE zz_a (id INTEGER PRIMARY KEY, b_id INTEGER);"
		"CREATE TABLE zz_b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES zz_a(id));"
		"CREATE TABLE zz_c (id INTEGER PRIMARY KEY, c_id INTEGER REFERENCES zz_c(id));";
	char *dst = target(pg); /* first: it may end the test (skip) */
	char *src = xasprintf("%s/src-%d.db", dir, ++serial);
	make(src, cycle);
	make(dst, cycle);
	char err[512];
	/* A table pointing to itself (zz_c) is fine: in key order. */
	assert_int_equal(db_copy(src, dst, NULL, NULL, NULL, err, sizeof(err)), HM_OK);
	free(src);
	free(dst);
	/* Two tables pointing to each other are not. SQLite cannot add a
	 * REFERENCES with ALTER TABLE; the cycle is made in a new pair. */
	static const char cycle2[] =
		"CREATE TABLE zz_x (id INTEGER PRIMARY KEY, y_id INTEGER REFERENCES zz_y(id));"
		"CREATE TABLE zz_y (id INTEGER PRIMARY KEY, x_id INTEGER REFERENCES zz_x(id));";
	dst = target(pg);
	src = xasprintf("%s/src-%d.db", dir, ++serial);
	make(src, NULL);
	make(dst, NULL);
	struct db *db;
	/* SQLite takes a reference to a table not made yet; PostgreSQL wants
	 * it there: the second reference is added afterwards there. */
	assert_int_equal(db_open(src, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)), HM_OK);
	assert_int_equal(db_exec_script(db, cycle2, err, sizeof(err)), HM_OK);
	db_close(db);
	assert_int_equal(db_open(dst, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)), HM_OK);
	if (pg)
		assert_int_equal(db_exec_script(db,
						"CREATE TABLE zz_x (id INTEGER PRIMARY KEY, y_id INTEGER);"
						"CREATE TABLE zz_y (id INTEGER PRIMARY KEY, x_id INTEGER "
						"REFERENCES zz_x(id));"
						"ALTER TABLE zz_x ADD FOREIGN KEY (y_id) REFERENCES zz_y(id);",
						err, sizeof(err)),
				 HM_OK);
	else
		assert_int_equal(db_exec_script(db, cycle2, err, sizeof(err)), HM_OK);
	db_close(db);
	assert_int_equal(db_copy(src, dst, NULL, NULL, NULL, err, sizeof(err)), HM_EINTERNAL);
	assert_non_null(strstr(err, "form a cycle"));
	assert_non_null(strstr(err, "zz_x"));
	free(src);
	free(dst);
}

static void check_table_only_in_source_refused(int pg)
{
	char *dst = target(pg); /* first: it may end the test (skip) */
	char *src = xasprintf("%s/src-%d.db", dir, ++serial);
	make(src, "CREATE TABLE zz_mine (id INTEGER PRIMARY KEY);");
	char err[512];
	assert_int_equal(db_copy(src, dst, NULL, NULL, NULL, err, sizeof(err)), HM_ESCHEMA);
	assert_non_null(strstr(err, "a table zz_mine"));
	free(src);
	free(dst);
}

static void test_copy_new_tables_fk_order_sqlite(void **s) { (void)s; check_new_tables_in_fk_order(0); }
static void test_copy_new_tables_fk_order_pg(void **s) { (void)s; check_new_tables_in_fk_order(1); }
static void test_copy_bytes_refused_sqlite(void **s) { (void)s; check_bytes_refused(0); }
static void test_copy_bytes_refused_pg(void **s) { (void)s; check_bytes_refused(1); }
static void test_copy_cycle_refused_sqlite(void **s) { (void)s; check_cycle_refused(0); }
static void test_copy_cycle_refused_pg(void **s) { (void)s; check_cycle_refused(1); }
static void test_copy_extra_table_refused_sqlite(void **s) { (void)s; check_table_only_in_source_refused(0); }
static void test_copy_extra_table_refused_pg(void **s) { (void)s; check_table_only_in_source_refused(1); }

int main(void)
{
	log_min_level = LOG_ERROR;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_new_tables_fk_order_sqlite),
		cmocka_unit_test(test_copy_new_tables_fk_order_pg),
		cmocka_unit_test(test_copy_bytes_refused_sqlite),
		cmocka_unit_test(test_copy_bytes_refused_pg),
		cmocka_unit_test(test_copy_cycle_refused_sqlite),
		cmocka_unit_test(test_copy_cycle_refused_pg),
		cmocka_unit_test(test_copy_extra_table_refused_sqlite),
		cmocka_unit_test(test_copy_extra_table_refused_pg),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
