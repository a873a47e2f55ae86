/*
 * i18n.c — message catalogues: the gettext .po files compiled into the
 * binary (parsed by i18n_po.c), one hash table per language, lookups by
 * language per call, and Accept-Language negotiation. We do not use
 * gettext's runtime: it needs the system locales installed and picks the
 * language process-wide through setlocale(), while a server answers each
 * request in its visitor's language. After i18n_init the tables are
 * read-only, so lookups need no lock.
 */
#include "view/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uloc.h>

#include "core/embedded.h"
#include "core/text.h"
#include "view/i18n_impl.h"

#define CAT_MAX 32

static struct catalogue *cats[CAT_MAX];
static size_t ncats;
static const char *lang_list[CAT_MAX + 2]; /* "en" first, NULL-terminated */

/* ------------------------------------------------------ language codes */

int lang_normalize(const char *lang, char *out, size_t outlen)
{
	size_t n = 0, sub = 0, sublen = 0;
	if (!lang || outlen == 0)
		return 0;
	for (const char *p = lang;; p++) {
		char c = *p;
		if (c == '\0' || c == '-' || c == '_') {
			/* the primary subtag is 2–3 letters, the others 1–8 */
			if (sub == 0 ? (sublen < 2 || sublen > 3) : (sublen < 1 || sublen > 8))
				return 0;
			/* script subtags are title case, regions upper case */
			if (sub > 0 && sublen == 4 && out[n - 4] >= 'a')
				out[n - 4] = (char)(out[n - 4] - 32);
			if (sub > 0 && sublen == 2)
				for (size_t i = n - 2; i < n; i++)
					if (out[i] >= 'a')
						out[i] = (char)(out[i] - 32);
			if (c == '\0')
				break;
			if (n + 1 >= outlen)
				return 0;
			out[n++] = '_';
			sub++;
			sublen = 0;
			continue;
		}
		int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		int digit = c >= '0' && c <= '9';
		if (!alpha && !(digit && sub > 0))
			return 0;
		if (n + 1 >= outlen)
			return 0;
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		sublen++;
	}
	out[n] = '\0';
	return 1;
}

/* ----------------------------------------------------------- catalogues */

uint32_t hash_key(const char *ctxt, const char *msgid)
{
	uint32_t h = HASH_FNV32_INIT;
	if (ctxt) /* the key as gettext stores it: ctxt "\004" msgid */
		h = hash_fnv1a32("\004", 1, hash_fnv1a32(ctxt, strlen(ctxt), h));
	return hash_fnv1a32(msgid, strlen(msgid), h);
}

static int key_eq(const char *key, const char *ctxt, const char *msgid)
{
	if (ctxt) {
		size_t n = strlen(ctxt);
		if (strncmp(key, ctxt, n) != 0 || key[n] != '\004')
			return 0;
		key += n + 1;
	}
	return strcmp(key, msgid) == 0;
}

const struct msg *cat_find(const struct catalogue *c, const char *ctxt, const char *msgid)
{
	if (!c->cap)
		return NULL;
	uint32_t h = hash_key(ctxt, msgid);
	for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		const struct msg *m = &c->tab[i];
		if (!m->key)
			return NULL;
		if (m->hash == h && key_eq(m->key, ctxt, msgid))
			return m;
	}
}

static void cat_insert_slot(struct msg *tab, size_t cap, const struct msg *m)
{
	size_t i = m->hash & (cap - 1);
	while (tab[i].key)
		i = (i + 1) & (cap - 1);
	tab[i] = *m;
}

void cat_add(struct catalogue *c, const struct msg *m)
{
	if ((c->n + 1) * 2 > c->cap) { /* keep the load under one half */
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct msg *tab = xcalloc(cap, sizeof(*tab));
		for (size_t i = 0; i < c->cap; i++)
			if (c->tab[i].key)
				cat_insert_slot(tab, cap, &c->tab[i]);
		free(c->tab);
		c->tab = tab;
		c->cap = cap;
	}
	cat_insert_slot(c->tab, c->cap, m);
	c->n++;
}

static void cat_free(struct catalogue *c)
{
	if (!c)
		return;
	free(c->tab);
	arena_free(&c->mem);
	free(c);
}

