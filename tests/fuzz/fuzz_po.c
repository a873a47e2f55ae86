/*
 * fuzz_po.c — libFuzzer target for the i18n parsers: .po catalogues, Plural-Forms
 * rules, Accept-Language negotiation, slugify, truncation and RFC 3339 times. The
 * first byte picks the parser; the rest is its input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/text.h"
#include "view/i18n.h"
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	if (n < 1) return 0;
	char *s = malloc(n);
	memcpy(s, d + 1, n - 1);
	s[n - 1] = 0;
	struct arena a; arena_init(&a);
	char err[320];
	switch (d[0] % 6) {
	case 0: {
		if (i18n_load_po("xx", (const char *)d + 1, n - 1, err, sizeof err) == HM_OK) {
			i18n_gettext("xx", "a");
			for (unsigned long k = 0; k < 5; k++) i18n_ngettext("xx", "a", "b", k);
		}
		break; }
	case 1: {
		char po[2048];
		if (n < 1500) { snprintf(po, sizeof po, "msgid \"\"\nmsgstr \"Plural-Forms: %s\\n\"\n", s);
		  i18n_load_po("xx", po, strlen(po), err, sizeof err); }
		break; }
	case 2: i18n_negotiate(s); i18n_dir(s); i18n_supported(s); break;
	case 3: { const char *g = slugify(&a, s); if (!slug_valid(g)) abort(); break; }
	case 4: { size_t m = n % 50; const char *t = text_truncate(&a, s, m);
		  if (utf8_valid(s, strlen(s)) && !utf8_valid(t, strlen(t))) abort();
		  if (utf8_chars(t) > m) abort(); break; }
	case 5: { int64_t t = time_parse_rfc3339(s); if (t >= 0 && time_parse_rfc3339(time_format_rfc3339(&a, t)) != t) abort();
		  fmt_date(&a, "en", s, FMT_LONG); fmt_local_ymd(&a, s, 0); tz_valid(s); break; }
	}
	arena_free(&a);
	free(s);
	return 0;
}
