/*
 * copy.c — `harmony db copy` and `harmony db backup` (copy.h).
 *
 * Nothing here names a table: the tables, their columns and primary keys
 * are read from the source's catalogue (sqlite_master and pragma_table_info;
 * pg_attribute and pg_index) and checked against the target's, and the
 * tables are filled in an order that satisfies the target's foreign keys
 * (pragma_foreign_key_list; pg_constraint), so a new migration's tables
 * travel without a change here. Values keep their types through the
 * backend's own reading of a column (integer, real, text, NULL); text is
 * bound byte for byte. The backends' markers (SQLite's sqlite_* tables,
 * PostgreSQL's harmony_meta) stay each backend's own; schema_migrations is
 * copied like the rest.
 *
 * The SQL made per table lives until both connections are closed: the
 * statement caches are keyed by the SQL's address.
 */
#include "db/copy.h"
#include "db/backend.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct table {
	char *name;
	int ncols;
	char **cols;
	int npk;
	int *pk;      /* indexes into cols of the primary key, in key order */
	int nrefs;
	char **refs;  /* the tables its foreign keys point to (the target's) */
	char *select_sql, *insert_sql, *count_sql, *any_sql;
	int64_t rows;
	int placed;   /* ordering: already given a place */
};

struct plan {
	int n;
	struct table *t;
};

static void strv_push(char ***v, int *n, const char *s)
{
	*v = xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

static void strv_free(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void plan_free(struct plan *p)
{
	for (int i = 0; i < p->n; i++) {
		struct table *t = &p->t[i];
		free(t->name);
		strv_free(t->cols, t->ncols);
		free(t->pk);
		strv_free(t->refs, t->nrefs);
		free(t->select_sql);
		free(t->insert_sql);
		free(t->count_sql);
		free(t->any_sql);
	}
	free(p->t);
	p->t = NULL;
	p->n = 0;
}

static struct table *plan_find(const struct plan *p, const char *name)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->t[i].name, name) == 0)
			return &p->t[i];
	return NULL;
}

static int table_col(const struct table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i], name) == 0)
			return i;
	return -1;
}

/* ---------------------------------------------------------- catalogue */

/* The backends' own tables, never copied: SQLite's (sqlite_sequence…) are
 * left out by the query, and so are SQLite's virtual tables and their
 * shadow tables (the full-text index, migration 0011: its triggers fill it
 * again from the rows copied into a SQLite target; a PostgreSQL target
 * indexes the rows by itself); harmony_meta marks a PostgreSQL schema. */
static const char LITE_TABLES[] = "SELECT name FROM pragma_table_list WHERE schema = 'main' "
				  "AND type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'";
static const char LITE_COLUMNS[] =
	"SELECT name, upper(type), pk FROM pragma_table_info(?) ORDER BY cid";
static const char LITE_REFS[] = "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)";

static const char PG_TABLES[] =
	"SELECT c.relname::text FROM pg_class c WHERE c.relkind IN ('r', 'p') "
	"AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
	"AND c.relname <> 'harmony_meta'";
static const char PG_COLUMNS[] =
	"SELECT a.attname::text, upper(format_type(a.atttypid, a.atttypmod)), "
	"coalesce(array_position(i.indkey::int2[], a.attnum), 0) "
	"FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary "
	"WHERE a.attrelid = to_regclass(quote_ident(current_schema()) || '.' || quote_ident(?)) "
	"AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
static const char PG_REFS[] =
	"SELECT DISTINCT f.relname::text FROM pg_constraint c JOIN pg_class f ON f.oid = c.confrelid "
	"WHERE c.contype = 'f' AND c.conrelid = "
	"to_regclass(quote_ident(current_schema()) || '.' || quote_ident(?))";

