/*
 * admin_outbox.c — the e-mail outbox for administrators (/admin/outbox and
 * /api/v1/outbox): the queued, sent and failed messages by page, one
 * message (its parts as people read them, the source as sent one click
 * away), and sending a queued or failed one now. A message written to a
 * .eml file says so: it is not "sent" until someone mails the file.
 */
#include "auth/auth.h"
#include "site/feature.h"
#include "site/site.h"

#include "db/db.h"
#include "mail/mail.h"

/* ============================================================== outbox */

static const char *const mail_statuses[] = {"queued", "sending", "sent", "failed", NULL};

/* How a delivered message went: "relay" (handed to the SMTP relay),
 * "file" (written as a .eml file to the outbox folder: nobody has
 * received it yet), or NULL while it is not delivered. */
static const char *delivered_by(const char *status, const char *delivered_to)
{
	if (!str_eq(status, "sent") || !delivered_to)
		return NULL;
	return str_starts_with(delivered_to, "smtp") ? "relay" : "file";
}

/* by: delivered_by's answer, for a message; NULL for the list's filter. */
static const char *status_label(struct http_req *req, const char *s, const char *by)
{
	if (str_eq(s, "queued"))
		return web_t(req, "Queued");
	if (str_eq(s, "sending"))
		return web_t(req, "Sending");
	if (str_eq(s, "sent") && str_eq(by, "file"))
		return web_t(req, "Written to file");
	if (str_eq(s, "sent") && !by)
		return web_t(req, "Sent or written to file");
	if (str_eq(s, "sent"))
		return web_t(req, "Sent");
	if (str_eq(s, "failed"))
		return web_t(req, "Failed");
	return s ? s : "";
}

static void decorate_message(struct http_req *req, json_t *m)
{
	const char *st = json_string_value(json_object_get(m, "status"));
	json_int_t id = json_integer_value(json_object_get(m, "id"));
	const char *by = delivered_by(st, json_string_value(json_object_get(m, "delivered_to")));
	json_object_set_new(m, "url", json_sprintf("/admin/outbox/%lld", (long long)id));
	json_object_set_new(m, "delivered_by", by ? json_string(by) : json_null());
	json_object_set_new(m, "is_written_to_file", json_boolean(str_eq(by, "file")));
	json_object_set_new(m, "status_label",
			    json_string(status_label(req, st, by ? by : "relay")));
	json_object_set_new(m, "is_retryable",
			    json_boolean(str_eq(st, "queued") || str_eq(st, "failed")));
	json_object_set_new(m, "is_failed", json_boolean(str_eq(st, "failed")));
	site_display_time(req, m, "created_at", "created_display");
	site_display_time(req, m, "sent_at", "sent_display");
}

static enum hm_err page_outbox(struct http_req *req, struct http_res *res)
{
	const char *status = http_query(req, "status");
	int page = web_page_param(req);
	if (status && !*status)
		status = NULL;
	int known = !status;
	for (const char *const *s = mail_statuses; *s && !known; s++)
		known = str_eq(*s, status);
	if (!known || !page)
		return http_fail(res, HM_EINVAL, "There is no such list of messages.");
	int64_t total = 0;
	json_t *list = mail_list(req->db, status, SITE_PER_PAGE, (page - 1) * SITE_PER_PAGE,
				 &total);
	size_t i;
	json_t *msg;
	json_array_foreach(list, i, msg)
		decorate_message(req, msg);
	json_t *m = json_pack("{s:o}", "messages", list);
	if (!req->want_json) {
		json_t *choices = json_array();
		for (const char *const *s = mail_statuses; *s; s++)
			json_array_append_new(choices,
					      json_pack("{s:s, s:s, s:b}", "key", *s, "label",
							status_label(req, *s, NULL), "selected",
							str_eq(*s, status)));
		json_object_set_new(m, "statuses", choices);
	}
	json_object_set_new(m, "status", status ? json_string(status) : json_null());
	char where[1024];
	const char *w = mail_sender_where(where, sizeof(where));
	json_object_set_new(m, "delivery", w ? json_string(w) : json_null());
	json_object_set_new(m, "delivery_smtp", json_boolean(w && str_starts_with(w, "smtp")));
	site_paging(m, page, total,
		    status ? arena_printf(&req->pool, "/admin/outbox?status=%s", status)
		      : "/admin/outbox");
	site_section(req, m, "outbox");
	http_res_page(res, m, "admin/outbox", web_t(req, "E-mail outbox"));
	return HM_OK;
}

static enum hm_err page_outbox_message(struct http_req *req, struct http_res *res)
{
	int64_t id = site_id_param(req);
	json_t *m = id ? mail_get(req->db, id) : NULL;
	if (!m)
		return http_fail(res, HM_ENOTFOUND, "There is no such message.");
	decorate_message(req, m);
	site_display_time(req, m, "next_attempt_at", "next_attempt_display");
	if (!req->want_json) {
		json_object_set_new(m, "csrf", json_string(web_csrf_token(req, res)));
		site_section(req, m, "outbox");
	}
	http_res_page(res, m, "admin/outbox_message", web_t(req, "E-mail message"));
	return HM_OK;
}

static enum hm_err post_outbox_retry(struct http_req *req, struct http_res *res)
{
	enum hm_err e = HM_OK;
	int64_t id = site_id_param(req);
	e = id ? mail_retry(req->db, web_principal(req), id, time_now_s()) : HM_ENOTFOUND;
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "There is no such message.");
	if (e == HM_ECONFLICT)
		return http_fail(res, e, "This message is sent or being sent.");
	if (e != HM_OK)
		return e;
	if (req->want_json) {
		json_t *m = mail_get(req->db, id);
		if (!m)
			return HM_ENOTFOUND;
		http_res_page(res, m, NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res,
			    arena_printf(&req->pool, "/admin/outbox/%lld", (long long)id));
}

const struct route outbox_routes[] = {
	{GET, "/admin/outbox", page_outbox, WEB_NEEDS(AUTH_SITE_ADMIN)},
	{GET, "/admin/outbox/{id}", page_outbox_message, WEB_NEEDS(AUTH_SITE_ADMIN)},
	{POST, "/admin/outbox/{id}/retry", post_outbox_retry, WEB_NEEDS(AUTH_SITE_ADMIN) | WEB_CSRF},
	{GET, "/api/v1/outbox", page_outbox, WEB_JSON | WEB_NEEDS(AUTH_SITE_ADMIN)},
	{GET, "/api/v1/outbox/{id}", page_outbox_message, WEB_JSON | WEB_NEEDS(AUTH_SITE_ADMIN)},
	{POST, "/api/v1/outbox/{id}/retry", post_outbox_retry, WEB_JSON | WEB_NEEDS(AUTH_SITE_ADMIN) | WEB_CSRF},
	WEB_ROUTES_END,
};
