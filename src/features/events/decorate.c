/*
 * decorate.c — the display fields of events, series and organisations for
 * the request's language (url, dates, country and time-zone names, labels
 * of stored values, organisations grouped by role…), added to the models
 * of pages and their JSON twins alike.
 */
#include "features/events/events_web.h"

#include "core/text.h"
#include "features/events/events.h"
#include "site/translations.h"
#include "media/media.h"
#include "view/format_extra.h"
#include "view/i18n.h"
#include "view/markdown.h"

#include <stdlib.h>
#include <string.h>

/* The labels of the values events store (kinds, sectors, roles, date
 * precision, the scope of an organiser), as msgids, singular and plural:
 * the feature's vocabulary (adm_label finds it; statuses are the
 * site's). */
const struct vocab events_vocab[] = {
	{"consultation", N_("Consultation"), N_("Consultations")},
	{"symposium", N_("Symposium"), N_("Symposia")},
	{"government", N_("Government"), N_("Governments")},
	{"academia", N_("Academia"), N_("Academia")},
	{"business", N_("Business"), N_("Corporations")},
	{"ngo", N_("NGO"), N_("NGOs")},
	{"cultural", N_("Cultural organisation"), N_("Cultural organisations")},
	{"international", N_("International organisation"), N_("International organisations")},
	{"media", N_("Media"), N_("Media")},
	{"other", N_("Other"), N_("Others")},
	{"convener", N_("Convener"), N_("Conveners")},
	{"co-organiser", N_("Co-organiser"), N_("Co-organisers")},
	{"partner", N_("Partner"), N_("Partners")},
	{"sponsor", N_("Sponsor"), N_("Sponsors")},
	{"day", N_("Exact dates"), NULL},
	{"month", N_("Month only"), NULL},
	{"event", N_("This event"), NULL},
	{"series", N_("The whole series"), NULL},
	{NULL, NULL, NULL},
};

static const char *label_for(struct http_req *req, const char *key, int plural)
{
	return adm_label_n(req, key, plural);
}


void events_decorate_org(struct http_req *req, json_t *org)
{
	tr_overlay(req, "organisation", orgs_tr_fields, org);
	const char *slug = web_str(org, "slug");
	if (slug)
		json_object_set_new(org, "url", json_sprintf("/organisations/%s", slug));
	web_set_str(org, "kind_label", label_for(req, web_str(org, "kind"), 0));
	web_set_str(org, "country_name", fmt_country(&req->pool, req->lang, web_str(org, "country")));
	web_set_str(org, "role_label", label_for(req, web_str(org, "role"), 0));
	const char *logo = web_str(org, "logo");
	if (logo) {
		char thumb[MEDIA_NAME_SIZE];
		media_thumb_name(logo, thumb);
		web_set_str(org, "logo_url", arena_printf(&req->pool, "/media/%s", logo));
		web_set_str(org, "logo_thumb_url",
			thumb[0] ? arena_printf(&req->pool, "/media/%s", thumb) : NULL);
	} else {
		web_set_str(org, "logo_url", NULL);
		web_set_str(org, "logo_thumb_url", NULL);
	}
	/* Only web addresses become links: a stored "javascript:" never does. */
	const char *w = web_str(org, "website");
	web_set_str(org, "website_href",
		(w && (str_starts_with(w, "https://") || str_starts_with(w, "http://"))) ? w : NULL);
}

