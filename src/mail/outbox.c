/*
 * outbox.c — the mail_outbox table: queueing a message, listing and
 * showing messages (secrets masked), retrying one, counting requests for
 * rate limits, and one pass of delivery (claim, compose, send, record),
 * which the scheduler runs as the job "mail.deliver" (sender.c).
 */
#include "mail/mail_impl.h"
#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "jobs/jobs.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CLAIM_STALE 600 /* a claim older than this is from a sender that died */
#define PASS_MAX 50     /* messages per pass, so a stop is noticed between passes */

enum mail_sql {
	SQL_SETTING,
	SQL_INSERT,
	SQL_LIST_ALL,
	SQL_LIST_STATUS,
	SQL_COUNT_ALL,
	SQL_COUNT_STATUS,
	SQL_GET,
	SQL_RETRY,
	SQL_RELEASE_STALE,
	SQL_NEXT_DUE,
	SQL_CLAIM,
	SQL_SENT,
	SQL_AGAIN,
	SQL_FAILED,
	SQL_RATE_PURGE,
	SQL_RATE_COUNT,
	SQL_RATE_INSERT,
	SQL_RATE_PURGE_ALL,
	MAIL_SQL__MAX
};

#define LIST_COLS                                                                             \
	"id, recipient, recipient_name, subject, status, attempts, last_error, created_at, " \
	"sent_at, delivered_to "
/* A secret is erased from the body once it has done its work. */
#define ERASE_SECRET                                                                          \
	"body = CASE WHEN secret IS NULL OR secret = '' THEN body "                           \
	"ELSE replace(body, secret, '" MAIL_SECRET_MASK "') END, secret = NULL"

static const char *const mail_sql[MAIL_SQL__MAX] = {
	[SQL_SETTING] = "SELECT value FROM site_setting WHERE key = ?",
	[SQL_INSERT] = "INSERT INTO mail_outbox (message_id, from_addr, recipient, recipient_name, "
		       "subject, body, secret, status, attempts, created_at, next_attempt_at, "
		       "attachment_name, attachment_type, attachment) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?)",
	[SQL_LIST_ALL] = "SELECT " LIST_COLS "FROM mail_outbox ORDER BY id DESC LIMIT ? OFFSET ?",
	[SQL_LIST_STATUS] = "SELECT " LIST_COLS "FROM mail_outbox WHERE status = ? "
			    "ORDER BY id DESC LIMIT ? OFFSET ?",
	[SQL_COUNT_ALL] = "SELECT count(*) FROM mail_outbox",
	[SQL_COUNT_STATUS] = "SELECT count(*) FROM mail_outbox WHERE status = ?",
	[SQL_GET] = "SELECT " LIST_COLS ", message_id, from_addr, body, secret, next_attempt_at, "
		    "attachment_name, attachment_type, attachment FROM mail_outbox WHERE id = ?",
	[SQL_RETRY] = "UPDATE mail_outbox SET status = 'queued', attempts = 0, next_attempt_at = ? "
		      "WHERE id = ? AND status IN ('queued', 'failed')",
	[SQL_RELEASE_STALE] = "UPDATE mail_outbox SET status = 'queued', claimed_at = NULL "
			      "WHERE status = 'sending' AND claimed_at <= ?",
	[SQL_NEXT_DUE] = "SELECT id FROM mail_outbox WHERE status = 'queued' AND "
			 "next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1",
	[SQL_CLAIM] = "UPDATE mail_outbox SET status = 'sending', claimed_at = ? "
		      "WHERE id = ? AND status = 'queued'",
	[SQL_SENT] = "UPDATE mail_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, "
		     "last_error = NULL, delivered_to = ?, claimed_at = NULL, " ERASE_SECRET
		     " WHERE id = ?",
	[SQL_AGAIN] = "UPDATE mail_outbox SET status = 'queued', attempts = attempts + 1, "
		      "last_error = ?, next_attempt_at = ?, claimed_at = NULL WHERE id = ?",
	[SQL_FAILED] = "UPDATE mail_outbox SET status = 'failed', attempts = attempts + 1, "
		       "last_error = ?, claimed_at = NULL, " ERASE_SECRET " WHERE id = ?",
	[SQL_RATE_PURGE] = "DELETE FROM mail_rate WHERE rate_key = ? AND at <= ?",
	[SQL_RATE_COUNT] = "SELECT count(*) FROM mail_rate WHERE rate_key = ?",
	[SQL_RATE_INSERT] = "INSERT INTO mail_rate (rate_key, at) VALUES (?, ?)",
	[SQL_RATE_PURGE_ALL] = "DELETE FROM mail_rate WHERE at <= ?",
};

