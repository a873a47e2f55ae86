/*
 * test_analysis_parity.c — exact parity with Pol.is given its membership:
 * for each conversation in polis-math/, in-conv, base and group clusters
 * come from Pol.is's math-pca2.json and every other output must match
 * that file (group votes, repness, consensus, group-aware consensus, PCA,
 * comment projections and extremity, base-cluster centres, priorities).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "dialogue/analysis/analysis.h"
#include "test_analysis_util.h"

static const char *const convs[] = {
	"below-100-ptpts",
	"150ptpt-3gp-no-strict-no-meta",
	"25ptpt-3gp-no-strict-with-meta",
};

struct fixture {
	struct dataset d;
	struct vote_csr m;
	struct membership_dense g;
	struct analysis_result r;
	json_t *blob;
	const char *name;
};

/* Loads one conversation and runs the analysis with Pol.is's membership.
 * Returns 0, or 1 when the shared data is absent (the test skips). */
static int fixture_load(struct fixture *f, const char *name)
{
	char rel[256], path[1100];
	struct membership mb;
	struct import_err err;
	size_t len;
	memset(f, 0, sizeof(*f));
	f->name = name;
	snprintf(rel, sizeof(rel), "polis-math/%s", name);
	const char *dir = ts_data_path(rel);
	if (!dir)
		return 1;
	snprintf(path, sizeof(path), "%s", dir);
	dataset_init(&f->d);
	assert_int_equal(tu_load_folder(path, &f->d), 0);
	char *blob_path = xasprintf("%s/math-pca2.json", path);
	char *data = tu_read(blob_path, &len);
	assert_non_null(data);
	f->blob = json_loadb(data, len, 0, NULL);
	assert_non_null(f->blob);
	assert_int_equal(import_membership_json(&mb, data, len, blob_path, &err), HM_OK);
	assert_int_equal(membership_resolve(&mb, &f->d, &f->g, blob_path, &err), HM_OK);
	membership_free(&mb);
	free(data);
	free(blob_path);

	vote_csr_build(&f->m, f->d.n_ptpts, f->d.n_stmts, f->d.log.v, f->d.log.n);
	uint8_t *mod_out = xmalloc(f->d.n_stmts + 1);
	for (uint32_t t = 0; t < f->d.n_stmts; t++)
		mod_out[t] = f->d.stmt_mod[t] == -1 || f->d.stmt_meta[t];
	struct analysis_opts o;
	struct analysis_state st;
	analysis_opts_default(&o, ANALYSIS_COMPAT);
	analysis_state_init(&st);
	struct analysis_input in = { .m = &f->m, .mod_out = mod_out, .is_meta = f->d.stmt_meta };
	struct analysis_given given = {
		.in_conv = f->g.in_conv, .base = &f->g.base, .groups = &f->g.groups, .comps = f->g.comps,
	};
	assert_int_equal(analysis_run(&in, &o, &st, &given, &f->r), HM_OK);
	analysis_state_free(&st);
	free(mod_out);
	return 0;
}

static void fixture_free(struct fixture *f)
{
	analysis_result_free(&f->r);
	membership_dense_free(&f->g);
	vote_csr_free(&f->m);
	dataset_free(&f->d);
	json_decref(f->blob);
}

static uint32_t stmt(const struct fixture *f, const char *tid_key)
{
	uint32_t t = dataset_find_stmt(&f->d, strtoll(tid_key, NULL, 10));
	assert_true(t != UINT32_MAX);
	return t;
}

static uint32_t stmt_i(const struct fixture *f, json_int_t tid)
{
	uint32_t t = dataset_find_stmt(&f->d, tid);
	assert_true(t != UINT32_MAX);
	return t;
}

static int32_t group_index(const struct fixture *f, const char *gid)
{
	for (uint32_t g = 0; g < f->r.groups.n; g++)
		if (f->r.groups.id[g] == atoi(gid))
			return (int32_t)g;
	fail_msg("%s: group %s missing", f->name, gid);
	return -1;
}

#define NEAR(a, b, tol, ...)                                                        \
	do {                                                                        \
		double a_ = (a), b_ = (b);                                          \
		if (!(fabs(a_ - b_) <= (tol)))                                      \
			fail_msg(__VA_ARGS__);                                      \
	} while (0)

