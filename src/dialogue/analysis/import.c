/*
 * import.c — readers for Pol.is CSV exports, red-dwarf JSON, Pol.is math
 * blobs and declared-group CSVs. Bytes in, dataset out; every rejection
 * names the file and the line. The CSV tokenizer follows RFC 4180
 * (quoted fields may hold commas, quotes and newlines).
 */
#include "dialogue/analysis/import.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void import_err_format(const struct import_err *err, char *out, size_t out_len)
{
	if (err->line)
		snprintf(out, out_len, "%s:%llu: %s", err->file, (unsigned long long)err->line,
			 err->msg);
	else
		snprintf(out, out_len, "%s: %s", err->file, err->msg);
}

__attribute__((format(printf, 4, 5))) static enum hm_err fail(struct import_err *err,
							     const char *fname, uint64_t line,
							     const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return HM_EINVAL;
	snprintf(err->file, sizeof(err->file), "%s", fname ? fname : "input");
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return HM_EINVAL;
}

/* ---- CSV tokenizer ---- */

struct csv {
	const char *p, *end;
	uint64_t line;     /* line of the next record */
	uint64_t rec_line; /* line where the current record started */
	struct buf field;  /* unquoted text of all fields, NUL-separated */
	size_t *off;       /* start of each field in field.data */
	size_t n, cap;
	int bad_quote;
};

/* Moves c past the line that ends at nl (NULL: the input's end). */
static void csv_past(struct csv *c, const char *nl)
{
	if (nl) {
		c->p = nl + 1;
		c->line++;
	} else {
		c->p = c->end;
	}
}

static void csv_init(struct csv *c, const char *data, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->p = data;
	c->end = data + len;
	c->line = 1;
	buf_init(&c->field);
	/* A UTF-8 byte order mark is not part of the first header. */
	if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
	    (unsigned char)data[2] == 0xBF)
		c->p += 3;
}

static void csv_free(struct csv *c)
{
	buf_free(&c->field);
	free(c->off);
}

static void csv_push(struct csv *c)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->off = xrealloc(c->off, c->cap * sizeof(*c->off));
	}
	c->off[c->n++] = c->field.len;
}

/* The common record: one line without quotes or stray CRs. Splits it
 * into the fields as the general loop below would and returns 1; returns
 * 0 (nothing consumed) for anything else, which that loop then reads. */
static int csv_next_line(struct csv *c)
{
	const char *p = c->p, *nl = memchr(p, '\n', (size_t)(c->end - p));
	const char *eol = nl ? nl : c->end;
	if (memchr(p, '"', (size_t)(eol - p)))
		return 0;
	const char *cr = memchr(p, '\r', (size_t)(eol - p));
	if (cr && !(nl && cr == nl - 1))
		return 0; /* a CR not ending the line is an error: the slow path says so */
	if (cr)
		eol = cr;
	size_t len = (size_t)(eol - p), n = 1;
	/* at most len + 1 fields: room for them all up front */
	if (c->cap < len + 1) {
		while (c->cap < len + 1)
			c->cap = c->cap ? c->cap * 2 : 32;
		c->off = xrealloc(c->off, c->cap * sizeof(*c->off));
	}
	buf_grow(&c->field, len + 1);
	char *out = c->field.data;
	size_t *off = c->off;
	off[0] = 0;
	size_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* eight bytes at a time: commas become NULs, each one a field start */
	for (; i + 8 <= len; i += 8) {
		uint64_t w, x, hit;
		memcpy(&w, p + i, 8);
		x = w ^ 0x2c2c2c2c2c2c2c2cULL; /* ',' bytes -> 0 */
		/* exact zero-byte test: high bit set in each byte of x that is 0 */
		hit = ~(((x & 0x7f7f7f7f7f7f7f7fULL) + 0x7f7f7f7f7f7f7f7fULL) | x | 0x7f7f7f7f7f7f7f7fULL);
		w &= ~((hit >> 7) * 0xff);
		memcpy(out + i, &w, 8);
		while (hit) {
			off[n++] = i + (size_t)(__builtin_ctzll(hit) >> 3) + 1;
			hit &= hit - 1;
		}
	}
#endif
	for (; i < len; i++) {
		char ch = p[i];
		out[i] = ch == ',' ? '\0' : ch;
		off[n] = i + 1;
		n += ch == ',';
	}
	c->n = n;
	out[len] = '\0';
	out[len + 1] = '\0';
	c->field.len = len + 1;
	csv_past(c, nl);
	return 1;
}

/* Reads one record. Returns 1 on a record, 0 at end of input, -1 on a
 * malformed quote (c->rec_line tells where). Blank lines are skipped. */
static int csv_next(struct csv *c)
{
	for (;;) {
		if (c->p >= c->end)
			return 0;
		if (*c->p == '\n') {
			c->p++;
			c->line++;
			continue;
		}
		if (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n') {
			c->p += 2;
			c->line++;
			continue;
		}
		break;
	}
	buf_reset(&c->field);
	c->n = 0;
	c->rec_line = c->line;
	if (csv_next_line(c))
		return 1;
	csv_push(c);
	for (;;) {
		if (c->p < c->end && *c->p == '"') {
			c->p++;
			for (;;) {
				if (c->p >= c->end)
					return -1; /* unterminated quote */
				char ch = *c->p++;
				if (ch == '"') {
					if (c->p < c->end && *c->p == '"') {
						buf_putc(&c->field, '"');
						c->p++;
						continue;
					}
					break;
				}
				if (ch == '\n')
					c->line++;
				buf_putc(&c->field, ch);
			}
			if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r')
				return -1; /* text after a closing quote */
		} else {
			while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
				if (*c->p == '"')
					return -1; /* quote inside an unquoted field */
				buf_putc(&c->field, *c->p++);
			}
		}
		if (c->p >= c->end)
			break;
		if (*c->p == ',') {
			c->p++;
			buf_putc(&c->field, '\0');
			csv_push(c);
			continue;
		}
		if (*c->p == '\r') {
			c->p++;
			if (c->p < c->end && *c->p == '\n')
				c->p++;
			else
				return -1;
		} else {
			c->p++;
		}
		c->line++;
		break;
	}
	buf_putc(&c->field, '\0');
	return 1;
}

