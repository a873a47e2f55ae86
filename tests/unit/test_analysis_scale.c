/*
 * test_analysis_scale.c — scale mode and the live (incremental) API on a
 * synthetic conversation with planted opinion groups: the groups are
 * recovered, incremental counts equal a full recount, a tick merges the
 * pending votes exactly; and the streaming votes.csv reader builds the
 * same matrix as the full reader however the input is chunked.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dialogue/analysis/analysis.h"
#include "dialogue/analysis/bridging.h"
#include "dialogue/analysis/par.h"
#include "dialogue/analysis/report.h"
#include "test_analysis_util.h"

enum { P = 3000, C = 300, EACH = 40, G = 3 };

static uint64_t rng;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double unit(void)
{
	return (double)(next() >> 11) / 9007199254740992.0;
}

/* Planted groups: statement t is agreed by group g with probability
 * 0.8 or 0.2 by a fixed pattern; each participant votes on EACH
 * statements. Returns the log in time order; truth[p] = group. */
static void planted(struct vote_log *log, int32_t *truth)
{
	static double pa[G][C];
	rng = 1234;
	/* each statement splits the groups by a random non-constant pattern */
	for (int t = 0; t < C; t++) {
		uint64_t bits;
		do
			bits = next() & ((1u << G) - 1);
		while (bits == 0 || bits == (1u << G) - 1);
		for (int g = 0; g < G; g++)
			pa[g][t] = bits >> g & 1 ? 0.85 : 0.15;
	}
	vote_log_init(log);
	int64_t ts = 0;
	for (uint32_t p = 0; p < P; p++) {
		int g = (int)(p % G);
		truth[p] = g;
		for (int k = 0; k < EACH; k++) {
			uint32_t t = (uint32_t)(next() % C);
			double u = unit();
			int v = u < 0.1 ? 0 : unit() < pa[g][t] ? 1 : -1;
			vote_log_append(log, p, t, v, ts++);
		}
	}
}

/* One scale run of a conversation large enough for every split pass
 * (products, column copy, projection, Lloyd, report), with bridging;
 * returns the JSON report. */
static char *scale_report(const struct dataset *d, const struct vote_csr *m)
{
	struct analysis_opts o;
	struct analysis_state st;
	struct analysis_result r;
	struct bridging_params bp;
	struct bridging_result br;
	struct report_in ri;
	struct buf out;
	analysis_opts_default(&o, ANALYSIS_SCALE);
	analysis_state_init(&st);
	struct analysis_input in = { .m = m };
	assert_int_equal(analysis_run(&in, &o, &st, NULL, &r), HM_OK);
	bridging_params_default(&bp);
	bp.start_factor = r.comps;
	assert_int_equal(bridging_fit(m, &bp, NULL, &br), HM_OK);
	memset(&ri, 0, sizeof(ri));
	ri.d = d;
	ri.r = &r;
	ri.bridging = &br;
	buf_init(&out);
	report_json(&out, &ri);
	bridging_result_free(&br);
	analysis_result_free(&r);
	analysis_state_free(&st);
	return buf_steal(&out);
}

/* The passes split over threads make every sum whole in one thread:
 * one thread and several give the same bytes. */
static void test_scale_same_bytes_on_one_thread_and_many(void **state)
{
	(void)state;
	enum { NP = 40000, NC = 200, NV = 8 };
	struct dataset d;
	struct vote_log log;
	struct vote_csr m;
	dataset_init(&d);
	vote_log_init(&log);
	rng = 99;
	for (uint32_t t = 0; t < NC; t++)
		dataset_stmt(&d, t, NULL);
	for (uint32_t p = 0; p < NP; p++) {
		dataset_ptpt(&d, p);
		for (int k = 0; k < NV; k++) {
			uint32_t t = (uint32_t)(next() % NC);
			/* two camps split on the even statements */
			int agree = (p & 1) == (t & 1) ? unit() < 0.85 : unit() < 0.15;
			vote_log_append(&log, p, t, unit() < 0.1 ? 0 : agree ? 1 : -1, 0);
		}
	}
	vote_csr_build(&m, NP, NC, log.v, log.n);
	assert_true(vote_csr_nnz(&m) >= (1u << 18)); /* every split pass splits */
	par_set_threads(1);
	char *one = scale_report(&d, &m);
	par_set_threads(2);
	char *two = scale_report(&d, &m);
	par_set_threads(0);
	assert_string_equal(one, two);
	free(one);
	free(two);
	vote_csr_free(&m);
	vote_log_free(&log);
	dataset_free(&d);
}

