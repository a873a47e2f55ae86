/*
 * web_admin.c — registration for an event's organisers: the settings
 * (/admin/events/{slug}/registration, GET|PATCH
 * /api/v1/events/{slug}/registration), the registrations with the balance
 * of the room and decisions one by one or in bulk
 * (/admin/events/{slug}/registrations, /api/v1/events/{slug}/registrations,
 * PATCH /api/v1/registrations/{id}), the CSV export and the diversity
 * dashboard (/events/{slug}/diversity).
 */
#include "features/registration/reg_web.h"

#include "core/csv.h"
#include "features/events/events_admin.h"
#include "site/chart.h"
#include "view/format_extra.h"
#include "view/i18n.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ settings */

/* Quotas as organisers write them, one per line:
 *   sector ngo max 35%      gender female min 40%      country CN max 30
 *   sector,region government,030 max 10
 * into the API's objects; NULL with *why (a msgid) and *line. */
static json_t *quotas_from_text(const char *text, const char **why, int *line)
{
	json_t *out = json_array();
	char *copy = xstrdup(text ? text : ""), *save = NULL;
	*line = 0;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		(*line)++;
		char attr[64], value[128], kind[8], num[32];
		l[strcspn(l, "\r")] = '\0';
		if (strspn(l, " \t") == strlen(l))
			continue;
		if (sscanf(l, " %63s %127s %7s %31s", attr, value, kind, num) != 4 ||
		    (!str_eq(kind, "max") && !str_eq(kind, "min"))) {
			*why = "Write each quota as: attribute value max|min number (or share %), "
			       "such as \"sector ngo max 35%\".";
			json_decref(out);
			free(copy);
			return NULL;
		}
		char *end;
		double v = strtod(num, &end);
		int share = *end == '%';
		if ((share && end[1]) || (!share && *end) || v < 0) {
			*why = "A quota's limit is a whole number, or a share such as 35%.";
			json_decref(out);
			free(copy);
			return NULL;
		}
		json_t *q = json_pack("{s:s, s:s}", "attribute", attr, "value", value);
		if (share)
			json_object_set_new(q, str_eq(kind, "max") ? "max_share" : "min_share",
					    json_real(v / 100.0));
		else
			json_object_set_new(q, kind, json_integer((json_int_t)v));
		json_array_append_new(out, q);
	}
	free(copy);
	return out;
}

static const char *quotas_to_text(struct http_req *req, const json_t *qs)
{
	struct buf b;
	buf_init(&b);
	size_t i;
	const json_t *q;
	json_array_foreach(qs, i, q) {
		const char *a = json_string_value(json_object_get(q, "attribute"));
		const char *v = json_string_value(json_object_get(q, "value"));
		static const char *const keys[] = {"max", "max_share", "min", "min_share"};
		for (int k = 0; k < 4; k++) {
			const json_t *x = json_object_get(q, keys[k]);
			if (!x)
				continue;
			if (k % 2)
				buf_printf(&b, "%s %s %s %g%%\n", a, v, k < 2 ? "max" : "min",
					   json_number_value(x) * 100.0);
			else
				buf_printf(&b, "%s %s %s %lld\n", a, v, k < 2 ? "max" : "min",
					   (long long)json_integer_value(x));
		}
	}
	const char *s = arena_strdup(&req->pool, b.data ? b.data : "");
	buf_free(&b);
	return s;
}

/* Questions, one per line: "kind: label" or "kind*: label | option | option"
 * (* required). */