static const char *csv_get(const struct csv *c, size_t i)
{
	return c->field.data + c->off[i];
}

static int parse_i64_slow(const char *s, int64_t *out)
{
	char *endp;
	while (*s == ' ')
		s++;
	if (!*s)
		return -1;
	errno = 0;
	long long v = strtoll(s, &endp, 10);
	if (errno || endp == s)
		return -1;
	/* tolerate an integral float such as "1594984322740.0" */
	if (*endp == '.') {
		endp++;
		while (*endp == '0')
			endp++;
	}
	while (*endp == ' ')
		endp++;
	if (*endp)
		return -1;
	*out = v;
	return 0;
}

/* A decimal integer: digits with an optional leading '-', at most 18
 * digits (no overflow). Returns 0 when [s, e) is not one. */
static int dec_i64(const char *s, const char *e, int64_t *out)
{
	const char *q = s + (s < e && *s == '-');
	if (q == e || e - q > 18)
		return 0;
	int64_t v = 0;
	for (; q < e; q++) {
		unsigned d = (unsigned)(unsigned char)*q - '0';
		if (d > 9)
			return 0;
		v = v * 10 + d;
	}
	*out = *s == '-' ? -v : v;
	return 1;
}

static int parse_i64(const char *s, int64_t *out)
{
	/* the usual "123" / "-45" first */
	if (dec_i64(s, s + strlen(s), out))
		return 0;
	return parse_i64_slow(s, out);
}

int import_parse_vote(const char *s, size_t len, int *out)
{
	/* the spellings nearly every vote has, before the table */
	if (len == 1 && (s[0] == '1' || s[0] == '0')) {
		*out = s[0] == '1' ? VOTE_AGREE : VOTE_PASS;
		return 0;
	}
	if (len == 2 && s[0] == '-' && s[1] == '1') {
		*out = VOTE_DISAGREE;
		return 0;
	}
	static const struct {
		const char *text;
		size_t len;
		int vote;
	} spellings[] = {
		{ "1.0", 3, VOTE_AGREE },     { "+1", 2, VOTE_AGREE }, { "-1.0", 4, VOTE_DISAGREE },
		{ "0.0", 3, VOTE_PASS },      { "-0", 2, VOTE_PASS },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(spellings); i++)
		if (spellings[i].len == len && !memcmp(s, spellings[i].text, len)) {
			*out = spellings[i].vote;
			return 0;
		}
	return -1;
}

static int parse_vote(const char *s, int *out)
{
	return import_parse_vote(s, strlen(s), out);
}

/* Starts reading data and reads its header record. Refuses a NUL byte
 * anywhere (no export has one, and the fields are C strings from here
 * on: "12\0x" must not read as 12). */
static enum hm_err csv_open(struct csv *c, const char *data, size_t len, const char *fname,
			    struct import_err *err)
{
	csv_init(c, data, len);
	const char *nul = memchr(data, '\0', len);
	if (nul) {
		uint64_t line = 1;
		for (const char *q = data; q < nul; q++)
			line += *q == '\n';
		return fail(err, fname, line, "NUL byte in the file");
	}
	int r = csv_next(c);
	if (r <= 0)
		return fail(err, fname, r < 0 ? c->rec_line : 1,
			    r < 0 ? "malformed quoted field in header" : "empty file, expected a header");
	return HM_OK;
}

/* Column index of name in the header record, or -1. */
static int csv_col(const struct csv *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(csv_get(c, i), name))
			return (int)i;
	return -1;
}

static int truthy(const char *s)
{
	return !strcmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "t");
}

/* ---- comments.csv ---- */

enum hm_err import_comments_csv(struct dataset *d, const char *data, size_t len,
				const char *fname, struct import_err *err)
{
	struct csv c;
	enum hm_err rc = HM_OK;
	int r, c_id, c_mod, c_meta, c_body;

	rc = csv_open(&c, data, len, fname, err);
	if (rc)
		goto out;
	c_id = csv_col(&c, "comment-id");
	c_mod = csv_col(&c, "moderated");
	c_meta = csv_col(&c, "is-meta");
	c_body = csv_col(&c, "comment-body");
	if (c_id < 0) {
		rc = fail(err, fname, c.rec_line, "header has no comment-id column");
		goto out;
	}
	size_t n_head = c.n;
	while ((r = csv_next(&c)) > 0) {
		int64_t id, mod = 0;
		int added;
		if (c.n != n_head) {
			rc = fail(err, fname, c.rec_line, "expected %zu fields, found %zu", n_head, c.n);
			goto out;
		}
		if (parse_i64(csv_get(&c, (size_t)c_id), &id) < 0) {
			rc = fail(err, fname, c.rec_line, "comment-id \"%.40s\" is not an integer",
				  csv_get(&c, (size_t)c_id));
			goto out;
		}
		if (c_mod >= 0 && *csv_get(&c, (size_t)c_mod) &&
		    (parse_i64(csv_get(&c, (size_t)c_mod), &mod) < 0 || mod < -1 || mod > 1)) {
			rc = fail(err, fname, c.rec_line, "moderated \"%.40s\" is not -1, 0 or 1",
				  csv_get(&c, (size_t)c_mod));
			goto out;
		}
		uint32_t t = dataset_stmt(d, id, &added);
		if (!added) {
			rc = fail(err, fname, c.rec_line, "duplicate comment-id %lld", (long long)id);
			goto out;
		}
		d->stmt_mod[t] = (int8_t)mod;
		d->stmt_meta[t] = c_meta >= 0 && truthy(csv_get(&c, (size_t)c_meta));
		if (c_body >= 0)
			d->stmt_text[t] = xstrdup(csv_get(&c, (size_t)c_body));
	}
	if (r < 0) {
		rc = fail(err, fname, c.rec_line, "malformed quoted field");
		goto out;
	}
	d->have_comments = 1;
out:
	csv_free(&c);
	return rc;
}

