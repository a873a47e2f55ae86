/*
 * test_admission.c — the admission rules of registration: capacity, caps
 * and targets by count and by share, combined quotas, and the order of
 * the waiting list; tables of rooms and candidates, then 500 random
 * arrivals checked against the caps and against first-come promotion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/core.h"
#include "features/registration/admission.h"

/* A quota: a cap (max, max_share) and a target (min, min_share); -1 none. */
#define Q(a, v, max, maxs, min, mins) { (a), -1, (v), NULL, (max), (maxs), (min), (mins) }
#define Q2(a, v, a2, v2, max, maxs, min, mins) { (a), (a2), (v), (v2), (max), (maxs), (min), (mins) }
#define CAP(a, v, n) Q(a, v, n, -1, -1, -1)
#define CAP_SHARE(a, v, s) Q(a, v, -1, s, -1, -1)
#define TARGET(a, v, n) Q(a, v, -1, -1, n, -1)
#define TARGET_SHARE(a, v, s) Q(a, v, -1, -1, -1, s)

/* Who someone is: sector, country, gender, region. */
struct who {
	const char *sector, *country, *gender, *region;
};

/* n seated people alike. */
struct crowd {
	int n;
	struct who who;
};

#define MAXQ 4
#define MAXC 4
#define MAXSEATED 1000

struct room_spec {
	int capacity, keep_targets;
	struct reg_quota quotas[MAXQ];
	size_t nquotas;
	struct crowd seated[MAXC];
};

static struct reg_person seats[MAXSEATED];

static struct reg_person person(int64_t id, struct who w, int64_t since)
{
	struct reg_person p = { .id = id, .since = since };
	p.attr[REG_SECTOR] = w.sector;
	p.attr[REG_COUNTRY] = w.country;
	p.attr[REG_GENDER] = w.gender;
	p.attr[REG_REGION] = w.region;
	return p;
}

static struct reg_room room_of(const struct room_spec *s)
{
	size_t n = 0;
	for (size_t c = 0; c < MAXC; c++)
		for (int i = 0; i < s->seated[c].n; i++) {
			assert_true(n < MAXSEATED);
			seats[n] = person((int64_t)n + 1000, s->seated[c].who, (int64_t)n);
			n++;
		}
	return (struct reg_room){ .capacity = s->capacity, .quotas = s->quotas,
				  .nquotas = s->nquotas, .seated = seats, .nseated = n,
				  .keep_targets = s->keep_targets };
}

#define MAN_GOV { "government", "CN", "male", "030" }
#define MAN_NGO { "ngo", "KE", "male", "014" }
#define WOMAN_GOV { "government", "CN", "female", "030" }
#define WOMAN_NGO { "ngo", "KE", "female", "014" }
#define OTHER_ACA { "academia", "IN", "other", "034" }

static void test_shares_in_seats(void **state)
{
	(void)state;
	static const struct {
		struct reg_quota q;
		int capacity, cap, target;
	} cases[] = {
		{ CAP_SHARE(REG_SECTOR, "ngo", 0.35), 150, 52, 0 },      /* 52.5: down */
		{ TARGET_SHARE(REG_GENDER, "female", 0.4), 150, -1, 60 }, /* 60.000…01 in doubles */
		{ Q(REG_GENDER, "female", -1, 0.29, -1, 0.29), 100, 29, 29 }, /* 28.999…96 */
		{ Q(REG_GENDER, "female", -1, 0.7, -1, 0.7), 10, 7, 7 },      /* 7.000…01 */
		{ Q(REG_GENDER, "female", -1, 0.41, -1, 0.41), 150, 61, 62 }, /* 61.5 */
		{ Q(REG_SECTOR, "ngo", 40, 0.35, 70, 0.4), 150, 40, 70 },     /* count wins */
		{ Q(REG_SECTOR, "ngo", 60, 0.35, 50, 0.4), 150, 52, 60 },     /* share wins */
		{ Q(REG_SECTOR, "ngo", 60, 0.35, 50, 0.4), -1, 60, 50 },      /* no capacity: counts */
		{ Q(REG_SECTOR, "ngo", -1, 0.35, -1, 0.4), -1, -1, 0 },       /* nor shares */
		{ Q(REG_SECTOR, "ngo", -1, 0.35, -1, 0.4), 0, 0, 0 },
		{ Q(REG_SECTOR, "ngo", -1, 1.5, -1, 1.5), 150, 150, 150 },    /* above 1: all */
		{ Q(REG_SECTOR, "ngo", 0, -1, 0, -1), 150, 0, 0 },            /* nobody of them */
		{ Q(REG_SECTOR, "ngo", -1, -1, -1, -1), 150, -1, 0 },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(cases); i++) {
		print_message("case %zu\n", i);
		assert_int_equal(reg_cap_seats(&cases[i].q, cases[i].capacity), cases[i].cap);
		assert_int_equal(reg_target_seats(&cases[i].q, cases[i].capacity), cases[i].target);
	}
}

