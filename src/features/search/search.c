/*
 * search.c — the store's read for the site's search (search.h). The one
 * place where the two backends are written apart: SQLite matches its FTS5
 * table search_index (kept by triggers, migrations/0011_search.sql),
 * PostgreSQL each table's tsvector document (indexed by GIN,
 * migrations/postgresql/0011_search.sql, the same expressions as here).
 * Both read each result's row beside the match and keep only what the
 * public may see — drafts are in the index, never in an answer — and both
 * answer the same columns in the same order, so the rest of this file and
 * its callers do not know which ran.
 */
#include "features/search/search.h"
#include "core/core.h"
#include "db/db.h"

#include <string.h>

const char *const search_kind_names[SEARCH_KIND__MAX] = {
	[SEARCH_EVENT] = "event",
	[SEARCH_POST] = "post",
	[SEARCH_ORG] = "organisation",
	[SEARCH_SERIES] = "series",
};

enum search_sql { SQL_PAGE, SQL_COUNTS, SEARCH_SQL__MAX };

/* What the public may see, as in events.c and news.c. */
#define EVENT_PUBLIC "e.status IN ('published', 'cancelled')"
#define POST_PUBLIC "p.status = 'published' AND p.published_at <= m.now"
#define SERIES_PUBLIC "s.status = 'published'"

/* ---- PostgreSQL: each table's document; the expressions are those of
 * the GIN indexes, so the planner uses them. */
#define PG_EVENT_DOC                                                                           \
	"(setweight(to_tsvector('simple', e.title), 'A') || to_tsvector('simple', e.theme || ' ' " \
	"|| e.summary || ' ' || e.description_md || ' ' || e.city || ' ' || "                     \
	"coalesce(e.venue, '') || ' ' || e.region))"
#define PG_EVENT_BODY                                                                          \
	"e.theme || ' ' || e.summary || ' ' || e.description_md || ' ' || e.city || ' ' || "      \
	"coalesce(e.venue, '') || ' ' || e.region"
#define PG_POST_DOC                                                                            \
	"(setweight(to_tsvector('simple', p.title), 'A') || "                                     \
	"to_tsvector('simple', p.summary || ' ' || p.body_md))"
#define PG_ORG_DOC                                                                             \
	"(setweight(to_tsvector('simple', o.name || ' ' || coalesce(o.acronym, '')), 'A') || "    \
	"to_tsvector('simple', o.description))"
#define PG_SERIES_DOC                                                                          \
	"(setweight(to_tsvector('simple', s.title), 'A') || to_tsvector('simple', s.summary))"
#define PG_HEADLINE(body)                                                                      \
	"ts_headline('simple', " body ", m.q, 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || " \
	"', MaxWords=30, MinWords=12, ShortWord=0, MaxFragments=1')"

/* Parameters, in both forms: the match, now, the kind (-1: all) twice,
 * then (SQL_PAGE) the limit and the offset. */

/* ---- SQLite: the FTS5 table, a row's rowid its id * 4 + its kind. */
static const char *const lite_sql[SEARCH_SQL__MAX] = {
	/* bm25: smaller is better; a title counts five times its body. */
	[SQL_PAGE] = "WITH m(q, now) AS (SELECT ?, ?) SELECT "
		     "search_index.rowid % 4 AS kind, coalesce(e.slug, p.slug, o.slug, s.slug) AS key, "
		     "substr(p.published_at, 1, 10) AS ymd, "
		     "coalesce(e.title, p.title, o.name, s.title) AS title, "
		     "snippet(search_index, 1, char(2), char(3), '…', 24) AS snippet "
		     "FROM m, search_index "
		     "LEFT JOIN event e ON search_index.rowid % 4 = 0 AND e.id = search_index.rowid / 4 "
		     "AND " EVENT_PUBLIC " "
		     "LEFT JOIN post p ON search_index.rowid % 4 = 1 AND p.id = search_index.rowid / 4 "
		     "AND " POST_PUBLIC " "
		     "LEFT JOIN organisation o ON search_index.rowid % 4 = 2 "
		     "AND o.id = search_index.rowid / 4 "
		     "LEFT JOIN series s ON search_index.rowid % 4 = 3 AND s.id = search_index.rowid / 4 "
		     "AND " SERIES_PUBLIC " "
		     "WHERE search_index MATCH m.q AND coalesce(e.id, p.id, o.id, s.id) IS NOT NULL "
		     "AND (? < 0 OR search_index.rowid % 4 = ?) "
		     "ORDER BY bm25(search_index, 5.0, 1.0), search_index.rowid LIMIT ? OFFSET ?",
	[SQL_COUNTS] = "WITH m(q, now) AS (SELECT ?, ?) SELECT search_index.rowid % 4, count(*) "
		       "FROM m, search_index "
		       "LEFT JOIN event e ON search_index.rowid % 4 = 0 "
		       "AND e.id = search_index.rowid / 4 AND " EVENT_PUBLIC " "
		       "LEFT JOIN post p ON search_index.rowid % 4 = 1 "
		       "AND p.id = search_index.rowid / 4 AND " POST_PUBLIC " "
		       "LEFT JOIN organisation o ON search_index.rowid % 4 = 2 "
		       "AND o.id = search_index.rowid / 4 "
		       "LEFT JOIN series s ON search_index.rowid % 4 = 3 "
		       "AND s.id = search_index.rowid / 4 AND " SERIES_PUBLIC " "
		       "WHERE search_index MATCH m.q AND coalesce(e.id, p.id, o.id, s.id) IS NOT NULL "
		       "AND (? < 0 OR search_index.rowid % 4 = ?) "
		       "GROUP BY search_index.rowid % 4",
};