static json_t *questions_from_text(const char *text, const json_t *old, const char *stage,
				   json_t *out, const char **why)
{
	char *copy = xstrdup(text ? text : ""), *save = NULL;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		l[strcspn(l, "\r")] = '\0';
		if (strspn(l, " \t") == strlen(l))
			continue;
		char *colon = strchr(l, ':');
		if (!colon) {
			*why = "Write each question as: kind: text, such as \"text: Your flight "
			       "number\".";
			free(copy);
			return NULL;
		}
		*colon = '\0';
		char *kind = l, *rest = colon + 1;
		while (*kind == ' ')
			kind++;
		size_t kl = strlen(kind);
		while (kl && kind[kl - 1] == ' ')
			kind[--kl] = '\0';
		int required = kl && kind[kl - 1] == '*';
		if (required)
			kind[--kl] = '\0';
		json_t *opts = json_array();
		char *part, *save2 = NULL;
		char *label = NULL;
		for (part = strtok_r(rest, "|", &save2); part; part = strtok_r(NULL, "|", &save2)) {
			while (*part == ' ')
				part++;
			size_t n = strlen(part);
			while (n && part[n - 1] == ' ')
				part[--n] = '\0';
			if (!label)
				label = part;
			else if (*part)
				json_array_append_new(opts, json_string(part));
		}
		json_t *q = json_pack("{s:s, s:s, s:b, s:o, s:s}", "kind", kind, "label",
				      label ? label : "", "required", required, "options", opts, "stage",
				      stage);
		/* a question kept keeps its id, so earlier answers stay its own */
		size_t i;
		const json_t *o;
		json_array_foreach(old, i, o) if (str_eq(json_string_value(json_object_get(o, "label")),
							 label)) json_object_set(q, "id",
										 json_object_get(o, "id"));
		if (!json_object_get(q, "id"))
			json_object_set_new(q, "id", json_sprintf("q%zu", json_array_size(out) + 1 +
										  json_array_size(old)));
		json_array_append_new(out, q);
	}
	free(copy);
	return out;
}

static const char *questions_to_text(struct http_req *req, const json_t *qs, const char *stage)
{
	struct buf b;
	buf_init(&b);
	size_t i;
	const json_t *q;
	json_array_foreach(qs, i, q) {
		const char *st = json_string_value(json_object_get(q, "stage"));
		if (!str_eq(st ? st : "registration", stage))
			continue;
		buf_printf(&b, "%s%s: %s", json_string_value(json_object_get(q, "kind")),
			   json_is_true(json_object_get(q, "required")) ? "*" : "",
			   json_string_value(json_object_get(q, "label")));
		size_t j;
		const json_t *o;
		json_array_foreach(json_object_get(q, "options"), j, o)
			buf_printf(&b, " | %s", json_string_value(o));
		buf_putc(&b, '\n');
	}
	const char *s = arena_strdup(&req->pool, b.data ? b.data : "");
	buf_free(&b);
	return s;
}

/* A stored UTC time as the event's wall clock for datetime-local. */
static const char *local_of(struct http_req *req, const json_t *ev, const char *utc)
{
	if (!utc)
		return "";
	const char *tz = json_string_value(json_object_get(ev, "timezone"));
	const char *s = tz_utc_to_local(&req->pool, tz ? tz : "UTC", time_parse_rfc3339(utc));
	return s ? s : "";
}

static enum hm_err admin_page(struct http_req *req, struct http_res *res, json_t *m, json_t *ev,
			      const char *tab, const char *tpl, const char *title)
{
	json_t *e = json_deep_copy(ev);
	adm_decorate_status(req, e);
	json_object_set_new(m, "tabs", adm_event_tabs(req, ev, tab));
	json_object_set_new(m, "event", e);
	return adm_page(req, res, m, tpl, title, "events");
}

