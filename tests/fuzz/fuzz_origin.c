/*
 * fuzz_origin.c — libFuzzer target for http_origin_valid, which checks
 * the origins an organiser lists for embedding before the server puts
 * them in a Content-Security-Policy. An origin it accepts must hold
 * nothing that could end or extend the policy's frame-ancestors source
 * list (no space, ';', ',', quote, '*', '/' after the scheme or control
 * byte), and the answer must be the same when asked twice.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	int r = http_origin_valid(s, size);
	if ((r != 0 && r != 1) || r != http_origin_valid(s, size))
		__builtin_trap();
	if (!r)
		return 0;
	size_t at = size > 8 && memcmp(s, "https://", 8) == 0 ? 8 : 7;
	for (size_t i = 0; i < size; i++) {
		unsigned char c = data[i];
		if (c <= ' ' || c >= 0x7f || c == ';' || c == ',' || c == '\'' || c == '"' ||
		    c == '*' || (i >= at && c == '/'))
			__builtin_trap();
	}
	return 0;
}
