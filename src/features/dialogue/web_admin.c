/*
 * web_admin.c — the organisers' pages of the dialogue: an event's
 * conversations (with the form that creates one), a conversation's
 * settings, status and seed statements, and the moderation queue (filters,
 * one by one and in bulk, 50 a page), and a statement's translations
 * beside its original (with participants' suggestions to accept or
 * dismiss). Everything goes through the store
 * the API uses; the right checked is AUTH_DIALOGUE_MODERATE on the
 * conversation's event.
 */
#include "features/dialogue/dlg_web.h"

#include "auth/auth.h"
#include "features/events/events_admin.h"
#include "features/programme/programme.h"
#include "features/registration/registration.h"
#include "http/server.h"
#include "site/form.h"
#include "view/format_extra.h"
#include "view/i18n.h"
#include "view/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Labels of the stored values, here rather than in the site's shared
 * vocabulary: "open" there is registration's mode. */
static const struct {
	const char *key, *label;
} labels[] = {
	{"draft", N_("Draft")},
	{"open", N_("Open")},
	{"closed", N_("Closed")},
	{"archived", N_("Archived")},
	{"registered", N_("Approved participants of the event")},
	{"signed-in", N_("Anyone signed in")},
	{"anyone", N_("Anyone, without an account")},
	{"strict", N_("Strict: shown once accepted")},
	{"permissive", N_("Permissive: shown at once, removable")},
	{"public", N_("Public")},
	{"participants", N_("Participants only")},
	{"organisers", N_("Organisers only")},
	{"pending", N_("Pending")},
	{"accepted", N_("Accepted")},
	{"rejected", N_("Rejected")},
	{"meta", N_("Meta")},
	{"organiser", N_("Organiser")},
	{"account", N_("Participant (signed in)")},
	{"anonymous", N_("Participant (anonymous)")},
	{"host", N_("Participant (known to the embedding site)")},
};

const char *dlg_label(struct http_req *req, const char *key)
{
	for (size_t i = 0; key && i < HM_ARRAY_LEN(labels); i++)
		if (str_eq(key, labels[i].key))
			return web_t(req, labels[i].label);
	return key ? key : "";
}

static json_t *options(struct http_req *req, const char *const *list, const char *current)
{
	json_t *a = json_array();
	for (; *list; list++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", *list, "label",
						   dlg_label(req, *list), "selected",
						   str_eq(*list, current)));
	return a;
}

static int64_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* The event of the path, its organisers only. */
static enum hm_err event_of(struct http_req *req, struct http_res *res, json_t **out)
{
	*out = NULL;
	json_t *ev = reg_event(req->db, http_param(req, "slug"));
	if (!ev)
		return db_failed(req->db) ? HM_EDB : http_fail(res, HM_ENOTFOUND, "There is no such event.");
	struct auth_scope sc = {.event_id = jint(ev, "id"), .series_id = jint(ev, "series_id")};
	enum hm_err e = web_require(req, res, AUTH_DIALOGUE_MODERATE, &sc);
	if (e != HM_OK) {
		json_decref(ev);
		return e;
	}
	*out = web_own(req, ev);
	return HM_OK;
}

/* The conversation of the path and its event, for its organisers: 404
 * for those who may not see it, 403 for those who see it and may not
 * change it (as the API answers). */
static enum hm_err conv_of(struct http_req *req, struct http_res *res, json_t **c, json_t **ev)
{
	*c = *ev = NULL;
	int64_t id = site_id_param(req);
	json_t *conv = id ? dlg_conversation(req->db, id) : NULL;
	if (!conv && db_failed(req->db))
		return HM_EDB;
	if (!conv || !dlg_may_see(web_principal(req), conv)) {
		json_decref(conv);
		return http_fail(res, HM_ENOTFOUND, "There is no such conversation.");
	}
	if (!dlg_may_moderate(web_principal(req), conv)) {
		json_decref(conv);
		return http_fail(res, HM_EFORBIDDEN, "Your account may not do this.");
	}
	*c = web_own(req, conv);
	*ev = web_own(req, reg_event_by_id(req->db, jint(conv, "event_id")));
	return *ev ? HM_OK : HM_EDB;
}

static void decorate(struct http_req *req, json_t *c)
{
	web_set_str(c, "status_label", dlg_label(req, dlg_jstr(c, "status")));
	web_set_str(c, "status_class", arena_printf(&req->pool, "badge-%s", dlg_jstr(c, "status")));
	web_set_str(c, "participation_label", dlg_label(req, dlg_jstr(c, "participation")));
	web_set_str(c, "moderation_label", dlg_label(req, dlg_jstr(c, "moderation")));
}

static enum hm_err page(struct http_req *req, struct http_res *res, json_t *m, const json_t *ev,
			const char *tpl, const char *title)
{
	json_t *e = json_deep_copy(ev);
	adm_decorate_status(req, e);
	json_object_set_new(m, "tabs", adm_event_tabs(req, ev, "conversations"));
	json_object_set_new(m, "event", e);
	return adm_page(req, res, m, tpl, title, "events");
}

/* The sessions of event_id's programme to choose from ("sessions":
 * [{value, label, selected}…], "— No session —" first); current: the id
 * chosen (a form's text, or the conversation's session_id). */
