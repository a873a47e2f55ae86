/*
 * admission.h — who may take a seat in a room of limited capacity whose
 * organisers ask for balance: caps and targets on who people are (sector,
 * country, gender, region, or a combination of two), and which waiting
 * person a freed seat goes to. Pure computation over what the store reads:
 * no database, no clock, no allocation.
 *
 * Caps hold always: never more seated than the capacity, nor more people
 * of a capped value than its cap. Targets ("at least 40 % women") keep
 * seats while registration is open: a person who does not count towards a
 * target is seated only if enough free seats remain to reach it.
 * Organisers deciding by hand are held to the caps, not to the targets.
 */
#ifndef HM_REG_ADMISSION_H
#define HM_REG_ADMISSION_H

#include <stddef.h>
#include <stdint.h>

/* The attributes quotas speak of. */
enum reg_attr {
	REG_SECTOR,  /* an organisation kind: government, academia, business, ngo, … */
	REG_COUNTRY, /* ISO 3166-1 alpha-2, upper case: "CN" */
	REG_GENDER,  /* female, male, other, undisclosed */
	REG_REGION,  /* UN M49 sub-region of the country, three digits: "030" */
	REG_NATTR
};

struct reg_person {
	int64_t id;
	const char *attr[REG_NATTR]; /* NULL or "": not known (matches no quota) */
	int64_t since;               /* registered (or put on the waiting list) at; ties */
};

/* One quota on one attribute (attr2 < 0) or on a combination of two
 * (sector × region: a person counts when both match). Each limit < 0: none.
 * Shares are of the capacity and round down for caps (35 % of 150: 52),
 * up for targets (40 % of 150: 60); with no capacity they do not apply.
 * They count to a millionth (more digits are rounded), above 1 as 1.
 * Targets of one (attr, attr2) must name distinct values. */
struct reg_quota {
	int attr, attr2; /* enum reg_attr; attr2 -1 for a single attribute */
	const char *value, *value2;
	int max;          /* cap: at most this many seated */
	double max_share; /* cap: at most this share of the capacity, 0..1 */
	int min;          /* target: seats kept for this many */
	double min_share; /* target: seats kept for this share of the capacity */
};

struct reg_room {
	int capacity; /* < 0: no limit */
	const struct reg_quota *quotas;
	size_t nquotas;
	const struct reg_person *seated; /* approved, and offered a seat not yet confirmed */
	size_t nseated;
	int keep_targets; /* 1: targets keep seats (registration open, admission by rule);
			     0: they do not (an organiser's decision; after closing) */
};

enum reg_verdict {
	REG_FITS,     /* a seat is there for them */
	REG_FULL,     /* no free seat */
	REG_CAP,      /* a cap would be passed (*which: the quota) */
	REG_RESERVED, /* the free seats are kept for a target (*which: the quota) */
};

/* 1 if p counts towards quota q. */
int reg_matches(const struct reg_quota *q, const struct reg_person *p);

/* The cap of q in seats for capacity (the smaller of max and the share,
 * floor); -1: none. The target in seats (the larger of min and the share,
 * ceiling); 0: none. */
int reg_cap_seats(const struct reg_quota *q, int capacity);
int reg_target_seats(const struct reg_quota *q, int capacity);

/* Whether p may be seated in room now; on REG_CAP and REG_RESERVED *which
 * (optional) is the index of the quota that says no. p must not be among
 * room->seated. In order: FULL, then the first cap p would pass, then
 * (keep_targets and a capacity) the targets: those of one (attr, attr2)
 * add their shortfalls, which must fit in the seats free after p; each
 * such group is checked alone (a woman from an NGO fills two). A person
 * who counts towards a short target of a group is never refused by that
 * group; otherwise *which is the group's first short target. */
enum reg_verdict reg_admit(const struct reg_room *room, const struct reg_person *p,
			   size_t *which);

/* The waiting person a free seat goes to: among those reg_admit seats,
 * the one who counts towards the most targets still short, then the one
 * whose values are least present among the seated (the sum over their
 * known attributes of the seated sharing that value), then the earliest
 * (since, then id). -1 when nobody fits. Targets order the list also
 * when room->keep_targets is 0. */
ptrdiff_t reg_pick(const struct reg_room *room, const struct reg_person *waiting, size_t n);

/* How many seated count towards q. */
int reg_count(const struct reg_room *room, const struct reg_quota *q);

#endif