/* ---- votes.csv ---- */

static enum hm_err add_vote(struct dataset *d, int64_t pid, int64_t tid, int v, int64_t ts,
			    int require_known, const char *fname, uint64_t line,
			    struct import_err *err)
{
	uint32_t t = dataset_find_stmt(d, tid);
	if (t == UINT32_MAX) {
		if (require_known)
			return fail(err, fname, line, "vote on comment %lld, which the comments file does not list",
				    (long long)tid);
		t = dataset_stmt(d, tid, NULL);
	}
	uint32_t p = dataset_ptpt(d, pid);
	vote_log_append(&d->log, p, t, v, ts);
	return HM_OK;
}

/* Which fields of votes.csv are read. */
struct votes_cols {
	size_t n_head;
	int tid, pid, vote, ts;
};

/* The fields of a votes line once split: the values, or 0 when one of
 * them is not plain (then the general reader takes the line). */
static int votes_fields(const char *const fs[4], const char *const fe[4], const struct votes_cols *k,
			int64_t *tid, int64_t *pid, int *v, int64_t *ts)
{
	if (!dec_i64(fs[0], fe[0], tid) || !dec_i64(fs[1], fe[1], pid) || (k->ts >= 0 && !dec_i64(fs[3], fe[3], ts)))
		return 0;
	size_t vl = (size_t)(fe[2] - fs[2]);
	if (vl == 1 && fs[2][0] == '1')
		*v = VOTE_AGREE;
	else if (vl == 2 && fs[2][0] == '-' && fs[2][1] == '1')
		*v = VOTE_DISAGREE;
	else if (vl == 1 && fs[2][0] == '0')
		*v = VOTE_PASS;
	else
		return 0;
	return 1;
}

/*
 * The common votes.csv line, read straight from the bytes: no quote, no
 * CR but the line end, n_head fields, the ids (and timestamp) plain
 * decimal integers and the vote 1, -1 or 0. Returns 1 with the values
 * (the line consumed, c->rec_line set), or 0 having consumed nothing:
 * the general reader then takes the line and reports any error.
 */
