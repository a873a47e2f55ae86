/*
 * admin_settings.c — the site's settings for administrators
 * (/admin/settings and /api/v1/settings): its name and tagline, the sender
 * of its e-mail and its time zone, through the store of settings.h.
 */
#include "auth/auth.h"
#include "features/system/settings.h"
#include "site/feature.h"
#include "site/site.h"
#include "view/format_extra.h"
#include "view/i18n.h"

#include "db/db.h"
#include "mail/mail.h"

#include <string.h>

/* The page's form splits the sender into its name and address, which
 * the store keeps as one "Name <addr>" (mail_from). */
static const struct field settings_fields[] = {
	{.name = "site_name", .kind = FIELD_TEXT, .required = 1, .max_len = 200,
	 .label = N_("Site name")},
	{.name = "site_tagline", .kind = FIELD_TEXT, .max_len = 300, .label = N_("Tagline")},
	{.name = "sender_name", .kind = FIELD_TEXT, .max_len = AUTH_NAME_MAX,
	 .label = N_("Sender's name")},
	{.name = "sender_address", .kind = FIELD_EMAIL, .max_len = AUTH_EMAIL_MAX,
	 .label = N_("Sender's address")},
	{.name = "timezone", .kind = FIELD_TEXT, .max_len = 64, .label = N_("Time zone")},
};

/* The page's model around its form: the zones to choose from, and where
 * mail goes. */
static json_t *settings_model(struct http_req *req, struct http_res *res)
{
	json_t *m = site_csrf_model(req, res);
	json_object_set_new(m, "zones", fmt_timezone_options(&req->pool, req->lang, NULL));
	site_section(req, m, "settings");
	return m;
}

/* The form's values from the stored settings. */
static json_t *form_values(json_t *s)
{
	char name[AUTH_NAME_MAX + 1] = "", addr[AUTH_EMAIL_MAX + 1] = "";
	const char *from = json_string_value(json_object_get(s, "mail_from"));
	if (from && mail_address_split(from, name, sizeof(name), addr, sizeof(addr)) != HM_OK)
		name[0] = addr[0] = '\0';
	return json_pack("{s:O, s:O, s:s, s:s, s:O}", "site_name", json_object_get(s, "site_name"),
			 "site_tagline", json_object_get(s, "site_tagline"), "sender_name", name,
			 "sender_address", addr, "timezone", json_object_get(s, "timezone"));
}

static enum hm_err page_settings(struct http_req *req, struct http_res *res)
{
	json_t *s = settings_values(req->db);
	if (req->want_json) {
		http_res_page(res, s, NULL, NULL);
		return HM_OK;
	}
	json_t *m = settings_model(req, res);
	json_object_set_new(m, "form", json_pack("{s:o, s:{}}", "values", form_values(s), "errors"));
	if (str_eq(http_query(req, "done"), "saved"))
		json_object_set_new(m, "saved", json_true());
	json_decref(s);
	http_res_page(res, m, "admin/settings", web_t(req, "Site settings"));
	return HM_OK;
}

/* The JSON twin: PATCH {key: value…}, "" or null clearing a setting. */
static enum hm_err patch_settings(struct http_req *req, struct http_res *res)
{
	json_t *changes = req->body ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES,
						 NULL)
				    : NULL;
	if (!json_is_object(changes)) {
		json_decref(changes);
		return http_fail(res, HM_EINVAL, "Send a JSON object of the settings to change.");
	}
	const char *bad = NULL, *why = NULL;
	enum hm_err e = settings_update(req->db, web_principal(req), changes, time_now_s(), &bad,
					&why);
	if (e == HM_EINVAL) {
		res->status = 400;
		json_t *m = json_pack("{s:s, s:b, s:{s:s}}", "error",
				      web_t(req, "The settings could not be saved. Please check the fields."),
				      "has_errors", 1, "errors", bad ? bad : "", web_t(req, why));
		json_decref(changes);
		http_res_page(res, m, NULL, NULL);
		return HM_OK;
	}
	json_decref(changes);
	if (e != HM_OK)
		return e;
	http_res_page(res, settings_values(req->db), NULL, NULL);
	return HM_OK;
}

static enum hm_err post_settings(struct http_req *req, struct http_res *res)
{
	struct form f;
	enum hm_err e = form_read(req, settings_fields, HM_ARRAY_LEN(settings_fields), &f);
	const char *title = web_t(req, "Site settings");
	const char *name = form_get(&f, "sender_name"), *addr = form_get(&f, "sender_address");
	if (name && !addr)
		form_set_error(req, &f, "sender_address",
			       "Write the address the sender's name goes with.");
	if (e != HM_OK || f.nerrors)
		return site_form_fail(req, res, 400, &f, settings_model(req, res), "admin/settings",
				      title);
	const char *from = !addr ? "" : name ? arena_printf(&req->pool, "%s <%s>", name, addr) : addr;
	const char *tagline = form_get(&f, "site_tagline"), *zone = form_get(&f, "timezone");
	json_t *changes = json_pack("{s:s, s:s, s:s, s:s}", "site_name", form_get(&f, "site_name"),
				    "site_tagline", tagline ? tagline : "", "mail_from", from,
				    "timezone", zone ? zone : "");
	const char *bad = NULL, *why = NULL;
	e = settings_update(req->db, web_principal(req), changes, time_now_s(), &bad, &why);
	if (e == HM_EINVAL) {
		form_set_error(req, &f, str_eq(bad, "mail_from") ? "sender_name" : bad, why);
		json_decref(changes); /* bad is one of its keys */
		return site_form_fail(req, res, 400, &f, settings_model(req, res), "admin/settings",
				      title);
	}
	json_decref(changes);
	if (e != HM_OK)
		return e;
	return web_redirect(req, res, "/admin/settings?done=saved");
}

const struct route settings_routes[] = {
	{GET, "/admin/settings", page_settings, WEB_NEEDS(AUTH_SITE_ADMIN)},
	{POST, "/admin/settings", post_settings, WEB_NEEDS(AUTH_SITE_ADMIN) | WEB_CSRF},
	{GET, "/api/v1/settings", page_settings, WEB_JSON | WEB_NEEDS(AUTH_SITE_ADMIN)},
	{PATCH, "/api/v1/settings", patch_settings,
	 WEB_JSON | WEB_NEEDS(AUTH_SITE_ADMIN) | WEB_CSRF},
	WEB_ROUTES_END,
};
