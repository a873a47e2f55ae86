/*
 * two_factor.c — one's second factor for signing in: turning it on (a
 * secret for an authenticator app, as a QR code and an otpauth:// URI,
 * then a code from the app, then the recovery codes, shown once) and off
 * (the password asked again). The API answers the same calls in JSON.
 */
#include "features/accounts/accounts.h"
#include "features/accounts/notice.h"

#include "core/text.h"
#include "db/db.h"
#include "site/feature.h"

#include <qrencode.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* otpauth://totp/ISSUER:EMAIL?secret=…&issuer=…: what an authenticator
 * app reads, by hand or from the QR code. */
static const char *otpauth_uri(struct http_req *req, const char *secret)
{
	const struct principal *p = web_principal(req);
	const char *issuer = site_name(req);
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "otpauth://totp/");
	url_encode(&b, issuer);
	buf_puts(&b, ":");
	url_encode(&b, p->email);
	buf_printf(&b, "?secret=%s&issuer=", secret);
	url_encode(&b, issuer);
	buf_puts(&b, "&algorithm=SHA1&digits=6&period=30");
	const char *uri = arena_strdup(&req->pool, b.data);
	buf_free(&b);
	return uri;
}

/* The QR code of text as an SVG image in a data: URL (the page's
 * Content-Security-Policy allows data: images, and nothing here is markup
 * a template must trust). NULL when it cannot be made. */
static const char *qr_data_url(struct http_req *req, const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return NULL;
	int w = qr->width, quiet = 4;
	struct buf svg;
	buf_init(&svg);
	buf_printf(&svg, "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' "
			 "shape-rendering='crispEdges'><rect width='100%%' height='100%%' fill='#fff'/>"
			 "<path fill='#000' d='",
		   w + 2 * quiet, w + 2 * quiet);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++)
			if (qr->data[y * w + x] & 1)
				buf_printf(&svg, "M%d %dh1v1h-1z", x + quiet, y + quiet);
	buf_puts(&svg, "'/></svg>");
	QRcode_free(qr);
	size_t n = sodium_base64_ENCODED_LEN(svg.len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = arena_alloc(&req->pool, n);
	sodium_bin2base64(b64, n, (const unsigned char *)svg.data, svg.len,
			  sodium_base64_VARIANT_ORIGINAL);
	buf_free(&svg);
	return arena_printf(&req->pool, "data:image/svg+xml;base64,%s", b64);
}

static const struct field code_fields[] = {
	{.name = "code", .kind = FIELD_TEXT, .required = 1, .max_len = 32},
};

static const struct field off_fields[] = {
	{.name = "password", .kind = FIELD_PASSWORD, .required = 1, .max_len = AUTH_PASSWORD_MAX},
};

/* The page that shows the secret and asks for the first code. */
static enum hm_err setup_page(struct http_req *req, struct http_res *res, const char *secret,
			      json_t *fj, int status)
{
	const char *uri = otpauth_uri(req, secret);
	res->status = status;
	if (req->want_json && !fj) {
		http_res_page(res, json_pack("{s:s, s:s}", "secret", secret, "otpauth_uri", uri),
			      NULL, NULL);
		return HM_OK;
	}
	if (req->want_json) {
		http_res_page(res, fj, NULL, NULL);
		return HM_OK;
	}
	json_t *m = json_pack("{s:s, s:s, s:s?, s:o, s:s}", "secret", secret, "otpauth_uri", uri,
			      "qr", qr_data_url(req, uri), "form",
			      fj ? fj : json_pack("{s:{}, s:{}}", "values", "errors"), "csrf",
			      web_csrf_token(req, res));
	http_res_page(res, m, "pages/two_factor", web_t(req, "Two-factor sign-in"));
	return HM_OK;
}

/* POST /account/two-factor: a new secret for the app. */
static enum hm_err post_begin(struct http_req *req, struct http_res *res)
{
	char secret[AUTH_TOTP_SECRET_SIZE];
	enum hm_err e = auth_two_factor_begin(req->db, web_principal(req), time_now_s(), secret);
	if (e == HM_EEXIST)
		return http_fail(res, HM_ECONFLICT, "Two-factor sign-in is on already.");
	if (e != HM_OK)
		return e;
	e = setup_page(req, res, arena_strdup(&req->pool, secret), NULL, 201);
	sodium_memzero(secret, sizeof(secret));
	return e;
}

