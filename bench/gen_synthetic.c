/*
 * gen_synthetic.c — writes a synthetic conversation as a Pol.is export
 * folder (votes.csv, comments.csv, summary.csv) plus planted.csv, the
 * truth the benchmark scores against: each participant's planted opinion
 * group and the planted common-ground statements. Deterministic per seed.
 *
 *   gen_synthetic OUTDIR PARTICIPANTS STATEMENTS VOTES_EACH
 *                 [--seed N] [--groups G] [--common K]
 *
 * Model: G groups with sizes in the ratio G : G−1 : … : 1. Every
 * statement has an agree probability per group: the K common-ground
 * statements 0.9 for every group; the others split the groups by a random
 * non-constant pattern into 0.5 + s and 0.5 − s with s in [0.15, 0.40).
 * Each participant votes on VOTES_EACH distinct statements drawn
 * uniformly; a vote is a pass with probability 0.1, else agree with the
 * group's probability, else disagree. The datetime column is left empty
 * (readers use the millisecond timestamp) to keep 10^8 votes near 2.5 GB.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PASS_P 0.10
#define COMMON_P 0.90

/* ---- xoshiro256** seeded by splitmix64: fast, reproducible ---- */
static uint64_t rng_s[4];

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		rng_s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(void)
{
	uint64_t r = rotl(rng_s[1] * 5, 7) * 9, t = rng_s[1] << 17;
	rng_s[2] ^= rng_s[0];
	rng_s[3] ^= rng_s[1];
	rng_s[1] ^= rng_s[2];
	rng_s[0] ^= rng_s[3];
	rng_s[2] ^= t;
	rng_s[3] = rotl(rng_s[3], 45);
	return r;
}

/* uniform in [0, n) without modulo bias worth caring about (n < 2^32) */
static inline uint32_t rng_below(uint32_t n)
{
	return (uint32_t)(((rng_next() >> 32) * (uint64_t)n) >> 32);
}

/* uniform 32-bit threshold compare: P(rng_u32() < p·2^32) = p */
static inline uint32_t rng_u32(void)
{
	return (uint32_t)(rng_next() >> 32);
}

static uint32_t prob32(double p)
{
	if (p <= 0)
		return 0;
	if (p >= 1)
		return UINT32_MAX;
	return (uint32_t)(p * 4294967296.0);
}

/* ---- buffered output with hand-rolled integer formatting ---- */
struct out {
	FILE *f;
	char *buf;
	size_t len, cap;
};

