/*
 * web_api.c — the dialogue's JSON API and the conversation page with its
 * JSON twin: organisers create and change conversations, seed and
 * moderate statements; participants (an account, or the anonymous
 * identity of the cookie the conversation page sets) vote and write
 * statements; the report runs the analysis engine on the votes.
 * Statements' translations: moderators list, put and delete them, and
 * decide participants' suggestions; participants suggest one.
 */
#include "features/dialogue/dlg_web.h"

#include "db/group.h"
#include "view/format_extra.h"
#include "features/events/events_admin.h"
#include "features/programme/programme.h"

#include "auth/auth.h"
#include "features/registration/registration.h"
#include "view/i18n.h"

#include <sodium.h>
#include <string.h>

/* ------------------------------------------------------------ shared */

/* The conversation of the path ({id}), owned by the request; 404 when
 * there is none or the asker may not see it. */
static enum hm_err conv_of(struct http_req *req, struct http_res *res, json_t **out)
{
	*out = NULL;
	int64_t id = site_id_param(req);
	json_t *c = id ? dlg_conversation(req->db, id) : NULL;
	if (!c && db_failed(req->db))
		return HM_EDB;
	if (!c || !dlg_may_see(web_principal(req), c)) {
		json_decref(c);
		return http_fail(res, HM_ENOTFOUND, "There is no such conversation.");
	}
	*out = web_own(req, c);
	return HM_OK;
}

/* The anonymous identity's token from its cookie, NULL when none. */
static const char *anon_token(struct http_req *req)
{
	return kv_get(&req->cookies, auth_cookie_name(AUTH_COOKIE_DIALOGUE));
}

/* Who acts in conversation c: the request's principal, else the host
 * site's participant id where c takes one (the body's "xid", else the
 * query's: a framed voting page's forms carry it), else the anonymous
 * cookie. */
static struct dlg_who who_of(struct http_req *req, const json_t *c)
{
	struct dlg_who w = {.p = web_principal(req), .anon_token = anon_token(req)};
	if (!w.p->account_id && dlg_admits_xid(c)) {
		const char *x = NULL;
		if (req->method != HTTP_GET && req->method != HTTP_HEAD)
			x = json_string_value(json_object_get(site_body_object(req), "xid"));
		if (!x)
			x = http_query(req, "xid");
		if (x && *x)
			w.xid = x;
	}
	return w;
}

/* The voting page and its forms' answers may be framed by the sites the
 * organiser lists (embedding); every other answer keeps 'none'. */
static void embed_frame(struct http_req *req, struct http_res *res, const json_t *c)
{
	const char *o = dlg_jstr(c, "embed_origins");
	if (!o || !*o)
		return;
	char *fa = arena_strdup(&req->pool, o);
	for (char *p = fa; *p; p++)
		if (*p == '\n')
			*p = ' ';
	res->frame_ancestors = fa;
}

/* The voting page of conversation cid, back from one of its forms: in
 * the compact layout, in the language of the request and with the host
 * site's participant id when the form came from it (its action says
 * ?embed=1) and the answer may be framed (embed_frame); extra ("done=written"): one more argument. */
static const char *page_url(struct http_req *req, const struct http_res *res, int64_t cid,
			    const struct dlg_who *w, const char *extra)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "/conversations/%lld", (long long)cid);
	char sep = '?';
	if (res->frame_ancestors && str_eq(http_query(req, "embed"), "1")) {
		buf_printf(&b, "?embed=1&lang=%s", req->lang ? req->lang : "en");
		if (w->xid) {
			buf_puts(&b, "&xid=");
			url_encode(&b, w->xid);
		}
		sep = '&';
	}
	if (extra)
		buf_printf(&b, "%c%s", sep, extra);
	const char *url = arena_strdup(&req->pool, b.data);
	buf_free(&b);
	return url;
}

/* A refusal of the store as an answer, in words a participant reads. */
static enum hm_err refuse(struct http_res *res, enum hm_err e)
{
	switch (e) {
	case HM_EUNAUTH:
		return http_fail(res, e, "Please sign in to take part in this conversation.");
	case HM_EFORBIDDEN:
		return http_fail(res, e, "You may not take part in this conversation.");
	case HM_ECONFLICT:
		return http_fail(res, e, "This conversation is not open.");
	case HM_ENOTFOUND:
		return http_fail(res, e, "There is no such statement in this conversation.");
	default:
		return adm_domain_fail(res, e);
	}
}

/* The session of the programme c belongs to, as the API shows it: {id,
 * title, starts_at (in the event's zone), url}, or null: none, or a
 * participants-only one and all is 0 (its title is not for everyone). */
static json_t *session_of(const json_t *c, int all)
{
	int64_t sid = json_integer_value(json_object_get(c, "session_id"));
	if (!sid || (!all && !str_eq(dlg_jstr(c, "session_visibility"), "public")))
		return json_null();
	struct arena a;
	arena_init(&a);
	const char *utc = dlg_jstr(c, "session_starts_at");
	const char *tz = dlg_jstr(c, "event_timezone");
	int64_t t = time_parse_rfc3339(utc);
	const char *at = t >= 0 && tz && *tz ? prog_time_in_zone(&a, tz, t) : NULL;
	json_t *o = json_pack("{s:I, s:O, s:s?, s:o}", "id", (json_int_t)sid, "title",
			      json_object_get(c, "session_title"), "starts_at", at ? at : utc,
			      "url",
			      json_sprintf("/events/%s/sessions/%lld", dlg_jstr(c, "event_slug"),
					   (long long)sid));
	arena_free(&a);
	return o ? o : json_null();
}