static void test_matches_and_count(void **state)
{
	(void)state;
	const struct reg_quota women = TARGET(REG_GENDER, "female", 1),
			       ngo_east = Q2(REG_SECTOR, "ngo", REG_REGION, "014", 1, -1, -1, -1),
			       empty = CAP(REG_GENDER, "", 1), none = CAP(REG_GENDER, NULL, 1),
			       bad_attr = CAP(REG_NATTR, "female", 1);
	const struct reg_person w = person(1, (struct who)WOMAN_NGO, 0),
				m = person(2, (struct who)MAN_GOV, 0),
				upper = person(3, (struct who){ "NGO", "KE", "Female", "014" }, 0),
				unknown = person(4, (struct who){ NULL, "", NULL, "014" }, 0),
				elsewhere = person(5, (struct who){ "ngo", "CN", "female", "030" }, 0);
	assert_true(reg_matches(&women, &w));
	assert_false(reg_matches(&women, &m));
	assert_false(reg_matches(&women, &upper)); /* exact, case-sensitive */
	assert_false(reg_matches(&women, &unknown));
	assert_true(reg_matches(&ngo_east, &w));
	assert_false(reg_matches(&ngo_east, &elsewhere)); /* both must match */
	assert_false(reg_matches(&ngo_east, &upper));
	assert_false(reg_matches(&ngo_east, &unknown));
	assert_false(reg_matches(&empty, &unknown)); /* "" never matches, even "" */
	assert_false(reg_matches(&none, &unknown));
	assert_false(reg_matches(&bad_attr, &w));

	const struct reg_person seated[] = { w, m, upper, unknown, elsewhere };
	const struct reg_room room = { .capacity = -1, .seated = seated, .nseated = 5 };
	assert_int_equal(reg_count(&room, &women), 2);
	assert_int_equal(reg_count(&room, &ngo_east), 1);
	assert_int_equal(reg_count(&room, &empty), 0);
}

