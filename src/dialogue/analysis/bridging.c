/*
 * bridging.c — Community Notes style bridging matrix factorisation over the
 * vote CSR, fitted by exact alternating ridge solves ("ALS"). Every step is
 * a closed-form minimum of the loss in a block of parameters, so the loss
 * never increases and the result does not depend on a learning rate.
 */
#include "dialogue/analysis/bridging.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void bridging_params_default(struct bridging_params *p)
{
	memset(p, 0, sizeof(*p));
	p->lambda_factor = 0.03;
	p->lambda_intercept = 0.15;
	p->pass_as_half = 0;
	p->min_ratings_participant = 10;
	p->min_ratings_statement = 5;
	p->max_sweeps = 100;
	p->tolerance = 1e-10;
	p->threshold = 0.40;
	p->max_factor = 0.5;
	p->min_net_agree = 4;
	p->min_net_ratio = 0.05;
}

void bridging_result_free(struct bridging_result *r)
{
	if (!r)
		return;
	free(r->p_fitted);
	free(r->p_intercept);
	free(r->p_factor);
	free(r->statements);
	memset(r, 0, sizeof(*r));
}

/* The rating of a vote, or a negative number when the vote is not a
 * rating (a pass, unless passes count as 0.5). */
static inline double rating_of(int8_t v, int pass_as_half)
{
	if (v > 0)
		return 1.0;
	if (v < 0)
		return 0.0;
	return pass_as_half ? 0.5 : -1.0;
}

/* 0 disagree, 1 pass, 2 agree, without a branch: votes are random, so
 * branches on them mispredict in the hot loops. */
static inline int vote_index(int8_t v)
{
	return (v > 0) - (v < 0) + 1;
}

/* Fixed start value for a factor: a hash of the index mapped to [-1, 1).
 * Any non-zero spread works; zero factors would be a fixed point of ALS. */
