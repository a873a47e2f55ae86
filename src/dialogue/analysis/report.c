/*
 * report.c — JSON and text renderings of an analysis. The JSON writer is
 * ours rather than jansson's so that doubles print in shortest round-trip
 * form and keys come in a fixed order: the same input gives the same bytes.
 */
#include "dialogue/analysis/report.h"
#include "dialogue/analysis/par.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ---- */

/* Room for n more bytes at the end of b. */
static inline char *out_reserve(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap)
		buf_grow(b, n);
	return b->data + b->len;
}

/* Ends a direct write of n bytes (keeps the buffer NUL-terminated). */
static inline void out_commit(struct buf *b, size_t n)
{
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void out_byte(struct buf *b, char c)
{
	*out_reserve(b, 1) = c;
	out_commit(b, 1);
}

static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				     "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				     "8081828384858687888990919293949596979899";

/* v in decimal at p (no NUL); returns the length. */
static size_t fmt_u64(char *p, uint64_t v)
{
	if (v < 10) { /* most counts */
		*p = (char)('0' + v);
		return 1;
	}
	if (v < 100) {
		p[0] = digit_pairs[2 * v];
		p[1] = digit_pairs[2 * v + 1];
		return 2;
	}
	char tmp[20];
	size_t n = sizeof(tmp);
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100);
		v /= 100;
		tmp[--n] = digit_pairs[2 * d + 1];
		tmp[--n] = digit_pairs[2 * d];
	}
	if (v >= 10) {
		tmp[--n] = digit_pairs[2 * v + 1];
		tmp[--n] = digit_pairs[2 * v];
	} else {
		tmp[--n] = (char)('0' + v);
	}
	memcpy(p, tmp + n, sizeof(tmp) - n);
	return sizeof(tmp) - n;
}

/* "%lld" of v. */
static size_t fmt_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p = '-';
		return 1 + fmt_u64(p + 1, 0 - (uint64_t)v);
	}
	return fmt_u64(p, (uint64_t)v);
}

static void out_i64(struct buf *b, int64_t v)
{
	out_commit(b, fmt_i64(out_reserve(b, 24), v));
}

/* The old way, one precision: "%.*g", and whether it reads back as x. */
static int g_libc(char *out, size_t cap, int prec, double x)
{
	snprintf(out, cap, "%.*g", prec, x);
	return strtod(out, NULL) == x;
}

/*
 * "%.*g" of the P significant digits d[0..P) ('0'-'9', d[0] != '0')
 * with decimal exponent e (value d.ddd × 10^e), as printf writes it:
 * style e when e < −4 or e ≥ P, else style f; trailing zeros removed.
 */
static size_t g_format(char *out, int neg, const char *d, int P, int e)
{
	char *p = out;
	int nd = P;
	while (nd > 1 && d[nd - 1] == '0')
		nd--;
	if (neg)
		*p++ = '-';
	if (e < -4 || e >= P) {
		*p++ = d[0];
		if (nd > 1) {
			*p++ = '.';
			memcpy(p, d + 1, (size_t)nd - 1);
			p += nd - 1;
		}
		*p++ = 'e';
		*p++ = e < 0 ? '-' : '+';
		unsigned ae = (unsigned)(e < 0 ? -e : e);
		if (ae < 10)
			*p++ = '0';
		p += fmt_u64(p, ae);
	} else if (e >= 0) {
		for (int i = 0; i <= e; i++)
			*p++ = i < nd ? d[i] : '0';
		if (nd > e + 1) {
			*p++ = '.';
			memcpy(p, d + e + 1, (size_t)(nd - e - 1));
			p += nd - e - 1;
		}
	} else {
		*p++ = '0';
		*p++ = '.';
		for (int i = 0; i < -e - 1; i++)
			*p++ = '0';
		memcpy(p, d, (size_t)nd);
		p += nd;
	}
	return (size_t)(p - out);
}

/* Whether the decimal d[0..P) × 10^(e − P + 1) reads back as ax (> 0):
 * with at most 2^53 as the integer and |power| ≤ 22 both are exact
 * doubles and one IEEE multiply or divide is the correctly rounded
 * result strtod gives; otherwise strtod itself. */
static int reads_back(const char *d, int P, int e, double ax)
{
	static const double pow10[23] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
					  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
					  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	uint64_t m = 0;
	int k = e - P + 1;
	for (int i = 0; i < P; i++)
		m = m * 10 + (uint64_t)(d[i] - '0');
#if FLT_EVAL_METHOD == 0
	if (m <= (UINT64_C(1) << 53) && k >= -22 && k <= 22)
		return (k >= 0 ? (double)m * pow10[k] : (double)m / pow10[-k]) == ax;
#endif
	char tmp[48];
	memcpy(tmp, d, (size_t)P);
	snprintf(tmp + P, sizeof(tmp) - (size_t)P, "e%d", k);
	return strtod(tmp, NULL) == ax;
}

/*
 * The first of "%.15g", "%.16g", "%.17g" that reads back as x, as the
 * loop "for prec in 15..17: snprintf, stop if strtod gives x back" would
 * write it, from one "%.16e": its 17 correctly rounded digits give the
 * 16- and 15-digit roundings whenever the dropped digits are not exactly
 * the halfway 5 / 50 (the true tail then lies on the same side of half);
 * on that tie the precision goes through snprintf as before.
 */