static struct db_stmt *prep(struct db *db, enum mail_sql i)
{
	return db_prepare(db, mail_sql[i]);
}

void mail_ts(int64_t t, char out[MAIL_TS_SIZE])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, MAIL_TS_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A site setting, copied (caller frees), or NULL. */
static char *setting(struct db *db, const char *key)
{
	struct db_stmt *st = prep(db, SQL_SETTING);
	char *v = NULL;
	if (!st)
		return NULL;
	db_bind_text(st, 1, key);
	if (db_step(st) == 1 && db_col_text(st, 0) && *db_col_text(st, 0))
		v = xstrdup(db_col_text(st, 0));
	db_done(st);
	return v;
}

/* 1 if s can be the display name of "s <addr>" as it is. */
static int name_usable(const char *s)
{
	if (!s || !*s || strpbrk(s, "<>\"\\") || strlen(s) > AUTH_NAME_MAX ||
	    !utf8_valid(s, strlen(s)))
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* The sender of the site's mail: the "mail_from" setting when it is a
 * usable address (under the site's name when it names no one), else the site's name at noreply@ this host (or at
 * harmony.invalid, which says plainly that mail_from needs setting).
 * Caller frees. */
static char *site_from(struct db *db)
{
	char name[AUTH_NAME_MAX + 1], addr[AUTH_EMAIL_MAX + 1], host[256];
	char *v = setting(db, "mail_from");
	if (v && mail_address_split(v, name, sizeof(name), addr, sizeof(addr)) == HM_OK) {
		if (*name)
			return v;
		/* An address alone goes out under the site's name. */
		char *site = setting(db, "site_name");
		char *from = name_usable(site) ? xasprintf("%s <%s>", site, addr) : xstrdup(addr);
		free(site);
		free(v);
		return from;
	}
	if (v)
		log_warn("the site setting mail_from is not an address; using a default");
	free(v);
	const char *domain = "harmony.invalid";
	char *probe = NULL;
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		probe = xasprintf("noreply@%s", host);
		if (strchr(host, '.') &&
		    mail_address_split(probe, name, sizeof(name), addr, sizeof(addr)) == HM_OK)
			domain = host;
	}
	char *site = setting(db, "site_name");
	char *from = name_usable(site) ? xasprintf("%s <noreply@%s>", site, domain)
				       : xasprintf("noreply@%s", domain);
	free(site);
	free(probe);
	return from;
}

/* "<32 hex digits@domain of from>". Caller frees. */
static char *new_message_id(const char *from_addr)
{
	unsigned char r[16];
	char hex[33];
	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
	const char *at = strrchr(from_addr, '@');
	return xasprintf("<%s@%s>", hex, at ? at + 1 : "harmony.invalid");
}

static int text_line_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return 0;
	return utf8_valid(s, strlen(s));
}

