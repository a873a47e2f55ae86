/*
 * news_web.c — the helpers the organisers' news pages share (see
 * news_web.h): their gate, their navigation, and whether a body is JSON.
 */
#include "features/news/news_web.h"

#include "auth/auth.h"

#include <stdlib.h>
#include <string.h>

/* The gate of every news editing handler: editors of some news pass,
 * everyone else gets web_require's answer (sign-in, 401 or 403). */
enum hm_err news_web_gate(struct http_req *req, struct http_res *res)
{
	if (news_can_edit_any(web_principal(req)))
		return HM_OK;
	return web_require(req, res, AUTH_NEWS_EDIT, NULL);
}

/* Marks the admin sub-navigation's current section. */
void news_web_nav(json_t *m, const char *section)
{
	json_object_set_new(m, "admin_nav", json_pack("{s:b}", section, 1));
}

int news_web_json_body(const struct http_req *req)
{
	return req->content_type && strncasecmp(req->content_type, "application/json", 16) == 0;
}
