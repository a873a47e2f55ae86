/*
 * admin_accounts.c — accounts for administrators (/admin/accounts and
 * /api/v1/accounts): the list with search, creating one (its owner is
 * invited by e-mail to choose a password), one account with its history,
 * giving and taking away roles, and inviting again.
 */
#include "site/confirm.h"
#include "auth/auth.h"
#include "site/feature.h"
#include "features/accounts/accounts.h"
#include "features/accounts/notice.h"

#include "db/db.h"
#include "view/i18n.h"

#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

enum account_sql { SQL_EVENT_SLUGS, SQL_SERIES_SLUGS, ACCOUNT_SQL__MAX };

static const char *const account_sql[ACCOUNT_SQL__MAX] = {
	[SQL_EVENT_SLUGS] = "SELECT slug, title FROM event ORDER BY starts_on DESC, id",
	[SQL_SERIES_SLUGS] = "SELECT slug, title FROM series ORDER BY title, id",
};

/* ============================================================ accounts */

static const char *const role_choices[] = {"participant", "organiser", "admin", NULL};

static const struct field account_fields[] = {
	{.name = "email", .kind = FIELD_EMAIL, .required = 1, .max_len = AUTH_EMAIL_MAX,
	 .label = N_("E-mail address")},
	{.name = "name", .kind = FIELD_TEXT, .required = 1, .max_len = AUTH_NAME_MAX,
	 .label = N_("Name")},
	{.name = "organisation", .kind = FIELD_TEXT, .max_len = AUTH_NAME_MAX,
	 .label = N_("Organisation")},
	{.name = "lang", .kind = FIELD_CHOICE, .label = N_("Language")},
	{.name = "role", .kind = FIELD_CHOICE, .choices = role_choices, .label = N_("Role")},
	{.name = "event", .kind = FIELD_SLUG, .label = N_("Event")},
	{.name = "series", .kind = FIELD_SLUG, .label = N_("Series")},
	/* asked again when the account is made with a role */
	{.name = "password", .kind = FIELD_PASSWORD, .max_len = AUTH_PASSWORD_MAX,
	 .label = N_("Your password")},
};

static const char *const grant_roles[] = {"organiser", "admin", NULL};

static const struct field grant_fields[] = {
	{.name = "role", .kind = FIELD_CHOICE, .required = 1, .choices = grant_roles,
	 .label = N_("Role")},
	{.name = "event", .kind = FIELD_SLUG, .label = N_("Event")},
	{.name = "series", .kind = FIELD_SLUG, .label = N_("Series")},
	/* asked again before a role is given */
	{.name = "password", .kind = FIELD_PASSWORD, .required = 1, .max_len = AUTH_PASSWORD_MAX,
	 .label = N_("Your password")},
};

/* The grant a role form asks for; field errors set on f when it names
 * no, two or an unknown event or series. 1 when g is usable. */
static int grant_from_form(struct http_req *req, struct form *f, struct auth_grant *g)
{
	const char *role = form_get(f, "role"), *ev = form_get(f, "event");
	const char *se = form_get(f, "series");
	struct auth_scope sc;
	memset(g, 0, sizeof(*g));
	if (str_eq(role, "admin")) {
		g->role = AUTH_ROLE_ADMIN;
		return 1;
	}
	g->role = AUTH_ROLE_ORGANISER;
	if ((ev != NULL) == (se != NULL)) {
		form_set_error(req, f, ev ? "series" : "event",
			       "An organiser needs one event or one series.");
		return 0;
	}
	if (ev) {
		if (auth_scope_event(req->db, ev, &sc) != HM_OK) {
			form_set_error(req, f, "event", "There is no event with this address.");
			return 0;
		}
		g->event_id = sc.event_id;
	} else {
		if (auth_scope_series(req->db, se, &sc) != HM_OK) {
			form_set_error(req, f, "series", "There is no series with this address.");
			return 0;
		}
		g->series_id = sc.series_id;
	}
	return 1;
}

/* A grant named in a path: "admin", "event:SLUG" or "series:SLUG". */
static enum hm_err grant_parse(struct http_req *req, const char *s, struct auth_grant *g)
{
	struct auth_scope sc;
	memset(g, 0, sizeof(*g));
	if (str_eq(s, "admin")) {
		g->role = AUTH_ROLE_ADMIN;
		return HM_OK;
	}
	g->role = AUTH_ROLE_ORGANISER;
	if (s && str_starts_with(s, "event:") && auth_scope_event(req->db, s + 6, &sc) == HM_OK) {
		g->event_id = sc.event_id;
		return HM_OK;
	}
	if (s && str_starts_with(s, "series:") && auth_scope_series(req->db, s + 7, &sc) == HM_OK) {
		g->series_id = sc.series_id;
		return HM_OK;
	}
	return HM_ENOTFOUND;
}

