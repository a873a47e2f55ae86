/*
 * media.c — uploading images: POST /api/v1/media for news editors (the
 * site serves them at /media/{name}, site/pages.c).
 */
#include "features/news/news_web.h"

#include "auth/auth.h"
#include "media/media.h"

/* --------------------------------------------------------------- media */

static const struct field media_fields[] = {
	{.name = "file", .kind = FIELD_FILE, .required = 1},
	{.name = "event_slug", .kind = FIELD_TEXT, .max_len = 200},
};

/* POST /api/v1/media: one image as multipart "file"; the optional
 * event_slug names the event it is for (rights: its news editors). */
static enum hm_err api_media_upload(struct http_req *req, struct http_res *res)
{
	struct form f;
	struct auth_scope scope = {0};
	web_private(req, res);
	enum hm_err e = news_web_gate(req, res);
	if (e != HM_OK)
		return e;
	e = form_read(req, media_fields, HM_ARRAY_LEN(media_fields), &f);
	if (e != HM_OK || !f.files[0].data) {
		res->status = 400;
		http_res_page(res, form_json(&f), NULL, NULL);
		return HM_OK;
	}
	const char *ev = form_get(&f, "event_slug");
	if (ev && auth_scope_event(req->db, ev, &scope) != HM_OK)
		return http_fail(res, HM_EINVAL, "There is no such event.");
	struct media_stored ms;
	const char *why = NULL;
	e = media_upload(req->db, web_principal(req), &scope, f.files[0].data, f.files[0].len, &ms,
			 &why);
	if (e == HM_EFORBIDDEN)
		return web_require(req, res, AUTH_NEWS_EDIT, &scope);
	if (e != HM_OK)
		return http_fail(res, e, why ? why : "The image could not be saved.");
	res->status = ms.existed ? 200 : 201;
	if (!ms.existed)
		http_res_header(res, "Location", arena_printf(&req->pool, "/media/%s", ms.name));
	http_res_page(res,
		      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:b}", "name",
				ms.name, "url", arena_printf(&req->pool, "/media/%s", ms.name), "thumb",
				ms.thumb, "thumb_url", arena_printf(&req->pool, "/media/%s", ms.thumb),
				"content_type", media_type_mime(ms.type), "sha256", ms.sha256, "bytes",
				(json_int_t)ms.bytes, "width", (json_int_t)ms.width, "height",
				(json_int_t)ms.height, "thumb_width", (json_int_t)ms.thumb_width,
				"thumb_height", (json_int_t)ms.thumb_height, "existed", ms.existed),
		      NULL, NULL);
	return HM_OK;
}

const struct route news_media_routes[] = {
	{POST, "/api/v1/media", api_media_upload, WEB_JSON | WEB_STAFF | WEB_CSRF},
	WEB_ROUTES_END,
};
