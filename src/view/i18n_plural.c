/*
 * i18n_plural.c — the C-like expression of a catalogue's Plural-Forms
 * header ("nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : …;"), compiled once to
 * postfix code and evaluated per call on a fixed stack. Translators write
 * these rules, so the compiler is strict and bounded: nesting depth and
 * code size are capped, division by zero yields 0, and the rule is checked
 * to pick a valid form for every n up to PLURAL_CHECK_N.
 */
#include "view/i18n_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define PLURAL_MAX_DEPTH 32
#define PLURAL_CHECK_N 1000
#define PLURAL_MAX_CONST 1000000000UL

enum {
	OP_N,	/* push n */
	OP_CONST, /* push val */
	OP_NOT,
	OP_MUL, OP_DIV, OP_MOD, OP_ADD, OP_SUB,
	OP_LT, OP_GT, OP_LE, OP_GE, OP_EQ, OP_NE,
	OP_AND, OP_OR,
	OP_COND /* c a b → c ? a : b; both arms are computed, they have no effects */
};

struct pc {
	const char *s;
	size_t pos;
	int depth;
	struct plural_rule *r;
	char *err;
	size_t errlen;
	int failed;
};

static void pc_fail(struct pc *p, const char *msg)
{
	if (!p->failed)
		snprintf(p->err, p->errlen, "%s at column %zu", msg, p->pos + 1);
	p->failed = 1;
}

static void pc_skip(struct pc *p)
{
	while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
	       p->s[p->pos] == '\r')
		p->pos++;
}

/* Consumes tok (after white space) if it is next. */
static int pc_accept(struct pc *p, const char *tok)
{
	pc_skip(p);
	size_t n = strlen(tok);
	if (strncmp(p->s + p->pos, tok, n) != 0)
		return 0;
	p->pos += n;
	return 1;
}

static void pc_emit(struct pc *p, unsigned char op, unsigned long val)
{
	if (p->failed)
		return;
	if (p->r->nops >= PLURAL_MAX_OPS) {
		pc_fail(p, "plural expression too long");
		return;
	}
	p->r->ops[p->r->nops].op = op;
	p->r->ops[p->r->nops].val = val;
	p->r->nops++;
}

static void pc_cond(struct pc *p);

static int pc_enter(struct pc *p)
{
	if (++p->depth > PLURAL_MAX_DEPTH) {
		pc_fail(p, "plural expression nested too deeply");
		return 0;
	}
	return 1;
}

static void pc_primary(struct pc *p)
{
	pc_skip(p);
	char c = p->s[p->pos];
	if (c == 'n' && !isalnum((unsigned char)p->s[p->pos + 1]) && p->s[p->pos + 1] != '_') {
		p->pos++;
		pc_emit(p, OP_N, 0);
	} else if (c >= '0' && c <= '9') {
		unsigned long v = 0;
		while (p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
			v = v * 10 + (unsigned long)(p->s[p->pos] - '0');
			if (v > PLURAL_MAX_CONST) {
				pc_fail(p, "number too large");
				return;
			}
			p->pos++;
		}
		pc_emit(p, OP_CONST, v);
	} else if (c == '(') {
		p->pos++;
		if (!pc_enter(p))
			return;
		pc_cond(p);
		p->depth--;
		if (!p->failed && !pc_accept(p, ")"))
			pc_fail(p, "expected ')'");
	} else {
		pc_fail(p, "expected n, a number or '('");
	}
}

static void pc_unary(struct pc *p)
{
	pc_skip(p);
	if (p->s[p->pos] == '!' && p->s[p->pos + 1] != '=') {
		p->pos++;
		if (!pc_enter(p))
			return;
		pc_unary(p);
		p->depth--;
		pc_emit(p, OP_NOT, 0);
		return;
	}
	pc_primary(p);
}

/* One precedence level of left-associative binary operators. The table
 * lists longer tokens first so "<=" is not read as "<". */
struct binop {
	const char *tok;
	unsigned char op;
};

static const struct binop lv_mul[] = {{"*", OP_MUL}, {"/", OP_DIV}, {"%", OP_MOD}, {NULL, 0}};
static const struct binop lv_add[] = {{"+", OP_ADD}, {"-", OP_SUB}, {NULL, 0}};
static const struct binop lv_rel[] = {
	{"<=", OP_LE}, {">=", OP_GE}, {"<", OP_LT}, {">", OP_GT}, {NULL, 0}};
static const struct binop lv_eq[] = {{"==", OP_EQ}, {"!=", OP_NE}, {NULL, 0}};
static const struct binop lv_and[] = {{"&&", OP_AND}, {NULL, 0}};
static const struct binop lv_or[] = {{"||", OP_OR}, {NULL, 0}};

