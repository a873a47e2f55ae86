/*
 * conversation.c — the store of conversations and their participants:
 * creating and changing a conversation (its event's organisers, audited),
 * who may see one and who may take part, and the participant row made on
 * someone's first vote or statement.
 */
#include "features/dialogue/dlg_internal.h"

#include "features/events/events_admin.h"
#include "view/format_extra.h"

#include "core/text.h"
#include "db/db.h"
#include "features/registration/registration.h"
#include "http/parse.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const dlg_statuses[] = {"draft", "open", "closed", "archived", NULL};
const char *const dlg_participations[] = {"registered", "signed-in", "anyone", NULL};
const char *const dlg_moderations[] = {"strict", "permissive", NULL};
const char *const dlg_visibilities[] = {"public", "participants", "organisers", NULL};
const char *const dlg_stmt_statuses[] = {"pending", "accepted", "rejected", "meta", NULL};

/* ---------------------------------------------------------------- SQL */

#define CONV_COLS                                                                         \
	"c.id, c.event_id, e.slug AS event_slug, e.status AS event_status, e.series_id, "  \
	"c.topic, c.question, c.description_md, c.status, c.participation, c.moderation, " \
	"c.participants_submit, c.max_length, c.report_visibility, c.embed_origins, c.ask_attributes, "       \
	"c.created_at, c.updated_at, c.session_id, ps.title AS session_title, "              \
	"ps.starts_at AS session_starts_at, ps.visibility AS session_visibility, "          \
	"e.timezone AS event_timezone "
/* the conversation, its event and its session (of the programme) if any */
#define CONV_FROM                                                                         \
	"FROM conversation c JOIN event e ON e.id = c.event_id "                           \
	"LEFT JOIN programme_session ps ON ps.id = c.session_id "
static const char SQL_GET[] = "SELECT " CONV_COLS CONV_FROM "WHERE c.id = ?";
static const char SQL_LIST[] = "SELECT " CONV_COLS CONV_FROM
			       "WHERE c.event_id = ? ORDER BY c.id DESC";
static const char SQL_OF_SESSION[] = "SELECT " CONV_COLS CONV_FROM
				     "WHERE c.session_id = ? AND c.status IN ('open', 'closed') "
				     "ORDER BY c.id";
static const char SQL_SESSION_EVENT[] = "SELECT event_id FROM programme_session WHERE id = ?";
static const char SQL_INSERT[] =
	"INSERT INTO conversation (event_id, topic, question, description_md, status, "
	"participation, moderation, participants_submit, max_length, report_visibility, "
	"embed_origins, ask_attributes, session_id, created_at, updated_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_UPDATE[] =
	"UPDATE conversation SET topic = ?, question = ?, description_md = ?, status = ?, "
	"participation = ?, moderation = ?, participants_submit = ?, max_length = ?, "
	"report_visibility = ?, embed_origins = ?, ask_attributes = ?, session_id = ?, "
	"updated_at = ? WHERE id = ?";
static const char SQL_PTPT_BY_ACCOUNT[] =
	"SELECT id FROM dialogue_participant WHERE conversation_id = ? AND account_id = ?";
static const char SQL_PTPT_BY_ANON[] =
	"SELECT id FROM dialogue_participant WHERE conversation_id = ? AND anon_key = ?";
static const char SQL_PTPT_BY_XID[] =
	"SELECT id FROM dialogue_participant WHERE conversation_id = ? AND xid = ?";
static const char SQL_PTPT_INSERT[] =
	"INSERT INTO dialogue_participant (conversation_id, account_id, anon_key, xid, created_at) "
	"VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
static const char SQL_TOUCH[] = "UPDATE conversation SET revision = revision + 1 WHERE id = ?";
static const char SQL_PTPT_GET[] =
	"SELECT p.id, p.excluded, p.conversation_id, c.event_id, e.series_id "
	"FROM dialogue_participant p "
	"JOIN conversation c ON c.id = p.conversation_id JOIN event e ON e.id = c.event_id "
	"WHERE p.id = ?";
