/*
 * pg.c — the PostgreSQL backend of db.h, over libpq: the connection and the
 * check that keeps us from writing into a database that is not ours, a
 * per-connection cache of server-side prepared statements keyed by the SQL
 * string's address ('?' numbered $1…), results walked row by row, SQLSTATEs
 * mapped to hm_err, and the data version fed by LISTEN/NOTIFY.
 *
 * Values are sent as text and PostgreSQL infers their types from the
 * statement; columns come back typed by PQftype (integers, reals, booleans,
 * the rest text), so rows become the same JSON as with SQLite.
 */
#include "db/backend.h"
#include "db/migrate.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* "HMNY", as SQLite's PRAGMA application_id: the row of harmony_meta that
 * marks a schema as harmony's, and the key of the advisory lock that
 * db_begin takes (one writer at a time, as SQLite's BEGIN IMMEDIATE). */
#define HM_APPLICATION_ID 0x484d4e59
#define PG_CHANNEL "harmony_changes"

/* The OIDs of the built-in types we read (pg_type.h, stable). */
enum {
	OID_BOOL = 16,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_TEXT = 25,
	OID_OID = 26,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_NUMERIC = 1700,
};

#define STMT_CACHE 512 /* power of two, well above the number of statements */
_Static_assert((STMT_CACHE & (STMT_CACHE - 1)) == 0, "slots are found with a mask");

struct pg_stmt {
	struct db_stmt base; /* base.sql: the cache key */
	char name[16];       /* of the server-side prepared statement */
	int nparams;
	char **params;    /* nparams values as text, owned; NULL is SQL NULL */
	int returning_id; /* " RETURNING id" was added: its row gives db_last_insert_id */
	PGresult *desc;   /* the columns (PQdescribePrepared) */
	PGresult *res;    /* the result of the last run, until db_done */
	int ran;          /* executed since the last reset */
	int row, nrows;   /* the current row of res, how many it has */
};

struct pg {
	struct db base;
	PGconn *conn;
	char *uri;         /* as given: the listener connects with it too */
	int64_t last_id;   /* db_last_insert_id */
	int changes;       /* db_changes */
	int savepoint;     /* the savepoint of db_run is open in this transaction */
	int listening;     /* holds a reference on the listener (db_data_version) */
	unsigned nstmts;   /* names given so far */
	struct pg_stmt cache[STMT_CACHE];
};

static const struct db_ops pg_ops;

static inline struct pg *P(struct db *db)
{
	return (struct pg *)db;
}

static inline struct pg_stmt *S(struct db_stmt *st)
{
	return (struct pg_stmt *)st;
}

/* ------------------------------------------------------------ errors */

/* libpq's message into out, on one line, without its closing newline. */
static void copy_msg(char *out, size_t len, const char *msg)
{
	snprintf(out, len, "%s", msg ? msg : "?");
	size_t n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	/* One line: libpq continues a message on a new line after a tab. */
	for (char *p = out; (p = strchr(p, '\n'));)
		*p = ' ';
	for (char *p = out; (p = strchr(p, '\t'));)
		*p = ' ';
}

/* How a failure with SQLSTATE state (NULL: none, the connection's fault)
 * is answered: HM_EBUSY when the store cannot take it for now and trying
 * again may work — a serialization failure or deadlock, a lock not had
 * within lock_timeout, a cancelled statement, insufficient resources (disk
 * full…), a lost connection, a server shutting down, a read-only
 * transaction (a standby); HM_EDB for anything else. Constraint
 * violations (class 23) are db_run's to answer. */
static enum hm_err state_err(PGconn *conn, const char *state)
{
	static const char *const busy[] = {"40001", "40P01", "55P03", "57014", "57P01",
					   "57P02", "57P03", "25006"};
	if (!state || !*state)
		return PQstatus(conn) == CONNECTION_BAD ? HM_EBUSY : HM_EDB;
	if (strncmp(state, "53", 2) == 0 || strncmp(state, "08", 2) == 0)
		return HM_EBUSY;
	for (size_t i = 0; i < HM_ARRAY_LEN(busy); i++)
		if (strcmp(state, busy[i]) == 0)
			return HM_EBUSY;
	return HM_EDB;
}

/* Remembers that a statement failed, as sqlite.c does: the first failure
 * since the transaction began is the one kept. Returns how it failed. */
static enum hm_err note_failure(struct pg *db, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	enum hm_err e = state_err(db->conn, state);
	if (db->base.failed == HM_OK)
		db->base.failed = e;
	return e;
}

static void log_failure(struct pg *db, const char *call, const PGresult *res, const char *sql)
{
	char msg[512];
	copy_msg(msg, sizeof(msg), res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
	if (!*msg)
		copy_msg(msg, sizeof(msg), PQerrorMessage(db->conn));
	log_error("%s: %s in: %.200s", call, msg, sql);
}

/* Runs sql (no parameters, perhaps several statements); 0 when it worked,
 * else -1 with the failing result in *res_out if asked for (the caller
 * clears it) and cleared otherwise. */
static int exec_simple(PGconn *conn, const char *sql, PGresult **res_out)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType s = PQresultStatus(res);
	int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
	if (res_out && !ok)
		*res_out = res;
	else
		PQclear(res);
	return ok ? 0 : -1;
}

/* The first column of the first row of sql as an integer; 0 when there
 * is no row or it is NULL; -1 on an error. */
static int query_int(PGconn *conn, const char *sql, int64_t *out)
{
	PGresult *res = PQexec(conn, sql);
	int rc = -1;
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		*out = PQntuples(res) && !PQgetisnull(res, 0, 0) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10)
								 : 0;
		rc = 0;
	}
	PQclear(res);
	return rc;
}

