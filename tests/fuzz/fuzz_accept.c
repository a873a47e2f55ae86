/*
 * fuzz_accept.c — libFuzzer target for http_accept_prefers_json. The
 * input, cut at its first NUL, is the Accept header; the answer must be
 * 0 or 1 and the same when asked twice.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *accept = xstrndup((const char *)data, size);
	int r = http_accept_prefers_json(accept);
	if ((r != 0 && r != 1) || r != http_accept_prefers_json(accept))
		__builtin_trap();
	free(accept);
	return 0;
}