static const char *const pg_sql[SEARCH_SQL__MAX] = {
	[SQL_PAGE] = "WITH m AS (SELECT to_tsquery('simple', ?) AS q, CAST(? AS text) AS now) "
		     "SELECT r.kind, r.key, r.ymd, r.title, r.snippet FROM ("
		     "SELECT 0 AS kind, e.id, e.slug AS key, NULL AS ymd, e.title, "
		     PG_HEADLINE(PG_EVENT_BODY) " AS snippet, ts_rank(" PG_EVENT_DOC ", m.q) AS score "
		     "FROM m, event e WHERE " PG_EVENT_DOC " @@ m.q AND " EVENT_PUBLIC " UNION ALL "
		     "SELECT 1, p.id, p.slug, substr(p.published_at, 1, 10), p.title, "
		     PG_HEADLINE("p.summary || ' ' || p.body_md") ", ts_rank(" PG_POST_DOC ", m.q) "
		     "FROM m, post p WHERE " PG_POST_DOC " @@ m.q AND " POST_PUBLIC " UNION ALL "
		     "SELECT 2, o.id, o.slug, NULL, o.name, " PG_HEADLINE("o.description") ", "
		     "ts_rank(" PG_ORG_DOC ", m.q) FROM m, organisation o WHERE " PG_ORG_DOC " @@ m.q "
		     "UNION ALL SELECT 3, s.id, s.slug, NULL, s.title, " PG_HEADLINE("s.summary") ", "
		     "ts_rank(" PG_SERIES_DOC ", m.q) FROM m, series s WHERE " PG_SERIES_DOC " @@ m.q "
		     "AND " SERIES_PUBLIC ") r WHERE (? < 0 OR r.kind = ?) "
		     "ORDER BY r.score DESC, r.id * 4 + r.kind LIMIT ? OFFSET ?",
	[SQL_COUNTS] = "WITH m AS (SELECT to_tsquery('simple', ?) AS q, CAST(? AS text) AS now) "
		       "SELECT r.kind, count(*) FROM ("
		       "SELECT 0 AS kind FROM m, event e WHERE " PG_EVENT_DOC " @@ m.q AND "
		       EVENT_PUBLIC " UNION ALL "
		       "SELECT 1 FROM m, post p WHERE " PG_POST_DOC " @@ m.q AND " POST_PUBLIC
		       " UNION ALL SELECT 2 FROM m, organisation o WHERE " PG_ORG_DOC " @@ m.q "
		       "UNION ALL SELECT 3 FROM m, series s WHERE " PG_SERIES_DOC " @@ m.q AND "
		       SERIES_PUBLIC ") r WHERE (? < 0 OR r.kind = ?) GROUP BY r.kind",
};

/* The statement i for db's backend, its first four parameters bound. */
static struct db_stmt *prep(struct db *db, enum search_sql i, const struct search_query *q,
			    const char *now, int kind, struct arena *a)
{
	int pg = db_backend(db) == DB_POSTGRESQL;
	struct db_stmt *st = db_prepare(db, pg ? pg_sql[i] : lite_sql[i]);
	if (!st)
		return NULL;
	db_bind_text(st, 1, pg ? search_query_tsquery(q, a) : search_query_fts5(q, a));
	db_bind_text(st, 2, now);
	db_bind_int(st, 3, kind);
	db_bind_int(st, 4, kind);
	return st;
}

json_t *search_run(struct db *db, const struct search_query *q, const char *now, int kind,
		   int page, int per_page, struct arena *a)
{
	json_t *counts = json_object();
	json_int_t total = 0;
	for (int k = 0; k < SEARCH_KIND__MAX; k++)
		json_object_set_new(counts, search_kind_names[k], json_integer(0));
	/* The counts of every kind, whatever kind is shown. */
	struct db_stmt *st = prep(db, SQL_COUNTS, q, now, -1, a);
	if (!st) {
		json_decref(counts);
		return NULL;
	}
	int rc;
	while ((rc = db_step(st)) == 1) {
		int64_t k = db_col_int(st, 0), n = db_col_int(st, 1);
		if (k >= 0 && k < SEARCH_KIND__MAX) {
			json_object_set_new(counts, search_kind_names[k], json_integer(n));
			if (kind < 0 || kind == k)
				total += n;
		}
	}
	db_done(st);
	if (rc < 0 || !(st = prep(db, SQL_PAGE, q, now, kind, a))) {
		json_decref(counts);
		return NULL;
	}
	db_bind_int(st, 5, per_page);
	db_bind_int(st, 6, (int64_t)(page - 1) * per_page);
	json_t *rows = db_rows_json(st);
	if (!rows) {
		json_decref(counts);
		return NULL;
	}
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		json_int_t k = json_integer_value(json_object_get(r, "kind"));
		json_object_set_new(r, "kind", json_string(k >= 0 && k < SEARCH_KIND__MAX
								   ? search_kind_names[k]
								   : "?"));
	}
	return json_pack("{s:o, s:o, s:I}", "results", rows, "counts", counts, "total", total);
}