static void decorate_account(struct http_req *req, json_t *acct)
{
	json_int_t id = json_integer_value(json_object_get(acct, "id"));
	json_object_set_new(acct, "url", json_sprintf("/admin/accounts/%lld", (long long)id));
	site_display_time(req, acct, "created_at", "created_display");
	accounts_decorate(req, acct);
}

/* The account of the path: a number or an e-mail address; 0 when none. */
static int64_t account_param(struct http_req *req)
{
	int64_t id = site_id_param(req);
	const char *s = http_param(req, "id");
	if (!id && s && strchr(s, '@') && auth_account_find(req->db, s, &id) != HM_OK)
		id = 0;
	return id;
}

/* The account of the path and its id; 404 when there is none. */
static enum hm_err account_of_path(struct http_req *req, struct http_res *res, int64_t *id,
				   json_t **acct)
{
	*id = account_param(req);
	*acct = *id ? auth_account_get(req->db, *id) : NULL;
	if (!*acct)
		return http_fail(res, HM_ENOTFOUND, "There is no such account.");
	return HM_OK;
}

/* The answer after a change of account id: the account as JSON with
 * status, or back to its page. */
static enum hm_err account_changed(struct http_req *req, struct http_res *res, int64_t id,
				   int status)
{
	if (!req->want_json)
		return web_redirect(req, res,
				    arena_printf(&req->pool, "/admin/accounts/%lld", (long long)id));
	json_t *acct = auth_account_get(req->db, id);
	if (!acct)
		return HM_ENOTFOUND;
	decorate_account(req, acct);
	res->status = status;
	http_res_page(res, acct, NULL, NULL);
	return HM_OK;
}

/* Events and series for the role form to choose from, by title. */
static void add_scopes(struct http_req *req, json_t *m)
{
	json_object_set_new(m, "events",
			    db_rows_json(db_prepare(req->db, account_sql[SQL_EVENT_SLUGS])));
	json_object_set_new(m, "series",
			    db_rows_json(db_prepare(req->db, account_sql[SQL_SERIES_SLUGS])));
}

/* Marks the event and series a sent form chose, so a refused form shows
 * them chosen again. */
static void mark_scopes(json_t *m, const struct form *f)
{
	static const char *const lists[][2] = {{"events", "event"}, {"series", "series"}};
	for (size_t k = 0; k < HM_ARRAY_LEN(lists); k++) {
		const char *chosen = form_get(f, lists[k][1]);
		size_t i;
		json_t *o;
		json_array_foreach(json_object_get(m, lists[k][0]), i, o)
			json_object_set_new(o, "selected",
					    json_boolean(str_eq(chosen, json_string_value(json_object_get(o, "slug")))));
	}
}

/* 1 if hay contains needle, ignoring case in any script ("PÉREZ" finds
 * "Pérez"); texts too long to fold never match. */
static int contains_folded(const char *hay, const char *needle)
{
	UChar h[600], n[300], hf[600], nf[300];
	UErrorCode st = U_ZERO_ERROR;
	int32_t hl = 0, nl = 0;
	u_strFromUTF8(h, (int32_t)HM_ARRAY_LEN(h), &hl, hay ? hay : "", -1, &st);
	u_strFromUTF8(n, (int32_t)HM_ARRAY_LEN(n), &nl, needle, -1, &st);
	hl = u_strFoldCase(hf, (int32_t)HM_ARRAY_LEN(hf), h, hl, U_FOLD_CASE_DEFAULT, &st);
	nl = u_strFoldCase(nf, (int32_t)HM_ARRAY_LEN(nf), n, nl, U_FOLD_CASE_DEFAULT, &st);
	if (U_FAILURE(st) || hl >= (int32_t)HM_ARRAY_LEN(hf) || nl >= (int32_t)HM_ARRAY_LEN(nf))
		return 0;
	hf[hl] = 0;
	nf[nl] = 0;
	return u_strstr(hf, nf) != NULL;
}