static void session_options(struct http_req *req, json_t *m, int64_t event_id,
			    const json_t *values)
{
	const json_t *cur = json_object_get(values, "session");
	long long current = 0;
	if (json_is_string(cur))
		current = atoll(json_string_value(cur));
	else if (!cur)
		current = (long long)jint(values, "session_id");
	json_t *a = json_array();
	json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", "", "label",
					   web_t(req, "— No session —"), "selected", current == 0));
	json_t *all = prog_sessions(req->db, event_id);
	size_t i;
	json_t *s;
	json_array_foreach(all, i, s) {
		const char *at = dlg_jstr(s, "starts_at");
		long long id = (long long)jint(s, "id");
		json_array_append_new(
			a, json_pack("{s:o, s:o, s:b}", "value", json_sprintf("%lld", id), "label",
				     json_sprintf("%s · %.10s %.5s", dlg_jstr(s, "title"), at ? at : "",
						  at && strlen(at) > 11 ? at + 11 : ""),
				     "selected", id == current));
	}
	json_decref(all);
	json_object_set_new(m, "sessions", a);
}

/* The settings form of a conversation of event_id: values (a
 * conversation's or those sent) and errs. */
static json_t *settings_form(struct http_req *req, json_t *m, int64_t event_id,
			     const json_t *values, const struct field_errors *errs)
{
	static const char *const order[] = {"topic", "question", "description_md", "session",
					    "participation", "moderation", "participants_submit",
					    "max_length", "report_visibility", "embed_origins",
					    "ask_attributes", NULL};
	json_t *v = json_deep_copy(values);
	/* the asked attributes as two checkboxes */
	const char *asks = dlg_jstr(v, "ask_attributes");
	json_object_set_new(v, "ask_sector", json_boolean(asks && strstr(asks, "sector")));
	json_object_set_new(v, "ask_country", json_boolean(asks && strstr(asks, "country")));
	const json_t *ml = json_object_get(v, "max_length");
	if (json_is_integer(ml))
		json_object_set_new(v, "max_length", json_sprintf("%lld", (long long)json_integer_value(ml)));
	const json_t *ps = json_object_get(v, "participants_submit");
	json_object_set_new(v, "participants_submit",
			    json_boolean(json_is_true(ps) || (json_is_string(ps) && *json_string_value(ps))));
	json_t *f = site_errors_form(req, v, errs, order);
	json_decref(v);
	json_object_set_new(m, "form", f);
	json_t *fv = json_object_get(f, "values");
	json_object_set_new(m, "participations",
			    options(req, dlg_participations, dlg_jstr(fv, "participation")));
	json_object_set_new(m, "moderations", options(req, dlg_moderations, dlg_jstr(fv, "moderation")));
	json_object_set_new(m, "visibilities",
			    options(req, dlg_visibilities, dlg_jstr(fv, "report_visibility")));
	session_options(req, m, event_id, values);
	return m;
}

/* The settings as the store takes them, from a form. */
static json_t *settings_in(struct http_req *req, const json_t *form)
{
	static const char *const keys[] = {"topic", "question", "description_md", "participation",
					   "moderation", "max_length", "report_visibility",
					   "embed_origins"};
	json_t *in = web_own(req, json_object());
	for (size_t i = 0; i < HM_ARRAY_LEN(keys); i++) {
		const json_t *v = json_object_get(form, keys[i]);
		json_object_set_new(in, keys[i], json_string(json_is_string(v) ? json_string_value(v) : ""));
	}
	json_object_set_new(in, "participants_submit",
			    json_string(json_object_get(form, "participants_submit") ? "1" : "0"));
	const json_t *session = json_object_get(form, "session");
	if (json_is_string(session))
		json_object_set_new(in, "session", json_string(json_string_value(session)));
	json_object_set_new(in, "ask_attributes",
			    json_sprintf("%s %s", json_object_get(form, "ask_sector") ? "sector" : "",
					 json_object_get(form, "ask_country") ? "country" : ""));
	return in;
}

/* ------------------------------------------------- event's conversations */

static enum hm_err list_page_extra(struct http_req *req, struct http_res *res, const json_t *ev,
				   const json_t *values, const struct field_errors *errs, int status,
				   json_t *extra);

static enum hm_err list_page(struct http_req *req, struct http_res *res, const json_t *ev,
			     const json_t *values, const struct field_errors *errs, int status)
{
	return list_page_extra(req, res, ev, values, errs, status, NULL);
}

/* The list with extra keys in its model (extra is taken). */
static enum hm_err list_page_with(struct http_req *req, struct http_res *res, const json_t *ev,
				  json_t *extra, int status)
{
	return list_page_extra(req, res, ev, NULL, NULL, status, extra);
}

