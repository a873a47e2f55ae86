/*
 * service.c — the dialogue's own threads while the server runs: the vote
 * committer (group commit, src/db/group.h: a vote is answered once it is
 * on disk, and the votes that arrive together share one synchronous
 * commit) and the analysis (the engine run off the request path, shortly
 * after changes, its result stored for the report, the live view and the
 * next statement). Each thread has its own connection.
 *
 * The analysis wakes when this instance changes a conversation (a vote,
 * a moderation…: dlg_touch), after a short pause that lets a burst finish
 * (so a busy room is analysed about three times a second, not once per
 * vote), and otherwise looks once a second for conversations changed by
 * other instances. It keeps the analyses it made in memory, so that new
 * votes are applied to them, not the whole conversation read again
 * (analysis.c, dlg_analyse_kept).
 */
#include "features/dialogue/dlg_internal.h"

#include "db/db.h"
#include "db/group.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <time.h>

/* After a wake, the analysis waits this long for the burst to end. */
#define ANALYSIS_DEBOUNCE_MS 300
/* Without a wake it looks this often. */
#define ANALYSIS_POLL_MS 1000

static struct db_group *votes;

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int running, stopping, woken;
	char *path;
} an = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

struct db_group *dlg_votes_group(void)
{
	return votes;
}

void dlg_analysis_wake(void)
{
	pthread_mutex_lock(&an.mu);
	if (!an.woken) {
		an.woken = 1;
		pthread_cond_signal(&an.cv);
	}
	pthread_mutex_unlock(&an.mu);
}

static void deadline_in(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static int stopping(void)
{
	pthread_mutex_lock(&an.mu);
	int stop = an.stopping;
	pthread_mutex_unlock(&an.mu);
	return stop;
}

/* Analyses every conversation whose analysis is older than its changes
 * (from the analysis kept in memory where it can: analysis.c), then the
 * full analyses the policy wants of those kept. */
static void analyse_stale(struct db *db, struct dlg_kept *kept)
{
	json_t *list = dlg_stale_conversations(db);
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c) {
		int64_t cid = json_integer_value(json_object_get(c, "id"));
		enum hm_err e = dlg_analyse_kept(db, kept, cid, time_now_s());
		if (e != HM_OK)
			log_error("conversation %lld: analysis not stored: %s", (long long)cid,
				  hm_err_str(e));
		if (stopping())
			break;
	}
	json_decref(list);
	if (!stopping())
		dlg_kept_refresh(db, kept, time_now_s(), stopping);
}

static void *analysis_main(void *arg)
{
	(void)arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	struct db *db = NULL;
	char err[512];
	struct dlg_kept *kept = dlg_kept_new(an.path, dlg_analysis_wake);
	/* tests: "live" applies votes live whatever their number or age, so
	 * that the live update is what they check; "full" wants a full
	 * analysis (in the background) after every vote */
	const char *policy = getenv("HARMONY_TEST_ANALYSIS");
	if (policy && str_eq(policy, "live"))
		dlg_kept_policy(kept, INFINITY, INT64_MAX);
	else if (policy && str_eq(policy, "full"))
		dlg_kept_policy(kept, 0, INT64_MAX);
	pthread_mutex_lock(&an.mu);
	while (!an.stopping) {
		struct timespec ts;
		deadline_in(&ts, ANALYSIS_POLL_MS);
		while (!an.woken && !an.stopping &&
		       pthread_cond_timedwait(&an.cv, &an.mu, &ts) == 0)
			;
		if (an.stopping)
			break;
		if (an.woken) {
			/* the rest of the burst comes in meanwhile */
			deadline_in(&ts, ANALYSIS_DEBOUNCE_MS);
			while (!an.stopping && pthread_cond_timedwait(&an.cv, &an.mu, &ts) == 0)
				;
			an.woken = 0;
		}
		pthread_mutex_unlock(&an.mu);
		if (!db && db_open(an.path, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)) != HM_OK) {
			log_error("dialogue analysis: %s", err);
			db = NULL;
		}
		if (db)
			analyse_stale(db, kept);
		pthread_mutex_lock(&an.mu);
	}
	pthread_mutex_unlock(&an.mu);
	dlg_kept_free(kept);
	db_close(db);
	return NULL;
}

enum hm_err dlg_service_start(const char *db_path)
{
	enum hm_err e = db_group_start(db_path, 0, &votes);
	if (e != HM_OK)
		return e;
	pthread_mutex_lock(&an.mu);
	an.stopping = 0;
	an.woken = 0;
	an.path = xstrdup(db_path);
	/* created with every signal blocked (see db_group_start) */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	an.running = pthread_create(&an.thread, NULL, analysis_main, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_unlock(&an.mu);
	if (!an.running) {
		dlg_service_stop();
		return HM_EINTERNAL;
	}
	return HM_OK;
}

void dlg_service_stop(void)
{
	/* votes first: what is queued is committed, and may wake the analysis */
	db_group_stop(votes);
	votes = NULL;
	pthread_mutex_lock(&an.mu);
	an.stopping = 1;
	pthread_cond_signal(&an.cv);
	int running = an.running;
	an.running = 0;
	pthread_mutex_unlock(&an.mu);
	if (running)
		pthread_join(an.thread, NULL);
	free(an.path);
	an.path = NULL;
}