enum hm_err mail_send(struct db *db, const char *to, const char *subject, const char *text_body,
		      const struct mail_opts *opts, int64_t now, int64_t *id_out)
{
	char name[8], addr[AUTH_EMAIL_MAX + 1], fname[AUTH_NAME_MAX + 1], faddr[AUTH_EMAIL_MAX + 1];
	char ts[MAIL_TS_SIZE];
	const char *to_name = opts && opts->to_name ? opts->to_name : "";
	const char *secret = opts && opts->secret && *opts->secret ? opts->secret : NULL;
	enum hm_err e = HM_EINVAL;
	char *from = NULL, *mid = NULL;
	if (id_out)
		*id_out = 0;
	if (!to || strchr(to, '<') ||
	    mail_address_split(to, name, sizeof(name), addr, sizeof(addr)) != HM_OK ||
	    !subject || !*subject || strlen(subject) > MAIL_SUBJECT_MAX || !text_line_ok(subject) ||
	    !text_body || strlen(text_body) > MAIL_BODY_MAX ||
	    !utf8_valid(text_body, strlen(text_body)) || strlen(to_name) > AUTH_NAME_MAX ||
	    !text_line_ok(to_name) || (secret && !strstr(text_body, secret)))
		return HM_EINVAL;
	const char *att = opts ? opts->attachment : NULL;
	if (att && (!opts->attachment_name || !text_line_ok(opts->attachment_name) ||
		    strlen(opts->attachment_name) > 100 || strpbrk(opts->attachment_name, "\"\\/") ||
		    !opts->attachment_type || !text_line_ok(opts->attachment_type) ||
		    strpbrk(opts->attachment_type, "\";") || strlen(att) > MAIL_BODY_MAX ||
		    !utf8_valid(att, strlen(att))))
		return HM_EINVAL;
	from = site_from(db);
	if (mail_address_split(from, fname, sizeof(fname), faddr, sizeof(faddr)) != HM_OK)
		goto out;
	mid = new_message_id(faddr);
	mail_ts(now, ts);
	struct db_stmt *st = prep(db, SQL_INSERT);
	e = HM_EDB;
	if (!st)
		goto out;
	db_bind_text(st, 1, mid);
	db_bind_text(st, 2, from);
	db_bind_text(st, 3, addr);
	db_bind_text(st, 4, to_name);
	db_bind_text(st, 5, subject);
	db_bind_text(st, 6, text_body);
	db_bind_text(st, 7, secret);
	db_bind_text(st, 8, ts);
	db_bind_text(st, 9, ts);
	if (att) {
		db_bind_text(st, 10, opts->attachment_name);
		db_bind_text(st, 11, opts->attachment_type);
		db_bind_text(st, 12, att);
	} else {
		db_bind_null(st, 10);
		db_bind_null(st, 11);
		db_bind_null(st, 12);
	}
	if ((e = db_run(st)) != HM_OK)
		goto out;
	if (id_out)
		*id_out = db_last_insert_id(db);
	jobs_wake(MAIL_JOB_DELIVER);
out:
	free(from);
	free(mid);
	return e;
}

/* ------------------------------------------------------------ reading */

json_t *mail_list(struct db *db, const char *status, int limit, int offset, int64_t *total)
{
	struct db_stmt *st = prep(db, status ? SQL_COUNT_STATUS : SQL_COUNT_ALL);
	if (total)
		*total = 0;
	if (st) {
		if (status)
			db_bind_text(st, 1, status);
		if (db_step(st) == 1 && total)
			*total = db_col_int(st, 0);
		db_done(st);
	}
	if (!(st = prep(db, status ? SQL_LIST_STATUS : SQL_LIST_ALL)))
		return json_array();
	int i = 1;
	if (status)
		db_bind_text(st, i++, status);
	db_bind_int(st, i++, limit);
	db_bind_int(st, i, offset);
	return db_rows_json(st);
}

/* s with every occurrence of secret replaced by the mask. Caller frees. */
static char *mask(const char *s, const char *secret)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "");
	size_t n = secret ? strlen(secret) : 0;
	const char *p = s ? s : "", *hit;
	while (n && (hit = strstr(p, secret))) {
		buf_append(&b, p, (size_t)(hit - p));
		buf_puts(&b, MAIL_SECRET_MASK);
		p = hit + n;
	}
	buf_puts(&b, p);
	return buf_steal(&b);
}

/* The parts of a stored message (borrowing from o). */
static void parts_of(json_t *o, struct mail_parts *m)
{
	memset(m, 0, sizeof(*m));
	m->from = json_string_value(json_object_get(o, "from_addr"));
	m->to = json_string_value(json_object_get(o, "recipient"));
	m->to_name = json_string_value(json_object_get(o, "recipient_name"));
	m->subject = json_string_value(json_object_get(o, "subject"));
	m->text = json_string_value(json_object_get(o, "body"));
	m->message_id = json_string_value(json_object_get(o, "message_id"));
	m->attachment_name = json_string_value(json_object_get(o, "attachment_name"));
	m->attachment_type = json_string_value(json_object_get(o, "attachment_type"));
	m->attachment = json_string_value(json_object_get(o, "attachment"));
	const char *at = json_string_value(json_object_get(o, "created_at"));
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (at && strptime(at, "%Y-%m-%dT%H:%M:%SZ", &tm))
		m->date = (int64_t)timegm(&tm);
}

