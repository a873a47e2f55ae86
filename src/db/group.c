/*
 * group.c — group commit (group.h). Items queue on a list under a mutex;
 * the thread takes the whole list at once (oldest first), so the batch
 * grows by itself with the load: while one batch is being written, the
 * next one gathers.
 */
#include "db/group.h"
#include "db/db.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

struct db_group {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct db_group_item *head, *tail;
	int stopping;
	unsigned at_most;
	struct db *db;
	pthread_t thread;
};

/* Applies items [it, end) in one transaction. HM_OK: committed (each done
 * called with its own result); otherwise nothing was written and no done
 * was called. */
static enum hm_err apply_batch(struct db *db, struct db_group_item *it,
			       struct db_group_item *end)
{
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	size_t n = 0;
	for (struct db_group_item *x = it; x != end; x = x->next)
		n++;
	enum hm_err *res = xcalloc(n ? n : 1, sizeof(*res));
	size_t i = 0;
	for (struct db_group_item *x = it; x != end; x = x->next, i++) {
		res[i] = x->apply(db, x);
		if (res[i] == HM_EDB) {
			db_rollback(db);
			free(res);
			return HM_EDB;
		}
	}
	if ((e = db_commit(db)) != HM_OK) {
		free(res);
		return e;
	}
	i = 0;
	for (struct db_group_item *x = it, *next; x != end; x = next, i++) {
		next = x->next;
		x->done(x, res[i]);
	}
	free(res);
	return HM_OK;
}

static void run_batch(struct db *db, struct db_group_item *it)
{
	/* A failure sends the batch through again one item at a time, so the
	 * batch itself needs no savepoint before each write. */
	db_all_or_nothing(db, 1);
	enum hm_err e = apply_batch(db, it, NULL);
	db_all_or_nothing(db, 0);
	if (e == HM_OK)
		return;
	/* one at a time: only the item that fails is refused */
	for (struct db_group_item *next; it; it = next) {
		next = it->next;
		it->next = NULL;
		if (apply_batch(db, it, NULL) != HM_OK)
			it->done(it, HM_EDB);
	}
}

static void *group_main(void *arg)
{
	struct db_group *g = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&g->mu);
	for (;;) {
		while (!g->head && !g->stopping)
			pthread_cond_wait(&g->cv, &g->mu);
		if (!g->head)
			break;
		/* at most at_most items; the rest wait for the next batch */
		struct db_group_item *batch = g->head, *last = g->head;
		for (unsigned n = 1; n < g->at_most && last->next; n++)
			last = last->next;
		g->head = last->next;
		if (!g->head)
			g->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&g->mu);
		run_batch(g->db, batch);
		pthread_mutex_lock(&g->mu);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

enum hm_err db_group_start(const char *db_path, unsigned at_most, struct db_group **out)
{
	*out = NULL;
	char err[512];
	struct db *db;
	if (db_open(db_path, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)) != HM_OK) {
		log_error("%s", err);
		return HM_EDB;
	}
	if (db_durable(db) != HM_OK) {
		db_close(db);
		return HM_EDB;
	}
	struct db_group *g = xcalloc(1, sizeof(*g));
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->at_most = at_most ? at_most : 1024;
	g->db = db;
	/* created with every signal blocked, so none can reach it before it
	 * blocks them itself: SIGTERM is for the thread that stops the server */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&g->thread, NULL, group_main, g);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		db_close(db);
		pthread_cond_destroy(&g->cv);
		pthread_mutex_destroy(&g->mu);
		free(g);
		return HM_EINTERNAL;
	}
	*out = g;
	return HM_OK;
}

void db_group_submit(struct db_group *g, struct db_group_item *it)
{
	it->next = NULL;
	pthread_mutex_lock(&g->mu);
	if (g->tail)
		g->tail->next = it;
	else
		g->head = it;
	g->tail = it;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

void db_group_stop(struct db_group *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->mu);
	g->stopping = 1;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->thread, NULL);
	db_close(g->db);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}