static void check_group_votes(const struct fixture *f)
{
	const char *gid;
	json_t *gv;
	uint32_t ns = f->r.n_stmts;
	json_object_foreach(json_object_get(f->blob, "group-votes"), gid, gv) {
		int32_t g = group_index(f, gid);
		const char *tid;
		json_t *v;
		assert_int_equal(f->r.group_size[g], json_integer_value(json_object_get(gv, "n-members")));
		json_object_foreach(json_object_get(gv, "votes"), tid, v) {
			uint32_t t = stmt(f, tid);
			size_t at = (size_t)g * ns + t;
			if (f->r.ga[at] != json_integer_value(json_object_get(v, "A")) ||
			    f->r.gd[at] != json_integer_value(json_object_get(v, "D")) ||
			    f->r.gs[at] != json_integer_value(json_object_get(v, "S")))
				fail_msg("%s: group %s tid %s: A/D/S %u/%u/%u differ", f->name, gid, tid,
					 f->r.ga[at], f->r.gd[at], f->r.gs[at]);
		}
	}
}

static void check_repness(const struct fixture *f)
{
	const char *gid;
	json_t *list;
	json_object_foreach(json_object_get(f->blob, "repness"), gid, list) {
		int32_t g = group_index(f, gid);
		size_t i;
		json_t *it;
		if (json_array_size(list) != f->r.n_repness[g])
			fail_msg("%s: group %s: %zu representative statements expected, got %u", f->name, gid,
				 json_array_size(list), f->r.n_repness[g]);
		json_array_foreach(list, i, it) {
			const struct repness_item *h = &f->r.repness[(size_t)g * REPNESS_TOP + i];
			uint32_t t = stmt_i(f, json_integer_value(json_object_get(it, "tid")));
			if (h->tid != t)
				fail_msg("%s: group %s item %zu: statement %lld expected, got %lld", f->name, gid, i,
					 (long long)f->d.stmt_id[t], (long long)f->d.stmt_id[h->tid]);
			int agree = !strcmp(json_string_value(json_object_get(it, "repful-for")), "agree");
			assert_int_equal(h->agree, agree);
			assert_int_equal(h->n_success, json_integer_value(json_object_get(it, "n-success")));
			assert_int_equal(h->n_trials, json_integer_value(json_object_get(it, "n-trials")));
			assert_int_equal(h->best_agree, json_is_true(json_object_get(it, "best-agree")));
			const char *keys[] = { "p-success", "p-test", "repness", "repness-test" };
			double mine[] = { h->p_success, h->p_test, h->repness, h->repness_test };
			for (int k = 0; k < 4; k++)
				NEAR(mine[k], json_number_value(json_object_get(it, keys[k])), 1e-6,
				     "%s: group %s item %zu %s: %.9g vs %.9g", f->name, gid, i, keys[k], mine[k],
				     json_number_value(json_object_get(it, keys[k])));
		}
	}
}

static void check_consensus(const struct fixture *f)
{
	const char *sides[] = { "agree", "disagree" };
	for (int s = 0; s < 2; s++) {
		json_t *list = json_object_get(json_object_get(f->blob, "consensus"), sides[s]), *it;
		const struct repness_item *mine = s ? f->r.cons_disagree : f->r.cons_agree;
		uint32_t n = s ? f->r.n_cons_disagree : f->r.n_cons_agree;
		size_t i;
		assert_int_equal(json_array_size(list), n);
		json_array_foreach(list, i, it) {
			assert_int_equal(mine[i].tid, stmt_i(f, json_integer_value(json_object_get(it, "tid"))));
			assert_int_equal(mine[i].n_success, json_integer_value(json_object_get(it, "n-success")));
			assert_int_equal(mine[i].n_trials, json_integer_value(json_object_get(it, "n-trials")));
			NEAR(mine[i].p_success, json_number_value(json_object_get(it, "p-success")), 1e-9,
			     "%s: consensus %s %zu p-success", f->name, sides[s], i);
			NEAR(mine[i].p_test, json_number_value(json_object_get(it, "p-test")), 1e-9,
			     "%s: consensus %s %zu p-test", f->name, sides[s], i);
		}
	}
}

/* tid -> value maps: group-aware consensus and comment priorities. */
static void check_map(const struct fixture *f, const char *key, const double *mine, double rel)
{
	const char *tid;
	json_t *v;
	size_t n = 0;
	json_object_foreach(json_object_get(f->blob, key), tid, v) {
		uint32_t t = stmt(f, tid);
		double want = json_number_value(v);
		NEAR(mine[t], want, rel * fmax(1.0, fabs(want)), "%s: %s[%s] %.17g vs %.17g", f->name, key, tid,
		     mine[t], want);
		n++;
	}
	assert_int_equal(n, f->r.n_cols);
}