static void test_scale_recovers_planted_groups(void **state)
{
	(void)state;
	static int32_t truth[P];
	struct vote_log log;
	struct vote_csr m;
	planted(&log, truth);
	vote_csr_build(&m, P, C, log.v, log.n);
	for (int mode = 0; mode < 2; mode++) {
		struct analysis_opts o;
		struct analysis_state st;
		struct analysis_result r;
		struct analysis_input in = { .m = &m };
		analysis_opts_default(&o, mode ? ANALYSIS_SCALE : ANALYSIS_COMPAT);
		analysis_state_init(&st);
		assert_int_equal(analysis_run(&in, &o, &st, NULL, &r), HM_OK);
		double ari = adjusted_rand_index(r.ptpt_group, truth, P);
		if (ari < 0.95)
			fail_msg("%s: ARI %.4f with %u groups", mode ? "scale" : "compat", ari, r.groups.n);
		assert_int_equal(r.groups.n, G);
		analysis_result_free(&r);
		analysis_state_free(&st);
	}
	vote_csr_free(&m);
	vote_log_free(&log);
}

/* Group counts recomputed from scratch from ptpt_group and the votes. */
static void check_counts(const struct analysis_result *r, const struct vote_csr *all)
{
	uint32_t ns = r->n_stmts, ng = r->groups.n;
	uint32_t *ga = xcalloc((size_t)ng * ns + 1, sizeof(*ga)), *gs = xcalloc((size_t)ng * ns + 1, sizeof(*gs));
	uint32_t *size = xcalloc(ng + 1, sizeof(*size));
	for (uint32_t p = 0; p < all->n_rows; p++) {
		int32_t g = r->ptpt_group[p];
		if (g < 0)
			continue;
		size[g]++;
		for (uint64_t k = all->row_ptr[p]; k < all->row_ptr[p + 1]; k++) {
			gs[(size_t)g * ns + all->col[k]]++;
			ga[(size_t)g * ns + all->col[k]] += all->val[k] > 0;
		}
	}
	for (uint32_t g = 0; g < ng; g++)
		assert_int_equal(size[g], r->group_size[g]);
	for (size_t i = 0; i < (size_t)ng * ns; i++) {
		if (ga[i] != r->ga[i] || gs[i] != r->gs[i])
			fail_msg("group counts differ at %zu: %u/%u vs %u/%u", i, r->ga[i], r->gs[i], ga[i], gs[i]);
	}
	free(ga);
	free(gs);
	free(size);
}