/* Notices (NOTICE: relation … already exists, skipping) are not errors;
 * libpq would print them on stderr. */
static void drop_notice(void *arg, const char *msg)
{
	(void)arg;
	log_debug("postgresql: %s", msg);
}

/* --------------------------------------------------- the URI, shown */

/* uri without its password (user:password@ and password=…), for messages
 * and db_path. The caller frees it. */
static char *uri_redacted(const char *uri)
{
	struct buf b;
	buf_init(&b);
	const char *rest = strstr(uri, "://");
	rest = rest ? rest + 3 : uri;
	buf_append(&b, uri, (size_t)(rest - uri));
	/* The authority ends at the first '/', '?' or '#'; its user info at
	 * the last '@' before that. */
	size_t auth_len = strcspn(rest, "/?#");
	const char *at = NULL;
	for (const char *p = rest; p < rest + auth_len; p++)
		if (*p == '@')
			at = p;
	if (at) {
		const char *colon = memchr(rest, ':', (size_t)(at - rest));
		buf_append(&b, rest, (size_t)((colon ? colon : at) - rest));
		rest = at;
	}
	/* Then copy, leaving out any password=… parameter. */
	while (*rest) {
		if ((rest[-1] == '?' || rest[-1] == '&') && strncmp(rest, "password=", 9) == 0) {
			rest += strcspn(rest, "&#");
			if (*rest == '&')
				rest++;
			else if (b.len && (b.data[b.len - 1] == '&' || b.data[b.len - 1] == '?'))
				b.data[--b.len] = '\0';
			continue;
		}
		buf_putc(&b, *rest++);
	}
	return buf_steal(&b);
}

/* --------------------------------------------------------- statements */

static void stmt_reset(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->ran = 0;
	s->row = -1;
	s->nrows = 0;
}

static void stmt_clear_params(struct pg_stmt *s)
{
	for (int i = 0; i < s->nparams; i++) {
		free(s->params[i]);
		s->params[i] = NULL;
	}
}

static void stmt_free(struct pg_stmt *s)
{
	stmt_reset(s);
	stmt_clear_params(s);
	free(s->params);
	PQclear(s->desc);
	memset(s, 0, sizeof(*s));
}

/* The table an "INSERT INTO name …" writes to, copied into out, or 0 when
 * sql is not such an INSERT or already says RETURNING. */
