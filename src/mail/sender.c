/*
 * sender.c — the background thread that delivers the outbox, off the
 * request path: woken by mail_send through a condition variable, and
 * every few seconds anyway for retries that come due and for messages
 * queued by another process sharing the database.
 */
#include "auth/auth.h"
#include "mail/mail_impl.h"
#include "db/db.h"
#include "media/media.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define TICK 5          /* seconds between looks at the outbox when nobody wakes us */
#define PURGE_EVERY 3600 /* seconds between clean-ups of old rate-limit counts */
#define RATE_KEEP 86400  /* rate limits count at most a day back */

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int running;  /* under mu */
	int woken;    /* under mu */
	atomic_int stop;
	char *db_path;
	char *smtp_url;
	char *dir;
	long timeout_s;
} sender = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

int mail_stopping(void)
{
	return atomic_load(&sender.stop);
}

void mail_wake(void)
{
	pthread_mutex_lock(&sender.mu);
	if (sender.running) {
		sender.woken = 1;
		pthread_cond_signal(&sender.cv);
	}
	pthread_mutex_unlock(&sender.mu);
}

const char *mail_sender_where(char *out, size_t n)
{
	const char *r = NULL;
	pthread_mutex_lock(&sender.mu);
	if (sender.running) {
		if (sender.smtp_url)
			mail_url_redacted(sender.smtp_url, out, n);
		else
			snprintf(out, n, "%s", sender.dir);
		r = out;
	}
	pthread_mutex_unlock(&sender.mu);
	return r;
}

static void *sender_main(void *arg)
{
	struct db *db = arg;
	struct mail_transport t = {.smtp_url = sender.smtp_url, .dir = sender.dir,
				   .timeout_s = sender.timeout_s};
	int64_t purged = 0;
	while (!mail_stopping()) {
		int64_t now = (int64_t)time(NULL);
		mail_deliver_due(db, &t, now);
		if (now - purged >= PURGE_EVERY) {
			/* The server's one background thread also clears expired
			 * sessions, spent reset tokens and old sign-in throttles,
			 * and removes the uploads nothing uses any more. */
			mail_rate_purge(db, now - RATE_KEEP);
			auth_purge(db, now);
			media_prune_sweep(db, now, mail_stopping);
			purged = now;
		}
		pthread_mutex_lock(&sender.mu);
		if (!sender.woken && !mail_stopping()) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += TICK;
			while (!sender.woken && !mail_stopping() &&
			       pthread_cond_timedwait(&sender.cv, &sender.mu, &until) != ETIMEDOUT)
				;
		}
		sender.woken = 0;
		pthread_mutex_unlock(&sender.mu);
	}
	db_close(db);
	return NULL;
}

enum hm_err mail_sender_start(const char *db_path, const struct mail_transport *t)
{
	char msg[256], err[512];
	struct db *db = NULL;
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
	pthread_mutex_lock(&sender.mu);
	if (sender.running) {
		pthread_mutex_unlock(&sender.mu);
		free(dir);
		return HM_EEXIST;
	}
	if (db_open(db_path, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)) != HM_OK) {
		pthread_mutex_unlock(&sender.mu);
		fprintf(stderr, "harmony: mail sender: %s\n", err);
		free(dir);
		return HM_EDB;
	}
	sender.db_path = xstrdup(db_path);
	sender.smtp_url = t->smtp_url ? xstrdup(t->smtp_url) : NULL;
	sender.dir = dir;
	sender.timeout_s = t->timeout_s;
	sender.woken = 1; /* look at once: messages may wait from before */
	atomic_store(&sender.stop, 0);
	/* The thread takes no signals: SIGTERM must reach the thread that
	 * waits for it to stop the server, not end the process here. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&sender.thread, NULL, sender_main, db);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_mutex_unlock(&sender.mu);
		db_close(db);
		fprintf(stderr, "harmony: cannot start the mail sender\n");
		return HM_EINTERNAL;
	}
	sender.running = 1;
	pthread_mutex_unlock(&sender.mu);
	if (t->smtp_url) {
		char shown[1024];
		mail_url_redacted(t->smtp_url, shown, sizeof(shown));
		log_info("mail goes through %s", shown);
	} else {
		log_info("mail is written to %s", dir);
	}
	return HM_OK;
}

void mail_sender_stop(void)
{
	pthread_mutex_lock(&sender.mu);
	if (!sender.running) {
		pthread_mutex_unlock(&sender.mu);
		return;
	}
	atomic_store(&sender.stop, 1);
	pthread_cond_signal(&sender.cv);
	pthread_mutex_unlock(&sender.mu);
	pthread_join(sender.thread, NULL);
	pthread_mutex_lock(&sender.mu);
	sender.running = 0;
	pthread_mutex_unlock(&sender.mu);
	free(sender.db_path);
	free(sender.smtp_url);
	free(sender.dir);
	sender.db_path = sender.smtp_url = sender.dir = NULL;
}
