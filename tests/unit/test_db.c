/*
 * test_db.c — the store on real temporary SQLite files and, when
 * HM_TEST_PG names a PostgreSQL database (scripts/with-pg makes one), on
 * PostgreSQL too: migrations, the schema guard (foreign files and newer
 * schemas are refused untouched), statement cache, row-to-JSON,
 * transactions, the data version. The tests of the "both" group run once
 * per backend, each on a fresh database (a file; a schema of its own in
 * PostgreSQL); the "sqlite" and "pg" groups hold what only one has.
 * Without HM_TEST_PG the PostgreSQL runs are skipped, or fail under
 * CI=true.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "test_shared.h"

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

/* ------------------------------------------------------------ backends
 * A backend under test: how to make a fresh empty database and how to
 * run SQL on it through a connection of its own (another client). */

struct backend {
	enum db_backend kind;
	const char *name;
};

static struct backend sqlite_backend = {DB_SQLITE, "sqlite"};
static struct backend pg_backend = {DB_POSTGRESQL, "postgresql"};

/* Ends the running test when PostgreSQL is not there: skipped, saying
 * why, or failed under CI=true (as ts_missing does for shared data). */
static const char *pg_uri(void)
{
	const char *uri = getenv("HM_TEST_PG");
	if (uri && *uri)
		return uri;
	if (ts_in_ci())
		fail_msg("HM_TEST_PG is not set (CI=true needs PostgreSQL: run the tests through "
			 "scripts/with-pg)");
	print_message("skipped: HM_TEST_PG is not set (run through scripts/with-pg)\n");
	skip();
	return NULL;
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static PGconn *pg_connect(const char *uri)
{
	PGconn *c = PQconnectdb(uri);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("%s: %s", uri, PQerrorMessage(c));
	PQsetNoticeProcessor(c, quiet, NULL);
	return c;
}

static PGconn *pg_admin(void)
{
	return pg_connect(pg_uri());
}

static void pg_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
}

/* The --db value of a fresh, empty database named name: a file in dir,
 * or a new schema t_<name> that the URI's search_path selects. */