static int insert_table(const char *sql, char *out, size_t len)
{
	const char *p = sql + strspn(sql, " \t\r\n");
	if (strncasecmp(p, "INSERT", 6) != 0 || !strchr(" \t\r\n", p[6]))
		return 0;
	p += 6 + strspn(p + 6, " \t\r\n");
	if (strncasecmp(p, "INTO", 4) != 0 || !strchr(" \t\r\n", p[4]))
		return 0;
	p += 4 + strspn(p + 4, " \t\r\n");
	size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
	if (n == 0 || n >= len)
		return 0;
	for (const char *q = p; *q; q++)
		if (strncasecmp(q, "RETURNING", 9) == 0)
			return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

/* Whether table has an identity column "id": an INSERT into it gets
 * " RETURNING id", so db_last_insert_id knows the row's id as SQLite's
 * last_insert_rowid does (also when it was given explicitly). */
static int has_identity_id(PGconn *conn, const char *table)
{
	static const char sql[] = "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) "
				   "AND attname = 'id' AND attidentity <> '' AND NOT attisdropped";
	const char *v[1] = {table};
	PGresult *res = PQexecParams(conn, sql, 1, NULL, v, NULL, NULL, 0);
	int yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	PQclear(res);
	return yes;
}

/* PQprepare, letting PostgreSQL infer each parameter's type from where it
 * stands. Where it cannot ("? IS NULL OR e.slug = ?": 42P18, could not
 * determine the data type of parameter $n), $n is declared text — what
 * SQLite would take it as — and the statement prepared again. In a
 * transaction a failure would spoil it, so the attempts run under a
 * savepoint there. Returns the last attempt's result. */
static PGresult *prepare_typed(struct pg *db, const char *name, const char *text, int n)
{
	int in_tx = PQtransactionStatus(db->conn) == PQTRANS_INTRANS;
	Oid types[n > 0 ? n : 1];
	memset(types, 0, sizeof(types));
	if (in_tx && exec_simple(db->conn, "SAVEPOINT hm_prepare", NULL) != 0)
		in_tx = 0;
	PGresult *res = NULL;
	for (int attempt = 0; attempt <= n; attempt++) {
		PQclear(res);
		res = PQprepare(db->conn, name, text, n, types);
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			break;
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		const char *dollar = msg ? strchr(msg, '$') : NULL;
		int which = dollar ? atoi(dollar + 1) : 0;
		if (!state || strcmp(state, "42P18") != 0 || which < 1 || which > n ||
		    types[which - 1] != 0)
			break;
		types[which - 1] = OID_TEXT;
		if (in_tx && exec_simple(db->conn, "ROLLBACK TO SAVEPOINT hm_prepare", NULL) != 0)
			break;
	}
	if (in_tx) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			exec_simple(db->conn, "ROLLBACK TO SAVEPOINT hm_prepare", NULL);
		exec_simple(db->conn, "RELEASE SAVEPOINT hm_prepare", NULL);
	}
	return res;
}

static struct db_stmt *pg_prepare(struct db *base, const char *sql)
{
	struct pg *db = P(base);
	size_t hsh = ((uintptr_t)sql >> 3) * 2654435761u;
	for (size_t i = 0; i < STMT_CACHE; i++) {
		struct pg_stmt *s = &db->cache[(hsh + i) & (STMT_CACHE - 1)];
		if (s->base.sql == sql) {
			stmt_reset(s);
			stmt_clear_params(s);
			return &s->base;
		}
		if (s->base.sql)
			continue;
		int n;
		char table[64];
		char *text = dialect_pg_params(sql, &n);
		if (insert_table(sql, table, sizeof(table)) && has_identity_id(db->conn, table)) {
			size_t len = strlen(text);
			while (len && strchr(" \t\r\n;", text[len - 1]))
				text[--len] = '\0';
			char *with = xasprintf("%s RETURNING id", text);
			free(text);
			text = with;
			s->returning_id = 1;
		}
		snprintf(s->name, sizeof(s->name), "hm%u", ++db->nstmts);
		PGresult *res = prepare_typed(db, s->name, text, n);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_failure(db, "PQprepare", res, sql);
			note_failure(db, res);
			PQclear(res);
			free(text);
			memset(s, 0, sizeof(*s));
			return NULL;
		}
		PQclear(res);
		free(text);
		s->desc = PQdescribePrepared(db->conn, s->name);
		if (PQresultStatus(s->desc) != PGRES_COMMAND_OK) {
			log_failure(db, "PQdescribePrepared", s->desc, sql);
			note_failure(db, s->desc);
			PQclear(s->desc);
			memset(s, 0, sizeof(*s));
			return NULL;
		}
		s->nparams = n;
		s->params = n ? xcalloc((size_t)n, sizeof(char *)) : NULL;
		s->row = -1;
		s->base.sql = sql;
		s->base.db = base;
		return &s->base;
	}
	log_error("statement cache full");
	return NULL;
}

static void set_param(struct db_stmt *base, int idx, char *v)
{
	struct pg_stmt *s = S(base);
	if (idx < 1 || idx > s->nparams) { /* as SQLite: SQLITE_RANGE, ignored */
		free(v);
		return;
	}
	free(s->params[idx - 1]);
	s->params[idx - 1] = v;
}

static void pg_bind_text(struct db_stmt *st, int idx, const char *s)
{
	set_param(st, idx, s ? xstrdup(s) : NULL);
}

static void pg_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	set_param(st, idx, xasprintf("%lld", (long long)v));
}