static int is_pg(struct db *db)
{
	return db_backend_of(db_path(db)) == DB_POSTGRESQL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The tables of db, sorted by name, each with its columns and primary
 * key; with refs, also the tables its foreign keys point to. HM_EINVAL
 * (err set) for a column whose values would not travel as text or numbers
 * (BLOB, BYTEA). */
static enum hm_err read_catalogue(struct db *db, int refs, struct plan *p, char *err,
				  size_t errlen)
{
	int pg = is_pg(db);
	char **names = NULL;
	int n = 0;
	struct db_stmt *st = db_prepare(db, pg ? PG_TABLES : LITE_TABLES);
	int rc;
	if (!st)
		goto failed;
	while ((rc = db_step(st)) == 1)
		strv_push(&names, &n, db_col_text(st, 0));
	db_done(st);
	if (rc < 0)
		goto failed;
	if (n)
		qsort(names, (size_t)n, sizeof(*names), cmp_str);
	p->t = xcalloc(n ? (size_t)n : 1, sizeof(*p->t));
	p->n = n;
	for (int i = 0; i < n; i++) {
		struct table *t = &p->t[i];
		t->name = names[i];
		names[i] = NULL;
		int pkpos[256] = {0};
		if (!(st = db_prepare(db, pg ? PG_COLUMNS : LITE_COLUMNS)))
			goto failed;
		db_bind_text(st, 1, t->name);
		while ((rc = db_step(st)) == 1) {
			const char *type = db_col_text(st, 1);
			if (type && (strstr(type, "BLOB") || strstr(type, "BYTEA"))) {
				snprintf(err, errlen,
					 "%s: column %s.%s holds bytes (%s), which db copy does not carry",
					 db_path(db), t->name, db_col_text(st, 0), type);
				db_done(st);
				strv_free(names, n);
				return HM_EINVAL;
			}
			int64_t k = db_col_int(st, 2);
			if (k > 0 && k <= (int64_t)HM_ARRAY_LEN(pkpos) && t->ncols < 256)
				pkpos[k - 1] = t->ncols + 1;
			strv_push(&t->cols, &t->ncols, db_col_text(st, 0));
		}
		db_done(st);
		if (rc < 0)
			goto failed;
		for (size_t k = 0; k < HM_ARRAY_LEN(pkpos) && pkpos[k]; k++) {
			t->pk = xrealloc(t->pk, (size_t)(t->npk + 1) * sizeof(*t->pk));
			t->pk[t->npk++] = pkpos[k] - 1;
		}
		if (!refs)
			continue;
		if (!(st = db_prepare(db, pg ? PG_REFS : LITE_REFS)))
			goto failed;
		db_bind_text(st, 1, t->name);
		while ((rc = db_step(st)) == 1)
			strv_push(&t->refs, &t->nrefs, db_col_text(st, 0));
		db_done(st);
		if (rc < 0)
			goto failed;
	}
	free(names);
	return HM_OK;
failed:
	strv_free(names, n);
	snprintf(err, errlen, "%s: cannot read its list of tables", db_path(db));
	return db_failed(db) == HM_EBUSY ? HM_EBUSY : HM_EDB;
}

/* Whether the two catalogues hold the same tables with the same columns:
 * HM_ESCHEMA, saying the first difference, when they do not. */
static enum hm_err same_schema(const struct plan *src, const struct plan *dst, const char *from,
			       const char *to, char *err, size_t errlen)
{
	for (int i = 0; i < src->n; i++) {
		const struct table *s = &src->t[i], *d = plan_find(dst, s->name);
		if (!d) {
			snprintf(err, errlen, "%s has a table %s that %s has not: not harmony's schema",
				 from, s->name, to);
			return HM_ESCHEMA;
		}
		for (int c = 0; c < s->ncols; c++)
			if (table_col(d, s->cols[c]) < 0) {
				snprintf(err, errlen, "%s has a column %s.%s that %s has not", from,
					 s->name, s->cols[c], to);
				return HM_ESCHEMA;
			}
		for (int c = 0; c < d->ncols; c++)
			if (table_col(s, d->cols[c]) < 0) {
				snprintf(err, errlen, "%s has a column %s.%s that %s has not", to,
					 s->name, d->cols[c], from);
				return HM_ESCHEMA;
			}
	}
	for (int i = 0; i < dst->n; i++)
		if (!plan_find(src, dst->t[i].name)) {
			snprintf(err, errlen, "%s has a table %s that %s has not", to, dst->t[i].name,
				 from);
			return HM_ESCHEMA;
		}
	return HM_OK;
}

/* ------------------------------------------------------------- order */

/* The tables of src reordered so that each comes after the tables its
 * foreign keys (in dst, the schema the rows go into) point to; among
 * those free to go, by name. A table that points to itself is filled in
 * primary-key order. HM_EINTERNAL for a cycle between tables, which no
 * order satisfies (harmony's schema has none; its constraints are not
 * deferrable on PostgreSQL). */
static enum hm_err order_tables(struct plan *src, const struct plan *dst, char *err,
				size_t errlen)
{
	struct table *sorted = xcalloc(src->n ? (size_t)src->n : 1, sizeof(*sorted));
	for (int k = 0; k < src->n; k++) {
		int pick = -1;
		for (int i = 0; i < src->n && pick < 0; i++) {
			struct table *t = &src->t[i];
			const struct table *d = plan_find(dst, t->name);
			if (t->placed)
				continue;
			int ready = 1;
			for (int r = 0; d && r < d->nrefs && ready; r++) {
				const struct table *to = plan_find(src, d->refs[r]);
				ready = !to || to == t || to->placed;
			}
			if (ready)
				pick = i;
		}
		if (pick < 0) {
			struct buf b;
			buf_init(&b);
			for (int i = 0; i < src->n; i++)
				if (!src->t[i].placed)
					buf_printf(&b, "%s%s", b.len ? ", " : "", src->t[i].name);
			snprintf(err, errlen,
				 "the foreign keys of tables %s form a cycle: no order fills them",
				 b.data);
			buf_free(&b);
			free(sorted);
			return HM_EINTERNAL;
		}
		src->t[pick].placed = 1;
		sorted[k] = src->t[pick];
	}
	free(src->t);
	src->t = sorted;
	return HM_OK;
}

/* ---------------------------------------------------------------- SQL */

static void put_ident(struct buf *b, const char *name)
{
	buf_putc(b, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

/* The statements of each table: read in primary-key order (every column
 * where there is none), written with every column named. */
static void make_sql(struct plan *p)
{
	for (int i = 0; i < p->n; i++) {
		struct table *t = &p->t[i];
		struct buf b;
		buf_init(&b);
		buf_puts(&b, "SELECT ");
		for (int c = 0; c < t->ncols; c++) {
			if (c)
				buf_puts(&b, ", ");
			put_ident(&b, t->cols[c]);
		}
		buf_puts(&b, " FROM ");
		put_ident(&b, t->name);
		buf_puts(&b, " ORDER BY ");
		int nkey = t->npk ? t->npk : t->ncols;
		for (int c = 0; c < nkey; c++) {
			if (c)
				buf_puts(&b, ", ");
			put_ident(&b, t->cols[t->npk ? t->pk[c] : c]);
		}
		t->select_sql = buf_steal(&b);

		buf_init(&b);
		buf_puts(&b, "INSERT INTO ");
		put_ident(&b, t->name);
		buf_puts(&b, " (");
		for (int c = 0; c < t->ncols; c++) {
			if (c)
				buf_puts(&b, ", ");
			put_ident(&b, t->cols[c]);
		}
		buf_puts(&b, ") VALUES (");
		for (int c = 0; c < t->ncols; c++)
			buf_puts(&b, c ? ", ?" : "?");
		buf_puts(&b, ")");
		t->insert_sql = buf_steal(&b);

		buf_init(&b);
		buf_puts(&b, "SELECT count(*) FROM ");
		put_ident(&b, t->name);
		t->count_sql = buf_steal(&b);

		buf_init(&b);
		buf_puts(&b, "SELECT 1 FROM ");
		put_ident(&b, t->name);
		buf_puts(&b, " LIMIT 1");
		t->any_sql = buf_steal(&b);
	}
}

/* ------------------------------------------------------------ target */

/* 1 when the target holds no table at all (or is a SQLite file that does
 * not exist yet: *creates is set), so it is to be made as 'harmony init'
 * makes it; 0 otherwise, or when it cannot be looked at (db_open then says
 * why, without migrating anything). */
static int target_blank(const char *spec, int *creates)
{
	*creates = 0;
	if (db_backend_of(spec) == DB_SQLITE) {
		const char *path = db_file_of(spec);
		sqlite3 *h = NULL;
		sqlite3_stmt *st = NULL;
		int blank = 0;
		if (access(path, F_OK) != 0)
			return *creates = 1;
		if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		    sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) ==
			    SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			blank = sqlite3_column_int64(st, 0) == 0;
		sqlite3_finalize(st);
		sqlite3_close(h);
		return blank;
	}
	PGconn *conn = PQconnectdb(spec);
	int blank = 0;
	if (PQstatus(conn) == CONNECTION_OK) {
		PGresult *res = PQexec(conn,
				       "SELECT count(*) FROM pg_class WHERE relnamespace = "
				       "(SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
				       "AND relkind IN ('r', 'p', 'v', 'm', 'f')");
		blank = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
			strcmp(PQgetvalue(res, 0, 0), "0") == 0;
		PQclear(res);
	}
	PQfinish(conn);
	return blank;
}

static void remove_sqlite_files(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < HM_ARRAY_LEN(suffixes); i++) {
		char *p = xasprintf("%s%s", path, suffixes[i]);
		unlink(p);
		free(p);
	}
}

/* ---------------------------------------------------------------- copy */

/* After rows came with their ids, each identity sequence of the schema
 * continues past the largest, as SQLite numbers a new row max + 1. */
static const char PG_SEQUENCES[] =
	"DO $$ DECLARE r record; BEGIN "
	"FOR r IN SELECT a.attrelid::regclass AS tbl, a.attname AS col FROM pg_attribute a "
	"JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = "
	"(SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
	"AND a.attidentity <> '' AND NOT a.attisdropped LOOP "
	"EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), "
	"coalesce(max(%I), 0) + 1, false) FROM %s', r.tbl, r.col, r.col, r.tbl); "
	"END LOOP; END $$";

/* The migrations' record is the source's, applied_at included. */
static const char SQL_FORGET_MIGRATIONS[] = "DELETE FROM schema_migrations";

/* Copies one table's rows from src to dst (inside their transactions),
 * counting them into t->rows. */
static enum hm_err copy_table(struct db *src, struct db *dst, struct table *t, char *err,
			      size_t errlen)
{
	const struct db_ops *ops = src->ops;
	struct db_stmt *in = db_prepare(src, t->select_sql);
	int rc;
	if (!in) {
		snprintf(err, errlen, "%s: cannot read table %s", db_path(src), t->name);
		return HM_EDB;
	}
	while ((rc = db_step(in)) == 1) {
		struct db_stmt *out = db_prepare(dst, t->insert_sql);
		if (!out) {
			db_done(in);
			snprintf(err, errlen, "%s: cannot write table %s", db_path(dst), t->name);
			return HM_EDB;
		}
		for (int c = 0; c < t->ncols; c++) {
			size_t len;
			const char *s;
			switch (ops->col_type(in, c)) {
			case DB_T_NULL: db_bind_null(out, c + 1); break;
			case DB_T_INT: db_bind_int(out, c + 1, ops->col_int(in, c)); break;
			case DB_T_REAL: db_bind_double(out, c + 1, ops->col_double(in, c)); break;
			default:
				s = ops->col_text(in, c, &len);
				if (s && memchr(s, '\0', len)) {
					snprintf(err, errlen,
						 "table %s, row %lld: %s holds a NUL byte, which "
						 "PostgreSQL text cannot",
						 t->name, (long long)t->rows + 1, t->cols[c]);
					db_done(out);
					db_done(in);
					return HM_EINVAL;
				}
				db_bind_text(out, c + 1, s ? s : "");
				break;
			}
		}
		if (db_step(out) < 0) {
			char key[160] = "";
			if (t->npk) {
				const char *k = db_col_text(in, t->pk[0]);
				snprintf(key, sizeof(key), " (%s = %.100s)", t->cols[t->pk[0]],
					 k ? k : "NULL");
			}
			snprintf(err, errlen, "%s refused row %lld of table %s%s", db_path(dst),
				 (long long)t->rows + 1, t->name, key);
			db_done(out);
			db_done(in);
			return db_failed(dst) == HM_EBUSY ? HM_EBUSY : HM_EDB;
		}
		db_done(out);
		t->rows++;
	}
	db_done(in);
	if (rc < 0) {
		snprintf(err, errlen, "%s: reading table %s failed", db_path(src), t->name);
		return db_failed(src) == HM_EBUSY ? HM_EBUSY : HM_EDB;
	}
	/* What went in is what came out. */
	struct db_stmt *st = db_prepare(dst, t->count_sql);
	int64_t n = st && db_step(st) == 1 ? db_col_int(st, 0) : -1;
	db_done(st);
	if (n != t->rows) {
		snprintf(err, errlen, "%s: table %s holds %lld rows after %lld were copied",
			 db_path(dst), t->name, (long long)n, (long long)t->rows);
		return HM_EDB;
	}
	return HM_OK;
}

/* The name of a table of dst holding a row, other than the migrations'
 * record, into out; "" when there is none. -1 when it cannot be read. */
static int first_data(struct db *dst, const struct plan *p, char *out, size_t len)
{
	*out = '\0';
	for (int i = 0; i < p->n; i++) {
		if (strcmp(p->t[i].name, "schema_migrations") == 0)
			continue;
		struct db_stmt *st = db_prepare(dst, p->t[i].any_sql);
		int rc = st ? db_step(st) : -1;
		db_done(st);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			snprintf(out, len, "%s", p->t[i].name);
			return 1;
		}
	}
	return 0;
}

