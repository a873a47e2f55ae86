/*
 * db.c — the dispatch behind db.h: db_open picks the backend from the --db
 * value (SQLite for a file, PostgreSQL for a URI) and every other call goes
 * through the ops table of the connection. What does not depend on the
 * backend lives here: rows as JSON, failures, the process-wide data version.
 */
#include "db/backend.h"
#include "db/migrate.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

static _Atomic uint64_t global_version = 1;
/* Time spent in statements (db_step, db_run) by every connection, for the
 * metrics, sampled: one step in STMT_SAMPLE of each thread is timed and
 * counts for STMT_SAMPLE steps and their time (two clock reads and two
 * shared counters a row were a twentieth of a vote's cost). */
#define STMT_SAMPLE 8
static _Atomic uint64_t stmt_ns, stmt_calls;
static _Thread_local unsigned stmt_tick;

static uint64_t now_ns(void)
{
	if (++stmt_tick % STMT_SAMPLE)
		return 0;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void count_stmt(uint64_t since)
{
	if (since) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t t = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		atomic_fetch_add_explicit(&stmt_ns, (t - since) * STMT_SAMPLE, memory_order_relaxed);
		atomic_fetch_add_explicit(&stmt_calls, STMT_SAMPLE, memory_order_relaxed);
	}
}

void db_time_totals(double *seconds, uint64_t *calls)
{
	*seconds = (double)atomic_load(&stmt_ns) / 1e9;
	*calls = atomic_load(&stmt_calls);
}

/* ------------------------------------------------------------ opening */

enum db_backend db_backend_of(const char *spec)
{
	return spec && (str_starts_with(spec, "postgresql://") || str_starts_with(spec, "postgres://"))
		       ? DB_POSTGRESQL
		       : DB_SQLITE;
}

const char *db_file_of(const char *spec)
{
	if (db_backend_of(spec) != DB_SQLITE)
		return NULL;
	/* sqlite:///var/lib/h.db is the absolute /var/lib/h.db; sqlite:h.db
	 * and sqlite:/var/lib/h.db are the path after the colon. */
	if (str_starts_with(spec, "sqlite://") && spec[9] == '/')
		return spec + 9;
	if (str_starts_with(spec, "sqlite:"))
		return spec + 7;
	return spec;
}

enum hm_err db_open(const char *path, enum db_open_mode mode, int migrate, struct db **out,
		    char *err, size_t errlen)
{
	if (db_backend_of(path) == DB_POSTGRESQL)
		return pg_open(path, mode, migrate, out, err, errlen);
	return sqlite_open(db_file_of(path), mode, migrate, out, err, errlen);
}

void db_close(struct db *db)
{
	if (db)
		db->ops->close(db);
}

enum db_backend db_backend(struct db *db)
{
	return db_backend_of(db_path(db));
}

const char *db_path(struct db *db)
{
	return db->path;
}

/* --------------------------------------------------------- statements */

struct db_stmt *db_prepare(struct db *db, const char *sql)
{
	return db->ops->prepare(db, sql);
}

void db_bind_text(struct db_stmt *st, int idx, const char *s)
{
	st->db->ops->bind_text(st, idx, s);
}

void db_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	st->db->ops->bind_int(st, idx, v);
}

void db_bind_double(struct db_stmt *st, int idx, double v)
{
	st->db->ops->bind_double(st, idx, v);
}

void db_bind_null(struct db_stmt *st, int idx)
{
	st->db->ops->bind_null(st, idx);
}

int db_step(struct db_stmt *st)
{
	uint64_t t = now_ns();
	int rc = st->db->ops->step(st);
	count_stmt(t);
	return rc;
}

enum hm_err db_run(struct db_stmt *st)
{
	uint64_t t = now_ns();
	enum hm_err e = st->db->ops->run(st);
	count_stmt(t);
	return e;
}

void db_done(struct db_stmt *st)
{
	if (st)
		st->db->ops->done(st);
}

int db_col_count(struct db_stmt *st)
{
	return st->db->ops->col_count(st);
}

const char *db_col_name(struct db_stmt *st, int i)
{
	return st->db->ops->col_name(st, i);
}

const char *db_col_text(struct db_stmt *st, int i)
{
	size_t len;
	return st->db->ops->col_text(st, i, &len);
}

int64_t db_col_int(struct db_stmt *st, int i)
{
	return st->db->ops->col_int(st, i);
}

double db_col_double(struct db_stmt *st, int i)
{
	return st->db->ops->col_double(st, i);
}