#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;

/*
 * The 17 significant digits of ax (finite, > 0) correctly rounded, as
 * "%.16e" gives them, and the decimal exponent: exact integer arithmetic
 * for 1e-6 <= ax < 1e17, where ax·10^s (s = 16 − exponent <= 22) takes
 * at most 127 bits; ties to even, as glibc rounds. Returns 0 outside
 * that range.
 */
static int digits17(double ax, char d[17], int *exp10)
{
	static const uint64_t p10[20] = { 1ULL,
					  10ULL,
					  100ULL,
					  1000ULL,
					  10000ULL,
					  100000ULL,
					  1000000ULL,
					  10000000ULL,
					  100000000ULL,
					  1000000000ULL,
					  10000000000ULL,
					  100000000000ULL,
					  1000000000000ULL,
					  10000000000000ULL,
					  100000000000000ULL,
					  1000000000000000ULL,
					  10000000000000000ULL,
					  100000000000000000ULL,
					  1000000000000000000ULL,
					  10000000000000000000ULL };
	if (!(ax >= 1e-6 && ax < 1e17))
		return 0;
	int be;
	double fr = frexp(ax, &be); /* ax = fr·2^be, 0.5 <= fr < 1 */
	uint64_t m = (uint64_t)ldexp(fr, 53);
	int sh = be - 53; /* ax = m·2^sh exactly */
	/* first guess of the exponent, corrected below */
	int E = (int)floor(log10(ax));
	for (int tries = 0; tries < 3; tries++) {
		int s = 16 - E;
		if (s < 0 || s > 22)
			return 0;
		u128 n = (u128)m * p10[s > 19 ? 19 : s];
		if (s > 19)
			n *= p10[s - 19];
		uint64_t q;
		int up = 0;
		if (sh >= 0) {
			if (sh > 10)
				return 0;
			u128 v = n << sh;
			if (v >> 64)
				return 0;
			q = (uint64_t)v;
		} else {
			int r = -sh;
			if (r >= 127)
				return 0;
			u128 whole = n >> r, rem = n - (whole << r), half = (u128)1 << (r - 1);
			if (whole >> 64)
				return 0;
			q = (uint64_t)whole;
			up = rem > half || (rem == half && (q & 1));
		}
		/* the exponent is right when the digits before rounding are 17 */
		if (q >= p10[17]) {
			E++;
			continue;
		}
		if (q < p10[16]) {
			E--;
			continue;
		}
		q += (uint64_t)up;
		if (q == p10[17]) {
			/* 9.99…95 rounded up: 1.000… a decade up */
			q = p10[16];
			E++;
		}
		for (int i = 16; i >= 0; i--) {
			d[i] = (char)('0' + q % 10);
			q /= 10;
		}
		*exp10 = E;
		return 1;
	}
	return 0;
}
#endif

static size_t fmt_double(char *out, size_t cap, double x)
{
	char e17[40], d[17];
	int neg = x < 0, e;
	double ax = fabs(x);
#ifdef __SIZEOF_INT128__
	if (!digits17(ax, d, &e))
#endif
	{
		snprintf(e17, sizeof(e17), "%.16e", x);
		const char *q = e17 + neg;
		d[0] = q[0];
		memcpy(d + 1, q + 2, 16);
		e = atoi(q + 19);
	}
	for (int P = 15; P <= 16; P++) {
		char r[17];
		int re = e, tail = P == 15 ? (d[15] - '0') * 10 + (d[16] - '0') : d[16] - '0';
		int half = P == 15 ? 50 : 5;
		if (tail == half) {
			if (g_libc(out, cap, P, x))
				return strlen(out);
			continue;
		}
		memcpy(r, d, (size_t)P);
		if (tail > half) {
			int i = P - 1;
			while (i >= 0 && r[i] == '9')
				r[i--] = '0';
			if (i >= 0) {
				r[i]++;
			} else {
				r[0] = '1'; /* 9.99… rounds to 10.0…: one more digit before the point */
				re++;
			}
		}
		if (reads_back(r, P, re, ax))
			return g_format(out, neg, r, P, re);
	}
	return g_format(out, neg, d, 17, e);
}

void report_double(struct buf *out, double x)
{
	if (!isfinite(x)) {
		buf_puts(out, "null");
		return;
	}
	if (x == 0.0) {
		out_byte(out, '0');
		return;
	}
	char *p = out_reserve(out, 40);
	out_commit(out, fmt_double(p, 40, x));
}

/* ---- a tiny JSON writer ---- */

struct jw {
	struct buf *b;
	int depth;
	int after_key; /* the next value follows "key": directly */
	int first[64];
};