static json_t *public_conv(const json_t *c)
{
	json_t *o = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id",
			      json_object_get(c, "id"), "event", json_object_get(c, "event_slug"),
			      "topic", json_object_get(c, "topic"), "question",
			      json_object_get(c, "question"), "description_md",
			      json_object_get(c, "description_md"), "status",
			      json_object_get(c, "status"), "participation",
			      json_object_get(c, "participation"), "moderation",
			      json_object_get(c, "moderation"), "participants_submit",
			      json_object_get(c, "participants_submit"), "max_length",
			      json_object_get(c, "max_length"), "report_visibility",
			      json_object_get(c, "report_visibility"));
	json_object_set(o, "embed_origins", json_object_get(c, "embed_origins"));
	{
		json_t *a = json_array();
		const char *s = dlg_jstr(c, "ask_attributes");
		if (s && strstr(s, "sector"))
			json_array_append_new(a, json_string("sector"));
		if (s && strstr(s, "country"))
			json_array_append_new(a, json_string("country"));
		json_object_set_new(o, "ask_attributes", a);
	}
	json_object_set_new(o, "session", session_of(c, 0));
	json_object_set_new(o, "url", json_sprintf("/conversations/%lld",
						   (long long)json_integer_value(json_object_get(c, "id"))));
	return o;
}

/* ------------------------------------------------------ organisers */

/* Answers with conversation id as the API shows it, read anew. */
static enum hm_err answer_conv(struct http_req *req, struct http_res *res, int64_t id, int status)
{
	json_t *c = dlg_conversation(req->db, id);
	if (!c)
		return HM_EDB;
	json_t *o = public_conv(c);
	json_object_set_new(o, "session", session_of(c, 1)); /* its organisers' answer */
	json_decref(c);
	return adm_api_answer(res, status, o);
}

static enum hm_err api_create(struct http_req *req, struct http_res *res)
{
	json_t *ev = web_own(req, reg_event(req->db, http_param(req, "slug")));
	if (!ev)
		return db_failed(req->db) ? HM_EDB
					  : http_fail(res, HM_ENOTFOUND, "There is no such event.");
	json_t *in = site_body_object(req);
	if (!in)
		return http_fail(res, HM_EINVAL, "Send a JSON object of the conversation's fields.");
	struct field_errors errs = {0};
	int64_t id;
	enum hm_err e = dlg_create(req->db, web_principal(req), ev, in, time_now_s(), &errs, &id);
	if (e == HM_EINVAL)
		return site_refuse_json(req, res, 400, &errs);
	if (e == HM_EFORBIDDEN && !str_eq(json_string_value(json_object_get(ev, "status")), "published"))
		return http_fail(res, HM_ENOTFOUND, "There is no such event.");
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return answer_conv(req, res, id, 201);
}

static enum hm_err api_get(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	adm_api_cache(req, res);
	json_t *o = public_conv(c);
	if (dlg_may_moderate(web_principal(req), c)) {
		json_object_set_new(o, "session", session_of(c, 1));
		int64_t cid = json_integer_value(json_object_get(c, "id"));
		json_t *list = dlg_statements(req->db, cid, NULL);
		json_t *trs = list ? dlg_conv_translations(req->db, cid) : NULL;
		if (!trs) {
			json_decref(list);
			json_decref(o);
			return HM_EDB;
		}
		/* the originals, as moderators edit them, with their translations */
		size_t i;
		json_t *st;
		json_array_foreach(list, i, st) {
			char k[24];
			snprintf(k, sizeof(k), "%lld", (long long)json_integer_value(json_object_get(st, "id")));
			json_t *t = json_object_get(trs, k);
			json_object_set_new(st, "translations", t ? json_incref(t) : json_object());
		}
		json_decref(trs);
		json_object_set_new(o, "statements", list);
	}
	return adm_api_answer(res, 200, o);
}

static enum hm_err api_patch(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	json_t *in = site_body_object(req);
	if (!in)
		return http_fail(res, HM_EINVAL, "Send a JSON object of the conversation's fields.");
	struct field_errors errs = {0};
	int64_t id = json_integer_value(json_object_get(c, "id"));
	e = dlg_update(req->db, web_principal(req), id, in, time_now_s(), &errs);
	if (e == HM_EINVAL)
		return site_refuse_json(req, res, 400, &errs);
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return answer_conv(req, res, id, 200);
}

static enum hm_err api_statements(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	if (web_principal(req)->read_only)
		return http_fail(res, HM_EFORBIDDEN, "This API token may only read.");
	json_t *in = site_body_object(req);
	if (!in)
		return http_fail(res, HM_EINVAL, "Send a JSON object with the statement's text.");
	int64_t cid = json_integer_value(json_object_get(c, "id"));
	const json_t *text = json_object_get(in, "text"), *texts = json_object_get(in, "texts");
	struct field_errors errs = {0};
	int64_t now = time_now_s();
	if (dlg_may_moderate(web_principal(req), c)) {
		json_t *list = texts ? json_pack("O", texts) : json_pack("[O]", text ? text : json_null());
		json_t *ids = NULL;
		/* the language they are written in: the body's "lang", else the page's */
		const json_t *lv = json_object_get(in, "lang");
		const char *lang = json_string_value(lv);
		if (lv && (!lang || !i18n_supported(lang))) {
			json_decref(list);
			field_error_add(&errs, "lang", "Choose one of the site's six languages.");
			return site_refuse_json(req, res, 400, &errs);
		}
		e = dlg_seed_lang(req->db, web_principal(req), cid, list, lang ? lang : req->lang, now,
				  &errs, &ids);
		json_decref(list);
		if (e == HM_EINVAL) {
			/* {text}: its refusal is the text's */
			if (!texts && errs.n)
				strcpy(errs.items[0].field, "text");
			return site_refuse_json(req, res, 400, &errs);
		}
		if (e != HM_OK)
			return adm_domain_fail(res, e);
		json_t *o = json_pack("{s:o, s:s, s:b}", "ids", ids, "status", "accepted",
				      "by_organiser", 1);
		if (!texts)
			json_object_set(o, "id", json_array_get(ids, 0));
		return adm_api_answer(res, 201, o);
	}
	if (texts)
		return http_fail(res, HM_EFORBIDDEN,
				 "Only the organisers may send many statements at once.");
	struct dlg_who w = who_of(req, c);
	json_t *out = NULL;
	e = dlg_submit(req->db, cid, &w, json_string_value(text), req->lang, now, &errs, &out);
	if (e == HM_EINVAL)
		return site_refuse_json(req, res, 400, &errs);
	if (e != HM_OK)
		return e == HM_EFORBIDDEN && dlg_may_take_part(req->db, c, &w) == HM_OK
			       ? http_fail(res, e, "This conversation takes no statements from participants.")
			       : refuse(res, e);
	return adm_api_answer(res, 201, out);
}