static char *fresh(const struct backend *b, const char *name)
{
	if (b->kind == DB_SQLITE)
		return path_for(name);
	const char *uri = pg_uri();
	char schema[80];
	snprintf(schema, sizeof(schema), "t_%s", name);
	for (char *p = schema; *p; p++)
		if (*p == '.' || *p == '-')
			*p = '_';
	PGconn *c = pg_admin();
	char *sql = xasprintf("DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema, schema);
	pg_exec(c, sql);
	free(sql);
	PQfinish(c);
	return xasprintf("%s%coptions=-csearch_path%%3D%s", uri, strchr(uri, '?') ? '&' : '?', schema);
}

/* Runs sql on spec through a connection of its own, as another process
 * would. */
static void other_exec(const struct backend *b, const char *spec, const char *sql)
{
	if (b->kind == DB_SQLITE) {
		sqlite3 *h;
		char *msg = NULL;
		assert_int_equal(sqlite3_open(spec, &h), SQLITE_OK);
		sqlite3_busy_timeout(h, 5000);
		if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
			fail_msg("%s: %s", sql, msg);
		sqlite3_close(h);
		return;
	}
	PGconn *c = pg_connect(spec);
	pg_exec(c, sql);
	PQfinish(c);
}

/* Commits a write as another harmony instance does: on PostgreSQL its
 * commit carries the NOTIFY that pg.c's db_begin sends. */
static void other_commit(const struct backend *b, const char *spec, const char *sql)
{
	if (b->kind == DB_SQLITE) {
		other_exec(b, spec, sql);
		return;
	}
	char *tx = xasprintf("BEGIN; %s; NOTIFY harmony_changes; COMMIT", sql);
	other_exec(b, spec, tx);
	free(tx);
}

static struct db *open_ok(const char *spec, int migrate)
{
	struct db *db = NULL;
	char err[512];
	enum hm_err e = db_open(spec, DB_OPEN_CREATE, migrate, &db, err, sizeof(err));
	if (e != HM_OK)
		fail_msg("db_open %s: %s", spec, err);
	return db;
}

static int64_t one_int(struct db *db, const char *sql)
{
	struct db_stmt *st = db_prepare(db, sql);
	assert_non_null(st);
	assert_int_equal(db_step(st), 1);
	int64_t v = db_col_int(st, 0);
	db_done(st);
	return v;
}

/* Waits up to a second for the data version to move past v: the page
 * cache must see another connection's commit within that time. */
static uint64_t version_after(struct db *db, uint64_t v)
{
	for (int i = 0; i < 100; i++) {
		uint64_t nv = db_data_version(db);
		if (nv != v)
			return nv;
		usleep(10000);
	}
	return v;
}

/* ------------------------------------------------- tests, both backends */

static void test_db_empty_database_needs_init(void **state)
{
	const struct backend *b = *state;
	char *p = fresh(b, "empty");
	struct db *db;
	char err[256];
	assert_int_equal(db_open(p, DB_OPEN_CREATE, 0, &db, err, sizeof(err)), HM_ESCHEMA);
	assert_non_null(strstr(err, "harmony init"));
	free(p);
}

static void test_db_migrations_apply_once_and_are_recorded(void **state)
{
	const struct backend *b = *state;
	char *p = fresh(b, "fresh");
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
	assert_int_equal(one_int(db, q), db_schema_latest());
	/* Foreign keys are enforced. */
	static const char bad[] = "INSERT INTO event_sector (event_id, sector) VALUES (999, 'academia')";
	struct db_stmt *st = db_prepare(db, bad);
	assert_int_equal(db_run(st), HM_EINVAL);
	/* So are CHECK constraints; neither is a failure of the store. */
	static const char check[] = "INSERT INTO category (slug, name) VALUES (NULL, 'x')";
	assert_int_equal(db_run(db_prepare(db, check)), HM_EINVAL);
	assert_int_equal(db_failed(db), HM_OK);
	db_close(db);
	free(p);
}

static void test_db_row_json_types_and_unique_violation(void **state)
{
	const struct backend *b = *state;
	char *p = fresh(b, "json");
	struct db *db = open_ok(p, 1);
	static const char ins[] = "INSERT INTO category (slug, name) VALUES (?, ?)";
	struct db_stmt *st = db_prepare(db, ins);
	db_bind_text(st, 1, "featured");
	db_bind_text(st, 2, "Featured «特色»");
	assert_int_equal(db_run(st), HM_OK);
	st = db_prepare(db, ins);
	db_bind_text(st, 1, "featured");
	db_bind_text(st, 2, "again");
	assert_int_equal(db_run(st), HM_EEXIST);
	assert_int_equal(db_failed(db), HM_OK);
	/* The same SQL pointer gives the same cached statement. */
	assert_ptr_equal(db_prepare(db, ins), st);

	static const char sel[] = "SELECT id, slug, name, NULL AS absent, 1.5 AS r, 1 AS is_on, "
				  "count(*) AS n, sum(id) AS total, NULL AS is_off, "
				  "'a?b' AS q, (1 = 1) AS eq, (1 = 0) AS is_eq "
				  "FROM category GROUP BY id, slug, name";
	json_t *rows = db_rows_json(db_prepare(db, sel));
	assert_int_equal(json_array_size(rows), 1);
	json_t *row = json_array_get(rows, 0);
	char *got = json_dumps(row, JSON_SORT_KEYS | JSON_COMPACT);
	char *want = xasprintf("{\"absent\":null,\"eq\":1,\"id\":%lld,\"is_eq\":false,\"is_off\":false,"
			       "\"is_on\":true,\"n\":1,"
			       "\"name\":\"Featured «特色»\",\"q\":\"a?b\",\"r\":1.5,"
			       "\"slug\":\"featured\",\"total\":%lld}",
			       (long long)json_integer_value(json_object_get(row, "id")),
			       (long long)json_integer_value(json_object_get(row, "id")));
	assert_string_equal(got, want);
	free(got);
	free(want);
	json_decref(rows);
	/* Values bound as numbers compare as numbers; text as text. */
	static const char by[] = "SELECT name FROM category WHERE id = ? AND slug = ?";
	st = db_prepare(db, by);
	db_bind_int(st, 1, one_int(db, "SELECT max(id) FROM category"));
	db_bind_text(st, 2, "featured");
	assert_int_equal(db_step(st), 1);
	assert_string_equal(db_col_text(st, 0), "Featured «特色»");
	db_done(st);
	db_close(db);
	free(p);
}

static void test_db_rollback_discards_and_commit_bumps_version(void **state)
{
	const struct backend *b = *state;
	char *p = fresh(b, "txn");
	struct db *db = open_ok(p, 1);
	static const char ins[] = "INSERT INTO category (slug, name) VALUES ('a', 'A')";
	static const char cnt[] = "SELECT count(*) FROM category";
	uint64_t v0 = db_data_version(db);
	assert_int_equal(db_begin(db), HM_OK);
	assert_int_equal(db_run(db_prepare(db, ins)), HM_OK);
	db_rollback(db);
	assert_int_equal(one_int(db, cnt), 0);
	assert_int_equal(db_begin(db), HM_OK);
	assert_int_equal(db_run(db_prepare(db, ins)), HM_OK);
	assert_int_equal(db_changes(db), 1);
	assert_int_equal(db_commit(db), HM_OK);
	assert_int_equal(one_int(db, cnt), 1);
	assert_true(db_data_version(db) > v0);
	db_close(db);
	free(p);
}

/* A unique violation inside a transaction is answered (HM_EEXIST) and
 * the transaction goes on: a store tries another slug and commits. */
static void test_db_transaction_survives_a_constraint_violation(void **state)
{
	const struct backend *b = *state;
	char *p = fresh(b, "survive");
	struct db *db = open_ok(p, 1);
	static const char ins[] = "INSERT INTO category (slug, name) VALUES (?, 'C')";
	assert_int_equal(db_begin(db), HM_OK);
	struct db_stmt *st = db_prepare(db, ins);
	db_bind_text(st, 1, "one");
	assert_int_equal(db_run(st), HM_OK);
	st = db_prepare(db, ins);
	db_bind_text(st, 1, "one");
	assert_int_equal(db_run(st), HM_EEXIST);
	st = db_prepare(db, ins);
	db_bind_text(st, 1, "two");
	assert_int_equal(db_run(st), HM_OK);
	assert_int_equal(db_failed(db), HM_OK);
	assert_int_equal(db_commit(db), HM_OK);
	assert_int_equal(one_int(db, "SELECT count(*) FROM category"), 2);
	db_close(db);
	free(p);
}

/* db_tx_serial names each write transaction and is 0 outside one; with
 * db_all_or_nothing a failed statement loses the whole transaction on
 * PostgreSQL (no savepoint was taken for it), where SQLite goes on. */
static void test_db_all_or_nothing_and_tx_serial(void **state)
{
	const struct backend *b = *state;
	char *p = fresh(b, "aon");
	struct db *db = open_ok(p, 1);
	static const char ins[] = "INSERT INTO category (slug, name) VALUES (?, 'C')";
	assert_int_equal(db_tx_serial(db), 0);
	assert_int_equal(db_begin(db), HM_OK);
	uint64_t first = db_tx_serial(db);
	assert_true(first != 0);
	db_rollback(db);
	assert_int_equal(db_tx_serial(db), 0);

	db_all_or_nothing(db, 1);
	assert_int_equal(db_begin(db), HM_OK);
	assert_true(db_tx_serial(db) != 0 && db_tx_serial(db) != first);
	struct db_stmt *st = db_prepare(db, ins);
	db_bind_text(st, 1, "one");
	assert_int_equal(db_run(st), HM_OK);
	st = db_prepare(db, ins);
	db_bind_text(st, 1, "one");
	if (db_backend(db) == DB_SQLITE) {
		assert_int_equal(db_run(st), HM_EEXIST);
		assert_int_equal(db_commit(db), HM_OK);
		assert_int_equal(one_int(db, "SELECT count(*) FROM category"), 1);
	} else {
		assert_int_equal(db_run(st), HM_EDB);
		assert_int_equal(db_failed(db), HM_EDB);
		assert_true(db_commit(db) != HM_OK);
		assert_int_equal(one_int(db, "SELECT count(*) FROM category"), 0);
	}
	/* off again: a violation is answered and the transaction goes on */
	db_all_or_nothing(db, 0);
	assert_int_equal(db_begin(db), HM_OK);
	st = db_prepare(db, ins);
	db_bind_text(st, 1, "two");
	assert_int_equal(db_run(st), HM_OK);
	st = db_prepare(db, ins);
	db_bind_text(st, 1, "two");
	assert_int_equal(db_run(st), HM_EEXIST);
	assert_int_equal(db_commit(db), HM_OK);
	assert_int_equal(one_int(db, "SELECT count(*) FROM category WHERE slug = 'two'"), 1);
	db_close(db);
	free(p);
}

/* Rows written with explicit ids (the demo data) do not make the next
 * insert collide, and db_last_insert_id names the new row. */
static void test_db_last_insert_id_after_explicit_ids(void **state)
{
	const struct backend *b = *state;
	char *p = fresh(b, "ids");
	struct db *db = open_ok(p, 1);
	char err[256];
	assert_int_equal(db_begin(db), HM_OK);
	assert_int_equal(db_exec_script(db,
					"INSERT INTO category (id, slug, name) VALUES (1, 'a', 'A'), "
					"(7, 'b', 'B');",
					err, sizeof(err)),
			 HM_OK);
	assert_int_equal(db_commit(db), HM_OK);
	static const char ins[] = "INSERT INTO category (slug, name) VALUES (?, 'C')";
	struct db_stmt *st = db_prepare(db, ins);
	db_bind_text(st, 1, "c");
	assert_int_equal(db_run(st), HM_OK);
	assert_int_equal(db_last_insert_id(db), 8);
	st = db_prepare(db, ins);
	db_bind_text(st, 1, "d");
	assert_int_equal(db_run(st), HM_OK);
	assert_int_equal(db_last_insert_id(db), 9);
	/* An insert that adds no row leaves it as it was. */
	static const char none[] = "INSERT INTO category (slug, name) SELECT 'e', 'E' WHERE 1 = 0";
	assert_int_equal(db_run(db_prepare(db, none)), HM_OK);
	assert_int_equal(db_last_insert_id(db), 9);
	/* A row given its id explicitly: that id. */
	static const char given[] = "INSERT INTO category (id, slug, name) VALUES (42, 'f', 'F')";
	assert_int_equal(db_run(db_prepare(db, given)), HM_OK);
	assert_int_equal(db_last_insert_id(db), 42);
	db_close(db);
	free(p);
}

/* The cache key: another connection's commit moves the version within a
 * second (even when this connection skips the PRAGMA because nothing
 * changed), reads alone never do. */
static void test_db_data_version_sees_other_writers_only(void **state)
{
	const struct backend *b = *state;
	char *p = fresh(b, "version");
	struct db *db = open_ok(p, 1);
	uint64_t v = db_data_version(db);
	for (int i = 0; i < 20; i++) {
		static const char cnt[] = "SELECT count(*) FROM category";
		json_decref(db_rows_json(db_prepare(db, cnt)));
		other_exec(b, p, "SELECT count(*) FROM post");
		assert_true(db_data_version(db) == v);
	}
	for (int i = 0; i < 20; i++) {
		char *ins = xasprintf("INSERT INTO category (slug, name) VALUES ('c%d', 'C')", i);
		other_commit(b, p, ins);
		free(ins);
		if (i == 10 && b->kind == DB_SQLITE)
			other_exec(b, p, "PRAGMA wal_checkpoint(TRUNCATE)");
		uint64_t nv = version_after(db, v);
		if (nv <= v)
			fail_msg("commit %d by another connection not seen within a second", i);
		v = nv;
	}
	db_close(db);
	free(p);
}

/* Two writers: the second db_begin waits for the first to end, so a
 * read-then-write in one transaction cannot race another. */
struct writer {
	struct db *db;
	_Atomic int began;
	enum hm_err e;
};

static void *second_writer(void *arg)
{
	struct writer *w = arg;
	w->e = db_begin(w->db);
	atomic_store(&w->began, 1);
	if (w->e == HM_OK) {
		static const char ins[] = "INSERT INTO category (slug, name) VALUES ('second', 'S')";
		w->e = db_run(db_prepare(w->db, ins));
		if (w->e == HM_OK)
			w->e = db_commit(w->db);
		else
			db_rollback(w->db);
	}
	return NULL;
}

static void test_db_begin_serialises_writers(void **state)
{
	const struct backend *b = *state;
	char *p = fresh(b, "writers");
	struct db *one = open_ok(p, 1);
	struct writer w = {.db = open_ok(p, 0)};
	pthread_t t;
	assert_int_equal(db_begin(one), HM_OK);
	assert_int_equal(one_int(one, "SELECT count(*) FROM category"), 0);
	assert_int_equal(pthread_create(&t, NULL, second_writer, &w), 0);
	usleep(300000);
	assert_int_equal(atomic_load(&w.began), 0); /* still waiting */
	static const char ins[] = "INSERT INTO category (slug, name) VALUES ('first', 'F')";
	assert_int_equal(db_run(db_prepare(one, ins)), HM_OK);
	assert_int_equal(db_commit(one), HM_OK);
	pthread_join(t, NULL);
	assert_int_equal(w.e, HM_OK);
	assert_int_equal(one_int(one, "SELECT count(*) FROM category"), 2);
	db_close(w.db);
	db_close(one);
	free(p);
}

/* A database with tables of someone else's is refused, and left as it
 * was (nothing of harmony's added). */
static void test_db_refuses_foreign_database(void **state)
{
	const struct backend *b = *state;
	char *p = fresh(b, "foreign");
	other_exec(b, p, "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1);");
	struct db *db;
	char err[512];
	assert_int_equal(db_open(p, DB_OPEN_CREATE, 1, &db, err, sizeof(err)), HM_ESCHEMA);
	assert_non_null(strstr(err, "not a harmony database"));
	/* Only t is there still. */
	if (b->kind == DB_POSTGRESQL)
		other_exec(b, p,
			   "DO $$ BEGIN IF (SELECT count(*) FROM pg_tables WHERE schemaname = "
			   "current_schema()) <> 1 THEN RAISE 'touched'; END IF; END $$");
	else
		other_exec(b, p, "SELECT CASE WHEN (SELECT count(*) FROM sqlite_master) = 1 THEN 1 "
				 "ELSE abs(-9223372036854775807 - 1) END");
	free(p);
}

static void test_db_refuses_newer_schema(void **state)
{
	const struct backend *b = *state;
	char *p = fresh(b, "newer");
	db_close(open_ok(p, 1));
	char *ins = xasprintf("INSERT INTO schema_migrations VALUES (%d, 'future.sql', 'x')",
			      db_schema_latest() + 1);
	other_exec(b, p, ins);
	free(ins);
	struct db *db;
	char err[512];
	assert_int_equal(db_open(p, DB_OPEN_EXISTING, 1, &db, err, sizeof(err)), HM_ESCHEMA);
	assert_non_null(strstr(err, "newer"));
	free(p);
}

/* A database one migration behind (0007 undone by hand: migrations are
 * never edited, so this stays true) is refused without migrate and
 * brought up to date with it. */
static void test_db_migrates_older_schema(void **state)
{
	const struct backend *b = *state;
	char *p = fresh(b, "older");
	db_close(open_ok(p, 1));
	/* 0011, the full-text index, undone in each backend's form. */
	if (b->kind == DB_POSTGRESQL)
		other_exec(b, p,
			   "DROP INDEX event_search; DROP INDEX post_search; "
			   "DROP INDEX organisation_search; DROP INDEX series_search;");
	else
		other_exec(b, p,
			   "DROP TABLE search_index; "
			   "DROP TRIGGER event_search_insert; DROP TRIGGER event_search_update; "
			   "DROP TRIGGER event_search_delete; DROP TRIGGER post_search_insert; "
			   "DROP TRIGGER post_search_update; DROP TRIGGER post_search_delete; "
			   "DROP TRIGGER organisation_search_insert; DROP TRIGGER organisation_search_update; "
			   "DROP TRIGGER organisation_search_delete; DROP TRIGGER series_search_insert; "
			   "DROP TRIGGER series_search_update; DROP TRIGGER series_search_delete;");
	/* 0022, people, releases, stars, sign-ups and feeds of the programme
	 * (its two columns of programme_session go with that table, 0020). */
	other_exec(b, p,
		   "DROP TABLE programme_feed; DROP TABLE programme_signup; DROP TABLE programme_star; "
		   "DROP TABLE programme_release_person; DROP TABLE programme_release_session; "
		   "DROP TABLE programme_release; DROP TABLE programme_session_person; "
		   "DROP TABLE programme_person;");
	/* 0021, the session of a conversation: on PostgreSQL its column goes
	 * first (it depends on programme_session); SQLite cannot drop a
	 * column of a foreign key, which goes with conversation below
	 * (0016), as 0017's columns do. */
	if (b->kind == DB_POSTGRESQL)
		other_exec(b, p, "ALTER TABLE conversation DROP COLUMN session_id;");
	/* 0020, the programme. */
	other_exec(b, p, "DROP TABLE programme_session; DROP TABLE programme_room;");
	/* 0019, the translations of statements. */
	other_exec(b, p, "DROP TABLE statement_translation_suggestion; DROP TABLE statement_translation;");
	/* 0018, the participant of a host site's id. */
	other_exec(b, p, "DROP INDEX dialogue_participant_xid;");
	/* 0017, the dialogue's analysis, limits and embedding. */
	other_exec(b, p, "DROP TABLE vote_rate; DROP TABLE dialogue_analysis;");
	/* 0016, dialogue. */
	other_exec(b, p,
		   "DROP TABLE vote_history; DROP TABLE vote; DROP TABLE statement; "
		   "DROP TABLE dialogue_participant; DROP TABLE conversation;");
	/* 0015, attachments of messages. */
	other_exec(b, p,
		   "ALTER TABLE mail_outbox DROP COLUMN attachment_name; "
		   "ALTER TABLE mail_outbox DROP COLUMN attachment_type; "
		   "ALTER TABLE mail_outbox DROP COLUMN attachment;");
	/* 0014, registration. */
	other_exec(b, p,
		   "DROP TABLE registration_checkin; DROP TABLE registration; "
		   "DROP TABLE registration_invitation; DROP TABLE registration_delegation; "
		   "DROP TABLE registration_quota; "
		   "DROP TABLE registration_setting;");
	/* 0010, versions in other languages. */
	other_exec(b, p,
		   "ALTER TABLE account DROP COLUMN timezone; "
		   "DROP TABLE content_translation; ALTER TABLE event DROP COLUMN lang; "
		   "ALTER TABLE series DROP COLUMN lang; ALTER TABLE organisation DROP COLUMN lang; "
		   "ALTER TABLE post DROP COLUMN lang;");
	other_exec(b, p,
		   "DROP TABLE trash; DROP TABLE old_address; DROP TABLE job_schedule; DROP TABLE recovery_code; DROP TABLE two_factor; "
		   "DELETE FROM schema_migrations WHERE version >= 7;");
	struct db *db;
	char err[512];
	assert_int_equal(db_open(p, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)), HM_ESCHEMA);
	assert_non_null(strstr(err, "older"));
	db = open_ok(p, 1);
	assert_int_equal(db_schema_version(db), db_schema_latest());
	assert_int_equal(one_int(db, "SELECT count(*) FROM two_factor"), 0);
	db_close(db);
	free(p);
}