static enum hm_err settings_page(struct http_req *req, struct http_res *res, json_t *ev,
				 json_t *values, const struct field_errors *errs, int status)
{
	const json_t *r = json_object_get(ev, "registration");
	if (!values) {
		values = json_pack(
			"{s:s, s:O, s:s, s:s, s:I, s:s, s:I, s:s, s:s}", "mode",
			r ? json_string_value(json_object_get(r, "mode")) : "approval", "capacity",
			json_object_get(ev, "capacity"), "opens_at",
			local_of(req, ev, json_string_value(json_object_get(r, "opens_at"))),
			"closes_at", local_of(req, ev, json_string_value(json_object_get(r, "closes_at"))),
			"confirm_hours", (json_int_t)(r ? json_integer_value(json_object_get(r, "confirm_hours")) : 72),
			"directory", r ? json_string_value(json_object_get(r, "directory")) : "none",
			"retention_days",
			(json_int_t)(!r ? 180
					: json_is_integer(json_object_get(r, "retention_days"))
					? json_integer_value(json_object_get(r, "retention_days"))
					: 0),
			"quotas", quotas_to_text(req, json_object_get(r, "quotas")), "questions",
			questions_to_text(req, json_object_get(r, "questions"), "registration"));
		json_object_set_new(values, "followup",
				    json_string(questions_to_text(req, json_object_get(r, "questions"),
								  "approved")));
		static const char *const texts[] = {"letter_org", "letter_address",
						    "letter_signatory", "letter_signatory_title"};
		for (size_t i = 0; i < HM_ARRAY_LEN(texts); i++)
			json_object_set_new(values, texts[i],
					    json_string(json_string_value(json_object_get(r, texts[i]))
							    ? json_string_value(json_object_get(r, texts[i]))
							    : ""));
		json_object_set_new(values, "confirm_hours",
				    json_sprintf("%lld", (long long)json_integer_value(
								 json_object_get(values, "confirm_hours"))));
		json_int_t days = json_integer_value(json_object_get(values, "retention_days"));
		json_object_set_new(values, "retention_days",
				    days ? json_sprintf("%lld", (long long)days) : json_string(""));
		if (json_is_integer(json_object_get(values, "capacity")))
			json_object_set_new(values, "capacity",
					    json_sprintf("%lld", (long long)json_integer_value(
									 json_object_get(values, "capacity"))));
	} else
		json_incref(values);
	json_t *m = json_object();
	json_object_set_new(m, "form", reg_web_form(req, values, errs));
	json_object_set_new(m, "modes", reg_web_options(req, reg_modes,
							json_string_value(json_object_get(values, "mode"))));
	json_object_set_new(m, "directories",
			    reg_web_options(req, reg_directories,
					    json_string_value(json_object_get(values, "directory"))));
	json_object_set_new(m, "takes_registrations", json_boolean(json_is_object(r)));
	json_decref(values);
	res->status = status;
	if (str_eq(http_query(req, "done"), "saved"))
		json_object_set_new(m, "saved", json_true());
	return admin_page(req, res, m, ev, "registration", "admin/registration_settings",
			  web_t(req, "Registration settings"));
}

static enum hm_err page_settings(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	if (req->want_json || req->route->flags & WEB_JSON) {
		json_t *r = json_object_get(ev, "registration");
		json_t *j = json_is_object(r) ? json_deep_copy(r)
					      : json_pack("{s:n, s:[], s:[]}", "mode", "quotas",
							  "questions");
		json_object_set(j, "capacity", json_object_get(ev, "capacity"));
		json_object_set_new(j, "window", json_string(reg_window(ev, time_now_s())));
		return adm_api_answer(res, 200, j);
	}
	return settings_page(req, res, ev, NULL, NULL, 200);
}

static enum hm_err patch_settings(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	json_t *in = site_body_object(req);
	if (!in)
		return http_fail(res, HM_EINVAL, "Send a JSON object of the settings to change.");
	struct field_errors errs = {0};
	e = reg_settings_save(req->db, web_principal(req), ev, in, time_now_s(), &errs);
	if (e == HM_EINVAL)
		return site_refuse_json(req, res, 400, &errs);
	if (e != HM_OK)
		return e;
	json_t *now_ev = web_own(req, reg_event_by_id(req->db, json_integer_value(json_object_get(ev, "id"))));
	if (!now_ev)
		return HM_EDB;
	json_t *j = json_deep_copy(json_object_get(now_ev, "registration"));
	json_object_set(j, "capacity", json_object_get(now_ev, "capacity"));
	json_object_set_new(j, "window", json_string(reg_window(now_ev, time_now_s())));
	return adm_api_answer(res, 200, j);
}