static enum hm_err api_statement(struct http_req *req, struct http_res *res)
{
	int64_t sid = site_id_param(req);
	json_t *in = site_body_object(req);
	if (!in)
		return http_fail(res, HM_EINVAL, "Send a JSON object of the statement's fields.");
	json_t *s = sid ? web_own(req, dlg_statement(req->db, sid)) : NULL;
	json_t *c = s ? web_own(req, dlg_conversation(req->db, json_integer_value(json_object_get(
							       s, "conversation_id"))))
		      : NULL;
	if (!c || !dlg_may_see(web_principal(req), c))
		return db_failed(req->db) ? HM_EDB
					  : http_fail(res, HM_ENOTFOUND, "There is no such statement.");
	if (!dlg_may_moderate(web_principal(req), c))
		return http_fail(res, HM_EFORBIDDEN, "Your account may not do this.");
	struct field_errors errs = {0};
	int64_t now = time_now_s();
	enum hm_err e = HM_OK;
	const json_t *text = json_object_get(in, "text");
	if (text) {
		e = dlg_seed_edit(req->db, web_principal(req), sid, json_string_value(text), now,
				  &errs);
		if (e == HM_EINVAL)
			return site_refuse_json(req, res, 400, &errs);
		if (e == HM_ECONFLICT)
			return http_fail(res, e,
					 "This statement has votes: write a new one instead.");
	}
	const char *status = json_string_value(json_object_get(in, "status"));
	if (e == HM_OK && json_object_get(in, "status")) {
		e = dlg_moderate(req->db, web_principal(req), sid, status,
				 json_string_value(json_object_get(in, "reason")), now);
		if (e == HM_EINVAL) {
			field_error_add(&errs, "status",
					"Please choose accepted, rejected or meta, with a short reason.");
			return site_refuse_json(req, res, 400, &errs);
		}
	}
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	json_t *after = dlg_statement(req->db, sid);
	json_t *trs = after ? dlg_translations(req->db, sid) : NULL;
	if (!trs) {
		json_decref(after);
		return HM_EDB;
	}
	json_object_set_new(after, "translations", trs);
	return adm_api_answer(res, 200, after);
}

/* ------------------------------------------- statements' translations */

/* The statement of the path and its conversation, as the asker may see
 * them: a pending or rejected statement only by its moderators (404
 * otherwise). */
static enum hm_err stmt_of(struct http_req *req, struct http_res *res, json_t **s, json_t **c)
{
	int64_t sid = site_id_param(req);
	*s = sid ? web_own(req, dlg_statement(req->db, sid)) : NULL;
	*c = *s ? web_own(req, dlg_conversation(req->db, json_integer_value(json_object_get(
							      *s, "conversation_id"))))
		: NULL;
	int seen = *c && dlg_may_see(web_principal(req), *c) &&
		   (dlg_may_moderate(web_principal(req), *c) ||
		    str_eq(dlg_jstr(*s, "status"), "accepted") || str_eq(dlg_jstr(*s, "status"), "meta"));
	if (!seen)
		return db_failed(req->db) ? HM_EDB
					  : http_fail(res, HM_ENOTFOUND, "There is no such statement.");
	return HM_OK;
}

/* GET /api/v1/statements/{id}/translations: {lang, translations}. */
static enum hm_err api_tr_get(struct http_req *req, struct http_res *res)
{
	json_t *s, *c;
	enum hm_err e = stmt_of(req, res, &s, &c);
	if (e != HM_OK)
		return e;
	json_t *trs = dlg_translations(req->db, json_integer_value(json_object_get(s, "id")));
	if (!trs)
		return HM_EDB;
	if (!dlg_may_moderate(web_principal(req), c))
		adm_api_cache(req, res);
	return adm_api_answer(res, 200, json_pack("{s:O, s:o}", "lang", json_object_get(s, "lang"),
						  "translations", trs));
}

/* The statement of the path for a write on its translations: 404 as
 * stmt_of, 403 for whoever may not moderate it (a read-only token too). */
static enum hm_err stmt_for_write(struct http_req *req, struct http_res *res, json_t **s)
{
	json_t *c;
	enum hm_err e = stmt_of(req, res, s, &c);
	if (e != HM_OK)
		return e;
	if (!dlg_may_moderate(web_principal(req), c))
		return http_fail(res, HM_EFORBIDDEN, "Your account may not do this.");
	return HM_OK;
}

/* The {lang} of the path, one of the site's (404 otherwise). */
static const char *path_lang(struct http_req *req)
{
	const char *lang = http_param(req, "lang");
	return lang && i18n_supported(lang) ? lang : NULL;
}

