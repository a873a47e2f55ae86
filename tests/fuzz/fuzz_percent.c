/*
 * fuzz_percent.c — libFuzzer target for http_percent_decode. The first
 * byte picks plus-as-space; the rest is the encoded text. Every output
 * byte is read so ASan sees any bad write or short allocation.
 */
#include <stddef.h>
#include <stdint.h>

#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	struct arena a;
	arena_init(&a);
	char *out = NULL;
	size_t out_len = 0;
	volatile unsigned sum = 0;
	if (http_percent_decode(&a, (const char *)data + 1, size - 1, data[0] & 1, &out, &out_len) ==
	    HM_OK) {
		if (out_len > size - 1 || out[out_len] != '\0')
			__builtin_trap();
		for (size_t i = 0; i < out_len; i++) {
			if (out[i] == '\0')
				__builtin_trap(); /* NUL must never come out */
			sum += (unsigned char)out[i];
		}
	} else if (out != NULL || out_len != 0) {
		__builtin_trap();
	}
	(void)sum;
	arena_free(&a);
	return 0;
}