static const char SQL_PTPT_EXCLUDE[] = "UPDATE dialogue_participant SET excluded = ? WHERE id = ?";

/* ---------------------------------------------------------------- small */

void dlg_ts(int64_t t, char out[DLG_TS_SIZE])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, DLG_TS_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const char *dlg_jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int dlg_in_list(const char *s, const char *const *list)
{
	for (int i = 0; s && list[i]; i++)
		if (str_eq(s, list[i]))
			return 1;
	return 0;
}

enum hm_err dlg_fail(struct db *db, enum hm_err e)
{
	db_rollback(db);
	return e;
}

static json_t *row_of(struct db_stmt *st)
{
	json_t *c = db_row_json(st);
	if (c)
		json_object_set_new(c, "participants_submit",
				    json_boolean(json_integer_value(
					    json_object_get(c, "participants_submit"))));
	return c;
}

json_t *dlg_conversation(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_GET);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	json_t *c = db_step(st) == 1 ? row_of(st) : NULL;
	db_done(st);
	return c;
}

static json_t *list_of(struct db *db, const char *sql, int64_t id)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	json_t *list = json_array();
	int rc;
	while ((rc = db_step(st)) == 1)
		json_array_append_new(list, row_of(st));
	db_done(st);
	if (rc < 0) {
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *dlg_conversations(struct db *db, int64_t event_id)
{
	return list_of(db, SQL_LIST, event_id);
}

json_t *dlg_session_conversations(struct db *db, int64_t session_id)
{
	return list_of(db, SQL_OF_SESSION, session_id);
}

static struct auth_scope scope_of(const json_t *conv)
{
	struct auth_scope sc = {
		.event_id = json_integer_value(json_object_get(conv, "event_id")),
		.series_id = json_integer_value(json_object_get(conv, "series_id")),
	};
	return sc;
}

int dlg_may_moderate(const struct principal *p, const json_t *conv)
{
	struct auth_scope sc = scope_of(conv);
	return conv && auth_can(p, AUTH_DIALOGUE_MODERATE, &sc);
}

int dlg_may_see(const struct principal *p, const json_t *conv)
{
	if (!conv)
		return 0;
	if (dlg_may_moderate(p, conv))
		return 1;
	return !str_eq(dlg_jstr(conv, "status"), "draft") &&
	       str_eq(dlg_jstr(conv, "event_status"), "published");
}

/* --------------------------------------------------------- the settings */

/* A boolean as JSON or a form sends it; -1: not one. */
static int flag_of(const json_t *v)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1))
		return (int)json_integer_value(v);
	const char *s = json_string_value(v);
	if (s && (str_eq(s, "1") || str_eq(s, "on") || str_eq(s, "yes") || str_eq(s, "true")))
		return 1;
	if (s && (str_eq(s, "0") || str_eq(s, "no") || str_eq(s, "false") || !*s))
		return 0;
	return -1;
}

/* An integer as JSON or a form sends it; 0 with *ok 0: not one. */
static int64_t int_of(const json_t *v, int *ok)
{
	int64_t n = 0;
	*ok = 1;
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v) && text_int_parse(json_string_value(v), &n))
		return n;
	*ok = 0;
	return 0;
}

struct conv_fields {
	const char *topic, *question, *description_md, *status, *participation, *moderation,
		*report_visibility, *embed_origins, *ask_attributes;
	int participants_submit;
	int64_t max_length;
	int64_t session_id; /* 0: none */
};

/* Text of key in in when present (else keeps *out): a string of at most
 * max bytes, valid UTF-8; required: not empty. */