/* PUT /api/v1/statements/{id}/translations/{lang} {"text"}. */
static enum hm_err api_tr_put(struct http_req *req, struct http_res *res)
{
	json_t *s;
	enum hm_err e = stmt_for_write(req, res, &s);
	if (e != HM_OK)
		return e;
	const char *lang = path_lang(req);
	if (!lang)
		return http_fail(res, HM_ENOTFOUND, "This language is not offered.");
	json_t *in = site_body_object(req);
	if (!in)
		return http_fail(res, HM_EINVAL, "Send a JSON object with the statement's text.");
	const json_t *tv = json_object_get(in, "text");
	struct field_errors errs = {0};
	if (tv && !json_is_string(tv)) {
		field_error_add(&errs, "text", "Please enter text here.");
		return site_refuse_json(req, res, 400, &errs);
	}
	json_t *out = NULL;
	e = dlg_translate(req->db, web_principal(req), json_integer_value(json_object_get(s, "id")),
			  lang, json_string_value(tv), time_now_s(), &errs, &out);
	if (e == HM_EINVAL)
		return site_refuse_json(req, res, 400, &errs);
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return adm_api_answer(res, 200, out);
}

/* DELETE /api/v1/statements/{id}/translations/{lang}: {"deleted": true},
 * also when there was none. */
static enum hm_err api_tr_delete(struct http_req *req, struct http_res *res)
{
	json_t *s;
	enum hm_err e = stmt_for_write(req, res, &s);
	if (e != HM_OK)
		return e;
	const char *lang = path_lang(req);
	if (!lang)
		return http_fail(res, HM_ENOTFOUND, "This language is not offered.");
	e = dlg_untranslate(req->db, web_principal(req), json_integer_value(json_object_get(s, "id")),
			    lang, time_now_s());
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return adm_api_answer(res, 200, json_pack("{s:b}", "deleted", 1));
}

/* PATCH /api/v1/statements/{id}/translations {"lang"}: the original's
 * language. */
static enum hm_err api_tr_lang(struct http_req *req, struct http_res *res)
{
	json_t *s;
	enum hm_err e = stmt_for_write(req, res, &s);
	if (e != HM_OK)
		return e;
	const char *lang = json_string_value(json_object_get(site_body_object(req), "lang"));
	if (!lang || !i18n_supported(lang)) {
		struct field_errors errs = {0};
		field_error_add(&errs, "lang", "Choose one of the site's six languages.");
		return site_refuse_json(req, res, 400, &errs);
	}
	e = dlg_statement_lang(req->db, web_principal(req),
			       json_integer_value(json_object_get(s, "id")), lang, time_now_s());
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return adm_api_answer(res, 200, json_pack("{s:s}", "lang", lang));
}

/* GET /api/v1/statements/{id}/suggestions: the participants' suggested
 * translations waiting, for its moderators. */
static enum hm_err api_sug_list(struct http_req *req, struct http_res *res)
{
	json_t *s;
	enum hm_err e = stmt_for_write(req, res, &s);
	if (e != HM_OK)
		return e;
	json_t *list = dlg_suggestions(req->db, json_integer_value(json_object_get(s, "id")));
	if (!list)
		return HM_EDB;
	return adm_api_answer(res, 200, json_pack("{s:o}", "suggestions", list));
}

/* PATCH /api/v1/statements/{id}/suggestions/{sug} {"status": "accepted" |
 * "dismissed"}. */
static enum hm_err api_sug_decide(struct http_req *req, struct http_res *res)
{
	json_t *s;
	enum hm_err e = stmt_for_write(req, res, &s);
	if (e != HM_OK)
		return e;
	int64_t id = 0;
	const char *sug = http_param(req, "sug");
	if (!sug || !text_int_parse(sug, &id) || id <= 0)
		return http_fail(res, HM_ENOTFOUND, "There is no such suggestion.");
	const char *status = json_string_value(json_object_get(site_body_object(req), "status"));
	struct field_errors errs = {0};
	if (!str_eq(status, "accepted") && !str_eq(status, "dismissed")) {
		field_error_add(&errs, "status", "Please choose one of the options.");
		return site_refuse_json(req, res, 400, &errs);
	}
	e = dlg_suggestion_decide(req->db, web_principal(req),
				  json_integer_value(json_object_get(s, "id")), id,
				  str_eq(status, "accepted"), time_now_s(), &errs);
	if (e == HM_EINVAL)
		return site_refuse_json(req, res, 400, &errs);
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "There is no such suggestion.");
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return adm_api_answer(res, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", status));
}

/* ------------------------------------------------------ participants */

static enum hm_err dlg_page(struct http_req *req, struct http_res *res, const json_t *c,
			    const char *text, const char *error, json_t *extra);

/* {next, progress, participant}: what a participant sees next. */
static json_t *state_of(struct http_req *req, int64_t cid, int64_t pid)
{
	json_t *next, *prog;
	/* one snapshot for the reads (and one read lock, not one a statement) */
	if (db_begin_read(req->db) != HM_OK)
		return NULL;
	enum hm_err e = dlg_state(req->db, cid, pid, &next, &prog);
	db_rollback(req->db);
	if (e != HM_OK)
		return NULL;
	dlg_web_read_in(req, next, 0); /* in the reader's language */
	return json_pack("{s:o, s:o, s:o}", "next", next, "progress", prog, "participant",
			 pid > 0 ? json_integer(pid) : json_null());
}

/* A vote on its way to the committer: made in the request's arena, which
 * lives until the answer has gone. */
struct vote_job {
	struct db_group_item it;
	struct http_deferred *d;
	struct dlg_who who;
	const char *addr;
	int64_t cid, sid, now;
	int vote;
	int open;   /* the conversation was open when the request came */
	const json_t *conv; /* as the request read it (the request's) */
	enum hm_err e;
	json_t *out;
};

