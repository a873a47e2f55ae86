/*
 * stream.c — bodies produced over time (http_res_stream), without a
 * worker thread held while a stream waits. Each stream is a libmicrohttpd
 * response of unknown size (chunked) whose content reader hands out what
 * the stream's fill made; with nothing to hand out it suspends its
 * connection (MHD_suspend_connection, which the reader may call for a
 * response it does not share) and returns 0. One thread per server looks
 * at the parked streams about once a second and resumes those whose tick
 * says there is something, or whose keep-alive is due.
 *
 * The rule that makes suspend and resume safe: a stream is parked and
 * resumed only under the registry's lock, and "parked" is set in the same
 * locked section that suspends, so the thread never resumes a connection
 * that is not suspended; once the registry is ending nothing parks again,
 * so the daemon is never stopped with a suspended connection (an API
 * violation in libmicrohttpd).
 */
#include "http/stream.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TICK_MS 1000
#define BLOCK_SIZE 4096

struct stream {
	struct streams *ss;
	struct MHD_Connection *conn;
	const struct http_stream_ops *ops;
	void *cls;
	char *addr;
	/* The content reader's own (libmicrohttpd calls it for one
	 * connection at a time): */
	struct buf out; /* made by fill, not yet handed out */
	size_t off;     /* of out, handed out */
	int started;
	int over;       /* fill said so, or the registry is ending */
	/* Under ss->mu: */
	int parked;        /* suspended; only the thread or streams_end resumes it */
	int woken;         /* tick said there is something */
	int keepalive_due; /* nothing was sent for the keep-alive interval */
	int64_t last_sent; /* monotonic seconds */
	struct stream *prev, *next;
};

struct streams {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	unsigned max, max_per_addr, keepalive_s;
	/* Under mu: */
	int stop_thread;
	int ending;
	size_t n;
	struct stream *head;
};

static int64_t mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* ------------------------------------------------------ content reader */

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	struct streams *ss = s->ss;
	(void)pos;
	for (;;) {
		assert(s->off <= s->out.len);
		if (s->off < s->out.len) {
			size_t n = s->out.len - s->off;
			if (n > max)
				n = max;
			memcpy(buf, s->out.data + s->off, n);
			s->off += n;
			if (s->off == s->out.len) {
				buf_reset(&s->out);
				s->off = 0;
			}
			pthread_mutex_lock(&ss->mu);
			s->last_sent = mono_s();
			pthread_mutex_unlock(&ss->mu);
			return (ssize_t)n;
		}
		if (s->over)
			return MHD_CONTENT_READER_END_OF_STREAM;

		pthread_mutex_lock(&ss->mu);
		if (ss->ending) {
			pthread_mutex_unlock(&ss->mu);
			s->over = 1;
			continue;
		}
		int first = !s->started, woken = s->woken || first, keep = s->keepalive_due;
		s->woken = s->keepalive_due = 0;
		if (!woken && !keep) {
			/* Nothing to send: park until the thread resumes us. */
			s->parked = 1;
			MHD_suspend_connection(s->conn);
			pthread_mutex_unlock(&ss->mu);
			return 0;
		}
		pthread_mutex_unlock(&ss->mu);

		s->started = 1;
		if (woken && s->ops->fill(s->cls, &s->out) != 0)
			s->over = 1;
		/* A keep-alive when due, and at the start so the headers go out. */
		if (s->out.len == 0 && (keep || first) && s->ops->keepalive)
			buf_puts(&s->out, s->ops->keepalive);
	}
}

/* Called by libmicrohttpd when the response is released: the stream is
 * over (ended, client gone, or the daemon stopped). */
static void stream_free(void *cls)
{
	struct stream *s = cls;
	struct streams *ss = s->ss;
	pthread_mutex_lock(&ss->mu);
	if (s->prev)
		s->prev->next = s->next;
	else
		ss->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	ss->n--;
	pthread_mutex_unlock(&ss->mu);
	if (s->ops->close)
		s->ops->close(s->cls);
	buf_free(&s->out);
	free(s->addr);
	free(s);
}

/* ------------------------------------------------------------ registry */