static enum hm_err list_page_extra(struct http_req *req, struct http_res *res, const json_t *ev,
				   const json_t *values, const struct field_errors *errs, int status,
				   json_t *extra)
{
	json_t *list = dlg_conversations(req->db, jint(ev, "id"));
	if (!list) {
		json_decref(extra);
		return HM_EDB;
	}
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c) {
		json_t *n = dlg_counts(req->db, jint(c, "id"));
		if (!n) {
			json_decref(list);
			return HM_EDB;
		}
		decorate(req, c);
		web_set_str(c, "statements_text",
			    arena_printf(&req->pool, web_nt(req, "%lld statement", "%lld statements",
							    (unsigned long)jint(n, "statements")),
					 (long long)jint(n, "statements")));
		web_set_str(c, "pending_text",
			    arena_printf(&req->pool, web_nt(req, "%lld pending", "%lld pending",
							    (unsigned long)jint(n, "pending")),
					 (long long)jint(n, "pending")));
		web_set_str(c, "participants_text",
			    arena_printf(&req->pool, web_nt(req, "%lld participant", "%lld participants",
							    (unsigned long)jint(n, "participants")),
					 (long long)jint(n, "participants")));
		web_set_str(c, "votes_text",
			    arena_printf(&req->pool, web_nt(req, "%lld vote", "%lld votes",
							    (unsigned long)jint(n, "votes")),
					 (long long)jint(n, "votes")));
		json_object_set_new(c, "has_pending", json_boolean(jint(n, "pending") > 0));
		json_decref(n);
	}
	json_t *m = json_pack("{s:o}", "conversations", list);
	if (extra) {
		json_object_update(m, extra);
		json_decref(extra);
	}
	json_t *defaults = NULL;
	if (!values)
		values = defaults = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:i, s:s, s:s}", "topic",
					      "", "question", "", "description_md", "",
					      "participation", "registered", "moderation", "strict",
					      "participants_submit", 1, "max_length", 140,
					      "report_visibility", "public", "embed_origins", "");
	if (defaults)
		json_object_set_new(defaults, "ask_attributes", json_string(""));
	settings_form(req, m, jint(ev, "id"), values, errs);
	json_decref(defaults);
	res->status = status;
	return page(req, res, m, ev, "admin/conversations", web_t(req, "Conversations"));
}

/* POST /admin/events/{slug}/conversations/import: a Pol.is export's
 * files (comments.csv, votes.csv or participants-votes.csv, summary.csv)
 * make a new, closed conversation, as `harmony conversation import`
 * does. Files that cannot be read: the list again, with why. */
static enum hm_err post_import(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = event_of(req, res, &ev);
	if (e != HM_OK)
		return e;
	static const struct field fields[] = {
		{.name = "comments", .kind = FIELD_FILE, .max_len = DLG_IMPORT_FILE_MAX,
		 .label = N_("comments.csv")},
		{.name = "votes", .kind = FIELD_FILE, .max_len = DLG_IMPORT_FILE_MAX,
		 .label = N_("votes.csv or participants-votes.csv")},
		{.name = "summary", .kind = FIELD_FILE, .max_len = DLG_IMPORT_FILE_MAX,
		 .label = N_("summary.csv")},
	};
	struct form f;
	form_read(req, fields, HM_ARRAY_LEN(fields), &f);
	const struct form_file *cm = &f.files[0], *vt = &f.files[1], *sm = &f.files[2];
	struct dlg_polis_files pf = {.comments = cm->data, .comments_len = cm->len,
				     .summary = sm->data, .summary_len = sm->len,
				     .name = web_t(req, "Imported conversation")};
	/* the votes' file is told by its header: participants-votes.csv has
	 * a participant column */
	if (vt->data && vt->len) {
		int wide = strncmp(vt->data, "participant,", 12) == 0;
		if (wide) {
			pf.participants_votes = vt->data;
			pf.participants_votes_len = vt->len;
		} else {
			pf.votes = vt->data;
			pf.votes_len = vt->len;
		}
	}
	char why[512] = "";
	struct dlg_polis_read pr;
	int64_t now = time_now_s(), cid = 0;
	if (!f.error && cm->data && cm->len &&
	    (e = dlg_polis_read(&pf, now, &pr, why, sizeof(why))) == HM_OK) {
		e = dlg_import(req->db, web_principal(req), ev, &pr.in, now, &cid);
		dlg_polis_read_free(&pr);
		if (e == HM_EINVAL)
			snprintf(why, sizeof(why), "%s", "a vote or an author names no participant or statement");
		else if (e != HM_OK)
			return adm_domain_fail(res, e);
	} else {
		e = HM_EINVAL;
	}
	if (e == HM_OK)
		return web_redirect(req, res, arena_printf(&req->pool, "/admin/conversations/%lld?done=imported",
							   (long long)cid));
	json_t *m_err = json_pack("{s:s, s:s}", "import_error",
				  !cm->data || !cm->len
					  ? web_t(req, "Choose the export's comments.csv and its votes.csv (or participants-votes.csv).")
					  : web_t(req, "These files are not a Pol.is export harmony can read; nothing was imported."),
				  "import_detail", why);
	return list_page_with(req, res, ev, m_err, 400);
}

static enum hm_err page_list(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = event_of(req, res, &ev);
	return e != HM_OK ? e : list_page(req, res, ev, NULL, NULL, 200);
}