static void jw_sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth])
			out_byte(w->b, ',');
		w->first[w->depth] = 0;
		/* one line per top-level key keeps diffs readable */
		if (w->depth == 1)
			out_byte(w->b, '\n');
	}
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static int utf8_len(const unsigned char *p)
{
	int n = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (!n || (n == 2 && p[0] < 0xC2) || (n == 4 && p[0] > 0xF4))
		return 0;
	for (int i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	if ((n == 3 && p[0] == 0xE0 && p[1] < 0xA0) || (n == 3 && p[0] == 0xED && p[1] >= 0xA0) ||
	    (n == 4 && p[0] == 0xF0 && p[1] < 0x90) || (n == 4 && p[0] == 0xF4 && p[1] >= 0x90))
		return 0;
	return n;
}

/* A JSON string; bytes that are not UTF-8 become U+FFFD. */
static void jw_strraw(struct buf *b, const char *s)
{
	out_byte(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		/* printable ASCII other than " and \ goes out as it is, a run at once */
		const unsigned char *run = p;
		while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		if (p > run) {
			buf_append(b, run, (size_t)(p - run));
			continue;
		}
		int n = utf8_len(p);
		if (!n) {
			buf_puts(b, "\\ufffd");
			p++;
		} else if (*p == '"' || *p == '\\') {
			out_byte(b, '\\');
			out_byte(b, (char)*p++);
		} else if (*p < 0x20) {
			buf_printf(b, "\\u%04x", *p++);
		} else {
			buf_append(b, p, (size_t)n);
			p += n;
		}
	}
	out_byte(b, '"');
}

static void jw_k(struct jw *w, const char *k)
{
	jw_sep(w);
	jw_strraw(w->b, k);
	out_byte(w->b, ':');
	w->after_key = 1;
}

/* An integer as a key: "123": (digits need no escaping). */
static void jw_ki(struct jw *w, int64_t k)
{
	jw_sep(w);
	char *p = out_reserve(w->b, 28);
	size_t n = fmt_i64(p + 1, k);
	p[0] = '"';
	p[n + 1] = '"';
	p[n + 2] = ':';
	out_commit(w->b, n + 3);
	w->after_key = 1;
}

static void jw_open(struct jw *w, char c)
{
	jw_sep(w);
	out_byte(w->b, c);
	w->first[++w->depth] = 1;
}

static void jw_close(struct jw *w, char c)
{
	if (w->depth == 1)
		out_byte(w->b, '\n');
	w->depth--;
	out_byte(w->b, c);
}

static void jw_obj(struct jw *w)
{
	jw_open(w, '{');
}

static void jw_arr(struct jw *w)
{
	jw_open(w, '[');
}

static void jw_end_obj(struct jw *w)
{
	jw_close(w, '}');
}

static void jw_end_arr(struct jw *w)
{
	jw_close(w, ']');
}

static void jw_int(struct jw *w, int64_t v)
{
	jw_sep(w);
	out_i64(w->b, v);
}

/* [v[0],v[stride],…] of n counts: the bytes jw_arr, jw_int… and
 * jw_end_arr write, in one go. */
static void jw_u32_array(struct jw *w, const uint32_t *v, size_t stride, uint32_t n)
{
	jw_sep(w);
	char *p0 = out_reserve(w->b, (size_t)n * 11 + 2), *p = p0;
	*p++ = '[';
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		p += fmt_u64(p, v[(size_t)i * stride]);
	}
	*p++ = ']';
	out_commit(w->b, (size_t)(p - p0));
}

static void jw_dbl(struct jw *w, double v)
{
	jw_sep(w);
	report_double(w->b, v);
}

static void jw_str(struct jw *w, const char *s)
{
	jw_sep(w);
	if (s)
		jw_strraw(w->b, s);
	else
		buf_puts(w->b, "null");
}

static void jw_bool(struct jw *w, int v)
{
	jw_sep(w);
	buf_puts(w->b, v ? "true" : "false");
}

/* ---- JSON sections ---- */

static void json_rep_item(struct jw *w, const struct dataset *d, const struct repness_item *it,
			  int repness_fields)
{
	jw_obj(w);
	jw_k(w, "tid");
	jw_int(w, d->stmt_id[it->tid]);
	jw_k(w, "n-success");
	jw_int(w, it->n_success);
	jw_k(w, "n-trials");
	jw_int(w, it->n_trials);
	jw_k(w, "p-success");
	jw_dbl(w, it->p_success);
	jw_k(w, "p-test");
	jw_dbl(w, it->p_test);
	if (repness_fields) {
		jw_k(w, "repness");
		jw_dbl(w, it->repness);
		jw_k(w, "repness-test");
		jw_dbl(w, it->repness_test);
		jw_k(w, "repful-for");
		jw_str(w, it->agree ? "agree" : "disagree");
		if (it->best_agree) {
			jw_k(w, "best-agree");
			jw_bool(w, 1);
			jw_k(w, "n-agree");
			jw_int(w, it->n_agree);
		}
	}
	jw_end_obj(w);
}