json_t *mail_get(struct db *db, int64_t id)
{
	struct db_stmt *st = prep(db, SQL_GET);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	json_t *o = db_one_json(st);
	if (!o)
		return NULL;
	const char *secret = json_string_value(json_object_get(o, "secret"));
	char *body = mask(json_string_value(json_object_get(o, "body")), secret);
	json_object_set_new(o, "body", json_string(body));
	free(body);
	json_object_del(o, "secret");
	/* The headers as they are (or will be) sent. */
	struct mail_parts m;
	struct buf b;
	buf_init(&b);
	parts_of(o, &m);
	m.text = "";
	if (mail_compose(&m, &b) == HM_OK) {
		char *end = strstr(b.data, "\r\n\r\n");
		if (end)
			end[2] = '\0';
		json_object_set_new(o, "headers", json_string(b.data));
	}
	buf_free(&b);
	return o;
}

/* ----------------------------------------------------------- changing */

enum hm_err mail_retry(struct db *db, const struct principal *actor, int64_t id, int64_t now)
{
	char ts[MAIL_TS_SIZE];
	enum hm_err e;
	if (!auth_can(actor, AUTH_SITE_ADMIN, NULL))
		return HM_EFORBIDDEN;
	if ((e = db_begin(db)) != HM_OK)
		return e;
	json_t *before = NULL, *after = NULL;
	struct db_stmt *st = prep(db, SQL_GET);
	if (!st) {
		e = HM_EDB;
		goto fail;
	}
	db_bind_int(st, 1, id);
	json_t *row = db_one_json(st);
	if (!row) {
		e = HM_ENOTFOUND;
		goto fail;
	}
	before = json_pack("{s:O, s:O}", "status", json_object_get(row, "status"), "attempts",
			   json_object_get(row, "attempts"));
	json_decref(row);
	mail_ts(now, ts);
	if (!(st = prep(db, SQL_RETRY))) {
		e = HM_EDB;
		goto fail;
	}
	db_bind_text(st, 1, ts);
	db_bind_int(st, 2, id);
	if ((e = db_run(st)) != HM_OK)
		goto fail;
	if (db_changes(db) != 1) {
		e = HM_ECONFLICT;
		goto fail;
	}
	after = json_pack("{s:s, s:i}", "status", "queued", "attempts", 0);
	if ((e = audit_record_at(db, actor, "mail.retry", "mail", id, before, after, now)) !=
		    HM_OK ||
	    (e = db_commit(db)) != HM_OK)
		goto fail;
	json_decref(before);
	json_decref(after);
	jobs_wake(MAIL_JOB_DELIVER);
	return HM_OK;
fail:
	db_rollback(db);
	json_decref(before);
	json_decref(after);
	return e;
}