static int votes_line_fast(struct csv *c, const struct votes_cols *k, int64_t *tid, int64_t *pid, int *v,
			   int64_t *ts)
{
	const char *p = c->p;
	if (p >= c->end || *p == '\n' || *p == '\r')
		return 0;
	const char *nl = memchr(p, '\n', (size_t)(c->end - p)), *eol = nl ? nl : c->end;
	if (nl && nl > p && nl[-1] == '\r')
		eol = nl - 1;
	if (memchr(p, '"', (size_t)(eol - p)) || memchr(p, '\r', (size_t)(eol - p)))
		return 0; /* a quote or a stray CR */
	const char *fs[4] = { NULL, NULL, NULL, NULL }, *fe[4] = { NULL, NULL, NULL, NULL };
	size_t f = 0;
	for (const char *q = p;; f++) {
		const char *e = memchr(q, ',', (size_t)(eol - q));
		if (!e)
			e = eol;
		int want = (int)f == k->tid ? 0 : (int)f == k->pid ? 1 : (int)f == k->vote ? 2 : (int)f == k->ts ? 3 : -1;
		if (want >= 0) {
			fs[want] = q;
			fe[want] = e;
		}
		if (e == eol)
			break;
		q = e + 1;
	}
	if (f + 1 != k->n_head || !votes_fields(fs, fe, k, tid, pid, v, ts))
		return 0;
	c->rec_line = c->line;
	csv_past(c, nl);
	return 1;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* High bit set in each byte of x that is zero (exact, no false hits). */
static inline uint64_t zero_bytes(uint64_t x)
{
	return ~(((x & 0x7f7f7f7f7f7f7f7fULL) + 0x7f7f7f7f7f7f7f7fULL) | x | 0x7f7f7f7f7f7f7f7fULL);
}

/*
 * votes_line_fast for a line without any quote or CR (else it returns 0
 * without consuming anything): commas, line end and those two found
 * eight bytes at a time.
 */
static int votes_line_plain(struct csv *c, const struct votes_cols *k, int64_t *tid, int64_t *pid, int *v,
			    int64_t *ts)
{
	enum { MAX_FIELDS = 32 };
	const char *p = c->p, *end = c->end, *q = p, *eol = NULL, *cm[MAX_FIELDS];
	size_t nc = 0;
	if (p >= end || *p == '\n' || k->n_head > MAX_FIELDS)
		return 0;
	for (; end - q >= 8; q += 8) {
		uint64_t w;
		memcpy(&w, q, 8);
		uint64_t mc = zero_bytes(w ^ 0x2c2c2c2c2c2c2c2cULL), mn = zero_bytes(w ^ 0x0a0a0a0a0a0a0a0aULL);
		uint64_t mb = zero_bytes(w ^ 0x2222222222222222ULL) | zero_bytes(w ^ 0x0d0d0d0d0d0d0d0dULL);
		if (mn) {
			/* only what comes before the line end */
			uint64_t before = (mn & (0 - mn)) - 1;
			mc &= before;
			mb &= before;
		}
		if (mb)
			return 0; /* a quote or a CR */
		for (; mc; mc &= mc - 1) {
			if (nc == MAX_FIELDS)
				return 0;
			cm[nc++] = q + (__builtin_ctzll(mc) >> 3);
		}
		if (mn) {
			eol = q + (__builtin_ctzll(mn) >> 3);
			break;
		}
	}
	if (!eol) {
		for (; q < end && *q != '\n'; q++)
			if (*q == ',') {
				if (nc == MAX_FIELDS)
					return 0;
				cm[nc++] = q;
			} else if (*q == '"' || *q == '\r') {
				return 0;
			}
		eol = q;
	}
	if (nc + 1 != k->n_head)
		return 0;
	const char *fs[4] = { NULL, NULL, NULL, NULL }, *fe[4] = { NULL, NULL, NULL, NULL };
	const int want[4] = { k->tid, k->pid, k->vote, k->ts };
	for (int i = 0; i < 4; i++)
		if (want[i] >= 0) {
			size_t f = (size_t)want[i];
			fs[i] = f ? cm[f - 1] + 1 : p;
			fe[i] = f < nc ? cm[f] : eol;
		}
	if (!votes_fields(fs, fe, k, tid, pid, v, ts))
		return 0;
	c->rec_line = c->line;
	if (eol < end) {
		c->p = eol + 1;
		c->line++;
	} else {
		c->p = end;
	}
	return 1;
}
#endif

enum hm_err import_votes_csv(struct dataset *d, const char *data, size_t len,
			     const char *fname, int require_known, struct import_err *err)
{
	struct csv c;
	enum hm_err rc = HM_OK;
	int r, c_tid, c_pid, c_vote, c_ts;

	rc = csv_open(&c, data, len, fname, err);
	if (rc)
		goto out;
	c_tid = csv_col(&c, "comment-id");
	c_pid = csv_col(&c, "voter-id");
	c_vote = csv_col(&c, "vote");
	c_ts = csv_col(&c, "timestamp");
	if (c_tid < 0 || c_pid < 0 || c_vote < 0) {
		rc = fail(err, fname, c.rec_line, "header needs comment-id, voter-id and vote columns");
		goto out;
	}
	size_t n_head = c.n;
	uint64_t seq = 0;
	struct votes_cols cols = { .n_head = n_head, .tid = c_tid, .pid = c_pid, .vote = c_vote, .ts = c_ts };
	/* lines split by the word-at-a-time scan, until votes_line_fast takes
	 * a line it left (one ending in CR LF): then by votes_line_fast */
	int plain = 1;
	for (;;) {
		int64_t tid, pid, ts = (int64_t)seq;
		int v, ok = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		ok = plain && votes_line_plain(&c, &cols, &tid, &pid, &v, &ts);
#endif
		if (!ok && votes_line_fast(&c, &cols, &tid, &pid, &v, &ts)) {
			ok = 1;
			plain = 0;
		}
		(void)plain; /* read only by the little-endian scan */
		if (ok) {
			seq++;
			rc = add_vote(d, pid, tid, v, ts, require_known, fname, c.rec_line, err);
			if (rc)
				goto out;
			continue;
		}
		if ((r = csv_next(&c)) <= 0)
			break;
		seq++;
		if (c.n != n_head) {
			rc = fail(err, fname, c.rec_line, "expected %zu fields, found %zu", n_head, c.n);
			goto out;
		}
		if (parse_i64(csv_get(&c, (size_t)c_tid), &tid) < 0) {
			rc = fail(err, fname, c.rec_line, "comment-id \"%.40s\" is not an integer",
				  csv_get(&c, (size_t)c_tid));
			goto out;
		}
		if (parse_i64(csv_get(&c, (size_t)c_pid), &pid) < 0) {
			rc = fail(err, fname, c.rec_line, "voter-id \"%.40s\" is not an integer",
				  csv_get(&c, (size_t)c_pid));
			goto out;
		}
		if (parse_vote(csv_get(&c, (size_t)c_vote), &v) < 0) {
			rc = fail(err, fname, c.rec_line, "unknown vote value \"%.40s\" (expected 1, -1 or 0)",
				  csv_get(&c, (size_t)c_vote));
			goto out;
		}
		if (c_ts >= 0 && parse_i64(csv_get(&c, (size_t)c_ts), &ts) < 0) {
			rc = fail(err, fname, c.rec_line, "timestamp \"%.40s\" is not an integer",
				  csv_get(&c, (size_t)c_ts));
			goto out;
		}
		rc = add_vote(d, pid, tid, v, ts, require_known, fname, c.rec_line, err);
		if (rc)
			goto out;
	}
	if (r < 0)
		rc = fail(err, fname, c.rec_line, "malformed quoted field");
out:
	csv_free(&c);
	return rc;
}

/* ---- participants-votes.csv ---- */

static const char *const pv_fixed[] = {
	"participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree",
};

enum hm_err import_participants_votes_csv(struct dataset *d, const char *data, size_t len,
					  const char *fname, int votes_too,
					  struct import_err *err)
{
	struct csv c;
	enum hm_err rc = HM_OK;
	int r, c_pid, c_gid;
	int64_t *col_tid = NULL;
	uint32_t *col_stmt = NULL;
	uint8_t *seen = NULL;
	size_t seen_cap = 0;

	rc = csv_open(&c, data, len, fname, err);
	if (rc)
		goto out;
	c_pid = csv_col(&c, "participant");
	c_gid = csv_col(&c, "group-id");
	if (c_pid < 0) {
		rc = fail(err, fname, c.rec_line, "header has no participant column");
		goto out;
	}
	size_t n_head = c.n;
	col_tid = xmalloc(n_head * sizeof(*col_tid));
	for (size_t i = 0; i < n_head; i++) {
		const char *h = csv_get(&c, i);
		int fixed = 0;
		for (size_t k = 0; k < HM_ARRAY_LEN(pv_fixed); k++)
			fixed |= !strcmp(h, pv_fixed[k]);
		col_tid[i] = -1;
		if (fixed)
			continue;
		if (parse_i64(h, &col_tid[i]) < 0 || col_tid[i] < 0) {
			rc = fail(err, fname, c.rec_line, "header column \"%.40s\" is neither known nor a comment id", h);
			goto out;
		}
		if (votes_too && dataset_find_stmt(d, col_tid[i]) == UINT32_MAX) {
			if (d->have_comments) {
				rc = fail(err, fname, c.rec_line,
					  "column for comment %lld, which the comments file does not list",
					  (long long)col_tid[i]);
				goto out;
			}
			dataset_stmt(d, col_tid[i], NULL);
		}
	}
	/* the statement of each column, looked up once rather than per vote */
	if (votes_too) {
		col_stmt = xmalloc(n_head * sizeof(*col_stmt));
		for (size_t i = 0; i < n_head; i++)
			col_stmt[i] = col_tid[i] < 0 ? UINT32_MAX : dataset_find_stmt(d, col_tid[i]);
	}
	while ((r = csv_next(&c)) > 0) {
		int64_t pid, gid = -1;
		if (c.n != n_head) {
			rc = fail(err, fname, c.rec_line, "expected %zu fields, found %zu", n_head, c.n);
			goto out;
		}
		if (parse_i64(csv_get(&c, (size_t)c_pid), &pid) < 0) {
			rc = fail(err, fname, c.rec_line, "participant \"%.40s\" is not an integer",
				  csv_get(&c, (size_t)c_pid));
			goto out;
		}
		if (c_gid >= 0 && *csv_get(&c, (size_t)c_gid) &&
		    parse_i64(csv_get(&c, (size_t)c_gid), &gid) < 0) {
			rc = fail(err, fname, c.rec_line, "group-id \"%.40s\" is not an integer",
				  csv_get(&c, (size_t)c_gid));
			goto out;
		}
		uint32_t p = votes_too ? dataset_ptpt(d, pid) : dataset_find_ptpt(d, pid);
		if (p == UINT32_MAX)
			continue; /* no votes in votes.csv: nothing to analyse */
		if (p >= seen_cap) {
			size_t nc = (p + 1) * 2;
			seen = xrealloc(seen, nc);
			memset(seen + seen_cap, 0, nc - seen_cap);
			seen_cap = nc;
		}
		if (seen[p]) {
			rc = fail(err, fname, c.rec_line, "duplicate participant %lld", (long long)pid);
			goto out;
		}
		seen[p] = 1;
		if (!d->polis_group) {
			d->polis_group = xmalloc((d->ptpt_cap ? d->ptpt_cap : 1) * sizeof(*d->polis_group));
			for (uint32_t i = 0; i < d->ptpt_cap; i++)
				d->polis_group[i] = -1;
		}
		d->polis_group[p] = (int32_t)gid;
		if (!votes_too)
			continue;
		for (size_t i = 0; i < n_head; i++) {
			const char *s = csv_get(&c, i);
			int v;
			if (col_tid[i] < 0 || !*s)
				continue;
			if (parse_vote(s, &v) < 0) {
				rc = fail(err, fname, c.rec_line,
					  "unknown vote value \"%.40s\" for comment %lld (expected 1, -1, 0 or empty)",
					  s, (long long)col_tid[i]);
				goto out;
			}
			vote_log_append(&d->log, p, col_stmt[i], v, 0);
		}
	}
	if (r < 0)
		rc = fail(err, fname, c.rec_line, "malformed quoted field");
out:
	free(col_tid);
	free(col_stmt);
	free(seen);
	csv_free(&c);
	return rc;
}

/* ---- JSON ---- */

static enum hm_err json_open(json_t **root, const char *data, size_t len, const char *fname,
			     struct import_err *err)
{
	json_error_t je;
	*root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!*root)
		return fail(err, fname, (uint64_t)(je.line > 0 ? je.line : 0), "invalid JSON: %s", je.text);
	return HM_OK;
}

