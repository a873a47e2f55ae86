/*
 * i18n_po.c — a strict parser for gettext .po catalogues: msgctxt, msgid,
 * msgid_plural, msgstr and msgstr[n], strings continued over several lines,
 * the escapes \n \t \r \" \\, comments and flags, and the header entry
 * (charset, Plural-Forms). Anything else is an error naming file and line,
 * so a translator's slip fails the build's tests instead of a page.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "view/i18n_impl.h"

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

static int po_run(struct po *p, const char *text, size_t len)
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

int po_parse(struct catalogue *cat, const char *text, size_t len, char *err, size_t errlen)
{
	struct po p = {.lang = cat->lang, .err = err, .errlen = errlen, .cat = cat};
	buf_init(&p.ctxt);
	buf_init(&p.id);
	buf_init(&p.plural);
	for (unsigned i = 0; i < PLURAL_MAX_FORMS; i++)
		buf_init(&p.str[i]);
	int rc = po_run(&p, text, len);
	buf_free(&p.ctxt);
	buf_free(&p.id);
	buf_free(&p.plural);
	for (unsigned i = 0; i < PLURAL_MAX_FORMS; i++)
		buf_free(&p.str[i]);
	return rc;
}