static void pg_bind_double(struct db_stmt *st, int idx, double v)
{
	set_param(st, idx, xasprintf("%.17g", v));
}

static void pg_bind_null(struct db_stmt *st, int idx)
{
	set_param(st, idx, NULL);
}

static int is_write(const char *status)
{
	return str_starts_with(status, "INSERT") || str_starts_with(status, "UPDATE") ||
	       str_starts_with(status, "DELETE");
}

/* Tells the other connections (and processes) that data changed: the
 * NOTIFY is delivered when the transaction it runs in commits. */
static void notify_changes(struct pg *db)
{
	if (exec_simple(db->conn, "NOTIFY " PG_CHANNEL, NULL) != 0)
		log_warn("NOTIFY: %s", PQerrorMessage(db->conn));
}

/* Runs the statement: 0 with s->res holding its result, or -1 with the
 * failed result in s->res. */
static int stmt_exec(struct pg_stmt *s)
{
	struct pg *db = P(s->base.db);
	int autocommit = PQtransactionStatus(db->conn) == PQTRANS_IDLE;
	PQclear(s->res);
	s->res = PQexecPrepared(db->conn, s->name, s->nparams, (const char *const *)s->params, NULL,
				NULL, 0);
	s->ran = 1;
	s->row = -1;
	s->nrows = 0;
	ExecStatusType rs = PQresultStatus(s->res);
	if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK)
		return -1;
	const char *status = PQcmdStatus(s->res);
	if (is_write(status)) {
		db->changes = atoi(PQcmdTuples(s->res));
		/* A write outside db_begin: seen as another connection's
		 * commit is with SQLite's data_version. */
		if (autocommit && db->changes > 0) {
			notify_changes(db);
			db_bump_version();
		}
	}
	if (s->returning_id) {
		int n = PQntuples(s->res);
		if (n > 0)
			db->last_id = strtoll(PQgetvalue(s->res, n - 1, 0), NULL, 10);
	} else if (rs == PGRES_TUPLES_OK) {
		s->nrows = PQntuples(s->res);
	}
	return 0;
}

static int pg_step(struct db_stmt *base)
{
	struct pg_stmt *s = S(base);
	if (!s->ran && stmt_exec(s) != 0) {
		log_failure(P(base->db), "PQexecPrepared", s->res, base->sql);
		note_failure(P(base->db), s->res);
		return -1;
	}
	if (s->row < s->nrows)
		s->row++;
	return s->row < s->nrows;
}

/* In a transaction a failed statement spoils the rest of it, where SQLite
 * goes on: db_run takes a savepoint first, so a constraint violation that
 * the caller answers (a slug taken) can be undone alone. One savepoint at
 * a time: the next db_run releases it and takes a new one. */
static int savepoint_take(struct pg *db)
{
	if (PQtransactionStatus(db->conn) != PQTRANS_INTRANS)
		return 0;
	const char *sql = db->savepoint ? "RELEASE SAVEPOINT hm_run; SAVEPOINT hm_run"
					: "SAVEPOINT hm_run";
	if (exec_simple(db->conn, sql, NULL) != 0)
		return 0;
	db->savepoint = 1;
	return 1;
}

static enum hm_err pg_run(struct db_stmt *base)
{
	struct pg_stmt *s = S(base);
	struct pg *db = P(base->db);
	int sp = db->base.all_or_nothing ? 0 : savepoint_take(db);
	enum hm_err e = HM_OK;
	if (stmt_exec(s) != 0) {
		const char *state = PQresultErrorField(s->res, PG_DIAG_SQLSTATE);
		/* without a savepoint in a transaction, the transaction is lost */
		int alone = sp || PQtransactionStatus(db->conn) == PQTRANS_IDLE;
		if (alone && state && strncmp(state, "23", 2) == 0) {
			e = strcmp(state, "23505") == 0 ? HM_EEXIST : HM_EINVAL;
			if (sp && exec_simple(db->conn, "ROLLBACK TO SAVEPOINT hm_run", NULL) != 0) {
				log_failure(db, "ROLLBACK TO SAVEPOINT", NULL, base->sql);
				note_failure(db, NULL);
			}
		} else {
			log_failure(db, "PQexecPrepared", s->res, base->sql);
			e = note_failure(db, s->res);
		}
	}
	stmt_reset(s);
	return e;
}

static void pg_done(struct db_stmt *st)
{
	stmt_reset(S(st));
}

static int pg_col_count(struct db_stmt *st)
{
	return PQnfields(S(st)->desc);
}

