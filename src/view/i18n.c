/*
 * i18n.c — message catalogues: a strict parser for the gettext .po files
 * compiled into the binary, one hash table per language, and lookups by
 * language per call. We do not use gettext's runtime: it needs the system
 * locales installed and picks the language process-wide through
 * setlocale(), while a server answers each request in its visitor's
 * language. After i18n_init the tables are read-only, so lookups need no
 * lock.
 */
#include "view/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/uloc.h>

#include "core/embedded.h"
#include "core/text.h"
#include "view/i18n_impl.h"

#define LANG_MAX 36
#define CAT_MAX 32

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

static uint32_t hash_key(const char *ctxt, const char *msgid)
{
	uint32_t h = 2166136261u;
	if (ctxt) {
		for (const char *p = ctxt; *p; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
		h = (h ^ 4u) * 16777619u;
	}
	for (const char *p = msgid; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
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

static const struct msg *cat_find(const struct catalogue *c, const char *ctxt, const char *msgid)
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

static void cat_add(struct catalogue *c, const struct msg *m)
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

/* --------------------------------------------------------------- parser */

enum po_state {
	PO_START, /* before the first entry, or after a complete one */
	PO_CTXT,  /* msgctxt read */
	PO_ID,    /* msgid read */
	PO_PLURAL, /* msgid_plural read */
	PO_STR    /* msgstr or msgstr[n] read: the entry may end here */
};

struct po {
	const char *lang;
	char *err;
	size_t errlen;
	unsigned line;
	struct catalogue *cat;
	enum po_state state;
	struct buf ctxt, id, plural, str[PLURAL_MAX_FORMS];
	struct buf *cur; /* where a continuation string goes */
	unsigned nstr;
	int has_ctxt, has_plural, fuzzy, next_fuzzy, seen_entry;
	unsigned entry_line;
};

static int po_fail_at(struct po *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int po_fail_at(struct po *p, unsigned line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "po/%s.po:%u: %s", p->lang, line, msg);
	return -1;
}

static void po_begin(struct po *p)
{
	buf_reset(&p->ctxt);
	buf_reset(&p->id);
	buf_reset(&p->plural);
	for (unsigned i = 0; i < PLURAL_MAX_FORMS; i++)
		buf_reset(&p->str[i]);
	p->nstr = 0;
	p->has_ctxt = p->has_plural = 0;
	p->fuzzy = p->next_fuzzy;
	p->next_fuzzy = 0;
	p->entry_line = p->line;
}

/* Header fields we act on: the charset must be UTF-8, and Plural-Forms
 * sets the catalogue's rule. */
static int po_header(struct po *p, const char *h)
{
	while (*h) {
		const char *eol = strchr(h, '\n');
		size_t n = eol ? (size_t)(eol - h) : strlen(h);
		char line[512];
		if (n >= sizeof(line))
			return po_fail_at(p, p->entry_line, "header line too long");
		memcpy(line, h, n);
		line[n] = '\0';
		h += eol ? n + 1 : n;
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *val = colon + 1;
		while (*val == ' ')
			val++;
		if (strcasecmp(line, "Plural-Forms") == 0) {
			char why[160];
			if (plural_compile(&p->cat->plural, val, why, sizeof(why)) != 0)
				return po_fail_at(p, p->entry_line, "invalid Plural-Forms: %s", why);
		} else if (strcasecmp(line, "Content-Type") == 0) {
			const char *cs = strstr(val, "charset=");
			if (cs) {
				cs += strlen("charset=");
				size_t csn = strcspn(cs, " ;");
				if (!((csn == 5 && strncasecmp(cs, "UTF-8", 5) == 0) ||
				      (csn == 4 && strncasecmp(cs, "UTF8", 4) == 0)))
					return po_fail_at(p, p->entry_line,
							  "charset must be UTF-8, not '%.*s'",
							  (int)(csn > 32 ? 32 : csn), cs);
			}
		}
	}
	return 0;
}

static int po_finish(struct po *p)
{
	int first = !p->seen_entry;
	p->seen_entry = 1;
	if (!p->has_ctxt && p->id.len == 0) {
		if (!first)
			return po_fail_at(p, p->entry_line, "the header entry (msgid \"\") must come first");
		if (p->has_plural)
			return po_fail_at(p, p->entry_line, "the header entry cannot have msgid_plural");
		return po_header(p, p->str[0].data ? p->str[0].data : "");
	}
	if (p->id.len == 0)
		return po_fail_at(p, p->entry_line, "empty msgid");
	if (p->has_plural && p->nstr != p->cat->plural.nplurals)
		return po_fail_at(p, p->entry_line,
				  "%u plural forms given, the Plural-Forms header says %u", p->nstr,
				  p->cat->plural.nplurals);
	const char *ctxt = p->has_ctxt ? p->ctxt.data : NULL;
	const struct msg *dup = cat_find(p->cat, ctxt, p->id.data);
	if (dup)
		return po_fail_at(p, p->entry_line, "duplicate message (first on line %u)", dup->line);
	struct msg m = {.nstr = p->nstr, .line = p->entry_line};
	m.hash = hash_key(ctxt, p->id.data);
	if (ctxt) {
		char *key = arena_alloc(&p->cat->mem, p->ctxt.len + 1 + p->id.len + 1);
		memcpy(key, p->ctxt.data, p->ctxt.len);
		key[p->ctxt.len] = '\004';
		memcpy(key + p->ctxt.len + 1, p->id.data, p->id.len + 1);
		m.key = key;
	} else {
		m.key = arena_strndup(&p->cat->mem, p->id.data, p->id.len);
	}
	const char **str = arena_alloc(&p->cat->mem, p->nstr * sizeof(*str));
	for (unsigned i = 0; i < p->nstr; i++) {
		/* A fuzzy entry is an unchecked guess: like msgfmt, we keep the
		 * key (so duplicates are still caught) but not the text. */
		const char *s = p->fuzzy ? NULL : p->str[i].data;
		str[i] = s ? arena_strndup(&p->cat->mem, s, p->str[i].len) : "";
	}
	m.str = str;
	cat_add(p->cat, &m);
	return 0;
}

/* Parses the quoted string starting at s (which points at '"') up to end,
 * appending its unescaped bytes to out. */
static int po_string(struct po *p, const char *s, const char *end, struct buf *out)
{
	s++;
	for (;;) {
		if (s >= end)
			return po_fail_at(p, p->line, "unterminated string");
		char c = *s++;
		if (c == '"')
			break;
		if ((unsigned char)c < 0x20 && c != '\t')
			return po_fail_at(p, p->line, "control character in string");
		if (c != '\\') {
			buf_putc(out, c);
			continue;
		}
		if (s >= end)
			return po_fail_at(p, p->line, "unterminated string");
		c = *s++;
		switch (c) {
		case 'n': buf_putc(out, '\n'); break;
		case 't': buf_putc(out, '\t'); break;
		case 'r': buf_putc(out, '\r'); break;
		case '"': buf_putc(out, '"'); break;
		case '\\': buf_putc(out, '\\'); break;
		default:
			return po_fail_at(p, p->line, "unknown escape '\\%c'",
					  (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f ? c : '?');
		}
	}
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s < end)
		return po_fail_at(p, p->line, "text after the closing quote");
	return 0;
}

static int po_comment(struct po *p, const char *s, const char *end)
{
	if (p->state == PO_CTXT || p->state == PO_ID || p->state == PO_PLURAL)
		return po_fail_at(p, p->line, "comment inside an entry (msgstr missing?)");
	if (end - s >= 2 && s[1] == ',') { /* flags: "#, fuzzy, c-format" */
		const char *q = s + 2;
		while (q < end) {
			while (q < end && (*q == ' ' || *q == ','))
				q++;
			const char *w = q;
			while (q < end && *q != ' ' && *q != ',')
				q++;
			if (q - w == 5 && memcmp(w, "fuzzy", 5) == 0)
				p->next_fuzzy = 1;
		}
	}
	return 0;
}

static int po_keyword(struct po *p, const char *s, const char *end)
{
	const char *k = s;
	while (s < end && ((*s >= 'a' && *s <= 'z') || *s == '_'))
		s++;
	size_t klen = (size_t)(s - k);
	long idx = -1;
	if (s < end && *s == '[') {
		idx = 0;
		s++;
		const char *d = s;
		while (s < end && *s >= '0' && *s <= '9' && s - d < 3)
			idx = idx * 10 + (*s++ - '0');
		if (s == d || s >= end || *s != ']')
			return po_fail_at(p, p->line, "malformed index in brackets");
		s++;
	}
	if (s >= end || (*s != ' ' && *s != '\t'))
		return po_fail_at(p, p->line, "expected a keyword and a quoted string");
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s >= end || *s != '"')
		return po_fail_at(p, p->line, "expected a quoted string after '%.*s'", (int)klen, k);

#define KW(w) (klen == sizeof(w) - 1 && memcmp(k, w, klen) == 0)
	if (KW("msgctxt") && idx < 0) {
		if (p->state != PO_START && p->state != PO_STR)
			return po_fail_at(p, p->line, "msgctxt inside an entry (msgstr missing?)");
		if (p->state == PO_STR && po_finish(p) != 0)
			return -1;
		po_begin(p);
		p->has_ctxt = 1;
		p->cur = &p->ctxt;
		p->state = PO_CTXT;
	} else if (KW("msgid") && idx < 0) {
		if (p->state == PO_ID || p->state == PO_PLURAL)
			return po_fail_at(p, p->line, "msgid follows a msgid that has no msgstr");
		if (p->state == PO_STR && po_finish(p) != 0)
			return -1;
		if (p->state != PO_CTXT)
			po_begin(p);
		p->cur = &p->id;
		p->state = PO_ID;
	} else if (KW("msgid_plural") && idx < 0) {
		if (p->state != PO_ID)
			return po_fail_at(p, p->line, "msgid_plural without a msgid before it");
		p->has_plural = 1;
		p->cur = &p->plural;
		p->state = PO_PLURAL;
	} else if (KW("msgstr") && idx < 0) {
		if (p->state == PO_PLURAL)
			return po_fail_at(p, p->line, "msgid_plural needs msgstr[0], msgstr[1], …");
		if (p->state != PO_ID)
			return po_fail_at(p, p->line, "msgstr without a msgid before it");
		p->nstr = 1;
		p->cur = &p->str[0];
		p->state = PO_STR;
	} else if (KW("msgstr")) {
		if (!(p->state == PO_PLURAL || (p->state == PO_STR && p->has_plural)))
			return po_fail_at(p, p->line, "msgstr[%ld] without msgid_plural", idx);
		if ((unsigned long)idx != p->nstr)
			return po_fail_at(p, p->line, "msgstr[%ld] out of order, expected msgstr[%u]",
					  idx, p->nstr);
		if (idx >= PLURAL_MAX_FORMS)
			return po_fail_at(p, p->line, "more than %d plural forms", PLURAL_MAX_FORMS);
		p->nstr = (unsigned)idx + 1;
		p->cur = &p->str[idx];
		p->state = PO_STR;
	} else {
		return po_fail_at(p, p->line, "unknown keyword '%.*s'", (int)(klen > 20 ? 20 : klen),
				  k);
	}
#undef KW
	return po_string(p, s, end, p->cur);
}

static int po_line(struct po *p, const char *s, const char *end)
{
	if (end > s && end[-1] == '\r') /* files edited on Windows */
		end--;
	if (memchr(s, '\0', (size_t)(end - s)))
		return po_fail_at(p, p->line, "NUL byte");
	if (!utf8_valid(s, (size_t)(end - s)))
		return po_fail_at(p, p->line, "invalid UTF-8");
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end)
		return 0;
	if (*s == '#')
		return po_comment(p, s, end);
	if (*s == '"') {
		if (p->state == PO_START)
			return po_fail_at(p, p->line, "string without a keyword before it");
		return po_string(p, s, end, p->cur);
	}
	return po_keyword(p, s, end);
}

static int po_parse(struct po *p, const char *text, size_t len)
{
	const char *s = text, *end = text + len;
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) /* byte order mark */
		s += 3;
	p->line = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		p->line++;
		if (po_line(p, s, eol) != 0)
			return -1;
		s = nl ? nl + 1 : end;
	}
	switch (p->state) {
	case PO_START:
		return 0;
	case PO_STR:
		return po_finish(p);
	default:
		return po_fail_at(p, p->line ? p->line : 1, "entry without msgstr at end of file");
	}
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

	struct po p = {.lang = norm, .err = err, .errlen = errlen, .cat = cat};
	buf_init(&p.ctxt);
	buf_init(&p.id);
	buf_init(&p.plural);
	for (unsigned i = 0; i < PLURAL_MAX_FORMS; i++)
		buf_init(&p.str[i]);
	int rc = po_parse(&p, text ? text : "", text ? len : 0);
	buf_free(&p.ctxt);
	buf_free(&p.id);
	buf_free(&p.plural);
	for (unsigned i = 0; i < PLURAL_MAX_FORMS; i++)
		buf_free(&p.str[i]);
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
	if (m && m->nstr > 1) {
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

/* Parses a qvalue ("0", "0.8", "1.000") as thousandths, or -1. */
static int parse_qvalue(const char *s, size_t n)
{
	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	int q = (s[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (s[1] != '.' || n > 5)
		return -1;
	int scale = 100;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
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
			q = parse_qvalue(w, (size_t)(b - w));
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