/* POST /account/two-factor/confirm: the first code turns it on. */
static enum hm_err post_confirm(struct http_req *req, struct http_res *res)
{
	char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_CODE_SIZE];
	struct form f;
	enum hm_err e = form_read(req, code_fields, HM_ARRAY_LEN(code_fields), &f);
	if (e == HM_OK)
		e = auth_two_factor_confirm(req->db, web_principal(req), form_get(&f, "code"),
					    time_now_s(), codes);
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "Turn two-factor sign-in on first.");
	if (e == HM_EEXIST)
		return http_fail(res, HM_ECONFLICT, "Two-factor sign-in is on already.");
	if (e == HM_EUNAUTH || e == HM_EINVAL) {
		char secret[AUTH_TOTP_SECRET_SIZE];
		if (e == HM_EUNAUTH)
			form_set_error(req, &f, "code",
				       "This code is not right. Enter the code the app shows now.");
		if (req->want_json ||
		    auth_two_factor_pending(req->db, web_principal(req)->account_id, secret) != HM_OK)
			return site_form_fail(req, res, 400, &f, NULL, NULL, NULL);
		e = setup_page(req, res, arena_strdup(&req->pool, secret), form_json(&f), 400);
		sodium_memzero(secret, sizeof(secret));
		return e;
	}
	if (e != HM_OK)
		return e;
	accounts_notify(req, web_principal(req)->account_id, ACCOUNT_NOTICE_TWO_FACTOR_ON, NULL);
	json_t *list = json_array();
	for (int i = 0; i < AUTH_RECOVERY_CODES; i++)
		json_array_append_new(list, json_string(codes[i]));
	sodium_memzero(codes, sizeof(codes));
	http_res_page(res, json_pack("{s:o, s:b}", "recovery_codes", list, "two_factor", 1),
		      "pages/two_factor_codes", web_t(req, "Your recovery codes"));
	return HM_OK;
}

/* POST /account/two-factor/off and /api/v1/account/two-factor/off: off,
 * with the password asked again. */
static enum hm_err post_off(struct http_req *req, struct http_res *res)
{
	struct form f;
	enum hm_err e = form_read(req, off_fields, HM_ARRAY_LEN(off_fields), &f);
	if (e == HM_OK && (e = web_reauth(req, res, &f)) == HM_OK)
		e = auth_two_factor_disable(req->db, web_principal(req), time_now_s());
	if (e == HM_ENOTFOUND)
		return http_fail(res, e, "Two-factor sign-in is not on.");
	if (e == HM_EINVAL)
		return site_form_fail(req, res, res->status >= 400 ? res->status : 400, &f,
				      req->want_json ? NULL
						     : accounts_account_model(req, res, NULL,
									      AUTH_API_TOKEN_DAYS_DEFAULT),
				      "pages/account", web_t(req, "Your account"));
	if (e != HM_OK)
		return e;
	accounts_notify(req, web_principal(req)->account_id, ACCOUNT_NOTICE_TWO_FACTOR_OFF, NULL);
	if (req->want_json) {
		http_res_page(res, json_pack("{s:b}", "two_factor", 0), NULL, NULL);
		return HM_OK;
	}
	return web_redirect(req, res, "/account");
}

const struct route two_factor_routes[] = {
	{POST, "/account/two-factor", post_begin, WEB_SELF | WEB_CSRF},
	{POST, "/account/two-factor/confirm", post_confirm, WEB_SELF | WEB_CSRF},
	{POST, "/account/two-factor/off", post_off, WEB_SELF | WEB_CSRF},
	{POST, "/api/v1/account/two-factor", post_begin, WEB_JSON | WEB_SELF | WEB_CSRF},
	{POST, "/api/v1/account/two-factor/confirm", post_confirm, WEB_JSON | WEB_SELF | WEB_CSRF},
	{POST, "/api/v1/account/two-factor/off", post_off, WEB_JSON | WEB_SELF | WEB_CSRF},
	WEB_ROUTES_END,
};
