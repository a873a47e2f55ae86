/*
 * prune.c — removing uploads nothing refers to any more: a photo taken
 * down must not stay online at its address, nor its bytes on disk. Files
 * are content-addressed and shared, and an upload comes before the row
 * that uses it is saved, so a file goes only when no row names it AND it
 * has not been written or uploaded again (media_store refreshes the time)
 * for a grace period.
 */
#include "media/media.h"
#include "auth/auth.h"
#include "db/db.h"
#include "jobs/jobs.h"
#include "media/media_impl.h"

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------- references */

struct refs {
	char **names; /* sorted, malloc'd */
	size_t n, cap;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void refs_free(struct refs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->names[i]);
	free(r->names);
	memset(r, 0, sizeof(*r));
}

static int refs_has(const struct refs *r, const char *name)
{
	return r->n && bsearch(&name, r->names, r->n, sizeof(*r->names), cmp_name) != NULL;
}

/* Every media name a row refers to, in one read transaction. HM_EDB (and
 * r empty) when any statement fails: then nothing may be removed. */
static enum hm_err refs_read(struct db *db, const struct media_ref *refs, size_t nrefs,
			     struct refs *r)
{
	enum hm_err e = db_begin_read(db);
	if (e != HM_OK)
		return e;
	for (size_t i = 0; i < nrefs && e == HM_OK; i++) {
		struct db_stmt *st = db_prepare(db, refs[i].all_sql);
		int rc = -1;
		while (st && (rc = db_step(st)) == 1) {
			const char *name = db_col_text(st, 0);
			if (!name || !media_name_valid(name))
				continue;
			if (r->n == r->cap) {
				r->cap = r->cap ? r->cap * 2 : 64;
				r->names = xrealloc(r->names, r->cap * sizeof(*r->names));
			}
			r->names[r->n++] = xstrdup(name);
		}
		db_done(st);
		if (rc != 0)
			e = HM_EDB;
	}
	if (e == HM_OK)
		e = db_commit(db);
	else
		db_rollback(db);
	if (e != HM_OK) {
		log_error("cannot read the media references; nothing removed");
		refs_free(r);
		return HM_EDB;
	}
	if (r->n > 1)
		qsort(r->names, r->n, sizeof(*r->names), cmp_name);
	return HM_OK;
}

/* 1 if a row names this file now, 0 if none, -1 on error. Called inside
 * the write transaction the removal happens in. */
