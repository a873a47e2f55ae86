/*
 * test_backend.h — the two backends a store test runs on: a fresh SQLite
 * file, or a fresh schema of the PostgreSQL database HM_TEST_PG names
 * (scripts/with-pg makes one). Without HM_TEST_PG the PostgreSQL runs are
 * skipped, saying why, or fail under CI=true.
 *
 * Include <cmocka.h> and test_shared.h first.
 */
#ifndef TEST_BACKEND_H
#define TEST_BACKEND_H

#include <libpq-fe.h>

#include "core/core.h"
#include "db/db.h"

struct backend {
	enum db_backend kind;
};

static inline const char *tb_pg_uri(void)
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

/* The --db value of a fresh empty database number n: dir/prefix-n.db, or
 * the schema t_<prefix>n (made anew) that the URI's search_path selects.
 * Caller frees. */
static inline char *tb_fresh(const struct backend *b, const char *dir, const char *prefix, int n)
{
	if (b->kind == DB_SQLITE)
		return xasprintf("%s/%s-%d.db", dir, prefix, n);
	const char *uri = tb_pg_uri();
	PGconn *c = PQconnectdb(uri);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("%s", PQerrorMessage(c));
	char sql[160];
	snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS t_%s%d CASCADE; CREATE SCHEMA t_%s%d",
		 prefix, n, prefix, n);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	return xasprintf("%s%coptions=-csearch_path%%3Dt_%s%d", uri, strchr(uri, '?') ? '&' : '?',
			 prefix, n);
}

#endif
