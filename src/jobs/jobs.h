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

#endif
