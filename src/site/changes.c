/*
 * changes.c — a stream of the site's data changes (Server-Sent Events),
 * for pages that follow what others do (the live dialogue view): one
 * "event: change" with data {"version":N} each time the data version
 * moves (db_data_version: any commit, by this process or another), and
 * the server's keep-alive comments in between. The version is read about
 * once a second for all streams together, on the server's stream thread,
 * through one connection of its own: never on a worker thread, and never
 * once per stream. The version is a process-wide counter that only
 * grows, so a stream sends an event when it is above what it last sent.
 */
#include "db/db.h"
#include "http/http.h"
#include "site/web.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The one look at the data version shared by every stream. */
static struct {
	pthread_mutex_t mu;
	struct db *db;  /* opened on the first look, closed with the last stream */
	char *path;     /* of the database, from the first stream's request */
	size_t nstreams;
	int64_t looked; /* monotonic second of the last look */
	_Atomic uint64_t version;
} watch = {.mu = PTHREAD_MUTEX_INITIALIZER};

struct changes {
	_Atomic uint64_t sent; /* the version the client knows */
};

static int64_t mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* The data version, read at most once a second. */
static uint64_t watch_version(void)
{
	pthread_mutex_lock(&watch.mu);
	int64_t now = mono_s();
	if (now != watch.looked && watch.path) {
		char err[256];
		if (!watch.db &&
		    db_open(watch.path, DB_OPEN_EXISTING, 0, &watch.db, err, sizeof(err)) != HM_OK) {
			log_error("%s", err);
			watch.db = NULL;
		}
		if (watch.db)
			atomic_store(&watch.version, db_data_version(watch.db));
		watch.looked = now;
	}
	pthread_mutex_unlock(&watch.mu);
	return atomic_load(&watch.version);
}

static int changes_tick(void *cls)
{
	struct changes *ch = cls;
	return watch_version() > atomic_load(&ch->sent);
}

static int changes_fill(void *cls, struct buf *out)
{
	struct changes *ch = cls;
	uint64_t v = atomic_load(&watch.version);
	if (v > atomic_load(&ch->sent)) {
		buf_printf(out, "event: change\ndata: {\"version\":%llu}\n\n", (unsigned long long)v);
		atomic_store(&ch->sent, v);
	}
	return 0;
}

static void changes_close(void *cls)
{
	pthread_mutex_lock(&watch.mu);
	if (--watch.nstreams == 0) {
		db_close(watch.db);
		watch.db = NULL;
		free(watch.path);
		watch.path = NULL;
		watch.looked = 0;
	}
	pthread_mutex_unlock(&watch.mu);
	free(cls);
}

static const struct http_stream_ops changes_ops = {
	.tick = changes_tick,
	.fill = changes_fill,
	.close = changes_close,
	.keepalive = HTTP_SSE_KEEPALIVE,
};

enum hm_err web_changes_stream(struct http_req *req, struct http_res *res)
{
	struct changes *ch = xcalloc(1, sizeof(*ch));
	pthread_mutex_lock(&watch.mu);
	if (watch.nstreams++ == 0)
		watch.path = xstrdup(db_path(req->db));
	pthread_mutex_unlock(&watch.mu);
	/* The watch's first look on a new connection counts as a change (a
	 * connection cannot tell what happened before it opened): take it
	 * before noting what the client knows, or every stream would begin
	 * with an event for nothing. */
	watch_version();
	/* What the client knows is what it read before asking: the version now. */
	uint64_t now = db_data_version(req->db);
	atomic_store(&ch->sent, now);
	pthread_mutex_lock(&watch.mu);
	if (now > atomic_load(&watch.version)) /* the version only grows */
		atomic_store(&watch.version, now);
	pthread_mutex_unlock(&watch.mu);
	http_res_stream(res, &changes_ops, ch, "text/event-stream");
	return HM_OK;
}
