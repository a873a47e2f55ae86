/*
 * sqlite.c — the SQLite backend of db.h: connection set-up (WAL, foreign
 * keys, busy timeout), the schema check that keeps us from touching files
 * that are not ours, a per-connection cache of prepared statements keyed by
 * the SQL string's address, and row-to-JSON conversion.
 */
#include "db/backend.h"
#include "db/migrate.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* "HMNY": marks a database file as harmony's (PRAGMA application_id). */
#define HM_APPLICATION_ID 0x484d4e59

struct lite_stmt {
	struct db_stmt base; /* base.sql: the cache key */
	sqlite3_stmt *st;
};

#define STMT_CACHE 512 /* power of two, well above the number of statements */
_Static_assert((STMT_CACHE & (STMT_CACHE - 1)) == 0, "slots are found with a mask");

struct lite {
	struct db base;
	sqlite3 *h;
	int64_t last_data_version;
	int wal;                   /* journal_mode is WAL */
	int wal_hdr_ok;            /* wal_hdr holds the header seen before the last PRAGMA */
	unsigned char wal_hdr[48];
	struct lite_stmt cache[STMT_CACHE];
};

static const struct db_ops lite_ops;

/* The backend's view of a connection and a statement db.c hands over. */
static inline struct lite *L(struct db *db)
{
	return (struct lite *)db;
}

static inline struct lite_stmt *S(struct db_stmt *st)
{
	return (struct lite_stmt *)st;
}

/* ------------------------------------------------------------ opening */

static int journal_is_wal(sqlite3 *h)
{
	sqlite3_stmt *st;
	int wal = 0;
	if (sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *m = sqlite3_column_text(st, 0);
		wal = m && strcmp((const char *)m, "wal") == 0;
	}
	sqlite3_finalize(st);
	return wal;
}

