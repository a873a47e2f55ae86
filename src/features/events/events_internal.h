/*
 * events_internal.h — what the files of src/events share, not for other
 * modules: the admin statements, the store helpers, the field rules, and
 * struct admin_kind, the table that lets one write (admin_save) create
 * and update series, events and organisations alike.
 */
#ifndef HM_EVENTS_INTERNAL_H
#define HM_EVENTS_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "features/events/events_admin.h"

struct db;
struct db_stmt;

/* ------------------------------------------------- reads (events.c) */

/* The row sql_one finds for slug, with the rows sql_rows finds for its
 * "id" under key (an empty list when they cannot be read); NULL when
 * there is none. */
json_t *events_one_with(struct db *db, const char *sql_one, const char *slug, const char *key,
			const char *sql_rows);
/* The sector keys of event id, in order. */
json_t *events_sectors(struct db *db, int64_t id);

/* ---------------------------------------- statements (admin_store.c) */

enum admin_sql {
	ASQL_SERIES_LIST,
	ASQL_SERIES_ONE,
	ASQL_SERIES_EVENTS,
	ASQL_SERIES_ID,
	ASQL_SERIES_SLUG_TAKEN,
	ASQL_SERIES_INSERT,
	ASQL_SERIES_UPDATE,
	ASQL_EVENT_LIST,
	ASQL_EVENT_ONE,
	ASQL_EVENT_ORGS,
	ASQL_EVENT_SLUG_TAKEN,
	ASQL_EVENT_INSERT,
	ASQL_EVENT_UPDATE,
	ASQL_SECTORS_CLEAR,
	ASQL_SECTOR_INSERT,
	ASQL_EO_INSERT,
	ASQL_EO_DELETE,
	ASQL_EO_CLEAR,
	ASQL_ORG_LIST,
	ASQL_ORG_ONE,
	ASQL_ORG_EVENTS,
	ASQL_ORG_ID,
	ASQL_ORG_SLUG_TAKEN,
	ASQL_ORG_INSERT,
	ASQL_ORG_UPDATE,
	ASQL_ORGANISERS,
	ASQL_SERIES_DELETE,
	ASQL_SERIES_EVENT_COUNT,
	ASQL_SERIES_GRANTS,
	ASQL_EVENT_DELETE,
	ASQL_EVENT_POST_COUNT,
	ASQL_EVENT_GRANTS,
	ASQL_ORG_DELETE,
	ASQL_ORG_EVENT_COUNT,
	ASQL_ORG_SERIES_COUNT,
	ADMIN_SQL__MAX
};

extern const char *const admin_sql[ADMIN_SQL__MAX];

struct db_stmt *admin_prep(struct db *db, enum admin_sql i);

/* ------------------------------------------- helpers (admin_store.c) */

const char *admin_sval(const json_t *o, const char *key);
/* A string value, NULL when absent, null or empty. */
const char *admin_nonempty(const json_t *o, const char *key);
/* Every row of statement i (an empty list when it cannot be read). */
json_t *admin_rows(struct db *db, enum admin_sql i);
/* The id of a row found by slug through statement i, 0 when none, -1 on
 * error. */
int64_t admin_id_by_slug(struct db *db, enum admin_sql i, const char *slug);
/* Binds a string field of o, NULL when absent or empty. */
void admin_bind_opt(struct db_stmt *st, int idx, const json_t *o, const char *key);
/* Binds a NOT NULL text column: "" when absent. */
void admin_bind_text0(struct db_stmt *st, int idx, const json_t *o, const char *key);

/* ------------------------------------------------ rules (admin_rules.c) */

/* The field rules of each kind. */
enum admin_rule_set { RULES_EVENT, RULES_SERIES, RULES_ORG };

/* The record after an update: cur with the keys of in that the rules
 * declare laid over it (others are dropped). Caller owns the result. */
json_t *admin_merge(enum admin_rule_set set, const json_t *cur, const json_t *in);

/* ------------------------------------------ the write (admin_store.c) */

/* One thing that keeps a row from being deleted: its status being status,
 * or (status NULL) the count statement count, bound to its id, above 0. */
struct admin_keep_rule {
	enum admin_keep why;
	const char *status;
	enum admin_sql count;
};

/* One kind of thing the admin writes: how it is read, who may change it,
 * its rules, and how it is stored, deleted and audited. */
struct admin_kind {
	const char *entity;    /* of the audit entry: "series", "event", "organisation" */
	enum admin_rule_set rules;
	const char *const *statuses; /* for admin_kind_set_status */
	enum admin_sql slug_taken;
	const char *slug_from;  /* the field a missing slug is made from: "title" */
	const char *slug_taken_msg;
	/* The thing as stored, for audit entries and answers; NULL: none. */
	json_t *(*snapshot)(struct db *db, const char *slug);
	/* 1 if p may change before (found by slug). */
	int (*may_edit)(struct db *db, const struct principal *p, const char *slug,
			const json_t *before);
	/* 1 if p may create one; NULL: decided by resolve. */
	int (*may_create)(const struct principal *p);
	/* What a new one starts from. */
	json_t *(*defaults)(void);
	/* Takes what in sends beyond the rules' fields into m; NULL: nothing. */
	void (*take_extra)(json_t *m, const json_t *in);
	/* The field checks (admin_series_check…): the number of errors added. */
	int (*check)(const json_t *m, struct admin_errors *errs);
	/* Looks up what m refers to and checks the right to refer to it: *ref
	 * is its id for write. May add errors and return HM_OK; NULL: none. */
	enum hm_err (*resolve)(struct db *db, const struct principal *p, const json_t *before,
			       const json_t *m, int64_t *ref, struct admin_errors *errs);
	/* Stores m as row id (0: a new one); *id_out is its id. */
	enum hm_err (*write)(struct db *db, const json_t *m, int64_t ref, int64_t id,
			     const char *ts, int64_t *id_out);
	/* The audit action (before is NULL for a creation). */
	const char *(*action)(const json_t *before, const json_t *after);
	/* Deleting: the statement (bound to the id), the audit action, what
	 * keeps one (in order, up to a rule with why ADMIN_KEEP_NONE), and
	 * rows that go with it, recorded in the audit entry under gone_key
	 * (NULL: none) as found by gone_rows bound to the id. */
	enum admin_sql delete_stmt;
	const char *delete_action;
	const struct admin_keep_rule *keep;
	const char *gone_key;
	enum admin_sql gone_rows;
};

/* Creates (slug NULL) or updates the thing: checks the right, merges in
 * over what is stored (or the defaults), checks, settles the slug,
 * writes, audits, all in one transaction. See events_admin.h for the
 * errors. */
enum hm_err admin_save(const struct admin_kind *k, struct db *db, const struct principal *p,
		       const char *slug, const json_t *in, int64_t now, json_t **out,
		       struct admin_errors *errs);
/* admin_save of {"status": status}; HM_EINVAL for a status not in
 * k->statuses. */
enum hm_err admin_kind_set_status(const struct admin_kind *k, struct db *db,
				  const struct principal *p, const char *slug, const char *status,
				  int64_t now);

/* Why t (as k->snapshot gives it, with its "id") cannot be deleted. */
enum hm_err admin_kind_keep(const struct admin_kind *k, struct db *db, const json_t *t,
			    struct admin_keep_why *why);
/* Deletes the one with this slug: the right, the rules, the delete and
 * its audit entry in one transaction (see admin_event_delete). */
enum hm_err admin_kind_delete(const struct admin_kind *k, struct db *db,
			      const struct principal *p, const char *slug, int64_t now,
			      struct admin_keep_why *why);

#endif