static double hash_factor(uint64_t i, uint64_t salt)
{
	uint64_t z = i * 2 + salt + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

/* Minimises Σ(y − i − f·x)² + a·i² + b·f² given the sums over the terms:
 * n = count, sx = Σx, sxx = Σx², sy = Σy, sxy = Σxy. a, b > 0 keep the
 * 2×2 system positive definite. */
static void ridge2(double n, double sx, double sxx, double sy, double sxy,
		   double a, double b, double *i, double *f)
{
	double a11 = n + a, a12 = sx, a22 = sxx + b;
	double det = a11 * a22 - a12 * a12;
	if (!(det > 0)) {
		*i = 0;
		*f = 0;
		return;
	}
	*i = (a22 * sy - a12 * sxy) / det;
	*f = (a11 * sxy - a12 * sy) / det;
}

/* ---- prefilter ---- */

/* Fills pkeep/skeep with CN's three-step filter and the counts of the
 * ratings left (pcnt per participant, scnt per statement). A participant
 * or statement left with no rating is dropped. Returns R. Two passes over
 * the votes when the third step drops nothing (the usual case), three
 * otherwise; the counting is branch-free (votes are random, branches on
 * them mispredict). */
static uint64_t prefilter(const struct vote_csr *m, const struct bridging_params *p,
			  uint8_t *pkeep, uint8_t *skeep, uint32_t *pcnt, uint32_t *scnt)
{
	uint32_t min_s = p->min_ratings_statement ? p->min_ratings_statement : 1;
	uint32_t min_p = p->min_ratings_participant ? p->min_ratings_participant : 1;
	uint32_t half = p->pass_as_half != 0; /* a pass is a rating */
	const uint64_t *row_ptr = m->row_ptr;
	const uint32_t *col = m->col;
	const int8_t *val = m->val;
	uint64_t nnz = vote_csr_nnz(m), R = 0;

	/* 1: statements with too few ratings */
	memset(scnt, 0, sizeof(*scnt) * m->n_cols);
	for (uint64_t k = 0; k < nnz; k++)
		scnt[col[k]] += (uint32_t)(val[k] != 0) | half;
	for (uint32_t t = 0; t < m->n_cols; t++)
		skeep[t] = scnt[t] >= min_s;

	/* 2: participants with too few ratings on the statements left, and
	 * the ratings per statement among the participants kept */
	memset(scnt, 0, sizeof(*scnt) * m->n_cols);
	for (uint32_t u = 0; u < m->n_rows; u++) {
		uint32_t c = 0;
		for (uint64_t k = row_ptr[u]; k < row_ptr[u + 1]; k++)
			c += skeep[col[k]] & ((uint32_t)(val[k] != 0) | half);
		pkeep[u] = c >= min_p;
		pcnt[u] = pkeep[u] ? c : 0;
		if (!pkeep[u])
			continue;
		for (uint64_t k = row_ptr[u]; k < row_ptr[u + 1]; k++)
			scnt[col[k]] += skeep[col[k]] & ((uint32_t)(val[k] != 0) | half);
	}

	/* 3: statements again */
	int dropped = 0;
	for (uint32_t t = 0; t < m->n_cols; t++) {
		if (scnt[t] < min_s) {
			dropped |= skeep[t];
			skeep[t] = 0;
			scnt[t] = 0;
		}
	}
	for (uint32_t u = 0; u < m->n_rows; u++) {
		if (pkeep[u] && dropped) {
			uint32_t c = 0;
			for (uint64_t k = row_ptr[u]; k < row_ptr[u + 1]; k++)
				c += skeep[col[k]] & ((uint32_t)(val[k] != 0) | half);
			pcnt[u] = c;
			pkeep[u] = c > 0;
		}
		R += pcnt[u];
	}
	return R;
}

/* ---- the fit ---- */

/* Per-statement sums gathered in the statement step (see sweep). */
struct stmt_acc {
	double sf, sff;   /* Σf_u, Σf_u² */
	double a0, a1;    /* Σ(r − i_u), Σ(r − i_u)·f_u */
	double a2;        /* Σ(r − i_u)² */
};

struct fit {
	const struct vote_csr *m;
	const struct bridging_params *p;
	const uint8_t *pkeep, *skeep;
	const uint32_t *pcnt, *scnt;
	uint64_t R;
	uint32_t U, N;
	double *iu, *fu;    /* per participant */
	double *in, *fn;    /* per statement */
	double mu;
	struct stmt_acc *acc;
	double rating[3];   /* by vote_index */
	double weight[3];   /* 1 when the vote is a rating, else 0 */
	double *skeep_w;    /* per statement: 1 in the fit, else 0 */
	double data_loss;   /* Σ(r − r̂)²/R after the last sweep */
};

/*
 * One sweep: the participant step, then the statement step, then μ, in ONE
 * pass over the CSR; sets data_loss, the squared error at the new
 * parameters (balance adds the penalty).
 *
 * Participant step: for each participant, the exact ridge minimum of
 * (i_u, f_u) with the statement parameters and μ fixed. The
 * mean-normalised penalties become λ·R/U per participant in sum form.
 * The statement step needs only each participant's NEW (i_u, f_u), so the
 * row's contribution to the statement sums is added right after its solve,
 * while the row is still in cache: the same arithmetic in the same order
 * as a second pass, at half the memory traffic.
 *
 * Statement step: the per-statement sums do not involve μ or the
 * statement's own parameters, so the ridge solve, the optimal μ and the
 * squared error all follow in closed form.
 */
static void sweep(struct fit *F)
{
	const struct vote_csr *m = F->m;
	const struct bridging_params *p = F->p;
	const uint64_t *row_ptr = m->row_ptr;
	const uint32_t *col = m->col;
	const int8_t *val = m->val;
	const uint8_t *pkeep = F->pkeep;
	const double *skeep_w = F->skeep_w, *fn = F->fn, *in = F->in;
	double *iu = F->iu, *fu = F->fu;
	struct stmt_acc *acc = F->acc;
	double rating[3], weight[3];
	memcpy(rating, F->rating, sizeof(rating));
	memcpy(weight, F->weight, sizeof(weight));
	double mu = F->mu;
	double scale_u = (double)F->R / F->U;
	double a_u = p->lambda_intercept * scale_u, b_u = p->lambda_factor * scale_u;

	memset(acc, 0, sizeof(*acc) * m->n_cols);
	for (uint32_t u = 0; u < m->n_rows; u++) {
		if (!pkeep[u])
			continue;
		uint64_t lo = row_ptr[u], hi = row_ptr[u + 1];
		double sx = 0, sxx = 0, sy = 0, sxy = 0;
		for (uint64_t k = lo; k < hi; k++) {
			uint32_t t = col[k];
			int vi = vote_index(val[k]);
			/* w = 0 for what is not in the fit: no branch in the loop */
			double w = weight[vi] * skeep_w[t];
			double x = w * fn[t], y = w * (rating[vi] - mu - in[t]);
			sx += x;
			sxx += x * x;
			sy += y;
			sxy += y * x;
		}
		ridge2(F->pcnt[u], sx, sxx, sy, sxy, a_u, b_u, &iu[u], &fu[u]);
		double f = fu[u], i_u = iu[u];
		for (uint64_t k = lo; k < hi; k++) {
			uint32_t t = col[k];
			int vi = vote_index(val[k]);
			double w = weight[vi] * skeep_w[t];
			struct stmt_acc *s = &acc[t];
			double wf = w * f, z = w * (rating[vi] - i_u);
			s->sf += wf;
			s->sff += wf * f;
			s->a0 += z;
			s->a1 += z * f;
			s->a2 += z * z; /* w² = w */
		}
	}

	/* e = r − i_u − i_n − f_u·f_n; Σe and Σe² per statement in closed form */
	double scale_s = (double)F->R / F->N;
	double a_s = p->lambda_intercept * scale_s, b_s = p->lambda_factor * scale_s;
	double se = 0, se2 = 0;
	for (uint32_t t = 0; t < m->n_cols; t++) {
		if (!F->skeep[t])
			continue;
		const struct stmt_acc *s = &acc[t];
		double n = F->scnt[t];
		ridge2(n, s->sf, s->sff, s->a0 - n * mu, s->a1 - mu * s->sf, a_s, b_s, &F->in[t],
		       &F->fn[t]);
		double i = F->in[t], f = F->fn[t];
		se += s->a0 - n * i - f * s->sf;
		se2 += s->a2 + n * i * i + f * f * s->sff - 2 * i * s->a0 - 2 * f * s->a1 +
		       2 * i * f * s->sf;
	}
	double R = (double)F->R;
	F->mu = se / (R * (1 + p->lambda_intercept));
	double sq = se2 - 2 * F->mu * se + R * F->mu * F->mu;
	if (sq < 0)
		sq = 0; /* rounding of the expansion near a perfect fit */
	F->data_loss = sq / R;
}

/* ---- moves that leave every prediction unchanged ----
 * r̂ = μ + i_u + i_n + f_u·f_n stays the same under
 *   i_u += α, i_n += β, μ −= α + β;
 *   f_u += γ, i_n −= γ·f_n;   f_n += δ, i_u −= δ·f_u;
 *   f_u ·= s, f_n /= s,
 * so along these directions only the penalty changes. ALS moves along them
 * slowly (each step holds the other side fixed): they are the slow modes
 * that took the fit ~30 sweeps to CN's tolerance. Their exact minimum
 * follows from a few sums over the parameters, O(U + N), no pass over the
 * votes; L cannot increase, and at the optimum the moves are zero. */

struct par_sums {
	double si, sii, sf, sff, sif; /* Σi, Σi², Σf, Σf², Σi·f */
};

static void par_sums(const double *i, const double *f, const uint8_t *keep, uint32_t n,
		     struct par_sums *s)
{
	memset(s, 0, sizeof(*s));
	for (uint32_t k = 0; k < n; k++) {
		if (!keep[k])
			continue;
		s->si += i[k];
		s->sii += i[k] * i[k];
		s->sf += f[k];
		s->sff += f[k] * f[k];
		s->sif += i[k] * f[k];
	}
}

/* Solves the 3×3 system A x = b by Cramer's rule; 0 when singular. */
static int solve3(const double A[3][3], const double b[3], double x[3])
{
	double det = A[0][0] * (A[1][1] * A[2][2] - A[1][2] * A[2][1]) -
		     A[0][1] * (A[1][0] * A[2][2] - A[1][2] * A[2][0]) +
		     A[0][2] * (A[1][0] * A[2][1] - A[1][1] * A[2][0]);
	if (!(fabs(det) > 0) || !isfinite(det))
		return 0;
	for (int c = 0; c < 3; c++) {
		double M[3][3];
		memcpy(M, A, sizeof(M));
		for (int r = 0; r < 3; r++)
			M[r][c] = b[r];
		x[c] = (M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) -
			M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
			M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0])) / det;
	}
	return isfinite(x[0]) && isfinite(x[1]) && isfinite(x[2]);
}