static void json_bridging(struct jw *w, const struct dataset *d, const struct analysis_result *r,
			  const struct bridging_result *br)
{
	jw_k(w, "bridging");
	jw_obj(w);
	jw_k(w, "mu");
	jw_dbl(w, br->mu);
	jw_k(w, "loss");
	jw_dbl(w, br->loss);
	jw_k(w, "sweeps");
	jw_int(w, br->sweeps);
	jw_k(w, "converged");
	jw_bool(w, br->converged);
	jw_k(w, "n-ratings");
	jw_int(w, (int64_t)br->n_ratings);
	jw_k(w, "n-fitted-participants");
	jw_int(w, br->n_fitted_participants);
	jw_k(w, "n-fitted-statements");
	jw_int(w, br->n_fitted_statements);
	jw_k(w, "n-bridging");
	jw_int(w, br->n_bridging);
	jw_k(w, "statements");
	jw_obj(w);
	for (uint32_t t = 0; t < r->n_stmts && t < br->n_statements; t++) {
		const struct bridging_statement *s = &br->statements[t];
		if (!r->use_col[t])
			continue;
		jw_ki(w, d->stmt_id[t]);
		jw_obj(w);
		jw_k(w, "fitted");
		jw_bool(w, s->fitted);
		jw_k(w, "n-ratings");
		jw_int(w, s->n_ratings);
		jw_k(w, "intercept");
		jw_dbl(w, s->intercept);
		jw_k(w, "factor");
		jw_dbl(w, s->factor);
		jw_k(w, "net-agree-pos");
		jw_int(w, s->net_agree_pos);
		jw_k(w, "net-agree-neg");
		jw_int(w, s->net_agree_neg);
		jw_k(w, "bridging");
		jw_bool(w, s->bridging);
		jw_end_obj(w);
	}
	jw_end_obj(w);
	jw_end_obj(w);
}

static void json_declared(struct jw *w, const struct dataset *d, const struct analysis_result *r,
			  const struct report_declared *dc)
{
	jw_k(w, "declared");
	jw_obj(w);
	for (uint32_t a = 0; a < dc->attrs->n_attrs; a++) {
		const struct declared_result *res = &dc->res[a];
		jw_k(w, dc->attrs->attr_name[a]);
		jw_obj(w);
		jw_k(w, "min-votes");
		jw_int(w, res->min_votes);
		jw_k(w, "groups");
		jw_arr(w);
		for (uint32_t g = 0; g < res->n_groups; g++) {
			const struct declared_group_result *gr = &res->groups[g];
			jw_obj(w);
			jw_k(w, "name");
			jw_str(w, dc->attrs->value_name[a][g]);
			jw_k(w, "n-members");
			jw_int(w, gr->n_members);
			jw_k(w, "n-voters");
			jw_int(w, gr->n_voters);
			jw_k(w, "insufficient");
			jw_bool(w, gr->insufficient);
			jw_k(w, "repness");
			jw_arr(w);
			for (uint32_t i = 0; i < gr->n_reps; i++) {
				const struct declared_rep *rp = &gr->reps[i];
				jw_obj(w);
				jw_k(w, "tid");
				jw_int(w, d->stmt_id[rp->tid]);
				jw_k(w, "n-success");
				jw_int(w, rp->n_success);
				jw_k(w, "n-trials");
				jw_int(w, rp->n_trials);
				jw_k(w, "p-success");
				jw_dbl(w, rp->p_success);
				jw_k(w, "p-test");
				jw_dbl(w, rp->p_test);
				jw_k(w, "repness");
				jw_dbl(w, rp->repness);
				jw_k(w, "repness-test");
				jw_dbl(w, rp->repness_test);
				jw_k(w, "repful-for");
				jw_str(w, rp->repful_for > 0 ? "agree" : "disagree");
				if (rp->best_agree) {
					jw_k(w, "best-agree");
					jw_bool(w, 1);
				}
				jw_end_obj(w);
			}
			jw_end_arr(w);
			jw_end_obj(w);
		}
		jw_end_arr(w);
		jw_k(w, "consensus");
		jw_obj(w);
		for (uint32_t t = 0; t < res->n_statements; t++) {
			const struct declared_statement *s = &res->statements[t];
			if (!r->use_col[t])
				continue;
			jw_ki(w, d->stmt_id[t]);
			jw_obj(w);
			jw_k(w, "gac");
			jw_dbl(w, s->gac);
			jw_k(w, "gac-geomean");
			jw_dbl(w, s->gac_geomean);
			jw_k(w, "min-lower");
			jw_dbl(w, s->min_lower);
			jw_k(w, "min-lower-group");
			if (s->min_lower_group >= 0)
				jw_str(w, dc->attrs->value_name[a][s->min_lower_group]);
			else
				jw_str(w, NULL);
			jw_k(w, "n-sufficient");
			jw_int(w, s->n_sufficient);
			jw_k(w, "insufficient");
			jw_arr(w);
			for (uint32_t g = 0; g < res->n_groups; g++)
				if (res->counts[(size_t)g * res->n_statements + t].seen < res->min_votes)
					jw_str(w, dc->attrs->value_name[a][g]);
			jw_end_arr(w);
			jw_end_obj(w);
		}
		jw_end_obj(w);
		jw_end_obj(w);
	}
	jw_end_obj(w);
}

/* The "participants" entries of part p of the participants (an nth of
 * them each), into their own buffer, comma separated: the bytes one
 * writer makes inside that object. */
struct ptpt_json {
	const struct report_in *in;
	unsigned n_parts;
	struct buf b[PAR_MAX];
};