/* Integer member under either of two names; returns 0 when found. */
static int json_int2(json_t *o, const char *a, const char *b, int64_t *out)
{
	json_t *v = json_object_get(o, a);
	if (!v && b)
		v = json_object_get(o, b);
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		/* an integral real such as 12.0; outside int64 the cast is undefined */
		double d = json_real_value(v);
		if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == (double)(int64_t)d) {
			*out = (int64_t)d;
			return 0;
		}
		return -1;
	}
	if (json_is_string(v))
		return parse_i64(json_string_value(v), out);
	return -1;
}

enum hm_err import_comments_json(struct dataset *d, const char *data, size_t len,
				 const char *fname, struct import_err *err)
{
	json_t *root = NULL, *o;
	size_t i;
	enum hm_err rc = json_open(&root, data, len, fname, err);
	if (rc)
		return rc;
	if (!json_is_array(root)) {
		rc = fail(err, fname, 1, "expected an array of comments");
		goto out;
	}
	json_array_foreach(root, i, o) {
		int64_t tid, mod = 0;
		int added;
		if (!json_is_object(o) || json_int2(o, "tid", "statement_id", &tid) < 0) {
			rc = fail(err, fname, 0, "comment #%zu has no integer tid", i + 1);
			goto out;
		}
		json_t *m = json_object_get(o, "mod");
		if (!m)
			m = json_object_get(o, "moderated");
		if (m && !json_is_null(m) &&
		    (json_int2(o, json_object_get(o, "mod") ? "mod" : "moderated", NULL, &mod) < 0 ||
		     mod < -1 || mod > 1)) {
			rc = fail(err, fname, 0, "comment %lld: moderation is not -1, 0 or 1", (long long)tid);
			goto out;
		}
		uint32_t t = dataset_stmt(d, tid, &added);
		if (!added) {
			rc = fail(err, fname, 0, "duplicate comment tid %lld", (long long)tid);
			goto out;
		}
		d->stmt_mod[t] = (int8_t)mod;
		d->stmt_meta[t] = json_is_true(json_object_get(o, "is_meta"));
		json_t *txt = json_object_get(o, "txt");
		if (json_is_string(txt))
			d->stmt_text[t] = xstrdup(json_string_value(txt));
	}
	d->have_comments = 1;
out:
	json_decref(root);
	return rc;
}

