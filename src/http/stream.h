/*
 * stream.h — inside src/http/ only: the open streams of one server (the
 * bodies produced over time of http_res_stream), their caps, and the
 * thread that wakes parked streams. server.c is the only user.
 */
#ifndef HM_HTTP_STREAM_H
#define HM_HTTP_STREAM_H

#include <microhttpd.h>

#include "http/http.h"

struct streams;

/* The registry and its thread (all signals blocked in it). Caps and the
 * keep-alive interval as in struct server_config, already defaulted.
 * NULL when the thread cannot start. */
struct streams *streams_new(unsigned max, unsigned max_per_addr, unsigned keepalive_s);

enum stream_open {
	STREAM_OPENED,   /* *out is the response to queue (then destroy) */
	STREAM_FULL,     /* over a cap: answer 503 */
	STREAM_STOPPING, /* the server is stopping: answer 503 */
	STREAM_FAILED,   /* no response could be made */
};

/* A stream of ops/cls on connection c from client address addr.
 * Whatever the result, ops->close(cls) will have been (or, for
 * STREAM_OPENED, will be) called exactly once. */
enum stream_open streams_open(struct streams *ss, struct MHD_Connection *c, const char *addr,
			      const struct http_stream_ops *ops, void *cls,
			      struct MHD_Response **out);

/* Ends every stream (each sends what it has, then its end) and refuses
 * new ones; parks none from then on, so the daemon may be stopped once
 * the requests in flight are done. */
void streams_end(struct streams *ss);

/* Stops the thread and frees the registry. Call after MHD_stop_daemon
 * (which releases the last streams). */
void streams_free(struct streams *ss);

#endif