static const char *pg_col_name(struct db_stmt *st, int i)
{
	return PQfname(S(st)->desc, i);
}

/* The value of column i of the current row, or NULL (SQL NULL, no row). */
static const char *value(struct pg_stmt *s, int i, Oid *type)
{
	if (!s->res || s->row < 0 || s->row >= s->nrows || i < 0 || i >= PQnfields(s->res) ||
	    PQgetisnull(s->res, s->row, i))
		return NULL;
	*type = PQftype(s->res, i);
	return PQgetvalue(s->res, s->row, i);
}

static enum db_type pg_col_type(struct db_stmt *st, int i)
{
	Oid t = 0;
	const char *v = value(S(st), i, &t);
	if (!v)
		return DB_T_NULL;
	switch (t) {
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID: return DB_T_INT;
	case OID_FLOAT4:
	case OID_FLOAT8: return DB_T_REAL;
	/* sum() of integers is numeric in PostgreSQL, an integer in SQLite:
	 * a numeric without a fraction reads as an integer. */
	case OID_NUMERIC: return strpbrk(v, ".eEN") ? DB_T_REAL : DB_T_INT;
	/* A boolean is SQLite's 0 or 1: JSON true/false when its name
	 * starts with is_, as there, a number otherwise. */
	case OID_BOOL: return DB_T_INT;
	default: return DB_T_TEXT;
	}
}

static const char *pg_col_text(struct db_stmt *st, int i, size_t *len)
{
	Oid t = 0;
	const char *v = value(S(st), i, &t);
	if (v && t == OID_BOOL) /* as SQLite shows an integer 0 or 1 */
		v = *v == 't' ? "1" : "0";
	*len = v ? strlen(v) : 0;
	return v;
}

