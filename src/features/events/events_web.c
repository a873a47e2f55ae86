/*
 * events_web.c — what the admin pages of events, series and organisations
 * share: the events and series someone may edit, and the choice of an
 * organisation.
 */
#include "features/events/events_web.h"

#include "core/text.h"

json_t *adm_editable_events(struct http_req *req, const struct principal *p)
{
	json_t *all = admin_event_list(req->db), *out = json_array();
	size_t i;
	json_t *ev;
	json_array_foreach(all, i, ev) {
		struct auth_scope sc;
		admin_event_scope(ev, &sc);
		if (!auth_can(p, AUTH_EVENT_EDIT, &sc))
			continue;
		json_object_set_new(ev, "may_name_organisers",
				    json_boolean(auth_can(p, AUTH_SERIES_EDIT, &sc)));
		json_array_append(out, ev);
	}
	json_decref(all);
	events_decorate_list(req, out);
	json_array_foreach(out, i, ev)
		adm_decorate_status(req, ev);
	return out;
}

json_t *adm_editable_series(struct http_req *req, const struct principal *p)
{
	json_t *all = admin_series_list(req->db), *out = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(all, i, s) {
		struct auth_scope sc;
		admin_series_scope(s, &sc);
		if (!auth_can(p, AUTH_SERIES_EDIT, &sc))
			continue;
		adm_decorate_status(req, s);
		json_array_append(out, s);
	}
	json_decref(all);
	return out;
}

json_t *adm_org_options(struct http_req *req, const char *none_label)
{
	json_t *orgs = admin_org_list(req->db), *opts = json_array();
	if (none_label)
		json_array_append_new(opts, json_pack("{s:s, s:s}", "value", "", "label",
						      web_t(req, none_label)));
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		const char *acr = web_str(o, "acronym");
		const char *name = web_str(o, "name");
		json_array_append_new(
			opts, json_pack("{s:s, s:s}", "value", web_str(o, "slug"), "label",
					acr ? arena_printf(&req->pool, "%s (%s)", name, acr) : name));
	}
	json_decref(orgs);
	return opts;
}