static void test_admit(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		struct room_spec room;
		struct who candidate;
		enum reg_verdict want;
		size_t which;
	} cases[] = {
		{ "no capacity", { -1, 1, { TARGET(REG_GENDER, "female", 5) }, 1, { { 900, MAN_GOV } } },
		  MAN_GOV, REG_FITS, 0 },
		{ "capacity reached", { 10, 1, { { 0 } }, 0, { { 10, WOMAN_NGO } } }, WOMAN_NGO, REG_FULL, 0 },
		{ "capacity above the seated", { 10, 1, { { 0 } }, 0, { { 9, WOMAN_NGO } } }, WOMAN_NGO,
		  REG_FITS, 0 },
		{ "capacity 0", { 0, 1, { { 0 } }, 0, { { 0 } } }, WOMAN_NGO, REG_FULL, 0 },
		{ "full before capped", { 10, 1, { CAP(REG_SECTOR, "ngo", 2) }, 1, { { 10, WOMAN_NGO } } },
		  WOMAN_NGO, REG_FULL, 0 },
		{ "count cap reached",
		  { 150, 1, { CAP(REG_COUNTRY, "CN", 30), CAP(REG_SECTOR, "ngo", 10) }, 2,
		    { { 10, WOMAN_NGO }, { 5, MAN_GOV } } },
		  MAN_NGO, REG_CAP, 1 },
		{ "count cap: another value",
		  { 150, 1, { CAP(REG_COUNTRY, "CN", 30), CAP(REG_SECTOR, "ngo", 10) }, 2,
		    { { 10, WOMAN_NGO }, { 5, MAN_GOV } } },
		  MAN_GOV, REG_FITS, 0 },
		{ "count cap: the last seat", { 150, 1, { CAP(REG_SECTOR, "ngo", 10) }, 1, { { 9, WOMAN_NGO } } },
		  MAN_NGO, REG_FITS, 0 },
		{ "count cap 0", { 150, 1, { CAP(REG_SECTOR, "ngo", 0) }, 1, { { 0 } } }, MAN_NGO, REG_CAP, 0 },
		{ "35 % of 150: the 52nd", { 150, 1, { CAP_SHARE(REG_SECTOR, "government", 0.35) }, 1,
		    { { 51, MAN_GOV }, { 20, MAN_NGO } } },
		  WOMAN_GOV, REG_FITS, 0 },
		{ "35 % of 150: not the 53rd", { 150, 1, { CAP_SHARE(REG_SECTOR, "government", 0.35) }, 1,
		    { { 52, MAN_GOV }, { 20, MAN_NGO } } },
		  WOMAN_GOV, REG_CAP, 0 },
		{ "share cap without capacity", { -1, 1, { CAP_SHARE(REG_SECTOR, "government", 0.35) }, 1,
		    { { 100, MAN_GOV } } },
		  MAN_GOV, REG_FITS, 0 },
		{ "sector x region reached",
		  { 150, 1, { CAP(REG_SECTOR, "academia", 50),
			      Q2(REG_SECTOR, "ngo", REG_REGION, "014", 3, -1, -1, -1) }, 2,
		    { { 3, WOMAN_NGO } } },
		  MAN_NGO, REG_CAP, 1 },
		{ "sector x region: other region",
		  { 150, 1, { Q2(REG_SECTOR, "ngo", REG_REGION, "014", 3, -1, -1, -1) }, 1,
		    { { 3, WOMAN_NGO } } },
		  { "ngo", "CN", "male", "030" }, REG_FITS, 0 },
		{ "sector x region: other sector",
		  { 150, 1, { Q2(REG_SECTOR, "ngo", REG_REGION, "014", 3, -1, -1, -1) }, 1,
		    { { 3, WOMAN_NGO } } },
		  { "academia", "KE", "male", "014" }, REG_FITS, 0 },
		{ "40 % women kept: the 91st man", { 150, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4) }, 1,
		    { { 90, MAN_GOV } } },
		  MAN_NGO, REG_RESERVED, 0 },
		{ "40 % women kept: a woman", { 150, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4) }, 1,
		    { { 90, MAN_GOV } } },
		  WOMAN_GOV, REG_FITS, 0 },
		{ "40 % women kept: the 90th man", { 150, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4) }, 1,
		    { { 89, MAN_GOV } } },
		  MAN_NGO, REG_FITS, 0 },
		{ "one seat left, target short", { 150, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4) }, 1,
		    { { 100, MAN_GOV }, { 49, WOMAN_GOV } } },
		  MAN_NGO, REG_RESERVED, 0 },
		{ "target met: a man", { 150, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4) }, 1,
		    { { 89, MAN_GOV }, { 60, WOMAN_GOV } } },
		  MAN_NGO, REG_FITS, 0 },
		{ "target by count", { 10, 1, { CAP(REG_SECTOR, "ngo", 9), TARGET(REG_GENDER, "female", 5) }, 2,
		    { { 5, MAN_GOV } } },
		  MAN_GOV, REG_RESERVED, 1 },
		{ "target by count: room left", { 10, 1, { TARGET(REG_GENDER, "female", 5) }, 1,
		    { { 4, MAN_GOV } } },
		  MAN_GOV, REG_FITS, 0 },
		/* 40 % women and 40 % men of 10: 4 + 4 seats kept. */
		{ "disjoint targets add up", { 10, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4),
						       TARGET_SHARE(REG_GENDER, "male", 0.4) }, 2,
		    { { 2, OTHER_ACA } } },
		  OTHER_ACA, REG_RESERVED, 0 },
		{ "disjoint targets: one seat more", { 10, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4),
							       TARGET_SHARE(REG_GENDER, "male", 0.4) }, 2,
		    { { 1, OTHER_ACA } } },
		  OTHER_ACA, REG_FITS, 0 },
		{ "disjoint targets: a man narrows his", { 10, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4),
								   TARGET_SHARE(REG_GENDER, "male", 0.4) }, 2,
		    { { 2, OTHER_ACA } } },
		  MAN_GOV, REG_FITS, 0 },
		{ "disjoint targets: men met", { 10, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4),
							  TARGET_SHARE(REG_GENDER, "male", 0.4) }, 2,
		    { { 5, MAN_GOV }, { 1, OTHER_ACA } } },
		  MAN_GOV, REG_RESERVED, 0 },
		{ "disjoint targets: the men's reason", { 10, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4),
							       TARGET_SHARE(REG_GENDER, "male", 0.4) }, 2,
		    { { 5, WOMAN_GOV }, { 1, OTHER_ACA } } },
		  WOMAN_NGO, REG_RESERVED, 1 },
		/* 4 women and 4 from NGOs of 10, 3 seated: 6 free after the next;
		 * kept separately (4 and 4), not 8, since one woman from an NGO
		 * may fill both. */
		{ "overlapping targets: a man", { 10, 1, { TARGET(REG_GENDER, "female", 4),
							  TARGET(REG_SECTOR, "ngo", 4) }, 2,
		    { { 3, MAN_GOV } } },
		  MAN_GOV, REG_FITS, 0 },
		{ "overlapping targets: the last free", { 10, 1, { TARGET(REG_GENDER, "female", 4),
							     TARGET(REG_SECTOR, "ngo", 4) }, 2,
		    { { 5, MAN_GOV } } },
		  MAN_GOV, REG_FITS, 0 },
		{ "overlapping targets: kept", { 10, 1, { TARGET(REG_GENDER, "female", 4),
							 TARGET(REG_SECTOR, "ngo", 4) }, 2,
		    { { 6, MAN_GOV } } },
		  MAN_GOV, REG_RESERVED, 0 },
		{ "overlapping targets: a woman from an NGO", { 10, 1, { TARGET(REG_GENDER, "female", 4),
								    TARGET(REG_SECTOR, "ngo", 4) }, 2,
		    { { 6, MAN_GOV } } },
		  WOMAN_NGO, REG_FITS, 0 },
		{ "overlapping targets: a woman elsewhere", { 10, 1, { TARGET(REG_GENDER, "female", 4),
								   TARGET(REG_SECTOR, "ngo", 4) }, 2,
		    { { 6, MAN_GOV } } },
		  WOMAN_GOV, REG_RESERVED, 1 },
		{ "overlapping targets: a man from an NGO", { 10, 1, { TARGET(REG_GENDER, "female", 4),
								   TARGET(REG_SECTOR, "ngo", 4) }, 2,
		    { { 6, MAN_GOV } } },
		  MAN_NGO, REG_RESERVED, 0 },
		/* Seats were taken beyond the reservation (an organiser's hand,
		 * a capacity lowered): whoever narrows the gap is still seated. */
		{ "target out of reach: a woman", { 150, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4) }, 1,
		    { { 149, MAN_GOV } } },
		  WOMAN_NGO, REG_FITS, 0 },
		{ "target out of reach: a man", { 150, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4) }, 1,
		    { { 149, MAN_GOV } } },
		  MAN_NGO, REG_RESERVED, 0 },
		{ "caps before targets", { 150, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4),
						     CAP(REG_SECTOR, "government", 10) }, 2,
		    { { 10, WOMAN_GOV }, { 90, MAN_NGO } } },
		  MAN_GOV, REG_CAP, 1 },
		{ "keep_targets 0: targets ignored", { 150, 0, { TARGET_SHARE(REG_GENDER, "female", 0.4) }, 1,
		    { { 90, MAN_GOV } } },
		  MAN_NGO, REG_FITS, 0 },
		{ "keep_targets 0: caps hold", { 150, 0, { TARGET_SHARE(REG_GENDER, "female", 0.4),
							   CAP_SHARE(REG_SECTOR, "government", 0.35) }, 2,
		    { { 52, MAN_GOV } } },
		  MAN_GOV, REG_CAP, 1 },
		{ "keep_targets 0: capacity holds", { 10, 0, { { 0 } }, 0, { { 10, MAN_GOV } } }, MAN_GOV,
		  REG_FULL, 0 },
		{ "unknown gender is no woman", { 150, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4) }, 1,
		    { { 90, MAN_GOV } } },
		  { "ngo", "KE", NULL, "014" }, REG_RESERVED, 0 },
		{ "values are case-sensitive", { 150, 1, { TARGET_SHARE(REG_GENDER, "female", 0.4) }, 1,
		    { { 90, MAN_GOV } } },
		  { "ngo", "KE", "Female", "014" }, REG_RESERVED, 0 },
		{ "unknown values meet no cap", { 150, 1, { CAP(REG_SECTOR, "ngo", 0), CAP(REG_COUNTRY, "", 0) }, 2,
		    { { 0 } } },
		  { "", NULL, "undisclosed", "xyz" }, REG_FITS, 0 },
		{ "a value no quota names", { 150, 1, { CAP(REG_SECTOR, "ngo", 0) }, 1, { { 0 } } },
		  { "parliament", "ZZ", "other", "999" }, REG_FITS, 0 },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(cases); i++) {
		print_message("%s\n", cases[i].name);
		struct reg_room room = room_of(&cases[i].room);
		struct reg_person p = person(1, cases[i].candidate, 0);
		size_t which = 99;
		assert_int_equal(reg_admit(&room, &p, &which), cases[i].want);
		if (cases[i].want == REG_CAP || cases[i].want == REG_RESERVED)
			assert_int_equal(which, cases[i].which);
		else
			assert_int_equal(which, 99); /* untouched */
		assert_int_equal(reg_admit(&room, &p, NULL), cases[i].want); /* which is optional */
	}
}