static enum hm_err vote_apply(struct db *db, struct db_group_item *it)
{
	struct vote_job *j = (struct vote_job *)it;
	json_decref(j->out); /* a retry of a failed batch starts again */
	j->out = NULL;
	j->e = dlg_vote_tx(db, j->cid, &j->who, j->sid, j->vote, j->now, j->addr, j->conv, &j->out);
	return j->e;
}

static void vote_done(struct db_group_item *it, enum hm_err e)
{
	struct vote_job *j = (struct vote_job *)it;
	j->e = e;
	if (e == HM_OK)
		dlg_analysis_wake();
	http_deferred_done(j->d);
}

/* The answer to a vote, once it is on disk (or refused). */
static enum hm_err vote_answer(void *cls, struct http_req *req, struct http_res *res)
{
	struct vote_job *j = cls;
	json_t *out = j->out;
	j->out = NULL;
	if (j->e != HM_OK) {
		json_decref(out);
		if (j->e == HM_ETOOBIG) {
			http_res_header(res, "Retry-After", "1");
			res->status = 429;
			return http_fail(res, HM_EINVAL,
					 "You are voting faster than the conversation allows. Please "
					 "wait a moment and vote again.");
		}
		return j->e == HM_ECONFLICT && j->open
			       ? http_fail(res, j->e, "This statement is not open to votes.")
			       : refuse(res, j->e);
	}
	int created = json_is_true(json_object_get(out, "created"));
	json_t *st = state_of(req, j->cid, json_integer_value(json_object_get(out, "participant")));
	if (st) {
		json_object_update(out, st);
		json_decref(st);
	}
	if (!req->want_json && !(req->route->flags & WEB_JSON)) {
		json_decref(out);
		return web_redirect(req, res, page_url(req, res, j->cid, &j->who, NULL));
	}
	return adm_api_answer(res, created ? 201 : 200, out);
}

static void vote_free(void *cls)
{
	struct vote_job *j = cls;
	json_decref(j->out);
}

/* A vote is answered only once it is durable: it goes to the committer,
 * which writes it with the other votes that came meanwhile in one
 * synchronous commit, and the connection waits, parked, for that. */
static enum hm_err api_vote(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	if (!(req->route->flags & WEB_JSON))
		embed_frame(req, res, c);
	if (web_principal(req)->read_only)
		return http_fail(res, HM_EFORBIDDEN, "This API token may only read.");
	json_t *in = site_body_object(req);
	const json_t *sv = json_object_get(in, "statement"), *vv = json_object_get(in, "vote");
	int64_t sid = 0, vote = 9;
	if (json_is_integer(sv))
		sid = json_integer_value(sv);
	else if (json_is_string(sv))
		text_int_parse(json_string_value(sv), &sid);
	if (json_is_integer(vv))
		vote = json_integer_value(vv);
	else if (json_is_string(vv))
		text_int_parse(json_string_value(vv), &vote);
	if (sid <= 0 || vote < -1 || vote > 1)
		return http_fail(res, HM_EINVAL,
				 "Send the statement's id and a vote: 1 agree, -1 disagree, 0 pass.");
	struct vote_job *j = arena_alloc(&req->pool, sizeof(*j));
	memset(j, 0, sizeof(*j));
	arena_defer(&req->pool, vote_free, j);
	j->cid = json_integer_value(json_object_get(c, "id"));
	j->sid = sid;
	j->vote = (int)vote;
	j->now = time_now_s();
	j->who = who_of(req, c);
	j->addr = req->client_addr;
	j->open = str_eq(dlg_jstr(c, "status"), "open");
	j->conv = c;
	j->it.apply = vote_apply;
	j->it.done = vote_done;
	struct db_group *g = dlg_votes_group();
	if (!g) {
		/* no committer (not a server): one transaction of its own */
		if (db_begin(req->db) != HM_OK)
			return HM_EDB;
		if (vote_apply(req->db, &j->it) != HM_OK)
			db_rollback(req->db);
		else if (db_commit(req->db) != HM_OK)
			j->e = HM_EDB;
		return vote_answer(j, req, res);
	}
	j->d = http_res_defer(res, vote_answer, j);
	db_group_submit(g, &j->it);
	return HM_OK;
}

/* The voting page's form for one's own statement: back to the page,
 * with the refusal beside the field. */
static enum hm_err form_statement(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	int64_t cid = json_integer_value(json_object_get(c, "id"));
	json_t *in = site_body_object(req);
	const char *text = json_string_value(json_object_get(in, "text"));
	struct dlg_who w = who_of(req, c);
	embed_frame(req, res, c);
	struct field_errors errs = {0};
	json_t *out = NULL;
	e = dlg_submit(req->db, cid, &w, text, req->lang, time_now_s(), &errs, &out);
	json_decref(out);
	if (e == HM_OK)
		return web_redirect(req, res, page_url(req, res, cid, &w, "done=written"));
	if (e != HM_EINVAL)
		return refuse(res, e);
	res->status = 400;
	return dlg_page(req, res, c, text, web_t(req, errs.items[0].msgid), NULL);
}

/* POST /conversations/{id}/suggestions (the voting page's form) and
 * /api/v1/conversations/{id}/suggestions: a participant suggests a
 * translation of a statement ({statement, text}, into "lang", else the
 * page's language), for the moderators to review. Back to the page with
 * done=suggested; a refusal shows the page again on that statement. */