int db_col_is_null(struct db_stmt *st, int i)
{
	return st->db->ops->col_type(st, i) == DB_T_NULL;
}

json_t *db_row_json(struct db_stmt *st)
{
	const struct db_ops *ops = st->db->ops;
	json_t *o = json_object();
	int n = ops->col_count(st);
	for (int i = 0; i < n; i++) {
		const char *name = ops->col_name(st, i);
		int is_flag = str_starts_with(name, "is_");
		json_t *v;
		size_t len;
		const char *s;
		switch (ops->col_type(st, i)) {
		case DB_T_INT:
			v = is_flag ? json_boolean(ops->col_int(st, i)) : json_integer(ops->col_int(st, i));
			break;
		case DB_T_REAL: v = json_real(ops->col_double(st, i)); break;
		case DB_T_NULL: v = is_flag ? json_false() : json_null(); break;
		default:
			s = ops->col_text(st, i, &len);
			v = json_stringn(s ? s : "", s ? len : 0);
			if (!v) /* not valid UTF-8: never hand out broken text */
				v = json_string("");
			break;
		}
		json_object_set_new(o, name, v);
	}
	return o;
}

json_t *db_rows_json(struct db_stmt *st)
{
	if (!st)
		return NULL;
	json_t *a = json_array();
	int rc;
	while ((rc = db_step(st)) == 1)
		json_array_append_new(a, db_row_json(st));
	db_done(st);
	if (rc < 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

json_t *db_one_json(struct db_stmt *st)
{
	json_t *o = NULL;
	if (st && db_step(st) == 1)
		o = db_row_json(st);
	db_done(st);
	return o;
}

int64_t db_last_insert_id(struct db *db)
{
	return db->ops->last_insert_id(db);
}

int db_changes(struct db *db)
{
	return db->ops->changes(db);
}

/* ------------------------------------------------------- transactions */

enum hm_err db_failed(struct db *db)
{
	return db->failed;
}

void db_failed_reset(struct db *db)
{
	db->failed = HM_OK;
}

int64_t db_int_of(struct db *db, const char *sql, int64_t arg)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return -1;
	db_bind_int(st, 1, arg);
	int rc = db_step(st);
	int64_t v = rc == 1 ? db_col_int(st, 0) : -1;
	db_done(st);
	return v;
}

json_t *db_rows_of(struct db *db, const char *sql, int64_t arg)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return NULL;
	db_bind_int(st, 1, arg);
	return db_rows_json(st);
}

json_t *db_one_of(struct db *db, const char *sql, int64_t arg)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return NULL;
	db_bind_int(st, 1, arg);
	return db_one_json(st);
}

enum hm_err db_begin(struct db *db)
{
	static _Atomic uint64_t serials;
	db->tx_serial = ++serials;
	return db->ops->begin(db);
}

uint64_t db_tx_serial(const struct db *db)
{
	return db->in_write ? db->tx_serial : 0;
}

void db_all_or_nothing(struct db *db, int on)
{
	db->all_or_nothing = on;
}

enum hm_err db_begin_read(struct db *db)
{
	return db->ops->begin_read(db);
}

enum hm_err db_commit(struct db *db)
{
	return db->ops->commit(db);
}

void db_rollback(struct db *db)
{
	db->ops->rollback(db);
}

enum hm_err db_exec_script(struct db *db, const char *sql, char *err, size_t errlen)
{
	return db->ops->exec_script(db, sql, 0, err, errlen);
}

enum hm_err db_durable(struct db *db)
{
	char err[256];
	enum hm_err e = db_exec_script(db,
				       db_backend(db) == DB_SQLITE ? "PRAGMA synchronous=FULL"
								   : "SET synchronous_commit = on",
				       err, sizeof(err));
	if (e != HM_OK)
		log_error("durable commits: %s", err);
	return e;
}

enum hm_err db_exec_ddl(struct db *db, const char *sql, char *err, size_t errlen)
{
	return db->ops->exec_script(db, sql, 1, err, errlen);
}

/* ------------------------------------------------------------ version */

uint64_t db_data_version(struct db *db)
{
	return db->ops->data_version(db);
}

uint64_t db_global_version(void)
{
	return atomic_load(&global_version);
}

void db_bump_version(void)
{
	atomic_fetch_add(&global_version, 1);
}

int db_schema_version(struct db *db)
{
	return db->ops->schema_version(db);
}

int db_schema_latest(void)
{
	return migrate_latest();
}