static enum hm_err post_create(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = event_of(req, res, &ev);
	if (e != HM_OK)
		return e;
	json_t *form = site_body_object(req);
	json_t *in = settings_in(req, form);
	struct field_errors errs = {0};
	int64_t id;
	e = dlg_create(req->db, web_principal(req), ev, in, time_now_s(), &errs, &id);
	if (e == HM_EINVAL)
		return list_page(req, res, ev, in, &errs, 400);
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return web_redirect(req, res, arena_printf(&req->pool, "/admin/conversations/%lld?done=made",
						   (long long)id));
}

/* ------------------------------------------------------ one conversation */

/* s escaped for an HTML attribute's value, in the request's arena. */
static const char *attr_escape(struct http_req *req, const char *s)
{
	struct buf b;
	buf_init(&b);
	html_escape(&b, s ? s : "", s ? strlen(s) : 0);
	const char *out = arena_strdup(&req->pool, b.data ? b.data : "");
	buf_free(&b);
	return out;
}

/* Embedding: the snippet organisers copy into the host site's page
 * ("embed_snippet"), once the conversation lists the sites that may
 * frame it ("embed_sites", their origins). */
static void embed_snippet(struct http_req *req, json_t *m, const json_t *c)
{
	const char *o = dlg_jstr(c, "embed_origins");
	if (!o || !*o)
		return;
	json_t *sites = json_array();
	for (const char *p = o; *p;) {
		size_t n = strcspn(p, "\n");
		json_array_append_new(sites, json_stringn(p, n));
		p += n + (p[n] ? 1 : 0);
	}
	json_object_set_new(m, "embed_sites", sites);
	const char *url = arena_printf(&req->pool, "%s/conversations/%lld?embed=1",
				       server_base_url(req->srv), (long long)jint(c, "id"));
	web_set_str(m, "embed_url", url);
	web_set_str(m, "embed_snippet",
		    arena_printf(&req->pool,
				 "<iframe src=\"%s\" title=\"%s\" "
				 "style=\"width:100%%;min-height:640px;border:0\" "
				 "loading=\"lazy\"></iframe>",
				 url, attr_escape(req, dlg_jstr(c, "topic"))));
}

static enum hm_err edit_page(struct http_req *req, struct http_res *res, const json_t *c,
			     const json_t *ev, const json_t *values, const struct field_errors *errs,
			     const char *seeds, const char *seeds_error, int status)
{
	json_t *n = dlg_counts(req->db, jint(c, "id"));
	if (!n)
		return HM_EDB;
	json_t *conv = json_deep_copy(c);
	decorate(req, conv);
	json_t *m = json_pack("{s:o, s:o}", "conversation", conv, "counts", n);
	settings_form(req, m, jint(c, "event_id"), values ? values : c, errs);
	const char *st = dlg_jstr(c, "status");
	json_t *moves = json_array();
	static const struct {
		const char *to, *label;
	} to[] = {{"open", N_("Open the conversation")},
		  {"closed", N_("Close")},
		  {"archived", N_("Archive")}};
	for (size_t i = 0; i < HM_ARRAY_LEN(to); i++)
		if (!str_eq(st, to[i].to))
			json_array_append_new(moves, json_pack("{s:s, s:s}", "status", to[i].to,
							       "label", web_t(req, to[i].label)));
	json_object_set_new(m, "moves", moves);
	embed_snippet(req, m, c);
	json_object_set_new(m, "seeds", json_string(seeds ? seeds : ""));
	if (seeds_error)
		json_object_set_new(m, "seeds_error", json_string(seeds_error));
	const char *done = http_query(req, "done");
	int k;
	if (str_eq(done, "made"))
		web_set_str(m, "notice_text", web_t(req, "The conversation is made. Add seed statements and open it when ready."));
	else if (str_eq(done, "imported"))
		web_set_str(m, "notice_text", web_t(req, "The conversation is imported, closed. Its report follows once the analysis has run; choose who may read it below."));
	else if (str_eq(done, "status"))
		web_set_str(m, "notice_text", web_t(req, "The conversation's status is changed."));
	else if (done && sscanf(done, "seeded-%d", &k) == 1 && k >= 0)
		web_set_str(m, "notice_text",
			    arena_printf(&req->pool,
					 web_nt(req, "%d seed statement added.", "%d seed statements added.",
						(unsigned long)k),
					 k));
	res->status = status;
	return page(req, res, m, ev, "admin/conversation", dlg_jstr(c, "topic"));
}

static enum hm_err page_edit(struct http_req *req, struct http_res *res)
{
	json_t *c, *ev;
	enum hm_err e = conv_of(req, res, &c, &ev);
	return e != HM_OK ? e : edit_page(req, res, c, ev, NULL, NULL, NULL, NULL, 200);
}

static enum hm_err post_edit(struct http_req *req, struct http_res *res)
{
	json_t *c, *ev;
	enum hm_err e = conv_of(req, res, &c, &ev);
	if (e != HM_OK)
		return e;
	json_t *in = settings_in(req, site_body_object(req));
	struct field_errors errs = {0};
	e = dlg_update(req->db, web_principal(req), jint(c, "id"), in, time_now_s(), &errs);
	if (e == HM_EINVAL)
		return edit_page(req, res, c, ev, in, &errs, NULL, NULL, 400);
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return web_redirect(req, res, arena_printf(&req->pool, "/admin/conversations/%lld?done=saved",
						   (long long)jint(c, "id")));
}

