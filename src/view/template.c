/*
 * template.c — the Mustache engine behind every page. tpl_set_add compiles
 * a template once into a flat array of ops (sections hold the index one past
 * their body); tpl_render walks the ops against a jansson model, appending
 * to a struct buf with no parsing and no allocation of its own (but for a
 * translated text, compiled on its first use and kept).
 */
#include "view/template.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting is refused: it is never needed by a real page, and it
 * bounds the C stack used by the recursive parser and renderer. */
#define MAX_NESTING 50     /* sections inside one template */
#define MAX_DEPTH 32       /* partials, parents, blocks and translations at render */
#define MAX_DELIM 16       /* bytes in a delimiter set by {{=<% %>=}} */
#define TR_SLOTS 4         /* lock-free translation slots per {{#_}} */
#define TR_MAX_SLOTS 65536 /* slot records per set; past it, the locked path */

#define DEFAULT_MAX_STEPS 20000000UL
#define DEFAULT_MAX_OUT ((size_t)256 << 20)

/* ================================================================ types */

enum op_kind {
	OP_TEXT,      /* literal text */
	OP_ESCAPED,   /* {{name}} */
	OP_RAW,       /* {{{name}}} and {{&name}} */
	OP_SECTION,   /* {{#name}} … {{/name}}: body is ops[i+1, end) */
	OP_INVERTED,  /* {{^name}} … {{/name}} */
	OP_PARTIAL,   /* {{>name}} */
	OP_PARENT,    /* {{<name}} … {{/name}}: body holds only OP_BLOCK overrides */
	OP_BLOCK,     /* {{$name}} default {{/name}} */
	OP_TRANSLATE, /* {{#_}}msgid{{/_}} */
};

enum {
	OPF_NL = 1,         /* text ends with a newline */
	OPF_STANDALONE = 2, /* partial, parent or block alone on its line: indent every line */
	OPF_PAIR = 4,       /* block pair alone on its line: indent the lines after the first */
};

/* A dotted name split at compile time; n == 0 is the implicit iterator. */
struct name {
	unsigned n;
	const char *const *seg;
	const size_t *seglen;
};

struct tpl;

/* A compiled translation for one set of op slots: key is the translator's
 * pointer, which lives as long as the set (see tpl_translate_fn). */
struct tr_slot {
	const char *key;
	const struct tpl *tpl;
};

struct tr_op {
	const char *msgid;
	struct tpl *tpl; /* the msgid itself, compiled */
	_Atomic(struct tr_slot *) slot[TR_SLOTS];
	atomic_uint next;
};

struct op {
	uint8_t kind;
	uint8_t flags;
	uint32_t end;       /* containers: one past the body; others: i + 1 */
	const char *s;      /* text, or the full name of a partial/parent/block */
	size_t len;
	const char *indent; /* standalone partial/parent/block: indentation */
	size_t indent_len;
	uint32_t hash;      /* partial/parent: hash of s, for the set lookup */
	struct name name;   /* variables and sections */
	struct tr_op *tr;
};

/* Everything a template holds (ops, texts, names) lives in one arena: the
 * template's own for those in the set, the enclosing template's for a
 * compiled msgid, the set's translation arena for a compiled translation. */
struct tpl {
	const char *name;
	uint32_t hash;
	const struct op *ops;
	uint32_t nops;
	struct tpl *next;
};

struct set_entry {
	struct tpl tpl;
	struct arena arena;
};

/* Translated texts compiled once, keyed by content. */
struct tr_entry {
	const char *text;
	uint32_t hash;
	struct tpl *tpl; /* NULL when the text did not compile: the msgid is used */
	struct tr_entry *next;
};

struct tpl_set {
	struct tpl **bucket;
	size_t nbucket, n;
	tpl_translate_fn translate;
	unsigned long max_steps;
	size_t max_out;
	pthread_mutex_t tr_lock; /* guards everything below */
	struct arena tr_arena;   /* entries, their templates and the slots */
	struct tr_entry **tr_bucket;
	size_t tr_nbucket, tr_n;
	size_t nslots;
};

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ============================================================ compiler */

enum frame {
	FR_TOP,      /* the template itself */
	FR_SECTION,  /* # ^ and _ bodies */
	FR_BLOCK,    /* a block where it is used: its default content */
	FR_OVERRIDE, /* a block passed to a parent: its content replaces the default */
	FR_PARENT,   /* between {{<p}} and {{/p}}: only blocks count, text is ignored */
};

struct parser {
	const char *name;
	const char *src;
	size_t len, pos;
	char otag[MAX_DELIM + 1], ctag[MAX_DELIM + 2]; /* ctag[0] is '}' or '=' scratch */
	size_t olen, clen;
	struct op *ops;
	size_t nops, cap;
	size_t barrier; /* text ops before this index are closed to merging */
	struct buf pool;
	struct arena *arena;
	const char *strip; /* indentation removed at each line start of block content */
	size_t strip_len;
	int nesting;
	bool in_translation;
	size_t seen, last_ls; /* line_start's memory */
	char *err;
	size_t errlen;
};

struct tag {
	char type; /* 0 for a variable; else one of # ^ / ! > < $ & = */
	size_t start, end;
	const char *body; /* trimmed content */
	size_t blen;
	bool left_clear; /* a parent's open tag: only white space before it on its line */
};

