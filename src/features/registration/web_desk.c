/*
 * web_desk.c — the venue's side of registration: badges as PDF
 * (GET /api/v1/events/{slug}/badges.pdf, /admin/events/{slug}/badges.pdf),
 * the check-in desk (/admin/events/{slug}/check-in and
 * POST /api/v1/events/{slug}/check-ins {code, nonce}), and invitations
 * (/admin/events/{slug}/invitations, POST /api/v1/events/{slug}/invitations
 * from a JSON list or a CSV file).
 */
#include "features/registration/reg_web.h"

#include "core/csv.h"
#include "features/events/events_admin.h"
#include "features/registration/pdf.h"
#include "view/i18n.h"
#include "view/format_extra.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ badges */

static enum hm_err get_badges(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	const char *status = site_query_opt(req, "status");
	json_t *list = web_own(req, reg_list(req->db, json_integer_value(json_object_get(ev, "id")),
					     status ? status : "approved", NULL));
	if (!list)
		return HM_EDB;
	if ((e = reg_checkin_codes(req->db, list)) != HM_OK)
		return e;
	/* a selection: ?id=1&id=2 */
	int picked = 0;
	for (size_t i = 0; i < req->query.n; i++)
		picked |= str_eq(req->query.items[i].key, "id");
	size_t n = json_array_size(list), k = 0;
	struct badge *b = arena_alloc(&req->pool, (n + 1) * sizeof(*b));
	for (size_t i = 0; i < n; i++) {
		const json_t *r = json_array_get(list, i);
		int64_t id = json_integer_value(json_object_get(r, "id"));
		if (picked) {
			int in = 0;
			for (size_t q = 0; q < req->query.n; q++)
				in |= str_eq(req->query.items[q].key, "id") &&
				      strtoll(req->query.items[q].value, NULL, 10) == id;
			if (!in)
				continue;
		}
		const char *cc = json_string_value(json_object_get(r, "country"));
		b[k++] = (struct badge){
			.name = json_string_value(json_object_get(r, "name")),
			.organisation = json_string_value(json_object_get(r, "organisation")),
			.country = cc ? fmt_country(&req->pool, req->lang, cc) : NULL,
			.role = web_t(req, "Participant"),
			.qr = json_string_value(json_object_get(r, "checkin_code")),
		};
	}
	const char *cc = json_string_value(json_object_get(ev, "country"));
	const char *city = json_string_value(json_object_get(ev, "city"));
	struct badge_sheet sheet = {
		.lang = req->lang,
		.event_title = json_string_value(json_object_get(ev, "title")),
		.event_dates = fmt_date_range(&req->pool, req->lang,
					      json_string_value(json_object_get(ev, "starts_on")),
					      json_string_value(json_object_get(ev, "ends_on"))),
		.event_place = cc ? arena_printf(&req->pool, "%s%s%s", city ? city : "",
						 city && *city ? ", " : "",
						 fmt_country(&req->pool, req->lang, cc))
				  : city,
	};
	if ((e = pdf_badges(&sheet, b, k, &res->body)) != HM_OK)
		return e;
	res->content_type = "application/pdf";
	http_res_header(res, "Content-Disposition",
			arena_printf(&req->pool, "inline; filename=\"badges-%s.pdf\"",
				     json_string_value(json_object_get(ev, "slug"))));
	return HM_OK;
}

/* ------------------------------------------------------------ check-in */

static enum hm_err page_checkin(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	json_t *b = web_own(req, reg_balance(req->db, ev, NULL, 0));
	if (!b)
		return HM_EDB;
	json_t *e2 = json_deep_copy(ev);
	adm_decorate_status(req, e2);
	json_t *m = json_pack("{s:o, s:o, s:O, s:O}", "event", e2, "tabs",
			      adm_event_tabs(req, ev, "registrations"), "approved",
			      json_object_get(json_object_get(b, "statuses"), "approved"), "attended",
			      json_object_get(json_object_get(b, "statuses"), "attended"));
	const char *done = http_query(req, "result");
	if (done)
		json_object_set_new(m, "result", json_string(done));
	return adm_page(req, res, m, "admin/checkin", web_t(req, "Check-in desk"), "events");
}

/* The answer to one scan, for the JSON API and the desk's page alike. */
static enum hm_err checkin(struct http_req *req, struct http_res *res, json_t *ev,
			   const char *code, const char *nonce, json_t **out)
{
	enum hm_err e = reg_checkin(req->db, web_principal(req), ev, code, nonce,
				    json_string_value(json_object_get(site_body_object(req), "desk")),
				    time_now_s(), out);
	if (*out)
		web_own(req, *out);
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "This code is not a badge of this event.");
	if (e == HM_ECONFLICT)
		return http_fail(res, e, "This person's registration is not approved.");
	if (e == HM_EINVAL)
		return http_fail(res, e, "Send the code and a nonce.");
	return e;
}

