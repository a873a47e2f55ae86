/*
 * polis_read.c — a Pol.is export read into what dlg_import stores: the
 * engine's readers (src/dialogue/analysis/import.c) for comments.csv and
 * votes.csv (or participants-votes.csv), core/csv.h for the columns they
 * do not keep (comments.csv's timestamp and author-id, summary.csv's
 * topic and description). Pure: files in memory in, arrays out; the
 * command (`harmony conversation import`) and the organisers' upload
 * share it. Untrusted input: tests/fuzz/fuzz_polis_read.c.
 */
#include "features/dialogue/dlg_internal.h"

#include "core/csv.h"
#include "dialogue/analysis/dataset.h"
#include "dialogue/analysis/import.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum hm_err fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum hm_err fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return HM_EINVAL;
}

struct extra {
	int64_t id, at, author;
};

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct extra *)a)->id, y = ((const struct extra *)b)->id;
	return x < y ? -1 : x > y;
}

static int parse_int(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno)
		return -1;
	*out = v;
	return 0;
}

/* comments.csv's timestamp (ms → s) and author-id per comment-id, sorted
 * by id. Absent columns: at -1, author -1. */
static enum hm_err read_extra(const char *data, size_t len, struct extra **out, size_t *n,
			      char *err, size_t errlen)
{
	struct csv_reader r;
	csv_reader_init(&r, data, len, 0, 0);
	static const char *const names[] = {"comment-id", "timestamp", "author-id"};
	int idx[3];
	int rc = csv_next(&r);
	*out = NULL;
	*n = 0;
	if (rc != CSV_ROW) {
		csv_reader_free(&r);
		return fail(err, errlen, "comments.csv: no header");
	}
	csv_header_map(&r, names, 3, idx);
	size_t cap = 0;
	enum hm_err e = HM_OK;
	while ((rc = csv_next(&r)) != CSV_END) {
		if (rc == CSV_ERROR) {
			e = fail(err, errlen, "comments.csv:%zu: %s", r.error_line, r.error);
			break;
		}
		struct extra x = {.at = -1, .author = -1};
		if (idx[0] < 0 || parse_int(csv_get(&r, (size_t)idx[0]), &x.id) < 0)
			continue; /* the engine's reader has refused it already */
		const char *ts = idx[1] >= 0 ? csv_get(&r, (size_t)idx[1]) : "";
		const char *au = idx[2] >= 0 ? csv_get(&r, (size_t)idx[2]) : "";
		if ((*ts && parse_int(ts, &x.at) < 0) || (*au && parse_int(au, &x.author) < 0)) {
			e = fail(err, errlen, "comments.csv:%zu: timestamp or author-id is not an integer",
				 r.line);
			break;
		}
		if (x.at >= 0)
			x.at /= 1000;
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[(*n)++] = x;
	}
	csv_reader_free(&r);
	if (e != HM_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
		return e;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), by_id);
	return HM_OK;
}

/* summary.csv's rows topic and conversation-description (malloc'd). */
static void read_summary(const char *data, size_t len, char **topic, char **desc)
{
	struct csv_reader r;
	csv_reader_init(&r, data, len, 0, 0);
	int rc;
	while ((rc = csv_next(&r)) != CSV_END && rc != CSV_ERROR)
		if (rc == CSV_ROW && r.nfields >= 2) {
			if (!strcmp(r.fields[0], "topic") && !*topic)
				*topic = xstrdup(r.fields[1]);
			else if (!strcmp(r.fields[0], "conversation-description") && !*desc)
				*desc = xstrdup(r.fields[1]);
		}
	csv_reader_free(&r);
}

struct ord {
	size_t i;
	int64_t ts;
};