/* Which role the form's select shows chosen. */
static void role_flags(json_t *m, const char *role, int with_participant)
{
	json_object_set_new(m, "with_participant", json_boolean(with_participant));
	json_object_set_new(m, "role_participant", json_boolean(str_eq(role, "participant")));
	json_object_set_new(m, "role_organiser", json_boolean(str_eq(role, "organiser")));
	json_object_set_new(m, "role_admin", json_boolean(str_eq(role, "admin")));
}

/* The page of one account: acct and history (stolen), and the role form
 * with role chosen. */
static json_t *account_page(struct http_req *req, struct http_res *res, json_t *acct,
			    json_t *history, const char *role)
{
	json_t *m = json_pack("{s:o, s:o, s:s}", "account", acct, "history", history, "csrf",
			      web_csrf_token(req, res));
	add_scopes(req, m);
	role_flags(m, role, 0);
	site_section(req, m, "accounts");
	return m;
}

static json_t *accounts_model(struct http_req *req, struct http_res *res, int page,
			      const char *q, const char *lang)
{
	json_t *all = auth_account_list(req->db), *shown = json_array();
	size_t i;
	json_t *a;
	int64_t total = 0;
	json_array_foreach(all, i, a) {
		const char *email = json_string_value(json_object_get(a, "email"));
		const char *name = json_string_value(json_object_get(a, "name"));
		if (q && !contains_folded(email, q) && !contains_folded(name, q))
			continue;
		if (total >= (int64_t)(page - 1) * SITE_PER_PAGE &&
		    total < (int64_t)page * SITE_PER_PAGE) {
			decorate_account(req, a);
			json_array_append(shown, a);
		}
		total++;
	}
	json_decref(all);
	json_t *m = json_pack("{s:o}", "accounts", shown);
	json_object_set_new(m, "q", q ? json_string(q) : json_null());
	struct buf base;
	buf_init(&base);
	buf_puts(&base, "/admin/accounts");
	if (q) {
		buf_puts(&base, "?q=");
		url_encode(&base, q);
	}
	site_paging(m, page, total, base.data);
	buf_free(&base);
	if (!req->want_json) {
		json_object_set_new(m, "csrf", json_string(web_csrf_token(req, res)));
		json_object_set_new(m, "languages", accounts_language_choices(req, lang ? lang : "en"));
		add_scopes(req, m);
		site_section(req, m, "accounts");
	}
	return m;
}

static enum hm_err page_accounts(struct http_req *req, struct http_res *res)
{
	int page = web_page_param(req);
	if (!page)
		return http_fail(res, HM_EINVAL, "The page number must be a whole number from 1.");
	json_t *m = accounts_model(req, res, page, site_query_opt(req, "q"), NULL);
	if (!req->want_json) {
		json_object_set_new(m, "form", json_pack("{s:{s:s, s:s}, s:{}}", "values", "role",
							 "participant", "lang", "en", "errors"));
		role_flags(m, "participant", 1);
	}
	http_res_page(res, m, "admin/accounts", web_t(req, "Accounts"));
	return HM_OK;
}