static enum hm_err post_checkin_api(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	json_t *in = site_body_object(req), *out = NULL;
	if (!in)
		return http_fail(res, HM_EINVAL, "Send a JSON object {\"code\", \"nonce\"}.");
	e = checkin(req, res, ev, json_string_value(json_object_get(in, "code")),
		    json_string_value(json_object_get(in, "nonce")), &out);
	if (e != HM_OK)
		return e;
	/* the first check-in is a new record; a repeat tells who and when */
	return adm_api_answer(res, json_is_true(json_object_get(out, "first")) ? 201 : 200,
			      json_deep_copy(out));
}

static enum hm_err post_checkin_form(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	json_t *in = site_body_object(req), *out = NULL;
	const char *code = json_string_value(json_object_get(in, "code"));
	const char *nonce = json_string_value(json_object_get(in, "nonce"));
	/* the page gives each attempt a nonce; a typed code without one is its own attempt */
	if (!nonce || !*nonce) {
		unsigned char r[12];
		randombytes_buf(r, sizeof(r));
		char hex[25];
		sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
		nonce = arena_strdup(&req->pool, hex);
	}
	e = checkin(req, res, ev, code ? code : "", nonce, &out);
	const char *slug = json_string_value(json_object_get(ev, "slug"));
	if (e == HM_ENOTFOUND || e == HM_ECONFLICT || e == HM_EINVAL) {
		json_t *m = json_pack("{s:o, s:o, s:s, s:s}", "event", json_deep_copy(ev), "tabs",
				      adm_event_tabs(req, ev, "registrations"), "error", res->error,
				      "code", code ? code : "");
		if (out)
			json_object_set(m, "person", json_object_get(out, "registration"));
		res->status = e == HM_ECONFLICT ? 409 : e == HM_EINVAL ? 400 : 404;
		return adm_page(req, res, m, "admin/checkin", web_t(req, "Check-in desk"), "events");
	}
	if (e != HM_OK)
		return e;
	json_t *m = json_pack("{s:o, s:o, s:O, s:b}", "event", json_deep_copy(ev), "tabs",
			      adm_event_tabs(req, ev, "registrations"), "checked", out, "first",
			      json_is_true(json_object_get(out, "first")));
	/* the desk's counts after this scan */
	json_t *b = reg_balance(req->db, ev, NULL, 0);
	if (b) {
		json_object_set(m, "approved", json_object_get(json_object_get(b, "statuses"), "approved"));
		json_object_set(m, "attended", json_object_get(json_object_get(b, "statuses"), "attended"));
		json_decref(b);
	}
	site_display_time(req, json_object_get(m, "checked"), "checked_in_at", "checked_in_display");
	const char *cc = json_string_value(
		json_object_get(json_object_get(out, "registration"), "country"));
	if (cc)
		web_set_str(m, "country_name", fmt_country(&req->pool, req->lang, cc));
	(void)slug;
	return adm_page(req, res, m, "admin/checkin", web_t(req, "Check-in desk"), "events");
}

/* ---------------------------------------------------------- invitations */

/* People from a CSV file with columns email and name: each bad line
 * reported; NULL when any is bad (nothing is imported then). */