static void test_live_incremental_counts_and_tick(void **state)
{
	(void)state;
	static int32_t truth[P];
	struct vote_log log;
	struct vote_csr m, all;
	struct analysis_opts o;
	struct analysis_live lv;
	planted(&log, truth);
	/* the first 90 % of the stream, then the rest vote by vote (with
	 * some changed votes and new participants among them) */
	size_t first = log.n * 9 / 10;
	vote_csr_build(&m, P - 100, C, log.v, first);
	analysis_opts_default(&o, ANALYSIS_SCALE);
	assert_int_equal(analysis_live_init(&lv, &m, NULL, NULL, &o), HM_OK);
	assert_null(m.row_ptr);
	for (size_t i = first; i < log.n; i += 500) {
		size_t n = log.n - i < 500 ? log.n - i : 500;
		assert_int_equal(analysis_live_add(&lv, log.v + i, n), HM_OK);
	}
	struct vote again[3] = {
		{ .pid = 5, .tid = log.v[5 * EACH].tid, .value = (int8_t)-log.v[5 * EACH].value, .ts = 1 << 30 },
		{ .pid = 6, .tid = log.v[6 * EACH].tid, .value = 0, .ts = 1 << 30 },
		{ .pid = 5, .tid = log.v[5 * EACH].tid, .value = 1, .ts = (1 << 30) + 1 },
	};
	assert_int_equal(analysis_live_add(&lv, again, 3), HM_OK);
	for (int k = 0; k < 3; k++)
		vote_log_append(&log, again[k].pid, again[k].tid, again[k].value, again[k].ts);
	vote_csr_build(&all, P, C, log.v, log.n);
	/* column counts and user counts equal a full recount */
	for (uint32_t t = 0; t < C; t++) {
		uint32_t a = 0, s = 0;
		for (uint32_t p = 0; p < P; p++)
			for (uint64_t k = all.row_ptr[p]; k < all.row_ptr[p + 1]; k++)
				if (all.col[k] == t) {
					s++;
					a += all.val[k] > 0;
				}
		assert_int_equal(lv.res.col_s[t], s);
		assert_int_equal(lv.res.col_a[t], a);
	}
	for (uint32_t p = 0; p < P; p++)
		assert_int_equal(lv.res.user_votes[p], all.row_ptr[p + 1] - all.row_ptr[p]);
	check_counts(&lv.res, &all);
	/* and so do the totals a report shows: votes, participants with one */
	assert_int_equal(lv.res.n_votes, vote_csr_nnz(&all));
	{
		uint32_t voters = 0;
		for (uint32_t p = 0; p < P; p++)
			voters += all.row_ptr[p + 1] > all.row_ptr[p];
		assert_int_equal(lv.res.n_rows, voters);
	}
	/* the new participants were placed in groups */
	uint32_t placed = 0;
	for (uint32_t p = P - 100; p < P; p++)
		placed += lv.res.ptpt_group[p] >= 0;
	assert_true(placed > 90);
	{
		double ari = adjusted_rand_index(lv.res.ptpt_group, truth, P);
		double ari_new = adjusted_rand_index(lv.res.ptpt_group + 2700, truth + 2700, 300);
		double ari_old = adjusted_rand_index(lv.res.ptpt_group, truth, 2700);
		if (!(ari > 0.95))
			fail_msg("ARI %.4f (old %.4f, new %.4f)", ari, ari_old, ari_new);
	}

	/* a tick merges the pending votes exactly */
	assert_int_equal(analysis_live_tick(&lv), HM_OK);
	assert_int_equal(lv.m.n_rows, all.n_rows);
	assert_int_equal(vote_csr_nnz(&lv.m), vote_csr_nnz(&all));
	assert_memory_equal(lv.m.row_ptr, all.row_ptr, ((size_t)P + 1) * sizeof(*all.row_ptr));
	assert_memory_equal(lv.m.col, all.col, vote_csr_nnz(&all) * sizeof(*all.col));
	assert_memory_equal(lv.m.val, all.val, vote_csr_nnz(&all));
	check_counts(&lv.res, &all);
	assert_int_equal(lv.n_pend, 0);
	/* a vote on a statement unknown at the tick waits for the next one */
	struct vote fresh = { .pid = 1, .tid = C + 4, .value = 1, .ts = 1 << 30 };
	analysis_live_moderate(&lv, C + 4, 0, 0);
	assert_int_equal(analysis_live_add(&lv, &fresh, 1), HM_OK);
	assert_int_equal(lv.res.n_stmts, C);
	assert_int_equal(analysis_live_tick(&lv), HM_OK);
	assert_int_equal(lv.res.n_stmts, C + 5);
	assert_int_equal(lv.res.col_a[C + 4], 1);
	struct vote bad = { .pid = 1, .tid = 1, .value = 3 };
	assert_int_equal(analysis_live_add(&lv, &bad, 1), HM_EINVAL);
	analysis_live_free(&lv);
	vote_csr_free(&all);
	vote_log_free(&log);
}

struct tick_seen {
	uint32_t ticks, last;
};

static void on_tick(void *ctx, uint32_t tick, uint32_t n_ticks)
{
	struct tick_seen *t = ctx;
	t->ticks++;
	t->last = n_ticks;
	assert_int_equal(tick, t->ticks);
}

/* Replay: ticks as announced, the last tick's matrix is all the votes,
 * planted groups recovered, and the same result twice. */