static enum hm_err post_status(struct http_req *req, struct http_res *res)
{
	json_t *c, *ev;
	enum hm_err e = conv_of(req, res, &c, &ev);
	if (e != HM_OK)
		return e;
	const char *to = json_string_value(json_object_get(site_body_object(req), "status"));
	if (!to || !dlg_in_list(to, dlg_statuses))
		return http_fail(res, HM_EINVAL, "Please choose one of the options.");
	json_t *in = web_own(req, json_pack("{s:s}", "status", to));
	struct field_errors errs = {0};
	e = dlg_update(req->db, web_principal(req), jint(c, "id"), in, time_now_s(), &errs);
	if (e == HM_EINVAL)
		return edit_page(req, res, c, ev, NULL, &errs, NULL, NULL, 400);
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return web_redirect(req, res, arena_printf(&req->pool, "/admin/conversations/%lld?done=status",
						   (long long)jint(c, "id")));
}

static enum hm_err post_seeds(struct http_req *req, struct http_res *res)
{
	json_t *c, *ev;
	enum hm_err e = conv_of(req, res, &c, &ev);
	if (e != HM_OK)
		return e;
	const char *text = json_string_value(json_object_get(site_body_object(req), "texts"));
	json_t *texts = web_own(req, json_pack("[s]", text ? text : ""));
	struct field_errors errs = {0};
	json_t *ids = NULL;
	e = dlg_seed_lang(req->db, web_principal(req), jint(c, "id"), texts, req->lang, time_now_s(),
			  &errs, &ids);
	size_t n = json_array_size(ids);
	json_decref(ids);
	if (e == HM_EINVAL || (e == HM_OK && n == 0)) {
		struct buf b;
		buf_init(&b);
		for (int i = 0; i < errs.n; i++)
			buf_printf(&b, "%s%s", i ? " " : "", web_t(req, errs.items[i].msgid));
		const char *why = b.data ? arena_strdup(&req->pool, b.data)
					 : web_t(req, "Please write a statement.");
		buf_free(&b);
		return edit_page(req, res, c, ev, NULL, NULL, text, why, 400);
	}
	if (e == HM_ECONFLICT)
		return edit_page(req, res, c, ev, NULL, NULL, text,
				 web_t(req, "An archived conversation takes no new statements."), 409);
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/conversations/%lld?done=seeded-%zu",
					 (long long)jint(c, "id"), n));
}

/* ------------------------------------------------------ moderation queue */

static const char *queue_base(struct http_req *req, int64_t cid, const char *status)
{
	return status ? arena_printf(&req->pool, "/admin/conversations/%lld/statements?status=%s",
				     (long long)cid, status)
		      : arena_printf(&req->pool, "/admin/conversations/%lld/statements", (long long)cid);
}

static enum hm_err queue_page(struct http_req *req, struct http_res *res, const json_t *c,
			      const json_t *ev, json_t *confirm)
{
	const char *status = site_query_opt(req, "status");
	if (confirm)
		status = json_string_value(json_object_get(confirm, "filter"));
	if (status && !dlg_in_list(status, dlg_stmt_statuses)) {
		json_decref(confirm);
		return http_fail(res, HM_EINVAL, "Please choose one of the options.");
	}
	int64_t pg = 1;
	const char *ps = confirm ? json_string_value(json_object_get(confirm, "page"))
				 : site_query_opt(req, "page");
	if (ps && (!text_int_parse(ps, &pg) || pg < 1 || pg > 1000000))
		pg = 1;
	int64_t cid = jint(c, "id");
	json_t *n = dlg_counts(req->db, cid);
	json_t *list = n ? dlg_statements_page(req->db, cid, status, (pg - 1) * SITE_PER_PAGE,
					       SITE_PER_PAGE)
			 : NULL;
	if (!list) {
		json_decref(n);
		json_decref(confirm);
		return HM_EDB;
	}
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s) {
		web_set_str(s, "status_label", dlg_label(req, dlg_jstr(s, "status")));
		web_set_str(s, "author_label", dlg_label(req, dlg_jstr(s, "author")));
		json_object_set_new(s, "is_pending", json_boolean(str_eq(dlg_jstr(s, "status"), "pending")));
		if (dlg_jstr(s, "lang"))
			web_set_str(s, "lang_name", fmt_language(&req->pool, dlg_jstr(s, "lang")));
		json_int_t ntr = json_integer_value(json_object_get(s, "n_translations"));
		web_set_str(s, "translations_text",
			    arena_printf(&req->pool,
					 web_nt(req, "%lld translation", "%lld translations",
						(unsigned long)ntr),
					 (long long)ntr));
		json_int_t nsug = json_integer_value(json_object_get(s, "n_suggestions"));
		if (nsug)
			web_set_str(s, "suggestions_text",
				    arena_printf(&req->pool,
						 web_nt(req, "%lld suggestion waiting",
							"%lld suggestions waiting", (unsigned long)nsug),
						 (long long)nsug));
		if (confirm)
			json_object_set_new(s, "checked",
					    json_boolean(json_array_size(json_object_get(confirm, "ids")) &&
							 strstr(json_string_value(json_object_get(confirm, "idlist")),
								arena_printf(&req->pool, ",%lld,",
									     (long long)jint(s, "id")))));
	}
	json_t *conv = json_deep_copy(c);
	decorate(req, conv);
	json_t *filters = json_array();
	json_array_append_new(filters, json_pack("{s:s, s:s, s:I, s:b}", "url", queue_base(req, cid, NULL),
						 "label", web_t(req, "All"), "n", jint(n, "statements"),
						 "current", status == NULL));
	for (const char *const *k = dlg_stmt_statuses; *k; k++)
		json_array_append_new(filters,
				      json_pack("{s:s, s:s, s:I, s:b}", "url", queue_base(req, cid, *k),
						"label", dlg_label(req, *k), "n", jint(n, *k), "current",
						str_eq(status, *k)));
	json_t *m = json_pack("{s:o, s:o, s:o, s:s}", "conversation", conv, "statements", list,
			      "filters", filters, "status", status ? status : "");
	int64_t total = status ? jint(n, status) : jint(n, "statements");
	json_decref(n);
	site_paging(m, (int)pg, total, queue_base(req, cid, status));
	if (confirm)
		json_object_set_new(m, "confirm", confirm);
	const char *done = http_query(req, "done");
	int k;
	if (done && sscanf(done, "moderated-%d", &k) == 1 && k >= 0)
		web_set_str(m, "notice_text",
			    arena_printf(&req->pool,
					 web_nt(req, "%d statement moderated.", "%d statements moderated.",
						(unsigned long)k),
					 k));
	return page(req, res, m, ev, "admin/conversation_statements", web_t(req, "Moderation"));
}