static int lang_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void lang_list_rebuild(void)
{
	size_t n = 0;
	lang_list[n++] = "en";
	for (size_t i = 0; i < ncats; i++)
		if (strcmp(cats[i]->lang, "en") != 0)
			lang_list[n++] = cats[i]->lang;
	qsort(lang_list + 1, n - 1, sizeof(lang_list[0]), lang_cmp);
	lang_list[n] = NULL;
}

/* The catalogue for lang: exact code first, then its primary language
 * ("fr_CH" falls back to "fr"). */
static const struct catalogue *cat_for(const char *lang)
{
	char norm[LANG_MAX];
	if (!lang)
		return NULL;
	for (size_t i = 0; i < ncats; i++) /* the common case: "ar" as loaded */
		if (strcmp(cats[i]->lang, lang) == 0)
			return cats[i];
	if (!lang_normalize(lang, norm, sizeof(norm)))
		return NULL;
	for (size_t i = 0; i < ncats; i++)
		if (strcmp(cats[i]->lang, norm) == 0)
			return cats[i];
	char *us = strchr(norm, '_');
	if (!us)
		return NULL;
	*us = '\0';
	for (size_t i = 0; i < ncats; i++)
		if (strcmp(cats[i]->lang, norm) == 0)
			return cats[i];
	return NULL;
}

enum hm_err i18n_load_po(const char *lang, const char *text, size_t len, char *err, size_t errlen)
{
	char norm[LANG_MAX];
	if (err && errlen)
		err[0] = '\0';
	if (!lang_normalize(lang, norm, sizeof(norm))) {
		if (err && errlen)
			snprintf(err, errlen, "po/%.40s.po: not a language code", lang ? lang : "");
		return HM_EINVAL;
	}
	struct catalogue *cat = xcalloc(1, sizeof(*cat));
	snprintf(cat->lang, sizeof(cat->lang), "%s", norm);
	arena_init(&cat->mem);
	plural_default(&cat->plural);

	int rc = po_parse(cat, text ? text : "", text ? len : 0, err, errlen);
	if (rc != 0) {
		cat_free(cat);
		return HM_EINVAL;
	}
	for (size_t i = 0; i < ncats; i++) { /* reloading replaces */
		if (strcmp(cats[i]->lang, norm) == 0) {
			cat_free(cats[i]);
			cats[i] = cat;
			lang_list_rebuild();
			return HM_OK;
		}
	}
	if (ncats == CAT_MAX) {
		cat_free(cat);
		if (err && errlen)
			snprintf(err, errlen, "po/%s.po: more than %d catalogues", norm, CAT_MAX);
		return HM_ETOOBIG;
	}
	cats[ncats++] = cat;
	lang_list_rebuild();
	return HM_OK;
}

enum hm_err i18n_init(void)
{
	lang_list_rebuild();
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		if (!str_starts_with(f->path, "po/") || !str_ends_with(f->path, ".po"))
			continue;
		const char *name = f->path + 3;
		size_t n = strlen(name) - 3;
		char lang[LANG_MAX];
		if (n == 0 || n >= sizeof(lang) || memchr(name, '/', n))
			continue;
		memcpy(lang, name, n);
		lang[n] = '\0';
		char err[320];
		enum hm_err rc = i18n_load_po(lang, f->data, f->len, err, sizeof(err));
		if (rc != HM_OK) {
			log_error("%s", err);
			return rc;
		}
	}
	return HM_OK;
}

void i18n_shutdown(void)
{
	for (size_t i = 0; i < ncats; i++)
		cat_free(cats[i]);
	ncats = 0;
	lang_list_rebuild();
	i18n_thread_cleanup();
}

/* --------------------------------------------------------------- lookups */

const char *i18n_pgettext(const char *lang, const char *ctxt, const char *msgid)
{
	const struct catalogue *c;
	const struct msg *m;
	if (!msgid || !(c = cat_for(lang)) || !(m = cat_find(c, ctxt, msgid)))
		return msgid;
	return m->str[0][0] ? m->str[0] : msgid;
}

const char *i18n_gettext(const char *lang, const char *msgid)
{
	return i18n_pgettext(lang, NULL, msgid);
}