void events_decorate(struct http_req *req, json_t *ev)
{
	const char *slug = web_str(ev, "slug");
	const char *from = web_str(ev, "starts_on"), *to = web_str(ev, "ends_on");
	const char *dates = NULL;

	tr_overlay(req, "event", events_tr_fields, ev); /* before the Markdown is rendered */
	if (slug)
		json_object_set_new(ev, "url", json_sprintf("/events/%s", slug));
	if (web_str(ev, "series_slug"))
		json_object_set_new(ev, "series_url",
				    json_sprintf("/series/%s", web_str(ev, "series_slug")));
	/* "Add to calendar": only for an event whose exact dates are known. */
	web_set_str(ev, "calendar_url",
		    slug && !str_eq(web_str(ev, "date_precision"), "month")
			    ? arena_printf(&req->pool, "/events/%s/calendar.ics", slug)
			    : NULL);
	if (str_eq(web_str(ev, "date_precision"), "month"))
		dates = fmt_month_year(&req->pool, req->lang, from);
	else if (from && to && strcmp(from, to) != 0)
		dates = fmt_date_range(&req->pool, req->lang, from, to);
	else if (from)
		dates = fmt_date(&req->pool, req->lang, from, FMT_LONG);
	web_set_str(ev, "dates", dates);
	web_set_str(ev, "country_name", fmt_country(&req->pool, req->lang, web_str(ev, "country")));
	web_set_str(ev, "timezone_name", fmt_timezone(&req->pool, req->lang, web_str(ev, "timezone"), from));
	web_set_str(ev, "kind_label", label_for(req, web_str(ev, "kind"), 0));
	json_object_set_new(ev, "is_cancelled", json_boolean(str_eq(web_str(ev, "status"), "cancelled")));
	const char *desc = web_str(ev, "description_md");
	if (desc && *desc) {
		char *html = markdown_to_html(desc, strlen(desc));
		json_object_set_new(ev, "description_html", json_string(html));
		free(html);
	} else if (json_object_get(ev, "description_md")) {
		json_object_set_new(ev, "description_html", json_null());
	}
	if (json_is_integer(json_object_get(ev, "capacity"))) {
		json_int_t cap = json_integer_value(json_object_get(ev, "capacity"));
		const char *n = fmt_number(&req->pool, req->lang, cap);
		web_set_str(ev, "capacity_display", n);
		web_set_str(ev, "capacity_text",
			    arena_printf(&req->pool,
					 web_nt(req, "%s participant expected", "%s participants expected",
						(unsigned long)(cap > 0 ? cap : 0)),
					 n));
	}
	web_set_str(ev, "role_label", label_for(req, web_str(ev, "role"), 0));

	json_t *sectors = json_object_get(ev, "sectors");
	if (json_is_array(sectors)) {
		json_t *list = json_array();
		size_t i;
		json_t *s;
		json_array_foreach(sectors, i, s) {
			json_array_append_new(list,
					      json_pack("{s:s, s:s}", "key", json_string_value(s),
							"label", label_for(req, json_string_value(s), 1)));
		}
		json_object_set_new(ev, "sector_list", list);
	}

	/* Organisations grouped by role, in the order roles are listed. */
	json_t *orgs = json_object_get(ev, "organisations");
	if (json_is_array(orgs)) {
		static const char *roles[] = {"convener", "co-organiser", "partner", "sponsor"};
		json_t *groups = json_array();
		for (size_t r = 0; r < HM_ARRAY_LEN(roles); r++) {
			json_t *members = json_array();
			size_t i;
			json_t *o;
			json_array_foreach(orgs, i, o) {
				if (str_eq(web_str(o, "role"), roles[r])) {
					events_decorate_org(req, o);
					json_array_append(members, o);
				}
			}
			if (json_array_size(members))
				json_array_append_new(
					groups, json_pack("{s:s, s:s, s:o}", "role", roles[r], "label",
							  label_for(req, roles[r],
								    json_array_size(members) > 1),
							  "organisations", members));
			else
				json_decref(members);
		}
		json_object_set_new(ev, "roles", groups);
	}

	const char *email = web_str(ev, "contact_email");
	if (email) {
		struct buf b;
		buf_init(&b);
		buf_puts(&b, "mailto:");
		url_encode(&b, email);
		/* '@' is safe in a mailto address and reads better. */
		char *at = strstr(b.data, "%40");
		if (at) {
			*at = '@';
			memmove(at + 1, at + 3, strlen(at + 3) + 1);
		}
		json_object_set_new(ev, "contact_mailto", json_string(b.data));
		buf_free(&b);
	}
}

void events_decorate_list(struct http_req *req, json_t *events)
{
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev)
		events_decorate(req, ev);
}
