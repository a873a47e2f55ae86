/*
 * web_common.c — what the registration pages share: the event of the
 * path, the body of a form or a JSON call as one object, refusals by
 * field as a form model, the labels of the values registration stores.
 */
#include "features/registration/reg_web.h"

#include "http/server.h"
#include "mail/mail.h"
#include "view/format_extra.h"

#include <string.h>

enum hm_err reg_web_event(struct http_req *req, struct http_res *res, int manage, json_t **out)
{
	*out = NULL;
	reg_site_url_set(server_base_url(req->srv));
	json_t *ev = reg_event(req->db, http_param(req, "slug"));
	if (!ev)
		return db_failed(req->db) ? HM_EDB : http_fail(res, HM_ENOTFOUND, "There is no such event.");
	const struct principal *p = web_principal(req);
	if (manage) {
		struct auth_scope sc = {
			.event_id = json_integer_value(json_object_get(ev, "id")),
			.series_id = json_integer_value(json_object_get(ev, "series_id")),
		};
		enum hm_err e = web_require(req, res, AUTH_REGISTRATION_MANAGE, &sc);
		if (e != HM_OK) {
			json_decref(ev);
			return e;
		}
		web_private(req, res);
	} else if (!str_eq(json_string_value(json_object_get(ev, "status")), "published") &&
		   !reg_may_manage(p, ev)) {
		json_decref(ev);
		return http_fail(res, HM_ENOTFOUND, "There is no such event.");
	}
	*out = web_own(req, ev);
	return HM_OK;
}




json_t *reg_web_form(struct http_req *req, const json_t *values, const struct field_errors *errs)
{
	static const char *const order[] = {"name", "email", "organisation", "position", "sector",
					    "country", "gender", "languages", "accessibility",
					    "dietary", NULL};
	return site_errors_form(req, values, errs, order);
}

int reg_web_rate(struct http_req *req, struct http_res *res, const json_t *ev,
		 struct field_errors *errs)
{
	if (reg_may_manage(web_principal(req), ev) || reg_limit() <= 0)
		return 1;
	const char *key = arena_printf(&req->pool, "register:%s:%s",
				       json_string_value(json_object_get(ev, "slug")),
				       req->client_addr ? req->client_addr : "-");
	int ok = mail_rate_take(req->db, key, reg_limit(), REG_PER_ADDRESS_WINDOW, time_now_s());
	if (ok == 0) {
		http_res_header(res, "Retry-After", "600");
		field_error_add(errs, "", "Too many registrations from your network. Please try "
					  "again in a few minutes.");
	}
	return ok;
}

json_t *reg_web_options(struct http_req *req, const char *const *keys, const char *current)
{
	json_t *list = json_array();
	for (int i = 0; keys[i]; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "value", keys[i], "label",
						      adm_label(req, keys[i]), "selected",
						      str_eq(keys[i], current)));
	return list;
}

void reg_web_decorate(struct http_req *req, json_t *r)
{
	const char *status = json_string_value(json_object_get(r, "status"));
	web_set_str(r, "status_label", adm_label(req, status));
	web_set_str(r, "status_class",
		    str_eq(status, "approved")	   ? "badge-ok"
		    : str_eq(status, "pending")	   ? "badge-draft"
		    : str_eq(status, "waitlisted") ? "badge-info"
		    : str_eq(status, "offered")	   ? "badge-info"
						   : "badge-warn");
	const char *sector = json_string_value(json_object_get(r, "sector"));
	web_set_str(r, "sector_label", sector ? adm_label(req, sector) : NULL);
	const char *gender = json_string_value(json_object_get(r, "gender"));
	web_set_str(r, "gender_label", gender ? adm_label(req, gender) : NULL);
	const char *cc = json_string_value(json_object_get(r, "country"));
	web_set_str(r, "country_name", cc ? fmt_country(&req->pool, req->lang, cc) : NULL);
	site_display_time(req, r, "created_at", "created_display");
	site_display_time(req, r, "offer_expires_at", "offer_expires_display");
	site_display_time(req, r, "checked_in_at", "checked_in_display");
}

const struct vocab reg_vocab[] = {
	{"pending", N_("Pending"), N_("Pending")},
	{"approved", N_("Approved"), N_("Approved")},
	{"waitlisted", N_("Waiting list"), N_("Waiting list")},
	{"offered", N_("Seat offered"), N_("Seats offered")},
	{"declined", N_("Declined"), N_("Declined")},
	{"expired", N_("Offer lapsed"), N_("Offers lapsed")},
	{"attended", N_("Attended"), N_("Attended")},
	{"female", N_("Woman"), N_("Women")},
	{"male", N_("Man"), N_("Men")},
	{"undisclosed", N_("Prefer not to say"), N_("Prefer not to say")},
	{"open", N_("Open: first come, within capacity and quotas"), NULL},
	{"approval", N_("Approval: organisers decide"), NULL},
	{"invitation", N_("Invitation: by personal link"), NULL},
	{"none", N_("Nobody"), NULL},
	{"participants", N_("Approved participants"), NULL},
	{"public", N_("Everyone"), NULL},
	{NULL, NULL, NULL},
};
