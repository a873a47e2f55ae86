/*
 * events_internal.h — what the files of src/features/events share, not
 * for other features: the admin statements, the store helpers, the field
 * rules, and the kind tables of series, events and organisations.
 */
#ifndef HM_EVENTS_INTERNAL_H
#define HM_EVENTS_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "features/events/events_admin.h"
#include "site/kind.h"

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
	ASQL_ORG_RUNS_SERIES,
	ASQL_ORG_CREATOR,
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

/* The statements a kind table names (constant expressions, so that a
 * static table can hold them): addresses, deletes, what keeps a row and
 * the grants that go with it. */
#define SQL_SERIES_SLUG_TAKEN "SELECT 1 FROM series WHERE slug = ? AND id <> ?"
#define SQL_EVENT_SLUG_TAKEN "SELECT 1 FROM event WHERE slug = ? AND id <> ?"
#define SQL_ORG_SLUG_TAKEN "SELECT 1 FROM organisation WHERE slug = ? AND id <> ?"
#define SQL_SERIES_DELETE "DELETE FROM series WHERE id = ?"
#define SQL_EVENT_DELETE "DELETE FROM event WHERE id = ?"
#define SQL_ORG_DELETE "DELETE FROM organisation WHERE id = ?"
#define SQL_SERIES_GRANTS "SELECT a.id AS account_id, a.email, r.role FROM account_role r " \
	"JOIN account a ON a.id = r.account_id WHERE r.series_id = ? " \
	"ORDER BY a.email"
#define SQL_EVENT_GRANTS "SELECT a.id AS account_id, a.email, r.role FROM account_role r " \
	"JOIN account a ON a.id = r.account_id WHERE r.event_id = ? " \
	"ORDER BY a.email"
#define SQL_SERIES_EVENT_COUNT "SELECT count(*) FROM event WHERE series_id = ?"
#define SQL_EVENT_POST_COUNT "SELECT count(*) FROM post WHERE event_id = ?"
#define SQL_EVENT_SESSION_COUNT "SELECT count(*) FROM programme_session WHERE event_id = ?"
#define SQL_EVENT_CONVERSATION_COUNT "SELECT count(*) FROM conversation WHERE event_id = ?"
#define SQL_ORG_EVENT_COUNT "SELECT count(DISTINCT event_id) FROM event_organisation WHERE organisation_id = ?"
#define SQL_ORG_SERIES_COUNT "SELECT count(*) FROM series WHERE organiser_id = ?"


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

/* The record after a change, by the rules of each kind (admin_merge). */
json_t *event_merge(const json_t *cur, const json_t *in);
json_t *series_merge(const json_t *cur, const json_t *in);
json_t *org_merge(const json_t *cur, const json_t *in);

#endif
