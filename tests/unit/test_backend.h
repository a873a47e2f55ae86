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
#include <string.h>

#include "auth/auth.h"
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

/* ---- a world of two events and their people, for feature store tests
 * (needs auth/auth.h): event 1 "meet" (2030-06-01, Asia/Shanghai, in
 * series 1) and event 2 "other"; an admin, an organiser of meet, one of
 * other, that admin through a read-only token, and a visitor. */
static const char tb_fixture[] =
	"INSERT INTO series (id, slug, title, status, created_at, updated_at) VALUES "
	" (1, 'series', 'S', 'published', 'x', 'x');"
	"INSERT INTO event (id, series_id, slug, title, starts_on, ends_on, status, timezone, "
	"country, city, created_at, updated_at) VALUES "
	" (1, 1, 'meet', 'Meeting', '2030-06-01', '2030-06-02', 'published', 'Asia/Shanghai', "
	"'CN', 'Shanghai', 'x', 'x'),"
	" (2, NULL, 'other', 'Other', '2030-06-01', '2030-06-02', 'published', 'UTC', NULL, '', "
	"'x', 'x');";

struct tb_people {
	struct principal admin, organiser, other, visitor, read_only;
};

/* An account made at now (with grant g, or none) loaded as a signed-in
 * principal. */
static inline void tb_person(struct db *db, const char *email, const struct auth_grant *g,
			     int64_t now, struct principal *out)
{
	struct principal cli;
	struct account_new a = {.email = email, .name = "Test Person", .grant = g};
	int64_t id = 0;
	char msg[128];
	auth_principal_cli(&cli);
	if (auth_account_create(db, &cli, &a, now, &id, msg, sizeof(msg)) != HM_OK)
		fail_msg("creating %s: %s", email, msg);
	assert_int_equal(auth_principal_load(db, id, AUTH_VIA_SESSION, out), HM_OK);
}

/* Opens the fresh database spec (freed here) with the fixture and the
 * people. */
static inline struct db *tb_open_world(char *spec, int64_t now, struct tb_people *pp)
{
	char err[256];
	struct db *db;
	assert_int_equal(db_open(spec, DB_OPEN_CREATE, 1, &db, err, sizeof(err)), HM_OK);
	free(spec);
	assert_int_equal(db_exec_script(db, tb_fixture, err, sizeof(err)), HM_OK);
	struct auth_grant ga = {AUTH_ROLE_ADMIN, 0, 0}, go = {AUTH_ROLE_ORGANISER, 1, 0},
			  gx = {AUTH_ROLE_ORGANISER, 2, 0};
	memset(pp, 0, sizeof(*pp));
	tb_person(db, "a@example.org", &ga, now, &pp->admin);
	tb_person(db, "o@example.org", &go, now, &pp->organiser);
	tb_person(db, "x@example.org", &gx, now, &pp->other);
	pp->read_only = pp->admin;
	pp->read_only.via = AUTH_VIA_API_TOKEN;
	pp->read_only.read_only = 1;
	pp->visitor.via = AUTH_VIA_NONE;
	return db;
}

#endif