static enum hm_err post_settings(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	json_t *form = site_body_object(req);
	struct field_errors errs = {0};
	const char *why = NULL;
	int line = 0;
	json_t *in = json_object();
	web_own(req, in);
	static const char *const plain[] = {"mode", "capacity", "confirm_hours", "directory",
					    "retention_days"};
	for (size_t i = 0; i < HM_ARRAY_LEN(plain); i++) {
		const char *v = json_string_value(json_object_get(form, plain[i]));
		json_object_set_new(in, plain[i], v && *v ? json_string(v) : json_null());
	}
	static const char *const texts[] = {"letter_org", "letter_address", "letter_signatory",
					    "letter_signatory_title"};
	for (size_t i = 0; i < HM_ARRAY_LEN(texts); i++) {
		const char *v = json_string_value(json_object_get(form, texts[i]));
		json_object_set_new(in, texts[i], json_string(v ? v : ""));
	}
	const char *tz = json_string_value(json_object_get(ev, "timezone"));
	static const char *const times[] = {"opens_at", "closes_at"};
	for (int i = 0; i < 2; i++) {
		const char *v = json_string_value(json_object_get(form, times[i]));
		int64_t t;
		if (!v || !*v)
			json_object_set_new(in, times[i], json_null());
		else if (tz_local_to_utc(v, tz ? tz : "UTC", &t) != HM_OK)
			field_error_add(&errs, times[i], "Write a date and time.");
		else
			json_object_set_new(in, times[i],
					    json_string(time_format_rfc3339(&req->pool, t)));
	}
	json_t *quotas = quotas_from_text(json_string_value(json_object_get(form, "quotas")), &why,
					  &line);
	if (!quotas)
		field_error_add(&errs, "quotas", why);
	else
		json_object_set_new(in, "quotas", quotas);
	why = NULL;
	const json_t *old_q = json_object_get(json_object_get(ev, "registration"), "questions");
	json_t *questions = json_array();
	if (!questions_from_text(json_string_value(json_object_get(form, "questions")), old_q,
				 "registration", questions, &why))
		field_error_add(&errs, "questions", why);
	else if (!questions_from_text(json_string_value(json_object_get(form, "followup")), old_q,
				      "approved", questions, &why))
		field_error_add(&errs, "followup", why);
	json_object_set_new(in, "questions", questions);
	if (!errs.n)
		e = reg_settings_save(req->db, web_principal(req), ev, in, time_now_s(), &errs);
	if (errs.n || e == HM_EINVAL)
		return settings_page(req, res, ev, form, &errs, 400);
	if (e != HM_OK)
		return e;
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/events/%s/registration?done=saved",
					 json_string_value(json_object_get(ev, "slug"))));
}

/* ------------------------------------------------------- registrations */

static int64_t *ids_of(struct http_req *req, const json_t *list, size_t *n)
{
	*n = json_array_size(list);
	int64_t *ids = arena_alloc(&req->pool, (*n + 1) * sizeof(*ids));
	size_t k = 0;
	for (size_t i = 0; i < *n; i++) {
		const json_t *v = json_array_get(list, i);
		long long id = json_is_integer(v)  ? json_integer_value(v)
			       : json_is_string(v) ? strtoll(json_string_value(v), NULL, 10)
						   : 0;
		if (id > 0)
			ids[k++] = id;
	}
	*n = k;
	return ids;
}

/* The balance panel: per sector, country and gender the seated now and
 * after the selection; quotas with their seats. */