/* db_copy with both ends open; src and dst plans are filled here and
 * freed by the caller (after the connections close). */
static enum hm_err copy_open(struct db *src, struct db *dst, struct plan *sp, struct plan *dp,
			     char *err, size_t errlen)
{
	enum hm_err e;
	if ((e = db_begin_read(src)) != HM_OK) {
		snprintf(err, errlen, "%s: cannot begin reading", db_path(src));
		return e;
	}
	if ((e = db_begin(dst)) != HM_OK) {
		snprintf(err, errlen, "%s: cannot begin writing (another writer?)", db_path(dst));
		db_rollback(src);
		return e;
	}
	if ((e = read_catalogue(src, 0, sp, err, errlen)) != HM_OK ||
	    (e = read_catalogue(dst, 1, dp, err, errlen)) != HM_OK ||
	    (e = same_schema(sp, dp, db_path(src), db_path(dst), err, errlen)) != HM_OK ||
	    (e = order_tables(sp, dp, err, errlen)) != HM_OK)
		goto fail;
	make_sql(sp);
	make_sql(dp);
	char busy[128];
	int any = first_data(dst, dp, busy, sizeof(busy));
	if (any != 0) {
		if (any > 0)
			snprintf(err, errlen,
				 "%s holds data (table %s has rows): db copy fills only an empty "
				 "database; nothing was changed",
				 db_path(dst), busy);
		else
			snprintf(err, errlen, "%s: cannot read it", db_path(dst));
		e = any > 0 ? HM_EEXIST : HM_EDB;
		goto fail;
	}
	if (plan_find(sp, "schema_migrations")) {
		struct db_stmt *st = db_prepare(dst, SQL_FORGET_MIGRATIONS);
		if (!st || (e = db_run(st)) != HM_OK) {
			snprintf(err, errlen, "%s: cannot replace its migration record", db_path(dst));
			e = HM_EDB;
			goto fail;
		}
	}
	for (int i = 0; i < sp->n; i++)
		if ((e = copy_table(src, dst, &sp->t[i], err, errlen)) != HM_OK)
			goto fail;
	if (is_pg(dst)) {
		char serr[256];
		if ((e = db_exec_script(dst, PG_SEQUENCES, serr, sizeof(serr))) != HM_OK) {
			snprintf(err, errlen, "%s: cannot move its sequences: %s", db_path(dst), serr);
			goto fail;
		}
	}
	if ((e = db_commit(dst)) != HM_OK) {
		snprintf(err, errlen, "%s: the commit failed; nothing was copied", db_path(dst));
		db_rollback(dst);
		db_rollback(src);
		return e;
	}
	db_rollback(src); /* the read ends */
	return HM_OK;
fail:
	db_rollback(dst);
	db_rollback(src);
	return e;
}

