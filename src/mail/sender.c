/*
 * sender.c — mail's jobs for the scheduler (src/jobs/): delivering the
 * outbox off the request path, woken by mail_send through jobs_wake and
 * every few seconds anyway for retries that come due and for messages
 * queued by another process sharing the database; and, hourly, forgetting
 * old rate-limit counts. Where mail goes is set once by mail_config_set,
 * before the scheduler starts.
 */
#include "jobs/jobs.h"
#include "mail/mail_impl.h"
#include "db/db.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TICK 5           /* seconds between looks at the outbox when nobody wakes us */
#define PURGE_EVERY 3600 /* seconds between clean-ups of old rate-limit counts */
#define RATE_KEEP 86400  /* rate limits count at most a day back */

static struct {
	pthread_mutex_t mu;
	int set; /* under mu */
	char *smtp_url;
	char *dir;
	long timeout_s;
} config = {.mu = PTHREAD_MUTEX_INITIALIZER};

const char *mail_sender_where(char *out, size_t n)
{
	const char *r = NULL;
	pthread_mutex_lock(&config.mu);
	if (config.set) {
		if (config.smtp_url)
			mail_url_redacted(config.smtp_url, out, n);
		else
			snprintf(out, n, "%s", config.dir);
		r = out;
	}
	pthread_mutex_unlock(&config.mu);
	return r;
}

enum hm_err mail_config_set(const char *db_path, const struct mail_transport *t)
{
	char msg[256];
	if (t->smtp_url && mail_smtp_url_check(t->smtp_url, msg, sizeof(msg)) != HM_OK) {
		fprintf(stderr, "harmony: --smtp: %s\n", msg);
		return HM_EINVAL;
	}
	char *dir = t->dir ? xstrdup(t->dir) : mail_default_dir(db_path);
	if (!t->smtp_url && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "harmony: cannot make the outbox folder %s: %s\n", dir,
			strerror(errno));
		free(dir);
		return HM_EINVAL;
	}
	pthread_mutex_lock(&config.mu);
	free(config.smtp_url);
	free(config.dir);
	config.smtp_url = t->smtp_url ? xstrdup(t->smtp_url) : NULL;
	config.dir = dir;
	config.timeout_s = t->timeout_s;
	config.set = 1;
	pthread_mutex_unlock(&config.mu);
	if (t->smtp_url) {
		char shown[1024];
		mail_url_redacted(t->smtp_url, shown, sizeof(shown));
		log_info("mail goes through %s", shown);
	} else {
		log_info("mail is written to %s", dir);
	}
	return HM_OK;
}

void mail_config_clear(void)
{
	pthread_mutex_lock(&config.mu);
	free(config.smtp_url);
	free(config.dir);
	config.smtp_url = config.dir = NULL;
	config.set = 0;
	pthread_mutex_unlock(&config.mu);
}

/* One look at the outbox. Without a transport (no mail_config_set) the
 * messages wait. The strings stay valid during the run: the config is
 * cleared only after the scheduler has stopped. */
static void deliver_run(struct db *db, int64_t now, int (*stopping)(void))
{
	struct mail_transport t;
	(void)stopping; /* mail_deliver_due asks jobs_stopping itself */
	pthread_mutex_lock(&config.mu);
	int set = config.set;
	t = (struct mail_transport){.smtp_url = config.smtp_url, .dir = config.dir,
				    .timeout_s = config.timeout_s};
	pthread_mutex_unlock(&config.mu);
	if (set)
		mail_deliver_due(db, &t, now);
}

static void purge_run(struct db *db, int64_t now, int (*stopping)(void))
{
	(void)stopping;
	mail_rate_purge(db, now - RATE_KEEP);
}

const struct job mail_jobs[] = {
	{MAIL_JOB_DELIVER, TICK, deliver_run},
	{"mail.purge", PURGE_EVERY, purge_run},
};
const size_t mail_njobs = HM_ARRAY_LEN(mail_jobs);