/* |cos| between Pol.is's component c and comps' (2 × n_stmts, ours). */
static double comp_cos(const struct fixture *f, const double *comps, int c)
{
	json_t *tids = json_object_get(f->blob, "tids");
	json_t *comp = json_array_get(json_object_get(json_object_get(f->blob, "pca"), "comps"), (size_t)c);
	double dot = 0, na = 0, nb = 0;
	for (size_t i = 0; i < json_array_size(tids); i++) {
		uint32_t t = stmt_i(f, json_integer_value(json_array_get(tids, i)));
		double a = json_number_value(json_array_get(comp, i)), b = comps[(size_t)c * f->r.n_stmts + t];
		dot += a * b;
		na += a * a;
		nb += b * b;
	}
	return fabs(dot) / sqrt(na * nb);
}

static void check_pca(const struct fixture *f)
{
	json_t *pca = json_object_get(f->blob, "pca");
	json_t *tids = json_object_get(f->blob, "tids");
	size_t n = json_array_size(tids), i;
	for (int c = 0; c < 2; c++) {
		double cosv = comp_cos(f, f->r.comps, c);
		if (!(cosv >= 0.9999))
			fail_msg("%s: component %d |cos| %.9f", f->name, c, cosv);
	}
	for (i = 0; i < n; i++) {
		uint32_t t = stmt_i(f, json_integer_value(json_array_get(tids, i)));
		/* Pol.is's centre is in its agree = -1 sign: ours is the negative */
		NEAR(f->r.center[t], -json_number_value(json_array_get(json_object_get(pca, "center"), i)), 1e-12,
		     "%s: centre of tid %zu", f->name, i);
		for (int c = 0; c < 2; c++)
			NEAR(f->r.cmt_proj[2 * t + c],
			     json_number_value(json_array_get(
				     json_array_get(json_object_get(pca, "comment-projection"), (size_t)c), i)),
			     1e-9, "%s: comment projection %d of tid %zu", f->name, c, i);
		NEAR(f->r.cmt_extremity[t],
		     json_number_value(json_array_get(json_object_get(pca, "comment-extremity"), i)), 1e-9,
		     "%s: extremity of tid %zu", f->name, i);
	}
}

static void check_base_clusters(const struct fixture *f)
{
	json_t *bc = json_object_get(f->blob, "base-clusters");
	size_t n = json_array_size(json_object_get(bc, "id"));
	assert_int_equal(n, f->r.base.n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(f->r.base.id[i], json_integer_value(json_array_get(json_object_get(bc, "id"), i)));
		NEAR(f->r.base.center[2 * i], json_number_value(json_array_get(json_object_get(bc, "x"), i)), 1e-9,
		     "%s: base %zu x", f->name, i);
		NEAR(f->r.base.center[2 * i + 1], json_number_value(json_array_get(json_object_get(bc, "y"), i)),
		     1e-9, "%s: base %zu y", f->name, i);
	}
}

static void check_counts(const struct fixture *f)
{
	const char *pid;
	json_t *v;
	json_object_foreach(json_object_get(f->blob, "user-vote-counts"), pid, v) {
		uint32_t p = dataset_find_ptpt(&f->d, strtoll(pid, NULL, 10));
		assert_true(p != UINT32_MAX);
		assert_int_equal(f->r.user_votes[p], json_integer_value(v));
	}
	assert_int_equal(f->r.n_rows, json_integer_value(json_object_get(f->blob, "n")));
	assert_int_equal(f->r.n_cols, json_integer_value(json_object_get(f->blob, "n-cmts")));
	/* mod-out as Pol.is had it */
	json_t *mo = json_object_get(f->blob, "mod-out"), *x;
	size_t i, n_mod = 0;
	json_array_foreach(mo, i, x) assert_true(f->r.mod_out[stmt_i(f, json_integer_value(x))]);
	for (uint32_t t = 0; t < f->r.n_stmts; t++)
		n_mod += f->r.use_col[t] && f->r.mod_out[t];
	assert_int_equal(n_mod, json_array_size(mo));
}

/* Runs check on each conversation of the shared data; the absent ones
 * are named after the others have been checked, so one missing folder
 * hides no other's result. */