/* The intercept shifts (α, β) with one factor shift: on the participant
 * side (f_u += γ, i_n −= γ·f_n) when side is 0, else on the statement side
 * (f_n += δ, i_u −= δ·f_u). The penalty is quadratic in the three; the
 * zero of its gradient is the minimum. */
static void shift_move(struct fit *F, int side)
{
	const struct bridging_params *p = F->p;
	double li = p->lambda_intercept, lf = p->lambda_factor;
	double U = F->U, N = F->N;
	struct par_sums su, sn;
	par_sums(F->iu, F->fu, F->pkeep, F->m->n_rows, &su);
	par_sums(F->in, F->fn, F->skeep, F->m->n_cols, &sn);
	/* the side whose factor moves (a) and the side whose intercepts absorb it (b) */
	const struct par_sums *a = side ? &sn : &su, *b = side ? &su : &sn;
	double na = side ? N : U, nb = side ? U : N;
	/* unknowns: x0 = intercept shift on side a, x1 on side b, x2 = factor shift */
	double A[3][3] = {
		{ 2, 1, 0 },
		{ 1, 2, -b->sf / nb },
		{ 0, -li * b->sf / nb, lf + li * b->sff / nb },
	};
	double rhs[3] = { F->mu - a->si / na, F->mu - b->si / nb, li * b->sif / nb - lf * a->sf / na };
	double x[3];
	if (!solve3(A, rhs, x))
		return;
	double *ia = side ? F->in : F->iu, *fa = side ? F->fn : F->fu;
	double *ib = side ? F->iu : F->in, *fb = side ? F->fu : F->fn;
	const uint8_t *ka = side ? F->skeep : F->pkeep, *kb = side ? F->pkeep : F->skeep;
	uint32_t ca = side ? F->m->n_cols : F->m->n_rows, cb = side ? F->m->n_rows : F->m->n_cols;
	for (uint32_t k = 0; k < ca; k++) {
		if (!ka[k])
			continue;
		ia[k] += x[0];
		fa[k] += x[2];
	}
	for (uint32_t k = 0; k < cb; k++) {
		if (!kb[k])
			continue;
		ib[k] += x[1] - x[2] * fb[k];
	}
	F->mu -= x[0] + x[1];
}

