/*
 * mail_impl.h — what the files of src/mail/ share and nobody else needs:
 * time stamps, the delivery of one composed message (transport.c) and libcurl, loaded on first use
 * (curl_load.c).
 */
#ifndef HM_MAIL_IMPL_H
#define HM_MAIL_IMPL_H

#include "mail/mail.h"

#include <curl/curl.h>

/* "2012-11-29T08:30:00Z" (UTC; such stamps compare as strings). */
#define MAIL_TS_SIZE 32
void mail_ts(int64_t t, char out[MAIL_TS_SIZE]);

/* The result of one delivery attempt. */
struct mail_result {
	int ok;             /* delivered */
	int permanent;      /* refused for good (an SMTP 5xx answer): no retry */
	char error[512];    /* why not, for the outbox page; never a password */
	char where[1024];   /* the relay (without credentials) or the file written */
};

/* Delivers one composed message (CRLF line ends) from from_addr to
 * to_addr through t. name_hint names a .eml file ("20121129T083000Z-42").
 * Fills r; never blocks longer than the transport's timeout, and gives up
 * early when the sender is stopping. */
void mail_transport_deliver(const struct mail_transport *t, const char *from_addr,
			    const char *to_addr, const char *msg, size_t len,
			    const char *name_hint, struct mail_result *r);

/* Forgets rate-limit counts older than before, whatever their key
 * (counts of keys never seen again would otherwise stay). */
void mail_rate_purge(struct db *db, int64_t before);

/* The relay's URL without its credentials: "smtp://host:port". */
void mail_url_redacted(const char *url, char *out, size_t n);

/* libcurl, opened with dlopen on the first SMTP delivery (curl_load.c)
 * rather than linked, so its many dependencies cost nothing to the
 * processes that never send by SMTP. Types come from <curl/curl.h>;
 * calls go through this table, named without the "curl_" prefix. */
#define MAIL_CURL_SONAME "libcurl.so.4"
struct curl_fns {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode rc);
	void (*easy_cleanup)(CURL *c);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
};

/* Loads and initialises libcurl, once per process (any thread may call;
 * the first does the work). Returns the table, or NULL when the library
 * or one of its functions is missing: then *why (when given) says so for
 * the outbox, and the reason was logged once. */
const struct curl_fns *mail_curl(const char **why);

/* Tests only: load soname instead of MAIL_CURL_SONAME. Returns 0, or -1
 * when loading was already tried and the name can no longer matter. */
int mail_curl_use_soname(const char *soname);

#endif
