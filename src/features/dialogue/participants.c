/*
 * participants.c — the participants of a conversation as its organisers
 * see them, a page at a time: what kind of identity each is, the
 * account's display name (never its e-mail), their current votes and the
 * statements they wrote, and whether an organiser excluded them from the
 * analysis (dlg_exclude in conversation.c changes that).
 */
#include "features/dialogue/dlg_internal.h"

#include "db/db.h"

/* ---------------------------------------------------------------- SQL */

#define PTPT_COLS                                                                          \
	"p.id, CASE WHEN p.account_id IS NOT NULL THEN 'account' "                          \
	"WHEN p.xid IS NOT NULL THEN 'host' ELSE 'anonymous' END AS kind, a.name AS name, " \
	"(SELECT count(*) FROM vote v WHERE v.participant_id = p.id) AS votes, "             \
	"(SELECT count(*) FROM statement s WHERE s.participant_id = p.id) AS statements, "   \
	"p.excluded, p.created_at "
static const char SQL_PAGE[] =
	"SELECT " PTPT_COLS "FROM dialogue_participant p LEFT JOIN account a ON a.id = p.account_id "
	"WHERE p.conversation_id = ? AND (? = 0 OR p.excluded = 1) ORDER BY p.id LIMIT ? OFFSET ?";
static const char SQL_TOTAL[] = "SELECT count(*) FROM dialogue_participant p "
				"WHERE p.conversation_id = ? AND (? = 0 OR p.excluded = 1)";
static const char SQL_TALLY[] =
	"SELECT count(*), COALESCE(sum(excluded), 0) FROM dialogue_participant WHERE conversation_id = ?";
static const char SQL_ONE[] =
	"SELECT " PTPT_COLS "FROM dialogue_participant p LEFT JOIN account a ON a.id = p.account_id "
	"WHERE p.conversation_id = ? AND p.id = ?";

/* excluded as JSON true/false (the store keeps 0 and 1). */
static json_t *shaped(json_t *row)
{
	if (row)
		json_object_set_new(row, "excluded", json_boolean(json_integer_value(
								     json_object_get(row, "excluded"))));
	return row;
}

json_t *dlg_participants_page(struct db *db, int64_t cid, int excluded_only, int64_t offset,
			      int64_t limit, int64_t *total)
{
	*total = 0;
	struct db_stmt *st = db_prepare(db, SQL_TOTAL);
	if (!st)
		return NULL;
	db_bind_int(st, 1, cid);
	db_bind_int(st, 2, excluded_only ? 1 : 0);
	int rc = db_step(st);
	*total = rc == 1 ? db_col_int(st, 0) : 0;
	db_done(st);
	if (rc != 1)
		return NULL;
	if (!(st = db_prepare(db, SQL_PAGE)))
		return NULL;
	db_bind_int(st, 1, cid);
	db_bind_int(st, 2, excluded_only ? 1 : 0);
	db_bind_int(st, 3, limit);
	db_bind_int(st, 4, offset);
	json_t *rows = db_rows_json(st);
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
		shaped(r);
	return rows;
}

json_t *dlg_participant(struct db *db, int64_t cid, int64_t pid)
{
	struct db_stmt *st = db_prepare(db, SQL_ONE);
	if (!st)
		return NULL;
	db_bind_int(st, 1, cid);
	db_bind_int(st, 2, pid);
	json_t *row = db_one_json(st);
	db_done(st);
	return shaped(row);
}

enum hm_err dlg_participant_tally(struct db *db, int64_t cid, int64_t *all, int64_t *excluded)
{
	*all = *excluded = 0;
	struct db_stmt *st = db_prepare(db, SQL_TALLY);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, cid);
	int rc = db_step(st);
	if (rc == 1) {
		*all = db_col_int(st, 0);
		*excluded = db_col_int(st, 1);
	}
	db_done(st);
	return rc == 1 ? HM_OK : HM_EDB;
}