static int query_int(sqlite3 *h, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			*out = 0;
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static enum hm_err exec_simple(sqlite3 *h, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("%s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return HM_EDB;
	}
	return HM_OK;
}

enum hm_err sqlite_open(const char *path, enum db_open_mode mode, int migrate, struct db **out,
			char *err, size_t errlen)
{
	enum hm_err e = HM_OK;
	struct lite *db = NULL;
	sqlite3 *h = NULL;
	int64_t app_id = 0, ntables = 0;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	*out = NULL;
	if (mode == DB_OPEN_CREATE)
		flags |= SQLITE_OPEN_CREATE;
	else if (access(path, F_OK) != 0) {
		snprintf(err, errlen, "%s: no such database (create one with 'harmony init')", path);
		return HM_ENOTFOUND;
	}
	if (sqlite3_open_v2(path, &h, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open: %s", path, h ? sqlite3_errmsg(h) : "out of memory");
		e = HM_EIO;
		goto fail;
	}
	sqlite3_busy_timeout(h, 5000);
	sqlite3_extended_result_codes(h, 1);

	/* Identify the file before writing anything to it. */
	if (query_int(h, "PRAGMA application_id", &app_id) != SQLITE_OK ||
	    query_int(h, "SELECT count(*) FROM sqlite_master", &ntables) != SQLITE_OK) {
		snprintf(err, errlen, "%s: not a harmony database (%s)", path, sqlite3_errmsg(h));
		e = HM_ESCHEMA;
		goto fail;
	}
	if (app_id != HM_APPLICATION_ID && !(app_id == 0 && ntables == 0)) {
		snprintf(err, errlen, "%s: not a harmony database", path);
		e = HM_ESCHEMA;
		goto fail;
	}
	int64_t v = -1;
	if (app_id == HM_APPLICATION_ID &&
	    query_int(h, "SELECT max(version) FROM schema_migrations", &v) != SQLITE_OK)
		v = -1;
	if ((e = migrate_check(path, app_id == HM_APPLICATION_ID, v, migrate, err, errlen)) != HM_OK)
		goto fail;

	/* A database already in WAL mode (every one after its first open)
	 * needs no change, and asking for one anyway can fail with "database
	 * is locked" without waiting while another process opens it too. */
	if ((!journal_is_wal(h) && (e = exec_simple(h, "PRAGMA journal_mode=WAL")) != HM_OK) ||
	    (e = exec_simple(h, "PRAGMA foreign_keys=ON")) != HM_OK ||
	    (e = exec_simple(h, "PRAGMA synchronous=NORMAL")) != HM_OK) {
		snprintf(err, errlen, "%s: cannot configure: %s", path, sqlite3_errmsg(h));
		goto fail;
	}

	db = xcalloc(1, sizeof(*db));
	db->base.ops = &lite_ops;
	db->h = h;
	db->wal = journal_is_wal(h);
	db->base.path = xstrdup(path);
	h = NULL;
	if (migrate) {
		char merr[512];
		char mark[64];
		snprintf(mark, sizeof(mark), "PRAGMA application_id=%d", HM_APPLICATION_ID);
		if (app_id == 0 && (e = exec_simple(db->h, mark)) != HM_OK) {
			snprintf(err, errlen, "%s: cannot mark as harmony database", path);
			goto fail;
		}
		if ((e = migrate_run(&db->base, merr, sizeof(merr))) != HM_OK) {
			snprintf(err, errlen, "%s: migration failed: %s", path, merr);
			goto fail;
		}
	}
	db->last_data_version = -1;
	*out = &db->base;
	return HM_OK;
fail:
	if (db)
		db_close(&db->base);
	if (h)
		sqlite3_close(h);
	return e;
}

static void lite_close(struct db *base)
{
	struct lite *db = L(base);
	for (size_t i = 0; i < STMT_CACHE; i++)
		if (db->cache[i].st)
			sqlite3_finalize(db->cache[i].st);
	if (sqlite3_close(db->h) != SQLITE_OK)
		log_error("sqlite3_close: %s", sqlite3_errmsg(db->h));
	free(db->base.path);
	free(db);
}

/* --------------------------------------------------------- statements */

/* Remembers that a statement failed with rc, and says how: HM_EBUSY when
 * the store cannot take it for now (another writer holds the lock past
 * the busy timeout, the disk is full, the file became read-only), which
 * is answered 503 and worth retrying; HM_EDB for anything else. The
 * first failure since the transaction began is the one kept. */
static enum hm_err db_note_failure(struct lite *db, int rc)
{
	int primary = rc & 0xff;
	enum hm_err e = (primary == SQLITE_BUSY || primary == SQLITE_LOCKED ||
			 primary == SQLITE_FULL || primary == SQLITE_READONLY)
				? HM_EBUSY
				: HM_EDB;
	if (db->base.failed == HM_OK)
		db->base.failed = e;
	return e;
}

static struct db_stmt *lite_prepare(struct db *base, const char *sql)
{
	struct lite *db = L(base);
	size_t hsh = ((uintptr_t)sql >> 3) * 2654435761u;
	for (size_t i = 0; i < STMT_CACHE; i++) {
		struct lite_stmt *s = &db->cache[(hsh + i) & (STMT_CACHE - 1)];
		if (s->base.sql == sql) {
			assert(s->base.db == base && s->st); /* each connection caches its own */
			sqlite3_reset(s->st);
			sqlite3_clear_bindings(s->st);
			return &s->base;
		}
		if (!s->base.sql) {
			if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st,
					       NULL) != SQLITE_OK) {
				log_error("sqlite3_prepare_v3: %s in: %.200s", sqlite3_errmsg(db->h), sql);
				db_note_failure(db, sqlite3_errcode(db->h));
				sqlite3_finalize(s->st);
				s->st = NULL;
				return NULL;
			}
			s->base.sql = sql;
			s->base.db = base;
			return &s->base;
		}
	}
	log_error("statement cache full");
	return NULL;
}

static void lite_bind_text(struct db_stmt *st, int idx, const char *s)
{
	if (s)
		sqlite3_bind_text(S(st)->st, idx, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(S(st)->st, idx);
}

static void lite_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(S(st)->st, idx, v);
}

static void lite_bind_double(struct db_stmt *st, int idx, double v)
{
	sqlite3_bind_double(S(st)->st, idx, v);
}

static void lite_bind_null(struct db_stmt *st, int idx)
{
	sqlite3_bind_null(S(st)->st, idx);
}

