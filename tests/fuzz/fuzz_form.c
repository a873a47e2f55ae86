/*
 * fuzz_form.c — libFuzzer target for form_read, form_pairs and form_json:
 * a request body, read by its Content-Type (urlencoded, multipart or a
 * JSON object, chosen by the first byte), against one field of every kind,
 * then checked. The first line after that byte is the multipart boundary.
 * What must hold: a form read as valid has every required field and every
 * value passes its kind's rule; a refused one says why; no password ever
 * reaches form_json.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "site/form.h"

static const char *const colours[] = {"red", "green", NULL};

static const struct field fields[] = {
	{.name = "title", .kind = FIELD_TEXT, .required = 1, .max_len = 40},
	{.name = "body", .kind = FIELD_MULTILINE, .max_len = 400},
	{.name = "email", .kind = FIELD_EMAIL},
	{.name = "password", .kind = FIELD_PASSWORD},
	{.name = "slug", .kind = FIELD_SLUG},
	{.name = "day", .kind = FIELD_DATE},
	{.name = "at", .kind = FIELD_DATETIME},
	{.name = "n", .kind = FIELD_INT, .min = -5, .max = 500},
	{.name = "any", .kind = FIELD_INT},
	{.name = "flag", .kind = FIELD_BOOL},
	{.name = "url", .kind = FIELD_URL},
	{.name = "colour", .kind = FIELD_CHOICE, .choices = colours},
	{.name = "tz", .kind = FIELD_TIMEZONE},
	{.name = "country", .kind = FIELD_COUNTRY},
	{.name = "photo", .kind = FIELD_FILE},
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static int has_control(const char *s, int multiline)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(*p == '\t' || (multiline && (*p == '\n' || *p == '\r')))) ||
		    *p == 0x7f)
			return 1;
	return 0;
}

/* Digits at every position of s[0..n) but those in seps. */
static int digits_but(const char *s, size_t n, const char *seps)
{
	for (size_t i = 0; i < n; i++)
		if (!memchr(seps, (int)i, strlen(seps)) && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

/* A value form_read accepted must obey its field's rule. */
static void check_valid(const struct field *fd, const char *v, const struct form_file *file)
{
	if (!v) {
		if (fd->required)
			__builtin_trap();
		return;
	}
	size_t len = strlen(v);
	if (fd->kind != FIELD_FILE && !utf8_valid(v, len))
		__builtin_trap();
	switch (fd->kind) {
	case FIELD_TEXT:
		if (!*v || len > fd->max_len || has_control(v, 0) || v[0] == ' ' || v[len - 1] == ' ')
			__builtin_trap();
		break;
	case FIELD_MULTILINE:
		if (len > fd->max_len || has_control(v, 1))
			__builtin_trap();
		break;
	case FIELD_SLUG:
		if (!slug_valid(v))
			__builtin_trap();
		break;
	case FIELD_DATE:
		if (len != 10 || v[4] != '-' || v[7] != '-' || !digits_but(v, len, "\4\7"))
			__builtin_trap();
		break;
	case FIELD_DATETIME:
		if (len != 16 || v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':' ||
		    !digits_but(v, len, "\4\7\12\15"))
			__builtin_trap();
		break;
	case FIELD_INT: {
		/* -?[0-9]+, and within range when there is one */
		const char *d = v + (v[0] == '-');
		if (!*d || !digits_but(d, strlen(d), ""))
			__builtin_trap();
		long long n = strtoll(v, NULL, 10);
		if (fd->max && (n < fd->min || n > fd->max))
			__builtin_trap();
		break;
	}
	case FIELD_BOOL:
		if (strcmp(v, "0") && strcmp(v, "1"))
			__builtin_trap();
		break;
	case FIELD_URL:
		if ((strncmp(v, "https://", 8) && strncmp(v, "http://", 7)) || has_control(v, 0) ||
		    strpbrk(v, " <>\"'"))
			__builtin_trap();
		break;
	case FIELD_CHOICE:
		if (strcmp(v, "red") && strcmp(v, "green"))
			__builtin_trap();
		break;
	case FIELD_COUNTRY:
		if (len != 2)
			__builtin_trap();
		break;
	case FIELD_FILE:
		if (!file || !file->data || !file->len)
			__builtin_trap();
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct http_req req;
	memset(&req, 0, sizeof(req));
	arena_init(&req.pool);
	req.lang = "en";
	const char *in = (const char *)data + 1;
	size_t n = size - 1;
	switch (data[0] % 3) {
	case 0:
		req.content_type = "application/x-www-form-urlencoded";
		break;
	case 1: {
		const char *nl = memchr(in, '\n', n);
		size_t bl = nl ? (size_t)(nl - in) : 0;
		req.content_type = arena_printf(&req.pool, "multipart/form-data; boundary=%.*s", (int)bl, in);
		if (nl) {
			n -= bl + 1;
			in = nl + 1;
		}
		break;
	}
	default:
		req.content_type = "application/json";
		break;
	}
	/* the body in its own exact-size buffer plus the NUL the server adds */
	char *body = xmalloc(n + 1);
	memcpy(body, in, n);
	body[n] = '\0';
	req.body = body;
	req.body_len = n;

	struct form f;
	enum hm_err rc = form_read(&req, fields, NFIELDS, &f);
	if (rc == HM_OK) {
		if (f.nerrors || f.error)
			__builtin_trap();
		for (size_t i = 0; i < NFIELDS; i++) {
			if (f.errors[i])
				__builtin_trap();
			check_valid(&fields[i], f.values[i], &f.files[i]);
		}
	} else if (!f.error && !f.nerrors) {
		__builtin_trap(); /* refused without saying why */
	}
	json_t *j = form_json(&f);
	if (!j || json_object_get(json_object_get(j, "values"), "password") ||
	    json_object_get(json_object_get(j, "values"), "photo"))
		__builtin_trap();
	json_decref(j);

	struct kv_list pairs;
	form_pairs(&req, &pairs);
	volatile unsigned sum = 0;
	for (size_t i = 0; i < pairs.n; i++) {
		sum += (unsigned char)pairs.items[i].key[0];
		for (size_t k = 0; k < pairs.items[i].value_len; k++)
			sum += (unsigned char)pairs.items[i].value[k];
	}
	(void)sum;
	free(body);
	arena_free(&req.pool);
	return 0;
}
