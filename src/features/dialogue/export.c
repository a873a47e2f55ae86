/*
 * export.c — a conversation in Pol.is's export format: summary.csv,
 * comments.csv, votes.csv and participants-votes.csv, with Pol.is's
 * columns in its order, LF line ends, no BOM, a field quoted only when it
 * holds a comma, a quote or a line end, agree = 1, disagree = -1, pass = 0
 * (as Pol.is's exports and `harmony analyze` read them). Ids are the
 * store's, as the report and the voting page give them. Excluded
 * participants' votes are left out, as the report leaves them out, so
 * that `harmony analyze` on these files gives the report's groups.
 *
 * No formula guard (csv.h's leading quote): these files are for analysis
 * tools, which would read the quote as part of the statement; Pol.is
 * writes none either. docs/api/dialogue.md says so.
 */
#include "features/dialogue/dlg_internal.h"

#include "db/db.h"

#include <string.h>
#include <time.h>

static void field(struct buf *b, const char *s, int last)
{
	if (!s)
		s = "";
	if (strpbrk(s, ",\"\r\n")) {
		buf_putc(b, '"');
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				buf_putc(b, '"');
			buf_putc(b, *p);
		}
		buf_putc(b, '"');
	} else
		buf_puts(b, s);
	buf_putc(b, last ? '\n' : ',');
}

/* "2012-11-29T08:30:00Z" -> seconds since the epoch; 0 when not a time. */
static int64_t ts_of(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return 0;
	return (int64_t)timegm(&tm);
}

/* Pol.is's two time columns: milliseconds, and the date in words (Pol.is
 * writes its server's zone; harmony writes UTC). */
static void times(struct buf *b, const char *iso)
{
	int64_t t = ts_of(iso);
	time_t tt = (time_t)t;
	struct tm tm;
	char words[64];
	gmtime_r(&tt, &tm);
	strftime(words, sizeof(words), "%a %b %d %H:%M:%S UTC %Y", &tm);
	buf_printf(b, "%lld,", (long long)t * 1000);
	field(b, words, 0);
}

static const char *moderated(const char *status)
{
	/* Pol.is has no meta in this column: meta statements, like rejected
	 * ones, stay out of the analysis */
	return str_eq(status, "accepted") ? "1" : str_eq(status, "pending") ? "0" : "-1";
}

static const char SQL_COMMENTS[] =
	"SELECT s.created_at, s.id, s.participant_id, s.status, s.text, "
	"(SELECT COUNT(*) FROM vote v JOIN dialogue_participant p ON p.id = v.participant_id "
	" WHERE v.statement_id = s.id AND v.vote = 1 AND p.excluded = 0), "
	"(SELECT COUNT(*) FROM vote v JOIN dialogue_participant p ON p.id = v.participant_id "
	" WHERE v.statement_id = s.id AND v.vote = -1 AND p.excluded = 0) "
	"FROM statement s WHERE s.conversation_id = ? ORDER BY s.id";
static const char SQL_VOTES[] =
	"SELECT v.created_at, v.statement_id, v.participant_id, v.vote FROM vote v "
	"JOIN dialogue_participant p ON p.id = v.participant_id "
	"WHERE v.conversation_id = ? AND p.excluded = 0 ORDER BY v.statement_id, v.participant_id";
static const char SQL_STMT_IDS[] =
	"SELECT id FROM statement WHERE conversation_id = ? ORDER BY id";
/* participants with a vote, with their own statements' count */
static const char SQL_PTPTS[] =
	"SELECT p.id AS id, (SELECT COUNT(*) FROM statement s WHERE s.participant_id = p.id) AS n "
	"FROM dialogue_participant p WHERE p.conversation_id = ? AND p.excluded = 0 "
	"AND EXISTS (SELECT 1 FROM vote v WHERE v.participant_id = p.id) ORDER BY p.id";
static const char SQL_PTPT_VOTES[] =
	"SELECT v.participant_id, v.statement_id, v.vote FROM vote v "
	"JOIN dialogue_participant p ON p.id = v.participant_id "
	"WHERE v.conversation_id = ? AND p.excluded = 0 ORDER BY v.participant_id, v.statement_id";