const char *i18n_ngettext(const char *lang, const char *msgid, const char *msgid_plural,
			  unsigned long n)
{
	const struct catalogue *c = cat_for(lang);
	const struct msg *m = c && msgid ? cat_find(c, NULL, msgid) : NULL;
	/* A plural entry has a form per plural case: one in a language with
	 * one form (Chinese), where it is the only translation there is. */
	if (m && (m->nstr > 1 || c->plural.nplurals == 1)) {
		unsigned i = plural_eval(&c->plural, n);
		if (i < m->nstr && m->str[i][0])
			return m->str[i];
	}
	return n == 1 ? msgid : msgid_plural;
}

const char *i18n_dir(const char *lang)
{
	char norm[LANG_MAX];
	if (!lang_normalize(lang, norm, sizeof(norm)))
		return "ltr";
	/* ICU knows each language's usual script ("ar" → Arabic), and an
	 * explicit script subtag ("pa_Arab") wins. */
	return uloc_isRightToLeft(norm) ? "rtl" : "ltr";
}

int i18n_supported(const char *lang)
{
	char norm[LANG_MAX];
	if (!lang_normalize(lang, norm, sizeof(norm)))
		return 0;
	if (strcmp(norm, "en") == 0)
		return 1;
	for (size_t i = 0; i < ncats; i++)
		if (strcmp(cats[i]->lang, norm) == 0)
			return 1;
	return 0;
}

const char *const *i18n_languages(void)
{
	if (!lang_list[0])
		lang_list_rebuild();
	return lang_list;
}

/* ----------------------------------------------------------- negotiation */

#define ACCEPT_MAX_LEN 1024
#define ACCEPT_MAX_ITEMS 32

static const char NOT_A_RANGE[] = "";

/* The supported language for one Accept-Language range, NULL if we have
 * none for it, or NOT_A_RANGE if it is malformed. */
static const char *negotiate_range(const char *range)
{
	if (strcmp(range, "*") == 0)
		return "en";
	char norm[LANG_MAX];
	if (!lang_normalize(range, norm, sizeof(norm)))
		return NOT_A_RANGE;
	const struct catalogue *c = cat_for(norm);
	if (c)
		return c->lang;
	return strncmp(norm, "en", 2) == 0 && (norm[2] == '\0' || norm[2] == '_') ? "en" : NULL;
}

const char *i18n_negotiate(const char *accept_language)
{
	const char *best = "en";
	int best_q = 0;
	if (!accept_language)
		return "en";
	size_t len = strlen(accept_language);
	if (len > ACCEPT_MAX_LEN)
		return "en";
	int items = 0;
	const char *s = accept_language, *end = s + len;
	while (s < end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *e = comma ? comma : end;
		const char *a = s, *b = e;
		s = comma ? comma + 1 : end;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (a == b)
			continue; /* the list syntax allows empty elements */
		if (++items > ACCEPT_MAX_ITEMS)
			return "en";
		const char *semi = memchr(a, ';', (size_t)(b - a));
		const char *te = semi ? semi : b;
		while (te > a && (te[-1] == ' ' || te[-1] == '\t'))
			te--;
		char range[LANG_MAX];
		if (te == a || (size_t)(te - a) >= sizeof(range))
			return "en";
		memcpy(range, a, (size_t)(te - a));
		range[te - a] = '\0';
		int q = 1000;
		if (semi) {
			const char *w = semi + 1;
			while (w < b && (*w == ' ' || *w == '\t'))
				w++;
			if (b - w < 2 || (w[0] != 'q' && w[0] != 'Q'))
				return "en";
			w++;
			while (w < b && (*w == ' ' || *w == '\t'))
				w++;
			if (w >= b || *w != '=')
				return "en";
			w++;
			while (w < b && (*w == ' ' || *w == '\t'))
				w++;
			q = text_qvalue_parse(w, (size_t)(b - w));
			if (q < 0)
				return "en";
		}
		const char *lang = negotiate_range(range);
		if (lang == NOT_A_RANGE)
			return "en";
		if (lang && q > best_q) { /* ties keep the earlier range */
			best = lang;
			best_q = q;
		}
	}
	return best;
}