static json_t *balance_model(struct http_req *req, const json_t *ev, const int64_t *ids, size_t n)
{
	json_t *b = reg_balance(req->db, ev, ids, n);
	if (!b)
		return NULL;
	static const char *const groups[] = {"sector", "country", "gender"};
	for (int g = 0; g < 3; g++) {
		size_t i;
		json_t *row;
		json_array_foreach(json_object_get(b, groups[g]), i, row) {
			const char *v = json_string_value(json_object_get(row, "value"));
			web_set_str(row, "label",
				    !*v		      ? web_t(req, "Not given")
				    : g == 1 ? fmt_country(&req->pool, req->lang, v)
					     : adm_label(req, v));
			json_object_set_new(row, "changes",
					    json_boolean(json_integer_value(json_object_get(row, "after")) !=
							 json_integer_value(json_object_get(row, "seated"))));
		}
	}
	json_object_set_new(b, "has_selection", json_boolean(n > 0));
	return b;
}

static enum hm_err page_registrations(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	const char *status = site_query_opt(req, "status"), *q = site_query_opt(req, "q");
	if (status && !admin_in_list(reg_statuses, status))
		return http_fail(res, HM_EINVAL, "Unknown status.");
	if ((e = web_read_begin(req)) != HM_OK)
		return e;
	json_t *list = reg_list(req->db, json_integer_value(json_object_get(ev, "id")), status, q);
	struct kv_list kv = req->query;
	json_t *picked = json_array();
	for (size_t i = 0; i < kv.n; i++)
		if (str_eq(kv.items[i].key, "id"))
			json_array_append_new(picked, json_string(kv.items[i].value));
	size_t n;
	int64_t *ids = ids_of(req, picked, &n);
	json_t *balance = list ? balance_model(req, ev, ids, n) : NULL;
	db_rollback(req->db);
	if (!list || !balance) {
		json_decref(list);
		json_decref(balance);
		json_decref(picked);
		return HM_EDB;
	}
	if (req->want_json || req->route->flags & WEB_JSON) {
		json_decref(balance);
		json_decref(picked);
		/* the code on each badge, for desks that check in through the API */
		if ((e = reg_checkin_codes(req->db, list)) != HM_OK) {
			json_decref(list);
			return e;
		}
		return adm_api_answer(res, 200, json_pack("{s:o}", "registrations", list));
	}
	size_t i;
	json_t *r;
	json_array_foreach(list, i, r) {
		reg_web_decorate(req, r);
		for (size_t k = 0; k < n; k++)
			if (ids[k] == json_integer_value(json_object_get(r, "id")))
				json_object_set_new(r, "selected", json_true());
	}
	json_decref(picked);
	json_t *m = json_pack("{s:o, s:o, s:o, s:s, s:s}", "registrations", list, "balance", balance,
			      "status_options", reg_web_options(req, reg_statuses, status), "q",
			      q ? q : "", "status", status ? status : "");
	json_object_set_new(m, "count", json_integer((json_int_t)json_array_size(list)));
	const char *done = http_query(req, "done");
	int applied, refused;
	if (done && sscanf(done, "decided-%d-%d", &applied, &refused) == 2 && applied >= 0 &&
	    refused >= 0) {
		json_t *d = json_pack("{s:s, s:i, s:i}", "code", done + 8, "applied", applied,
				      "refused", refused);
		web_set_str(d, "applied_text",
			    arena_printf(&req->pool,
					 web_nt(req, "%d decision applied.", "%d decisions applied.",
						(unsigned long)applied),
					 applied));
		if (refused)
			web_set_str(d, "refused_text",
				    arena_printf(&req->pool,
						 web_nt(req,
							"%d refused: it would pass the capacity or a cap.",
							"%d refused: they would pass the capacity or a cap.",
							(unsigned long)refused),
						 refused));
		json_object_set_new(m, "decided", d);
	}
	return admin_page(req, res, m, ev, "registrations", "admin/registrations",
			  web_t(req, "Registrations"));
}

