/*
 * fuzz_cookies.c — libFuzzer target for http_parse_cookies. The input,
 * cut at its first NUL, is the Cookie header; every output byte is read
 * so ASan sees bad reads.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = xstrndup((const char *)data, size);
	struct arena a;
	arena_init(&a);
	struct kv_list out;
	volatile unsigned sum = 0;
	http_parse_cookies(&a, header, &out);
	for (size_t i = 0; i < out.n; i++) {
		const struct kv *kv = &out.items[i];
		size_t klen = strlen(kv->key);
		if (klen == 0 || strlen(kv->value) != kv->value_len)
			__builtin_trap();
		for (size_t k = 0; k <= klen; k++)
			sum += (unsigned char)kv->key[k];
		for (size_t k = 0; k <= kv->value_len; k++)
			sum += (unsigned char)kv->value[k];
	}
	(void)sum;
	arena_free(&a);
	free(header);
	return 0;
}