static const struct binop *const levels[] = {lv_or, lv_and, lv_eq, lv_rel, lv_add, lv_mul};

static void pc_binary(struct pc *p, size_t level)
{
	if (level == sizeof(levels) / sizeof(levels[0])) {
		pc_unary(p);
		return;
	}
	pc_binary(p, level + 1);
	while (!p->failed) {
		const struct binop *b;
		for (b = levels[level]; b->tok; b++)
			if (pc_accept(p, b->tok))
				break;
		if (!b->tok)
			return;
		pc_binary(p, level + 1);
		pc_emit(p, b->op, 0);
	}
}

static void pc_cond(struct pc *p)
{
	pc_binary(p, 0);
	if (p->failed || !pc_accept(p, "?"))
		return;
	if (!pc_enter(p))
		return;
	pc_cond(p);
	if (!p->failed && !pc_accept(p, ":"))
		pc_fail(p, "expected ':'");
	if (!p->failed)
		pc_cond(p);
	p->depth--;
	pc_emit(p, OP_COND, 0);
}

static unsigned long plural_run(const struct plural_rule *r, unsigned long n)
{
	unsigned long st[PLURAL_MAX_OPS];
	unsigned sp = 0;
	for (unsigned i = 0; i < r->nops; i++) {
		unsigned char op = r->ops[i].op;
		if (op == OP_N) {
			st[sp++] = n;
			continue;
		}
		if (op == OP_CONST) {
			st[sp++] = r->ops[i].val;
			continue;
		}
		if (op == OP_NOT) {
			st[sp - 1] = !st[sp - 1];
			continue;
		}
		if (op == OP_COND) {
			unsigned long b = st[--sp], a = st[--sp], c = st[sp - 1];
			st[sp - 1] = c ? a : b;
			continue;
		}
		unsigned long b = st[--sp], a = st[sp - 1], v;
		switch (op) {
		case OP_MUL: v = a * b; break;
		case OP_DIV: v = b ? a / b : 0; break;
		case OP_MOD: v = b ? a % b : 0; break;
		case OP_ADD: v = a + b; break;
		case OP_SUB: v = a - b; break;
		case OP_LT: v = a < b; break;
		case OP_GT: v = a > b; break;
		case OP_LE: v = a <= b; break;
		case OP_GE: v = a >= b; break;
		case OP_EQ: v = a == b; break;
		case OP_NE: v = a != b; break;
		case OP_AND: v = a && b; break;
		default: v = a || b; break;
		}
		st[sp - 1] = v;
	}
	return st[0];
}

unsigned plural_eval(const struct plural_rule *r, unsigned long n)
{
	unsigned long v = plural_run(r, n);
	return v < r->nplurals ? (unsigned)v : 0;
}

void plural_default(struct plural_rule *r)
{
	r->nplurals = 2;
	r->nops = 3;
	r->ops[0] = (struct plural_op){OP_N, 0};
	r->ops[1] = (struct plural_op){OP_CONST, 1};
	r->ops[2] = (struct plural_op){OP_NE, 0};
}

int plural_compile(struct plural_rule *r, const char *spec, char *err, size_t errlen)
{
	struct pc p = {.s = spec, .r = r, .err = err, .errlen = errlen};
	memset(r, 0, sizeof(*r));
	if (!pc_accept(&p, "nplurals") || !pc_accept(&p, "=")) {
		pc_fail(&p, "expected 'nplurals='");
		return -1;
	}
	pc_skip(&p);
	unsigned long np = 0;
	size_t digits = 0;
	while (spec[p.pos] >= '0' && spec[p.pos] <= '9' && digits < 3) {
		np = np * 10 + (unsigned long)(spec[p.pos++] - '0');
		digits++;
	}
	if (digits == 0 || np < 1 || np > PLURAL_MAX_FORMS) {
		pc_fail(&p, "nplurals must be 1 to 8");
		return -1;
	}
	r->nplurals = (unsigned)np;
	if (!pc_accept(&p, ";") || !pc_accept(&p, "plural") || !pc_accept(&p, "=")) {
		pc_fail(&p, "expected '; plural='");
		return -1;
	}
	pc_cond(&p);
	if (p.failed)
		return -1;
	pc_accept(&p, ";");
	pc_skip(&p);
	if (spec[p.pos] != '\0') {
		pc_fail(&p, "unexpected text after plural expression");
		return -1;
	}
	for (unsigned long n = 0; n <= PLURAL_CHECK_N; n++) {
		unsigned long v = plural_run(r, n);
		if (v >= r->nplurals) {
			snprintf(err, errlen, "plural expression gives form %lu for n=%lu, beyond nplurals=%u",
				 v, n, r->nplurals);
			return -1;
		}
	}
	return 0;
}
