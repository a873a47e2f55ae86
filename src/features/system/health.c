/*
 * health.c — what operators and their tools ask an instance: GET /healthz
 * for load balancers (200 when it can serve: its database answers, at the
 * schema this binary knows; 503 otherwise, with what is wrong; never
 * cached, nothing personal in it) and GET /metrics for Prometheus (the
 * requests, the page cache, the database's time, the mail queue), open to
 * this machine and to administrators only.
 */
#include "auth/auth.h"
#include "site/feature.h"

#include "db/db.h"
#include "http/server.h"

#include <string.h>

static enum hm_err page_healthz(struct http_req *req, struct http_res *res)
{
	const char *why = NULL;
	int have = 0;
	res->no_store = 1;
	res->cacheable = 0;
	if (!req->db || db_begin_read(req->db) != HM_OK) { /* NULL: server.c could not connect */
		why = "the database cannot be reached";
	} else {
		/* Its migration record: the database answers, and at which schema. */
		have = db_schema_version(req->db);
		db_rollback(req->db);
		if (have < 0)
			why = "the database does not answer";
		else if (have != db_schema_latest())
			why = "the database schema is not the one this harmony knows";
	}
	/* The failure is this answer's subject, not an error of the request. */
	if (req->db)
		db_failed_reset(req->db);
	res->status = why ? 503 : 200;
	if (why)
		http_res_header(res, "Retry-After", "5");
	http_res_page(res,
		      json_pack("{s:s, s:s, s:i, s:i}", "status", why ? "not ready" : "ready",
				"database", why ? why : "ok", "schema", have, "schema_expected",
				db_schema_latest()),
		      NULL, NULL);
	return HM_OK;
}

/* 1 for a loopback address: a scraper on this machine. With
 * --trust-proxy the address is the proxy's client, so a request from
 * outside through a local proxy is not one. */
static int is_loopback(const char *a)
{
	return a && (strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0 ||
		     strncmp(a, "::ffff:127.", 11) == 0);
}

static enum hm_err page_metrics(struct http_req *req, struct http_res *res)
{
	static const char sql[] =
		"SELECT count(*) FROM mail_outbox WHERE status IN ('queued', 'sending')";
	res->no_store = 1;
	res->cacheable = 0;
	if (!is_loopback(req->client_addr) && !auth_is_admin(web_principal(req)))
		return http_fail(res, HM_EFORBIDDEN,
				 "The metrics are open to this machine and to administrators only.");
	int64_t queued = -1;
	if (db_begin_read(req->db) == HM_OK) {
		struct db_stmt *st = db_prepare(req->db, sql);
		if (st && db_step(st) == 1)
			queued = db_col_int(st, 0);
		if (st)
			db_done(st);
		db_rollback(req->db);
	}
	db_failed_reset(req->db); /* a metric that cannot be read is left out, not a 500 */
	double db_s;
	uint64_t db_calls;
	db_time_totals(&db_s, &db_calls);
	uint64_t seen = db_data_version(req->db);
	server_metrics_write(req->srv, &res->body);
	buf_printf(&res->body,
		   "# HELP harmony_db_seconds_total Time spent running database statements.\n"
		   "# TYPE harmony_db_seconds_total counter\nharmony_db_seconds_total %.6f\n"
		   "# HELP harmony_db_steps_total Database statement steps run.\n"
		   "# TYPE harmony_db_steps_total counter\nharmony_db_steps_total %llu\n",
		   db_s, (unsigned long long)db_calls);
	/* What the page cache keys on: it grows with every commit this
	 * instance has seen, its own and other processes' (SQLite's
	 * data_version, PostgreSQL's change notices), so a tool can wait for
	 * an instance to have seen a change. */
	buf_printf(&res->body,
		   "# HELP harmony_db_changes_seen_total Commits this instance has seen, its own and "
		   "other processes'.\n"
		   "# TYPE harmony_db_changes_seen_total counter\nharmony_db_changes_seen_total %llu\n",
		   (unsigned long long)seen);
	if (queued >= 0)
		buf_printf(&res->body,
			   "# HELP harmony_mail_queue Messages waiting to be sent or being sent.\n"
			   "# TYPE harmony_mail_queue gauge\nharmony_mail_queue %lld\n",
			   (long long)queued);
	web_features_metrics(&res->body);
	res->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return HM_OK;
}

const struct route health_routes[] = {
	{GET, "/healthz", page_healthz, WEB_JSON | WEB_PRIVATE | WEB_NO_DB},
	{GET, "/metrics", page_metrics, WEB_PRIVATE},
	WEB_ROUTES_END,
};