static enum hm_err form_suggest(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	if (web_principal(req)->read_only)
		return http_fail(res, HM_EFORBIDDEN, "This API token may only read.");
	int json = req->want_json || (req->route->flags & WEB_JSON);
	if (!json)
		embed_frame(req, res, c);
	int64_t cid = json_integer_value(json_object_get(c, "id"));
	json_t *in = site_body_object(req);
	if (!in)
		return http_fail(res, HM_EINVAL, "Send the form's fields, or a JSON object.");
	const json_t *sv = json_object_get(in, "statement");
	int64_t sid = 0;
	if (json_is_integer(sv))
		sid = json_integer_value(sv);
	else if (json_is_string(sv))
		text_int_parse(json_string_value(sv), &sid);
	const char *lang = json_string_value(json_object_get(in, "lang"));
	const char *text = json_string_value(json_object_get(in, "text"));
	struct dlg_who w = who_of(req, c);
	struct field_errors errs = {0};
	json_t *out = NULL;
	e = sid > 0 ? dlg_suggest(req->db, cid, &w, sid, lang ? lang : req->lang, text, time_now_s(),
				  &errs, &out)
		    : HM_ENOTFOUND;
	if (e == HM_EEXIST)
		return http_fail(res, e, "This statement has a translation into this language already.");
	if (e != HM_OK && e != HM_EINVAL)
		return refuse(res, e);
	if (json)
		return e == HM_EINVAL ? site_refuse_json(req, res, 400, &errs)
				      : adm_api_answer(res, 201, out);
	json_decref(out);
	if (e == HM_OK)
		return web_redirect(req, res, page_url(req, res, cid, &w, "done=suggested"));
	res->status = 400;
	return dlg_page(req, res, c, NULL, NULL,
			json_pack("{s:I, s:s?, s:s}", "suggest_for", (json_int_t)sid, "suggest_text",
				  text, "suggest_error", web_t(req, errs.items[0].msgid)));
}

/* POST /conversations/{id}/declare (a form, or JSON): the participant's
 * sector and country, as the conversation asks, with their consent; or
 * nothing, which declines. Back to the voting page; JSON: {declared}. */
static enum hm_err form_declare(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	if (web_principal(req)->read_only)
		return http_fail(res, HM_EFORBIDDEN, "This API token may only read.");
	int64_t cid = json_integer_value(json_object_get(c, "id"));
	embed_frame(req, res, c);
	json_t *in = site_body_object(req);
	if (!in)
		return http_fail(res, HM_EINVAL, "Send the form's fields, or a JSON object.");
	const json_t *cv = json_object_get(in, "consent");
	int consent = json_is_true(cv) ||
		      (json_is_string(cv) && (str_eq(json_string_value(cv), "1") ||
					      str_eq(json_string_value(cv), "on") ||
					      str_eq(json_string_value(cv), "true")));
	const char *sector = json_string_value(json_object_get(in, "sector"));
	const char *country = json_string_value(json_object_get(in, "country"));
	if (json_object_get(in, "decline")) /* the form's "Prefer not to say" */
		sector = country = NULL;
	struct dlg_who w = who_of(req, c);
	struct field_errors errs = {0};
	e = dlg_declare(req->db, cid, &w, sector, country, consent, time_now_s(), &errs);
	if (e == HM_ECONFLICT && str_eq(dlg_jstr(c, "status"), "open"))
		return http_fail(res, e, "This conversation asks nothing of its participants.");
	if (e != HM_OK && e != HM_EINVAL)
		return refuse(res, e);
	int json = req->want_json || (req->route->flags & WEB_JSON);
	if (e == HM_EINVAL) {
		if (json)
			return site_refuse_json(req, res, 400, &errs);
		json_t *errors = json_object();
		for (int i = 0; i < errs.n; i++)
			json_object_set_new(errors, errs.items[i].field, json_string(web_t(req, errs.items[i].msgid)));
		res->status = 400;
		return dlg_page(req, res, c, NULL, NULL,
				json_pack("{s:{s:s?, s:s?, s:b}, s:o}", "ask_values", "sector", sector,
					  "country", country, "consent", consent, "ask_errors", errors));
	}
	if (json) {
		int64_t pid = dlg_participant_of(req->db, cid, &w);
		json_t *d = pid > 0 ? dlg_declared(req->db, pid) : NULL;
		if (!d)
			return HM_EDB;
		return adm_api_answer(res, 200, json_pack("{s:o}", "declared", d));
	}
	return web_redirect(req, res, page_url(req, res, cid, &w, "done=declared"));
}

/* Sets the anonymous identity's cookie when the conversation admits
 * anyone and the visitor has none (nor an account); returns the token
 * this request acts with (NULL: none). */
static const char *anon_cookie(struct http_req *req, struct http_res *res, const json_t *c,
			       const struct dlg_who *w)
{
	const char *have = anon_token(req);
	if (w->xid || web_principal(req)->account_id ||
	    !str_eq(dlg_jstr(c, "participation"), "anyone") ||
	    (have && strlen(have) == DLG_ANON_TOKEN_LEN))
		return have;
	unsigned char raw[32];
	char tok[AUTH_TOKEN_SIZE];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(tok, sizeof(tok), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char base[AUTH_COOKIE_SIZE];
	auth_cookie_header(AUTH_COOKIE_DIALOGUE, tok, req->secure, base);
	/* a year: people come back to a conversation, as Pol.is's do */
	http_res_header(res, "Set-Cookie", arena_printf(&req->pool, "%s; Max-Age=31536000", base));
	return arena_strdup(&req->pool, tok);
}

static enum hm_err page_conversation(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	return dlg_page(req, res, c, NULL, NULL, NULL);
}

/* The attributes c asks its participants to declare: ["sector", …]. */
static json_t *asks_of(const json_t *c)
{
	json_t *a = json_array();
	static const char *const attrs[] = {"sector", "country"};
	for (size_t i = 0; i < 2; i++)
		if (dlg_asks(c, attrs[i]))
			json_array_append_new(a, json_string(attrs[i]));
	return a;
}

/* The form that asks a participant their sector and country (what c
 * asks), optional, once: values and errors of a refused answer. */
static json_t *ask_form(struct http_req *req, const json_t *c, const json_t *values,
			json_t *errors)
{
	const char *sector = json_string_value(json_object_get(values, "sector"));
	const char *country = json_string_value(json_object_get(values, "country"));
	json_t *f = json_pack("{s:b, s:b, s:b}", "sector", dlg_asks(c, "sector"), "country",
			      dlg_asks(c, "country"), "consent",
			      json_is_true(json_object_get(values, "consent")));
	if (dlg_asks(c, "sector")) {
		json_t *opts = json_array();
		for (const char *const *k = admin_sectors; *k; k++)
			json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "value", *k, "label",
							      adm_label(req, *k), "selected",
							      str_eq(*k, sector)));
		json_object_set_new(f, "sector_options", opts);
	}
	if (dlg_asks(c, "country"))
		json_object_set_new(f, "country_options",
				    fmt_country_options(&req->pool, req->lang, country));
	if (errors)
		json_object_set(f, "errors", errors);
	return f;
}