/* The three moves, then L at the moved parameters (the squared error is
 * unchanged, so only the penalty is recomputed). */
static double balance(struct fit *F)
{
	const struct bridging_params *p = F->p;
	struct par_sums su, sn;
	shift_move(F, 0);
	shift_move(F, 1);
	/* scale: λ_f·(s²·Σf_u²/U + Σf_n²/(s²·N)) is least at s⁴ = (Σf_n²/N)/(Σf_u²/U) */
	par_sums(F->iu, F->fu, F->pkeep, F->m->n_rows, &su);
	par_sums(F->in, F->fn, F->skeep, F->m->n_cols, &sn);
	if (su.sff > 0 && sn.sff > 0) {
		double s = sqrt(sqrt((sn.sff / F->N) / (su.sff / F->U)));
		if (isfinite(s) && s > 0) {
			for (uint32_t u = 0; u < F->m->n_rows; u++)
				F->fu[u] *= s;
			for (uint32_t t = 0; t < F->m->n_cols; t++)
				F->fn[t] /= s;
			su.sff *= s * s;
			sn.sff /= s * s;
		}
	}
	return F->data_loss + (p->lambda_factor * su.sff + p->lambda_intercept * su.sii) / F->U +
	       (p->lambda_factor * sn.sff + p->lambda_intercept * sn.sii) / F->N +
	       p->lambda_intercept * F->mu * F->mu;
}

/* The scale that gives the fitted statements' start_factor the spread of
 * the hash start (root mean square 1/√3; balance fixes the scale after the
 * first sweep anyway); 0 when start_factor cannot be used. */
static double start_scale(const struct fit *F)
{
	const double *sf = F->p->start_factor;
	double ss = 0;
	if (!sf)
		return 0;
	for (uint32_t t = 0; t < F->m->n_cols; t++) {
		if (!isfinite(sf[t]))
			return 0;
		if (F->skeep[t])
			ss += sf[t] * sf[t];
	}
	if (!(ss > 0) || !isfinite(ss))
		return 0;
	return sqrt(F->N / (3 * ss));
}