enum hm_err db_copy(const char *from, const char *to, db_copy_each each, void *ctx,
		    struct db_copy_ends *ends, char *err, size_t errlen)
{
	struct db *src = NULL, *dst = NULL;
	struct plan sp = {0}, dp = {0};
	char derr[512];
	int creates;
	enum hm_err e = db_open(from, DB_OPEN_EXISTING, 0, &src, err, errlen);
	if (e != HM_OK)
		return e;
	int blank = target_blank(to, &creates);
	e = db_open(to, blank ? DB_OPEN_CREATE : DB_OPEN_EXISTING, blank, &dst, derr, sizeof(derr));
	if (e != HM_OK) {
		snprintf(err, errlen, "%s", derr);
		goto out;
	}
	if (ends) {
		snprintf(ends->from, sizeof(ends->from), "%s", db_path(src));
		snprintf(ends->to, sizeof(ends->to), "%s", db_path(dst));
		ends->version = db_schema_version(src);
	}
	e = copy_open(src, dst, &sp, &dp, err, errlen);
out:
	db_close(src);
	db_close(dst);
	if (e == HM_OK && each)
		for (int i = 0; i < sp.n; i++)
			each(sp.t[i].name, sp.t[i].rows, ctx);
	plan_free(&sp);
	plan_free(&dp);
	if (e != HM_OK && creates)
		remove_sqlite_files(db_file_of(to));
	return e;
}