static enum hm_err post_bulk(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	json_t *in = site_body_object(req);
	const json_t *jid = json_object_get(in, "id");
	json_t *list = json_is_array(jid) ? json_deep_copy(jid) : json_array();
	if (json_is_string(jid))
		json_array_append_new(list, json_string(json_string_value(jid)));
	size_t n;
	int64_t *ids = ids_of(req, list, &n);
	json_decref(list);
	const char *status = json_string_value(json_object_get(in, "action"));
	const char *message = json_string_value(json_object_get(in, "message"));
	int done = 0, refused = 0;
	for (size_t i = 0; i < n; i++) {
		const char *why;
		json_t *r = reg_get(req->db, ids[i]);
		int mine = r && json_integer_value(json_object_get(r, "event_id")) ==
					json_integer_value(json_object_get(ev, "id"));
		json_decref(r);
		if (!mine) {
			refused++;
			continue;
		}
		e = reg_decide(req->db, web_principal(req), ids[i], status, message, time_now_s(),
			       &why);
		if (e == HM_EINVAL)
			return http_fail(res, e, "Choose what to do with the registrations selected.");
		if (e == HM_OK)
			done++;
		else if (e == HM_ECONFLICT)
			refused++;
		else
			return e;
	}
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/events/%s/registrations?done=decided-%d-%d",
					 json_string_value(json_object_get(ev, "slug")), done, refused));
}

static enum hm_err patch_registration(struct http_req *req, struct http_res *res)
{
	int64_t id = site_id_param(req);
	if (id <= 0)
		return http_fail(res, HM_ENOTFOUND, "There is no such registration.");
	json_t *in = site_body_object(req);
	if (!in)
		return http_fail(res, HM_EINVAL, "Send a JSON object such as {\"status\": \"approved\"}.");
	const char *status = json_string_value(json_object_get(in, "status"));
	const char *why = NULL;
	/* who may see it: others learn nothing of its existence */
	json_t *r = web_own(req, reg_get(req->db, id));
	json_t *ev = r ? web_own(req, reg_event_by_id(req->db, json_integer_value(
								     json_object_get(r, "event_id"))))
		       : NULL;
	if (!ev)
		return db_failed(req->db) ? HM_EDB
					  : http_fail(res, HM_ENOTFOUND, "There is no such registration.");
	struct auth_scope sc = {
		.event_id = json_integer_value(json_object_get(ev, "id")),
		.series_id = json_integer_value(json_object_get(ev, "series_id")),
	};
	enum hm_err e = web_require(req, res, AUTH_REGISTRATION_MANAGE, &sc);
	if (e != HM_OK)
		return e;
	e = reg_decide(req->db, web_principal(req), id, status ? status : "",
				   json_string_value(json_object_get(in, "message")), time_now_s(),
				   &why);
	if (e == HM_EINVAL)
		return http_fail(res, e,
				 "The status is one of approved, declined, waitlisted, cancelled "
				 "or pending.");
	if (e == HM_ECONFLICT)
		return http_fail(res, e, why ? why : "This change is not possible now.");
	if (e != HM_OK)
		return e;
	json_t *now_r = reg_get(req->db, id);
	if (!now_r)
		return HM_EDB;
	json_object_del(now_r, "manage_salt");
	return adm_api_answer(res, 200, now_r);
}

/* ------------------------------------------------------------ export */

/* r's answer to question q as one text: a multiple choice's options
 * joined by "; ", "" when unanswered (in the request's pool). */
static const char *answer_text(struct http_req *req, const json_t *r, const json_t *q)
{
	const json_t *a = json_object_get(json_object_get(r, "answers"),
					  json_string_value(json_object_get(q, "id")));
	if (!json_is_array(a))
		return json_is_string(a) ? json_string_value(a) : "";
	struct buf b;
	buf_init(&b);
	size_t k;
	const json_t *x;
	json_array_foreach(a, k, x) buf_printf(&b, "%s%s", k ? "; " : "", json_string_value(x));
	const char *s = arena_strdup(&req->pool, b.data ? b.data : "");
	buf_free(&b);
	return s;
}

