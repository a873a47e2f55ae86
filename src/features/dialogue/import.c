/*
 * import.c — a conversation made from a Pol.is export folder (read by the
 * CLI with the engine's readers, src/dialogue/analysis/import.c): one
 * transaction, store ids in the export's order, vote times and
 * moderation kept.
 */
#include "features/dialogue/dlg_internal.h"

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_CONV[] =
	"INSERT INTO conversation (event_id, topic, question, description_md, status, "
	"participation, moderation, participants_submit, max_length, report_visibility, "
	"created_at, updated_at) VALUES (?, ?, '', ?, 'closed', 'signed-in', 'strict', 1, ?, "
	"'organisers', ?, ?)";
static const char SQL_PTPT[] =
	"INSERT INTO dialogue_participant (conversation_id, created_at) VALUES (?, ?)";
static const char SQL_STMT[] =
	"INSERT INTO statement (conversation_id, participant_id, by_organiser, text, text_key, "
	"status, created_at, moderated_at) VALUES (?, ?, 0, ?, ?, ?, ?, ?)";
static const char SQL_VOTE[] =
	"INSERT INTO vote (statement_id, participant_id, conversation_id, vote, created_at) "
	"VALUES (?, ?, ?, ?, ?) ON CONFLICT (statement_id, participant_id) "
	"DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at";
static const char SQL_HISTORY[] =
	"INSERT INTO vote_history (conversation_id, statement_id, participant_id, vote, created_at) "
	"VALUES (?, ?, ?, ?, ?)";

/* The index of ext in the ascending ids, or -1. */
static long find(const int64_t *ids, size_t n, int64_t ext, size_t stride)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int64_t v = *(const int64_t *)((const char *)ids + mid * stride);
		if (v < ext)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && *(const int64_t *)((const char *)ids + lo * stride) == ext ? (long)lo : -1;
}

static enum hm_err insert_all(struct db *db, int64_t cid, const struct dlg_import *in,
			      int64_t now, int64_t *pid, int64_t *sid)
{
	char ts[DLG_TS_SIZE];
	dlg_ts(now, ts);
	/* a participant was there from their first act */
	int64_t *first = xmalloc((in->n_ptpts + 1) * sizeof(*first));
	for (size_t i = 0; i < in->n_ptpts; i++)
		first[i] = INT64_MAX;
	for (size_t i = 0; i < in->n_votes; i++) {
		long k = find(in->ptpts, in->n_ptpts, in->votes[i].ptpt, sizeof(int64_t));
		if (k < 0 || find(&in->stmts[0].ext, in->n_stmts, in->votes[i].stmt,
				  sizeof(struct dlg_import_stmt)) < 0) {
			free(first);
			return HM_EINVAL;
		}
		if (in->votes[i].at < first[k])
			first[k] = in->votes[i].at;
	}
	for (size_t i = 0; i < in->n_stmts; i++) {
		if (in->stmts[i].author < 0)
			continue;
		long k = find(in->ptpts, in->n_ptpts, in->stmts[i].author, sizeof(int64_t));
		if (k < 0) {
			free(first);
			return HM_EINVAL;
		}
		if (in->stmts[i].at < first[k])
			first[k] = in->stmts[i].at;
	}
	enum hm_err e = HM_OK;
	for (size_t i = 0; i < in->n_ptpts && e == HM_OK; i++) {
		struct db_stmt *st = db_prepare(db, SQL_PTPT);
		if (!st) {
			e = HM_EDB;
			break;
		}
		char at[DLG_TS_SIZE];
		dlg_ts(first[i] == INT64_MAX ? now : first[i], at);
		db_bind_int(st, 1, cid);
		db_bind_text(st, 2, at);
		if ((e = db_run(st)) == HM_OK)
			pid[i] = db_last_insert_id(db);
	}
	free(first);
	for (size_t i = 0; i < in->n_stmts && e == HM_OK; i++) {
		const struct dlg_import_stmt *s = &in->stmts[i];
		struct db_stmt *st = db_prepare(db, SQL_STMT);
		if (!st) {
			e = HM_EDB;
			break;
		}
		char at[DLG_TS_SIZE];
		dlg_ts(s->at, at);
		char *key = dlg_text_key(s->text ? s->text : "");
		db_bind_int(st, 1, cid);
		if (s->author >= 0)
			db_bind_int(st, 2, pid[find(in->ptpts, in->n_ptpts, s->author, sizeof(int64_t))]);
		else
			db_bind_null(st, 2);
		db_bind_text(st, 3, s->text ? s->text : "");
		db_bind_text(st, 4, key);
		db_bind_text(st, 5, s->status);
		db_bind_text(st, 6, at);
		if (str_eq(s->status, "pending"))
			db_bind_null(st, 7);
		else
			db_bind_text(st, 7, ts);
		if ((e = db_run(st)) == HM_OK)
			sid[i] = db_last_insert_id(db);
		free(key);
	}
	for (size_t i = 0; i < in->n_votes && e == HM_OK; i++) {
		const struct dlg_import_vote *v = &in->votes[i];
		int64_t p = pid[find(in->ptpts, in->n_ptpts, v->ptpt, sizeof(int64_t))];
		int64_t s = sid[find(&in->stmts[0].ext, in->n_stmts, v->stmt,
				     sizeof(struct dlg_import_stmt))];
		char at[DLG_TS_SIZE];
		dlg_ts(v->at, at);
		for (int h = 0; h < 2 && e == HM_OK; h++) {
			struct db_stmt *st = db_prepare(db, h ? SQL_HISTORY : SQL_VOTE);
			if (!st) {
				e = HM_EDB;
				break;
			}
			if (h) {
				db_bind_int(st, 1, cid);
				db_bind_int(st, 2, s);
				db_bind_int(st, 3, p);
			} else {
				db_bind_int(st, 1, s);
				db_bind_int(st, 2, p);
				db_bind_int(st, 3, cid);
			}
			db_bind_int(st, 4, v->vote);
			db_bind_text(st, 5, at);
			e = db_run(st);
		}
	}
	return e;
}