static enum hm_err page_queue(struct http_req *req, struct http_res *res)
{
	json_t *c, *ev;
	enum hm_err e = conv_of(req, res, &c, &ev);
	return e != HM_OK ? e : queue_page(req, res, c, ev, NULL);
}

/* One statement ({"accepted:12"}) or the ones ticked, with the action
 * chosen: a bulk rejection of more than one is confirmed first. */
static enum hm_err post_queue(struct http_req *req, struct http_res *res)
{
	json_t *c, *ev;
	enum hm_err e = conv_of(req, res, &c, &ev);
	if (e != HM_OK)
		return e;
	int64_t cid = jint(c, "id");
	json_t *in = site_body_object(req);
	const char *one = json_string_value(json_object_get(in, "one"));
	const char *action = json_string_value(json_object_get(in, "action"));
	const char *reason = json_string_value(json_object_get(in, "reason"));
	int64_t ids[SITE_PER_PAGE];
	size_t n = 0;
	char act[16] = "";
	if (one) {
		const char *colon = strchr(one, ':');
		int64_t id;
		if (!colon || (size_t)(colon - one) >= sizeof(act) ||
		    !text_int_parse(colon + 1, &id) || id <= 0)
			return http_fail(res, HM_EINVAL, "Please choose one of the options.");
		memcpy(act, one, (size_t)(colon - one));
		act[colon - one] = '\0';
		ids[n++] = id;
		reason = json_string_value(
			json_object_get(in, arena_printf(&req->pool, "reason_%lld", (long long)id)));
	} else {
		snprintf(act, sizeof(act), "%s", action ? action : "");
		const json_t *jid = json_object_get(in, "id");
		json_t *list = json_is_array(jid) ? json_deep_copy(jid) : json_pack("[O]", jid ? jid : json_null());
		size_t i;
		json_t *v;
		json_array_foreach(list, i, v) {
			int64_t id;
			if (json_is_string(v) && text_int_parse(json_string_value(v), &id) &&
			    id > 0 && n < SITE_PER_PAGE)
				ids[n++] = id;
		}
		json_decref(list);
	}
	if (!str_eq(act, "accepted") && !str_eq(act, "rejected") && !str_eq(act, "meta"))
		return http_fail(res, HM_EINVAL, "Please choose accepted, rejected or meta, with a short reason.");
	const char *filter = json_string_value(json_object_get(in, "filter"));
	if (filter && !dlg_in_list(filter, dlg_stmt_statuses))
		filter = NULL;
	const char *pg = json_string_value(json_object_get(in, "page"));
	if (!one && str_eq(act, "rejected") && n > 1 && !json_object_get(in, "confirm")) {
		struct buf b;
		buf_init(&b);
		json_t *jids = json_array();
		buf_puts(&b, ",");
		for (size_t i = 0; i < n; i++) {
			buf_printf(&b, "%lld,", (long long)ids[i]);
			json_array_append_new(jids, json_sprintf("%lld", (long long)ids[i]));
		}
		json_t *confirm = json_pack("{s:o, s:s, s:s, s:s?, s:s?, s:s}", "ids", jids, "idlist", b.data,
					    "reason", reason ? reason : "", "filter", filter, "page", pg,
					    "question",
					    arena_printf(&req->pool,
							 web_nt(req, "Reject %zu statement?",
								"Reject these %zu statements?",
								(unsigned long)n),
							 n));
		buf_free(&b);
		return queue_page(req, res, c, ev, confirm);
	}
	int done = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *s = dlg_statement(req->db, ids[i]);
		int mine = s && jint(s, "conversation_id") == cid;
		json_decref(s);
		if (!mine)
			continue;
		e = dlg_moderate(req->db, web_principal(req), ids[i], act,
				 reason && *reason ? reason : NULL, time_now_s());
		if (e == HM_EINVAL)
			return http_fail(res, e, "Please choose accepted, rejected or meta, with a short reason.");
		if (e != HM_OK)
			return adm_domain_fail(res, e);
		done++;
	}
	const char *base = queue_base(req, cid, filter);
	return web_redirect(req, res,
			    arena_printf(&req->pool, "%s%sdone=moderated-%d%s%s", base,
					 filter ? "&" : "?", done, pg ? "&page=" : "",
					 pg && text_int_parse(pg, &(int64_t){0}) ? pg : ""));
}