/* -------------------------------------------------------------- backup */

/* Counts the rows of each table of the SQLite file at path, for each. */
static enum hm_err count_rows(const char *path, db_copy_each each, void *ctx, char *err,
			      size_t errlen)
{
	struct db *db = NULL;
	struct plan p = {0};
	enum hm_err e = db_open(path, DB_OPEN_EXISTING, 0, &db, err, errlen);
	if (e != HM_OK)
		return e;
	if ((e = db_begin_read(db)) == HM_OK && (e = read_catalogue(db, 1, &p, err, errlen)) == HM_OK &&
	    (e = order_tables(&p, &p, err, errlen)) == HM_OK) {
		make_sql(&p);
		for (int i = 0; i < p.n && e == HM_OK; i++) {
			struct db_stmt *st = db_prepare(db, p.t[i].count_sql);
			if (st && db_step(st) == 1)
				p.t[i].rows = db_col_int(st, 0);
			else
				e = HM_EDB;
			db_done(st);
		}
		if (e != HM_OK)
			snprintf(err, errlen, "%s: cannot count its rows", path);
	}
	db_rollback(db);
	db_close(db);
	if (e == HM_OK && each)
		for (int i = 0; i < p.n; i++)
			each(p.t[i].name, p.t[i].rows, ctx);
	plan_free(&p);
	return e;
}

