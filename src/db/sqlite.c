/*
 * sqlite.c — the SQLite backend of db.h: connection set-up (WAL, foreign
 * keys, busy timeout), the schema check that keeps us from touching files
 * that are not ours, a per-connection cache of prepared statements keyed by
 * the SQL string's address, and row-to-JSON conversion.
 */
#include "db/db.h"
#include "db/migrate.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* "HMNY": marks a database file as harmony's (PRAGMA application_id). */
#define HM_APPLICATION_ID 0x484d4e59

struct db_stmt {
	const char *sql;
	sqlite3_stmt *st;
	struct db *db;
};

#define STMT_CACHE 512 /* power of two, well above the number of statements */
_Static_assert((STMT_CACHE & (STMT_CACHE - 1)) == 0, "slots are found with a mask");

struct db {
	sqlite3 *h;
	char *path;
	int64_t last_data_version;
	int wal;                   /* journal_mode is WAL */
	int wal_hdr_ok;            /* wal_hdr holds the header seen before the last PRAGMA */
	unsigned char wal_hdr[48];
	int in_write; /* inside a db_begin transaction */
	enum hm_err failed; /* how a statement failed since the transaction began (db_failed) */
	struct db_stmt cache[STMT_CACHE];
};

static _Atomic uint64_t global_version = 1;

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

enum hm_err db_open(const char *path, enum db_open_mode mode, int migrate, struct db **out,
		    char *err, size_t errlen)
{
	enum hm_err e = HM_OK;
	struct db *db = NULL;
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
	if (app_id == HM_APPLICATION_ID) {
		int64_t v = 0;
		if (query_int(h, "SELECT max(version) FROM schema_migrations", &v) != SQLITE_OK) {
			snprintf(err, errlen, "%s: damaged harmony database (no migration record)", path);
			e = HM_ESCHEMA;
			goto fail;
		}
		if (v > migrate_latest()) {
			snprintf(err, errlen,
				 "%s: schema version %lld is newer than this harmony knows (%d); "
				 "upgrade harmony",
				 path, (long long)v, migrate_latest());
			e = HM_ESCHEMA;
			goto fail;
		}
		if (v < migrate_latest() && !migrate) {
			snprintf(err, errlen,
				 "%s: schema version %lld is older than %d; run 'harmony init' to migrate",
				 path, (long long)v, migrate_latest());
			e = HM_ESCHEMA;
			goto fail;
		}
	} else if (!migrate) {
		snprintf(err, errlen, "%s: empty database; run 'harmony init'", path);
		e = HM_ESCHEMA;
		goto fail;
	}

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
	db->h = h;
	db->wal = journal_is_wal(h);
	db->path = xstrdup(path);
	h = NULL;
	if (migrate) {
		char merr[512];
		char mark[64];
		snprintf(mark, sizeof(mark), "PRAGMA application_id=%d", HM_APPLICATION_ID);
		if (app_id == 0 && (e = exec_simple(db->h, mark)) != HM_OK) {
			snprintf(err, errlen, "%s: cannot mark as harmony database", path);
			goto fail;
		}
		if ((e = migrate_run(db, merr, sizeof(merr))) != HM_OK) {
			snprintf(err, errlen, "%s: migration failed: %s", path, merr);
			goto fail;
		}
	}
	db->last_data_version = -1;
	*out = db;
	return HM_OK;
fail:
	if (db)
		db_close(db);
	if (h)
		sqlite3_close(h);
	return e;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < STMT_CACHE; i++)
		if (db->cache[i].st)
			sqlite3_finalize(db->cache[i].st);
	if (sqlite3_close(db->h) != SQLITE_OK)
		log_error("sqlite3_close: %s", sqlite3_errmsg(db->h));
	free(db->path);
	free(db);
}

const char *db_path(struct db *db)
{
	return db->path;
}

/* --------------------------------------------------------- statements */

/* Remembers that a statement failed with rc, and says how: HM_EBUSY when
 * the store cannot take it for now (another writer holds the lock past
 * the busy timeout, the disk is full, the file became read-only), which
 * is answered 503 and worth retrying; HM_EDB for anything else. The
 * first failure since the transaction began is the one kept. */
static enum hm_err db_note_failure(struct db *db, int rc)
{
	int primary = rc & 0xff;
	enum hm_err e = (primary == SQLITE_BUSY || primary == SQLITE_LOCKED ||
			 primary == SQLITE_FULL || primary == SQLITE_READONLY)
				? HM_EBUSY
				: HM_EDB;
	if (db->failed == HM_OK)
		db->failed = e;
	return e;
}

struct db_stmt *db_prepare(struct db *db, const char *sql)
{
	size_t hsh = ((uintptr_t)sql >> 3) * 2654435761u;
	for (size_t i = 0; i < STMT_CACHE; i++) {
		struct db_stmt *s = &db->cache[(hsh + i) & (STMT_CACHE - 1)];
		if (s->sql == sql) {
			assert(s->db == db && s->st); /* each connection caches its own */
			sqlite3_reset(s->st);
			sqlite3_clear_bindings(s->st);
			return s;
		}
		if (!s->sql) {
			if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st,
					       NULL) != SQLITE_OK) {
				log_error("sqlite3_prepare_v3: %s in: %.200s", sqlite3_errmsg(db->h), sql);
				db_note_failure(db, sqlite3_errcode(db->h));
				sqlite3_finalize(s->st);
				s->st = NULL;
				return NULL;
			}
			s->sql = sql;
			s->db = db;
			return s;
		}
	}
	log_error("statement cache full");
	return NULL;
}

void db_bind_text(struct db_stmt *st, int idx, const char *s)
{
	if (s)
		sqlite3_bind_text(st->st, idx, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st->st, idx);
}