static void read_text(const json_t *in, const char *key, size_t max, int required,
		      const char **out, struct field_errors *errs)
{
	const json_t *v = json_object_get(in, key);
	if (!v)
		goto check;
	if (!json_is_string(v)) {
		field_error_add(errs, key, "Please enter text here.");
		return;
	}
	*out = json_string_value(v);
check:
	if (!*out)
		*out = "";
	if (strlen(*out) > max)
		field_error_add(errs, key, "This is too long.");
	else if (!utf8_valid(*out, strlen(*out)))
		field_error_add(errs, key, "Please enter text here.");
	else if (required && dlg_blank(*out))
		field_error_add(errs, key, "Please fill this in.");
}

static void read_choice(const json_t *in, const char *key, const char *const *list,
			const char **out, struct field_errors *errs)
{
	const json_t *v = json_object_get(in, key);
	if (!v)
		return;
	if (!dlg_in_list(json_string_value(v), list)) {
		field_error_add(errs, key, "Please choose one of the options.");
		return;
	}
	*out = json_string_value(v);
}

/* embed_origins as given (a string of lines, or an array of strings)
 * made the stored form: each origin once, lower case, a trailing "/"
 * dropped, one per line. NULL with a refusal in errs. malloc'd. */
static char *origins_of(const json_t *v, struct field_errors *errs)
{
	static const char key[] = "embed_origins";
	struct buf all, out;
	buf_init(&all);
	buf_init(&out);
	size_t i;
	const json_t *x;
	if (json_is_string(v))
		buf_puts(&all, json_string_value(v));
	else if (json_is_array(v))
		json_array_foreach(v, i, x) {
			if (!json_is_string(x))
				goto not_text;
			buf_puts(&all, json_string_value(x));
			buf_puts(&all, "\n");
		}
	else
		goto not_text;
	if (all.len > DLG_EMBED_ORIGINS_BYTES) {
		field_error_add(errs, key, "This is too long.");
		goto fail;
	}
	int n = 0;
	for (char *line = all.data ? all.data : (char *)"", *next; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = 0;
		/* trimmed, a trailing "/" dropped, lower case */
		while (*line == ' ' || *line == '\t' || *line == '\r')
			line++;
		size_t len = strlen(line);
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
			len--;
		if (len && line[len - 1] == '/')
			len--;
		if (!len)
			continue;
		line[len] = 0;
		for (char *c = line; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (!http_origin_valid(line, len)) {
			field_error_add(errs, key,
					"Each line must be the address of a site, such as "
					"https://example.org: http:// or https://, its name and "
					"optionally :port, without a path.");
			goto fail;
		}
		/* each once */
		int seen = 0;
		for (const char *o = out.data; o && *o && !seen;) {
			size_t on = strcspn(o, "\n");
			seen = on == len && strncmp(o, line, len) == 0;
			o += on + (o[on] ? 1 : 0);
		}
		if (seen)
			continue;
		if (++n > DLG_EMBED_ORIGINS_MAX) {
			field_error_add(errs, key, "List at most 20 sites.");
			goto fail;
		}
		if (out.len)
			buf_puts(&out, "\n");
		buf_puts(&out, line);
	}
	buf_free(&all);
	return out.data ? out.data : xstrdup("");
not_text:
	field_error_add(errs, key, "Please enter the sites' addresses, one per line.");
fail:
	buf_free(&all);
	buf_free(&out);
	return NULL;
}

/* ask_attributes as given (an array of "sector" and "country", or the
 * same space-separated) in its stored form: "sector", "country", "sector
 * country" or "". NULL with a refusal in errs. */
static const char *attributes_of(const json_t *v, struct field_errors *errs)
{
	int sector = 0, country = 0, bad = 0;
	size_t i;
	const json_t *x;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			const char *a = json_string_value(x);
			if (str_eq(a, "sector"))
				sector = 1;
			else if (str_eq(a, "country"))
				country = 1;
			else
				bad = 1;
		}
	} else if (json_is_string(v)) {
		const char *p = json_string_value(v);
		while (*p) {
			size_t n = strcspn(p, " ,");
			if (n == 6 && !strncmp(p, "sector", 6))
				sector = 1;
			else if (n == 7 && !strncmp(p, "country", 7))
				country = 1;
			else if (n)
				bad = 1;
			p += n + (p[n] ? 1 : 0);
		}
	} else {
		bad = 1;
	}
	if (bad) {
		field_error_add(errs, "ask_attributes", "Choose among sector and country.");
		return NULL;
	}
	return sector && country ? "sector country" : sector ? "sector" : country ? "country" : "";
}