static void test_replay_ticks_deterministic(void **state)
{
	(void)state;
	static int32_t truth[P];
	struct vote_log log;
	struct vote_csr all;
	int32_t *first = NULL;
	planted(&log, truth);
	vote_csr_build(&all, P, C, log.v, log.n);
	for (int run = 0; run < 2; run++) {
		struct analysis_opts o;
		struct analysis_state st;
		struct analysis_result r;
		struct vote_csr m;
		struct tick_seen ts = { 0, 0 };
		analysis_opts_default(&o, ANALYSIS_COMPAT);
		o.cold_restarts = 0;
		o.pca_tol = 1e-12;
		analysis_state_init(&st);
		assert_int_equal(analysis_replay(&log, P, C, NULL, NULL, 20000, 0, &o, &st, &r, &m, on_tick, &ts),
				 HM_OK);
		assert_int_equal(ts.ticks, (log.n + 19999) / 20000);
		assert_int_equal(ts.last, ts.ticks);
		assert_int_equal(st.ticks, ts.ticks);
		assert_int_equal(vote_csr_nnz(&m), vote_csr_nnz(&all));
		assert_memory_equal(m.col, all.col, vote_csr_nnz(&all) * sizeof(*all.col));
		double ari = adjusted_rand_index(r.ptpt_group, truth, P);
		if (ari < 0.95)
			fail_msg("replay ARI %.4f", ari);
		if (!run) {
			first = xmalloc(P * sizeof(*first));
			memcpy(first, r.ptpt_group, P * sizeof(*first));
		} else {
			assert_memory_equal(first, r.ptpt_group, P * sizeof(*first));
		}
		analysis_result_free(&r);
		analysis_state_free(&st);
		vote_csr_free(&m);
	}
	/* time-based ticks: every vote is 1 ms apart, so 1000 per tick */
	struct analysis_opts o;
	struct analysis_state st;
	struct analysis_result r;
	struct vote_csr m;
	struct tick_seen ts = { 0, 0 };
	analysis_opts_default(&o, ANALYSIS_COMPAT);
	o.pca_iters = 5;
	analysis_state_init(&st);
	assert_int_equal(analysis_replay(&log, P, C, NULL, NULL, 1, 30000, &o, &st, &r, &m, on_tick, &ts), HM_OK);
	assert_int_equal(ts.ticks, (log.n + 29999) / 30000);
	analysis_result_free(&r);
	analysis_state_free(&st);
	vote_csr_free(&m);
	free(first);
	vote_csr_free(&all);
	vote_log_free(&log);
}

/* ---- streaming reader ---- */

static void stream_csr(const char *csv, size_t len, size_t chunk, struct dataset *d, struct vote_csr *m,
		       enum hm_err want)
{
	static const char comments[] = "comment-id\n1\n2\n3\n4\n5\n";
	struct import_err err;
	dataset_init(d);
	assert_int_equal(import_comments_csv(d, comments, strlen(comments), "c", &err), HM_OK);
	struct vote_stream *vs = vote_stream_new(d, "votes.csv", 1);
	for (size_t at = 0; at < len; at += chunk)
		assert_int_equal(vote_stream_feed(vs, csv + at, len - at < chunk ? len - at : chunk, &err), HM_OK);
	assert_int_equal(vote_stream_finish(vs, m, &err), want);
	vote_stream_free(vs);
}

static void full_csr(const char *csv, size_t len, struct dataset *d, struct vote_csr *m)
{
	static const char comments[] = "comment-id\n1\n2\n3\n4\n5\n";
	struct import_err err;
	dataset_init(d);
	assert_int_equal(import_comments_csv(d, comments, strlen(comments), "c", &err), HM_OK);
	assert_int_equal(import_votes_csv(d, csv, len, "v", 1, &err), HM_OK);
	dataset_finish(d);
	vote_csr_build(m, d->n_ptpts, d->n_stmts, d->log.v, d->log.n);
}

static void same_csr(const struct vote_csr *a, const struct vote_csr *b, const struct dataset *da,
		     const struct dataset *db, const char *id)
{
	if (a->n_rows != b->n_rows || vote_csr_nnz(a) != vote_csr_nnz(b))
		fail_msg("%s: shapes differ", id);
	assert_memory_equal(a->row_ptr, b->row_ptr, ((size_t)a->n_rows + 1) * sizeof(*a->row_ptr));
	assert_memory_equal(a->col, b->col, vote_csr_nnz(a) * sizeof(*a->col));
	assert_memory_equal(a->val, b->val, vote_csr_nnz(a));
	assert_memory_equal(da->ptpt_id, db->ptpt_id, da->n_ptpts * sizeof(*da->ptpt_id));
}

