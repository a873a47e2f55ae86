/*
 * mail_impl.h — what the files of src/mail/ share and nobody else needs:
 * time stamps, the delivery of one composed message (transport.c) and
 * the sender's stop flag (sender.c).
 */
#ifndef HM_MAIL_IMPL_H
#define HM_MAIL_IMPL_H

#include "mail/mail.h"

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

/* 1 once mail_sender_stop has been called: long work should end. */
int mail_stopping(void);

#endif