/* Only the statement side and μ need a start: the first participant step
 * recomputes every participant's parameters from them. */
static void start_values(struct fit *F, const struct bridging_result *prev)
{
	const struct vote_csr *m = F->m;
	double sc = start_scale(F);
	F->mu = 0;
	if (prev && prev->n_fitted_statements > 0)
		F->mu = prev->mu;
	for (uint32_t t = 0; t < m->n_cols; t++) {
		if (prev && t < prev->n_statements && prev->statements[t].fitted) {
			F->in[t] = prev->statements[t].intercept;
			F->fn[t] = prev->statements[t].factor;
		} else {
			F->in[t] = 0;
			F->fn[t] = sc > 0 ? sc * F->p->start_factor[t] : hash_factor(t, 2);
		}
	}
}

/* CN's identification rule: the larger share of raters gets a negative
 * factor (ties stay as they are). */
static void flip_for_identification(struct fit *F)
{
	uint64_t neg = 0, nonzero = 0;
	for (uint32_t u = 0; u < F->m->n_rows; u++) {
		if (!F->pkeep[u] || F->fu[u] == 0)
			continue;
		nonzero++;
		if (F->fu[u] < 0)
			neg++;
	}
	if (nonzero == 0 || 2 * neg >= nonzero)
		return;
	for (uint32_t u = 0; u < F->m->n_rows; u++)
		F->fu[u] = -F->fu[u];
	for (uint32_t t = 0; t < F->m->n_cols; t++)
		F->fn[t] = -F->fn[t];
}

/* Net agree per side of the opinion axis and the label. */
static void label_statements(struct fit *F, struct bridging_result *out)
{
	const struct vote_csr *m = F->m;
	const struct bridging_params *p = F->p;
	/* [2t] among f_u < 0, [2t + 1] among f_u > 0; branch-free in the loop */
	int32_t *net = xcalloc(2 * (size_t)m->n_cols, sizeof(int32_t));
	for (uint32_t u = 0; u < m->n_rows; u++) {
		if (!F->pkeep[u] || F->fu[u] == 0)
			continue;
		int32_t *side = net + (F->fu[u] > 0);
		for (uint64_t k = m->row_ptr[u]; k < m->row_ptr[u + 1]; k++) {
			uint32_t t = m->col[k];
			int8_t v = m->val[k];
			side[2 * (size_t)t] += F->skeep[t] * ((v > 0) - (v < 0));
		}
	}
	for (uint32_t t = 0; t < m->n_cols; t++) {
		struct bridging_statement *s = &out->statements[t];
		if (!s->fitted)
			continue;
		s->net_agree_neg = net[2 * (size_t)t];
		s->net_agree_pos = net[2 * (size_t)t + 1];
		int32_t low = s->net_agree_pos < s->net_agree_neg ? s->net_agree_pos : s->net_agree_neg;
		if (low < 0)
			low = 0;
		double ratio = s->n_ratings ? (double)low / s->n_ratings : 0;
		s->bridging = s->intercept >= p->threshold && fabs(s->factor) < p->max_factor &&
			      low >= p->min_net_agree && ratio >= p->min_net_ratio;
		if (s->bridging)
			out->n_bridging++;
	}
	free(net);
}

static int params_valid(const struct bridging_params *p)
{
	return p->max_sweeps > 0 && p->lambda_factor > 0 && p->lambda_intercept > 0 &&
	       isfinite(p->lambda_factor) && isfinite(p->lambda_intercept) && p->tolerance >= 0 &&
	       !isnan(p->threshold) && !isnan(p->max_factor) && !isnan(p->min_net_ratio);
}