static enum hm_err get_csv(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	json_t *list = web_own(req, reg_list(req->db, json_integer_value(json_object_get(ev, "id")),
					     site_query_opt(req, "status"), NULL));
	if (!list)
		return HM_EDB;
	const json_t *questions = json_object_get(json_object_get(ev, "registration"), "questions");
	struct buf *b = &res->body;
	csv_bom(b);
	static const char *const cols[] = {
		"id",	      "status",	       "name",	     "email",	      "organisation",
		"position",   "sector",	       "country",    "gender",	      "languages",
		"accessibility", "dietary",   "consent_directory", "wants_letter", "created_at", "checked_in_at"};
	for (size_t c = 0; c < HM_ARRAY_LEN(cols); c++)
		csv_field(b, cols[c]);
	size_t i, j;
	const json_t *q, *r;
	json_array_foreach(questions, j, q) csv_field(b, json_string_value(json_object_get(q, "label")));
	csv_end_row(b);
	json_array_foreach(list, i, r) {
		for (size_t c = 0; c < HM_ARRAY_LEN(cols); c++) {
			const json_t *v = json_object_get(r, cols[c]);
			if (json_is_integer(v))
				csv_field(b, arena_printf(&req->pool, "%lld", (long long)json_integer_value(v)));
			else if (json_is_boolean(v))
				csv_field(b, json_is_true(v) ? "yes" : "no");
			else
				csv_field(b, json_string_value(v));
		}
		json_array_foreach(questions, j, q) csv_field(b, answer_text(req, r, q));
		csv_end_row(b);
	}
	res->content_type = "text/csv; charset=utf-8";
	http_res_header(res, "Content-Disposition",
			arena_printf(&req->pool, "attachment; filename=\"registrations-%s.csv\"",
				     json_string_value(json_object_get(ev, "slug"))));
	return HM_OK;
}

/* ---------------------------------------------------------- logistics */

/* The approved participants with what they need and their answers to the
 * questions for approved participants. */
static enum hm_err page_logistics(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	json_t *list = reg_list(req->db, json_integer_value(json_object_get(ev, "id")), "approved",
				NULL);
	if (!list)
		return HM_EDB;
	json_t *questions = json_array();
	size_t i, j;
	const json_t *q;
	json_array_foreach(json_object_get(json_object_get(ev, "registration"), "questions"), i, q)
		if (str_eq(json_string_value(json_object_get(q, "stage")), "approved"))
			json_array_append_new(questions, json_deep_copy(q));
	json_t *r;
	json_array_foreach(list, i, r) {
		reg_web_decorate(req, r);
		json_t *cells = json_array();
		json_array_foreach(questions, j, q) {
			json_array_append_new(cells, json_pack("{s:O, s:s}", "label",
							       json_object_get(q, "label"), "value",
							       answer_text(req, r, q)));
		}
		json_object_set_new(r, "followup", cells);
	}
	if (req->want_json) {
		json_decref(questions);
		return adm_api_answer(res, 200, json_pack("{s:o}", "registrations", list));
	}
	json_t *m = json_pack("{s:o, s:o}", "registrations", list, "questions", questions);
	return admin_page(req, res, m, ev, "logistics", "admin/logistics",
			  web_t(req, "Logistics"));
}

/* --------------------------------------------------------- diversity */

/* A chart of one attribute: approved, offered, waitlisted, pending
 * stacked, with the caps and targets of single-attribute quotas. */
