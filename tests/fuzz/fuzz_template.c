/*
 * fuzz_template.c — libFuzzer target for the template compiler and
 * renderer. The input, split at NUL bytes, is compiled as the templates
 * "main", "p" and "layout" (so partials and parents meet fuzzed text too);
 * "main" is rendered twice against a fixed model, with a translator, and
 * both renders must agree. A failed compile must say where.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "view/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *fuzz_model;

static const char *fuzz_translate(const char *lang, const char *msgid)
{
	(void)lang;
	if (msgid[0] == 'a')
		return "translated {{x}} {{#l}}{{.}}{{/l}}";
	if (msgid[0] == 'b')
		return "broken {{#x}}";
	return msgid;
}

static void render_twice(struct tpl_set *set)
{
	struct buf a, b;
	buf_init(&a);
	buf_init(&b);
	enum hm_err ra = tpl_render(set, "main", fuzz_model, "fr", &a);
	enum hm_err rb = tpl_render(set, "main", fuzz_model, "fr", &b);
	if (ra != rb || (ra != HM_OK && ra != HM_ETOOBIG && ra != HM_ENOTFOUND))
		__builtin_trap();
	if (ra == HM_OK && (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0)))
		__builtin_trap();
	buf_free(&a);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"main", "p", "layout"};
	if (size > 16384)
		return 0;
	if (!fuzz_model) {
		log_min_level = LOG_ERROR;
		fuzz_model = json_loads("{\"x\":\"<&'\\\">\",\"n\":42,\"r\":1.5,\"t\":true,"
					"\"f\":false,\"z\":null,\"e\":\"\",\"l\":[1,\"two\",{\"x\":3}],"
					"\"o\":{\"a\":{\"b\":\"deep\"},\"l\":[[],[0]]}}",
					0, NULL);
	}
	struct tpl_set *set = tpl_set_new();
	tpl_set_translator(set, fuzz_translate);
	tpl_set_limits(set, 200000, 1 << 20);
	const char *p = (const char *)data;
	size_t left = size;
	for (size_t k = 0; k < 3; k++) {
		const char *nul = memchr(p, '\0', left);
		size_t len = nul ? (size_t)(nul - p) : left;
		/* an exact-length copy, so a read past the end is caught */
		char *src = malloc(len ? len : 1);
		if (len)
			memcpy(src, p, len);
		char err[128];
		if (tpl_set_add(set, names[k], src, len, err, sizeof(err)) != HM_OK &&
		    strncmp(err, names[k], strlen(names[k])) != 0)
			__builtin_trap();
		free(src);
		if (!nul)
			break;
		p = nul + 1;
		left -= len + 1;
	}
	render_twice(set);
	tpl_set_free(set);
	return 0;
}