static int by_time(const void *a, const void *b)
{
	const struct ord *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* One engine reader on one file: 0 read, 1 absent, or HM_EINVAL. */
static int engine_read(struct dataset *d, const char *data, size_t len, const char *name, int kind,
		       char *err, size_t errlen)
{
	if (!data)
		return 1;
	struct import_err ie;
	memset(&ie, 0, sizeof(ie));
	enum hm_err e = kind == 0   ? import_comments_csv(d, data, len, name, &ie)
			: kind == 1 ? import_votes_csv(d, data, len, name, 1, &ie)
				    : import_participants_votes_csv(d, data, len, name, 1, &ie);
	if (e == HM_OK)
		return 0;
	import_err_format(&ie, err, errlen);
	return -1;
}

enum hm_err dlg_polis_read(const struct dlg_polis_files *f, int64_t now, struct dlg_polis_read *out,
			   char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct dataset *d = xcalloc(1, sizeof(*d));
	dataset_init(d);
	out->d = d;
	struct extra *ex = NULL;
	size_t n_ex = 0;
	int rc = engine_read(d, f->comments, f->comments_len, "comments.csv", 0, err, errlen);
	if (rc == 1) {
		fail(err, errlen, "no comments.csv");
		rc = -1;
	}
	if (rc == 0 && (rc = engine_read(d, f->votes, f->votes_len, "votes.csv", 1, err, errlen)) == 1 &&
	    (rc = engine_read(d, f->participants_votes, f->participants_votes_len,
			      "participants-votes.csv", 2, err, errlen)) == 1)
	{
		fail(err, errlen, "neither votes.csv nor participants-votes.csv");
		rc = -1;
	}
	if (rc == 0 && !d->n_stmts) {
		fail(err, errlen, "comments.csv: no statements");
		rc = -1;
	}
	if (rc == 0 && read_extra(f->comments, f->comments_len, &ex, &n_ex, err, errlen) != HM_OK)
		rc = -1;
	if (rc != 0) {
		free(ex);
		dlg_polis_read_free(out);
		return HM_EINVAL;
	}
	if (f->summary)
		read_summary(f->summary, f->summary_len, &out->topic, &out->description);
	if (!out->topic || !*out->topic) {
		free(out->topic);
		out->topic = xstrdup(f->name && *f->name ? f->name : "Pol.is");
	}
	dataset_finish(d);

	/* statements in ascending id (dataset_finish's order) */
	struct dlg_import_stmt *stmts = out->stmts = xmalloc((d->n_stmts + 1) * sizeof(*stmts));
	int64_t *ptpts = out->ptpts = xmalloc((d->n_ptpts + d->n_stmts + 1) * sizeof(*ptpts));
	size_t n_auth = 0;
	for (uint32_t i = 0; i < d->n_ptpts; i++)
		ptpts[n_auth++] = d->ptpt_id[i];
	for (uint32_t i = 0; i < d->n_stmts; i++) {
		struct extra key = {.id = d->stmt_id[i]};
		const struct extra *x = n_ex ? bsearch(&key, ex, n_ex, sizeof(*ex), by_id) : NULL;
		stmts[i] = (struct dlg_import_stmt){
			.ext = d->stmt_id[i],
			.author = x ? x->author : -1,
			.at = x && x->at >= 0 ? x->at : now,
			.text = d->stmt_text[i] ? d->stmt_text[i] : "",
			.status = d->stmt_meta[i]	  ? "meta"
				  : d->stmt_mod[i] > 0	  ? "accepted"
				  : d->stmt_mod[i] < 0	  ? "rejected"
							  : "pending",
		};
		if (stmts[i].author >= 0)
			ptpts[n_auth++] = stmts[i].author;
	}
	free(ex);
	/* participants: voters and authors, each once, ascending */
	qsort(ptpts, n_auth, sizeof(*ptpts), cmp_i64);
	size_t np = 0;
	for (size_t i = 0; i < n_auth; i++)
		if (!np || ptpts[np - 1] != ptpts[i])
			ptpts[np++] = ptpts[i];
	/* votes in the order they were cast (the file's order among equal
	 * times): the last one is the current vote */
	struct ord *ord = xmalloc((d->log.n + 1) * sizeof(*ord));
	for (size_t i = 0; i < d->log.n; i++)
		ord[i] = (struct ord){.i = i, .ts = d->log.v[i].ts};
	qsort(ord, d->log.n, sizeof(*ord), by_time);
	struct dlg_import_vote *votes = out->votes = xmalloc((d->log.n + 1) * sizeof(*votes));
	for (size_t k = 0; k < d->log.n; k++) {
		const struct vote *v = &d->log.v[ord[k].i];
		votes[k] = (struct dlg_import_vote){
			.stmt = d->stmt_id[v->tid],
			.ptpt = d->ptpt_id[v->pid],
			.vote = v->value,
			.at = v->ts > 0 ? v->ts / 1000 : now,
		};
	}
	free(ord);
	out->in = (struct dlg_import){
		.topic = out->topic,
		.description = out->description,
		.n_stmts = d->n_stmts,
		.n_ptpts = np,
		.n_votes = d->log.n,
		.stmts = stmts,
		.ptpts = ptpts,
		.votes = votes,
	};
	return HM_OK;
}

void dlg_polis_read_free(struct dlg_polis_read *r)
{
	free(r->stmts);
	free(r->ptpts);
	free(r->votes);
	free(r->topic);
	free(r->description);
	if (r->d) {
		dataset_free(r->d);
		free(r->d);
	}
	memset(r, 0, sizeof(*r));
}