static json_t *people_from_csv(struct http_req *req, const char *data, size_t len, json_t *report,
			       int skip_bad)
{
	struct csv_reader r;
	csv_reader_init(&r, data, len, 50, 1000);
	r.sep = csv_sniff_sep(data, len);
	json_t *people = json_array();
	int cols[2] = {CSV_COL_ABSENT, CSV_COL_ABSENT}, header = 1, bad = 0;
	static const char *const names[] = {"email|e-mail|mail|courriel|correo", "name|nom|nombre"};
	enum csv_rc rc;
	while ((rc = csv_next(&r)) != CSV_END) {
		if (rc == CSV_ERROR) {
			json_array_append_new(report, json_pack("{s:i, s:s}", "line", (int)r.error_line,
								"error", web_t(req, r.error)));
			bad = 1;
			continue;
		}
		if (header) {
			header = 0;
			csv_header_map(&r, names, 2, cols);
			if (cols[0] < 0) {
				json_array_append_new(
					report, json_pack("{s:i, s:s}", "line", (int)r.line, "error",
							  web_t(req, "The first line must name the "
								     "columns, with one called email.")));
				bad = 1;
				break;
			}
			continue;
		}
		const char *email = csv_get(&r, (size_t)cols[0]);
		const char *name = cols[1] >= 0 ? csv_get(&r, (size_t)cols[1]) : "";
		char *trimmed = arena_strdup(&req->pool, email);
		while (*trimmed == ' ')
			trimmed++;
		size_t tl = strlen(trimmed);
		while (tl && trimmed[tl - 1] == ' ')
			trimmed[--tl] = '\0';
		if (!strchr(trimmed, '@') || strchr(trimmed, ' ') || tl > 254 || tl < 3) {
			json_array_append_new(report,
					      json_pack("{s:i, s:s, s:s}", "line", (int)r.line, "error",
							web_t(req, "This is not an e-mail address."),
							"value", trimmed));
			bad = 1;
			continue;
		}
		json_array_append_new(people, json_pack("{s:s, s:s}", "email", trimmed, "name", name));
	}
	csv_reader_free(&r);
	/* a bad line stops the whole import unless the organiser asked to
	 * leave such lines out (and never a file whose header is wrong) */
	if (bad && (!skip_bad || cols[0] < 0)) {
		json_decref(people);
		return NULL;
	}
	return people;
}

static json_t *invitations_model(struct http_req *req, const json_t *ev)
{
	json_t *list = reg_invitations(req->db, json_integer_value(json_object_get(ev, "id")));
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o) {
		site_display_time(req, o, "sent_at", "sent_display");
		site_display_time(req, o, "used_at", "used_display");
		const char *s = json_string_value(json_object_get(o, "status"));
		if (s)
			web_set_str(o, "status_label", adm_label(req, s));
	}
	return list;
}

static enum hm_err invitations_answer(struct http_req *req, struct http_res *res, json_t *ev,
				      json_t *report, int added, int skipped, int status)
{
	json_t *list = invitations_model(req, ev);
	if (!list) {
		json_decref(report);
		return HM_EDB;
	}
	if (req->want_json || req->route->flags & WEB_JSON) {
		json_t *j = json_pack("{s:o, s:i, s:i, s:o}", "invitations", list, "added", added,
				      "skipped", skipped, "errors", report ? report : json_array());
		if (status >= 400)
			json_object_set_new(j, "error",
					    json_string(web_t(req, "Nothing was imported: correct the "
								   "lines listed and send the file "
								   "again.")));
		return adm_api_answer(res, status, j);
	}
	res->status = status;
	json_t *m = json_pack("{s:o, s:o, s:i, s:i, s:b}", "invitations", list, "errors",
			      report ? report : json_array(), "added", added, "skipped", skipped,
			      "done", status < 300 && (added || skipped));
	json_object_set_new(m, "is_invitation",
			    json_boolean(str_eq(json_string_value(json_object_get(
							json_object_get(ev, "registration"), "mode")),
						"invitation")));
	json_t *e2 = json_deep_copy(ev);
	adm_decorate_status(req, e2);
	json_object_set_new(m, "event", e2);
	json_object_set_new(m, "tabs", adm_event_tabs(req, ev, "invitations"));
	return adm_page(req, res, m, "admin/invitations", web_t(req, "Invitations"), "events");
}

static enum hm_err page_invitations(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	return invitations_answer(req, res, ev, NULL, 0, 0, 200);
}

