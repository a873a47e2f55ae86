/*
 * migrate.c — applies the embedded migrations/NNNN_name.sql files in
 * number order, each in one transaction together with its record in
 * schema_migrations, so a failed migration leaves the database as it was.
 * The files are written in SQLite's dialect; db_exec_ddl rewrites them for
 * PostgreSQL (dialect.c). A migration that the rewrites cannot carry (a
 * full-text index: FTS5 and triggers in SQLite, GIN indexes in PostgreSQL)
 * has its PostgreSQL form in migrations/postgresql/ under the same name,
 * which PostgreSQL runs instead (dialect.c's table notes each).
 */
#include "db/migrate.h"
#include "core/embedded.h"
#include "db/backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Migration number of an embedded path "migrations/0001_name.sql", or 0. */
static int migration_number(const char *path)
{
	const char *p = path + strlen("migrations/");
	if (!str_starts_with(path, "migrations/") || !str_ends_with(path, ".sql"))
		return 0;
	int n = 0;
	for (int i = 0; i < 4; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		n = n * 10 + (p[i] - '0');
	}
	return p[4] == '_' ? n : 0;
}

static const struct embedded_file *migration_file(int n)
{
	for (const struct embedded_file *f = embedded_files; f->path; f++)
		if (migration_number(f->path) == n)
			return f;
	return NULL;
}

/* The text of migration f for db's backend: its PostgreSQL form
 * (migrations/postgresql/NAME) when PostgreSQL has one. */
static const char *migration_sql(struct db *db, const struct embedded_file *f)
{
	if (db_backend_of(db_path(db)) != DB_POSTGRESQL)
		return f->data;
	char path[256];
	snprintf(path, sizeof(path), "migrations/postgresql/%s", f->path + strlen("migrations/"));
	for (const struct embedded_file *g = embedded_files; g->path; g++)
		if (strcmp(g->path, path) == 0)
			return g->data;
	return f->data;
}

int migrate_latest(void)
{
	int max = 0;
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		int n = migration_number(f->path);
		if (n > max)
			max = n;
	}
	return max;
}

enum hm_err migrate_check(const char *shown, int marked, int64_t version, int migrate,
			  char *err, size_t errlen)
{
	if (!marked) {
		if (migrate)
			return HM_OK;
		snprintf(err, errlen, "%s: empty database; run 'harmony init'", shown);
	} else if (version < 0) {
		snprintf(err, errlen, "%s: damaged harmony database (no migration record)", shown);
	} else if (version > migrate_latest()) {
		snprintf(err, errlen,
			 "%s: schema version %lld is newer than this harmony knows (%d); upgrade harmony",
			 shown, (long long)version, migrate_latest());
	} else if (version < migrate_latest() && !migrate) {
		snprintf(err, errlen, "%s: schema version %lld is older than %d; run 'harmony init' to migrate",
			 shown, (long long)version, migrate_latest());
	} else {
		return HM_OK;
	}
	return HM_ESCHEMA;
}

static const char SQL_CREATE_TABLE[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
static const char SQL_RECORD[] =
	"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";

enum hm_err migrate_run(struct db *db, char *err, size_t errlen)
{
	char serr[512];
	if (db_exec_ddl(db, SQL_CREATE_TABLE, serr, sizeof(serr)) != HM_OK) {
		snprintf(err, errlen, "schema_migrations: %s", serr);
		return HM_EDB;
	}
	int have = db_schema_version(db);
	int latest = migrate_latest();
	for (int n = have + 1; n <= latest; n++) {
		const struct embedded_file *f = migration_file(n);
		if (!f) {
			snprintf(err, errlen, "migration %04d is missing from this build", n);
			return HM_EINTERNAL;
		}
		enum hm_err e = db_begin(db);
		if (e != HM_OK) {
			snprintf(err, errlen, "%s: cannot begin", f->path);
			return e;
		}
		if (db_exec_ddl(db, migration_sql(db, f), serr, sizeof(serr)) != HM_OK) {
			db_rollback(db);
			snprintf(err, errlen, "%s: %s", f->path, serr);
			return HM_EDB;
		}
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		struct db_stmt *st = db_prepare(db, SQL_RECORD);
		if (!st) {
			db_rollback(db);
			return HM_EDB;
		}
		db_bind_int(st, 1, n);
		db_bind_text(st, 2, f->path + strlen("migrations/"));
		db_bind_text(st, 3, ts);
		if ((e = db_run(st)) != HM_OK || (e = db_commit(db)) != HM_OK) {
			db_rollback(db);
			snprintf(err, errlen, "%s: cannot record", f->path);
			return e;
		}
	}
	return HM_OK;
}