/* Where a body ended: the close tag and whether its line is otherwise clear. */
struct close_info {
	size_t start;
	bool right_clear;
};

static enum hm_err compile(const char *name, const char *src, size_t len, struct arena *a,
			   struct tpl *t, char *err, size_t errlen);

static size_t line_of(const struct parser *p, size_t at)
{
	size_t line = 1;
	for (size_t i = 0; i < at && i < p->len; i++)
		line += p->src[i] == '\n';
	return line;
}

static enum hm_err perr(struct parser *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum hm_err perr(struct parser *p, size_t at, const char *fmt, ...)
{
	if (p->err && p->errlen) {
		int n = snprintf(p->err, p->errlen, "%s:%zu: ", p->name, line_of(p, at));
		if (n >= 0 && (size_t)n < p->errlen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return HM_EINVAL;
}

static size_t push_op(struct parser *p, enum op_kind kind)
{
	if (p->nops == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		p->ops = xrealloc(p->ops, p->cap * sizeof(*p->ops));
	}
	struct op *op = &p->ops[p->nops];
	memset(op, 0, sizeof(*op));
	op->kind = (uint8_t)kind;
	op->end = (uint32_t)(p->nops + 1);
	return p->nops++;
}

/* How many bytes of the strip prefix match src at q (a line start). */
static size_t strip_match(const struct parser *p, size_t q, size_t to)
{
	size_t k = 0;
	while (k < p->strip_len && q + k < to && p->src[q + k] == p->strip[k])
		k++;
	return k;
}

/* Appends src[from, to) as literal text, dropping the strip prefix at each
 * line start; joins the previous text op when nothing came between. */
static void emit_text(struct parser *p, size_t from, size_t to)
{
	size_t start = p->pool.len;
	size_t q = from;
	while (q < to) {
		if (p->strip_len && (q == 0 || p->src[q - 1] == '\n'))
			q += strip_match(p, q, to);
		const char *nl = memchr(p->src + q, '\n', to - q);
		size_t e = nl ? (size_t)(nl - p->src) + 1 : to;
		buf_append(&p->pool, p->src + q, e - q);
		q = e;
	}
	size_t n = p->pool.len - start;
	if (n == 0)
		return;
	struct op *last = p->nops > p->barrier ? &p->ops[p->nops - 1] : NULL;
	if (last && last->kind == OP_TEXT && (size_t)last->s + last->len == start) {
		last->len += n; /* s holds the pool offset until the end of compile */
	} else {
		size_t i = push_op(p, OP_TEXT);
		p->ops[i].s = (const char *)(uintptr_t)start;
		p->ops[i].len = n;
	}
}

static bool trim(const char **s, size_t *len)
{
	while (*len && is_ws(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_ws((*s)[*len - 1]))
		(*len)--;
	return *len > 0;
}

static bool has_ws(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (is_ws(s[i]))
			return true;
	return false;
}

/* Reads the tag whose open delimiter starts at ts. */
static enum hm_err lex_tag(struct parser *p, size_t ts, struct tag *tg)
{
	size_t i = ts + p->olen;
	char c = i < p->len ? p->src[i] : 0;
	const char *needle = p->ctag + 1;
	size_t nlen = p->clen;
	memset(tg, 0, sizeof(*tg));
	tg->start = ts;
	if (c == '{' || c == '=') {
		p->ctag[0] = c == '{' ? '}' : '=';
		needle = p->ctag;
		nlen++;
		tg->type = c == '{' ? '&' : '=';
		i++;
	} else if (c && strchr("#^/!><$&", c)) {
		tg->type = c;
		i++;
	}
	if (i > p->len)
		return perr(p, ts, "unclosed tag");
	const char *x = memmem(p->src + i, p->len - i, needle, nlen);
	if (!x)
		return perr(p, ts, "unclosed tag");
	tg->body = p->src + i;
	tg->blen = (size_t)(x - tg->body);
	tg->end = (size_t)(x - p->src) + nlen;
	if (tg->type != '!' && tg->type != '=') {
		if (!trim(&tg->body, &tg->blen))
			return perr(p, ts, "empty tag");
		if (has_ws(tg->body, tg->blen))
			return perr(p, ts, "bad tag name '%.*s'", (int)tg->blen, tg->body);
	}
	return HM_OK;
}

/* Splits a dotted name into NUL-terminated segments in the arena. */
static enum hm_err make_name(struct parser *p, const struct tag *tg, struct name *nm)
{
	const char *s = tg->body;
	size_t len = tg->blen;
	nm->n = 0;
	nm->seg = NULL;
	if (len == 1 && s[0] == '.')
		return HM_OK;
	unsigned n = 1;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '.';
	const char **seg = arena_alloc(p->arena, n * sizeof(*seg));
	size_t *seglen = arena_alloc(p->arena, n * sizeof(*seglen));
	size_t a = 0;
	for (unsigned k = 0; k < n; k++) {
		const char *dot = memchr(s + a, '.', len - a);
		size_t b = dot ? (size_t)(dot - s) : len;
		if (b == a)
			return perr(p, tg->start, "bad name '%.*s'", (int)len, s);
		seg[k] = arena_strndup(p->arena, s + a, b - a);
		seglen[k] = b - a;
		a = b + 1;
	}
	nm->n = n;
	nm->seg = seg;
	nm->seglen = seglen;
	return HM_OK;
}

static enum hm_err set_delimiters(struct parser *p, const struct tag *tg)
{
	const char *s = tg->body;
	size_t len = tg->blen;
	if (!trim(&s, &len))
		return perr(p, tg->start, "bad delimiters");
	size_t a = 0;
	while (a < len && !is_ws(s[a]))
		a++;
	size_t b = a;
	while (b < len && is_ws(s[b]))
		b++;
	size_t clen = len - b;
	if (a == 0 || b == a || clen == 0 || has_ws(s + b, clen) || a > MAX_DELIM ||
	    clen > MAX_DELIM || memchr(s, '=', a) || memchr(s + b, '=', clen))
		return perr(p, tg->start, "bad delimiters '%.*s'", (int)len, s);
	memcpy(p->otag, s, a);
	p->olen = a;
	memcpy(p->ctag + 1, s + b, clen);
	p->clen = clen;
	return HM_OK;
}

/* Start of the line holding at. Tags are met in source order, so the
 * search resumes where the last one stopped (no rescans of long lines). */
static size_t line_start(struct parser *p, size_t at)
{
	if (at < p->seen) {
		p->seen = 0;
		p->last_ls = 0;
	}
	const char *nl = at > p->seen ? memrchr(p->src + p->seen, '\n', at - p->seen) : NULL;
	if (nl)
		p->last_ls = (size_t)(nl - p->src) + 1;
	p->seen = at;
	return p->last_ls;
}

static bool all_ws(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* Only spaces or tabs from at to the end of its line; *eol is just past the
 * line end (the end of the source on the last line). */
static bool right_clear(const struct parser *p, size_t at, size_t *eol)
{
	while (at < p->len && (p->src[at] == ' ' || p->src[at] == '\t'))
		at++;
	if (at == p->len) {
		*eol = at;
		return true;
	}
	if (p->src[at] == '\n') {
		*eol = at + 1;
		return true;
	}
	if (p->src[at] == '\r' && at + 1 < p->len && p->src[at + 1] == '\n') {
		*eol = at + 2;
		return true;
	}
	return false;
}

/* Copies the indentation src[from, to) into the arena for an op. */
static void set_indent(struct parser *p, struct op *op, size_t from, size_t to)
{
	op->indent_len = to - from;
	op->indent = op->indent_len ? arena_strndup(p->arena, p->src + from, to - from) : NULL;
}

static void set_ref(struct parser *p, struct op *op, const struct tag *tg)
{
	op->s = arena_strndup(p->arena, tg->body, tg->blen);
	op->len = tg->blen;
	op->hash = hash_fnv1a32(tg->body, tg->blen, HASH_FNV32_INIT);
}

static enum hm_err parse_body(struct parser *p, enum frame fr, const struct tag *open,
			      struct close_info *ci);

/* Forgets the ops from mark on (what they hold stays in the arena). */
static void drop_ops(struct parser *p, size_t mark)
{
	p->nops = mark;
}

/* From here on, also strip the indentation of the line at next_line (as
 * left by the current strip) from every line start: a block's content is
 * outdented to its first line. *own is that added indentation. */
static void push_strip(struct parser *p, size_t next_line, const char **own, size_t *own_len)
{
	size_t q = next_line + strip_match(p, next_line, p->len);
	size_t e = q;
	while (e < p->len && (p->src[e] == ' ' || p->src[e] == '\t'))
		e++;
	*own = p->src + q;
	*own_len = e - q;
	if (*own_len) {
		char *s = arena_alloc(p->arena, p->strip_len + *own_len);
		if (p->strip_len)
			memcpy(s, p->strip, p->strip_len);
		memcpy(s + p->strip_len, *own, *own_len);
		p->strip = s;
		p->strip_len += *own_len;
	}
}

static enum hm_err parse_container(struct parser *p, enum frame fr, const struct tag *tg,
				   bool standalone, bool left_clear, size_t ls)
{
	struct close_info ci;
	enum hm_err rc;
	size_t mark = p->nops;
	const char *old_strip = p->strip;
	size_t old_strip_len = p->strip_len;
	struct name nm;

	if (++p->nesting > MAX_NESTING)
		return perr(p, tg->start, "sections nested too deeply");

	if (tg->type == '#' && tg->blen == 1 && tg->body[0] == '_') {
		/* translation: the raw text between the tags is the msgid */
		if (p->in_translation) {
			rc = perr(p, tg->start, "translatable text inside translatable text");
			goto out;
		}
		size_t i = push_op(p, OP_TRANSLATE);
		size_t body = p->pos;
		p->in_translation = true;
		rc = parse_body(p, FR_SECTION, tg, &ci);
		p->in_translation = false;
		if (rc)
			goto out;
		drop_ops(p, i + 1);
		const char *m = p->src + body;
		size_t mlen = ci.start - body;
		trim(&m, &mlen);
		struct tr_op *tr = arena_alloc(p->arena, sizeof(*tr));
		memset(tr, 0, sizeof(*tr));
		for (unsigned k = 0; k < TR_SLOTS; k++)
			atomic_init(&tr->slot[k], NULL);
		atomic_init(&tr->next, 0);
		tr->msgid = arena_strndup(p->arena, m, mlen);
		tr->tpl = arena_alloc(p->arena, sizeof(*tr->tpl));
		rc = compile(p->name, m, mlen, p->arena, tr->tpl, p->err, p->errlen);
		if (rc)
			goto out;
		p->ops[i].tr = tr;
		p->ops[i].end = (uint32_t)(i + 1);
	} else if (tg->type == '#' || tg->type == '^') {
		rc = make_name(p, tg, &nm);
		if (rc)
			goto out;
		size_t i = push_op(p, tg->type == '#' ? OP_SECTION : OP_INVERTED);
		p->ops[i].name = nm;
		rc = parse_body(p, FR_SECTION, tg, &ci);
		if (rc)
			goto out;
		p->ops[i].end = (uint32_t)p->nops;
	} else if (tg->type == '$' && fr == FR_PARENT) {
		/* a block passed to the parent: when its tag ends the line, the
		 * content starts on the next, outdented by that line's indentation */
		size_t i = push_op(p, OP_BLOCK);
		set_ref(p, &p->ops[i], tg);
		if (standalone) {
			const char *own;
			size_t own_len;
			push_strip(p, p->pos, &own, &own_len);
		}
		rc = parse_body(p, FR_OVERRIDE, tg, &ci);
		if (rc)
			goto out;
		p->ops[i].end = (uint32_t)p->nops;
	} else if (tg->type == '$') {
		/* a block where it is used: its indentation there is given to
		 * whatever content fills it */
		size_t i = push_op(p, OP_BLOCK);
		set_ref(p, &p->ops[i], tg);
		size_t ws_from = ls + strip_match(p, ls, tg->start);
		if (standalone) {
			const char *own;
			size_t own_len;
			push_strip(p, p->pos, &own, &own_len);
			p->ops[i].flags |= OPF_STANDALONE;
			p->ops[i].indent = own_len ? arena_strndup(p->arena, own, own_len) : NULL;
			p->ops[i].indent_len = own_len;
		}
		rc = parse_body(p, FR_BLOCK, tg, &ci);
		if (rc)
			goto out;
		p->ops[i].end = (uint32_t)p->nops;
		if (!standalone && left_clear && ci.right_clear) {
			p->ops[i].flags |= OPF_PAIR;
			set_indent(p, &p->ops[i], ws_from, tg->start);
		}
	} else { /* '<' */
		/* the pair {{<p}}…{{/p}} is standalone as one tag would be: then
		 * the white space before it goes, and becomes its indentation */
		struct tag ptag = *tg;
		ptag.left_clear = left_clear;
		size_t i = push_op(p, OP_PARENT);
		set_ref(p, &p->ops[i], tg);
		size_t ws_from = ls + strip_match(p, ls, tg->start);
		rc = parse_body(p, FR_PARENT, &ptag, &ci);
		if (rc)
			goto out;
		p->ops[i].end = (uint32_t)p->nops;
		if (left_clear && ci.right_clear) {
			size_t ws = tg->start - ws_from;
			p->ops[i].flags |= OPF_STANDALONE;
			set_indent(p, &p->ops[i], ws_from, tg->start);
			if (ws && i > 0 && p->ops[i - 1].kind == OP_TEXT && p->ops[i - 1].len >= ws)
				p->ops[i - 1].len -= ws;
		}
	}
	if (fr == FR_PARENT && tg->type != '$')
		drop_ops(p, mark); /* anything but a block inside a parent is ignored */
	p->barrier = p->nops;
	rc = HM_OK;
out:
	p->strip = old_strip;
	p->strip_len = old_strip_len;
	p->nesting--;
	return rc;
}

/* Parses until the close tag of open (or the end of the source at the top). */
static enum hm_err parse_body(struct parser *p, enum frame fr, const struct tag *open,
			      struct close_info *ci)
{
	enum hm_err rc;
	for (;;) {
		const char *o = p->pos < p->len ? memmem(p->src + p->pos, p->len - p->pos,
							  p->otag, p->olen)
						: NULL;
		if (!o) {
			if (open)
				return perr(p, open->start, "unclosed section '%.*s'",
					    (int)open->blen, open->body);
			if (fr != FR_PARENT)
				emit_text(p, p->pos, p->len);
			p->pos = p->len;
			return HM_OK;
		}
		struct tag tg;
		size_t ts = (size_t)(o - p->src);
		rc = lex_tag(p, ts, &tg);
		if (rc)
			return rc;

		/* Standalone: a tag alone on its line takes the line with it.
		 * A side that faces a parent's body, where text is ignored,
		 * counts as clear. */
		size_t ls = line_start(p, ts), eol = tg.end;
		bool lclear = all_ws(p->src + ls, ts - ls);
		bool rclear = right_clear(p, tg.end, &eol);
		bool lirr = false, rirr = false;
		if (tg.type == '$' && fr == FR_PARENT)
			lirr = true;
		else if (tg.type == '/' && fr == FR_OVERRIDE)
			rirr = true;
		bool standalone = tg.type && tg.type != '&' && (lirr || lclear) && (rirr || rclear);
		if (tg.type == '<') {
			standalone = false; /* the pair decides, at its close */
		} else if (tg.type == '/' && fr == FR_PARENT) {
			lirr = true;
			standalone = open && open->left_clear && rclear;
		}

		if (fr != FR_PARENT)
			emit_text(p, p->pos, standalone && !lirr ? ls : ts);
		p->pos = standalone && !rirr ? eol : tg.end;

		switch (tg.type) {
		case '!':
			break;
		case '=':
			rc = set_delimiters(p, &tg);
			if (rc)
				return rc;
			break;
		case 0:
		case '&': {
			struct name nm;
			rc = make_name(p, &tg, &nm);
			if (rc)
				return rc;
			if (fr != FR_PARENT) {
				size_t i = push_op(p, tg.type ? OP_RAW : OP_ESCAPED);
				p->ops[i].name = nm;
			}
			break;
		}
		case '>':
			if (fr != FR_PARENT) {
				size_t i = push_op(p, OP_PARTIAL);
				set_ref(p, &p->ops[i], &tg);
				if (standalone) {
					p->ops[i].flags |= OPF_STANDALONE;
					set_indent(p, &p->ops[i], ls + strip_match(p, ls, ts), ts);
				}
			}
			break;
		case '/':
			if (!open)
				return perr(p, ts, "unexpected close tag '%.*s'", (int)tg.blen, tg.body);
			if (tg.blen != open->blen || memcmp(tg.body, open->body, tg.blen) != 0)
				return perr(p, ts, "close tag '%.*s' does not match '%.*s'",
					    (int)tg.blen, tg.body, (int)open->blen, open->body);
			ci->start = ts;
			ci->right_clear = rclear;
			return HM_OK;
		default: /* # ^ $ < */
			rc = parse_container(p, fr, &tg, standalone, lclear, ls);
			if (rc)
				return rc;
			break;
		}
	}
}

/* Compiles src into t, allocating everything in a. On error t is unset and
 * what was put in a is garbage until a is freed. */
static enum hm_err compile(const char *name, const char *src, size_t len, struct arena *a,
			   struct tpl *t, char *err, size_t errlen)
{
	struct parser p;
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.src = src;
	p.len = len;
	memcpy(p.otag, "{{", 2);
	p.olen = 2;
	memcpy(p.ctag + 1, "}}", 2);
	p.clen = 2;
	buf_init(&p.pool);
	p.arena = a;
	p.err = err;
	p.errlen = errlen;

	enum hm_err rc = parse_body(&p, FR_TOP, NULL, NULL);
	if (rc)
		goto out;
	char *pool = arena_alloc(a, p.pool.len ? p.pool.len : 1);
	if (p.pool.len)
		memcpy(pool, p.pool.data, p.pool.len);
	struct op *ops = arena_alloc(a, (p.nops ? p.nops : 1) * sizeof(*ops));
	if (p.nops)
		memcpy(ops, p.ops, p.nops * sizeof(*ops));
	for (size_t i = 0; i < p.nops; i++) {
		struct op *op = &ops[i];
		if (op->kind != OP_TEXT)
			continue;
		op->s = pool + (uintptr_t)op->s; /* it held the offset in the pool */
		if (op->len && op->s[op->len - 1] == '\n')
			op->flags |= OPF_NL;
	}
	memset(t, 0, sizeof(*t));
	t->name = arena_strdup(a, name);
	t->hash = hash_fnv1a32(name, strlen(name), HASH_FNV32_INIT);
	t->ops = ops;
	t->nops = (uint32_t)p.nops;
out:
	free(p.ops);
	buf_free(&p.pool);
	return rc;
}

/* ================================================================= set */

struct tpl_set *tpl_set_new(void)
{
	struct tpl_set *set = xcalloc(1, sizeof(*set));
	set->nbucket = 64;
	set->bucket = xcalloc(set->nbucket, sizeof(*set->bucket));
	set->max_steps = DEFAULT_MAX_STEPS;
	set->max_out = DEFAULT_MAX_OUT;
	pthread_mutex_init(&set->tr_lock, NULL);
	arena_init(&set->tr_arena);
	return set;
}

/* A template of the set: its struct tpl comes first, so the bucket chains
 * link struct tpl and the entry is found from it. */
static void entry_free(struct set_entry *e)
{
	arena_free(&e->arena);
	free(e);
}

void tpl_set_free(struct tpl_set *set)
{
	if (!set)
		return;
	for (size_t b = 0; b < set->nbucket; b++) {
		struct tpl *t = set->bucket[b];
		while (t) {
			struct tpl *next = t->next;
			entry_free((struct set_entry *)t);
			t = next;
		}
	}
	free(set->bucket);
	free(set->tr_bucket);
	arena_free(&set->tr_arena);
	pthread_mutex_destroy(&set->tr_lock);
	free(set);
}

void tpl_set_translator(struct tpl_set *set, tpl_translate_fn fn)
{
	set->translate = fn;
}

void tpl_set_limits(struct tpl_set *set, unsigned long max_steps, size_t max_out)
{
	set->max_steps = max_steps ? max_steps : DEFAULT_MAX_STEPS;
	set->max_out = max_out ? max_out : DEFAULT_MAX_OUT;
}

static const struct tpl *set_find(const struct tpl_set *set, const char *name, size_t len,
				  uint32_t hash)
{
	for (const struct tpl *t = set->bucket[hash & (set->nbucket - 1)]; t; t = t->next)
		if (t->hash == hash && strlen(t->name) == len && memcmp(t->name, name, len) == 0)
			return t;
	return NULL;
}

static void set_grow(struct tpl_set *set)
{
	size_t nb = set->nbucket * 2;
	struct tpl **bucket = xcalloc(nb, sizeof(*bucket));
	for (size_t b = 0; b < set->nbucket; b++) {
		struct tpl *t = set->bucket[b];
		while (t) {
			struct tpl *next = t->next;
			t->next = bucket[t->hash & (nb - 1)];
			bucket[t->hash & (nb - 1)] = t;
			t = next;
		}
	}
	free(set->bucket);
	set->bucket = bucket;
	set->nbucket = nb;
}

enum hm_err tpl_set_add(struct tpl_set *set, const char *name, const char *src, size_t len,
			char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	struct set_entry *e = xcalloc(1, sizeof(*e));
	struct tpl *t = &e->tpl;
	arena_init(&e->arena);
	enum hm_err rc = compile(name, src, len, &e->arena, t, err, errlen);
	if (rc) {
		entry_free(e);
		return rc;
	}
	struct tpl **pp = &set->bucket[t->hash & (set->nbucket - 1)];
	for (; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->name, name) == 0) {
			struct tpl *old = *pp;
			t->next = old->next;
			*pp = t;
			entry_free((struct set_entry *)old);
			return HM_OK;
		}
	}
	*pp = t;
	if (++set->n > set->nbucket)
		set_grow(set);
	return HM_OK;
}

void tpl_set_foreach_msgid(const struct tpl_set *set, void (*fn)(const char *msgid, void *arg),
			   void *arg)
{
	for (size_t b = 0; b < set->nbucket; b++)
		for (const struct tpl *t = set->bucket[b]; t; t = t->next)
			for (uint32_t i = 0; i < t->nops; i++)
				if (t->ops[i].kind == OP_TRANSLATE)
					fn(t->ops[i].tr->msgid, arg);
}

/* ========================================================== translation */

/* The compiled template for a translated text, from the op's slots without
 * a lock when this text was seen before, else from the set's cache. */
static const struct tpl *tr_lookup(struct tpl_set *set, struct tr_op *tr, const char *text)
{
	for (unsigned k = 0; k < TR_SLOTS; k++) {
		struct tr_slot *s = atomic_load_explicit(&tr->slot[k], memory_order_acquire);
		if (s && s->key == text)
			return s->tpl;
	}

	size_t len = strlen(text);
	uint32_t h = hash_fnv1a32(text, len, HASH_FNV32_INIT);
	const struct tpl *found;
	pthread_mutex_lock(&set->tr_lock);
	struct tr_entry *e = NULL;
	if (set->tr_nbucket)
		for (e = set->tr_bucket[h & (set->tr_nbucket - 1)]; e; e = e->next)
			if (e->hash == h && strcmp(e->text, text) == 0)
				break;
	if (!e) {
		char err[256];
		e = arena_alloc(&set->tr_arena, sizeof(*e));
		e->text = arena_strndup(&set->tr_arena, text, len);
		e->hash = h;
		e->tpl = arena_alloc(&set->tr_arena, sizeof(*e->tpl));
		if (compile("translation", text, len, &set->tr_arena, e->tpl, err, sizeof(err))) {
			log_warn("translation of \"%s\" ignored: %s", tr->msgid, err);
			e->tpl = NULL;
		}
		if (set->tr_n >= set->tr_nbucket) {
			size_t nb = set->tr_nbucket ? set->tr_nbucket * 2 : 64;
			struct tr_entry **bucket = xcalloc(nb, sizeof(*bucket));
			for (size_t b = 0; b < set->tr_nbucket; b++) {
				struct tr_entry *x = set->tr_bucket[b];
				while (x) {
					struct tr_entry *next = x->next;
					x->next = bucket[x->hash & (nb - 1)];
					bucket[x->hash & (nb - 1)] = x;
					x = next;
				}
			}
			free(set->tr_bucket);
			set->tr_bucket = bucket;
			set->tr_nbucket = nb;
		}
		e->next = set->tr_bucket[h & (set->tr_nbucket - 1)];
		set->tr_bucket[h & (set->tr_nbucket - 1)] = e;
		set->tr_n++;
	}
	found = e->tpl ? e->tpl : tr->tpl;
	if (set->nslots < TR_MAX_SLOTS) {
		struct tr_slot *s = arena_alloc(&set->tr_arena, sizeof(*s));
		s->key = text;
		s->tpl = found;
		set->nslots++;
		unsigned k = atomic_fetch_add_explicit(&tr->next, 1, memory_order_relaxed);
		atomic_store_explicit(&tr->slot[k % TR_SLOTS], s, memory_order_release);
	}
	pthread_mutex_unlock(&set->tr_lock);
	return found;
}

/* ============================================================= render */

struct ctx {
	const json_t *v;
	const struct ctx *up;
};

struct indent {
	const char *s;
	size_t len;
	const struct indent *up;
};

/* The blocks a parent call passes down: ops[begin, end) of t. */
struct bframe {
	const struct tpl *t;
	uint32_t begin, end;
	const struct bframe *up;
};

struct rstate {
	struct tpl_set *set;
	const char *lang;
	struct buf *out;
	size_t out_limit; /* out->len may not pass this */
	unsigned long steps;
	const struct indent *indent;
	const struct bframe *blocks;
	int depth;
	bool pending; /* at a line start of template text: indent before output */
};

/* Appends without the NUL that buf_append writes each time: tpl_render
 * terminates the buffer once, when it returns. */
static inline void put(struct buf *b, const char *s, size_t n)
{
	if (b->cap - b->len <= n)
		buf_grow(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

static const unsigned char esc_class[256] = {
	['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
};
static const char *const esc_text[] = {"", "&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
static const unsigned char esc_len[] = {0, 5, 4, 4, 6, 5};

static void put_escaped(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		const unsigned char *run = p;
		/* most text has nothing to escape: test four bytes a step */
		while (end - p >= 4 &&
		       !(esc_class[p[0]] | esc_class[p[1]] | esc_class[p[2]] | esc_class[p[3]]))
			p += 4;
		while (p < end && !esc_class[*p])
			p++;
		put(b, (const char *)run, (size_t)(p - run));
		if (p < end) {
			unsigned k = esc_class[*p++];
			put(b, esc_text[k], esc_len[k]);
		}
	}
}

static void put_indent(struct buf *out, const struct indent *in)
{
	if (!in)
		return;
	put_indent(out, in->up);
	put(out, in->s, in->len);
}

static inline void line_begin(struct rstate *st)
{
	if (st->pending) {
		put_indent(st->out, st->indent);
		st->pending = false;
	}
}

static void put_text_indented(struct rstate *st, const struct op *op)
{
	const char *s = op->s;
	size_t len = op->len;
	while (len) {
		const char *nl = memchr(s, '\n', len);
		size_t n = nl ? (size_t)(nl - s) + 1 : len;
		bool blank = (n == 1 && s[0] == '\n') || (n == 2 && s[0] == '\r' && s[1] == '\n');
		if (!blank)
			line_begin(st);
		put(st->out, s, n);
		st->pending = nl != NULL;
		s += n;
		len -= n;
	}
}

/* items.0 is the first element: a segment of digits indexes an array. */
static inline void put_text(struct rstate *st, const struct op *op)
{
	if (st->indent) {
		put_text_indented(st, op);
	} else if (op->len) {
		put(st->out, op->s, op->len);
		st->pending = op->flags & OPF_NL;
	}
}

static const json_t *array_at(const json_t *a, const char *seg)
{
	size_t k = 0;
	if (!*seg || strlen(seg) > 9)
		return NULL;
	for (; *seg; seg++) {
		if (*seg < '0' || *seg > '9')
			return NULL;
		k = k * 10 + (size_t)(*seg - '0');
	}
	return json_array_get(a, k);
}

static const json_t *lookup(const struct ctx *c, const struct name *nm)
{
	if (nm->n == 0)
		return c->v;
	const json_t *v = NULL;
	for (; c; c = c->up)
		if (json_is_object(c->v) && (v = json_object_getn(c->v, nm->seg[0], nm->seglen[0])))
			break;
	for (unsigned i = 1; v && i < nm->n; i++) {
		if (json_is_object(v))
			v = json_object_getn(v, nm->seg[i], nm->seglen[i]);
		else if (json_is_array(v))
			v = array_at(v, nm->seg[i]);
		else
			v = NULL;
	}
	return v;
}

static bool truthy(const json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return false;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	default:
		return true;
	}
}

/* Shortest %g form that reads back as the same double. */
static int fmt_real(char *b, size_t n, double d)
{
	int len = 0;
	for (int prec = 15; prec <= 17; prec++) {
		len = snprintf(b, n, "%.*g", prec, d);
		if (strtod(b, NULL) == d)
			break;
	}
	return len;
}

static void put_value(struct rstate *st, const json_t *v, bool escape)
{
	char num[40];
	const char *s;
	size_t len;
	if (!v)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		len = json_string_length(v);
		break;
	case JSON_INTEGER:
		len = (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
				       json_integer_value(v));
		s = num;
		break;
	case JSON_REAL:
		len = (size_t)fmt_real(num, sizeof(num), json_real_value(v));
		s = num;
		break;
	case JSON_TRUE:
		s = "true";
		len = 4;
		break;
	case JSON_FALSE:
		s = "false";
		len = 5;
		break;
	default:
		return;
	}
	if (len == 0)
		return;
	line_begin(st);
	if (escape)
		put_escaped(st->out, s, len);
	else
		put(st->out, s, len);
}

static enum hm_err render_ops(struct rstate *st, const struct tpl *t, uint32_t i, uint32_t end,
			      const struct ctx *c);

/* Renders ops[begin, end) of t one level deeper, indented by in when given. */
static enum hm_err render_nested(struct rstate *st, const struct tpl *t, uint32_t begin,
				 uint32_t end, const struct ctx *c, const struct op *site)
{
	struct indent in;
	const struct indent *saved = st->indent;
	if (st->depth >= MAX_DEPTH) {
		log_warn("template '%s': '%.*s' nested deeper than %d", t->name, (int)site->len,
			 site->s ? site->s : "_", MAX_DEPTH);
		return HM_ETOOBIG;
	}
	if (site->flags & (OPF_STANDALONE | OPF_PAIR)) {
		if (site->indent_len) {
			in.s = site->indent;
			in.len = site->indent_len;
			in.up = saved;
			st->indent = &in;
		}
		if (site->flags & OPF_STANDALONE)
			st->pending = true;
	}
	st->depth++;
	enum hm_err rc = render_ops(st, t, begin, end, c);
	st->depth--;
	st->indent = saved;
	return rc;
}

static enum hm_err render_block(struct rstate *st, const struct tpl *t, uint32_t i,
				const struct ctx *c)
{
	const struct op *op = &t->ops[i];
	const struct tpl *bt = t;
	uint32_t begin = i + 1, end = op->end;
	/* the outermost override wins: the page over the layouts it extends */
	for (const struct bframe *f = st->blocks; f; f = f->up) {
		for (uint32_t j = f->begin; j < f->end; j = f->t->ops[j].end) {
			const struct op *o = &f->t->ops[j];
			if (o->len == op->len && memcmp(o->s, op->s, op->len) == 0) {
				bt = f->t;
				begin = j + 1;
				end = o->end;
				break;
			}
		}
	}
	return render_nested(st, bt, begin, end, c, op);
}

static enum hm_err render_ops(struct rstate *st, const struct tpl *t, uint32_t i, uint32_t end,
			      const struct ctx *c)
{
	enum hm_err rc;
	/* the budget is charged for the whole run at once: cheaper than per
	 * op, and every loop passes through here */
	if (end - i > st->steps || st->out->len > st->out_limit) {
		log_warn("template '%s': rendering over its limits", t->name);
		return HM_ETOOBIG;
	}
	st->steps -= end - i;
	while (i < end) {
		const struct op *op = &t->ops[i];
		if (op->kind == OP_TEXT) { /* the most common op, off the jump table */
			put_text(st, op);
			i++;
			continue;
		}
		switch ((enum op_kind)op->kind) {
		case OP_TEXT:
			put_text(st, op);
			break;
		case OP_ESCAPED:
		case OP_RAW:
			put_value(st, lookup(c, &op->name), op->kind == OP_ESCAPED);
			break;
		case OP_SECTION: {
			const json_t *v = lookup(c, &op->name);
			if (!truthy(v))
				break;
			struct ctx sub = {v, c};
			if (json_is_array(v)) {
				size_t n = json_array_size(v);
				for (size_t k = 0; k < n; k++) {
					sub.v = json_array_get(v, k);
					rc = render_ops(st, t, i + 1, op->end, &sub);
					if (rc)
						return rc;
				}
			} else {
				rc = render_ops(st, t, i + 1, op->end, &sub);
				if (rc)
					return rc;
			}
			break;
		}
		case OP_INVERTED:
			if (!truthy(lookup(c, &op->name))) {
				rc = render_ops(st, t, i + 1, op->end, c);
				if (rc)
					return rc;
			}
			break;
		case OP_PARTIAL: {
			const struct tpl *pt = set_find(st->set, op->s, op->len, op->hash);
			if (pt) {
				rc = render_nested(st, pt, 0, pt->nops, c, op);
				if (rc)
					return rc;
			}
			break;
		}
		case OP_PARENT: {
			const struct tpl *pt = set_find(st->set, op->s, op->len, op->hash);
			if (pt) {
				struct bframe f = {t, i + 1, op->end, st->blocks};
				const struct bframe *saved = st->blocks;
				st->blocks = &f;
				rc = render_nested(st, pt, 0, pt->nops, c, op);
				st->blocks = saved;
				if (rc)
					return rc;
			}
			break;
		}
		case OP_BLOCK:
			rc = render_block(st, t, i, c);
			if (rc)
				return rc;
			break;
		case OP_TRANSLATE: {
			struct tr_op *tr = op->tr;
			/* never ask for "": gettext catalogues keep their header there */
			const char *text = st->set->translate && tr->msgid[0]
						   ? st->set->translate(st->lang, tr->msgid)
						   : NULL;
			const struct tpl *tt = tr->tpl;
			if (text && text != tr->msgid && strcmp(text, tr->msgid) != 0)
				tt = tr_lookup(st->set, tr, text);
			if (tt->nops == 1 && tt->ops[0].kind == OP_TEXT) {
				put_text(st, &tt->ops[0]); /* plain text: no need to nest */
				break;
			}
			rc = render_nested(st, tt, 0, tt->nops, c, op);
			if (rc)
				return rc;
			break;
		}
		}
		i = op->end;
	}
	return HM_OK;
}

enum hm_err tpl_render(struct tpl_set *set, const char *name, const json_t *model,
		       const char *lang, struct buf *out)
{
	size_t len = strlen(name);
	const struct tpl *t = set_find(set, name, len, hash_fnv1a32(name, len, HASH_FNV32_INIT));
	if (!t)
		return HM_ENOTFOUND;
	struct rstate st = {
		.set = set,
		.lang = lang,
		.out = out,
		.out_limit = out->len + set->max_out,
		.steps = set->max_steps,
		.pending = true,
	};
	struct ctx root = {model, NULL};
	enum hm_err rc = render_ops(&st, t, 0, t->nops, &root);
	if (out->data)
		out->data[out->len] = '\0';
	return rc;
}

/* ============================================================== escape */

void html_escape(struct buf *out, const char *s, size_t len)
{
	put_escaped(out, s, len);
	if (out->data)
		out->data[out->len] = '\0';
}