enum hm_err import_votes_json(struct dataset *d, const char *data, size_t len,
			      const char *fname, int require_known, struct import_err *err)
{
	json_t *root = NULL, *o;
	size_t i;
	enum hm_err rc = json_open(&root, data, len, fname, err);
	if (rc)
		return rc;
	if (!json_is_array(root)) {
		rc = fail(err, fname, 1, "expected an array of votes");
		goto out;
	}
	json_array_foreach(root, i, o) {
		int64_t pid, tid, vote, ts = (int64_t)i;
		if (!json_is_object(o) || json_int2(o, "pid", "participant_id", &pid) < 0 ||
		    json_int2(o, "tid", "statement_id", &tid) < 0) {
			rc = fail(err, fname, 0, "vote #%zu needs integer pid and tid", i + 1);
			goto out;
		}
		if (json_int2(o, "vote", NULL, &vote) < 0 || vote < -1 || vote > 1) {
			rc = fail(err, fname, 0, "vote #%zu: unknown vote value (expected 1, -1 or 0)", i + 1);
			goto out;
		}
		json_t *mt = json_object_get(o, "modified");
		if (mt && !json_is_null(mt) && json_int2(o, "modified", NULL, &ts) < 0) {
			rc = fail(err, fname, 0, "vote #%zu: modified is not a time", i + 1);
			goto out;
		}
		rc = add_vote(d, pid, tid, (int)vote, ts, require_known, fname, 0, err);
		if (rc)
			goto out;
	}
out:
	json_decref(root);
	return rc;
}

/* ---- membership (Pol.is math blob) ---- */

void membership_free(struct membership *m)
{
	free(m->in_conv);
	free(m->base_id);
	free(m->base_ptr);
	free(m->base_members);
	free(m->group_id);
	free(m->group_ptr);
	free(m->group_bases);
	free(m->comp_tid);
	free(m->comps);
	memset(m, 0, sizeof(*m));
}

static int json_i64(json_t *v, int64_t *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	return -1;
}