static void participants_part(void *ctx, unsigned p)
{
	struct ptpt_json *pj = ctx;
	const struct dataset *d = pj->in->d;
	const struct analysis_result *r = pj->in->r;
	uint32_t lo = (uint32_t)((uint64_t)r->n_ptpts * p / pj->n_parts);
	uint32_t hi = (uint32_t)((uint64_t)r->n_ptpts * (p + 1) / pj->n_parts);
	struct jw w;
	memset(&w, 0, sizeof(w));
	buf_init(&pj->b[p]);
	buf_grow(&pj->b[p], (size_t)(hi - lo) * 72); /* "id":{"x":…,"y":…,"group":…} */
	w.b = &pj->b[p];
	w.depth = 2; /* inside the object, as the writer is there */
	w.first[2] = 1;
	for (uint32_t i = lo; i < hi; i++) {
		if (!r->user_votes[i])
			continue;
		jw_ki(&w, d->ptpt_id[i]);
		jw_obj(&w);
		jw_k(&w, "x");
		jw_dbl(&w, r->proj[2 * i]);
		jw_k(&w, "y");
		jw_dbl(&w, r->proj[2 * i + 1]);
		jw_k(&w, "group");
		if (r->ptpt_group[i] >= 0)
			jw_int(&w, r->groups.id[r->ptpt_group[i]]);
		else
			jw_str(&w, NULL);
		jw_end_obj(&w);
	}
}