/* ------------------------------------------- a statement's translations */

/* The statement of the path ({id}), its conversation and event, for its
 * moderators (404 / 403 as conv_of). */
static enum hm_err stmt_of(struct http_req *req, struct http_res *res, json_t **s, json_t **c,
			   json_t **ev)
{
	*s = *c = *ev = NULL;
	int64_t sid = site_id_param(req);
	json_t *st = sid ? dlg_statement(req->db, sid) : NULL;
	json_t *conv = st ? dlg_conversation(req->db, jint(st, "conversation_id")) : NULL;
	if (!conv && db_failed(req->db)) {
		json_decref(st);
		return HM_EDB;
	}
	if (!conv || !dlg_may_see(web_principal(req), conv)) {
		json_decref(st);
		json_decref(conv);
		return http_fail(res, HM_ENOTFOUND, "There is no such statement.");
	}
	*s = web_own(req, st);
	if (!dlg_may_moderate(web_principal(req), conv)) {
		json_decref(conv);
		return http_fail(res, HM_EFORBIDDEN, "Your account may not do this.");
	}
	*c = web_own(req, conv);
	*ev = web_own(req, reg_event_by_id(req->db, jint(conv, "event_id")));
	return *ev ? HM_OK : HM_EDB;
}

/* The form: the original (its language a choice) and, beside it, a field
 * for each other language; values and errs of a refused form (NULL: the
 * stored translations). */
static enum hm_err translations_page(struct http_req *req, struct http_res *res, const json_t *s,
				     const json_t *c, const json_t *ev, const json_t *values,
				     const struct field_errors *errs, int status)
{
	int64_t sid = jint(s, "id");
	json_t *trs = web_own(req, dlg_translations(req->db, sid));
	if (!trs)
		return HM_EDB;
	const char *own = values && json_string_value(json_object_get(values, "lang"))
				  ? json_string_value(json_object_get(values, "lang"))
				  : dlg_jstr(s, "lang");
	if (own && !i18n_supported(own))
		own = dlg_jstr(s, "lang");
	json_t *fj = web_own(req, site_errors_form(req, values, errs, NULL));
	json_t *choices = json_array(), *rows = json_array();
	int64_t max = DLG_TR_FACTOR * jint(c, "max_length");
	for (const char *const *l = i18n_languages(); *l; l++) {
		json_array_append_new(choices, json_pack("{s:s, s:s, s:b}", "code", *l, "name",
							 fmt_language(&req->pool, *l), "selected",
							 str_eq(*l, own)));
		if (str_eq(*l, own))
			continue;
		const char *field = arena_printf(&req->pool, "text_%s", *l);
		const char *v = values ? json_string_value(json_object_get(values, field))
				       : dlg_jstr(json_object_get(trs, *l), "text");
		const char *err = json_string_value(json_object_get(json_object_get(fj, "errors"), field));
		json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b}", "code", *l, "name",
					fmt_language(&req->pool, *l), "dir", i18n_dir(*l), "field", field,
					"id", arena_printf(&req->pool, "f-%s", field), "value",
					v ? v : "", "max_len", (json_int_t)max, "has",
					json_object_get(trs, *l) != NULL);
		if (err)
			web_set_str(row, "error", err);
		json_array_append_new(rows, row);
	}
	json_t *st = json_pack("{s:I, s:O, s:s, s:s, s:I, s:b}", "id", (json_int_t)sid, "text",
			       json_object_get(s, "text"), "status_label",
			       dlg_label(req, dlg_jstr(s, "status")), "dir", own ? i18n_dir(own) : "auto",
			       "n_votes", (json_int_t)jint(s, "n_votes"), "lang_known", own != NULL);
	if (own) {
		web_set_str(st, "lang", own);
		web_set_str(st, "lang_name", fmt_language(&req->pool, own));
	}
	/* the participants' suggestions waiting */
	json_t *sug = dlg_suggestions(req->db, sid);
	if (!sug) {
		json_decref(st);
		json_decref(choices);
		json_decref(rows);
		return HM_EDB;
	}
	size_t i;
	json_t *g;
	json_array_foreach(sug, i, g) {
		const char *l = dlg_jstr(g, "lang");
		web_set_str(g, "lang_name", fmt_language(&req->pool, l));
		web_set_str(g, "dir", i18n_dir(l));
	}
	json_t *conv = json_deep_copy(c);
	decorate(req, conv);
	json_t *m = json_pack("{s:o, s:o, s:o, s:o, s:O, s:o}", "conversation", conv, "statement", st,
			      "choices", choices, "languages", rows, "form", fj, "suggestions", sug);
	if (str_eq(http_query(req, "done"), "saved"))
		web_set_str(m, "notice_text", web_t(req, "The translations are saved."));
	if (str_eq(http_query(req, "done"), "accepted"))
		web_set_str(m, "notice_text", web_t(req, "The suggestion is now the translation."));
	if (str_eq(http_query(req, "done"), "dismissed"))
		web_set_str(m, "notice_text", web_t(req, "The suggestion is dismissed."));
	res->status = status;
	return page(req, res, m, ev, "admin/statement_translations",
		    arena_printf(&req->pool, "%s #%lld", web_t(req, "Translations of a statement"),
				 (long long)sid));
}