enum hm_err import_membership_json(struct membership *m, const char *data, size_t len,
				   const char *fname, struct import_err *err)
{
	json_t *root = NULL, *a, *v;
	size_t i, j;
	memset(m, 0, sizeof(*m));
	enum hm_err rc = json_open(&root, data, len, fname, err);
	if (rc)
		return rc;
	a = json_object_get(root, "in-conv");
	if (!json_is_array(a)) {
		rc = fail(err, fname, 0, "no in-conv array");
		goto out;
	}
	m->n_in_conv = (uint32_t)json_array_size(a);
	m->in_conv = xmalloc((m->n_in_conv + 1) * sizeof(*m->in_conv));
	json_array_foreach(a, i, v) {
		if (json_i64(v, &m->in_conv[i]) < 0) {
			rc = fail(err, fname, 0, "in-conv entry %zu is not an integer", i);
			goto out;
		}
	}
	/* base-clusters is folded: {id: [...], members: [[...], ...]} */
	json_t *bc = json_object_get(root, "base-clusters");
	json_t *ids = json_object_get(bc, "id"), *mems = json_object_get(bc, "members");
	if (!json_is_array(ids) || !json_is_array(mems) || json_array_size(ids) != json_array_size(mems)) {
		rc = fail(err, fname, 0, "base-clusters needs id and members arrays of equal length");
		goto out;
	}
	m->n_base = (uint32_t)json_array_size(ids);
	m->base_id = xmalloc((m->n_base + 1) * sizeof(*m->base_id));
	m->base_ptr = xcalloc(m->n_base + 1, sizeof(*m->base_ptr));
	size_t total = 0;
	json_array_foreach(mems, i, v) {
		if (!json_is_array(v)) {
			rc = fail(err, fname, 0, "base cluster %zu members is not an array", i);
			goto out;
		}
		total += json_array_size(v);
	}
	m->base_members = xmalloc((total + 1) * sizeof(*m->base_members));
	total = 0;
	json_array_foreach(ids, i, v) {
		int64_t id;
		json_t *mv = json_array_get(mems, i), *x;
		if (json_i64(v, &id) < 0) {
			rc = fail(err, fname, 0, "base cluster id %zu is not an integer", i);
			goto out;
		}
		m->base_id[i] = (int32_t)id;
		json_array_foreach(mv, j, x) {
			if (json_i64(x, &m->base_members[total]) < 0) {
				rc = fail(err, fname, 0, "base cluster %lld has a non-integer member", (long long)id);
				goto out;
			}
			total++;
		}
		m->base_ptr[i + 1] = (uint32_t)total;
	}
	json_t *gc = json_object_get(root, "group-clusters");
	if (!json_is_array(gc)) {
		rc = fail(err, fname, 0, "no group-clusters array");
		goto out;
	}
	m->n_groups = (uint32_t)json_array_size(gc);
	m->group_id = xmalloc((m->n_groups + 1) * sizeof(*m->group_id));
	m->group_ptr = xcalloc(m->n_groups + 1, sizeof(*m->group_ptr));
	total = 0;
	json_array_foreach(gc, i, v) total += json_array_size(json_object_get(v, "members"));
	m->group_bases = xmalloc((total + 1) * sizeof(*m->group_bases));
	total = 0;
	json_array_foreach(gc, i, v) {
		int64_t id, b;
		json_t *mv = json_object_get(v, "members"), *x;
		if (json_i64(json_object_get(v, "id"), &id) < 0 || !json_is_array(mv)) {
			rc = fail(err, fname, 0, "group cluster %zu needs an integer id and members", i);
			goto out;
		}
		m->group_id[i] = (int32_t)id;
		json_array_foreach(mv, j, x) {
			if (json_i64(x, &b) < 0) {
				rc = fail(err, fname, 0, "group cluster %lld has a non-integer member", (long long)id);
				goto out;
			}
			m->group_bases[total++] = (int32_t)b;
		}
		m->group_ptr[i + 1] = (uint32_t)total;
	}
	/* Optional warm start: pca.comps over tids. */
	json_t *tids = json_object_get(root, "tids");
	json_t *comps = json_object_get(json_object_get(root, "pca"), "comps");
	if (json_is_array(tids) && json_is_array(comps) && json_array_size(comps) == 2 &&
	    json_array_size(json_array_get(comps, 0)) == json_array_size(tids) &&
	    json_array_size(json_array_get(comps, 1)) == json_array_size(tids)) {
		m->n_comp_tids = (uint32_t)json_array_size(tids);
		m->comp_tid = xmalloc((m->n_comp_tids + 1) * sizeof(*m->comp_tid));
		m->comps = xmalloc((2 * m->n_comp_tids + 1) * sizeof(*m->comps));
		json_array_foreach(tids, i, v) {
			if (json_i64(v, &m->comp_tid[i]) < 0) {
				m->n_comp_tids = 0;
				break;
			}
			for (int k = 0; k < 2; k++)
				m->comps[k * m->n_comp_tids + i] =
					json_number_value(json_array_get(json_array_get(comps, (size_t)k), i));
		}
	}
out:
	json_decref(root);
	if (rc)
		membership_free(m);
	return rc;
}

void membership_dense_free(struct membership_dense *g)
{
	free(g->in_conv);
	kclust_free(&g->base);
	kclust_free(&g->groups);
	free(g->comps);
	memset(g, 0, sizeof(*g));
}

enum hm_err membership_resolve(const struct membership *mb, const struct dataset *d,
			       struct membership_dense *g, const char *fname, struct import_err *err)
{
	enum hm_err rc = HM_OK;
	memset(g, 0, sizeof(*g));
	g->in_conv = xcalloc((size_t)d->n_ptpts + 1, 1);
	for (uint32_t i = 0; i < mb->n_in_conv; i++) {
		uint32_t p = dataset_find_ptpt(d, mb->in_conv[i]);
		if (p == UINT32_MAX) {
			rc = fail(err, fname, 0, "in-conv names participant %lld, who has no votes",
				  (long long)mb->in_conv[i]);
			goto out;
		}
		g->in_conv[p] = 1;
	}
	g->base.n = mb->n_base;
	g->base.id = xmalloc(((size_t)mb->n_base + 1) * sizeof(int32_t));
	g->base.center = xcalloc(2 * (size_t)mb->n_base + 1, sizeof(double));
	g->base.mptr = xmalloc(((size_t)mb->n_base + 1) * sizeof(uint32_t));
	g->base.members = xmalloc(((size_t)mb->base_ptr[mb->n_base] + 1) * sizeof(uint32_t));
	memcpy(g->base.mptr, mb->base_ptr, ((size_t)mb->n_base + 1) * sizeof(uint32_t));
	for (uint32_t b = 0; b < mb->n_base; b++)
		g->base.id[b] = mb->base_id[b];
	for (uint32_t k = 0; k < mb->base_ptr[mb->n_base]; k++) {
		uint32_t p = dataset_find_ptpt(d, mb->base_members[k]);
		if (p == UINT32_MAX) {
			rc = fail(err, fname, 0, "base-clusters name participant %lld, who has no votes",
				  (long long)mb->base_members[k]);
			goto out;
		}
		g->base.members[k] = p;
	}
	g->groups.n = mb->n_groups;
	g->groups.id = xmalloc(((size_t)mb->n_groups + 1) * sizeof(int32_t));
	g->groups.center = xcalloc(2 * (size_t)mb->n_groups + 1, sizeof(double));
	g->groups.mptr = xmalloc(((size_t)mb->n_groups + 1) * sizeof(uint32_t));
	g->groups.members = xmalloc(((size_t)mb->group_ptr[mb->n_groups] + 1) * sizeof(uint32_t));
	memcpy(g->groups.mptr, mb->group_ptr, ((size_t)mb->n_groups + 1) * sizeof(uint32_t));
	for (uint32_t i = 0; i < mb->n_groups; i++)
		g->groups.id[i] = mb->group_id[i];
	for (uint32_t k = 0; k < mb->group_ptr[mb->n_groups]; k++) {
		int32_t b = mb->group_bases[k];
		uint32_t j;
		for (j = 0; j < mb->n_base && mb->base_id[j] != b; j++)
			;
		if (j == mb->n_base) {
			rc = fail(err, fname, 0, "group-clusters name base cluster %d, which base-clusters lacks", b);
			goto out;
		}
		g->groups.members[k] = (uint32_t)b;
	}
	if (mb->n_comp_tids) {
		/* Pol.is's sign (agree = -1) to ours; new columns start at
		 * Pol.is's padding value 1, i.e. -1 here */
		g->comps = xmalloc((2 * (size_t)d->n_stmts + 1) * sizeof(double));
		for (size_t i = 0; i < 2 * (size_t)d->n_stmts; i++)
			g->comps[i] = -1.0;
		for (uint32_t i = 0; i < mb->n_comp_tids; i++) {
			uint32_t t = dataset_find_stmt(d, mb->comp_tid[i]);
			if (t == UINT32_MAX)
				continue;
			g->comps[t] = -mb->comps[i];
			g->comps[d->n_stmts + t] = -mb->comps[mb->n_comp_tids + i];
		}
	}
out:
	if (rc)
		membership_dense_free(g);
	return rc;
}