enum hm_err dlg_import(struct db *db, const struct principal *p, const json_t *ev,
		       const struct dlg_import *in, int64_t now, int64_t *cid)
{
	*cid = 0;
	if (!in->n_stmts || !in->topic || !*in->topic)
		return HM_EINVAL;
	size_t longest = 140;
	for (size_t i = 0; i < in->n_stmts; i++) {
		size_t n = in->stmts[i].text ? utf8_chars(in->stmts[i].text) : 0;
		if (n > longest)
			longest = n;
	}
	if (longest > 1000)
		longest = 1000;
	char ts[DLG_TS_SIZE];
	dlg_ts(now, ts);
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	struct db_stmt *st = db_prepare(db, SQL_CONV);
	if (!st)
		return dlg_fail(db, HM_EDB);
	db_bind_int(st, 1, json_integer_value(json_object_get(ev, "id")));
	db_bind_text(st, 2, in->topic);
	db_bind_text(st, 3, in->description ? in->description : "");
	db_bind_int(st, 4, (int64_t)longest);
	db_bind_text(st, 5, ts);
	db_bind_text(st, 6, ts);
	if ((e = db_run(st)) != HM_OK)
		return dlg_fail(db, e);
	*cid = db_last_insert_id(db);
	int64_t *pid = xmalloc((in->n_ptpts + 1) * sizeof(*pid));
	int64_t *sid = xmalloc((in->n_stmts + 1) * sizeof(*sid));
	e = insert_all(db, *cid, in, now, pid, sid);
	free(pid);
	free(sid);
	if (e == HM_OK)
		e = dlg_touch(db, *cid);
	if (e == HM_OK) {
		json_t *after = json_pack("{s:s, s:I, s:I, s:I}", "topic", in->topic, "statements",
					  (json_int_t)in->n_stmts, "participants",
					  (json_int_t)in->n_ptpts, "votes", (json_int_t)in->n_votes);
		e = audit_record_at(db, p, "conversation.import", "conversation", *cid, NULL, after,
				    now);
		json_decref(after);
	}
	if (e != HM_OK) {
		*cid = 0;
		return dlg_fail(db, e);
	}
	if ((e = db_commit(db)) == HM_OK)
		dlg_statements_changed();
	return e;
}