static void test_pick(void **state)
{
	(void)state;
	struct waiter {
		int64_t id;
		struct who who;
		int64_t since;
	};
	/* 10 seats, 4 kept for women; 3 men from the government seated. */
	static const struct room_spec base = { 10, 1, { TARGET(REG_GENDER, "female", 4),
							CAP(REG_SECTOR, "academia", 0) }, 2,
					       { { 3, MAN_GOV } } };
	static const struct room_spec full = { 3, 1, { { 0 } }, 0, { { 3, MAN_GOV } } };
	static const struct {
		const char *name;
		const struct room_spec *room;
		struct waiter waiting[4];
		size_t n;
		ptrdiff_t want;
	} cases[] = {
		{ "a short target first", &base,
		  { { 1, MAN_NGO, 1 }, { 2, { "ngo", "IN", "other", "034" }, 2 }, { 3, WOMAN_GOV, 9 } }, 3, 2 },
		{ "then the least present", &base,
		  { { 1, { "government", "CN", "male", "030" }, 1 }, { 2, { "government", "KE", "male", "014" }, 2 },
		    { 3, MAN_NGO, 3 } }, 3, 2 },
		{ "unknown values are not present", &base,
		  { { 1, MAN_NGO, 1 }, { 2, { "ngo", NULL, "", "014" }, 2 } }, 2, 1 },
		{ "then the earliest", &base, { { 1, MAN_NGO, 5 }, { 2, MAN_NGO, 4 }, { 3, MAN_NGO, 6 } }, 3, 1 },
		{ "then the smallest id", &base, { { 7, MAN_NGO, 4 }, { 5, MAN_NGO, 4 }, { 6, MAN_NGO, 4 } }, 3, 1 },
		{ "a capped candidate skipped", &base,
		  { { 1, { "academia", "KE", "female", "014" }, 1 }, { 2, MAN_GOV, 2 } }, 2, 1 },
		{ "nobody fits", &full, { { 1, WOMAN_NGO, 1 } }, 1, -1 },
		{ "nobody waits", &base, { { 0 } }, 0, -1 },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(cases); i++) {
		print_message("%s\n", cases[i].name);
		struct reg_room room = room_of(cases[i].room);
		struct reg_person waiting[4];
		for (size_t j = 0; j < cases[i].n; j++)
			waiting[j] = person(cases[i].waiting[j].id, cases[i].waiting[j].who,
					    cases[i].waiting[j].since);
		assert_int_equal(reg_pick(&room, waiting, cases[i].n), cases[i].want);
	}
}