/* ---- declared groups CSV ---- */

void declared_attrs_free(struct declared_attrs *g)
{
	for (uint32_t a = 0; a < g->n_attrs; a++) {
		free(g->attr_name[a]);
		for (uint32_t k = 0; k < (g->n_values ? g->n_values[a] : 0); k++)
			free(g->value_name[a][k]);
		if (g->value_name)
			free(g->value_name[a]);
	}
	free(g->attr_name);
	free(g->n_values);
	free(g->value_name);
	free(g->group);
	memset(g, 0, sizeof(*g));
}

int32_t declared_attrs_value(struct declared_attrs *g, uint32_t a, const char *s)
{
	for (uint32_t k = 0; k < g->n_values[a]; k++)
		if (!strcmp(g->value_name[a][k], s))
			return (int32_t)k;
	g->value_name[a] = xrealloc(g->value_name[a], (g->n_values[a] + 1) * sizeof(char *));
	g->value_name[a][g->n_values[a]] = xstrdup(s);
	return (int32_t)g->n_values[a]++;
}

enum hm_err import_groups_csv(struct declared_attrs *g, const struct dataset *d, const char *data,
			      size_t len, const char *fname, struct import_err *err)
{
	struct csv c;
	enum hm_err rc = HM_OK;
	int r;
	uint8_t *seen = NULL;

	memset(g, 0, sizeof(*g));
	rc = csv_open(&c, data, len, fname, err);
	if (rc)
		goto out;
	if (c.n < 2) {
		rc = fail(err, fname, c.rec_line,
			  "expected a participant id column and at least one attribute column");
		goto out;
	}
	size_t n_head = c.n;
	g->n_attrs = (uint32_t)(n_head - 1);
	g->n_ptpts = d->n_ptpts;
	g->attr_name = xcalloc(g->n_attrs, sizeof(*g->attr_name));
	g->n_values = xcalloc(g->n_attrs, sizeof(*g->n_values));
	g->value_name = xcalloc(g->n_attrs, sizeof(*g->value_name));
	g->group = xmalloc(((size_t)g->n_attrs * d->n_ptpts + 1) * sizeof(*g->group));
	for (size_t i = 0; i < (size_t)g->n_attrs * d->n_ptpts; i++)
		g->group[i] = -1;
	for (uint32_t a = 0; a < g->n_attrs; a++)
		g->attr_name[a] = xstrdup(csv_get(&c, a + 1));
	seen = xcalloc(d->n_ptpts + 1, 1);
	while ((r = csv_next(&c)) > 0) {
		int64_t pid;
		if (c.n != n_head) {
			rc = fail(err, fname, c.rec_line, "expected %zu fields, found %zu", n_head, c.n);
			goto out;
		}
		if (parse_i64(csv_get(&c, 0), &pid) < 0) {
			rc = fail(err, fname, c.rec_line, "participant id \"%.40s\" is not an integer",
				  csv_get(&c, 0));
			goto out;
		}
		uint32_t p = dataset_find_ptpt(d, pid);
		if (p == UINT32_MAX) {
			g->n_unknown++;
			continue;
		}
		if (seen[p]) {
			rc = fail(err, fname, c.rec_line, "duplicate participant %lld", (long long)pid);
			goto out;
		}
		seen[p] = 1;
		for (uint32_t a = 0; a < g->n_attrs; a++) {
			const char *s = csv_get(&c, a + 1);
			if (*s)
				g->group[(size_t)a * d->n_ptpts + p] = declared_attrs_value(g, a, s);
		}
	}
	if (r < 0)
		rc = fail(err, fname, c.rec_line, "malformed quoted field");
out:
	free(seen);
	csv_free(&c);
	if (rc)
		declared_attrs_free(g);
	return rc;
}