static enum hm_err post_invitations(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	json_t *report = json_array(), *people = NULL;
	const char *ct = req->content_type ? req->content_type : "";
	int skip = str_eq(http_query(req, "skip_bad_lines"), "yes");
	if (strncasecmp(ct, "text/csv", 8) == 0) {
		people = people_from_csv(req, req->body ? req->body : "", req->body_len, report, skip);
	} else if (strncasecmp(ct, "application/json", 16) == 0) {
		json_t *in = site_body_object(req);
		json_t *list = json_object_get(in, "invitations");
		if (!json_is_array(list)) {
			json_decref(report);
			return http_fail(res, HM_EINVAL,
					 "Send {\"invitations\": [{\"email\", \"name\"}…]}.");
		}
		people = json_deep_copy(list);
	} else {
		/* the page's form: a CSV file, or addresses typed one per line */
		struct form f;
		static const struct field fields[] = {
			{.name = "file", .kind = FIELD_FILE, .max_len = 2 * 1024 * 1024,
			 .label = N_("CSV file")},
			{.name = "list", .kind = FIELD_MULTILINE, .max_len = 200000,
			 .label = N_("Addresses")},
			{.name = "skip_bad_lines", .kind = FIELD_BOOL},
		};
		form_read(req, fields, HM_ARRAY_LEN(fields), &f);
		skip = form_bool(&f, "skip_bad_lines");
		const struct form_file *file = &f.files[0];
		if (file->data && file->len)
			people = people_from_csv(req, file->data, file->len, report, skip);
		else {
			struct buf b;
			buf_init(&b);
			buf_puts(&b, "email,name\n");
			buf_puts(&b, form_get(&f, "list") ? form_get(&f, "list") : "");
			people = people_from_csv(req, b.data, b.len, report, skip);
			buf_free(&b);
		}
	}
	if (!people)
		return invitations_answer(req, res, ev, report, 0, 0, 400);
	int added = 0, skipped = 0;
	e = reg_invite(req->db, web_principal(req), ev, people, time_now_s(), &added, &skipped);
	json_decref(people);
	if (e == HM_EINVAL) {
		json_array_append_new(report, json_pack("{s:i, s:s}", "line", 0, "error",
							web_t(req, "This is not an e-mail address.")));
		return invitations_answer(req, res, ev, report, 0, 0, 400);
	}
	if (e != HM_OK) {
		json_decref(report);
		return e;
	}
	return invitations_answer(req, res, ev, report, added, skipped,
				  req->route->flags & WEB_JSON ? 201 : 200);
}

/* ------------------------------------------------------------ letters */

/* tpl with each {key} of kv (pairs, NULL-ended) replaced by its value. */
static const char *fill_in(struct http_req *req, const char *tpl, const char *const *kv)
{
	struct buf b;
	buf_init(&b);
	for (const char *p = tpl; *p;) {
		int done = 0;
		for (const char *const *k = kv; *p == '{' && k[0]; k += 2) {
			size_t n = strlen(k[0]);
			if (strncmp(p + 1, k[0], n) == 0 && p[1 + n] == '}') {
				buf_puts(&b, k[1] ? k[1] : "");
				p += n + 2;
				done = 1;
				break;
			}
		}
		if (!done)
			buf_putc(&b, *p++);
	}
	const char *s = arena_strdup(&req->pool, b.data ? b.data : "");
	buf_free(&b);
	return s;
}

/* The invitation letter of registration r for event ev, in the request's
 * language, into res. */
static enum hm_err letter_answer(struct http_req *req, struct http_res *res, const json_t *ev,
				 const json_t *r)
{
	const json_t *set = json_object_get(ev, "registration");
	const char *lang = req->lang;
	const char *cc = json_string_value(json_object_get(r, "country"));
	const char *ecc = json_string_value(json_object_get(ev, "country"));
	const char *city = json_string_value(json_object_get(ev, "city"));
	struct buf person;
	buf_init(&person);
	const char *parts[] = {json_string_value(json_object_get(r, "name")),
			       json_string_value(json_object_get(r, "position")),
			       json_string_value(json_object_get(r, "organisation")),
			       cc ? fmt_country(&req->pool, lang, cc) : NULL};
	for (size_t i = 0; i < HM_ARRAY_LEN(parts); i++)
		if (parts[i] && *parts[i])
			buf_printf(&person, "%s%s", person.len ? ", " : "", parts[i]);
	const char *place = ecc ? arena_printf(&req->pool, "%s%s%s", city ? city : "",
					       city && *city ? ", " : "",
					       fmt_country(&req->pool, lang, ecc))
				: city;
	const char *kv[] = {
		"person", person.data ? arena_strdup(&req->pool, person.data) : "",
		"name", json_string_value(json_object_get(r, "name")),
		"event", json_string_value(json_object_get(ev, "title")),
		"place", place,
		"dates", fmt_date_range(&req->pool, lang, json_string_value(json_object_get(ev, "starts_on")),
					json_string_value(json_object_get(ev, "ends_on"))),
		NULL, NULL,
	};
	buf_free(&person);
	const char *body = arena_printf(
		&req->pool, "%s\n\n%s\n\n%s",
		fill_in(req, web_t(req, "This letter confirms that {person} is invited to take part "
					"in {event}, to be held in {place} on {dates}."),
			kv),
		fill_in(req, web_t(req, "The organisers have approved the registration of {name} "
					"and keep a seat for them."),
			kv),
		web_t(req, "We kindly ask the competent authorities to grant the visa needed for "
			   "this visit. For any question about this invitation, please write to "
			   "the organisers."));
	const char *org = json_string_value(json_object_get(set, "letter_org"));
	struct letter l = {
		.lang = lang,
		.org_name = org && *org ? org : site_name(req),
		.org_address = json_string_value(json_object_get(set, "letter_address")),
		.place_date = fmt_date(&req->pool, lang, web_today(req), FMT_LONG),
		.recipient = web_t(req, "To whom it may concern"),
		.subject = arena_printf(&req->pool, "%s: %s", web_t(req, "Letter of invitation"),
					json_string_value(json_object_get(ev, "title"))),
		.body = body,
		.signatory = json_string_value(json_object_get(set, "letter_signatory")),
		.signatory_title = json_string_value(json_object_get(set, "letter_signatory_title")),
	};
	enum hm_err e = pdf_letter(&l, &res->body);
	if (e != HM_OK)
		return e;
	res->content_type = "application/pdf";
	http_res_header(res, "Content-Disposition", "inline; filename=\"invitation-letter.pdf\"");
	return HM_OK;
}