static void out_open(struct out *o, const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	o->f = fopen(path, "w");
	if (!o->f) {
		fprintf(stderr, "gen_synthetic: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	o->cap = 1 << 22;
	o->buf = malloc(o->cap);
	o->len = 0;
	if (!o->buf)
		abort();
}

static void out_flush(struct out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
		fprintf(stderr, "gen_synthetic: write failed: %s\n", strerror(errno));
		exit(1);
	}
	o->len = 0;
}

static void out_close(struct out *o)
{
	out_flush(o);
	if (fclose(o->f) != 0) {
		fprintf(stderr, "gen_synthetic: close failed: %s\n", strerror(errno));
		exit(1);
	}
	free(o->buf);
}

static inline void out_reserve(struct out *o, size_t n)
{
	if (o->len + n > o->cap)
		out_flush(o);
}

static inline void out_str(struct out *o, const char *s)
{
	size_t n = strlen(s);
	out_reserve(o, n);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static inline void out_u64(struct out *o, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_reserve(o, (size_t)n);
	while (n)
		o->buf[o->len++] = tmp[--n];
}

static inline void out_i64(struct out *o, int64_t v)
{
	if (v < 0) {
		out_str(o, "-");
		out_u64(o, (uint64_t)(-v));
	} else {
		out_u64(o, (uint64_t)v);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: gen_synthetic OUTDIR PARTICIPANTS STATEMENTS VOTES_EACH "
			"[--seed N] [--groups G] [--common K]\n");
	exit(2);
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || end == s || s[0] == '-') {
		fprintf(stderr, "gen_synthetic: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	if (argc < 5)
		usage();
	const char *dir = argv[1];
	uint64_t P = parse_u64(argv[2], "PARTICIPANTS");
	uint64_t C = parse_u64(argv[3], "STATEMENTS");
	uint64_t V = parse_u64(argv[4], "VOTES_EACH");
	uint64_t seed = 1, G = 3, K = 5;
	for (int i = 5; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--seed"))
			seed = parse_u64(argv[++i], "seed");
		else if (!strcmp(argv[i], "--groups"))
			G = parse_u64(argv[++i], "groups");
		else if (!strcmp(argv[i], "--common"))
			K = parse_u64(argv[++i], "common");
		else
			usage();
	}
	if (P == 0 || P > UINT32_MAX || C == 0 || C > UINT32_MAX || V == 0 || G < 2 || G > 16 ||
	    K > C) {
		fprintf(stderr, "gen_synthetic: need P, C, V ≥ 1, 2 ≤ G ≤ 16, K ≤ C\n");
		return 2;
	}
	if (V > C)
		V = C;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen_synthetic: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	rng_seed(seed);

	/* statements: per-group agree thresholds; common ones evenly spread */
	uint32_t *agree_thr = malloc(C * G * sizeof(uint32_t));
	uint8_t *common = calloc(C, 1);
	uint64_t *n_agree = calloc(C, sizeof(uint64_t)), *n_disagree = calloc(C, sizeof(uint64_t));
	if (!agree_thr || !common || !n_agree || !n_disagree)
		abort();
	for (uint64_t k = 0; k < K; k++)
		common[(k * C) / K + C / (2 * K)] = 1;
	for (uint64_t t = 0; t < C; t++) {
		if (common[t]) {
			for (uint64_t g = 0; g < G; g++)
				agree_thr[t * G + g] = prob32(COMMON_P);
			continue;
		}
		uint32_t pattern, all = (uint32_t)((1u << G) - 1);
		do
			pattern = rng_below(all + 1);
		while (pattern == 0 || pattern == all);
		double s = 0.15 + 0.25 * (double)rng_u32() / 4294967296.0;
		for (uint64_t g = 0; g < G; g++)
			agree_thr[t * G + g] = prob32(pattern >> g & 1 ? 0.5 + s : 0.5 - s);
	}

	/* participants: planted group by the G : G−1 : … : 1 weights */
	uint64_t wsum = G * (G + 1) / 2;
	uint8_t *group = malloc(P);
	if (!group)
		abort();
	struct out planted;
	out_open(&planted, dir, "planted.csv");
	out_str(&planted, "kind,id,group\n");
	for (uint64_t u = 0; u < P; u++) {
		uint64_t r = rng_below((uint32_t)wsum), g = 0, acc = G;
		while (r >= acc) {
			g++;
			acc += G - g;
		}
		group[u] = (uint8_t)g;
		out_str(&planted, "participant,");
		out_u64(&planted, u);
		out_str(&planted, ",");
		out_u64(&planted, g);
		out_str(&planted, "\n");
	}
	for (uint64_t t = 0; t < C; t++) {
		if (!common[t])
			continue;
		out_str(&planted, "common,");
		out_u64(&planted, t);
		out_str(&planted, ",\n");
	}
	out_close(&planted);

	/* votes: V distinct statements per participant, by rejection on a
	 * bitmap when V is small next to C, else a partial shuffle */
	uint8_t *seen = calloc(C, 1);
	uint32_t *pick = malloc(V * sizeof(uint32_t));
	uint32_t *perm = NULL;
	int shuffle = V * 4 > C;
	if (shuffle) {
		perm = malloc(C * sizeof(uint32_t));
		if (!perm)
			abort();
		for (uint64_t t = 0; t < C; t++)
			perm[t] = (uint32_t)t;
	}
	if (!seen || !pick)
		abort();
	uint32_t pass_thr = prob32(PASS_P);
	int64_t ts = 1700000000000LL;
	struct out votes;
	out_open(&votes, dir, "votes.csv");
	out_str(&votes, "timestamp,datetime,comment-id,voter-id,vote\n");
	for (uint64_t u = 0; u < P; u++) {
		if (shuffle) {
			for (uint64_t i = 0; i < V; i++) {
				uint64_t j = i + rng_below((uint32_t)(C - i));
				uint32_t x = perm[i];
				perm[i] = perm[j];
				perm[j] = x;
				pick[i] = perm[i];
			}
		} else {
			for (uint64_t i = 0; i < V; i++) {
				uint32_t t;
				do
					t = rng_below((uint32_t)C);
				while (seen[t]);
				seen[t] = 1;
				pick[i] = t;
			}
			for (uint64_t i = 0; i < V; i++)
				seen[pick[i]] = 0;
		}
		uint64_t g = group[u];
		for (uint64_t i = 0; i < V; i++) {
			uint32_t t = pick[i];
			int v;
			if (rng_u32() < pass_thr) {
				v = 0;
			} else if (rng_u32() < agree_thr[(uint64_t)t * G + g]) {
				v = 1;
				n_agree[t]++;
			} else {
				v = -1;
				n_disagree[t]++;
			}
			out_i64(&votes, ts++);
			out_str(&votes, ",,");
			out_u64(&votes, t);
			out_str(&votes, ",");
			out_u64(&votes, u);
			out_str(&votes, v > 0 ? ",1\n" : v < 0 ? ",-1\n" : ",0\n");
		}
	}
	out_close(&votes);

	struct out cm;
	out_open(&cm, dir, "comments.csv");
	out_str(&cm, "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n");
	for (uint64_t t = 0; t < C; t++) {
		out_u64(&cm, 1700000000000ULL - C + t);
		out_str(&cm, ",,");
		out_u64(&cm, t);
		out_str(&cm, ",0,");
		out_u64(&cm, n_agree[t]);
		out_str(&cm, ",");
		out_u64(&cm, n_disagree[t]);
		out_str(&cm, ",1,Synthetic statement ");
		out_u64(&cm, t);
		out_str(&cm, common[t] ? " (planted common ground)\n" : "\n");
	}
	out_close(&cm);

	struct out sm;
	out_open(&sm, dir, "summary.csv");
	out_str(&sm, "topic,Synthetic conversation\nvoters,");
	out_u64(&sm, P);
	out_str(&sm, "\ncomments,");
	out_u64(&sm, C);
	out_str(&sm, "\ngroups,");
	out_u64(&sm, G);
	out_str(&sm, "\nseed,");
	out_u64(&sm, seed);
	out_str(&sm, "\n");
	out_close(&sm);

	free(agree_thr);
	free(common);
	free(n_agree);
	free(n_disagree);
	free(group);
	free(seen);
	free(pick);
	free(perm);
	return 0;
}