static void each(void (*check)(const struct fixture *))
{
	char missing[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < HM_ARRAY_LEN(convs); i++) {
		struct fixture f;
		if (fixture_load(&f, convs[i])) {
			int n = snprintf(missing + used, sizeof(missing) - used, "%spolis-math/%s",
					 used ? ", " : "", convs[i]);
			if (n > 0 && (size_t)n < sizeof(missing) - used)
				used += (size_t)n;
			continue;
		}
		check(&f);
		fixture_free(&f);
	}
	if (used)
		ts_missing(missing);
}

static void check_gac(const struct fixture *f)
{
	check_map(f, "group-aware-consensus", f->r.gac, 1e-9);
}

static void check_priorities(const struct fixture *f)
{
	check_map(f, "comment-priorities", f->r.priority, 1e-9);
}

static void test_parity_group_votes(void **state)
{
	(void)state;
	each(check_group_votes);
}

static void test_parity_repness_same_statements_order_values(void **state)
{
	(void)state;
	each(check_repness);
}

static void test_parity_consensus_lists(void **state)
{
	(void)state;
	each(check_consensus);
}

static void test_parity_group_aware_consensus(void **state)
{
	(void)state;
	each(check_gac);
}

static void test_parity_pca_components_projections_extremity(void **state)
{
	(void)state;
	each(check_pca);
}

/* The test above starts PCA from Pol.is's own components; this one starts
 * cold, as a new conversation does, and must still find Pol.is's axes. */
static void check_pca_cold(const struct fixture *f)
{
	struct analysis_opts o;
	struct analysis_state st;
	struct analysis_result r;
	uint8_t *mod_out = xmalloc(f->d.n_stmts + 1);
	for (uint32_t t = 0; t < f->d.n_stmts; t++)
		mod_out[t] = f->d.stmt_mod[t] == -1 || f->d.stmt_meta[t];
	analysis_opts_default(&o, ANALYSIS_COMPAT);
	analysis_state_init(&st);
	struct analysis_input in = { .m = &f->m, .mod_out = mod_out, .is_meta = f->d.stmt_meta };
	assert_int_equal(analysis_run(&in, &o, &st, NULL, &r), HM_OK);
	assert_int_equal(r.n_stmts, f->r.n_stmts);
	for (int c = 0; c < 2; c++) {
		double cosv = comp_cos(f, r.comps, c);
		print_message("%s: cold component %d |cos| %.6f\n", f->name, c, cosv);
		if (!(cosv >= 0.99))
			fail_msg("%s: cold component %d |cos| %.9f", f->name, c, cosv);
	}
	analysis_result_free(&r);
	analysis_state_free(&st);
	free(mod_out);
}

static void test_parity_pca_from_a_cold_start(void **state)
{
	(void)state;
	each(check_pca_cold);
}

static void test_parity_base_cluster_centres(void **state)
{
	(void)state;
	each(check_base_clusters);
}

static void test_parity_comment_priorities(void **state)
{
	(void)state;
	each(check_priorities);
}

static void test_parity_vote_counts_and_moderation(void **state)
{
	(void)state;
	each(check_counts);
}

/* A flipped sign anywhere in the reading or the maths breaks this: the
 * blob's agree counts must be what we call agree. */
static void check_sign(const struct fixture *f)
{
	uint32_t agreed = 0;
	for (uint32_t t = 0; t < f->r.n_stmts; t++)
		if (!f->r.mod_out[t] && f->r.col_a[t] > f->r.col_d[t]) {
			assert_true(f->r.center[t] > 0);
			agreed++;
		}
	assert_true(agreed > 0);
	for (uint32_t i = 0; i < f->r.n_cons_agree; i++)
		assert_true(f->r.col_a[f->r.cons_agree[i].tid] > f->r.col_d[f->r.cons_agree[i].tid]);
}

static void test_parity_sign_agree_is_plus_one(void **state)
{
	(void)state;
	each(check_sign);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parity_group_votes),
		cmocka_unit_test(test_parity_repness_same_statements_order_values),
		cmocka_unit_test(test_parity_consensus_lists),
		cmocka_unit_test(test_parity_group_aware_consensus),
		cmocka_unit_test(test_parity_pca_components_projections_extremity),
		cmocka_unit_test(test_parity_pca_from_a_cold_start),
		cmocka_unit_test(test_parity_base_cluster_centres),
		cmocka_unit_test(test_parity_comment_priorities),
		cmocka_unit_test(test_parity_vote_counts_and_moderation),
		cmocka_unit_test(test_parity_sign_agree_is_plus_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