static enum hm_err get_own_letter(struct http_req *req, struct http_res *res)
{
	web_private(req, res);
	json_t *r = web_own(req, reg_by_token(req->db, http_param(req, "token")));
	if (!r)
		return db_failed(req->db) ? HM_EDB
					  : http_fail(res, HM_ENOTFOUND,
						      "This link does not name a registration.");
	if (!str_eq(json_string_value(json_object_get(r, "status")), "approved") ||
	    !json_is_true(json_object_get(r, "wants_letter")))
		return http_fail(res, HM_ECONFLICT,
				 "A letter is given to approved participants who ask for one.");
	json_t *ev = web_own(req, reg_event_by_id(req->db,
						  json_integer_value(json_object_get(r, "event_id"))));
	if (!ev)
		return HM_EDB;
	return letter_answer(req, res, ev, r);
}

static enum hm_err get_api_letter(struct http_req *req, struct http_res *res);

static enum hm_err get_admin_letter(struct http_req *req, struct http_res *res)
{
	json_t *ev;
	enum hm_err e = reg_web_event(req, res, 1, &ev);
	if (e != HM_OK)
		return e;
	json_t *r = web_own(req, reg_get(req->db, site_id_param(req)));
	if (!r || json_integer_value(json_object_get(r, "event_id")) !=
			  json_integer_value(json_object_get(ev, "id")))
		return db_failed(req->db) ? HM_EDB
					  : http_fail(res, HM_ENOTFOUND, "There is no such registration.");
	if (!str_eq(json_string_value(json_object_get(r, "status")), "approved"))
		return http_fail(res, HM_ECONFLICT, "A letter is given to approved participants.");
	return letter_answer(req, res, ev, r);
}

const struct route reg_desk_routes[] = {
	{GET, "/admin/events/{slug}/badges.pdf", get_badges, WEB_STAFF},
	{GET, "/api/v1/events/{slug}/badges.pdf", get_badges, WEB_PRIVATE},
	{GET, "/admin/events/{slug}/check-in", page_checkin, WEB_STAFF},
	{GET, "/registration/{token}/letter.pdf", get_own_letter, WEB_PRIVATE},
	{GET, "/admin/events/{slug}/registrations/{id}/letter.pdf", get_admin_letter, WEB_STAFF},
	{GET, "/api/v1/registrations/{id}/letter.pdf", get_api_letter, WEB_PRIVATE},
	{POST, "/admin/events/{slug}/check-in", post_checkin_form, WEB_STAFF | WEB_CSRF},
	{POST, "/api/v1/events/{slug}/check-ins", post_checkin_api,
	 WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	{GET, "/admin/events/{slug}/invitations", page_invitations, WEB_STAFF},
	{POST, "/admin/events/{slug}/invitations", post_invitations, WEB_STAFF | WEB_CSRF},
	{GET, "/api/v1/events/{slug}/invitations", page_invitations, WEB_JSON | WEB_PRIVATE},
	{POST, "/api/v1/events/{slug}/invitations", post_invitations,
	 WEB_JSON | WEB_PRIVATE | WEB_CSRF},
	WEB_ROUTES_END,
};

/* The same by the registration's id alone (the API). */
static enum hm_err get_api_letter(struct http_req *req, struct http_res *res)
{
	json_t *r = web_own(req, reg_get(req->db, site_id_param(req)));
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
	web_private(req, res);
	if (!str_eq(json_string_value(json_object_get(r, "status")), "approved"))
		return http_fail(res, HM_ECONFLICT, "A letter is given to approved participants.");
	return letter_answer(req, res, ev, r);
}
