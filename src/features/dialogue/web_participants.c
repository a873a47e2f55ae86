/*
 * web_participants.c — a conversation's participants for its organisers:
 * the page /admin/conversations/{id}/participants (50 a page, all or the
 * excluded ones) with a button per row that excludes a participant's
 * votes from the analysis or readmits them, and its API twin
 * (GET …/participants, PATCH …/participants/{pid} {"excluded"}). Votes
 * are kept either way; the report and the exports leave an excluded
 * participant out once the analysis has run again.
 */
#include "features/dialogue/dlg_web.h"

#include "auth/auth.h"
#include "features/events/events_admin.h"
#include "features/registration/registration.h"

#include <stdio.h>

static int64_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* The conversation of the path for its organisers, owned by the
 * request: 404 for those who may not see it; for those who may, 403
 * (401 for a visitor to the API), as the other organisers' routes. */
static enum hm_err conv_of(struct http_req *req, struct http_res *res, json_t **out)
{
	enum hm_err e = dlg_web_conv(req, res, out);
	if (e != HM_OK)
		return e;
	const json_t *c = *out;
	if (dlg_may_moderate(web_principal(req), c))
		return HM_OK;
	struct auth_scope sc = {.event_id = jint(c, "event_id"), .series_id = jint(c, "series_id")};
	e = web_require(req, res, AUTH_DIALOGUE_MODERATE, &sc);
	return e != HM_OK ? e : http_fail(res, HM_EFORBIDDEN, "Your account may not do this.");
}

/* The filter of a query or a form: 0 all, 1 the excluded; -1 neither. */
static int filter_of(const char *s)
{
	if (!s || !*s || str_eq(s, "all"))
		return 0;
	return str_eq(s, "excluded") ? 1 : -1;
}

/* A page number (1 when absent); 0: not one. */
static int64_t page_of(const char *s)
{
	int64_t pg = 1;
	if (s && *s && (!text_int_parse(s, &pg) || pg < 1 || pg > 1000000))
		return 0;
	return pg;
}

/* {participants, total, page, pages} of conversation cid. NULL: a
 * failed read. */
static json_t *listing(struct http_req *req, int64_t cid, int excluded_only, int64_t pg)
{
	int64_t total;
	json_t *list = dlg_participants_page(req->db, cid, excluded_only, (pg - 1) * SITE_PER_PAGE,
					     SITE_PER_PAGE, &total);
	if (!list)
		return NULL;
	int64_t pages = total > 0 ? (total + SITE_PER_PAGE - 1) / SITE_PER_PAGE : 1;
	return json_pack("{s:o, s:I, s:I, s:I}", "participants", list, "total", (json_int_t)total,
			 "page", (json_int_t)pg, "pages", (json_int_t)pages);
}

/* ---------------------------------------------------------------- API */

static enum hm_err api_list(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	int f = filter_of(http_query(req, "filter"));
	int64_t pg = page_of(http_query(req, "page"));
	if (f < 0)
		return http_fail(res, HM_EINVAL, "The filter is \"all\" or \"excluded\".");
	if (!pg)
		return http_fail(res, HM_EINVAL, "The page is a whole number from 1.");
	json_t *o = listing(req, jint(c, "id"), f, pg);
	if (!o)
		return HM_EDB;
	web_private(req, res);
	return adm_api_answer(res, 200, o);
}

static enum hm_err api_patch(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	int64_t pid = 0;
	if (!text_int_parse(http_param(req, "pid"), &pid) || pid <= 0)
		return http_fail(res, HM_ENOTFOUND, "There is no such participant in this conversation.");
	json_t *in = site_body_object(req);
	const json_t *v = json_object_get(in, "excluded");
	if (!json_is_boolean(v)) {
		struct field_errors errs = {0};
		field_error_add(&errs, "excluded", "Please choose yes or no.");
		return site_refuse_json(req, res, 400, &errs);
	}
	e = dlg_exclude_in(req->db, web_principal(req), jint(c, "id"), pid, json_is_true(v),
			time_now_s());
	if (e == HM_OK)
		dlg_analysis_wake();
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "There is no such participant in this conversation.");
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	json_t *p = dlg_participant(req->db, jint(c, "id"), pid);
	return p ? adm_api_answer(res, 200, p) : HM_EDB;
}

/* --------------------------------------------------------------- page */

static const char *base_url(struct http_req *req, int64_t cid, int excluded_only)
{
	return arena_printf(&req->pool, "/admin/conversations/%lld/participants%s", (long long)cid,
			    excluded_only ? "?filter=excluded" : "");
}