/* The voting page (or its JSON twin) of c; text and error: a statement
 * refused, shown again beside its field; extra: more of the model (taken;
 * NULL: none). */
static enum hm_err dlg_page(struct http_req *req, struct http_res *res, const json_t *c,
			    const char *text, const char *error, json_t *extra)
{
	web_private(req, res);
	embed_frame(req, res, c);
	int64_t cid = json_integer_value(json_object_get(c, "id"));
	struct dlg_who w = who_of(req, c);
	w.anon_token = anon_cookie(req, res, c, &w);
	int64_t pid = dlg_participant_of(req->db, cid, &w);
	if (pid < 0)
		return HM_EDB;
	json_t *m = state_of(req, cid, pid);
	if (!m)
		return HM_EDB;
	enum hm_err may = dlg_may_take_part(req->db, c, &w);
	json_object_set_new(m, "conversation", public_conv(c));
	if (dlg_may_moderate(web_principal(req), c))
		json_object_set_new(json_object_get(m, "conversation"), "session", session_of(c, 1));
	json_object_set_new(m, "csrf", json_string(web_csrf_token(req, res)));
	json_object_set_new(m, "may_vote", json_boolean(may == HM_OK));
	json_object_set_new(m, "why_not",
			    may == HM_OK	     ? json_null()
			    : may == HM_EUNAUTH	     ? json_string("sign-in")
			    : may == HM_ECONFLICT    ? json_string("not-open")
			    : may == HM_EFORBIDDEN   ? json_string("not-a-participant")
						     : json_string("error"));
	json_object_set_new(m, "may_moderate",
			    json_boolean(dlg_may_moderate(web_principal(req), c)));
	json_t *declared = dlg_declared(req->db, pid);
	if (!declared) {
		json_decref(m);
		json_decref(extra);
		return HM_EDB;
	}
	json_object_set_new(m, "asks", asks_of(c));
	if (may == HM_OK && dlg_asks(c, NULL) && json_is_null(declared) && !req->want_json) {
		json_t *x = json_object_get(extra, "ask_values");
		json_object_set_new(m, "ask", ask_form(req, c, x, json_object_get(extra, "ask_errors")));
	}
	json_object_set_new(m, "declared", declared);
	/* a refused suggestion: the page again on its statement */
	int64_t sfor = json_integer_value(json_object_get(extra, "suggest_for"));
	if (sfor > 0 && !req->want_json) {
		json_t *s = dlg_statement(req->db, sfor);
		json_t *trs = s ? dlg_translations(req->db, sfor) : NULL;
		if (trs && json_integer_value(json_object_get(s, "conversation_id")) == cid) {
			json_t *n = json_pack("{s:O, s:O, s:O, s:O, s:o}", "id", json_object_get(s, "id"),
					      "text", json_object_get(s, "text"), "by_organiser",
					      json_object_get(s, "by_organiser"), "lang",
					      json_object_get(s, "lang"), "translations", trs);
			dlg_web_read_in(req, n, 0);
			json_object_set_new(n, "suggest_text", json_incref(json_object_get(extra, "suggest_text")));
			json_object_set_new(n, "suggest_error", json_incref(json_object_get(extra, "suggest_error")));
			json_object_set_new(m, "next", n);
		} else
			json_decref(trs);
		json_decref(s);
	}
	json_decref(extra);
	if (req->want_json)
		return adm_api_answer(res, res->status >= 400 ? res->status : 200, m);
	if (text)
		json_object_set_new(m, "write_text", json_string(text));
	if (error)
		json_object_set_new(m, "write_error", json_string(error));
	if (str_eq(http_query(req, "done"), "written"))
		json_object_set_new(m, "written", json_true());
	if (str_eq(http_query(req, "done"), "declared"))
		json_object_set_new(m, "declared_now", json_true());
	if (str_eq(http_query(req, "done"), "suggested"))
		json_object_set_new(m, "suggested_now", json_true());
	if (res->frame_ancestors && str_eq(http_query(req, "embed"), "1")) {
		/* framed: its forms come back to the compact page, in the
		 * language chosen, as the same participant */
		json_object_set_new(m, "embed", json_true());
		if (w.xid)
			json_object_set_new(m, "xid", json_string(w.xid));
	}
	dlg_page_model(req, m);
	http_res_page(res, m, "pages/conversation", dlg_jstr(c, "topic"));
	return HM_OK;
}

/* The report's visibility (report_visibility): organisers always; the
 * conversation's participants, or anyone, as the organiser chose. The
 * Pol.is export follows the same rule. */