static int referenced(struct db *db, const struct media_ref *refs, size_t nrefs, const char *name)
{
	for (size_t i = 0; i < nrefs; i++) {
		struct db_stmt *st = db_prepare(db, refs[i].one_sql);
		if (!st)
			return -1;
		db_bind_text(st, 1, name);
		int rc = db_step(st);
		db_done(st);
		if (rc != 0)
			return rc == 1 ? 1 : -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- sweep */

struct sweep {
	struct db *db;
	const struct media_ref *refs;
	size_t nrefs;
	const struct media_prune_opts *o;
	struct media_prune_result *out;
	int dirfd;
	json_t *removed; /* audit entries to write: [{name, bytes, modified, thumb?}] */
};

/* A regular file's stat in the folder; 0 when there is none. */
static int stat_file(const struct sweep *s, const char *name, struct stat *sb)
{
	return fstatat(s->dirfd, name, sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb->st_mode);
}

static int is_old(const struct sweep *s, const struct stat *sb)
{
	return s->o->now - (int64_t)sb->st_mtime >= s->o->grace;
}

static json_t *entry_of(const char *name, const struct stat *sb)
{
	char ts[32];
	struct tm tm;
	time_t t = sb->st_mtime;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack("{s:s, s:I, s:s}", "name", name, "bytes", (json_int_t)sb->st_size,
			 "modified", ts);
}

/* Removes (or, dry, reports) one file whose stat is sb. 1 if it went. */
static int drop(struct sweep *s, const char *name, const struct stat *sb)
{
	if (!s->o->dry_run && unlinkat(s->dirfd, name, 0) != 0) {
		if (errno != ENOENT)
			log_error("unlink %s/%s: %s", media_dir(), name, strerror(errno));
		return 0;
	}
	s->out->removed++;
	s->out->bytes += (int64_t)sb->st_size;
	if (s->o->each)
		s->o->each(name, (int64_t)sb->st_size, s->o->ctx);
	return 1;
}

/* An original nothing referred to when the sweep began. It goes inside a
 * write transaction that first asks again whether a row names it, so a
 * post saved since (its check that the image exists runs in its own write
 * transaction) either keeps the file or is refused, never left pointing
 * at nothing. Its age is looked at again under the store lock, so an
 * upload of the same bytes since the directory was read keeps it; its
 * thumbnail goes with it. */
static void sweep_original(struct sweep *s, const char *name)
{
	struct stat sb, tsb;
	char thumb[MEDIA_NAME_SIZE];
	media_thumb_name(name, thumb);
	if (!s->o->dry_run) {
		if (db_begin(s->db) != HM_OK)
			return;
		int r = referenced(s->db, s->refs, s->nrefs, name);
		if (r != 0) {
			db_rollback(s->db);
			s->out->in_use += r > 0;
			return;
		}
	}
	media_store_lock();
	if (!stat_file(s, name, &sb)) {
		/* gone since the directory was read */
	} else if (!is_old(s, &sb)) {
		s->out->recent++;
	} else if (drop(s, name, &sb)) {
		json_t *entry = entry_of(name, &sb);
		if (stat_file(s, thumb, &tsb) && drop(s, thumb, &tsb))
			json_object_set_new(entry, "thumb", json_string(thumb));
		json_array_append_new(s->removed, entry);
	}
	media_store_unlock();
	if (!s->o->dry_run)
		db_commit(s->db);
}

/* 1 if the original of a thumbnail ("<hex>-w640.webp") is stored, in any
 * of the types. */
static int has_original(const struct sweep *s, const char *thumb)
{
	static const enum media_type types[] = {MEDIA_JPEG, MEDIA_PNG, MEDIA_WEBP};
	struct stat sb;
	for (size_t i = 0; i < HM_ARRAY_LEN(types); i++) {
		char name[MEDIA_NAME_SIZE];
		snprintf(name, sizeof(name), "%.64s.%s", thumb, media_type_ext(types[i]));
		if (stat_file(s, name, &sb))
			return 1;
	}
	return 0;
}

/* A thumbnail: it goes with its original (sweep_original); alone, it goes
 * once older than the grace (media_store writes it just before the
 * original, so a young one may be an upload in progress). */
static void sweep_thumb(struct sweep *s, const char *name)
{
	struct stat sb;
	media_store_lock();
	if (stat_file(s, name, &sb) && !has_original(s, name)) {
		if (!is_old(s, &sb))
			s->out->recent++;
		else if (drop(s, name, &sb))
			json_array_append_new(s->removed, entry_of(name, &sb));
	}
	media_store_unlock();
}

/* One transaction for the audit entries, after the files are gone. */
static enum hm_err record(struct db *db, const struct sweep *s)
{
	size_t i;
	json_t *entry;
	enum hm_err e = db_begin(db);
	json_array_foreach(s->removed, i, entry) {
		if (e == HM_OK)
			e = audit_record_at(db, s->o->actor, "media.remove", "media", 0, entry, NULL,
					    s->o->now);
	}
	if (e == HM_OK)
		e = db_commit(db);
	else
		db_rollback(db);
	return e;
}

enum hm_err media_prune(struct db *db, const struct media_ref *refs_sql, size_t nrefs,
			const struct media_prune_opts *opts, struct media_prune_result *out)
{
	struct refs refs = {0};
	struct sweep s = {.db = db, .refs = refs_sql, .nrefs = nrefs, .o = opts, .out = out,
			  .dirfd = -1};
	DIR *d = NULL;
	struct dirent *de;
	enum hm_err e;
	memset(out, 0, sizeof(*out));
	if (!media_dir())
		return HM_EINTERNAL;
	if ((e = refs_read(db, refs_sql, nrefs, &refs)) != HM_OK)
		return e;
	if (!(d = opendir(media_dir()))) {
		log_error("opendir %s: %s", media_dir(), strerror(errno));
		e = HM_EIO;
		goto out;
	}
	s.dirfd = dirfd(d);
	s.removed = json_array();
	while ((de = readdir(d))) {
		if (opts->stop && opts->stop())
			break;
		const char *name = de->d_name;
		if (!media_name_valid(name))
			continue; /* not ours: temporary files, anything put there */
		if (refs_has(&refs, name))
			out->in_use += media_name_is_original(name);
		else if (media_name_is_original(name))
			sweep_original(&s, name);
		else
			sweep_thumb(&s, name);
	}
	if (!opts->dry_run && json_array_size(s.removed) && (e = record(db, &s)) != HM_OK)
		log_error("cannot record the removal of %zu media files", json_array_size(s.removed));
out:
	if (d)
		closedir(d);
	json_decref(s.removed);
	refs_free(&refs);
	return e;
}

void media_prune_sweep(struct db *db, const struct media_ref *refs, size_t nrefs, int64_t now,
		       int (*stop)(void))
{
	struct media_prune_opts o = {.now = now, .grace = MEDIA_PRUNE_GRACE_DEFAULT, .stop = stop};
	struct media_prune_result r;
	if (!media_dir())
		return;
	media_prune(db, refs, nrefs, &o, &r);
	if (r.removed)
		log_info("removed %zu media files (%lld bytes) that nothing uses", r.removed,
			 (long long)r.bytes);
}

/* ----------------------------------------------------------------- job */

static struct {
	pthread_mutex_t mu;
	const struct media_ref *refs; /* NULL: not set, no sweep */
	size_t n;
} sweep_refs = {.mu = PTHREAD_MUTEX_INITIALIZER};

void media_sweep_refs_set(const struct media_ref *refs, size_t nrefs)
{
	pthread_mutex_lock(&sweep_refs.mu);
	sweep_refs.refs = refs;
	sweep_refs.n = nrefs;
	pthread_mutex_unlock(&sweep_refs.mu);
}

static void sweep_run(struct db *db, int64_t now, int (*stopping)(void))
{
	pthread_mutex_lock(&sweep_refs.mu);
	const struct media_ref *refs = sweep_refs.refs;
	size_t n = sweep_refs.n;
	pthread_mutex_unlock(&sweep_refs.mu);
	if (refs)
		media_prune_sweep(db, refs, n, now, stopping);
}

const struct job media_jobs[] = {
	{"media.prune", 3600, sweep_run},
};
const size_t media_njobs = HM_ARRAY_LEN(media_jobs);