static const char SQL_COUNTS[] =
	"SELECT (SELECT COUNT(*) FROM dialogue_participant WHERE conversation_id = ?), "
	"(SELECT COUNT(DISTINCT participant_id) FROM statement WHERE conversation_id = ? "
	" AND participant_id IS NOT NULL), "
	"(SELECT COUNT(*) FROM statement WHERE conversation_id = ?)";

static enum hm_err comments_csv(struct db *db, int64_t cid, struct buf *b)
{
	buf_puts(b, "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n");
	struct db_stmt *st = db_prepare(db, SQL_COMMENTS);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, cid);
	int rc;
	while ((rc = db_step(st)) == 1) {
		times(b, db_col_text(st, 0));
		buf_printf(b, "%lld,", (long long)db_col_int(st, 1));
		/* organisers' seeds have no participant: an empty author */
		if (db_col_is_null(st, 2))
			buf_putc(b, ',');
		else
			buf_printf(b, "%lld,", (long long)db_col_int(st, 2));
		buf_printf(b, "%lld,%lld,%s,", (long long)db_col_int(st, 5),
			   (long long)db_col_int(st, 6), moderated(db_col_text(st, 3)));
		field(b, db_col_text(st, 4), 1);
	}
	db_done(st);
	return rc < 0 ? HM_EDB : HM_OK;
}

static enum hm_err votes_csv(struct db *db, int64_t cid, struct buf *b)
{
	buf_puts(b, "timestamp,datetime,comment-id,voter-id,vote\n");
	struct db_stmt *st = db_prepare(db, SQL_VOTES);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, cid);
	int rc;
	while ((rc = db_step(st)) == 1) {
		times(b, db_col_text(st, 0));
		buf_printf(b, "%lld,%lld,%lld\n", (long long)db_col_int(st, 1),
			   (long long)db_col_int(st, 2), (long long)db_col_int(st, 3));
	}
	db_done(st);
	return rc < 0 ? HM_EDB : HM_OK;
}

/* The group of participant pid in the report ("" when not clustered). */
static void group_of(const json_t *report, int64_t pid, char out[24])
{
	char key[24];
	snprintf(key, sizeof(key), "%lld", (long long)pid);
	const json_t *g = json_object_get(
		json_object_get(json_object_get(report, "participants"), key), "group");
	if (json_is_integer(g))
		snprintf(out, 24, "%lld", (long long)json_integer_value(g));
	else
		out[0] = 0;
}

static enum hm_err participants_votes_csv(struct db *db, int64_t cid, const json_t *report,
					  struct buf *b)
{
	enum hm_err e = HM_EDB;
	int64_t *tids = NULL;
	size_t nt = 0, cap = 0;
	struct db_stmt *st = db_prepare(db, SQL_STMT_IDS);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, cid);
	int rc;
	while ((rc = db_step(st)) == 1) {
		if (nt == cap) {
			cap = cap ? 2 * cap : 64;
			tids = xrealloc(tids, cap * sizeof(*tids));
		}
		tids[nt++] = db_col_int(st, 0);
	}
	db_done(st);
	if (rc < 0)
		goto out;
	buf_puts(b, "participant,group-id,n-comments,n-votes,n-agree,n-disagree");
	for (size_t i = 0; i < nt; i++)
		buf_printf(b, ",%lld", (long long)tids[i]);
	buf_putc(b, '\n');
	/* one pass over the participants and one over their votes, both in
	 * participant order */
	struct db_stmt *ps = db_prepare(db, SQL_PTPTS);
	if (!ps)
		goto out;
	db_bind_int(ps, 1, cid);
	json_t *rows = db_rows_json(ps);
	if (!rows)
		goto out;
	struct db_stmt *vs = db_prepare(db, SQL_PTPT_VOTES);
	if (!vs) {
		json_decref(rows);
		goto out;
	}
	db_bind_int(vs, 1, cid);
	int vrc = db_step(vs);
	signed char *cell = xmalloc(nt + 1);
	size_t k;
	json_t *row;
	json_array_foreach(rows, k, row) {
		int64_t pid = json_integer_value(json_object_get(row, "id"));
		const json_t *cnt = json_object_get(row, "n");
		memset(cell, 2, nt + 1);
		long long nv = 0, na = 0, nd = 0;
		while (vrc == 1 && db_col_int(vs, 0) < pid)
			vrc = db_step(vs);
		for (; vrc == 1 && db_col_int(vs, 0) == pid; vrc = db_step(vs)) {
			int64_t tid = db_col_int(vs, 1);
			int v = (int)db_col_int(vs, 2);
			size_t lo = 0, hi = nt;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (tids[mid] < tid)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < nt && tids[lo] == tid) {
				cell[lo] = (signed char)v;
				nv++;
				na += v == 1;
				nd += v == -1;
			}
		}
		char g[24];
		group_of(report, pid, g);
		buf_printf(b, "%lld,%s,%lld,%lld,%lld,%lld", (long long)pid, g,
			   (long long)json_integer_value(cnt), nv, na, nd);
		for (size_t i = 0; i < nt; i++)
			if (cell[i] == 2)
				buf_putc(b, ',');
			else
				buf_printf(b, ",%d", cell[i]);
		buf_putc(b, '\n');
	}
	free(cell);
	db_done(vs);
	json_decref(rows);
	e = vrc < 0 ? HM_EDB : HM_OK;
