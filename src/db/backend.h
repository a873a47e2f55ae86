/*
 * backend.h — what db.c (the dispatch behind db.h) needs from a storage
 * backend, and what the backends share. Only src/db/ includes it: every
 * other file sees db.h alone.
 *
 * A backend's connection begins with struct db and its statements with
 * struct db_stmt (so a pointer to one is a pointer to the other); db.c
 * calls the backend through the ops table the connection points to.
 */
#ifndef HM_DB_BACKEND_H
#define HM_DB_BACKEND_H

#include "db/db.h"

/* A column's value as db_row_json shows it. */
enum db_type { DB_T_NULL, DB_T_INT, DB_T_REAL, DB_T_TEXT };

struct db_ops {
	void (*close)(struct db *db);
	struct db_stmt *(*prepare)(struct db *db, const char *sql);
	void (*bind_text)(struct db_stmt *st, int idx, const char *s);
	void (*bind_int)(struct db_stmt *st, int idx, int64_t v);
	void (*bind_double)(struct db_stmt *st, int idx, double v);
	void (*bind_null)(struct db_stmt *st, int idx);
	int (*step)(struct db_stmt *st);
	enum hm_err (*run)(struct db_stmt *st);
	void (*done)(struct db_stmt *st);
	int (*col_count)(struct db_stmt *st);
	const char *(*col_name)(struct db_stmt *st, int i);
	enum db_type (*col_type)(struct db_stmt *st, int i);
	/* The text of a column, its length in *len; NULL for SQL NULL. */
	const char *(*col_text)(struct db_stmt *st, int i, size_t *len);
	int64_t (*col_int)(struct db_stmt *st, int i);
	double (*col_double)(struct db_stmt *st, int i);
	int64_t (*last_insert_id)(struct db *db);
	int (*changes)(struct db *db);
	enum hm_err (*begin)(struct db *db);
	enum hm_err (*begin_read)(struct db *db);
	enum hm_err (*commit)(struct db *db);
	void (*rollback)(struct db *db);
	/* ddl: a migration, written in SQLite's dialect (see dialect.c). */
	enum hm_err (*exec_script)(struct db *db, const char *sql, int ddl, char *err, size_t errlen);
	uint64_t (*data_version)(struct db *db);
	int (*schema_version)(struct db *db);
};

/* The part of a connection every backend has. */
struct db {
	const struct db_ops *ops;
	char *path;         /* as db_path shows it (no password) */
	enum hm_err failed; /* how a statement failed since the transaction began (db_failed) */
	int in_write;       /* inside a db_begin transaction */
	int all_or_nothing; /* db_all_or_nothing */
	uint64_t tx_serial; /* db_tx_serial of the last db_begin */
};

struct db_stmt {
	struct db *db;
	const char *sql; /* the cache key; NULL: a free slot */
};

/* Each backend's db_open (the arguments and contract of db.h's). */
enum hm_err sqlite_open(const char *path, enum db_open_mode mode, int migrate, struct db **out,
			char *err, size_t errlen);
enum hm_err pg_open(const char *uri, enum db_open_mode mode, int migrate, struct db **out,
		    char *err, size_t errlen);

/* The process-wide data version (db.c); db_bump_version moves it. */
uint64_t db_global_version(void);

/* Runs a migration script: on PostgreSQL rewritten from SQLite's dialect
 * first (dialect.c). */
enum hm_err db_exec_ddl(struct db *db, const char *sql, char *err, size_t errlen);

/* dialect.c: the migration script sql rewritten for PostgreSQL, as a new
 * string the caller frees. */
char *dialect_pg_ddl(const char *sql);
/* dialect.c: a script of statements (demo data) rewritten for PostgreSQL
 * (the calls SQLite names otherwise), as a new string the caller frees. */
char *dialect_pg_script(const char *sql);
/* dialect.c: sql with its '?' placeholders numbered $1, $2… (quoted text,
 * identifiers and comments left alone), as a new string the caller frees;
 * *nparams says how many. */
char *dialect_pg_params(const char *sql, int *nparams);

#endif