static enum hm_err post_account_create(struct http_req *req, struct http_res *res)
{
	struct field fields[HM_ARRAY_LEN(account_fields)];
	struct form f;
	struct auth_grant g;
	char msg[256];
	enum hm_err e = HM_OK;
	memcpy(fields, account_fields, sizeof(fields));
	for (size_t i = 0; i < HM_ARRAY_LEN(fields); i++)
		if (str_eq(fields[i].name, "lang"))
			fields[i].choices = i18n_languages();
	e = form_read(req, fields, HM_ARRAY_LEN(fields), &f);
	const char *role = form_get(&f, "role");
	int with_grant = role && !str_eq(role, "participant");
	if (e == HM_OK && with_grant)
		grant_from_form(req, &f, &g);
	const char *title = web_t(req, "Accounts");
	json_t *m = NULL;
	if (!req->want_json) {
		m = accounts_model(req, res, 1, NULL, form_get(&f, "lang"));
		role_flags(m, role, 1);
		mark_scopes(m, &f);
	}
	if (e != HM_OK || f.nerrors)
		return site_form_fail(req, res, 400, &f, m, "admin/accounts", title);
	/* Giving a role asks for the password again. */
	if (with_grant && (e = web_reauth(req, res, &f)) != HM_OK) {
		if (e != HM_EINVAL) {
			json_decref(m);
			return e;
		}
		return site_form_fail(req, res, res->status, &f, m, "admin/accounts", title);
	}
	struct account_new a = {
		.email = form_get(&f, "email"),
		.name = form_get(&f, "name"),
		.organisation = form_get(&f, "organisation"),
		.lang = form_get(&f, "lang"),
		.password = NULL, /* they choose it from the invitation */
		.grant = with_grant ? &g : NULL,
	};
	int64_t id = 0;
	const struct principal *p = web_principal(req);
	e = auth_account_create(req->db, p, &a, time_now_s(), &id, msg, sizeof(msg));
	if (e == HM_EEXIST || e == HM_EINVAL || e == HM_ETOOBIG) {
		if (e == HM_EEXIST)
			form_set_error(req, &f, "email", "An account with this e-mail address exists.");
		else
			f.error = web_t(req, "The account could not be made. Please check the fields.");
		return site_form_fail(req, res, e == HM_EEXIST ? 409 : 400, &f, m, "admin/accounts",
				      title);
	}
	json_decref(m);
	if (e != HM_OK)
		return e;
	enum hm_err me = accounts_send_link(req, MAIL_INVITE, a.email, p);
	if (with_grant)
		accounts_notify_grant(req, id, &g);
	if (req->want_json) {
		json_t *acct = auth_account_get(req->db, id);
		if (!acct)
			return HM_ENOTFOUND;
		accounts_decorate(req, acct);
		json_object_set_new(acct, "invitation",
				    json_string(me == HM_OK ? "queued" : "not sent"));
		res->status = 201;
		http_res_header(res, "Location",
				arena_printf(&req->pool, "/api/v1/accounts/%lld", (long long)id));
		http_res_page(res, acct, NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/accounts/%lld?invited=%d", (long long)id,
					 me == HM_OK));
}

static enum hm_err page_account_one(struct http_req *req, struct http_res *res)
{
	int64_t id;
	json_t *acct;
	enum hm_err e = account_of_path(req, res, &id, &acct);
	if (e != HM_OK)
		return e;
	decorate_account(req, acct);
	if (req->want_json) {
		http_res_page(res, acct, NULL, NULL);
		return HM_OK;
	}
	const char *invited = http_query(req, "invited");
	json_t *log = audit_list(req->db, "account", id, 20);
	size_t i;
	json_t *row;
	json_array_foreach(log, i, row) {
		json_object_set_new(row, "changes",
				    site_audit_changes_shown(req, json_object_get(row, "before"),
							     json_object_get(row, "after")));
		site_display_time(req, row, "at", "at_display");
	}
	json_t *m = account_page(req, res, acct, log, "organiser");
	json_object_set_new(m, "form", json_pack("{s:{s:s}, s:{}}", "values", "role", "organiser",
						 "errors"));
	if (invited)
		json_object_set_new(m, str_eq(invited, "1") ? "invited" : "not_invited",
				    json_true());
	http_res_page(res, m, "admin/accounts_one",
		      json_string_value(json_object_get(acct, "name")));
	return HM_OK;
}

static enum hm_err post_role_grant(struct http_req *req, struct http_res *res)
{
	struct form f;
	struct auth_grant g;
	int64_t id;
	json_t *acct;
	enum hm_err e, ge;
	e = form_read(req, grant_fields, HM_ARRAY_LEN(grant_fields), &f);
	if ((ge = account_of_path(req, res, &id, &acct)) != HM_OK)
		return ge;
	int status = 400;
	if (e == HM_OK)
		grant_from_form(req, &f, &g);
	if (e == HM_OK && !f.nerrors && (e = web_reauth(req, res, &f)) != HM_OK) {
		if (e != HM_EINVAL) {
			json_decref(acct);
			return e;
		}
		status = res->status;
	}
	if (e == HM_OK && !f.nerrors) {
		e = auth_role_grant(req->db, web_principal(req), id, &g, time_now_s());
		if (e == HM_EEXIST)
			f.error = web_t(req, "This account has this role already.");
		else if (e == HM_EINVAL)
			f.error = web_t(req, "This role cannot be given.");
		else if (e != HM_OK) {
			json_decref(acct);
			return e;
		}
	}
	if (f.nerrors || f.error) {
		decorate_account(req, acct);
		json_t *m = account_page(req, res, acct, json_array(), form_get(&f, "role"));
		mark_scopes(m, &f);
		return site_form_fail(req, res, e == HM_EEXIST ? 409 : status, &f, m,
				      "admin/accounts_one", web_t(req, "Accounts"));
	}
	json_decref(acct);
	accounts_notify_grant(req, id, &g);
	return account_changed(req, res, id, 201);
}