/* ---- 500 random arrivals into 150 seats ---- */

static uint64_t rng = 0x15c0ffee15ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13; /* xorshift64 */
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

enum { ARRIVALS = 500, CAPACITY = 150, FREED = 30 };

static const struct reg_quota property_quotas[] = {
	CAP_SHARE(REG_SECTOR, "government", 0.35),
	CAP(REG_COUNTRY, "CN", 30),
	TARGET_SHARE(REG_GENDER, "female", 0.4),
};

struct state {
	struct reg_person seated[CAPACITY], waiting[ARRIVALS];
	size_t nseated, nwaiting;
};

static struct reg_room room_in(const struct state *s)
{
	return (struct reg_room){ .capacity = CAPACITY, .quotas = property_quotas,
				  .nquotas = HM_ARRAY_LEN(property_quotas), .seated = s->seated,
				  .nseated = s->nseated, .keep_targets = 1 };
}

/* After every step: the capacity and the caps hold, and the seats kept for
 * women are free (their shortfall is at most the free seats), since every
 * seat given was given by reg_admit with keep_targets. */
static void check_room(const struct state *s)
{
	struct reg_room room = room_in(s);
	assert_true(s->nseated <= CAPACITY);
	for (size_t i = 0; i < room.nquotas; i++) {
		int cap = reg_cap_seats(&room.quotas[i], CAPACITY);
		if (cap >= 0)
			assert_true(reg_count(&room, &room.quotas[i]) <= cap);
	}
	int target = reg_target_seats(&property_quotas[2], CAPACITY);
	int shortfall = target - reg_count(&room, &property_quotas[2]);
	assert_true(shortfall <= CAPACITY - (int)s->nseated);
}

