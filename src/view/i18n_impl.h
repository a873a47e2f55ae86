/*
 * i18n_impl.h — private to src/view/i18n*.c: the Plural-Forms rule
 * compiler and evaluator, calendar-date helpers and the language-code
 * normalisation the catalogue and formatting files share.
 */
#ifndef HM_I18N_IMPL_H
#define HM_I18N_IMPL_H

#include <stddef.h>
#include <stdint.h>

#define PLURAL_MAX_FORMS 8
#define PLURAL_MAX_OPS 128

/* A Plural-Forms rule compiled to postfix code for a small stack machine,
 * so evaluation needs neither recursion nor allocation. */
struct plural_op {
	unsigned char op;
	unsigned long val; /* the constant, for the push-constant op */
};

struct plural_rule {
	unsigned nplurals;
	unsigned nops;
	struct plural_op ops[PLURAL_MAX_OPS];
};

/* The English rule: nplurals=2; plural=(n != 1). */
void plural_default(struct plural_rule *r);

/* Compiles the value of a Plural-Forms header ("nplurals=2; plural=(n !=
 * 1);"). On error returns -1 with a message in err; r is then unusable. */
int plural_compile(struct plural_rule *r, const char *spec, char *err, size_t errlen);

/* The form index for n, always < r->nplurals. */
unsigned plural_eval(const struct plural_rule *r, unsigned long n);

/* Parses "YYYY-MM-DD" (years 1583–9999, where ICU's calendar is the
 * Gregorian one our day count assumes). 0 if malformed or no such day. */
int ymd_parse(const char *s, int *y, int *m, int *d);

/* Days from 1970-01-01 to the given proleptic Gregorian date. */
int64_t days_from_civil(int y, int m, int d);

/* Copies lang into out as a canonical code ("pt-br" → "pt_BR"), or
 * returns 0 if it is not shaped like a language code. */
int lang_normalize(const char *lang, char *out, size_t outlen);

#endif
