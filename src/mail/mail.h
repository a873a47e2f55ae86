/*
 * mail.h — e-mail through one outbox. mail_send composes nothing yet: it
 * queues the parts of a message in the mail_outbox table and wakes the
 * delivery job (on the scheduler's thread, src/jobs/), which composes each message (RFC 5322, UTF-8,
 * MIME) and delivers it through an SMTP relay or, without one, as a .eml
 * file in an outbox folder, retrying with growing delays and keeping a
 * status per message: queued, sending, sent, failed (with the error).
 *
 * Times: functions that depend on the clock take `now` (Unix seconds).
 * Secrets: a message may name a secret (the token of a reset link): it is
 * never shown by mail_get and is erased from the stored body once the
 * message is delivered or has finally failed.
 */
#ifndef HM_MAIL_H
#define HM_MAIL_H

#include <jansson.h>
#include <stdint.h>

#include "core/core.h"
#include "jobs/jobs.h"

struct db;
struct principal;

#define MAIL_SUBJECT_MAX 300       /* bytes */
#define MAIL_BODY_MAX (256 * 1024) /* bytes */
#define MAIL_ATTEMPTS_MAX 8        /* then the message is failed */
#define MAIL_RETRY_FIRST 60        /* seconds before the 2nd attempt; doubles each time */
#define MAIL_SECRET_MASK "…"      /* what a secret reads as once hidden or erased */

/* ========================================================== composing */

/* The parts of one message. Strings are UTF-8; the body has \n or \r\n
 * line ends. */
struct mail_parts {
	const char *from;       /* "Name <addr@host>" or "addr@host" */
	const char *to;         /* addr@host */
	const char *to_name;    /* NULL or "" for none */
	const char *subject;
	const char *text;       /* the plain-text body */
	int64_t date;           /* seconds since the epoch, UTC */
	const char *message_id; /* "<unique@host>" */
	/* one text file attached (an event's .ics), or all NULL */
	const char *attachment_name, *attachment_type, *attachment;
};

/* Appends the whole message to out: headers (Date, From, To, Subject,
 * Message-ID, MIME-Version, Content-Type text/plain UTF-8,
 * Content-Transfer-Encoding quoted-printable, Auto-Submitted), an empty
 * line, the body; CRLF line ends, no line over 78 characters except an
 * unbreakable header word. Non-ASCII in names and the subject becomes
 * RFC 2047 encoded words cut at character boundaries. HM_EINVAL (nothing
 * appended) when an address is malformed or a text has a line break where
 * none may be. */
enum hm_err mail_compose(const struct mail_parts *m, struct buf *out);

/* The pieces mail_compose is made of, for the tests. */
/* Appends "Name: value" folded at 78 characters, non-ASCII or "=?"
 * runs as encoded words; phrase != 0 quotes ASCII specials for a
 * display name. */
void mail_header_text(struct buf *out, const char *name, const char *value, int phrase);
/* Appends text as quoted-printable with CRLF line ends (RFC 2045). */
void mail_qp_encode(struct buf *out, const char *text);
/* "Thu, 29 Nov 2012 08:30:00 +0000" into out (at least 32 bytes). */
void mail_date(int64_t t, char out[32]);
/* Splits "Name <addr>" or "addr" into its parts (name may come back
 * empty): addr is checked as auth_email_normalise does and must be ASCII.
 * HM_EINVAL otherwise. */
enum hm_err mail_address_split(const char *s, char *name, size_t namelen, char *addr,
			       size_t addrlen);

/* ============================================================ outbox */

struct mail_opts {
	const char *to_name; /* the recipient's display name, or NULL */
	const char *secret;  /* a substring of the body to hide and erase, or NULL */
	/* one UTF-8 text file sent with it: "event.ics", "text/calendar", its
	 * content; NULL: none */
	const char *attachment_name, *attachment_type, *attachment;
};

/* Queues a message to `to` with the site's sender (site setting
 * "mail_from", under site_name when it is an address alone, else
 * "site_name <noreply@HOST>"), dated now, and wakes the
 * delivery job. Joins the caller's transaction if there is one. HM_EINVAL when
 * the address is not a plain ASCII address, the subject is empty, over
 * MAIL_SUBJECT_MAX or has a line break, or the body is over MAIL_BODY_MAX
 * or not UTF-8. *id_out (optional) is the message's id. */
enum hm_err mail_send(struct db *db, const char *to, const char *subject, const char *text_body,
		      const struct mail_opts *opts, int64_t now, int64_t *id_out);

/* Messages, newest first: [{id, recipient, recipient_name, subject,
 * status, attempts, last_error, created_at, sent_at, delivered_to}…]
 * (delivered_to: the relay's URL, or the file a message was written to), at most limit from
 * offset; status NULL for all. *total (optional) counts them all. Caller
 * owns the result. */
json_t *mail_list(struct db *db, const char *status, int limit, int offset, int64_t *total);

/* One message with its body and the source as it is (or will be) sent,
 * the secret masked; NULL when there is none. Caller owns it. */
json_t *mail_get(struct db *db, int64_t id);

/* Queues a queued or failed message again for now (attempts start over);
 * audited as "mail.retry". HM_EFORBIDDEN unless actor may AUTH_SITE_ADMIN,
 * HM_ENOTFOUND, HM_ECONFLICT when it is sent or being sent. */
enum hm_err mail_retry(struct db *db, const struct principal *actor, int64_t id, int64_t now);

/* Counts one event under key (any string; only its digest is stored) and
 * says whether it is allowed: 1 when fewer than max were counted in the
 * last window seconds (and this one is then counted), 0 when not, -1 on
 * a storage error. For "at most 3 reset links an hour per address". */
int mail_rate_take(struct db *db, const char *key, int max, int64_t window, int64_t now);

/* ============================================================ sending */

/* Where messages go: an SMTP relay ("smtp://host:port", "smtps://…",
 * credentials as "smtp://user:password@host") or, when smtp_url is NULL,
 * .eml files in dir (created if missing). */
struct mail_transport {
	const char *smtp_url;
	const char *dir;
	long timeout_s;       /* 0: 30 s */
};

/* HM_OK if url is an smtp:// or smtps:// URL this build can use. msg
 * receives why not. */
enum hm_err mail_smtp_url_check(const char *url, char *msg, size_t msglen);

/* The outbox folder for a database when none is given: "outbox" beside
 * the database file. Caller frees. */
char *mail_default_dir(const char *db_path);

/* Tries every message due at now once (claiming each, so two senders never
 * send one message twice), and releases claims older than ten minutes
 * (a sender that died). Returns the number delivered. */
int mail_deliver_due(struct db *db, const struct mail_transport *t, int64_t now);

/* Sets where the scheduler's delivery job sends mail (copies the
 * strings; a second call replaces the first). HM_EINVAL (with a message
 * on stderr) for a bad URL or an outbox folder that cannot be made. Call
 * before the scheduler starts. */
enum hm_err mail_config_set(const char *db_path, const struct mail_transport *t);
/* Forgets it; after the scheduler has stopped. */
void mail_config_clear(void);
/* Where mail goes, for the outbox page: "smtp://host:port" (no
 * credentials) or the folder; NULL when none is set. Copied into out. */
const char *mail_sender_where(char *out, size_t n);

/* Mail's jobs for the scheduler (src/jobs/jobs.h): MAIL_JOB_DELIVER, every
 * few seconds and whenever mail_send queues a message (jobs_wake), and
 * the hourly purge of old rate-limit counts. */
#define MAIL_JOB_DELIVER "mail.deliver"
extern const struct job mail_jobs[];
extern const size_t mail_njobs;

#endif