static enum hm_err page_list(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	int f = filter_of(site_query_opt(req, "filter"));
	if (f < 0)
		return http_fail(res, HM_EINVAL, "Please choose one of the options.");
	int64_t pg = page_of(site_query_opt(req, "page"));
	if (!pg)
		pg = 1;
	int64_t cid = jint(c, "id");
	json_t *m = listing(req, cid, f, pg);
	int64_t n_all = 0, n_excluded = 0;
	int ok = m && dlg_participant_tally(req->db, cid, &n_all, &n_excluded) == HM_OK;
	json_t *ev = ok ? web_own(req, reg_event_by_id(req->db, jint(c, "event_id"))) : NULL;
	if (!ev) {
		json_decref(m);
		return HM_EDB;
	}
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(m, "participants"), i, p) {
		web_set_str(p, "kind_label", dlg_label(req, dlg_jstr(p, "kind")));
		web_set_str(p, "votes_text",
			    arena_printf(&req->pool,
					 web_nt(req, "%lld vote", "%lld votes", (unsigned long)jint(p, "votes")),
					 (long long)jint(p, "votes")));
		web_set_str(p, "statements_text",
			    arena_printf(&req->pool,
					 web_nt(req, "%lld statement", "%lld statements",
						(unsigned long)jint(p, "statements")),
					 (long long)jint(p, "statements")));
	}
	json_t *conv = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)cid, "topic",
				 dlg_jstr(c, "topic"), "status", dlg_jstr(c, "status"), "status_label",
				 dlg_label(req, dlg_jstr(c, "status")), "status_class",
				 arena_printf(&req->pool, "badge-%s", dlg_jstr(c, "status")));
	json_object_set_new(m, "conversation", conv);
	json_t *filters = json_array();
	json_array_append_new(filters, json_pack("{s:s, s:s, s:I, s:b}", "url", base_url(req, cid, 0),
						 "label", web_t(req, "All"), "n", (json_int_t)n_all,
						 "current", f == 0));
	json_array_append_new(filters, json_pack("{s:s, s:s, s:I, s:b}", "url", base_url(req, cid, 1),
						 "label", web_t(req, "Excluded"), "n",
						 (json_int_t)n_excluded, "current", f == 1));
	json_object_set_new(m, "filters", filters);
	if (f)
		json_object_set_new(m, "filter", json_string("excluded"));
	/* the links to the neighbouring pages */
	json_int_t total = jint(m, "total");
	site_paging(m, (int)pg, total, base_url(req, cid, f));
	const char *done = http_query(req, "done");
	long long who;
	if (done && sscanf(done, "excluded-%lld", &who) == 1)
		web_set_str(m, "notice_text",
			    arena_printf(&req->pool,
					 web_t(req, "Participant %lld is left out of the analysis; their votes are kept. The report and the exports follow once the analysis has run again."),
					 who));
	else if (done && sscanf(done, "readmitted-%lld", &who) == 1)
		web_set_str(m, "notice_text",
			    arena_printf(&req->pool,
					 web_t(req, "Participant %lld is in the analysis again. The report and the exports follow once the analysis has run again."),
					 who));
	json_t *evm = json_deep_copy(ev);
	adm_decorate_status(req, evm);
	json_object_set_new(m, "tabs", adm_event_tabs(req, ev, "conversations"));
	json_object_set_new(m, "event", evm);
	return adm_page(req, res, m, "admin/conversation_participants", web_t(req, "Participants"),
			"events");
}

/* participant=ID with excluded=1 (exclude) or 0 (readmit); filter and
 * page bring the organiser back where they were. */
static enum hm_err post_list(struct http_req *req, struct http_res *res)
{
	json_t *c;
	enum hm_err e = conv_of(req, res, &c);
	if (e != HM_OK)
		return e;
	json_t *in = site_body_object(req);
	const char *ps = json_string_value(json_object_get(in, "participant"));
	const char *xs = json_string_value(json_object_get(in, "excluded"));
	int64_t pid = 0;
	if (!ps || !text_int_parse(ps, &pid) || pid <= 0 || !xs ||
	    (!str_eq(xs, "1") && !str_eq(xs, "0")))
		return http_fail(res, HM_EINVAL, "Please choose one of the options.");
	int excluded = str_eq(xs, "1");
	int64_t cid = jint(c, "id");
	e = dlg_exclude_in(req->db, web_principal(req), cid, pid, excluded, time_now_s());
	if (e == HM_OK)
		dlg_analysis_wake();
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "There is no such participant in this conversation.");
	if (e != HM_OK)
		return adm_domain_fail(res, e);
	int f = filter_of(json_string_value(json_object_get(in, "filter"))) == 1;
	int64_t pg = page_of(json_string_value(json_object_get(in, "page")));
	return web_redirect(req, res,
			    arena_printf(&req->pool, "%s%sdone=%s-%lld%s", base_url(req, cid, f),
					 f ? "&" : "?", excluded ? "excluded" : "readmitted",
					 (long long)pid,
					 pg > 1 ? arena_printf(&req->pool, "&page=%lld", (long long)pg)
						: ""));
}

const struct route dlg_participant_routes[] = {
	{GET, "/api/v1/conversations/{id}/participants", api_list, WEB_JSON | WEB_PRIVATE},
	{PATCH, "/api/v1/conversations/{id}/participants/{pid}", api_patch,
	 WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{GET, "/admin/conversations/{id}/participants", page_list, WEB_STAFF},
	{POST, "/admin/conversations/{id}/participants", post_list, WEB_STAFF | WEB_CSRF},
	WEB_ROUTES_END,
};
