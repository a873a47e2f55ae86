/*
 * test_db.c — the store on real temporary SQLite files: migrations, the
 * schema guard (foreign files and newer schemas are refused untouched),
 * statement cache, row-to-JSON, transactions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"

static char dir[64];

#ifndef HM_SOURCE_DIR
#define HM_SOURCE_DIR "."
#endif

/* The migrations in the source tree (migrations/NNNN_*.sql), counted
 * apart from the code under test: what db_schema_latest() must say. */
static int migration_files(void)
{
	DIR *d = opendir(HM_SOURCE_DIR "/migrations");
	assert_non_null(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len > 9 && e->d_name[4] == '_' && strspn(e->d_name, "0123456789") == 4 &&
		    strcmp(e->d_name + len - 4, ".sql") == 0)
			n++;
	}
	closedir(d);
	return n;
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/hm-test-db-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static char *path_for(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* Reads a whole file for before/after comparisons. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	buf_init(&b);
	char tmp[4096];
	size_t n;
	assert_non_null(f);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(&b, tmp, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

static void test_db_open_missing_file_without_create_fails(void **state)
{
	(void)state;
	char *p = path_for("missing.db");
	struct db *db = (struct db *)1;
	char err[256];
	assert_int_equal(db_open(p, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)), HM_ENOTFOUND);
	assert_null(db);
	assert_non_null(strstr(err, "no such database"));
	assert_int_equal(access(p, F_OK), -1);
	free(p);
}

static void test_db_refuses_text_file_untouched(void **state)
{
	(void)state;
	char *p = path_for("notes.txt");
	FILE *f = fopen(p, "w");
	fputs("these are my notes, not a database\n", f);
	fclose(f);
	size_t l1, l2;
	char *before = slurp(p, &l1);
	struct db *db;
	char err[256];
	assert_int_equal(db_open(p, DB_OPEN_EXISTING, 1, &db, err, sizeof(err)), HM_ESCHEMA);
	assert_non_null(strstr(err, "not a harmony database"));
	char *after = slurp(p, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(before, after, l1);
	free(before);
	free(after);
	free(p);
}

static void test_db_refuses_foreign_sqlite_untouched(void **state)
{
	(void)state;
	char *p = path_for("foreign.db");
	sqlite3 *h;
	assert_int_equal(sqlite3_open(p, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(h);
	size_t l1, l2;
	char *before = slurp(p, &l1);
	struct db *db;
	char err[256];
	assert_int_equal(db_open(p, DB_OPEN_CREATE, 1, &db, err, sizeof(err)), HM_ESCHEMA);
	char *after = slurp(p, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(before, after, l1);
	char *wal = xasprintf("%s-wal", p);
	assert_int_equal(access(wal, F_OK), -1);
	free(wal);
	free(before);
	free(after);
	free(p);
}

static void test_db_refuses_newer_schema_untouched(void **state)
{
	(void)state;
	char *p = path_for("newer.db");
	struct db *db;
	char err[256];
	assert_int_equal(db_open(p, DB_OPEN_CREATE, 1, &db, err, sizeof(err)), HM_OK);
	db_close(db);
	sqlite3 *h;
	assert_int_equal(sqlite3_open(p, &h), SQLITE_OK);
	char *ins = xasprintf("INSERT INTO schema_migrations VALUES (%d, 'future.sql', 'x')",
			      db_schema_latest() + 1);
	assert_int_equal(sqlite3_exec(h, ins, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	free(ins);
	size_t l1, l2;
	char *before = slurp(p, &l1);
	assert_int_equal(db_open(p, DB_OPEN_EXISTING, 1, &db, err, sizeof(err)), HM_ESCHEMA);
	assert_non_null(strstr(err, "newer"));
	char *after = slurp(p, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(before, after, l1);
	free(before);
	free(after);
	free(p);
}

static void test_db_empty_file_needs_init(void **state)
{
	(void)state;
	char *p = path_for("empty.db");
	struct db *db;
	char err[256];
	assert_int_equal(db_open(p, DB_OPEN_CREATE, 0, &db, err, sizeof(err)), HM_ESCHEMA);
	assert_non_null(strstr(err, "harmony init"));
	free(p);
}

static void test_db_migrations_apply_once_and_are_recorded(void **state)
{
	(void)state;
	char *p = path_for("fresh.db");
	struct db *db;
	char err[256];
	assert_int_equal(db_open(p, DB_OPEN_CREATE, 1, &db, err, sizeof(err)), HM_OK);
	/* As many as migrations/ holds: none left out of the build. */
	assert_int_equal(db_schema_latest(), migration_files());
	assert_int_equal(db_schema_version(db), db_schema_latest());
	db_close(db);
	/* Opening again migrates nothing and keeps one record per migration. */
	assert_int_equal(db_open(p, DB_OPEN_EXISTING, 1, &db, err, sizeof(err)), HM_OK);
	static const char q[] = "SELECT count(*) FROM schema_migrations";
	struct db_stmt *st = db_prepare(db, q);
	assert_non_null(st);
	assert_int_equal(db_step(st), 1);
	assert_int_equal(db_col_int(st, 0), db_schema_latest());
	db_done(st);
	/* Foreign keys are enforced. */
	static const char bad[] = "INSERT INTO event_sector (event_id, sector) VALUES (999, 'academia')";
	st = db_prepare(db, bad);
	assert_int_equal(db_run(st), HM_EINVAL);
	db_close(db);
	free(p);
}

static void test_db_row_json_types_and_unique_violation(void **state)
{
	(void)state;
	char *p = path_for("json.db");
	struct db *db;
	char err[256];
	assert_int_equal(db_open(p, DB_OPEN_CREATE, 1, &db, err, sizeof(err)), HM_OK);
	static const char ins[] = "INSERT INTO category (slug, name) VALUES (?, ?)";
	struct db_stmt *st = db_prepare(db, ins);
	db_bind_text(st, 1, "featured");
	db_bind_text(st, 2, "Featured «特色»");
	assert_int_equal(db_run(st), HM_OK);
	st = db_prepare(db, ins);
	db_bind_text(st, 1, "featured");
	db_bind_text(st, 2, "again");
	assert_int_equal(db_run(st), HM_EEXIST);
	/* The same SQL pointer gives the same cached statement. */
	assert_ptr_equal(db_prepare(db, ins), st);

	static const char sel[] = "SELECT id, slug, name, NULL AS absent, 1.5 AS r, 1 AS is_on FROM category";
	json_t *rows = db_rows_json(db_prepare(db, sel));
	assert_int_equal(json_array_size(rows), 1);
	json_t *row = json_array_get(rows, 0);
	assert_true(json_is_integer(json_object_get(row, "id")));
	assert_string_equal(json_string_value(json_object_get(row, "name")), "Featured «特色»");
	assert_true(json_is_null(json_object_get(row, "absent")));
	assert_true(json_is_real(json_object_get(row, "r")));
	assert_true(json_is_true(json_object_get(row, "is_on")));
	json_decref(rows);
	db_close(db);
	free(p);
}

static void test_db_rollback_discards_and_commit_bumps_version(void **state)
{
	(void)state;
	char *p = path_for("txn.db");
	struct db *db;
	char err[256];
	assert_int_equal(db_open(p, DB_OPEN_CREATE, 1, &db, err, sizeof(err)), HM_OK);
	static const char ins[] = "INSERT INTO category (slug, name) VALUES ('a', 'A')";
	static const char cnt[] = "SELECT count(*) FROM category";
	uint64_t v0 = db_data_version(db);
	assert_int_equal(db_begin(db), HM_OK);
	assert_int_equal(db_run(db_prepare(db, ins)), HM_OK);
	db_rollback(db);
	struct db_stmt *st = db_prepare(db, cnt);
	assert_int_equal(db_step(st), 1);
	assert_int_equal(db_col_int(st, 0), 0);
	db_done(st);
	assert_int_equal(db_begin(db), HM_OK);
	assert_int_equal(db_run(db_prepare(db, ins)), HM_OK);
	assert_int_equal(db_commit(db), HM_OK);
	st = db_prepare(db, cnt);
	assert_int_equal(db_step(st), 1);
	assert_int_equal(db_col_int(st, 0), 1);
	db_done(st);
	assert_true(db_data_version(db) > v0);
	db_close(db);
	free(p);
}

/* The cache key: another connection's commit moves the version (even
 * when this connection skips the PRAGMA because nothing changed), reads
 * alone never do. */
static void test_db_data_version_sees_other_writers_only(void **state)
{
	(void)state;
	char *p = path_for("version.db");
	struct db *db;
	char err[256];
	sqlite3 *other;
	assert_int_equal(db_open(p, DB_OPEN_CREATE, 1, &db, err, sizeof(err)), HM_OK);
	assert_int_equal(sqlite3_open(p, &other), SQLITE_OK);
	uint64_t v = db_data_version(db);
	for (int i = 0; i < 50; i++) {
		static const char cnt[] = "SELECT count(*) FROM category";
		json_decref(db_rows_json(db_prepare(db, cnt)));
		assert_int_equal(sqlite3_exec(other, "SELECT count(*) FROM post", NULL, NULL, NULL),
				 SQLITE_OK);
		assert_true(db_data_version(db) == v);
	}
	for (int i = 0; i < 20; i++) {
		char *ins = xasprintf("INSERT INTO category (slug, name) VALUES ('c%d', 'C')", i);
		assert_int_equal(sqlite3_exec(other, ins, NULL, NULL, NULL), SQLITE_OK);
		free(ins);
		if (i == 10)
			assert_int_equal(sqlite3_exec(other, "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
						      NULL, NULL),
					 SQLITE_OK);
		uint64_t nv = db_data_version(db);
		if (nv <= v)
			fail_msg("commit %d by another connection not seen", i);
		v = nv;
	}
	sqlite3_close(other);
	db_close(db);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_db_open_missing_file_without_create_fails),
		cmocka_unit_test(test_db_refuses_text_file_untouched),
		cmocka_unit_test(test_db_refuses_foreign_sqlite_untouched),
		cmocka_unit_test(test_db_refuses_newer_schema_untouched),
		cmocka_unit_test(test_db_empty_file_needs_init),
		cmocka_unit_test(test_db_migrations_apply_once_and_are_recorded),
		cmocka_unit_test(test_db_row_json_types_and_unique_violation),
		cmocka_unit_test(test_db_rollback_discards_and_commit_bumps_version),
		cmocka_unit_test(test_db_data_version_sees_other_writers_only),
	};
	return cmocka_run_group_tests_name("db", tests, setup, teardown);
}