void report_json(struct buf *out, const struct report_in *in)
{
	const struct dataset *d = in->d;
	const struct analysis_result *r = in->r;
	struct jw w = { .b = out };
	uint32_t ns = r->n_stmts, ng = r->groups.n;

	jw_obj(&w);
	jw_k(&w, "harmony");
	jw_obj(&w);
	jw_k(&w, "mode");
	jw_str(&w, r->mode == ANALYSIS_COMPAT ? "compat" : "scale");
	jw_k(&w, "sign");
	jw_str(&w, "agree=+1");
	jw_k(&w, "participants");
	jw_int(&w, r->n_rows);
	jw_k(&w, "statements");
	jw_int(&w, r->n_cols);
	jw_k(&w, "votes");
	jw_int(&w, (int64_t)r->n_votes);
	jw_k(&w, "pca-products");
	jw_int(&w, r->pca_products);
	jw_k(&w, "k-silhouette");
	jw_obj(&w);
	for (uint32_t k = 2; k <= ANALYSIS_MAX_K; k++)
		if (!isnan(r->silhouette[k])) {
			jw_ki(&w, k);
			jw_dbl(&w, r->silhouette[k]);
		}
	jw_end_obj(&w);
	jw_k(&w, "k-best");
	jw_int(&w, r->k_best);
	jw_k(&w, "k-used");
	jw_int(&w, r->k_used);
	if (in->compare) {
		const struct report_compare *c = in->compare;
		jw_k(&w, "polis-groups");
		jw_obj(&w);
		jw_k(&w, "n-common");
		jw_int(&w, c->n_common);
		jw_k(&w, "n-groups-harmony");
		jw_int(&w, c->n_groups_harmony);
		jw_k(&w, "n-groups-polis");
		jw_int(&w, c->n_groups_polis);
		jw_k(&w, "adjusted-rand-index");
		jw_dbl(&w, c->ari);
		jw_k(&w, "silhouette-harmony");
		jw_dbl(&w, c->silhouette_harmony);
		jw_k(&w, "silhouette-polis");
		jw_dbl(&w, c->silhouette_polis);
		jw_end_obj(&w);
	}
	jw_end_obj(&w);

	jw_k(&w, "n");
	jw_int(&w, r->n_rows);
	jw_k(&w, "n-cmts");
	jw_int(&w, r->n_cols);
	jw_k(&w, "tids");
	jw_arr(&w);
	for (uint32_t t = 0; t < ns; t++)
		if (r->use_col[t])
			jw_int(&w, d->stmt_id[t]);
	jw_end_arr(&w);
	jw_k(&w, "mod-out");
	jw_arr(&w);
	for (uint32_t t = 0; t < ns; t++)
		if (r->mod_out[t])
			jw_int(&w, d->stmt_id[t]);
	jw_end_arr(&w);
	jw_k(&w, "mod-in");
	jw_arr(&w);
	for (uint32_t t = 0; t < ns; t++)
		if (d->stmt_mod[t] == 1 || d->stmt_meta[t])
			jw_int(&w, d->stmt_id[t]);
	jw_end_arr(&w);
	jw_k(&w, "meta-tids");
	jw_arr(&w);
	for (uint32_t t = 0; t < ns; t++)
		if (r->is_meta[t])
			jw_int(&w, d->stmt_id[t]);
	jw_end_arr(&w);
	jw_k(&w, "user-vote-counts");
	jw_obj(&w);
	for (uint32_t p = 0; p < r->n_ptpts; p++)
		if (r->user_votes[p]) {
			jw_ki(&w, d->ptpt_id[p]);
			jw_int(&w, r->user_votes[p]);
		}
	jw_end_obj(&w);
	jw_k(&w, "in-conv");
	jw_arr(&w);
	for (uint32_t p = 0; p < r->n_ptpts; p++)
		if (r->in_conv[p])
			jw_int(&w, d->ptpt_id[p]);
	jw_end_arr(&w);

	jw_k(&w, "pca");
	jw_obj(&w);
	jw_k(&w, "center");
	jw_arr(&w);
	for (uint32_t t = 0; t < ns; t++)
		if (r->use_col[t])
			jw_dbl(&w, r->center[t]);
	jw_end_arr(&w);
	jw_k(&w, "comps");
	jw_arr(&w);
	for (uint32_t c = 0; c < 2; c++) {
		jw_arr(&w);
		for (uint32_t t = 0; t < ns; t++)
			if (r->use_col[t])
				jw_dbl(&w, r->comps[(size_t)c * ns + t]);
		jw_end_arr(&w);
	}
	jw_end_arr(&w);
	jw_k(&w, "comment-projection");
	jw_arr(&w);
	for (uint32_t c = 0; c < 2; c++) {
		jw_arr(&w);
		for (uint32_t t = 0; t < ns; t++)
			if (r->use_col[t])
				jw_dbl(&w, r->cmt_proj[2 * t + c]);
		jw_end_arr(&w);
	}
	jw_end_arr(&w);
	jw_k(&w, "comment-extremity");
	jw_arr(&w);
	for (uint32_t t = 0; t < ns; t++)
		if (r->use_col[t])
			jw_dbl(&w, r->cmt_extremity[t]);
	jw_end_arr(&w);
	jw_end_obj(&w);

	jw_k(&w, "base-clusters");
	jw_obj(&w);
	jw_k(&w, "id");
	jw_arr(&w);
	for (uint32_t b = 0; b < r->base.n; b++)
		jw_int(&w, r->base.id[b]);
	jw_end_arr(&w);
	jw_k(&w, "members");
	jw_arr(&w);
	for (uint32_t b = 0; b < r->base.n; b++) {
		jw_arr(&w);
		for (uint32_t k = r->base.mptr[b]; k < r->base.mptr[b + 1]; k++)
			jw_int(&w, d->ptpt_id[r->base.members[k]]);
		jw_end_arr(&w);
	}
	jw_end_arr(&w);
	for (int c = 0; c < 2; c++) {
		jw_k(&w, c ? "y" : "x");
		jw_arr(&w);
		for (uint32_t b = 0; b < r->base.n; b++)
			jw_dbl(&w, r->base.center[2 * b + c]);
		jw_end_arr(&w);
	}
	jw_k(&w, "count");
	jw_arr(&w);
	for (uint32_t b = 0; b < r->base.n; b++)
		jw_int(&w, r->base.mptr[b + 1] - r->base.mptr[b]);
	jw_end_arr(&w);
	jw_end_obj(&w);

	jw_k(&w, "group-clusters");
	jw_arr(&w);
	for (uint32_t g = 0; g < ng; g++) {
		jw_obj(&w);
		jw_k(&w, "id");
		jw_int(&w, r->groups.id[g]);
		jw_k(&w, "members");
		jw_arr(&w);
		for (uint32_t k = r->groups.mptr[g]; k < r->groups.mptr[g + 1]; k++)
			jw_int(&w, r->groups.members[k]);
		jw_end_arr(&w);
		jw_k(&w, "center");
		jw_arr(&w);
		jw_dbl(&w, r->groups.center[2 * g]);
		jw_dbl(&w, r->groups.center[2 * g + 1]);
		jw_end_arr(&w);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);

	if (r->ba) {
		jw_k(&w, "votes-base");
		jw_obj(&w);
		for (uint32_t t = 0; t < ns; t++) {
			if (!r->use_col[t])
				continue;
			jw_ki(&w, d->stmt_id[t]);
			jw_obj(&w);
			const uint32_t *arrs[3] = { r->ba, r->bd, r->bs };
			const char *names[3] = { "A", "D", "S" };
			for (int a = 0; a < 3; a++) {
				jw_k(&w, names[a]);
				jw_u32_array(&w, arrs[a] + t, ns, r->base.n);
			}
			jw_end_obj(&w);
		}
		jw_end_obj(&w);
	}

	jw_k(&w, "group-votes");
	jw_obj(&w);
	for (uint32_t g = 0; g < ng; g++) {
		jw_ki(&w, r->groups.id[g]);
		jw_obj(&w);
		jw_k(&w, "n-members");
		jw_int(&w, r->group_size[g]);
		jw_k(&w, "votes");
		jw_obj(&w);
		for (uint32_t t = 0; t < ns; t++) {
			if (!r->use_col[t])
				continue;
			size_t at = (size_t)g * ns + t;
			jw_ki(&w, d->stmt_id[t]);
			jw_obj(&w);
			jw_k(&w, "A");
			jw_int(&w, r->ga[at]);
			jw_k(&w, "D");
			jw_int(&w, r->gd[at]);
			jw_k(&w, "S");
			jw_int(&w, r->gs[at]);
			jw_end_obj(&w);
		}
		jw_end_obj(&w);
		jw_end_obj(&w);
	}
	jw_end_obj(&w);

	jw_k(&w, "repness");
	jw_obj(&w);
	for (uint32_t g = 0; g < ng; g++) {
		jw_ki(&w, r->groups.id[g]);
		jw_arr(&w);
		for (uint32_t i = 0; i < r->n_repness[g]; i++)
			json_rep_item(&w, d, &r->repness[(size_t)g * REPNESS_TOP + i], 1);
		jw_end_arr(&w);
	}
	jw_end_obj(&w);

	jw_k(&w, "consensus");
	jw_obj(&w);
	jw_k(&w, "agree");
	jw_arr(&w);
	for (uint32_t i = 0; i < r->n_cons_agree; i++)
		json_rep_item(&w, d, &r->cons_agree[i], 0);
	jw_end_arr(&w);
	jw_k(&w, "disagree");
	jw_arr(&w);
	for (uint32_t i = 0; i < r->n_cons_disagree; i++)
		json_rep_item(&w, d, &r->cons_disagree[i], 0);
	jw_end_arr(&w);
	jw_end_obj(&w);

	jw_k(&w, "group-aware-consensus");
	jw_obj(&w);
	for (uint32_t t = 0; t < ns; t++)
		if (r->use_col[t]) {
			jw_ki(&w, d->stmt_id[t]);
			jw_dbl(&w, r->gac[t]);
		}
	jw_end_obj(&w);
	jw_k(&w, "comment-priorities");
	jw_obj(&w);
	for (uint32_t t = 0; t < ns; t++)
		if (r->use_col[t]) {
			jw_ki(&w, d->stmt_id[t]);
			jw_dbl(&w, r->priority[t]);
		}
	jw_end_obj(&w);

	/* harmony's additions: participants' positions and groups, the
	 * largest key (two thirds of the bytes at 10^5 participants): its
	 * parts are written side by side, then joined in order */
	jw_k(&w, "participants");
	jw_obj(&w);
	struct ptpt_json pj = { .in = in, .n_parts = r->n_ptpts >= (1u << 14) ? par_threads() : 1 };
	par_run(pj.n_parts, participants_part, &pj);
	for (unsigned p = 0; p < pj.n_parts; p++) {
		if (pj.b[p].len) {
			if (!w.first[w.depth])
				out_byte(w.b, ',');
			buf_append(w.b, pj.b[p].data, pj.b[p].len);
			w.first[w.depth] = 0;
		}
		buf_free(&pj.b[p]);
	}
	jw_end_obj(&w);
	jw_k(&w, "groups");
	jw_arr(&w);
	for (uint32_t g = 0; g < ng; g++) {
		jw_obj(&w);
		jw_k(&w, "id");
		jw_int(&w, r->groups.id[g]);
		jw_k(&w, "size");
		jw_int(&w, r->group_size[g]);
		jw_k(&w, "members");
		jw_arr(&w);
		for (uint32_t p = 0; p < r->n_ptpts; p++)
			if (r->ptpt_group[p] == (int32_t)g)
				jw_int(&w, d->ptpt_id[p]);
		jw_end_arr(&w);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	if (in->bridging)
		json_bridging(&w, d, r, in->bridging);
	if (in->declared)
		json_declared(&w, d, r, in->declared);
	jw_end_obj(&w);
	buf_putc(out, '\n');
}

/* ---- text ---- */

static const char *stmt_text(const struct dataset *d, uint32_t t)
{
	return d->stmt_text && d->stmt_text[t] ? d->stmt_text[t] : "";
}

/* One line of statement text, cut to about n bytes at a UTF-8 boundary. */
static void put_snippet(struct buf *out, const char *s, size_t n)
{
	size_t len = 0;
	for (const char *p = s; *p && len < n; p++, len++)
		;
	while (len < strlen(s) && ((unsigned char)s[len] & 0xC0) == 0x80)
		len++;
	for (size_t i = 0; i < len; i++)
		buf_putc(out, s[i] == '\n' || s[i] == '\r' ? ' ' : s[i]);
	if (s[len])
		buf_puts(out, "…");
}

static void text_item(struct buf *out, const struct dataset *d, const struct repness_item *it)
{
	buf_printf(out, "    #%-5lld %-8s %3u/%-3u p=%.2f  ", (long long)d->stmt_id[it->tid],
		   it->agree ? "agree" : "disagree", it->n_success, it->n_trials, it->p_success);
	put_snippet(out, stmt_text(d, it->tid), 70);
	buf_putc(out, '\n');
}

struct ranked {
	uint32_t t;
	double v;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->v != y->v)
		return x->v > y->v ? -1 : 1;
	return x->t < y->t ? -1 : x->t > y->t;
}