static int women(const struct state *s)
{
	struct reg_room room = room_in(s);
	return reg_count(&room, &property_quotas[2]);
}

/* Frees the seats in order (an index among the seated, modulo their
 * number) and after each gives it to reg_pick's choice, or with fifo to
 * the earliest waiting person who fits. */
static void free_and_promote(struct state *s, const unsigned *leave, int fifo)
{
	for (int k = 0; k < FREED; k++) {
		size_t gone = leave[k] % s->nseated;
		memmove(&s->seated[gone], &s->seated[gone + 1],
			(s->nseated - gone - 1) * sizeof(s->seated[0]));
		s->nseated--;
		struct reg_room room = room_in(s);
		ptrdiff_t next = -1;
		if (!fifo)
			next = reg_pick(&room, s->waiting, s->nwaiting);
		else
			for (size_t i = 0; i < s->nwaiting && next < 0; i++)
				if (reg_admit(&room, &s->waiting[i], NULL) == REG_FITS)
					next = (ptrdiff_t)i;
		if (next >= 0) {
			assert_int_equal(reg_admit(&room, &s->waiting[next], NULL), REG_FITS);
			s->seated[s->nseated++] = s->waiting[next];
			memmove(&s->waiting[next], &s->waiting[next + 1],
				(s->nwaiting - (size_t)next - 1) * sizeof(s->waiting[0]));
			s->nwaiting--;
		}
		check_room(s);
	}
}

