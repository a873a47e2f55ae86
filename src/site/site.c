/*
 * site.c — the helpers the pages of the site's own business share (see
 * site.h), and the e-mails that carry a password link (a reset asked for,
 * or the invitation of a new account).
 */
#include "site/site.h"

#include "auth/auth.h"
#include "site/form.h"

#include "core/text.h"
#include "db/db.h"
#include "http/server.h"
#include "mail/mail.h"
#include "view/i18n.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

/* ============================================================ helpers */

/* Paths under /api/ answer JSON whatever the Accept header says. */


/* Adds page, pages and the links to neighbouring pages; base is the
 * path with its query so far ("/admin/audit?entity=event"). */
void site_paging(json_t *m, int page, int64_t total, const char *base)
{
	int64_t pages = total > 0 ? (total + SITE_PER_PAGE - 1) / SITE_PER_PAGE : 1;
	const char *sep = strchr(base, '?') ? "&" : "?";
	json_object_set_new(m, "total", json_integer(total));
	json_object_set_new(m, "page", json_integer(page));
	json_object_set_new(m, "pages", json_integer(pages));
	if (page > 1)
		json_object_set_new(m, "prev_url",
				    json_sprintf("%s%spage=%d", base, sep, page - 1));
	if (page < pages)
		json_object_set_new(m, "next_url",
				    json_sprintf("%s%spage=%d", base, sep, page + 1));
}

/* Answers a form that failed: its values and errors, in the page (HTML) or
 * alone (JSON). model (stolen) is the page's other data. */
enum hm_err site_form_fail(struct http_req *req, struct http_res *res, int status,
			   const struct form *f, json_t *model, const char *tpl,
			   const char *title)
{
	json_t *fj = form_json(f);
	/* form_json leaves password fields out entirely; their messages (never
	 * their values) must still reach the page. */
	json_t *errors = json_object_get(fj, "errors");
	for (size_t i = 0; i < f->n; i++)
		if (f->fields[i].kind == FIELD_PASSWORD && f->errors[i])
			json_object_set_new(errors, f->fields[i].name, json_string(f->errors[i]));
	res->status = status;
	if (req->want_json || !tpl) {
		json_decref(model);
		http_res_page(res, fj, NULL, NULL);
		return HM_OK;
	}
	json_object_set_new(model, "form", fj);
	http_res_page(res, model, tpl, title);
	return HM_OK;
}

json_t *site_empty_form(void)
{
	return json_pack("{s:{}, s:{}}", "values", "errors");
}

/* Marks the admin section a page belongs to, for the sub-navigation. */
void site_section(struct http_req *req, json_t *m, const char *key)
{
	if (!req->want_json)
		json_object_set_new(m, "admin_nav", json_pack("{s:b}", key, 1));
}


/* A timestamp as the reader's date and time (UTC), or the stamp itself. */
const char *site_zone(struct http_req *req)
{
	static const char sql[] = "SELECT value FROM site_setting WHERE key = 'timezone'";
	const struct principal *p = web_principal(req);
	if (p->timezone[0] && tz_valid(p->timezone))
		return p->timezone; /* the reader's own */
	const char *z = NULL;
	struct db_stmt *st = req->db ? db_prepare(req->db, sql) : NULL;
	if (st && db_step(st) == 1 && db_col_text(st, 0) && tz_valid(db_col_text(st, 0)))
		z = arena_strdup(&req->pool, db_col_text(st, 0));
	db_done(st);
	return z ? z : "UTC";
}

void site_display_time(struct http_req *req, json_t *o, const char *key,
		       const char *out_key)
{
	const char *at = json_string_value(json_object_get(o, key));
	int64_t t = at ? time_parse_rfc3339(at) : -1;
	const char *s = t >= 0 ? fmt_datetime(&req->pool, req->lang, site_zone(req), t, FMT_MEDIUM)
			       : NULL;
	json_object_set_new(o, out_key, s ? json_string(s) : at ? json_string(at) : json_null());
}




json_t *site_csrf_model(struct http_req *req, struct http_res *res)
{
	return json_pack("{s:s}", "csrf", web_csrf_token(req, res));
}



int64_t site_id_param(struct http_req *req)
{
	int64_t n;
	return text_int_parse(http_param(req, "id"), &n) && n > 0 ? n : 0;
}

/* A query argument, NULL when absent or empty. */
const char *site_query_opt(struct http_req *req, const char *name)
{
	const char *v = http_query(req, name);
	return v && *v ? v : NULL;
}

json_t *site_settings(struct db *db)
{
	static const char sql[] = "SELECT key, value FROM site_setting ORDER BY key";
	json_t *o = json_object();
	if (!db) /* an answer made without a database (server.c: none reachable) */
		return o;
	struct db_stmt *st = db_prepare(db, sql);
	while (st && db_step(st) == 1)
		json_object_set_new(o, db_col_text(st, 0), json_string(db_col_text(st, 1)));
	db_done(st);
	return o;
}

const char *site_name(struct http_req *req)
{
	json_t *s = site_settings(req->db);
	const char *v = json_string_value(json_object_get(s, "site_name"));
	const char *name = arena_strdup(&req->pool, v ? v : "harmony");
	json_decref(s);
	return name;
}

enum hm_err web_read_begin(struct http_req *req)
{
	if (db_begin_read(req->db) == HM_OK)
		return HM_OK;
	log_error("%s: cannot begin a read transaction", req->path ? req->path : "?");
	return HM_EDB;
}

const char *web_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

void web_set_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, s ? json_string(s) : json_null());
}

static void decref(void *p)
{
	json_decref(p);
}

json_t *web_own(struct http_req *req, json_t *j)
{
	return arena_defer(&req->pool, decref, j);
}

enum hm_err web_reauth(struct http_req *req, struct http_res *res, struct form *f)
{
	int64_t retry = 0;
	enum hm_err e = auth_password_prove(req->db, web_principal(req), form_get(f, "password"),
					    req->client_addr, time_now_s(), &retry);
	if (e == HM_EUNAUTH) {
		form_set_error(req, f, "password", "The password is not right.");
		res->status = 400;
		return HM_EINVAL;
	}
	if (e == HM_EFORBIDDEN) {
		form_set_error(req, f, "password", web_retry_text(req, (long long)retry));
		res->status = 429;
		http_res_header(res, "Retry-After", arena_printf(&req->pool, "%lld", (long long)retry));
		return HM_EINVAL;
	}
	return e;
}