int mail_rate_take(struct db *db, const char *key, int max, int64_t window, int64_t now)
{
	unsigned char h[32];
	char hex[65], ts[MAIL_TS_SIZE], old[MAIL_TS_SIZE];
	struct db_stmt *st;
	int64_t n = 0;
	crypto_generichash(h, sizeof(h), (const unsigned char *)key, strlen(key), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	mail_ts(now, ts);
	mail_ts(now - window, old);
	/* One write transaction, so parallel requests are counted in turn. */
	if (db_begin(db) != HM_OK)
		return -1;
	if (!(st = prep(db, SQL_RATE_PURGE)))
		goto fail;
	db_bind_text(st, 1, hex);
	db_bind_text(st, 2, old);
	if (db_run(st) != HM_OK || !(st = prep(db, SQL_RATE_COUNT)))
		goto fail;
	db_bind_text(st, 1, hex);
	if (db_step(st) == 1)
		n = db_col_int(st, 0);
	db_done(st);
	if (n >= max) {
		db_rollback(db);
		return 0;
	}
	if (!(st = prep(db, SQL_RATE_INSERT)))
		goto fail;
	db_bind_text(st, 1, hex);
	db_bind_text(st, 2, ts);
	if (db_run(st) != HM_OK || db_commit(db) != HM_OK)
		goto fail;
	return 1;
fail:
	db_rollback(db);
	return -1;
}

void mail_rate_purge(struct db *db, int64_t before)
{
	char ts[MAIL_TS_SIZE];
	struct db_stmt *st = prep(db, SQL_RATE_PURGE_ALL);
	if (!st)
		return;
	mail_ts(before, ts);
	db_bind_text(st, 1, ts);
	db_run(st);
}

/* ----------------------------------------------------------- delivery */

static void record(struct db *db, int64_t id, int64_t attempts, const struct mail_result *r,
		   int64_t now)
{
	char ts[MAIL_TS_SIZE], next[MAIL_TS_SIZE];
	struct db_stmt *st;
	mail_ts(now, ts);
	if (r->ok) {
		if (!(st = prep(db, SQL_SENT)))
			return;
		db_bind_text(st, 1, ts);
		db_bind_text(st, 2, r->where);
		db_bind_int(st, 3, id);
	} else if (r->permanent || attempts + 1 >= MAIL_ATTEMPTS_MAX) {
		if (!(st = prep(db, SQL_FAILED)))
			return;
		db_bind_text(st, 1, r->error);
		db_bind_int(st, 2, id);
	} else {
		int64_t delay = MAIL_RETRY_FIRST;
		for (int64_t i = 0; i < attempts; i++)
			delay *= 2;
		mail_ts(now + delay, next);
		if (!(st = prep(db, SQL_AGAIN)))
			return;
		db_bind_text(st, 1, r->error);
		db_bind_text(st, 2, next);
		db_bind_int(st, 3, id);
	}
	if (db_run(st) != HM_OK)
		log_error("cannot record the delivery of message %lld", (long long)id);
}

/* Claims the next due message: its id, or 0 when none is due. */
static int64_t claim_next(struct db *db, int64_t now)
{
	char ts[MAIL_TS_SIZE];
	mail_ts(now, ts);
	for (int tries = 0; tries < 10; tries++) {
		struct db_stmt *st = prep(db, SQL_NEXT_DUE);
		int64_t id = 0;
		if (!st)
			return 0;
		db_bind_text(st, 1, ts);
		if (db_step(st) == 1)
			id = db_col_int(st, 0);
		db_done(st);
		if (!id || !(st = prep(db, SQL_CLAIM)))
			return 0;
		db_bind_text(st, 1, ts);
		db_bind_int(st, 2, id);
		if (db_run(st) == HM_OK && db_changes(db) == 1)
			return id;
		/* Another sender took it first: look again. */
	}
	return 0;
}

int mail_deliver_due(struct db *db, const struct mail_transport *t, int64_t now)
{
	char ts[MAIL_TS_SIZE];
	int delivered = 0;
	struct db_stmt *st = prep(db, SQL_RELEASE_STALE);
	if (st) {
		mail_ts(now - CLAIM_STALE, ts);
		db_bind_text(st, 1, ts);
		db_run(st);
	}
	for (int n = 0; n < PASS_MAX && !jobs_stopping(); n++) {
		int64_t id = claim_next(db, now);
		if (!id)
			break;
		if (!(st = prep(db, SQL_GET)))
			break;
		db_bind_int(st, 1, id);
		json_t *o = db_one_json(st);
		if (!o)
			continue;
		struct mail_parts m;
		struct mail_result r;
		struct buf msg;
		char fname[AUTH_NAME_MAX + 1], faddr[AUTH_EMAIL_MAX + 1], hint[64];
		memset(&r, 0, sizeof(r));
		buf_init(&msg);
		parts_of(o, &m);
		if (mail_compose(&m, &msg) != HM_OK ||
		    mail_address_split(m.from, fname, sizeof(fname), faddr, sizeof(faddr)) != HM_OK) {
			r.permanent = 1;
			snprintf(r.error, sizeof(r.error), "the message cannot be composed "
							   "(check the site setting mail_from)");
		} else {
			/* "20121129T083000Z-42": files sort by time. */
			const char *at = json_string_value(json_object_get(o, "created_at"));
			if (at && strlen(at) >= 19)
				snprintf(hint, sizeof(hint), "%.4s%.2s%.2sT%.2s%.2s%.2sZ-%lld", at,
					 at + 5, at + 8, at + 11, at + 14, at + 17, (long long)id);
			else
				snprintf(hint, sizeof(hint), "message-%lld", (long long)id);
			mail_transport_deliver(t, faddr, m.to, msg.data, msg.len, hint, &r);
		}
		record(db, id, json_integer_value(json_object_get(o, "attempts")), &r, now);
		if (r.ok)
			delivered++;
		else
			log_warn("message %lld: %s", (long long)id, r.error);
		buf_free(&msg);
		json_decref(o);
	}
	return delivered;
}