static int lite_step(struct db_stmt *base)
{
	struct lite_stmt *st = S(base);
	int rc = sqlite3_step(st->st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	log_error("sqlite3_step: %s in: %.120s", sqlite3_errmsg(L(base->db)->h), base->sql);
	db_note_failure(L(base->db), rc);
	return -1;
}

static enum hm_err lite_run(struct db_stmt *base)
{
	struct lite_stmt *st = S(base);
	int rc = sqlite3_step(st->st);
	enum hm_err e = HM_OK;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		e = HM_OK;
	else if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		e = HM_EEXIST;
	else if ((rc & 0xff) == SQLITE_CONSTRAINT)
		e = HM_EINVAL;
	else {
		log_error("sqlite3_step: %s in: %.120s", sqlite3_errmsg(L(base->db)->h), base->sql);
		e = db_note_failure(L(base->db), rc);
	}
	sqlite3_reset(st->st);
	return e;
}

static void lite_done(struct db_stmt *st)
{
	sqlite3_reset(S(st)->st);
}

static int lite_col_count(struct db_stmt *st)
{
	return sqlite3_column_count(S(st)->st);
}

static const char *lite_col_name(struct db_stmt *st, int i)
{
	return sqlite3_column_name(S(st)->st, i);
}

static enum db_type lite_col_type(struct db_stmt *st, int i)
{
	switch (sqlite3_column_type(S(st)->st, i)) {
	case SQLITE_INTEGER: return DB_T_INT;
	case SQLITE_FLOAT: return DB_T_REAL;
	case SQLITE_NULL: return DB_T_NULL;
	default: return DB_T_TEXT;
	}
}

static const char *lite_col_text(struct db_stmt *st, int i, size_t *len)
{
	const char *s = (const char *)sqlite3_column_text(S(st)->st, i);
	*len = s ? (size_t)sqlite3_column_bytes(S(st)->st, i) : 0;
	return s;
}

static int64_t lite_col_int(struct db_stmt *st, int i)
{
	return sqlite3_column_int64(S(st)->st, i);
}

static double lite_col_double(struct db_stmt *st, int i)
{
	return sqlite3_column_double(S(st)->st, i);
}

static int64_t lite_last_insert_id(struct db *db)
{
	return sqlite3_last_insert_rowid(L(db)->h);
}

static int lite_changes(struct db *db)
{
	return sqlite3_changes(L(db)->h);
}

/* ------------------------------------------------------- transactions */

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_BEGIN_READ[] = "BEGIN";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

static enum hm_err lite_begin(struct db *db)
{
	db->failed = HM_OK;
	struct db_stmt *st = lite_prepare(db, SQL_BEGIN);
	enum hm_err e = st ? lite_run(st) : HM_EDB;
	db->in_write = (e == HM_OK);
	return e;
}

static enum hm_err lite_begin_read(struct db *db)
{
	db->failed = HM_OK;
	struct db_stmt *st = lite_prepare(db, SQL_BEGIN_READ);
	return st ? lite_run(st) : HM_EDB;
}

static enum hm_err lite_commit(struct db *db)
{
	struct db_stmt *st = lite_prepare(db, SQL_COMMIT);
	enum hm_err e = st ? lite_run(st) : HM_EDB;
	if (e == HM_OK && db->in_write)
		db_bump_version();
	db->in_write = 0;
	return e;
}

static void lite_rollback(struct db *db)
{
	db->in_write = 0;
	if (!sqlite3_get_autocommit(L(db)->h)) {
		struct db_stmt *st = lite_prepare(db, SQL_ROLLBACK);
		if (st)
			lite_run(st);
	}
}

/* Migrations are written in SQLite's dialect: ddl changes nothing here. */
static enum hm_err lite_exec_script(struct db *db, const char *sql, int ddl, char *err,
				    size_t errlen)
{
	char *msg = NULL;
	(void)ddl;
	if (sqlite3_exec(L(db)->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(L(db)->h));
		sqlite3_free(msg);
		return HM_EDB;
	}
	db_bump_version();
	return HM_OK;
}

/* ------------------------------------------------------------ version */

static const char SQL_DATA_VERSION[] = "PRAGMA data_version";

/* Copies the wal-index header (the first 48 bytes of the -shm file, which
 * every commit in WAL mode rewrites, in this and in other processes) into
 * out: 1 if both copies SQLite keeps of it agree, 0 when it is unavailable
 * (not in WAL mode) or being rewritten. The pointer comes from the VFS's
 * own mapping of this connection's shared memory, so no system call. */
static int wal_header(struct lite *db, unsigned char out[48])
{
	sqlite3_file *f = NULL;
	void volatile *p = NULL;
	if (sqlite3_file_control(db->h, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
	    !f || !f->pMethods || f->pMethods->iVersion < 2 || !f->pMethods->xShmMap ||
	    f->pMethods->xShmMap(f, 0, 32768, 0, &p) != SQLITE_OK || !p)
		return 0;
	const volatile unsigned char *h = p;
	unsigned char second[48];
	for (int i = 0; i < 48; i++)
		out[i] = h[i];
#ifdef __SANITIZE_THREAD__
	/* ThreadSanitizer does not take fences (the tsan build is for tests
	 * on x86, where an acquire fence is only a compiler barrier). */
	__asm__ __volatile__("" ::: "memory");
#else
	atomic_thread_fence(memory_order_acquire);
#endif
	for (int i = 0; i < 48; i++)
		second[i] = h[48 + i];
	return memcmp(out, second, 48) == 0;
}

static uint64_t lite_data_version(struct db *base)
{
	struct lite *db = L(base);
	/* PRAGMA data_version changes when another connection commits; any
	 * such change moves the process-wide counter, so caches filled by
	 * one thread are dropped when another process (the CLI) writes.
	 * The PRAGMA is a read transaction (file locks, several system
	 * calls), so it runs only when the wal-index header has changed
	 * since it last ran: no commit anywhere leaves that header as it was.
	 * The header is read before the PRAGMA, so a commit in between is
	 * seen again next time, never missed. */
	unsigned char hdr[48];
	int hdr_ok = db->wal && db->last_data_version != -1 && wal_header(db, hdr);
	if (hdr_ok && db->wal_hdr_ok && memcmp(hdr, db->wal_hdr, sizeof(hdr)) == 0)
		return db_global_version();
	struct db_stmt *st = lite_prepare(base, SQL_DATA_VERSION);
	if (st && lite_step(st) == 1) {
		int64_t v = lite_col_int(st, 0);
		/* A connection's first look cannot tell what changed before it
		 * opened (another process may have written since the pages in
		 * the cache were made): it counts as a change. */
		if (db->last_data_version == -1 || v != db->last_data_version)
			db_bump_version();
		db->last_data_version = v;
		db->wal_hdr_ok = hdr_ok;
		if (hdr_ok)
			memcpy(db->wal_hdr, hdr, sizeof(hdr));
	} else {
		db->wal_hdr_ok = 0;
	}
	if (st)
		lite_done(st);
	return db_global_version();
}

static int lite_schema_version(struct db *db)
{
	int64_t v = 0;
	if (query_int(L(db)->h, "SELECT max(version) FROM schema_migrations", &v) != SQLITE_OK)
		return -1;
	return (int)v;
}

static const struct db_ops lite_ops = {
	.close = lite_close,
	.prepare = lite_prepare,
	.bind_text = lite_bind_text,
	.bind_int = lite_bind_int,
	.bind_double = lite_bind_double,
	.bind_null = lite_bind_null,
	.step = lite_step,
	.run = lite_run,
	.done = lite_done,
	.col_count = lite_col_count,
	.col_name = lite_col_name,
	.col_type = lite_col_type,
	.col_text = lite_col_text,
	.col_int = lite_col_int,
	.col_double = lite_col_double,
	.last_insert_id = lite_last_insert_id,
	.changes = lite_changes,
	.begin = lite_begin,
	.begin_read = lite_begin_read,
	.commit = lite_commit,
	.rollback = lite_rollback,
	.exec_script = lite_exec_script,
	.data_version = lite_data_version,
	.schema_version = lite_schema_version,
};
