/*
 * fuzz_urlencoded.c — libFuzzer target for http_parse_urlencoded and
 * kv_get. Reads every key and value byte so ASan sees bad reads, and
 * checks the limit on the number of pairs.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/parse.h"

#define MAX_FIELDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	struct kv_list out;
	volatile unsigned sum = 0;
	enum hm_err rc = http_parse_urlencoded(&a, (const char *)data, size, MAX_FIELDS, &out);
	if (rc == HM_OK) {
		if (out.n > MAX_FIELDS)
			__builtin_trap();
		for (size_t i = 0; i < out.n; i++) {
			const struct kv *kv = &out.items[i];
			size_t klen = strlen(kv->key);
			if (klen == 0 || strlen(kv->value) != kv->value_len)
				__builtin_trap();
			for (size_t k = 0; k <= klen; k++)
				sum += (unsigned char)kv->key[k];
			for (size_t k = 0; k <= kv->value_len; k++)
				sum += (unsigned char)kv->value[k];
			if (kv_get(&out, kv->key) == NULL)
				__builtin_trap();
		}
	} else if (out.n != 0 || out.items != NULL || (rc != HM_EINVAL && rc != HM_ETOOBIG)) {
		__builtin_trap();
	}
	(void)sum;
	arena_free(&a);
	return 0;
}
