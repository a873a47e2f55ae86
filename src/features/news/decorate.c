/*
 * decorate.c — the display fields of posts for the request's language
 * (url, permalink, date, share link, the body as HTML, image and category
 * links), added to the models of pages and their JSON twins alike.
 */
#include "features/news/news_web.h"

#include "core/text.h"
#include "site/translations.h"
#include "http/server.h"
#include "media/media.h"
#include "view/i18n.h"
#include "view/markdown.h"

#include <stdlib.h>
#include <string.h>

const char *const news_tr_fields[] = {"title", "summary", "body_md", "image_alt", NULL};

void news_decorate(struct http_req *req, json_t *post, int full)
{
	tr_overlay(req, "post", news_tr_fields, post); /* before the Markdown is rendered */
	const char *ymd = web_str(post, "ymd"), *slug = web_str(post, "slug");
	if (ymd && slug && strlen(ymd) == 10) {
		char *path = arena_printf(&req->pool, "/news/%.4s/%.2s/%.2s/%s", ymd, ymd + 5,
					  ymd + 8, slug);
		json_object_set_new(post, "url", json_string(path));
		char *permalink = arena_printf(&req->pool, "%s%s", server_base_url(req->srv), path);
		json_object_set_new(post, "permalink", json_string(permalink));
		web_set_str(post, "date", fmt_date(&req->pool, req->lang, ymd, FMT_LONG));
		if (full) {
			struct buf b;
			buf_init(&b);
			buf_puts(&b, "https://twitter.com/intent/tweet?text=");
			url_encode(&b, web_str(post, "title") ? web_str(post, "title") : "");
			buf_puts(&b, "&url=");
			url_encode(&b, permalink);
			json_object_set_new(post, "share_url", json_string(b.data));
			buf_free(&b);
		}
	}
	if (full) {
		const char *md = web_str(post, "body_md");
		char *html = markdown_to_html(md, md ? strlen(md) : 0);
		json_object_set_new(post, "body_html", json_string(html));
		free(html);
		if (web_str(post, "event_slug"))
			json_object_set_new(post, "event_url",
					    json_sprintf("/events/%s", web_str(post, "event_slug")));
	}
	if (web_str(post, "image")) {
		char thumb[MEDIA_NAME_SIZE];
		media_thumb_name(web_str(post, "image"), thumb);
		json_object_set_new(post, "image_url", json_sprintf("/media/%s", web_str(post, "image")));
		web_set_str(post, "thumb_url", thumb[0] ? arena_printf(&req->pool, "/media/%s", thumb) : NULL);
	} else {
		web_set_str(post, "image_url", NULL);
		web_set_str(post, "thumb_url", NULL);
	}
	json_t *cats = json_object_get(post, "categories");
	size_t i;
	json_t *c;
	json_array_foreach(cats, i, c)
		json_object_set_new(c, "url", json_sprintf("/news/category/%s", web_str(c, "slug")));
}

void news_decorate_list(struct http_req *req, json_t *posts)
{
	size_t i;
	json_t *p;
	json_array_foreach(posts, i, p)
		news_decorate(req, p, 0);
}