/* --------------------------------------------------- PostgreSQL only */

static void test_db_pg_unreachable_server_is_a_clear_error(void **state)
{
	(void)state;
	struct db *db = (struct db *)1;
	char err[512];
	enum hm_err e = db_open("postgresql://harmony:s3cret@/harmony?host=/nonexistent-hm&port=1"
				"&password=0ther&connect_timeout=2",
				DB_OPEN_EXISTING, 0, &db, err, sizeof(err));
	assert_int_equal(e, HM_EIO);
	assert_null(db);
	assert_non_null(strstr(err, "cannot connect"));
	assert_non_null(strstr(err, "/nonexistent-hm"));
	assert_null(strstr(err, "s3cret"));
	assert_null(strstr(err, "0ther"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(db_backend_of("postgres://x/y"), DB_POSTGRESQL);
	assert_int_equal(db_backend_of("harmony.db"), DB_SQLITE);
	assert_string_equal(db_file_of("sqlite:h.db"), "h.db");
	assert_string_equal(db_file_of("sqlite:///var/h.db"), "/var/h.db");
	assert_null(db_file_of("postgresql:///h"));
}

static void test_db_pg_path_has_no_password(void **state)
{
	(void)state;
	const char *uri = pg_uri();
	char *p = xasprintf("%s%cpassword=unused", uri, strchr(uri, '?') ? '&' : '?');
	struct db *db = open_ok(p, 1);
	assert_null(strstr(db_path(db), "unused"));
	assert_non_null(strstr(db_path(db), "postgresql://"));
	db_close(db);
	free(p);
}

/* Every busy state is HM_EBUSY: a lock held past lock_timeout here. */
static void test_db_pg_lock_timeout_is_busy(void **state)
{
	(void)state;
	char *p = fresh(&pg_backend, "busy");
	struct db *db = open_ok(p, 1);
	static const char ins[] = "INSERT INTO category (slug, name) VALUES ('x', 'X')";
	assert_non_null(db_prepare(db, ins)); /* prepared before the lock */
	PGconn *other = pg_connect(p);
	pg_exec(other, "BEGIN; LOCK TABLE category IN ACCESS EXCLUSIVE MODE");
	struct db_stmt *st = db_prepare(db, "SET lock_timeout = '200ms'");
	assert_int_equal(db_run(st), HM_OK);
	assert_int_equal(db_begin(db), HM_OK);
	assert_int_equal(db_run(db_prepare(db, ins)), HM_EBUSY);
	assert_int_equal(db_failed(db), HM_EBUSY);
	db_rollback(db);
	pg_exec(other, "ROLLBACK");
	PQfinish(other);
	db_close(db);
	free(p);
}

/* Migrations 1..N give PostgreSQL the tables and columns SQLite has,
 * with the types the dialect table says and the same NOT NULLs (SQLite's
 * full-text index, a virtual table and its shadow tables, is SQLite's
 * own: PostgreSQL indexes the tables themselves). */
static void test_db_pg_schema_equals_sqlite(void **state)
{
	(void)state;
	char *pg = fresh(&pg_backend, "schema");
	char *lite = path_for("schema.db");
	db_close(open_ok(pg, 1));
	db_close(open_ok(lite, 1));

	struct buf want, got;
	buf_init(&want);
	buf_init(&got);
	sqlite3 *h;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(lite, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT m.name, c.name, upper(c.type), c.\"notnull\" OR c.pk "
					    "FROM pragma_table_list m, pragma_table_info(m.name) c "
					    "WHERE m.schema = 'main' AND m.type = 'table' "
					    "AND m.name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY 1, 2",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 2);
		buf_printf(&want, "%s.%s %s%s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
			   strcmp(type, "INTEGER") == 0	? "bigint"
			   : strcmp(type, "TEXT") == 0	? "text"
			   : strcmp(type, "REAL") == 0	? "double precision"
							: type,
			   sqlite3_column_int(st, 3) ? " not null" : "");
	}
	sqlite3_finalize(st);
	sqlite3_close(h);

	PGconn *c = pg_connect(pg);
	PGresult *r = PQexec(c, "SELECT table_name, column_name, data_type, is_nullable = 'NO' "
				"FROM information_schema.columns WHERE table_schema = current_schema() "
				"AND table_name <> 'harmony_meta' "
				"ORDER BY table_name::text COLLATE \"C\", column_name::text COLLATE \"C\"");
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("information_schema: %s", PQresultErrorMessage(r));
	for (int i = 0; i < PQntuples(r); i++)
		buf_printf(&got, "%s.%s %s%s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
			   PQgetvalue(r, i, 2), *PQgetvalue(r, i, 3) == 't' ? " not null" : "");
	PQclear(r);
	PQfinish(c);
	buf_putc(&want, '\0');
	buf_putc(&got, '\0');
	assert_string_equal(got.data, want.data);
	buf_free(&want);
	buf_free(&got);
	free(pg);
	free(lite);
}

/* Each test of the "both" group, once per backend. */
#define BOTH(f) cmocka_unit_test_prestate(f, &sqlite_backend), \
		cmocka_unit_test_prestate(f, &pg_backend)

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {
		cmocka_unit_test(test_db_open_missing_file_without_create_fails),
		cmocka_unit_test(test_db_refuses_text_file_untouched),
		cmocka_unit_test(test_db_refuses_foreign_sqlite_untouched),
		cmocka_unit_test(test_db_refuses_newer_schema_untouched),
	};
	const struct CMUnitTest both_tests[] = {
		BOTH(test_db_empty_database_needs_init),
		BOTH(test_db_migrations_apply_once_and_are_recorded),
		BOTH(test_db_row_json_types_and_unique_violation),
		BOTH(test_db_rollback_discards_and_commit_bumps_version),
		BOTH(test_db_transaction_survives_a_constraint_violation),
		BOTH(test_db_all_or_nothing_and_tx_serial),
		BOTH(test_db_last_insert_id_after_explicit_ids),
		BOTH(test_db_data_version_sees_other_writers_only),
		BOTH(test_db_begin_serialises_writers),
		BOTH(test_db_refuses_foreign_database),
		BOTH(test_db_refuses_newer_schema),
		BOTH(test_db_migrates_older_schema),
	};
	const struct CMUnitTest pg_tests[] = {
		cmocka_unit_test(test_db_pg_unreachable_server_is_a_clear_error),
		cmocka_unit_test(test_db_pg_path_has_no_password),
		cmocka_unit_test(test_db_pg_lock_timeout_is_busy),
		cmocka_unit_test(test_db_pg_schema_equals_sqlite),
	};
	int rc = cmocka_run_group_tests_name("db-sqlite", sqlite_tests, setup, teardown);
	rc += cmocka_run_group_tests_name("db-both", both_tests, setup, teardown);
	rc += cmocka_run_group_tests_name("db-pg", pg_tests, setup, teardown);
	return rc;
}