static enum hm_err post_role_revoke(struct http_req *req, struct http_res *res)
{
	struct auth_grant g;
	enum hm_err e = HM_OK;
	int64_t id = account_param(req);
	if (!id)
		return http_fail(res, HM_ENOTFOUND, "There is no such account.");
	if (grant_parse(req, http_param(req, "grant"), &g) != HM_OK)
		return http_fail(res, HM_ENOTFOUND, "This account does not have this role.");
	const struct principal *p = web_principal(req);
	/* The last door out of administration stays shut behind nobody. */
	if (g.role == AUTH_ROLE_ADMIN && id == p->account_id)
		return http_fail(res, HM_ECONFLICT, "You cannot remove your own administrator role.");
	if (!web_confirmed(req))
		return web_confirm_page(
			req, res,
			&(struct confirm){
				.question = web_t(req, "Remove this role?"),
				.lines = {web_t(req, "The account loses at once what this role lets it do. "
						     "You can give the role again later.")},
				.yes = web_t(req, "Yes, remove the role"),
				.back = arena_printf(&req->pool, "/admin/accounts/%lld", (long long)id),
				.admin = "accounts",
			});
	e = auth_role_revoke(req->db, p, id, &g, time_now_s());
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "This account does not have this role.");
	if (e != HM_OK)
		return e;
	return account_changed(req, res, id, 200);
}

/* Sends a fresh invitation (a new link; older ones stop working). */
static enum hm_err post_invite(struct http_req *req, struct http_res *res)
{
	int64_t id;
	json_t *acct;
	enum hm_err e = account_of_path(req, res, &id, &acct);
	if (e != HM_OK)
		return e;
	const struct principal *p = web_principal(req);
	e = accounts_send_link(req, MAIL_INVITE, json_string_value(json_object_get(acct, "email")), p);
	json_decref(acct);
	if (e == HM_EINVAL)
		return http_fail(res, HM_EINVAL, "No message can be sent to this address.");
	if (e != HM_OK)
		return e;
	json_t *after = json_pack("{s:s}", "invitation", "sent");
	audit_record(req->db, p, "account.invite", "account", id, NULL, after);
	json_decref(after);
	if (req->want_json) {
		http_res_page(res, json_pack("{s:s}", "invitation", "queued"), NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/accounts/%lld?invited=1", (long long)id));
}

const struct route admin_account_routes[] = {
	{GET, "/admin/accounts", page_accounts, WEB_NEEDS(AUTH_ACCOUNT_MANAGE)},
	{POST, "/admin/accounts", post_account_create, WEB_NEEDS(AUTH_ACCOUNT_MANAGE) | WEB_CSRF},
	{GET, "/admin/accounts/{id}", page_account_one, WEB_NEEDS(AUTH_ACCOUNT_MANAGE)},
	{POST, "/admin/accounts/{id}/roles", post_role_grant, WEB_NEEDS(AUTH_ACCOUNT_MANAGE) | WEB_CSRF},
	{POST, "/admin/accounts/{id}/roles/{grant}/revoke", post_role_revoke, WEB_NEEDS(AUTH_ACCOUNT_MANAGE) | WEB_CSRF},
	{POST, "/admin/accounts/{id}/invite", post_invite, WEB_NEEDS(AUTH_ACCOUNT_MANAGE) | WEB_CSRF},
	{GET, "/api/v1/accounts", page_accounts, WEB_JSON | WEB_NEEDS(AUTH_ACCOUNT_MANAGE)},
	{POST, "/api/v1/accounts", post_account_create, WEB_JSON | WEB_NEEDS(AUTH_ACCOUNT_MANAGE) | WEB_CSRF},
	{GET, "/api/v1/accounts/{id}", page_account_one, WEB_JSON | WEB_NEEDS(AUTH_ACCOUNT_MANAGE)},
	{POST, "/api/v1/accounts/{id}/roles", post_role_grant, WEB_JSON | WEB_NEEDS(AUTH_ACCOUNT_MANAGE) | WEB_CSRF},
	{DELETE, "/api/v1/accounts/{id}/roles/{grant}", post_role_revoke, WEB_JSON | WEB_NEEDS(AUTH_ACCOUNT_MANAGE) | WEB_CSRF},
	{POST, "/api/v1/accounts/{id}/invite", post_invite, WEB_JSON | WEB_NEEDS(AUTH_ACCOUNT_MANAGE) | WEB_CSRF},
	WEB_ROUTES_END,
};
