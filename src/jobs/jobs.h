/*
 * jobs.h — the server's one scheduler of background work: periodic jobs
 * (purges, the media sweep, mail delivery) and work deferred out of a
 * request (a job woken now). Each job is declared by the module or
 * feature it belongs to; the site gathers them and starts the scheduler
 * with the server. Jobs run one at a time on the scheduler's own thread
 * and database connection, off the request path.
 */
#ifndef HM_JOBS_H
#define HM_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct db;

struct job {
	const char *name;  /* for logs and jobs_wake: "mail.deliver" */
	unsigned every_s;  /* period in seconds; the first run is at start */
	/* One run at now (Unix seconds). A long run asks stopping() between
	 * two steps and returns early when it says 1. */
	void (*run)(struct db *db, int64_t now, int (*stopping)(void));
};

/* Starts the scheduler's thread on its own connection to db_path, with
 * every signal blocked in it (SIGTERM is for the main thread's sigwait).
 * jobs (n of them; the array is copied, the jobs must outlive the
 * scheduler: static tables) each run at start, in the order given, then
 * every every_s seconds (counted from the start of its last run), one at a
 * time — each turn only when jobs_claim takes it, so that instances on one
 * database (and an instance restarted within a period) run a job once a
 * period between them. HM_EEXIST when one runs already, HM_EDB (with a message on stderr)
 * when the database cannot be opened, HM_EINTERNAL when the thread cannot
 * start. */
enum hm_err jobs_start(const char *db_path, const struct job *const *jobs, size_t n);

/* Stops and joins the thread (a run in progress is asked to end through
 * jobs_stopping and finishes first), and closes its connection. No-op
 * when none runs. */
void jobs_stop(void);

/* Runs the job of that name as soon as the thread is free (work deferred
 * out of a request: "mail.deliver" after a message is queued), then on
 * its period from there. Any thread may call it. 0, or -1 when no
 * scheduler runs or no job has that name. */
int jobs_wake(const char *name);

/* Takes job j's periodic turn at now (wall-clock seconds) for this
 * instance: 1 when no instance sharing db has taken it within the last
 * every_s seconds (it is now due every_s - 1 seconds later), 0 when one
 * has, -1 when the database failed. In its own transaction. */
int jobs_claim(struct db *db, const struct job *j, int64_t now);

/* 1 once jobs_stop has been called (until the next jobs_start): a long
 * run should end early. 0 when no scheduler was ever started (a job's
 * function called directly, in a test or a CLI command). */
int jobs_stopping(void);

#endif
