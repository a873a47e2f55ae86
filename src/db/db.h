/*
 * db.h — the storage API every domain module uses: one connection per
 * worker thread, statements prepared once per connection and cached, values
 * only ever bound, transactions through db_begin/db_commit/db_rollback.
 * SQL is written with '?' placeholders in a portable subset that SQLite
 * (sqlite.c) and PostgreSQL (pg.c) both run; db.c sends each call to the
 * backend of its connection.
 *
 * Ownership: text returned by db_col_text belongs to the statement and is
 * valid until the next db_step or db_done on it. json_t values returned by
 * the db_*_json functions are new references owned by the caller.
 */
#ifndef HM_DB_H
#define HM_DB_H

#include <jansson.h>
#include <stdint.h>

#include "core/core.h"

struct db;
struct db_stmt;

enum db_open_mode {
	DB_OPEN_EXISTING, /* fail if the file does not exist */
	DB_OPEN_CREATE    /* create the file if needed */
};

enum db_backend { DB_SQLITE, DB_POSTGRESQL };

/* Which backend a --db value names: a postgresql:// or postgres:// URI is
 * PostgreSQL (libpq reads it, with its parameters and environment, as psql
 * does); anything else, a file path or one written sqlite:PATH, SQLite. */
enum db_backend db_backend_of(const char *spec);
/* The file a --db value names for SQLite (spec without a sqlite: prefix),
 * NULL for PostgreSQL. Points into spec. */
const char *db_file_of(const char *spec);

/* Opens the database path names (see db_backend_of): for SQLite sets WAL,
 * foreign keys and a busy timeout. Then checks the schema: HM_ESCHEMA (with
 * a message in err) if it is not a harmony database or its schema is newer
 * than this binary knows. An older schema is migrated when migrate is set,
 * refused otherwise. The database is never modified when an error is
 * returned. A server that cannot be reached is HM_EIO. */
enum hm_err db_open(const char *path, enum db_open_mode mode, int migrate, struct db **out,
		    char *err, size_t errlen);
void db_close(struct db *db);

/* Returns the cached prepared statement for sql (a string with static
 * storage: the pointer is the cache key), reset and with bindings cleared.
 * Logs and returns NULL if the SQL does not compile. */
struct db_stmt *db_prepare(struct db *db, const char *sql);

/* Binds parameter idx (1-based). Text NULL binds SQL NULL. */
void db_bind_text(struct db_stmt *st, int idx, const char *s);
void db_bind_int(struct db_stmt *st, int idx, int64_t v);
void db_bind_double(struct db_stmt *st, int idx, double v);
void db_bind_null(struct db_stmt *st, int idx);

/* 1: a row is ready; 0: done; -1: error (logged). */
int db_step(struct db_stmt *st);
/* Runs a statement that returns no rows to completion: HM_OK, HM_EEXIST on
 * a unique-constraint violation, HM_EINVAL on another constraint, HM_EBUSY
 * or HM_EDB (as db_failed says). */
enum hm_err db_run(struct db_stmt *st);
/* Resets the statement so it can be used again (db_prepare does it too). */
void db_done(struct db_stmt *st);

int db_col_count(struct db_stmt *st);
const char *db_col_name(struct db_stmt *st, int i);
const char *db_col_text(struct db_stmt *st, int i); /* NULL for SQL NULL */
int64_t db_col_int(struct db_stmt *st, int i);
double db_col_double(struct db_stmt *st, int i);
int db_col_is_null(struct db_stmt *st, int i);

/* The current row as an object keyed by column name: integers as JSON
 * integers, reals as reals, NULL as null, text as strings. A column whose
 * name starts with "is_" becomes true/false. */
json_t *db_row_json(struct db_stmt *st);
/* Steps through all rows: an array of db_row_json objects; NULL when st
 * is NULL or a step fails (never an empty list that hides a failure). */
json_t *db_rows_json(struct db_stmt *st);
/* Steps once: the row object, or NULL when there is none or the step
 * failed (db_failed tells which). */
json_t *db_one_json(struct db_stmt *st);

int64_t db_last_insert_id(struct db *db);
/* The integer in the first column of the row sql (one parameter, arg)
 * finds: a count, an id, a revision. -1 when there is no row or the read
 * failed (db_failed tells which). */
int64_t db_int_of(struct db *db, const char *sql, int64_t arg);
/* The rows (db_rows_json) and the one row (db_one_json) that sql, with its
 * one parameter arg (an id), finds; NULL when the read failed (and, for
 * the one row, when there is none: db_failed tells which). */
json_t *db_rows_of(struct db *db, const char *sql, int64_t arg);
json_t *db_one_of(struct db *db, const char *sql, int64_t arg);
int db_changes(struct db *db);

/* Transactions. db_begin takes the write lock at once (BEGIN IMMEDIATE) so
 * a read-then-write cannot deadlock; db_begin_read gives a consistent
 * snapshot for a page made of several queries. */
enum hm_err db_begin(struct db *db);
/* How a statement failed (to prepare or to step) since the last db_begin
 * or db_begin_read: HM_OK when none did; HM_EBUSY when the store could not
 * take it for now (locked past the busy timeout, disk full, read-only:
 * answered 503, try again); HM_EDB otherwise. A read that found nothing
 * may have failed, and a page must then answer so, not "not found". */
enum hm_err db_failed(struct db *db);
/* Forgets earlier failures: the start of a request. */
void db_failed_reset(struct db *db);
enum hm_err db_begin_read(struct db *db);
/* Makes this connection's commits durable before db_commit returns, at
 * the cost of a flush each (SQLite: synchronous=FULL, the WAL fsynced on
 * every commit; other connections keep NORMAL, which survives a crash of
 * the process but not of the machine. PostgreSQL: synchronous_commit on,
 * its default, set in case the server's is off). HM_EDB, logged. */
enum hm_err db_durable(struct db *db);
enum hm_err db_commit(struct db *db);
void db_rollback(struct db *db);
/* The write transaction in progress on this connection (db_begin): a
 * number no other transaction of the process has; 0 outside one. What
 * was done once in a transaction need not be done again in it. */
uint64_t db_tx_serial(const struct db *db);
/* For a caller that starts a failed transaction again as a whole (the
 * group committer's batches): no statement need be undone alone, so
 * PostgreSQL takes no savepoint before each write (a round trip each)
 * and any failed statement fails the transaction (HM_EDB, where
 * otherwise a constraint could answer HM_EEXIST and the rest go on).
 * SQLite is unchanged. Holds until turned off. */
void db_all_or_nothing(struct db *db, int on);

/* Runs a script of several statements (migrations, demo data). */
enum hm_err db_exec_script(struct db *db, const char *sql, char *err, size_t errlen);

/* A number that changes whenever any connection (in this process or
 * another) commits a change: the key for caches of rendered pages. */
uint64_t db_data_version(struct db *db);
/* Called after this process commits a write, so caches see it at once. */
void db_bump_version(void);

/* The schema version recorded in the database, and the newest this binary
 * knows. */
int db_schema_version(struct db *db);
int db_schema_latest(void);

/* The backend of the connection. For the few statements that cannot be
 * said once for both (full-text search): a store keeps both forms side
 * by side and picks one with this, never a handler. */
enum db_backend db_backend(struct db *db);

/* The --db value the connection was opened with; for PostgreSQL without
 * its password. */
const char *db_path(struct db *db);

/* Time spent running statements (db_step, db_run) in this process since
 * it started, and how many such calls: for the metrics. */
void db_time_totals(double *seconds, uint64_t *calls);

#endif
