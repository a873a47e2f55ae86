/*
 * vote.c — the store of votes and what is read from them: a vote (the
 * current one replaced, the history appended, in one transaction), the
 * next statement for a participant, their progress and own votes, and the
 * report: the analysis engine on the conversation's current votes.
 */
#include "features/dialogue/dlg_internal.h"

#include "db/db.h"
#include "dialogue/analysis/analysis.h"
#include "dialogue/analysis/bridging.h"
#include "dialogue/analysis/dataset.h"
#include "dialogue/analysis/report.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- SQL */

static const char SQL_STMT[] =
	"SELECT status FROM statement WHERE id = ? AND conversation_id = ?";
static const char SQL_HAS_VOTE[] =
	"SELECT 1 FROM vote WHERE statement_id = ? AND participant_id = ?";
static const char SQL_UPSERT[] =
	"INSERT INTO vote (statement_id, participant_id, conversation_id, vote, created_at) "
	"VALUES (?, ?, ?, ?, ?) ON CONFLICT (statement_id, participant_id) "
	"DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at";
static const char SQL_HISTORY[] =
	"INSERT INTO vote_history (conversation_id, statement_id, participant_id, vote, "
	"created_at) VALUES (?, ?, ?, ?, ?)";
static const char SQL_NEXT[] =
	"SELECT s.id, s.text, s.by_organiser FROM statement s WHERE s.conversation_id = ? "
	"AND s.status = 'accepted' AND NOT EXISTS (SELECT 1 FROM vote v "
	"WHERE v.statement_id = s.id AND v.participant_id = ?) ORDER BY random() LIMIT 1";
static const char SQL_PROGRESS[] =
	"SELECT (SELECT count(*) FROM vote v JOIN statement s ON s.id = v.statement_id "
	"WHERE v.participant_id = ? AND s.conversation_id = ? AND s.status = 'accepted') AS voted, "
	"(SELECT count(*) FROM statement WHERE conversation_id = ? AND status = 'accepted') "
	"AS total";
static const char SQL_VOTES_OF[] =
	"SELECT statement_id AS statement, vote FROM vote WHERE participant_id = ? "
	"AND conversation_id = ? ORDER BY statement_id";
static const char SQL_REPORT_STMTS[] =
	"SELECT id, status, text FROM statement WHERE conversation_id = ? ORDER BY id";
static const char SQL_REPORT_VOTES[] =
	"SELECT v.participant_id, v.statement_id, v.vote FROM vote v "
	"JOIN dialogue_participant p ON p.id = v.participant_id "
	"WHERE v.conversation_id = ? AND p.excluded = 0 ORDER BY v.participant_id, v.statement_id";

/* ---------------------------------------------------------------- votes */

enum hm_err dlg_vote(struct db *db, int64_t cid, const struct dlg_who *who, int64_t sid,
		     int vote, int64_t now, json_t **out)
{
	*out = NULL;
	if (vote < -1 || vote > 1)
		return HM_EINVAL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *c = dlg_conversation(db, cid);
	if (!c)
		return dlg_fail(db, db_failed(db) ? HM_EDB : HM_ENOTFOUND);
	e = dlg_may_take_part(db, c, who);
	if (e != HM_OK) {
		json_decref(c);
		return dlg_fail(db, e);
	}
	struct db_stmt *st = db_prepare(db, SQL_STMT);
	if (!st) {
		json_decref(c);
		return dlg_fail(db, HM_EDB);
	}
	db_bind_int(st, 1, sid);
	db_bind_int(st, 2, cid);
	int rc = db_step(st);
	int accepted = rc == 1 && str_eq(db_col_text(st, 0), "accepted");
	db_done(st);
	if (!accepted) {
		json_decref(c);
		return dlg_fail(db, rc < 0 ? HM_EDB : rc == 0 ? HM_ENOTFOUND : HM_ECONFLICT);
	}
	int64_t pid;
	e = dlg_participant_tx(db, c, who, now, &pid);
	json_decref(c);
	if (e != HM_OK)
		return dlg_fail(db, e);
	if (!(st = db_prepare(db, SQL_HAS_VOTE)))
		return dlg_fail(db, HM_EDB);
	db_bind_int(st, 1, sid);
	db_bind_int(st, 2, pid);
	rc = db_step(st);
	db_done(st);
	if (rc < 0)
		return dlg_fail(db, HM_EDB);
	char ts[DLG_TS_SIZE];
	dlg_ts(now, ts);
	if (!(st = db_prepare(db, SQL_UPSERT)))
		return dlg_fail(db, HM_EDB);
	db_bind_int(st, 1, sid);
	db_bind_int(st, 2, pid);
	db_bind_int(st, 3, cid);
	db_bind_int(st, 4, vote);
	db_bind_text(st, 5, ts);
	if ((e = db_run(st)) != HM_OK)
		return dlg_fail(db, e);
	if (!(st = db_prepare(db, SQL_HISTORY)))
		return dlg_fail(db, HM_EDB);
	db_bind_int(st, 1, cid);
	db_bind_int(st, 2, sid);
	db_bind_int(st, 3, pid);
	db_bind_int(st, 4, vote);
	db_bind_text(st, 5, ts);
	if ((e = db_run(st)) != HM_OK)
		return dlg_fail(db, e);
	if ((e = db_commit(db)) != HM_OK)
		return e;
	*out = json_pack("{s:I, s:I, s:i, s:b}", "participant", (json_int_t)pid, "statement",
			 (json_int_t)sid, "vote", vote, "created", rc == 0);
	return HM_OK;
}