static const char *chart_of(struct http_req *req, json_t *b, const char *group, const char *title,
			    int rtl)
{
	const json_t *rows = json_object_get(b, group);
	size_t n = json_array_size(rows);
	if (!n)
		return NULL;
	struct chart_row *cr = arena_alloc(&req->pool, n * sizeof(*cr));
	memset(cr, 0, n * sizeof(*cr));
	for (size_t i = 0; i < n; i++) {
		const json_t *r = json_array_get(rows, i);
		cr[i].label = json_string_value(json_object_get(r, "label"));
		static const char *const keys[] = {"approved", "offered", "waitlisted", "pending"};
		for (int k = 0; k < 4; k++)
			cr[i].values[k] = (long)json_integer_value(json_object_get(r, keys[k]));
		size_t j;
		const json_t *q;
		json_array_foreach(json_object_get(b, "quotas"), j, q) {
			if (!str_eq(json_string_value(json_object_get(q, "attribute")), group) ||
			    !str_eq(json_string_value(json_object_get(q, "value")),
				    json_string_value(json_object_get(r, "value"))))
				continue;
			if (json_is_integer(json_object_get(q, "cap_seats")))
				cr[i].has_cap = 1,
				cr[i].cap = (long)json_integer_value(json_object_get(q, "cap_seats"));
			if (json_integer_value(json_object_get(q, "target_seats")) > 0)
				cr[i].has_target = 1,
				cr[i].target = (long)json_integer_value(json_object_get(q, "target_seats"));
		}
	}
	struct chart c = {
		.title = title,
		.desc = web_t(req, "Registrations by status; the solid line is a cap, the dashed "
				   "line a target."),
		.series = {web_t(req, "Approved"), web_t(req, "Seat offered"),
			   web_t(req, "Waiting list"), web_t(req, "Pending")},
		.nseries = 4,
		.cap_label = web_t(req, "Cap"),
		.target_label = web_t(req, "Target"),
		.rows = cr,
		.nrows = n,
		.rtl = rtl,
	};
	struct buf out;
	buf_init(&out);
	chart_bars(&out, &c);
	const char *s = arena_strdup(&req->pool, out.data ? out.data : "");
	buf_free(&out);
	return s;
}

static enum hm_err page_diversity(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	json_t *b = web_own(req, balance_model(req, ev, NULL, 0));
	if (!b)
		return HM_EDB;
	if (req->want_json) {
		json_t *j = json_deep_copy(b);
		json_object_del(j, "has_selection");
		json_object_del(j, "after");
		return adm_api_answer(res, 200, j);
	}
	int rtl = str_eq(i18n_dir(req->lang), "rtl");
	json_t *m = json_pack("{s:O}", "balance", b);
	web_set_str(m, "sector_chart", chart_of(req, b, "sector", web_t(req, "By sector"), rtl));
	web_set_str(m, "country_chart", chart_of(req, b, "country", web_t(req, "By country"), rtl));
	web_set_str(m, "gender_chart", chart_of(req, b, "gender", web_t(req, "By gender"), rtl));
	return admin_page(req, res, m, ev, "diversity", "admin/diversity",
			  web_t(req, "Diversity of the room"));
}

const struct route reg_admin_routes[] = {
	{GET, "/admin/events/{slug}/registration", page_settings, WEB_STAFF},
	{POST, "/admin/events/{slug}/registration", post_settings, WEB_STAFF | WEB_CSRF},
	{GET, "/api/v1/events/{slug}/registration", page_settings, WEB_JSON | WEB_PRIVATE},
	{PATCH, "/api/v1/events/{slug}/registration", patch_settings,
	 WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{GET, "/admin/events/{slug}/registrations", page_registrations, WEB_STAFF},
	{POST, "/admin/events/{slug}/registrations", post_bulk, WEB_STAFF | WEB_CSRF},
	{GET, "/admin/events/{slug}/registrations.csv", get_csv, WEB_STAFF},
	{GET, "/api/v1/events/{slug}/registrations", page_registrations, WEB_JSON | WEB_PRIVATE},
	{GET, "/api/v1/events/{slug}/registrations.csv", get_csv, WEB_PRIVATE},
	{PATCH, "/api/v1/registrations/{id}", patch_registration,
	 WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{GET, "/admin/events/{slug}/logistics", page_logistics, WEB_STAFF},
	{GET, "/events/{slug}/diversity", page_diversity, WEB_PRIVATE},
	{GET, "/admin/events/{slug}/diversity", page_diversity, WEB_STAFF},
	WEB_ROUTES_END,
};
