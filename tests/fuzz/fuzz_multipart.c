/*
 * fuzz_multipart.c — libFuzzer target for http_parse_multipart and
 * http_multipart_boundary. The first line of the input is either a whole
 * Content-Type ("multipart/form-data; boundary=...") or the bare boundary;
 * the rest is the body. Every output byte is read so ASan sees bad reads.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

#define MAX_PARTS 32

static unsigned touch(const char *s)
{
	unsigned sum = 0;
	if (s)
		for (size_t i = 0; i == 0 || s[i - 1]; i++)
			sum += (unsigned char)s[i];
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *nl = memchr(in, '\n', size);
	if (!nl)
		return 0;
	char *line = xstrndup(in, (size_t)(nl - in));
	/* The body in its own exact-size buffer, so a read past it is caught. */
	size_t blen = size - (size_t)(nl + 1 - in);
	char *body = xmalloc(blen);
	memcpy(body, nl + 1, blen);

	struct arena a;
	arena_init(&a);
	const char *boundary = line;
	const char *from_ct = NULL;
	if (http_multipart_boundary(&a, line, &from_ct) == HM_OK) {
		size_t bl = strlen(from_ct);
		if (bl < 1 || bl > 70)
			__builtin_trap();
		boundary = from_ct;
	}
	struct multipart mp;
	volatile unsigned sum = 0;
	enum hm_err rc = http_parse_multipart(&a, body, blen, boundary, MAX_PARTS, &mp);
	if (rc == HM_OK) {
		if (mp.n > MAX_PARTS)
			__builtin_trap();
		for (size_t i = 0; i < mp.n; i++) {
			const struct multipart_part *p = &mp.parts[i];
			if (!p->name || p->len > blen || p->data[p->len] != '\0')
				__builtin_trap();
			sum += touch(p->name) + touch(p->filename) + touch(p->content_type);
			for (size_t k = 0; k < p->len; k++)
				sum += (unsigned char)p->data[k];
		}
	} else if (mp.n != 0 || mp.parts != NULL || (rc != HM_EINVAL && rc != HM_ETOOBIG)) {
		__builtin_trap();
	}
	(void)sum;
	arena_free(&a);
	free(body);
	free(line);
	return 0;
}