static void test_stream_matches_full_reader_any_chunking(void **state)
{
	(void)state;
	static const struct {
		const char *id, *csv;
	} rows[] = {
		{ "grouped, ids descending", "timestamp,datetime,comment-id,voter-id,vote\r\n"
					     "1,,3,90,1\r\n2,,1,90,-1\r\n3,,3,90,0\r\n4,,2,12,1\r\n5,,5,7,0\r\n" },
		{ "interleaved", "timestamp,datetime,comment-id,voter-id,vote\n"
				 "1,,3,90,1\n2,,1,12,-1\n3,,2,90,0\n4,,2,12,1\n5,,2,90,1\n6,,4,7,-1" },
		{ "out of order, no repeats", "comment-id,voter-id,vote,timestamp\n1,5,1,9\n2,5,1,3\n3,6,-1,1\n" },
		{ "quoted datetime via careful path?", "timestamp,datetime,comment-id,voter-id,vote\n"
						      "1,Wed Jul 27,3,90,1\n2,x,1,90,-1\n" },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		size_t len = strlen(rows[i].csv);
		struct dataset d1, d2;
		struct vote_csr m1, m2;
		full_csr(rows[i].csv, len, &d1, &m1);
		const size_t chunks[] = { 1, 2, 7, 4096 };
		for (size_t c = 0; c < HM_ARRAY_LEN(chunks); c++) {
			stream_csr(rows[i].csv, len, chunks[c], &d2, &m2, HM_OK);
			same_csr(&m1, &m2, &d1, &d2, rows[i].id);
			vote_csr_free(&m2);
			dataset_free(&d2);
		}
		vote_csr_free(&m1);
		dataset_free(&d1);
	}
}

static void test_stream_refuses_what_it_cannot_do_exactly(void **state)
{
	(void)state;
	struct dataset d;
	struct vote_csr m;
	/* participant 5 votes twice on 1, the earlier line being later in
	 * time: only the full reader can order that */
	static const char reorder[] = "comment-id,voter-id,vote,timestamp\n1,5,1,9\n1,5,-1,3\n";
	stream_csr(reorder, strlen(reorder), 5, &d, &m, HM_ECONFLICT);
	dataset_free(&d);
	/* in time order, the later line wins */
	static const char ordered[] = "comment-id,voter-id,vote,timestamp\n1,5,1,3\n1,5,-1,9\n";
	stream_csr(ordered, strlen(ordered), 5, &d, &m, HM_OK);
	assert_int_equal(vote_csr_nnz(&m), 1);
	assert_int_equal(m.val[0], -1);
	vote_csr_free(&m);
	dataset_free(&d);
	/* errors name the line, also across chunk boundaries */
	static const struct {
		const char *csv, *msg;
		uint64_t line;
	} bad[] = {
		{ "comment-id,voter-id,vote\n1,5,1\n1,5,2\n", "unknown vote value", 3 },
		{ "comment-id,voter-id,vote\n1,5\n", "expected 3 fields", 2 },
		{ "comment-id,voter-id,vote\n9,5,1\n", "comment 9", 2 },
		{ "comment-id,voter-id\n1,5\n", "header", 1 },
		{ "comment-id,voter-id,vote\n1,\"5\",1\n", "quoted", 2 },
		{ "comment-id,voter-id,vote\nx,5,1\n", "comment-id", 2 },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(bad); i++) {
		static const char comments[] = "comment-id\n1\n";
		struct import_err err;
		dataset_init(&d);
		assert_int_equal(import_comments_csv(&d, comments, strlen(comments), "c", &err), HM_OK);
		struct vote_stream *vs = vote_stream_new(&d, "votes.csv", 1);
		enum hm_err rc = HM_OK;
		size_t len = strlen(bad[i].csv);
		for (size_t at = 0; at < len && !rc; at += 3)
			rc = vote_stream_feed(vs, bad[i].csv + at, len - at < 3 ? len - at : 3, &err);
		if (!rc)
			rc = vote_stream_finish(vs, &m, &err);
		if (rc != HM_EINVAL || err.line != bad[i].line || !strstr(err.msg, bad[i].msg))
			fail_msg("row %zu: rc %d line %llu msg %s", i, rc, (unsigned long long)err.line, err.msg);
		vote_stream_free(vs);
		dataset_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale_recovers_planted_groups),
		cmocka_unit_test(test_scale_same_bytes_on_one_thread_and_many),
		cmocka_unit_test(test_live_incremental_counts_and_tick),
		cmocka_unit_test(test_replay_ticks_deterministic),
		cmocka_unit_test(test_stream_matches_full_reader_any_chunking),
		cmocka_unit_test(test_stream_refuses_what_it_cannot_do_exactly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
