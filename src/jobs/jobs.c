/*
 * jobs.c — the scheduler: one thread, its own database connection, a
 * table of jobs declared by the modules they belong to. Each job runs at
 * start, then every every_s seconds; jobs_wake runs one at once. Jobs run
 * one at a time, in table order when several are due, off the request
 * path. Times for the schedule are monotonic, so a change of the clock
 * neither stops nor floods it; a job is told the wall-clock time.
 * Instances that share a database (several on one PostgreSQL) share the
 * periods too: a periodic turn runs only on the instance that claims it
 * in job_schedule. A woken job runs at once on the instance that woke it;
 * such jobs claim their own rows (the outbox's messages).
 */
#include "jobs/jobs.h"
#include "db/db.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* on CLOCK_MONOTONIC */
	pthread_t thread;
	atomic_int stop;
	/* Under mu: */
	int running;
	const struct job **jobs;
	size_t n;
	int64_t *due;   /* monotonic ms of each job's next run */
	unsigned char *woken;
} sched = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int jobs_stopping(void)
{
	return atomic_load(&sched.stop);
}

int jobs_wake(const char *name)
{
	int found = -1;
	pthread_mutex_lock(&sched.mu);
	for (size_t i = 0; sched.running && i < sched.n; i++) {
		if (strcmp(sched.jobs[i]->name, name) == 0) {
			sched.woken[i] = 1;
			pthread_cond_signal(&sched.cv);
			found = 0;
			break;
		}
	}
	pthread_mutex_unlock(&sched.mu);
	return found;
}

static const char SQL_SCHEDULE_ADD[] =
	"INSERT INTO job_schedule (name, due_at) VALUES (?, 0) ON CONFLICT (name) DO NOTHING";
static const char SQL_SCHEDULE_TAKE[] =
	"UPDATE job_schedule SET due_at = ? WHERE name = ? AND due_at <= ?";

int jobs_claim(struct db *db, const struct job *j, int64_t now)
{
	/* A second of slack: the wall clock and the monotonic schedule may
	 * disagree by that much, and one instance must not skip its own turn. */
	int64_t next = now + (int64_t)j->every_s - 1;
	struct db_stmt *st;
	if (db_begin(db) != HM_OK)
		return -1;
	if (!(st = db_prepare(db, SQL_SCHEDULE_ADD)))
		goto fail;
	db_bind_text(st, 1, j->name);
	if (db_run(st) != HM_OK || !(st = db_prepare(db, SQL_SCHEDULE_TAKE)))
		goto fail;
	db_bind_int(st, 1, next);
	db_bind_text(st, 2, j->name);
	db_bind_int(st, 3, now);
	if (db_run(st) != HM_OK)
		goto fail;
	int taken = db_changes(db) == 1;
	if (db_commit(db) != HM_OK)
		return -1;
	return taken;
fail:
	db_rollback(db);
	return -1;
}

/* The first job woken or due by now (woken first), or n; under mu. */
static size_t next_job(int64_t now, int64_t *earliest)
{
	size_t pick = sched.n;
	*earliest = INT64_MAX;
	for (size_t i = 0; i < sched.n; i++) {
		if (sched.woken[i])
			return i;
		if (sched.due[i] <= now && pick == sched.n)
			pick = i;
		if (sched.due[i] < *earliest)
			*earliest = sched.due[i];
	}
	return pick;
}

static void *jobs_main(void *arg)
{
	struct db *db = arg;
	pthread_mutex_lock(&sched.mu);
	while (!jobs_stopping()) {
		int64_t now = mono_ms(), earliest;
		size_t i = next_job(now, &earliest);
		if (i < sched.n) {
			const struct job *j = sched.jobs[i];
			int woken = sched.woken[i];
			sched.woken[i] = 0;
			sched.due[i] = now + (int64_t)j->every_s * 1000;
			pthread_mutex_unlock(&sched.mu);
			int64_t wall = (int64_t)time(NULL);
			/* A turn another instance has taken is skipped; one the
			 * database cannot say about is too (the job would fail). */
			if (woken || jobs_claim(db, j, wall) == 1)
				j->run(db, wall, jobs_stopping);
			pthread_mutex_lock(&sched.mu);
			continue;
		}
		struct timespec until = {.tv_sec = (time_t)(earliest / 1000),
					 .tv_nsec = (long)(earliest % 1000) * 1000000};
		int rc = pthread_cond_timedwait(&sched.cv, &sched.mu, &until);
		assert(rc == 0 || rc == ETIMEDOUT); /* EINVAL would mean a bad time: a bug */
		(void)rc;
	}
	pthread_mutex_unlock(&sched.mu);
	db_close(db);
	return NULL;
}

enum hm_err jobs_start(const char *db_path, const struct job *const *jobs, size_t n)
{
	char err[512];
	struct db *db = NULL;
	pthread_mutex_lock(&sched.mu);
	if (sched.running) {
		pthread_mutex_unlock(&sched.mu);
		return HM_EEXIST;
	}
	if (db_open(db_path, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)) != HM_OK) {
		pthread_mutex_unlock(&sched.mu);
		fprintf(stderr, "harmony: jobs: %s\n", err);
		return HM_EDB;
	}
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sched.cv, &ca);
	pthread_condattr_destroy(&ca);
	sched.jobs = xcalloc(n ? n : 1, sizeof(*sched.jobs));
	sched.due = xcalloc(n ? n : 1, sizeof(*sched.due));
	sched.woken = xcalloc(n ? n : 1, 1);
	int64_t now = mono_ms();
	for (size_t i = 0; i < n; i++) {
		assert(jobs[i] && jobs[i]->name && jobs[i]->run && jobs[i]->every_s > 0);
		sched.jobs[i] = jobs[i];
		sched.due[i] = now; /* every job runs at start */
	}
	sched.n = n;
	atomic_store(&sched.stop, 0);
	/* The thread takes no signals: SIGTERM must reach the thread that
	 * waits for it to stop the server, not end the process here. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&sched.thread, NULL, jobs_main, db);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		free(sched.jobs);
		free(sched.due);
		free(sched.woken);
		sched.jobs = NULL;
		sched.n = 0;
		pthread_cond_destroy(&sched.cv);
		pthread_mutex_unlock(&sched.mu);
		db_close(db);
		fprintf(stderr, "harmony: cannot start the scheduler: %s\n", strerror(rc));
		return HM_EINTERNAL;
	}
	sched.running = 1;
	pthread_mutex_unlock(&sched.mu);
	return HM_OK;
}

void jobs_stop(void)
{
	pthread_mutex_lock(&sched.mu);
	if (!sched.running) {
		pthread_mutex_unlock(&sched.mu);
		return;
	}
	atomic_store(&sched.stop, 1);
	pthread_cond_signal(&sched.cv);
	pthread_mutex_unlock(&sched.mu);
	pthread_join(sched.thread, NULL);
	pthread_mutex_lock(&sched.mu);
	sched.running = 0;
	free(sched.jobs);
	free(sched.due);
	free(sched.woken);
	sched.jobs = NULL;
	sched.due = NULL;
	sched.woken = NULL;
	sched.n = 0;
	pthread_cond_destroy(&sched.cv);
	pthread_mutex_unlock(&sched.mu);
}
