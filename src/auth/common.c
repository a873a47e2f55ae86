/*
 * common.c — small pieces the auth files share: RFC 3339 stamps for the
 * Unix times the API takes, random tokens (base64url) and the BLAKE2b
 * digests under which they are stored, text checks.
 */
#include "auth/auth_impl.h"
#include "core/text.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void auth_ts(int64_t t, char out[AUTH_TS_SIZE])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) {
		snprintf(out, AUTH_TS_SIZE, "1970-01-01T00:00:00Z");
		return;
	}
	strftime(out, AUTH_TS_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t auth_ts_parse(const char *s)
{
	struct tm tm;
	int n = 0;
	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n == 0 || s[n] != '\0')
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

void auth_token_new(char out[AUTH_TOKEN_SIZE])
{
	unsigned char bin[AUTH_TOKEN_BYTES];
	auth_init();
	randombytes_buf(bin, sizeof(bin));
	sodium_bin2base64(out, AUTH_TOKEN_SIZE, bin, sizeof(bin),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(bin, sizeof(bin));
}

int auth_token_decode(const char *token, unsigned char bin[AUTH_TOKEN_BYTES])
{
	size_t len = 0;
	const char *end = NULL;
	if (!token || strlen(token) != AUTH_TOKEN_LEN)
		return 0;
	auth_init();
	if (sodium_base642bin(bin, AUTH_TOKEN_BYTES, token, AUTH_TOKEN_LEN, NULL, &len, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != AUTH_TOKEN_BYTES || end != token + AUTH_TOKEN_LEN)
		return 0;
	return 1;
}

int auth_token_digest(const char *token, char hex[AUTH_DIGEST_HEX])
{
	unsigned char bin[AUTH_TOKEN_BYTES], h[32];
	if (!auth_token_decode(token, bin))
		return 0;
	crypto_generichash(h, sizeof(h), bin, sizeof(bin), NULL, 0);
	sodium_bin2hex(hex, AUTH_DIGEST_HEX, h, sizeof(h));
	sodium_memzero(bin, sizeof(bin));
	return 1;
}

int auth_text_ok(const char *s, size_t max)
{
	size_t len = s ? strlen(s) : 0;
	if (!s || len > max || !utf8_valid(s, len))
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

void auth_copy(char *dst, const char *src, size_t n)
{
	snprintf(dst, n, "%s", src ? src : "");
}

enum hm_err auth_fail(struct db *db, enum hm_err e)
{
	db_rollback(db);
	return e;
}