static void read_fields(const json_t *in, struct conv_fields *f, struct field_errors *errs,
			char **origins)
{
	read_text(in, "topic", DLG_TOPIC_MAX, 1, &f->topic, errs);
	read_text(in, "question", DLG_QUESTION_MAX, 0, &f->question, errs);
	read_text(in, "description_md", DLG_DESCRIPTION_MAX, 0, &f->description_md, errs);
	read_choice(in, "status", dlg_statuses, &f->status, errs);
	read_choice(in, "participation", dlg_participations, &f->participation, errs);
	read_choice(in, "moderation", dlg_moderations, &f->moderation, errs);
	read_choice(in, "report_visibility", dlg_visibilities, &f->report_visibility, errs);
	const json_t *v = json_object_get(in, "participants_submit");
	if (v) {
		int b = flag_of(v);
		if (b < 0)
			field_error_add(errs, "participants_submit", "Please choose yes or no.");
		else
			f->participants_submit = b;
	}
	if ((v = json_object_get(in, "max_length"))) {
		int ok;
		int64_t n = int_of(v, &ok);
		if (!ok || n < 20 || n > 1000)
			field_error_add(errs, "max_length",
					"Please enter a whole number from 20 to 1000.");
		else
			f->max_length = n;
	}
	if ((v = json_object_get(in, "embed_origins")) && (*origins = origins_of(v, errs)))
		f->embed_origins = *origins;
	const char *attrs;
	if ((v = json_object_get(in, "ask_attributes")) && (attrs = attributes_of(v, errs)))
		f->ask_attributes = attrs;
}

/* "session": the id of a session of event_id's programme, or null (or
 * "" from a form): none. Keeps f->session_id when absent. HM_EDB on a
 * failed read; a refusal goes to errs. */
static enum hm_err read_session(struct db *db, const json_t *in, int64_t event_id,
				struct conv_fields *f, struct field_errors *errs)
{
	const json_t *v = json_object_get(in, "session");
	if (!v)
		return HM_OK;
	if (json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) {
		f->session_id = 0;
		return HM_OK;
	}
	int ok;
	int64_t sid = int_of(v, &ok);
	int64_t of = 0;
	if (ok && sid > 0) {
		struct db_stmt *st = db_prepare(db, SQL_SESSION_EVENT);
		if (!st)
			return HM_EDB;
		db_bind_int(st, 1, sid);
		int rc = db_step(st);
		if (rc == 1)
			of = db_col_int(st, 0);
		db_done(st);
		if (rc < 0)
			return HM_EDB;
	}
	if (!of || of != event_id)
		field_error_add(errs, "session", "Please choose a session of this event's programme.");
	else
		f->session_id = sid;
	return HM_OK;
}

static void bind_fields(struct db_stmt *st, int at, const struct conv_fields *f)
{
	db_bind_text(st, at, f->topic);
	db_bind_text(st, at + 1, f->question);
	db_bind_text(st, at + 2, f->description_md);
	db_bind_text(st, at + 3, f->status);
	db_bind_text(st, at + 4, f->participation);
	db_bind_text(st, at + 5, f->moderation);
	db_bind_int(st, at + 6, f->participants_submit);
	db_bind_int(st, at + 7, f->max_length);
	db_bind_text(st, at + 8, f->report_visibility);
	db_bind_text(st, at + 9, f->embed_origins);
	db_bind_text(st, at + 10, f->ask_attributes);
	if (f->session_id)
		db_bind_int(st, at + 11, f->session_id);
	else
		db_bind_null(st, at + 11);
}

