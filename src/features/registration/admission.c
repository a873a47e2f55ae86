/*
 * admission.c — the rules of admission.h: who fits in a room with caps
 * and targets, and who of the waiting list a freed seat goes to.
 * docs/ADMISSION.md says the same in plain words for organisers.
 */
#include "features/registration/admission.h"

#include <math.h>
#include <string.h>

static int known(const char *v)
{
	return v && *v;
}

/* An exact, case-sensitive comparison: the store normalises values
 * ("CN", "ngo") before they get here. An unknown value never matches, so
 * "undisclosed" is the only way to be counted for not saying. */
static int attr_is(const struct reg_person *p, int attr, const char *value)
{
	if (attr < 0 || attr >= REG_NATTR || !known(value))
		return 0;
	const char *v = p->attr[attr];
	return known(v) && strcmp(v, value) == 0;
}

int reg_matches(const struct reg_quota *q, const struct reg_person *p)
{
	return attr_is(p, q->attr, q->value) && (q->attr2 < 0 || attr_is(p, q->attr2, q->value2));
}

int reg_count(const struct reg_room *room, const struct reg_quota *q)
{
	int n = 0;
	for (size_t i = 0; i < room->nseated; i++)
		n += reg_matches(q, &room->seated[i]);
	return n;
}

/* share × capacity in whole seats. The share is first taken in millionths
 * so that floating error cannot move a seat: 0.4 × 150 is
 * 60.00000000000001 in doubles, whose ceiling would keep a 61st seat.
 * Shares above 1 count as 1; the product fits in 64 bits. */
static int share_seats(double share, int capacity, int up)
{
	if (share > 1)
		share = 1;
	int64_t ppm = llround(share * 1000000), x = ppm * capacity;
	return (int)(up ? (x + 999999) / 1000000 : x / 1000000);
}

int reg_cap_seats(const struct reg_quota *q, int capacity)
{
	int cap = q->max >= 0 ? q->max : -1;
	if (q->max_share >= 0 && capacity >= 0) { /* NaN is no share */
		int s = share_seats(q->max_share, capacity, 0);
		if (cap < 0 || s < cap)
			cap = s;
	}
	return cap;
}

int reg_target_seats(const struct reg_quota *q, int capacity)
{
	int t = q->min > 0 ? q->min : 0;
	if (q->min_share >= 0 && capacity >= 0) {
		int s = share_seats(q->min_share, capacity, 1);
		if (s > t)
			t = s;
	}
	return t;
}

/* Seats q still needs before p is seated; 0 when it has none or is met. */
static int shortfall(const struct reg_room *room, const struct reg_quota *q)
{
	int t = reg_target_seats(q, room->capacity);
	if (t == 0)
		return 0;
	int c = reg_count(room, q);
	return c < t ? t - c : 0;
}

static int same_key(const struct reg_quota *a, const struct reg_quota *b)
{
	return a->attr == b->attr && (a->attr2 < 0 ? b->attr2 < 0 : a->attr2 == b->attr2);
}

/* Whether seating p leaves enough free seats for the targets keyed like
 * quota g (the first of its key). Targets of one key speak of distinct
 * values (40 % women, 40 % men), so nobody counts for two of them and
 * their shortfalls add up; targets of different keys overlap (a woman
 * from an NGO counts for both), so each key is checked on its own — a
 * sum across keys would keep seats twice for the same person.
 * A person who counts towards a target of the group that is still short
 * is never refused by it: their seat takes one free seat and one seat of
 * shortfall, so the gap between the two does not grow. Only a person who
 * narrows no shortfall is held to "shortfalls <= free seats after them".
 * On refusal *which is the first short target of the group. */
static int group_fits(const struct reg_room *room, size_t g, const struct reg_person *p,
		      size_t *which)
{
	int sum = 0, first = -1;
	for (size_t i = g; i < room->nquotas; i++) {
		const struct reg_quota *q = &room->quotas[i];
		if (!same_key(q, &room->quotas[g]))
			continue;
		int s = shortfall(room, q);
		if (s == 0)
			continue;
		if (reg_matches(q, p))
			return 1;
		if (first < 0)
			first = (int)i;
		sum += s;
	}
	int free_after = room->capacity - (int)room->nseated - 1;
	if (sum <= free_after)
		return 1;
	if (which)
		*which = (size_t)first;
	return 0;
}

enum reg_verdict reg_admit(const struct reg_room *room, const struct reg_person *p,
			   size_t *which)
{
	if (room->capacity >= 0 && room->nseated >= (size_t)room->capacity)
		return REG_FULL;
	/* Caps before targets: a cap is never passed, whoever asks. */
	for (size_t i = 0; i < room->nquotas; i++) {
		const struct reg_quota *q = &room->quotas[i];
		int cap = reg_cap_seats(q, room->capacity);
		if (cap >= 0 && reg_matches(q, p) && reg_count(room, q) + 1 > cap) {
			if (which)
				*which = i;
			return REG_CAP;
		}
	}
	/* Targets keep seats only where there is a number of seats to keep. */
	if (!room->keep_targets || room->capacity < 0)
		return REG_FITS;
	for (size_t g = 0; g < room->nquotas; g++) {
		int first_of_key = 1;
		for (size_t j = 0; j < g && first_of_key; j++)
			first_of_key = !same_key(&room->quotas[j], &room->quotas[g]);
		if (first_of_key && !group_fits(room, g, p, which))
			return REG_RESERVED;
	}
	return REG_FITS;
}

/* How many seated share each known value of p: low means p adds what the
 * room has least of. */
static long presence(const struct reg_room *room, const struct reg_person *p)
{
	long n = 0;
	for (int a = 0; a < REG_NATTR; a++)
		if (known(p->attr[a]))
			for (size_t i = 0; i < room->nseated; i++)
				n += attr_is(&room->seated[i], a, p->attr[a]);
	return n;
}

/* How many targets still short p counts towards. Targets are counted
 * whether or not they keep seats: they say what balance is asked for. */
static int short_targets(const struct reg_room *room, const struct reg_person *p)
{
	int n = 0;
	for (size_t i = 0; i < room->nquotas; i++)
		n += reg_matches(&room->quotas[i], p) && shortfall(room, &room->quotas[i]) > 0;
	return n;
}

ptrdiff_t reg_pick(const struct reg_room *room, const struct reg_person *waiting, size_t n)
{
	ptrdiff_t best = -1;
	int best_short = 0;
	long best_presence = 0;
	for (size_t i = 0; i < n; i++) {
		const struct reg_person *p = &waiting[i];
		if (reg_admit(room, p, NULL) != REG_FITS)
			continue;
		int s = short_targets(room, p);
		long pr = presence(room, p);
		int better = best < 0;
		if (!better) {
			const struct reg_person *b = &waiting[best];
			if (s != best_short)
				better = s > best_short;
			else if (pr != best_presence)
				better = pr < best_presence;
			else if (p->since != b->since)
				better = p->since < b->since;
			else
				better = p->id < b->id;
		}
		if (better) {
			best = (ptrdiff_t)i;
			best_short = s;
			best_presence = pr;
		}
	}
	return best;
}