static enum hm_err may_read_report(struct http_req *req, struct http_res *res, const json_t *c)
{
	int64_t cid = json_integer_value(json_object_get(c, "id"));
	const struct principal *p = web_principal(req);
	const char *vis = dlg_jstr(c, "report_visibility");
	if (!str_eq(vis, "public") || p->account_id)
		web_private(req, res);
	if (!dlg_may_moderate(p, c)) {
		struct dlg_who w = who_of(req, c);
		int64_t pid = str_eq(vis, "participants") ? dlg_participant_of(req->db, cid, &w) : 0;
		if (pid < 0)
			return HM_EDB;
		if (str_eq(vis, "organisers") || (str_eq(vis, "participants") && pid == 0))
			return http_fail(res, HM_EFORBIDDEN,
					 "This report is for the conversation's participants.");
	}
	return HM_OK;
}

static enum hm_err page_report(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	int64_t cid = json_integer_value(json_object_get(c, "id"));
	if ((e = may_read_report(req, res, c)) != HM_OK)
		return e;
	if (req->want_json) {
		/* the stored text as it is (megabytes for a large conversation:
		 * not parsed and written again) */
		if ((e = dlg_report_text(req->db, cid, &res->body)) != HM_OK)
			return e == HM_ENOTFOUND ? HM_EDB : e;
		res->content_type = "application/json; charset=utf-8";
		http_res_header(res, "Vary", "Accept, Accept-Language, Cookie");
		return HM_OK;
	}
	json_t *r = dlg_report(req->db, cid);
	if (!r)
		return HM_EDB;
	json_t *m = json_pack("{s:o, s:o}", "conversation", public_conv(c), "report", r);
	dlg_report_model(req, m);
	http_res_page(res, m, "pages/conversation_report", dlg_jstr(c, "topic"));
	return HM_OK;
}

/* GET /conversations/{id}/export/{file}.csv: Pol.is's export files. */
static enum hm_err page_export(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	if ((e = may_read_report(req, res, c)) != HM_OK)
		return e;
	const char *file = http_param(req, "file");
	size_t n = file ? strlen(file) : 0;
	char name[32];
	if (n < 5 || n - 4 >= sizeof(name) || strcmp(file + n - 4, ".csv"))
		return http_fail(res, HM_ENOTFOUND, "There is no such export file.");
	memcpy(name, file, n - 4);
	name[n - 4] = 0;
	const char *url = arena_printf(&req->pool, "/conversations/%lld",
				       (long long)json_integer_value(json_object_get(c, "id")));
	e = dlg_export(req->db, c, name, url, &res->body);
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "There is no such export file.");
	if (e != HM_OK)
		return e;
	res->content_type = "text/csv; charset=utf-8";
	http_res_header(res, "Content-Disposition",
			arena_printf(&req->pool, "attachment; filename=\"%s\"", file));
	return HM_OK;
}

const struct route dlg_routes[] = {
	{POST, "/api/v1/events/{slug}/conversations", api_create, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/conversations/{id}", api_get, WEB_JSON},
	{PATCH, "/api/v1/conversations/{id}", api_patch, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{POST, "/api/v1/conversations/{id}/statements", api_statements,
	 WEB_JSON | WEB_PRIVATE | WEB_VISITOR | WEB_EMBED | WEB_CSRF},
	{PATCH, "/api/v1/statements/{id}", api_statement, WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{GET, "/api/v1/statements/{id}/translations", api_tr_get, WEB_JSON},
	{GET, "/api/v1/statements/{id}/suggestions", api_sug_list, WEB_JSON | WEB_PRIVATE},
	{PATCH, "/api/v1/statements/{id}/suggestions/{sug}", api_sug_decide,
	 WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{PATCH, "/api/v1/statements/{id}/translations", api_tr_lang,
	 WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{PUT, "/api/v1/statements/{id}/translations/{lang}", api_tr_put,
	 WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{DELETE, "/api/v1/statements/{id}/translations/{lang}", api_tr_delete,
	 WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{POST, "/api/v1/conversations/{id}/votes", api_vote,
	 WEB_JSON | WEB_PRIVATE | WEB_VISITOR | WEB_EMBED | WEB_CSRF},
	{GET, "/conversations/{id}", page_conversation, WEB_PRIVATE},
	{POST, "/conversations/{id}/votes", api_vote,
	 WEB_PRIVATE | WEB_VISITOR | WEB_EMBED | WEB_CSRF},
	{POST, "/conversations/{id}/statements", form_statement,
	 WEB_PRIVATE | WEB_VISITOR | WEB_EMBED | WEB_CSRF},
	{POST, "/conversations/{id}/declare", form_declare,
	 WEB_PRIVATE | WEB_VISITOR | WEB_EMBED | WEB_CSRF},
	{POST, "/conversations/{id}/suggestions", form_suggest,
	 WEB_PRIVATE | WEB_VISITOR | WEB_EMBED | WEB_CSRF},
	{POST, "/api/v1/conversations/{id}/suggestions", form_suggest,
	 WEB_JSON | WEB_PRIVATE | WEB_VISITOR | WEB_EMBED | WEB_CSRF},
	{POST, "/api/v1/conversations/{id}/declare", form_declare,
	 WEB_JSON | WEB_PRIVATE | WEB_VISITOR | WEB_EMBED | WEB_CSRF},
	{GET, "/conversations/{id}/report", page_report, 0},
	{GET, "/conversations/{id}/export/{file}", page_export, 0},
	WEB_ROUTES_END,
};

/* For the other pages of the dialogue (web_live.c). */
enum hm_err dlg_web_conv(struct http_req *req, struct http_res *res, json_t **c)
{
	return conv_of(req, res, c);
}

enum hm_err dlg_web_may_read_report(struct http_req *req, struct http_res *res, const json_t *c)
{
	return may_read_report(req, res, c);
}

json_t *dlg_web_public_conv(const json_t *c)
{
	return public_conv(c);
}