/* One run: 500 arrivals, admitted when they fit and waiting otherwise;
 * then 30 seats freed and given by reg_pick, and the same 30 given first
 * come. Returns the women seated at the end of each. */
static void run(int *women_picked, int *women_first_come)
{
	static const char *const sectors[] = { "government", "government", "government", "government",
					       "academia", "academia", "business", "business", "ngo",
					       "culture" };
	static const char *const countries[] = { "CN", "CN", "CN", "IN", "KE", "JP", "ID", "BR" };
	static const char *const regions[] = { "030", "030", "030", "034", "014", "030", "035", "005" };
	static const char *const genders[] = { "female", "female", "female", "male", "male", "male",
					       "male", "male", "male", "other", "undisclosed", "" };
	static struct state arrived, picked, first_come;
	memset(&arrived, 0, sizeof(arrived));
	for (int i = 0; i < ARRIVALS; i++) {
		unsigned c = rnd(HM_ARRAY_LEN(countries));
		struct who w = { sectors[rnd(HM_ARRAY_LEN(sectors))], countries[c],
				 genders[rnd(HM_ARRAY_LEN(genders))], regions[c] };
		struct reg_person p = person(i + 1, w, i);
		struct reg_room room = room_in(&arrived);
		if (reg_admit(&room, &p, NULL) == REG_FITS)
			arrived.seated[arrived.nseated++] = p;
		else
			arrived.waiting[arrived.nwaiting++] = p;
		check_room(&arrived);
	}
	unsigned leave[FREED];
	for (int k = 0; k < FREED; k++)
		leave[k] = rnd(CAPACITY);
	picked = arrived;
	first_come = arrived;
	free_and_promote(&picked, leave, 0);
	free_and_promote(&first_come, leave, 1);
	*women_picked = women(&picked);
	*women_first_come = women(&first_come);
}

/* 20 runs from a fixed seed. Per run, the target is at least as near with
 * reg_pick as first come. Per run, more women is not a law: once 60 are
 * seated reg_pick balances the other attributes too, and first come may
 * by chance seat one woman more (3 runs of these 20); over the runs
 * reg_pick seats more. */
static void test_random_arrivals(void **state)
{
	(void)state;
	enum { RUNS = 20 };
	int target = reg_target_seats(&property_quotas[2], CAPACITY), total_picked = 0,
	    total_first_come = 0, nearer = 0;
	for (int r = 0; r < RUNS; r++) {
		int wp, wf;
		run(&wp, &wf);
		print_message("run %d: %d women after reg_pick, %d after first come\n", r, wp, wf);
		int short_picked = wp < target ? target - wp : 0,
		    short_first_come = wf < target ? target - wf : 0;
		assert_true(short_picked <= short_first_come);
		nearer += short_picked < short_first_come;
		total_picked += wp;
		total_first_come += wf;
	}
	assert_true(nearer > 0); /* the runs do test something */
	assert_true(total_picked > total_first_come);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shares_in_seats),
		cmocka_unit_test(test_matches_and_count),
		cmocka_unit_test(test_admit),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_random_arrivals),
	};
	return cmocka_run_group_tests_name("admission", tests, NULL, NULL);
}