static int64_t pg_col_int(struct db_stmt *st, int i)
{
	Oid t = 0;
	const char *v = value(S(st), i, &t);
	if (!v)
		return 0;
	if (t == OID_BOOL)
		return *v == 't';
	if (t == OID_FLOAT4 || t == OID_FLOAT8 || t == OID_NUMERIC)
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static double pg_col_double(struct db_stmt *st, int i)
{
	Oid t = 0;
	const char *v = value(S(st), i, &t);
	if (!v)
		return 0;
	if (t == OID_BOOL)
		return *v == 't';
	return strtod(v, NULL);
}

static int64_t pg_last_insert_id(struct db *db)
{
	return P(db)->last_id;
}

static int pg_changes(struct db *db)
{
	return P(db)->changes;
}

/* ------------------------------------------------------- transactions */

static void forget_statements(struct pg *db)
{
	for (size_t i = 0; i < STMT_CACHE; i++)
		if (db->cache[i].base.sql)
			stmt_free(&db->cache[i]);
}

/* What every session of ours sets: UTF-8, notices not on stderr, and a
 * lock wait of at most 5 s (SQLite's busy timeout), then HM_EBUSY. */
static int session_setup(PGconn *conn)
{
	PQsetNoticeProcessor(conn, drop_notice, NULL);
	return PQsetClientEncoding(conn, "UTF8") == 0 &&
			       exec_simple(conn, "SET lock_timeout = '5s'", NULL) == 0
		       ? 0
		       : -1;
}

/* A connection the server dropped (restarted, idle timeout) is opened
 * again at the start of the next transaction, with an empty statement
 * cache: its prepared statements went with the old session. */
static void revive(struct pg *db)
{
	if (PQstatus(db->conn) != CONNECTION_BAD)
		return;
	forget_statements(db);
	PQreset(db->conn);
	if (PQstatus(db->conn) == CONNECTION_OK && session_setup(db->conn) == 0)
		log_info("%s: connection opened again", db->base.path);
}

/* Runs a transaction's control statement; HM_OK, or how it failed (noted,
 * logged). */
static enum hm_err control(struct pg *db, const char *sql)
{
	PGresult *res = NULL;
	if (exec_simple(db->conn, sql, &res) == 0)
		return HM_OK;
	log_failure(db, "PQexec", res, sql);
	enum hm_err e = note_failure(db, res);
	PQclear(res);
	return e;
}

static enum hm_err pg_begin(struct db *base)
{
	struct pg *db = P(base);
	/* The advisory lock is the write lock: held to the end of the
	 * transaction, waited for at most lock_timeout. The NOTIFY is sent
	 * only if the transaction commits. */
	static const char sql[] = "BEGIN; SELECT pg_advisory_xact_lock(1213025881); NOTIFY " PG_CHANNEL;
	_Static_assert(HM_APPLICATION_ID == 1213025881, "the lock key is harmony's id");
	base->failed = HM_OK;
	db->savepoint = 0;
	revive(db);
	enum hm_err e = control(db, sql);
	if (e != HM_OK && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		exec_simple(db->conn, "ROLLBACK", NULL);
	base->in_write = (e == HM_OK);
	return e;
}

static enum hm_err pg_begin_read(struct db *base)
{
	struct pg *db = P(base);
	base->failed = HM_OK;
	db->savepoint = 0;
	revive(db);
	return control(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

static enum hm_err pg_commit(struct db *base)
{
	struct pg *db = P(base);
	PGresult *res = PQexec(db->conn, "COMMIT");
	enum hm_err e = HM_OK;
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_failure(db, "PQexec", res, "COMMIT");
		e = note_failure(db, res);
	} else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		/* A statement failed earlier: PostgreSQL has rolled it all
		 * back, where SQLite would have kept the rest. */
		log_error("COMMIT: the transaction had failed and was rolled back");
		e = base->failed != HM_OK ? base->failed : HM_EDB;
	}
	PQclear(res);
	if (e == HM_OK && base->in_write)
		db_bump_version();
	base->in_write = 0;
	db->savepoint = 0;
	return e;
}

static void pg_rollback(struct db *base)
{
	struct pg *db = P(base);
	base->in_write = 0;
	db->savepoint = 0;
	if (PQtransactionStatus(db->conn) != PQTRANS_IDLE &&
	    exec_simple(db->conn, "ROLLBACK", NULL) != 0)
		log_error("ROLLBACK: %s", PQerrorMessage(db->conn));
}

/* After rows were written with explicit ids (the demo's INSERT … (id, …)
 * VALUES (1, …)), each identity sequence continues after the largest id,
 * as SQLite numbers a new row max(rowid) + 1, so later inserts do not
 * collide. */
static const char SQL_SEQUENCES[] =
	"DO $$ DECLARE r record; BEGIN "
	"FOR r IN SELECT a.attrelid::regclass AS tbl, a.attname AS col FROM pg_attribute a "
	"JOIN pg_class c ON c.oid = a.attrelid "
	"WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND a.attidentity <> '' "
	"AND NOT a.attisdropped LOOP "
	"EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), "
	"coalesce(max(%I), 0) + 1, false) FROM %s', r.tbl, r.col, r.col, r.tbl); "
	"END LOOP; END $$";

static enum hm_err pg_exec_script(struct db *base, const char *sql, int ddl, char *err,
				  size_t errlen)
{
	struct pg *db = P(base);
	char *text = ddl ? dialect_pg_ddl(sql) : dialect_pg_script(sql);
	PGresult *res = NULL;
	enum hm_err e = HM_OK;
	if (exec_simple(db->conn, text, &res) != 0 ||
	    (!ddl && strcasestr(sql, "INSERT") && exec_simple(db->conn, SQL_SEQUENCES, &res) != 0)) {
		copy_msg(err, errlen, res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
		e = HM_EDB;
	} else {
		notify_changes(db);
		db_bump_version();
	}
	PQclear(res);
	free(text);
	return e;
}

/* ----------------------------------------------------------- listener */

/* One connection per process LISTENs on harmony_changes, on a thread of
 * its own that sleeps in poll() until a notification (another connection's
 * commit, here or in another process) comes, and bumps the process-wide
 * data version. So db_data_version stays one atomic load, like the
 * unchanged case of SQLite's, and a commit anywhere is seen at once, also
 * when no request comes. It runs while some connection that asked for the
 * data version is open (the server's); the CLI never starts it. A lost
 * listener connection is opened again each second, the version bumped each
 * time, since notifications may have been missed. */
struct listener {
	char *uri;
	int wake[2];      /* a pipe: a byte tells the thread to stop */
	_Atomic int stop;
	int ready;        /* under lis_mu: listening, or given up for now */
	int started;      /* the thread runs (to be joined) */
	pthread_t thread;
};

static pthread_mutex_t lis_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lis_cv = PTHREAD_COND_INITIALIZER;
static int lis_refs;                 /* connections that asked for the data version */
static struct listener *lis_current; /* while lis_refs > 0 */

static void lis_ready(struct listener *l)
{
	pthread_mutex_lock(&lis_mu);
	l->ready = 1;
	pthread_cond_broadcast(&lis_cv);
	pthread_mutex_unlock(&lis_mu);
}

/* Waits up to ms for the stop byte: 1 when it came. */
static int lis_wait_stop(struct listener *l, int ms)
{
	struct pollfd p = {.fd = l->wake[0], .events = POLLIN};
	return poll(&p, 1, ms) > 0 || atomic_load(&l->stop);
}

static void *lis_main(void *arg)
{
	struct listener *l = arg;
	while (!atomic_load(&l->stop)) {
		PGconn *conn = PQconnectdb(l->uri);
		if (PQstatus(conn) != CONNECTION_OK || session_setup(conn) != 0 ||
		    exec_simple(conn, "LISTEN " PG_CHANNEL, NULL) != 0) {
			char msg[256];
			copy_msg(msg, sizeof(msg), PQerrorMessage(conn));
			log_warn("listener: %s", msg);
			PQfinish(conn);
			db_bump_version();
			lis_ready(l); /* not listening, but waiting on helps nobody */
			if (lis_wait_stop(l, 1000))
				break;
			continue;
		}
		/* What was committed before LISTEN took effect is behind this
		 * bump. */
		db_bump_version();
		lis_ready(l);
		for (;;) {
			struct pollfd p[2] = {{.fd = PQsocket(conn), .events = POLLIN},
					      {.fd = l->wake[0], .events = POLLIN}};
			if (poll(p, 2, -1) < 0 && errno != EINTR)
				break;
			if (p[1].revents || atomic_load(&l->stop))
				break;
			if (!p[0].revents)
				continue;
			if (!PQconsumeInput(conn))
				break;
			int any = 0;
			for (PGnotify *n; (n = PQnotifies(conn)); PQfreemem(n))
				any = 1;
			if (any)
				db_bump_version();
		}
		PQfinish(conn);
		db_bump_version();
	}
	return NULL;
}

/* Takes a reference on the listener for db, starting it if needed, and
 * waits (up to 2 s) until it listens, so a commit after this returns is
 * seen. */
static void lis_acquire(struct pg *db)
{
	pthread_mutex_lock(&lis_mu);
	if (lis_refs++ == 0) {
		struct listener *l = xcalloc(1, sizeof(*l));
		l->uri = xstrdup(db->uri);
		l->wake[0] = l->wake[1] = -1;
		if (pipe(l->wake) != 0 || pthread_create(&l->thread, NULL, lis_main, l) != 0) {
			log_error("listener: cannot start it: other processes' writes are not seen");
			l->ready = 1;
		} else {
			l->started = 1;
		}
		lis_current = l;
	}
	struct listener *l = lis_current;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	while (!l->ready && pthread_cond_timedwait(&lis_cv, &lis_mu, &until) == 0)
		;
	pthread_mutex_unlock(&lis_mu);
	db->listening = 1;
}

/* Drops db's reference; the last one stops the thread (joined outside the
 * lock, which the thread takes to say it is ready). */
static void lis_release(struct pg *db)
{
	if (!db->listening)
		return;
	db->listening = 0;
	pthread_mutex_lock(&lis_mu);
	struct listener *l = --lis_refs == 0 ? lis_current : NULL;
	if (l)
		lis_current = NULL;
	pthread_mutex_unlock(&lis_mu);
	if (!l)
		return;
	atomic_store(&l->stop, 1);
	if (l->started) {
		if (write(l->wake[1], "x", 1) != 1)
			log_warn("listener: cannot wake it: %s", strerror(errno));
		pthread_join(l->thread, NULL);
	}
	if (l->wake[0] >= 0)
		close(l->wake[0]);
	if (l->wake[1] >= 0)
		close(l->wake[1]);
	free(l->uri);
	free(l);
}

static uint64_t pg_data_version(struct db *base)
{
	struct pg *db = P(base);
	if (!db->listening)
		lis_acquire(db);
	return db_global_version();
}

/* ------------------------------------------------------------ opening */

static int pg_schema_version(struct db *base)
{
	struct pg *db = P(base);
	int64_t v = 0, exists = 0;
	if (query_int(db->conn, "SELECT count(*) FROM pg_class WHERE oid = to_regclass('schema_migrations')",
		      &exists) != 0 ||
	    !exists || query_int(db->conn, "SELECT max(version) FROM schema_migrations", &v) != 0)
		return -1;
	return (int)v;
}

static void pg_close(struct db *base)
{
	struct pg *db = P(base);
	lis_release(db);
	forget_statements(db);
	PQfinish(db->conn);
	free(db->uri);
	free(base->path);
	free(db);
}

/* The marker of a harmony schema, PostgreSQL's PRAGMA application_id. */
static const char SQL_MARK[] = "BEGIN; "
			       "CREATE TABLE harmony_meta (application_id BIGINT NOT NULL); "
			       "INSERT INTO harmony_meta VALUES (1213025881); "
			       "COMMIT";

enum hm_err pg_open(const char *uri, enum db_open_mode mode, int migrate, struct db **out,
		    char *err, size_t errlen)
{
	enum hm_err e = HM_OK;
	char *shown = uri_redacted(uri);
	char msg[400];
	int64_t ntables = 0, app_id = 0, has_meta = 0, has_schema = 0;
	struct pg *db = NULL;
	/* The database is the server's to create: both modes connect to an
	 * existing one. */
	(void)mode;
	*out = NULL;
	PGconn *conn = PQconnectdb(uri);
	if (PQstatus(conn) != CONNECTION_OK || session_setup(conn) != 0) {
		copy_msg(msg, sizeof(msg), PQerrorMessage(conn));
		snprintf(err, errlen, "%s: cannot connect: %s", shown, msg);
		e = HM_EIO;
		goto fail;
	}
	/* Identify the schema before writing anything to it. */
	if (query_int(conn, "SELECT count(current_schema())", &has_schema) != 0 || !has_schema) {
		snprintf(err, errlen, "%s: no schema to use (see search_path)", shown);
		e = HM_ESCHEMA;
		goto fail;
	}
	if (query_int(conn,
		      "SELECT count(*) FROM pg_class WHERE relnamespace = "
		      "(SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
		      "AND relkind IN ('r', 'p', 'v', 'm', 'f')",
		      &ntables) != 0 ||
	    query_int(conn, "SELECT count(*) FROM pg_class WHERE relname = 'harmony_meta' AND relnamespace = "
				    "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())",
		      &has_meta) != 0 ||
	    (has_meta && query_int(conn, "SELECT max(application_id) FROM harmony_meta", &app_id) != 0)) {
		copy_msg(msg, sizeof(msg), PQerrorMessage(conn));
		snprintf(err, errlen, "%s: not a harmony database (%s)", shown, msg);
		e = HM_ESCHEMA;
		goto fail;
	}
	if (app_id != HM_APPLICATION_ID && ntables > 0) {
		snprintf(err, errlen, "%s: not a harmony database", shown);
		e = HM_ESCHEMA;
		goto fail;
	}
	int64_t v = -1;
	if (app_id == HM_APPLICATION_ID &&
	    query_int(conn, "SELECT max(version) FROM schema_migrations", &v) != 0)
		v = -1;
	if ((e = migrate_check(shown, app_id == HM_APPLICATION_ID, v, migrate, err, errlen)) != HM_OK)
		goto fail;

	db = xcalloc(1, sizeof(*db));
	db->base.ops = &pg_ops;
	db->base.path = shown;
	db->uri = xstrdup(uri);
	db->conn = conn;
	shown = NULL;
	conn = NULL;
	if (migrate) {
		char merr[512];
		PGresult *res = NULL;
		if (app_id == 0 && exec_simple(db->conn, SQL_MARK, &res) != 0) {
			copy_msg(msg, sizeof(msg), res ? PQresultErrorMessage(res) : "?");
			snprintf(err, errlen, "%s: cannot mark as harmony database: %s", db->base.path, msg);
			PQclear(res);
			e = HM_EDB;
			goto fail;
		}
		if ((e = migrate_run(&db->base, merr, sizeof(merr))) != HM_OK) {
			snprintf(err, errlen, "%s: migration failed: %s", db->base.path, merr);
			goto fail;
		}
	}
	*out = &db->base;
	return HM_OK;
fail:
	if (db)
		pg_close(&db->base);
	PQfinish(conn);
	free(shown);
	return e;
}

static const struct db_ops pg_ops = {
	.close = pg_close,
	.prepare = pg_prepare,
	.bind_text = pg_bind_text,
	.bind_int = pg_bind_int,
	.bind_double = pg_bind_double,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.run = pg_run,
	.done = pg_done,
	.col_count = pg_col_count,
	.col_name = pg_col_name,
	.col_type = pg_col_type,
	.col_text = pg_col_text,
	.col_int = pg_col_int,
	.col_double = pg_col_double,
	.last_insert_id = pg_last_insert_id,
	.changes = pg_changes,
	.begin = pg_begin,
	.begin_read = pg_begin_read,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.exec_script = pg_exec_script,
	.data_version = pg_data_version,
	.schema_version = pg_schema_version,
};