static json_t *fields_json(const struct conv_fields *f)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:s, s:s, s:s}", "topic", f->topic,
			 "question", f->question, "description_md", f->description_md, "status",
			 f->status, "participation", f->participation, "moderation",
			 f->moderation, "participants_submit", f->participants_submit,
			 "max_length", (json_int_t)f->max_length, "report_visibility",
			 f->report_visibility, "embed_origins", f->embed_origins, "ask_attributes",
			 f->ask_attributes);
	json_object_set_new(o, "session_id",
			    f->session_id ? json_integer(f->session_id) : json_null());
	return o;
}

enum hm_err dlg_create(struct db *db, const struct principal *p, const json_t *ev,
		       const json_t *in, int64_t now, struct field_errors *errs, int64_t *id)
{
	struct auth_scope sc = {
		.event_id = json_integer_value(json_object_get(ev, "id")),
		.series_id = json_integer_value(json_object_get(ev, "series_id")),
	};
	*id = 0;
	if (!auth_can(p, AUTH_DIALOGUE_MODERATE, &sc))
		return HM_EFORBIDDEN;
	struct conv_fields f = {
		.status = "draft",
		.participation = "signed-in",
		.moderation = "strict",
		.report_visibility = "public",
		.participants_submit = 1,
		.max_length = 140,
		.embed_origins = "",
		.ask_attributes = "",
	};
	char *origins = NULL;
	read_fields(in, &f, errs, &origins);
	char ts[DLG_TS_SIZE];
	dlg_ts(now, ts);
	enum hm_err e = db_begin(db);
	if (e != HM_OK) {
		free(origins);
		return e;
	}
	/* the session read in the transaction that links it; every refusal
	 * answered at once */
	if ((e = read_session(db, in, sc.event_id, &f, errs)) != HM_OK || errs->n) {
		free(origins);
		return dlg_fail(db, e != HM_OK ? e : HM_EINVAL);
	}
	struct db_stmt *st = db_prepare(db, SQL_INSERT);
	if (!st) {
		free(origins);
		return dlg_fail(db, HM_EDB);
	}
	db_bind_int(st, 1, sc.event_id);
	bind_fields(st, 2, &f);
	db_bind_text(st, 14, ts);
	db_bind_text(st, 15, ts);
	e = db_run(st);
	json_t *after = fields_json(&f);
	free(origins);
	if (e != HM_OK) {
		json_decref(after);
		return dlg_fail(db, e);
	}
	*id = db_last_insert_id(db);
	e = audit_record_at(db, p, "conversation.create", "conversation", *id, NULL, after, now);
	json_decref(after);
	if (e != HM_OK)
		return dlg_fail(db, e);
	return db_commit(db);
}

enum hm_err dlg_update(struct db *db, const struct principal *p, int64_t id, const json_t *in,
		       int64_t now, struct field_errors *errs)
{
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *c = dlg_conversation(db, id);
	if (!c)
		return dlg_fail(db, db_failed(db) ? HM_EDB : HM_ENOTFOUND);
	if (!dlg_may_moderate(p, c)) {
		json_decref(c);
		return dlg_fail(db, HM_EFORBIDDEN);
	}
	struct conv_fields f = {
		.topic = dlg_jstr(c, "topic"),
		.question = dlg_jstr(c, "question"),
		.description_md = dlg_jstr(c, "description_md"),
		.status = dlg_jstr(c, "status"),
		.participation = dlg_jstr(c, "participation"),
		.moderation = dlg_jstr(c, "moderation"),
		.report_visibility = dlg_jstr(c, "report_visibility"),
		.participants_submit = json_is_true(json_object_get(c, "participants_submit")),
		.max_length = json_integer_value(json_object_get(c, "max_length")),
		.embed_origins = dlg_jstr(c, "embed_origins"),
		.ask_attributes = dlg_jstr(c, "ask_attributes"),
		.session_id = json_integer_value(json_object_get(c, "session_id")),
	};
	json_t *before = fields_json(&f);
	char *origins = NULL;
	read_fields(in, &f, errs, &origins);
	if (read_session(db, in, json_integer_value(json_object_get(c, "event_id")), &f, errs) !=
	    HM_OK) {
		free(origins);
		json_decref(before);
		json_decref(c);
		return dlg_fail(db, HM_EDB);
	}
	if (errs->n) {
		free(origins);
		json_decref(before);
		json_decref(c);
		return dlg_fail(db, HM_EINVAL);
	}
	json_t *after = fields_json(&f);
	char ts[DLG_TS_SIZE];
	dlg_ts(now, ts);
	struct db_stmt *st = db_prepare(db, SQL_UPDATE);
	if (!st)
		e = HM_EDB;
	else {
		bind_fields(st, 1, &f);
		db_bind_text(st, 13, ts);
		db_bind_int(st, 14, id);
		e = db_run(st);
	}
	free(origins);
	if (e == HM_OK && !json_equal(before, after))
		e = audit_record_at(db, p, "conversation.update", "conversation", id, before, after,
				    now);
	json_decref(before);
	json_decref(after);
	json_decref(c);
	if (e != HM_OK)
		return dlg_fail(db, e);
	return db_commit(db);
}