void db_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(st->st, idx, v);
}

void db_bind_double(struct db_stmt *st, int idx, double v)
{
	sqlite3_bind_double(st->st, idx, v);
}

void db_bind_null(struct db_stmt *st, int idx)
{
	sqlite3_bind_null(st->st, idx);
}

int db_step(struct db_stmt *st)
{
	int rc = sqlite3_step(st->st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	log_error("sqlite3_step: %s in: %.120s", sqlite3_errmsg(st->db->h), st->sql);
	db_note_failure(st->db, rc);
	return -1;
}

enum hm_err db_run(struct db_stmt *st)
{
	int rc = sqlite3_step(st->st);
	enum hm_err e = HM_OK;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		e = HM_OK;
	else if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		e = HM_EEXIST;
	else if ((rc & 0xff) == SQLITE_CONSTRAINT)
		e = HM_EINVAL;
	else {
		log_error("sqlite3_step: %s in: %.120s", sqlite3_errmsg(st->db->h), st->sql);
		e = db_note_failure(st->db, rc);
	}
	sqlite3_reset(st->st);
	return e;
}

void db_done(struct db_stmt *st)
{
	if (st)
		sqlite3_reset(st->st);
}

int db_col_count(struct db_stmt *st)
{
	return sqlite3_column_count(st->st);
}

const char *db_col_name(struct db_stmt *st, int i)
{
	return sqlite3_column_name(st->st, i);
}

const char *db_col_text(struct db_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st->st, i);
}

int64_t db_col_int(struct db_stmt *st, int i)
{
	return sqlite3_column_int64(st->st, i);
}

double db_col_double(struct db_stmt *st, int i)
{
	return sqlite3_column_double(st->st, i);
}

int db_col_is_null(struct db_stmt *st, int i)
{
	return sqlite3_column_type(st->st, i) == SQLITE_NULL;
}

json_t *db_row_json(struct db_stmt *st)
{
	json_t *o = json_object();
	int n = sqlite3_column_count(st->st);
	for (int i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st->st, i);
		json_t *v;
		switch (sqlite3_column_type(st->st, i)) {
		case SQLITE_INTEGER:
			if (str_starts_with(name, "is_"))
				v = json_boolean(sqlite3_column_int64(st->st, i));
			else
				v = json_integer(sqlite3_column_int64(st->st, i));
			break;
		case SQLITE_FLOAT:
			v = json_real(sqlite3_column_double(st->st, i));
			break;
		case SQLITE_NULL:
			v = str_starts_with(name, "is_") ? json_false() : json_null();
			break;
		default:
			v = json_stringn((const char *)sqlite3_column_text(st->st, i),
					 (size_t)sqlite3_column_bytes(st->st, i));
			if (!v) /* not valid UTF-8: never hand out broken text */
				v = json_string("");
			break;
		}
		json_object_set_new(o, name, v);
	}
	return o;
}

json_t *db_rows_json(struct db_stmt *st)
{
	if (!st)
		return NULL;
	json_t *a = json_array();
	int rc;
	while ((rc = db_step(st)) == 1)
		json_array_append_new(a, db_row_json(st));
	db_done(st);
	if (rc < 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

json_t *db_one_json(struct db_stmt *st)
{
	json_t *o = NULL;
	if (st && db_step(st) == 1)
		o = db_row_json(st);
	db_done(st);
	return o;
}

int64_t db_last_insert_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

int db_changes(struct db *db)
{
	return sqlite3_changes(db->h);
}

/* ------------------------------------------------------- transactions */

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_BEGIN_READ[] = "BEGIN";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

enum hm_err db_failed(struct db *db)
{
	return db->failed;
}

void db_failed_reset(struct db *db)
{
	db->failed = HM_OK;
}

enum hm_err db_begin(struct db *db)
{
	db->failed = HM_OK;
	struct db_stmt *st = db_prepare(db, SQL_BEGIN);
	enum hm_err e = st ? db_run(st) : HM_EDB;
	db->in_write = (e == HM_OK);
	return e;
}

enum hm_err db_begin_read(struct db *db)
{
	db->failed = HM_OK;
	struct db_stmt *st = db_prepare(db, SQL_BEGIN_READ);
	return st ? db_run(st) : HM_EDB;
}

enum hm_err db_commit(struct db *db)
{
	struct db_stmt *st = db_prepare(db, SQL_COMMIT);
	enum hm_err e = st ? db_run(st) : HM_EDB;
	if (e == HM_OK && db->in_write)
		db_bump_version();
	db->in_write = 0;
	return e;
}

void db_rollback(struct db *db)
{
	db->in_write = 0;
	if (!sqlite3_get_autocommit(db->h)) {
		struct db_stmt *st = db_prepare(db, SQL_ROLLBACK);
		if (st)
			db_run(st);
	}
}

enum hm_err db_exec_script(struct db *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db->h));
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
static int wal_header(struct db *db, unsigned char out[48])
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

uint64_t db_data_version(struct db *db)
{
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
		return atomic_load(&global_version);
	struct db_stmt *st = db_prepare(db, SQL_DATA_VERSION);
	if (st && db_step(st) == 1) {
		int64_t v = db_col_int(st, 0);
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
	db_done(st);
	return atomic_load(&global_version);
}

void db_bump_version(void)
{
	atomic_fetch_add(&global_version, 1);
}

int db_schema_version(struct db *db)
{
	int64_t v = 0;
	if (query_int(db->h, "SELECT max(version) FROM schema_migrations", &v) != SQLITE_OK)
		return -1;
	return (int)v;
}

int db_schema_latest(void)
{
	return migrate_latest();
}
