/*
 * feature.c — the news feature as the site sees it: posts and categories,
 * public (with the Atom feed) and admin, their JSON API and image uploads;
 * the "News" entry of the navigation; what it adds to the home page and to
 * an event's page; the images of posts among the uploads in use.
 */
#include "features/news/news_web.h"

static const struct route *const routes[] = {
	news_public_routes,
	news_admin_routes,
	category_admin_routes,
	news_media_routes,
	NULL,
};

static const struct nav_item nav[] = {
	{"/news", N_("News")},
	{NULL, NULL},
};

static const struct media_ref media_refs[] = {
	{"SELECT image FROM post WHERE image IS NOT NULL",
	 "SELECT 1 FROM post WHERE image = ? LIMIT 1"},
};

static const struct kind *const kinds[] = {&post_kind, &category_kind, NULL};

const struct feature news_feature = {
	.name = "news",
	.routes = routes,
	.kinds = kinds,
	.demo = "src/features/news/demo.sql",
	.nav = nav,
	.media_refs = media_refs,
	.nmedia_refs = HM_ARRAY_LEN(media_refs),
	.home = news_home,
	.event_page = news_event_page,
};