/* ------------------------------------------------------- participants */

void dlg_anon_key(const char *token, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* 1 if the anonymous token is one of ours (base64url, its length). */
static int anon_ok(const char *t)
{
	if (!t || strlen(t) != DLG_ANON_TOKEN_LEN)
		return 0;
	for (; *t; t++)
		if (!((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') ||
		      (*t >= '0' && *t <= '9') || *t == '-' || *t == '_'))
			return 0;
	return 1;
}

int dlg_xid_ok(const char *xid)
{
	size_t n = xid ? strlen(xid) : 0;
	if (n == 0 || n > DLG_XID_MAX)
		return 0;
	for (; *xid; xid++)
		if (*xid < ' ' || *xid > '~')
			return 0;
	return 1;
}

int dlg_admits_xid(const json_t *conv)
{
	const char *o = dlg_jstr(conv, "embed_origins");
	return str_eq(dlg_jstr(conv, "participation"), "anyone") && o && *o;
}

enum hm_err dlg_may_take_part(struct db *db, const json_t *conv, const struct dlg_who *who)
{
	const struct principal *p = who->p;
	const char *part = dlg_jstr(conv, "participation");
	if (!dlg_may_see(p, conv))
		return HM_ENOTFOUND;
	if (!str_eq(dlg_jstr(conv, "status"), "open"))
		return HM_ECONFLICT;
	if (p && p->account_id) {
		if (!auth_can(p, AUTH_DIALOGUE_PARTICIPATE, NULL))
			return HM_EFORBIDDEN;
		if (str_eq(part, "registered") && !dlg_may_moderate(p, conv)) {
			int r = reg_is_participant(
				db, json_integer_value(json_object_get(conv, "event_id")), p->email);
			if (r < 0)
				return HM_EDB;
			if (r == 0)
				return HM_EFORBIDDEN;
		}
		return HM_OK;
	}
	if (who->xid)
		return dlg_admits_xid(conv) && dlg_xid_ok(who->xid) ? HM_OK : HM_EUNAUTH;
	if (str_eq(part, "anyone") && anon_ok(who->anon_token))
		return HM_OK;
	return HM_EUNAUTH;
}

/* The participant row of who (made when make is set and there is none):
 * its id, 0 when none, -1 on a failure. Account first, then the host
 * site's id, then the cookie. Callers have checked that the conversation
 * takes who's xid (dlg_may_take_part; dlg_participant_of's callers
 * give one only where dlg_admits_xid). */
static int64_t participant(struct db *db, int64_t cid, const struct dlg_who *who, int make,
			   int64_t now)
{
	int64_t account = who->p ? who->p->account_id : 0;
	const char *xid = NULL;
	char key[65] = "";
	if (!account && who->xid) {
		if (!dlg_xid_ok(who->xid))
			return 0;
		xid = who->xid;
	} else if (!account) {
		if (!anon_ok(who->anon_token))
			return 0;
		dlg_anon_key(who->anon_token, key);
	}
	for (int pass = 0; pass < 2; pass++) {
		struct db_stmt *st = db_prepare(db, account ? SQL_PTPT_BY_ACCOUNT
						    : xid ? SQL_PTPT_BY_XID
							  : SQL_PTPT_BY_ANON);
		if (!st)
			return -1;
		db_bind_int(st, 1, cid);
		if (account)
			db_bind_int(st, 2, account);
		else
			db_bind_text(st, 2, xid ? xid : key);
		int rc = db_step(st);
		int64_t id = rc == 1 ? db_col_int(st, 0) : 0;
		db_done(st);
		if (rc < 0)
			return -1;
		if (id || !make || pass)
			return id;
		char ts[DLG_TS_SIZE];
		dlg_ts(now, ts);
		st = db_prepare(db, SQL_PTPT_INSERT);
		if (!st)
			return -1;
		db_bind_int(st, 1, cid);
		if (account)
			db_bind_int(st, 2, account);
		else
			db_bind_null(st, 2);
		db_bind_text(st, 3, account || xid ? NULL : key);
		db_bind_text(st, 4, xid);
		db_bind_text(st, 5, ts);
		if (db_run(st) != HM_OK)
			return -1;
	}
	return 0;
}

int64_t dlg_participant_of(struct db *db, int64_t cid, const struct dlg_who *who)
{
	return participant(db, cid, who, 0, 0);
}

static const char SQL_DECLARE[] = "UPDATE dialogue_participant SET sector = ?, country = ?, "
				  "declared_at = ? WHERE id = ?";
static const char SQL_DECLARED[] = "SELECT declared_at, sector, country FROM dialogue_participant "
				   "WHERE id = ?";

int dlg_asks(const json_t *conv, const char *attribute)
{
	const char *a = dlg_jstr(conv, "ask_attributes");
	/* registration tells who the approved participants are */
	if (!a || !*a || str_eq(dlg_jstr(conv, "participation"), "registered"))
		return 0;
	return !attribute || strstr(a, attribute) != NULL;
}

enum hm_err dlg_declare(struct db *db, int64_t cid, const struct dlg_who *who, const char *sector,
			const char *country, int consent, int64_t now, struct field_errors *errs)
{
	if (sector && !*sector)
		sector = NULL;
	if (country && !*country)
		country = NULL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *c = dlg_conversation(db, cid);
	if (!c)
		return dlg_fail(db, db_failed(db) ? HM_EDB : HM_ENOTFOUND);
	if ((e = dlg_may_take_part(db, c, who)) != HM_OK || !dlg_asks(c, NULL)) {
		json_decref(c);
		return dlg_fail(db, e != HM_OK ? e : HM_ECONFLICT);
	}
	/* only what the conversation asks, each from its list */
	if (sector && (!dlg_asks(c, "sector") || !dlg_in_list(sector, admin_sectors)))
		field_error_add(errs, "sector", "Please choose one of the options.");
	if (country) {
		struct arena a;
		arena_init(&a);
		if (!dlg_asks(c, "country") || strlen(country) != 2 || !fmt_country(&a, "en", country))
			field_error_add(errs, "country", "Please choose one of the options.");
		arena_free(&a);
	}
	/* declared values are kept only with the participant's consent;
	 * declining (nothing chosen) needs none */
	if ((sector || country) && !consent)
		field_error_add(errs, "consent",
				"Please agree to the use of what you declare, or choose nothing.");
	if (errs->n) {
		json_decref(c);
		return dlg_fail(db, HM_EINVAL);
	}
	int64_t pid;
	e = dlg_participant_tx(db, c, who, now, &pid);
	json_decref(c);
	if (e != HM_OK)
		return dlg_fail(db, e);
	char ts[DLG_TS_SIZE];
	dlg_ts(now, ts);
	struct db_stmt *st = db_prepare(db, SQL_DECLARE);
	if (!st)
		return dlg_fail(db, HM_EDB);
	db_bind_text(st, 1, sector);
	db_bind_text(st, 2, country);
	db_bind_text(st, 3, ts);
	db_bind_int(st, 4, pid);
	if ((e = db_run(st)) != HM_OK || (e = dlg_touch(db, cid)) != HM_OK)
		return dlg_fail(db, e);
	return db_commit(db);
}

json_t *dlg_declared(struct db *db, int64_t pid)
{
	if (pid <= 0)
		return json_null();
	struct db_stmt *st = db_prepare(db, SQL_DECLARED);
	if (!st)
		return NULL;
	db_bind_int(st, 1, pid);
	int rc = db_step(st);
	json_t *o = rc == 1 && !db_col_is_null(st, 0)
			    ? json_pack("{s:s?, s:s?}", "sector", db_col_text(st, 1), "country",
					db_col_text(st, 2))
			    : rc >= 0 ? json_null() : NULL;
	db_done(st);
	return o;
}

enum hm_err dlg_touch(struct db *db, int64_t cid)
{
	/* the analysis runs after its pause, by when this change is committed
	 * (or rolled back: then it finds nothing to do) */
	dlg_analysis_wake();
	struct db_stmt *st = db_prepare(db, SQL_TOUCH);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, cid);
	return db_run(st) == HM_OK ? HM_OK : HM_EDB;
}

enum hm_err dlg_participant_tx(struct db *db, const json_t *conv, const struct dlg_who *who,
			       int64_t now, int64_t *pid)
{
	*pid = participant(db, json_integer_value(json_object_get(conv, "id")), who, 1, now);
	return *pid > 0 ? HM_OK : HM_EDB;
}

enum hm_err dlg_exclude(struct db *db, const struct principal *p, int64_t participant_id,
			int excluded, int64_t now)
{
	return dlg_exclude_in(db, p, 0, participant_id, excluded, now);
}

enum hm_err dlg_exclude_in(struct db *db, const struct principal *p, int64_t cid,
			   int64_t participant_id, int excluded, int64_t now)
{
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	struct db_stmt *st = db_prepare(db, SQL_PTPT_GET);
	if (!st)
		return dlg_fail(db, HM_EDB);
	db_bind_int(st, 1, participant_id);
	json_t *row = db_one_json(st);
	db_done(st);
	if (!row)
		return dlg_fail(db, db_failed(db) ? HM_EDB : HM_ENOTFOUND);
	int ok = dlg_may_moderate(p, row);
	int64_t of = json_integer_value(json_object_get(row, "conversation_id"));
	int was = json_integer_value(json_object_get(row, "excluded")) != 0;
	json_decref(row);
	/* reached through another conversation's address: not one of its */
	if (cid && of != cid)
		return dlg_fail(db, HM_ENOTFOUND);
	if (!ok)
		return dlg_fail(db, HM_EFORBIDDEN);
	/* as asked already: nothing to write, nor to analyse again */
	if (was == (excluded != 0))
		return dlg_fail(db, HM_OK);
	if ((e = dlg_touch(db, of)) != HM_OK)
		return dlg_fail(db, e);
	st = db_prepare(db, SQL_PTPT_EXCLUDE);
	if (!st)
		return dlg_fail(db, HM_EDB);
	db_bind_int(st, 1, excluded ? 1 : 0);
	db_bind_int(st, 2, participant_id);
	if ((e = db_run(st)) != HM_OK)
		return dlg_fail(db, e);
	json_t *before = json_pack("{s:b}", "excluded", was);
	json_t *after = json_pack("{s:b}", "excluded", excluded != 0);
	e = audit_record_at(db, p, "dialogue.exclude", "dialogue_participant", participant_id, before,
			    after, now);
	json_decref(before);
	json_decref(after);
	if (e != HM_OK)
		return dlg_fail(db, e);
	return db_commit(db);
}