static void text_top(struct buf *out, const struct dataset *d, const struct analysis_result *r,
		     const double *val, const char *title, uint32_t top)
{
	struct ranked *v = xmalloc(((size_t)r->n_stmts + 1) * sizeof(*v));
	uint32_t n = 0;
	for (uint32_t t = 0; t < r->n_stmts; t++)
		if (r->use_col[t] && !isnan(val[t]))
			v[n++] = (struct ranked){ t, val[t] };
	qsort(v, n, sizeof(*v), ranked_cmp);
	buf_printf(out, "\n%s (top %u of %u)\n", title, n < top ? n : top, n);
	for (uint32_t i = 0; i < n && i < top; i++) {
		buf_printf(out, "    #%-5lld %10.4f  ", (long long)d->stmt_id[v[i].t], v[i].v);
		put_snippet(out, stmt_text(d, v[i].t), 70);
		buf_putc(out, '\n');
	}
	free(v);
}

void report_text(struct buf *out, const struct report_in *in)
{
	const struct dataset *d = in->d;
	const struct analysis_result *r = in->r;
	uint32_t ng = r->groups.n;

	buf_printf(out, "harmony analyze %s (%s mode)\n", in->source ? in->source : "",
		   r->mode == ANALYSIS_COMPAT ? "compat" : "scale");
	buf_printf(out, "  participants %u, statements %u, votes %llu\n", r->n_rows, r->n_cols,
		   (unsigned long long)r->n_votes);
	buf_printf(out, "  clustered (in-conv) %u, base clusters %u, opinion groups %u\n", r->n_in_conv,
		   r->base.n, ng);
	for (uint32_t k = 2; k <= ANALYSIS_MAX_K; k++)
		if (!isnan(r->silhouette[k]))
			buf_printf(out, "  silhouette k=%u: %.4f%s\n", k, r->silhouette[k],
				   k == r->k_used ? "  (used)" : "");

	if (in->compare) {
		const struct report_compare *c = in->compare;
		buf_printf(out,
			   "  against Pol.is's groups (%u participants in both): adjusted Rand index %.3f,\n"
			   "    groups %u (harmony) vs %u (Pol.is), silhouette %.3f vs %.3f\n",
			   c->n_common, c->ari, c->n_groups_harmony, c->n_groups_polis,
			   c->silhouette_harmony, c->silhouette_polis);
	}
	for (uint32_t g = 0; g < ng; g++) {
		buf_printf(out, "\nGroup %d: %u participants, centre (%.3f, %.3f)\n  members:",
			   r->groups.id[g], r->group_size[g], r->groups.center[2 * g],
			   r->groups.center[2 * g + 1]);
		uint32_t shown = 0;
		for (uint32_t p = 0; p < r->n_ptpts; p++)
			if (r->ptpt_group[p] == (int32_t)g) {
				if (shown < 30)
					buf_printf(out, " %lld", (long long)d->ptpt_id[p]);
				shown++;
			}
		if (shown > 30)
			buf_printf(out, " … (%u more)", shown - 30);
		buf_puts(out, "\n  representative statements:\n");
		for (uint32_t i = 0; i < r->n_repness[g]; i++)
			text_item(out, d, &r->repness[(size_t)g * REPNESS_TOP + i]);
	}
	buf_puts(out, "\nMajority consensus, agree:\n");
	for (uint32_t i = 0; i < r->n_cons_agree; i++)
		text_item(out, d, &r->cons_agree[i]);
	buf_puts(out, "Majority consensus, disagree:\n");
	for (uint32_t i = 0; i < r->n_cons_disagree; i++)
		text_item(out, d, &r->cons_disagree[i]);
	text_top(out, d, r, r->gac, "Group-aware consensus", 10);
	if (in->bridging) {
		const struct bridging_result *br = in->bridging;
		double *v = xmalloc(((size_t)r->n_stmts + 1) * sizeof(*v));
		for (uint32_t t = 0; t < r->n_stmts; t++)
			v[t] = t < br->n_statements && br->statements[t].fitted ? br->statements[t].intercept : NAN;
		buf_printf(out, "\nBridging (Community Notes model): %u statements labelled bridging, %u fitted\n",
			   br->n_bridging, br->n_fitted_statements);
		text_top(out, d, r, v, "Bridging score (intercept)", 10);
		free(v);
	}
	if (in->declared) {
		const struct report_declared *dc = in->declared;
		for (uint32_t a = 0; a < dc->attrs->n_attrs; a++) {
			const struct declared_result *res = &dc->res[a];
			buf_printf(out, "\nDeclared groups by %s:\n", dc->attrs->attr_name[a]);
			for (uint32_t g = 0; g < res->n_groups; g++) {
				const struct declared_group_result *gr = &res->groups[g];
				buf_printf(out, "  %s: %u members, %u voted%s\n", dc->attrs->value_name[a][g],
					   gr->n_members, gr->n_voters, gr->insufficient ? " (insufficient data)" : "");
				for (uint32_t i = 0; i < gr->n_reps; i++) {
					const struct declared_rep *rp = &gr->reps[i];
					buf_printf(out, "    #%-5lld %-8s %3u/%-3u p=%.2f  ", (long long)d->stmt_id[rp->tid],
						   rp->repful_for > 0 ? "agree" : "disagree", rp->n_success,
						   rp->n_trials, rp->p_success);
					put_snippet(out, stmt_text(d, rp->tid), 60);
					buf_putc(out, '\n');
				}
			}
			double *v = xmalloc(((size_t)r->n_stmts + 1) * sizeof(*v));
			for (uint32_t t = 0; t < r->n_stmts; t++)
				v[t] = res->statements[t].n_sufficient ? res->statements[t].min_lower : NAN;
			char title[160];
			snprintf(title, sizeof(title), "Consensus across %s (lowest group's lower bound)",
				 dc->attrs->attr_name[a]);
			text_top(out, d, r, v, title, 10);
			free(v);
		}
	}
	text_top(out, d, r, r->priority, "Comment priorities (routing weights)", 10);
}
