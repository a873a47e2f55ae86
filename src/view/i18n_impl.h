/*
 * i18n_impl.h — private to src/view/i18n*.c: the catalogue table, the
 * .po parser, the Plural-Forms rule compiler and evaluator, calendar-date
 * helpers and the language-code normalisation these files share.
 */
#ifndef HM_I18N_IMPL_H
#define HM_I18N_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

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

/* ------------------------------------------------------------ catalogues */

#define LANG_MAX 36

/* One message: key is msgid, or msgctxt "\004" msgid as gettext forms it. */
struct msg {
	const char *key;
	const char **str;
	unsigned nstr;
	unsigned line; /* where the entry starts, for duplicate reports */
	uint32_t hash;
};

struct catalogue {
	char lang[LANG_MAX];
	struct arena mem; /* every string and the msg arrays' strings */
	struct msg *tab;  /* open addressing; cap is a power of two */
	size_t cap, n;
	struct plural_rule plural;
};

/* FNV-1a of the gettext key (msgctxt "\004" msgid, or msgid). */
uint32_t hash_key(const char *ctxt, const char *msgid);

/* The message for (ctxt, msgid), or NULL. ctxt NULL: no context. */
const struct msg *cat_find(const struct catalogue *c, const char *ctxt, const char *msgid);

/* Adds m (its strings already in c->mem); the caller checked it is new. */
void cat_add(struct catalogue *c, const struct msg *m);

/* Parses .po text into c, which holds its lang and the English plural
 * rule. On error returns -1 with "po/LANG.po:LINE: why" in err. */
int po_parse(struct catalogue *c, const char *text, size_t len, char *err, size_t errlen);

#endif