/* The SQLite file from, page by page into the new file to, in one step:
 * one read transaction on the source, so one consistent snapshot, while
 * writers in WAL mode go on. */
static enum hm_err sqlite_snapshot(const char *from, const char *to, char *err, size_t errlen)
{
	sqlite3 *src = NULL, *dst = NULL;
	enum hm_err e = HM_OK;
	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", dst ? to : from,
			 sqlite3_errmsg(dst ? dst : src));
		e = HM_EIO;
		goto out;
	}
	sqlite3_busy_timeout(src, 5000);
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		snprintf(err, errlen, "%s: %s", to, sqlite3_errmsg(dst));
		e = HM_EIO;
		goto out;
	}
	int rc;
	/* Busy or locked: another connection holds what a reader needs for a
	 * moment (a WAL recovery); up to ten seconds. */
	for (int tries = 0; (rc = sqlite3_backup_step(b, -1)) != SQLITE_DONE; tries++) {
		if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || tries >= 100)
			break;
		sqlite3_sleep(100);
	}
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "backup of %s failed: %s", from, sqlite3_errstr(rc));
		e = rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? HM_EBUSY : HM_EIO;
		goto out;
	}
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	return e;
}

/* The folder of path is synced, so the link that made it survives a
 * crash. */
static void sync_dir_of(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

enum hm_err db_backup(const char *from, const char *to, db_copy_each each, void *ctx,
		      struct db_copy_ends *ends, char *err, size_t errlen)
{
	if (db_backend_of(to) != DB_SQLITE) {
		snprintf(err, errlen, "%s: a backup is a SQLite file (to fill a PostgreSQL database, "
				      "use 'harmony db copy')", to);
		return HM_EINVAL;
	}
	const char *path = db_file_of(to);
	if (access(path, F_OK) == 0) {
		snprintf(err, errlen, "%s exists; a backup is written to a new file", path);
		return HM_EEXIST;
	}
	char *tmp = xasprintf("%s.part-%ld", path, (long)getpid());
	enum hm_err e;
	remove_sqlite_files(tmp);
	if (db_backend_of(from) == DB_POSTGRESQL) {
		e = db_copy(from, tmp, NULL, NULL, ends, err, errlen);
	} else {
		/* A harmony database of the known schema, or nothing is written. */
		struct db *db = NULL;
		e = db_open(from, DB_OPEN_EXISTING, 0, &db, err, errlen);
		if (e == HM_OK && ends) {
			snprintf(ends->from, sizeof(ends->from), "%s", db_path(db));
			ends->version = db_schema_version(db);
		}
		db_close(db);
		if (e == HM_OK)
			e = sqlite_snapshot(db_file_of(from), tmp, err, errlen);
	}
	/* The file written is read back: a harmony database, rows counted;
	 * then made a single file (no -wal beside it) until it is served. */
	if (e == HM_OK)
		e = count_rows(tmp, each, ctx, err, errlen);
	if (e == HM_OK) {
		sqlite3 *h = NULL;
		if (sqlite3_open_v2(tmp, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
		    sqlite3_exec(h, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", tmp, sqlite3_errmsg(h));
			e = HM_EIO;
		}
		sqlite3_close(h);
	}
	if (e == HM_OK && link(tmp, path) != 0) {
		/* link, not rename: a file that appeared meanwhile is kept. */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		e = errno == EEXIST ? HM_EEXIST : HM_EIO;
	}
	if (e == HM_OK)
		sync_dir_of(path);
	if (ends)
		snprintf(ends->to, sizeof(ends->to), "%s", path);
	remove_sqlite_files(tmp);
	free(tmp);
	return e;
}