static enum hm_err page_translations(struct http_req *req, struct http_res *res)
{
	json_t *s, *c, *ev;
	enum hm_err e = stmt_of(req, res, &s, &c, &ev);
	return e != HM_OK ? e : translations_page(req, res, s, c, ev, NULL, NULL, 200);
}

/* POST it: lang (the original's) and text_<lang> for each other language
 * (empty: none), all in one transaction → 303 ?done=saved; 400 with the
 * form and the refusals beside the fields. */
static enum hm_err post_translations(struct http_req *req, struct http_res *res)
{
	json_t *s, *c, *ev;
	enum hm_err e = stmt_of(req, res, &s, &c, &ev);
	if (e != HM_OK)
		return e;
	json_t *in = site_body_object(req);
	const char *own = json_string_value(json_object_get(in, "lang"));
	if (own && !*own)
		own = NULL;
	json_t *versions = web_own(req, json_object());
	for (const char *const *l = i18n_languages(); *l; l++) {
		const json_t *v = json_object_get(in, arena_printf(&req->pool, "text_%s", *l));
		if (json_is_string(v))
			json_object_set_new(versions, *l, json_string(json_string_value(v)));
	}
	struct field_errors errs = {0};
	e = dlg_translate_all(req->db, web_principal(req), jint(s, "id"), own, versions, time_now_s(),
			      &errs);
	if (e == HM_EINVAL)
		return translations_page(req, res, s, c, ev, in, &errs, 400);
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/statements/%lld/translations?done=saved",
					 (long long)jint(s, "id")));
}

/* POST /admin/statements/{id}/suggestions: accept=ID or dismiss=ID → 303
 * to the translations; 400 with the page when the suggestion no longer
 * fits (the original's language changed to its own). */
static enum hm_err post_suggestion(struct http_req *req, struct http_res *res)
{
	json_t *s, *c, *ev;
	enum hm_err e = stmt_of(req, res, &s, &c, &ev);
	if (e != HM_OK)
		return e;
	json_t *in = site_body_object(req);
	const char *acc = json_string_value(json_object_get(in, "accept"));
	const char *dis = json_string_value(json_object_get(in, "dismiss"));
	int64_t id = 0;
	if (!text_int_parse(acc ? acc : dis ? dis : "", &id) || id <= 0)
		return http_fail(res, HM_EINVAL, "Please choose one of the options.");
	struct field_errors errs = {0};
	e = dlg_suggestion_decide(req->db, web_principal(req), jint(s, "id"), id, acc != NULL,
				  time_now_s(), &errs);
	if (e == HM_EINVAL)
		return translations_page(req, res, s, c, ev, NULL, &errs, 400);
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "There is no such suggestion.");
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/statements/%lld/translations?done=%s",
					 (long long)jint(s, "id"), acc ? "accepted" : "dismissed"));
}

const struct route dlg_admin_routes[] = {
	{GET, "/admin/events/{slug}/conversations", page_list, WEB_STAFF},
	{POST, "/admin/events/{slug}/conversations", post_create, WEB_STAFF | WEB_CSRF},
	{POST, "/admin/events/{slug}/conversations/import", post_import, WEB_STAFF | WEB_CSRF},
	{GET, "/admin/conversations/{id}", page_edit, WEB_STAFF},
	{POST, "/admin/conversations/{id}", post_edit, WEB_STAFF | WEB_CSRF},
	{POST, "/admin/conversations/{id}/status", post_status, WEB_STAFF | WEB_CSRF},
	{POST, "/admin/conversations/{id}/seeds", post_seeds, WEB_STAFF | WEB_CSRF},
	{GET, "/admin/conversations/{id}/statements", page_queue, WEB_STAFF},
	{POST, "/admin/conversations/{id}/statements", post_queue, WEB_STAFF | WEB_CSRF},
	{GET, "/admin/statements/{id}/translations", page_translations, WEB_STAFF},
	{POST, "/admin/statements/{id}/translations", post_translations, WEB_STAFF | WEB_CSRF},
	{POST, "/admin/statements/{id}/suggestions", post_suggestion, WEB_STAFF | WEB_CSRF},
	WEB_ROUTES_END,
};