out:
	free(tids);
	return e;
}

static enum hm_err summary_csv(struct db *db, const json_t *conv, const json_t *report,
			       const char *url, struct buf *b)
{
	int64_t cid = json_integer_value(json_object_get(conv, "id"));
	struct db_stmt *st = db_prepare(db, SQL_COUNTS);
	if (!st)
		return HM_EDB;
	for (int i = 1; i <= 3; i++)
		db_bind_int(st, i, cid);
	if (db_step(st) != 1) {
		db_done(st);
		return HM_EDB;
	}
	long long ptpts = db_col_int(st, 0), commenters = db_col_int(st, 1),
		  comments = db_col_int(st, 2);
	db_done(st);
	const char *desc = dlg_jstr(conv, "description_md");
	if (!desc || !*desc)
		desc = dlg_jstr(conv, "question");
	field(b, "topic", 0);
	field(b, dlg_jstr(conv, "topic"), 1);
	field(b, "url", 0);
	field(b, url, 1);
	/* harmony counts no page views: those who took part (voted or wrote) */
	buf_printf(b, "views,%lld\n", ptpts);
	buf_printf(b, "voters,%lld\n", (long long)json_integer_value(json_object_get(report, "n")));
	buf_printf(b, "voters-in-conv,%zu\n", json_array_size(json_object_get(report, "in-conv")));
	buf_printf(b, "commenters,%lld\n", commenters);
	buf_printf(b, "comments,%lld\n", comments);
	buf_printf(b, "groups,%zu\n", json_is_true(json_object_get(report, "too-few-participants"))
					      ? (size_t)0
					      : json_array_size(json_object_get(report, "groups")));
	field(b, "conversation-description", 0);
	field(b, desc, 1);
	return HM_OK;
}

const char *const dlg_export_files[] = {"summary", "comments", "votes", "participants-votes",
					NULL};

enum hm_err dlg_export(struct db *db, const json_t *conv, const char *file, const char *url,
		       struct buf *out)
{
	int64_t cid = json_integer_value(json_object_get(conv, "id"));
	if (!dlg_in_list(file, dlg_export_files))
		return HM_ENOTFOUND;
	if (str_eq(file, "comments"))
		return comments_csv(db, cid, out);
	if (str_eq(file, "votes"))
		return votes_csv(db, cid, out);
	json_t *report = dlg_report_now(db, cid);
	if (!report)
		return HM_EDB;
	enum hm_err e = str_eq(file, "summary") ? summary_csv(db, conv, report, url, out)
						: participants_votes_csv(db, cid, report, out);
	json_decref(report);
	return e;
}
