/*
 * features.c — the features of this build, and what the site gathers
 * from their descriptors: one route table (the site's own routes first,
 * then each feature's in this order: earlier patterns win where two could
 * match one path), the navigation, and the sections features add to the
 * pages they share. Adding a feature is one line in site_features.
 */
#include "site/feature.h"
#include "core/text.h"
#include "site/site.h"

#include <string.h>

extern const struct feature events_feature;
extern const struct feature news_feature;
extern const struct feature accounts_feature;
extern const struct feature system_feature;
extern const struct feature search_feature;
extern const struct feature registration_feature;
extern const struct feature dialogue_feature;
extern const struct feature programme_feature;

const struct feature *const site_features[] = {
	&events_feature,
	&news_feature,
	&accounts_feature,
	&system_feature,
	&search_feature,
	&registration_feature,
	&dialogue_feature,
	&programme_feature,
	NULL,
};

/* How many of site_features have been started (web_features_start). */
static size_t nstarted;

enum hm_err web_features_start(const char *db_path)
{
	for (const struct feature *const *f = site_features + nstarted; *f; f++, nstarted++) {
		enum hm_err e = (*f)->start ? (*f)->start(db_path) : HM_OK;
		if (e != HM_OK) {
			web_features_stop();
			return e;
		}
	}
	return HM_OK;
}

void web_features_stop(void)
{
	while (nstarted > 0) {
		const struct feature *f = site_features[--nstarted];
		if (f->stop)
			f->stop();
	}
}

static struct route *all;
static size_t nall;

static size_t table_len(const struct route *t)
{
	size_t n = 0;
	while (t[n].pattern)
		n++;
	return n;
}

static void add_table(const struct route *t, size_t *cap)
{
	size_t n = table_len(t);
	if (nall + n > *cap) {
		*cap = (nall + n) * 2;
		all = xrealloc(all, *cap * sizeof(*all));
	}
	memcpy(all + nall, t, n * sizeof(*all));
	nall += n;
}

const struct route *web_route_table(size_t *n)
{
	if (!all) {
		size_t cap = 0;
		add_table(site_routes, &cap);
		add_table(trash_routes, &cap);
		for (const struct feature *const *f = site_features; *f; f++)
			for (const struct route *const *t = (*f)->routes; t && *t; t++)
				add_table(*t, &cap);
	}
	*n = nall;
	return all;
}

/* {url, label, current}: "/" is current on the home page alone, another
 * entry on every page below its path. */
static json_t *nav_entry(struct http_req *req, const struct nav_item *it)
{
	int cur = req->path && (strcmp(it->path, "/") == 0 ? strcmp(req->path, "/") == 0
							   : str_starts_with(req->path, it->path));
	return json_pack("{s:s, s:s, s:b}", "url", it->path, "label", web_t(req, it->label),
			 "current", cur);
}

json_t *web_nav(struct http_req *req)
{
	static const struct nav_item home = {"/", N_("Home")};
	json_t *nav = json_array();
	json_array_append_new(nav, nav_entry(req, &home));
	for (const struct feature *const *f = site_features; *f; f++)
		for (const struct nav_item *it = (*f)->nav; it && it->path; it++)
			json_array_append_new(nav, nav_entry(req, it));
	return nav;
}

enum hm_err web_features_home(struct http_req *req, json_t *m)
{
	for (const struct feature *const *f = site_features; *f; f++) {
		enum hm_err e = (*f)->home ? (*f)->home(req, m) : HM_OK;
		if (e != HM_OK)
			return e;
	}
	return HM_OK;
}

enum hm_err web_features_event_page(struct http_req *req, json_t *ev)
{
	for (const struct feature *const *f = site_features; *f; f++) {
		enum hm_err e = (*f)->event_page ? (*f)->event_page(req, ev) : HM_OK;
		if (e != HM_OK)
			return e;
	}
	return HM_OK;
}

void web_features_metrics(struct buf *out)
{
	for (const struct feature *const *f = site_features; *f; f++)
		if ((*f)->metrics)
			(*f)->metrics(out);
}

enum hm_err web_features_session_page(struct http_req *req, json_t *s)
{
	for (const struct feature *const *f = site_features; *f; f++) {
		enum hm_err e = (*f)->session_page ? (*f)->session_page(req, s) : HM_OK;
		if (e != HM_OK)
			return e;
	}
	return HM_OK;
}