enum hm_err bridging_fit(const struct vote_csr *m, const struct bridging_params *p,
			 const struct bridging_result *prev, struct bridging_result *out)
{
	memset(out, 0, sizeof(*out));
	if (!m || !p || !params_valid(p))
		return HM_EINVAL;

	uint32_t P = m->n_rows, C = m->n_cols;
	out->n_participants = P;
	out->n_statements = C;
	out->p_fitted = xcalloc(P ? P : 1, 1);
	out->p_intercept = xcalloc(P ? P : 1, sizeof(double));
	out->p_factor = xcalloc(P ? P : 1, sizeof(double));
	out->statements = xcalloc(C ? C : 1, sizeof(*out->statements));
	out->converged = 1;
	if (P == 0 || C == 0 || !m->row_ptr)
		return HM_OK;

	struct fit F = { .m = m, .p = p };
	uint8_t *skeep = xcalloc(C, 1);
	uint32_t *pcnt = xcalloc(P, sizeof(uint32_t));
	uint32_t *scnt = xcalloc(C, sizeof(uint32_t));
	F.R = prefilter(m, p, out->p_fitted, skeep, pcnt, scnt);
	F.pkeep = out->p_fitted;
	F.skeep = skeep;
	F.pcnt = pcnt;
	F.scnt = scnt;
	for (uint32_t u = 0; u < P; u++)
		F.U += out->p_fitted[u];
	for (uint32_t t = 0; t < C; t++)
		F.N += skeep[t];
	out->n_ratings = F.R;
	out->n_fitted_participants = F.U;
	out->n_fitted_statements = F.N;
	if (F.R == 0)
		goto out;

	F.rating[0] = 0.0;
	F.rating[1] = 0.5;
	F.rating[2] = 1.0;
	F.weight[0] = 1.0;
	F.weight[1] = p->pass_as_half ? 1.0 : 0.0;
	F.weight[2] = 1.0;
	F.skeep_w = xcalloc(C, sizeof(double));
	for (uint32_t t = 0; t < C; t++)
		F.skeep_w[t] = skeep[t] ? 1.0 : 0.0;
	F.iu = out->p_intercept;
	F.fu = out->p_factor;
	F.in = xcalloc(C, sizeof(double));
	F.fn = xcalloc(C, sizeof(double));
	F.acc = xcalloc(C, sizeof(*F.acc));
	start_values(&F, prev);

	double loss = HUGE_VAL;
	out->converged = 0;
	for (uint32_t s = 0; s < p->max_sweeps; s++) {
		sweep(&F);
		double next = balance(&F);
		out->sweeps = s + 1;
		/* a rise can only be rounding at the optimum: stop there too */
		int done = loss - next <= p->tolerance;
		loss = next;
		if (done) {
			out->converged = 1;
			break;
		}
	}

	flip_for_identification(&F);
	out->mu = F.mu;
	out->loss = loss;
	for (uint32_t t = 0; t < C; t++) {
		struct bridging_statement *st = &out->statements[t];
		if (!skeep[t])
			continue;
		st->fitted = 1;
		st->n_ratings = scnt[t];
		st->intercept = F.in[t];
		st->factor = F.fn[t];
	}
	label_statements(&F, out);
	free(F.in);
	free(F.fn);
	free(F.acc);
	free(F.skeep_w);
out:
	free(skeep);
	free(pcnt);
	free(scnt);
	return HM_OK;
}

double bridging_loss(const struct vote_csr *m, const struct bridging_params *p,
		     const struct bridging_result *r)
{
	double sq = 0, pen_u = 0, pen_s = 0;
	uint64_t R = 0;
	uint32_t U = 0, N = 0;
	if (!m || !r || !m->row_ptr || r->n_participants != m->n_rows ||
	    r->n_statements != m->n_cols)
		return NAN;
	for (uint32_t u = 0; u < m->n_rows; u++) {
		if (!r->p_fitted[u])
			continue;
		U++;
		pen_u += p->lambda_factor * r->p_factor[u] * r->p_factor[u] +
			 p->lambda_intercept * r->p_intercept[u] * r->p_intercept[u];
		for (uint64_t k = m->row_ptr[u]; k < m->row_ptr[u + 1]; k++) {
			const struct bridging_statement *s = &r->statements[m->col[k]];
			double rt = rating_of(m->val[k], p->pass_as_half);
			if (!s->fitted || rt < 0)
				continue;
			double e = rt - r->mu - r->p_intercept[u] - s->intercept -
				   r->p_factor[u] * s->factor;
			sq += e * e;
			R++;
		}
	}
	for (uint32_t t = 0; t < m->n_cols; t++) {
		const struct bridging_statement *s = &r->statements[t];
		if (!s->fitted)
			continue;
		N++;
		pen_s += p->lambda_factor * s->factor * s->factor +
			 p->lambda_intercept * s->intercept * s->intercept;
	}
	if (R == 0)
		return NAN;
	return sq / (double)R + pen_u / U + pen_s / N +
	       p->lambda_intercept * r->mu * r->mu;
}