enum stream_open streams_open(struct streams *ss, struct MHD_Connection *c, const char *addr,
			      const struct http_stream_ops *ops, void *cls,
			      struct MHD_Response **out)
{
	enum stream_open r = STREAM_OPENED;
	size_t same = 0;
	*out = NULL;
	if (!addr)
		addr = "";
	pthread_mutex_lock(&ss->mu);
	for (struct stream *o = ss->head; o; o = o->next)
		same += strcmp(o->addr, addr) == 0;
	if (ss->ending)
		r = STREAM_STOPPING;
	else if (ss->n >= ss->max || same >= ss->max_per_addr)
		r = STREAM_FULL;
	if (r != STREAM_OPENED) {
		pthread_mutex_unlock(&ss->mu);
		if (ops->close)
			ops->close(cls);
		return r;
	}
	struct stream *s = xcalloc(1, sizeof(*s));
	s->ss = ss;
	s->conn = c;
	s->ops = ops;
	s->cls = cls;
	s->addr = xstrdup(addr);
	buf_init(&s->out);
	s->last_sent = mono_s();
	s->next = ss->head;
	if (ss->head)
		ss->head->prev = s;
	ss->head = s;
	ss->n++;
	pthread_mutex_unlock(&ss->mu);

	*out = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, BLOCK_SIZE, stream_read, s,
						 stream_free);
	if (!*out) {
		stream_free(s);
		return STREAM_FAILED;
	}
	return STREAM_OPENED;
}

/* Resumes a parked stream; under ss->mu. */
static void unpark(struct stream *s)
{
	assert(s->parked); /* resuming a connection not suspended is undefined in MHD */
	s->parked = 0;
	MHD_resume_connection(s->conn);
}

static void *streams_main(void *arg)
{
	struct streams *ss = arg;
	pthread_mutex_lock(&ss->mu);
	while (!ss->stop_thread) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += TICK_MS / 1000;
		while (!ss->stop_thread &&
		       pthread_cond_timedwait(&ss->cv, &ss->mu, &until) != ETIMEDOUT)
			;
		if (ss->stop_thread)
			break;
		int64_t now = mono_s();
		for (struct stream *s = ss->head; s; s = s->next) {
			if (!s->parked)
				continue;
			int due = now - s->last_sent >= (int64_t)ss->keepalive_s;
			int has = s->ops->tick && s->ops->tick(s->cls);
			if (due || has) {
				s->keepalive_due = due;
				s->woken = has;
				unpark(s);
			}
		}
	}
	pthread_mutex_unlock(&ss->mu);
	return NULL;
}

struct streams *streams_new(unsigned max, unsigned max_per_addr, unsigned keepalive_s)
{
	struct streams *ss = xcalloc(1, sizeof(*ss));
	ss->max = max;
	ss->max_per_addr = max_per_addr;
	ss->keepalive_s = keepalive_s;
	pthread_mutex_init(&ss->mu, NULL);
	pthread_cond_init(&ss->cv, NULL);
	/* The thread takes no signals: SIGTERM is for the main thread's sigwait. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&ss->thread, NULL, streams_main, ss);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_error("pthread_create: %s", strerror(rc));
		pthread_cond_destroy(&ss->cv);
		pthread_mutex_destroy(&ss->mu);
		free(ss);
		return NULL;
	}
	return ss;
}

void streams_end(struct streams *ss)
{
	pthread_mutex_lock(&ss->mu);
	ss->ending = 1;
	for (struct stream *s = ss->head; s; s = s->next)
		if (s->parked)
			unpark(s);
	pthread_mutex_unlock(&ss->mu);
}

void streams_free(struct streams *ss)
{
	if (!ss)
		return;
	pthread_mutex_lock(&ss->mu);
	ss->stop_thread = 1;
	pthread_cond_signal(&ss->cv);
	pthread_mutex_unlock(&ss->mu);
	pthread_join(ss->thread, NULL);
	if (ss->n)
		log_warn("%zu streams still open at shutdown", ss->n);
	pthread_cond_destroy(&ss->cv);
	pthread_mutex_destroy(&ss->mu);
	free(ss);
}