json_t *dlg_next(struct db *db, int64_t cid, int64_t pid)
{
	struct db_stmt *st = db_prepare(db, SQL_NEXT);
	if (!st)
		return NULL;
	db_bind_int(st, 1, cid);
	db_bind_int(st, 2, pid);
	int rc = db_step(st);
	json_t *s = rc == 1 ? json_pack("{s:I, s:s, s:b}", "id", (json_int_t)db_col_int(st, 0),
					"text", db_col_text(st, 1), "by_organiser",
					(int)db_col_int(st, 2))
			    : rc == 0 ? json_null() : NULL;
	db_done(st);
	return s;
}

json_t *dlg_progress(struct db *db, int64_t cid, int64_t pid)
{
	struct db_stmt *st = db_prepare(db, SQL_PROGRESS);
	if (!st)
		return NULL;
	db_bind_int(st, 1, pid);
	db_bind_int(st, 2, cid);
	db_bind_int(st, 3, cid);
	json_t *p = db_one_json(st);
	db_done(st);
	return p;
}

json_t *dlg_votes_of(struct db *db, int64_t cid, int64_t pid)
{
	struct db_stmt *st = db_prepare(db, SQL_VOTES_OF);
	if (!st)
		return NULL;
	db_bind_int(st, 1, pid);
	db_bind_int(st, 2, cid);
	return db_rows_json(st);
}

/* --------------------------------------------------------------- report */

/* The conversation's statements and current votes as the engine reads an
 * export: statement ids and participant ids are the store's. -1: a failed
 * read. */
static int load_dataset(struct db *db, int64_t cid, struct dataset *d)
{
	struct db_stmt *st = db_prepare(db, SQL_REPORT_STMTS);
	if (!st)
		return -1;
	db_bind_int(st, 1, cid);
	int rc;
	while ((rc = db_step(st)) == 1) {
		int added;
		uint32_t t = dataset_stmt(d, db_col_int(st, 0), &added);
		const char *status = db_col_text(st, 1);
		d->stmt_mod[t] = str_eq(status, "rejected") ? -1 : str_eq(status, "pending") ? 0 : 1;
		d->stmt_meta[t] = str_eq(status, "meta");
		d->stmt_text[t] = xstrdup(db_col_text(st, 2));
	}
	db_done(st);
	if (rc < 0)
		return -1;
	d->have_comments = 1;
	if (!(st = db_prepare(db, SQL_REPORT_VOTES)))
		return -1;
	db_bind_int(st, 1, cid);
	int64_t n = 0;
	while ((rc = db_step(st)) == 1) {
		uint32_t p = dataset_ptpt(d, db_col_int(st, 0));
		uint32_t t = dataset_find_stmt(d, db_col_int(st, 1));
		if (t != UINT32_MAX)
			vote_log_append(&d->log, p, t, (int)db_col_int(st, 2), n++);
	}
	db_done(st);
	if (rc < 0)
		return -1;
	dataset_finish(d);
	return 0;
}

json_t *dlg_report(struct db *db, int64_t cid)
{
	struct dataset d;
	struct vote_csr m;
	struct analysis_opts ao;
	struct analysis_state ast;
	struct analysis_result res;
	struct bridging_params bp;
	struct bridging_result br;
	struct buf out;
	json_t *j = NULL;
	int have_res = 0, have_br = 0;

	dataset_init(&d);
	memset(&m, 0, sizeof(m));
	memset(&res, 0, sizeof(res));
	memset(&br, 0, sizeof(br));
	analysis_state_init(&ast);
	buf_init(&out);
	if (load_dataset(db, cid, &d) < 0)
		goto out;
	if (d.log.n == 0) {
		/* nothing to analyse: the counts alone */
		j = json_pack("{s:I, s:b, s:i, s:i, s:I}", "conversation", (json_int_t)cid,
			      "too-few-participants", 1, "n", 0, "n-cmts", 0, "statements",
			      (json_int_t)d.n_stmts);
		goto out;
	}
	uint8_t *mod_out = dataset_mod_out(&d);
	vote_csr_build(&m, d.n_ptpts, d.n_stmts, d.log.v, d.log.n);
	analysis_opts_default(&ao, ANALYSIS_COMPAT);
	struct analysis_input in = {.m = &m, .mod_out = mod_out, .is_meta = d.stmt_meta};
	enum hm_err e = analysis_run(&in, &ao, &ast, NULL, &res);
	free(mod_out);
	if (e != HM_OK) {
		log_error("conversation %lld: analysis failed: %s", (long long)cid, hm_err_str(e));
		goto out;
	}
	have_res = 1;
	bridging_params_default(&bp);
	if (bridging_fit(&m, &bp, NULL, &br) == HM_OK)
		have_br = 1;
	struct report_in ri = {.d = &d, .r = &res, .bridging = have_br ? &br : NULL};
	report_json(&out, &ri);
	j = json_loadb(out.data, out.len, 0, NULL);
	if (!j) {
		log_error("conversation %lld: the report is not JSON", (long long)cid);
		goto out;
	}
	json_object_set_new(j, "conversation", json_integer(cid));
	json_object_set_new(j, "too-few-participants",
			    json_boolean(res.n_in_conv < DLG_REPORT_MIN_PARTICIPANTS ||
					 res.groups.n < 2));
out:
	if (have_br)
		bridging_result_free(&br);
	if (have_res)
		analysis_result_free(&res);
	analysis_state_free(&ast);
	vote_csr_free(&m);
	dataset_free(&d);
	buf_free(&out);
	return j;
}
