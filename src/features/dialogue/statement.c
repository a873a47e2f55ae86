/*
 * statement.c — the store of statements: organisers' seeds (many at once,
 * editable until voted on), participants' own (pending or accepted as the
 * conversation moderates, near-duplicates refused), and moderation.
 */
#include "features/dialogue/dlg_internal.h"

#include "core/text.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/ucasemap.h>

/* ---------------------------------------------------------------- SQL */

#define STMT_COLS                                                                        \
	"s.id, s.conversation_id, s.participant_id, s.by_organiser, s.text, s.status, "   \
	"s.reason, s.lang, s.created_at, s.moderated_at, "                                \
	"(SELECT count(*) FROM vote v WHERE v.statement_id = s.id) AS n_votes, "          \
	"(SELECT count(*) FROM vote v WHERE v.statement_id = s.id AND v.vote = 1) AS n_agree, " \
	"(SELECT count(*) FROM vote v WHERE v.statement_id = s.id AND v.vote = -1) "      \
	"AS n_disagree, "                                                                 \
	"(SELECT count(*) FROM vote v WHERE v.statement_id = s.id AND v.vote = 0) AS n_pass "
static const char SQL_GET[] = "SELECT " STMT_COLS "FROM statement s WHERE s.id = ?";
static const char SQL_LIST[] = "SELECT " STMT_COLS
			       "FROM statement s WHERE s.conversation_id = ? "
			       "AND (? IS NULL OR s.status = ?) ORDER BY s.id";
static const char SQL_SAME[] =
	"SELECT 1 FROM statement WHERE conversation_id = ? AND text_key = ? AND id <> ?";
static const char SQL_INSERT[] =
	"INSERT INTO statement (conversation_id, participant_id, by_organiser, text, text_key, "
	"status, lang, created_at, moderated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_EDIT[] = "UPDATE statement SET text = ?, text_key = ? WHERE id = ?";
static const char SQL_MODERATE[] =
	"UPDATE statement SET status = ?, reason = ?, moderated_at = ? WHERE id = ?";

/* ---------------------------------------------------------------- text */

int dlg_blank(const char *s)
{
	for (; s && *s; s++)
		if (!(*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
			return 0;
	return 1;
}

/* A statement's text as kept: trimmed, runs of white space one space;
 * malloc'd. NULL: control characters or not UTF-8. */
char *dlg_tidy(const char *s, size_t len)
{
	if (!utf8_valid(s, len))
		return NULL;
	char *out = xmalloc(len + 1);
	size_t n = 0;
	int space = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = n > 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			free(out);
			return NULL;
		}
		if (space)
			out[n++] = ' ';
		space = 0;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

/* The near-duplicate key of tidied text: folded case, spaces and the
 * punctuation at its end left out. malloc'd. */
char *dlg_text_key(const char *text)
{
	UErrorCode ue = U_ZERO_ERROR;
	UCaseMap *cm = ucasemap_open(NULL, 0, &ue);
	size_t len = strlen(text);
	char *out = xmalloc(3 * len + 1);
	int32_t n = U_SUCCESS(ue) ? ucasemap_utf8FoldCase(cm, out, (int32_t)(3 * len + 1), text,
							   (int32_t)len, &ue)
				  : -1;
	ucasemap_close(cm);
	if (U_FAILURE(ue) || n < 0) {
		memcpy(out, text, len + 1);
		n = (int32_t)len;
	}
	out[n] = '\0';
	size_t w = 0;
	for (int32_t i = 0; i < n; i++)
		if (out[i] != ' ')
			out[w++] = out[i];
	while (w > 0 && strchr(".!?;,", out[w - 1]))
		w--;
	out[w] = '\0';
	return out;
}

/* 1 if conversation cid has a statement with key (other than id). */
static int exists(struct db *db, int64_t cid, const char *key, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_SAME);
	if (!st)
		return -1;
	db_bind_int(st, 1, cid);
	db_bind_text(st, 2, key);
	db_bind_int(st, 3, id);
	int rc = db_step(st);
	db_done(st);
	return rc;
}

/* Checks text (tidied) against max characters; adds to errs under field. */
static int text_ok(const char *text, int64_t max, const char *field, struct field_errors *errs)
{
	if (!text) {
		field_error_add(errs, field, "Please enter text here.");
		return 0;
	}
	if (!*text) {
		field_error_add(errs, field, "Please write a statement.");
		return 0;
	}
	if ((int64_t)utf8_chars(text) > max) {
		field_error_add(errs, field, "This statement is longer than this conversation allows.");
		return 0;
	}
	return 1;
}

static enum hm_err insert(struct db *db, int64_t cid, int64_t pid, int by_organiser,
			  const char *text, const char *key, const char *status, const char *lang,
			  const char *ts, int64_t *id)
{
	struct db_stmt *st = db_prepare(db, SQL_INSERT);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, cid);
	if (pid)
		db_bind_int(st, 2, pid);
	else
		db_bind_null(st, 2);
	db_bind_int(st, 3, by_organiser);
	db_bind_text(st, 4, text);
	db_bind_text(st, 5, key);
	db_bind_text(st, 6, status);
	db_bind_text(st, 7, lang && *lang ? lang : NULL);
	db_bind_text(st, 8, ts);
	db_bind_text(st, 9, str_eq(status, "pending") ? NULL : ts);
	enum hm_err e = db_run(st);
	*id = e == HM_OK ? db_last_insert_id(db) : 0;
	return e;
}

/* ---------------------------------------------------------------- reads */

/* by_organiser as the boolean it is (the store keeps 0 or 1), in each row
 * of list; returns list. */
static json_t *with_flags(json_t *list)
{
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s)
		json_object_set_new(s, "by_organiser",
				    json_boolean(json_integer_value(json_object_get(s, "by_organiser"))));
	return list;
}

json_t *dlg_statement(struct db *db, int64_t sid)
{
	struct db_stmt *st = db_prepare(db, SQL_GET);
	if (!st)
		return NULL;
	db_bind_int(st, 1, sid);
	json_t *s = db_one_json(st);
	db_done(st);
	if (s)
		json_object_set_new(s, "by_organiser",
				    json_boolean(json_integer_value(json_object_get(s, "by_organiser"))));
	return s;
}

json_t *dlg_statements(struct db *db, int64_t cid, const char *status)
{
	struct db_stmt *st = db_prepare(db, SQL_LIST);
	if (!st)
		return NULL;
	db_bind_int(st, 1, cid);
	db_bind_text(st, 2, status);
	db_bind_text(st, 3, status);
	return with_flags(db_rows_json(st));
}

/* One page of the moderation queue: pending first, then by id; with
 * who wrote each. */
static const char SQL_PAGE[] =
	"SELECT " STMT_COLS ", CASE WHEN s.by_organiser = 1 THEN 'organiser' "
	"WHEN p.account_id IS NOT NULL THEN 'account' ELSE 'anonymous' END AS author, "
	"(SELECT count(*) FROM statement_translation t WHERE t.statement_id = s.id) "
	"AS n_translations, "
	"(SELECT count(*) FROM statement_translation_suggestion g WHERE g.statement_id = s.id) "
	"AS n_suggestions "
	"FROM statement s LEFT JOIN dialogue_participant p ON p.id = s.participant_id "
	"WHERE s.conversation_id = ? AND (? IS NULL OR s.status = ?) "
	"ORDER BY CASE WHEN s.status = 'pending' THEN 0 ELSE 1 END, s.id LIMIT ? OFFSET ?";
static const char SQL_COUNTS[] =
	"SELECT status, count(*) AS n FROM statement WHERE conversation_id = ? GROUP BY status";
static const char SQL_TALLY[] =
	"SELECT (SELECT count(*) FROM dialogue_participant WHERE conversation_id = ?) AS participants, "
	"(SELECT count(*) FROM vote v JOIN statement s ON s.id = v.statement_id "
	"WHERE s.conversation_id = ?) AS votes";

json_t *dlg_statements_page(struct db *db, int64_t cid, const char *status, int64_t offset,
			    int64_t limit)
{
	struct db_stmt *st = db_prepare(db, SQL_PAGE);
	if (!st)
		return NULL;
	db_bind_int(st, 1, cid);
	db_bind_text(st, 2, status);
	db_bind_text(st, 3, status);
	db_bind_int(st, 4, limit);
	db_bind_int(st, 5, offset);
	return with_flags(db_rows_json(st));
}

json_t *dlg_counts(struct db *db, int64_t cid)
{
	struct db_stmt *st = db_prepare(db, SQL_COUNTS);
	if (!st)
		return NULL;
	db_bind_int(st, 1, cid);
	json_t *rows = db_rows_json(st);
	if (!rows)
		return NULL;
	json_t *o = json_object();
	json_int_t all = 0;
	for (const char *const *k = dlg_stmt_statuses; *k; k++)
		json_object_set_new(o, *k, json_integer(0));
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *k = json_string_value(json_object_get(r, "status"));
		json_int_t n = json_integer_value(json_object_get(r, "n"));
		if (k)
			json_object_set_new(o, k, json_integer(n));
		all += n;
	}
	json_decref(rows);
	json_object_set_new(o, "statements", json_integer(all));
	st = db_prepare(db, SQL_TALLY);
	json_t *t = NULL;
	if (st) {
		db_bind_int(st, 1, cid);
		db_bind_int(st, 2, cid);
		t = db_one_json(st);
		db_done(st);
	}
	if (!t) {
		json_decref(o);
		return NULL;
	}
	json_object_update(o, t);
	json_decref(t);
	return o;
}

/* ---------------------------------------------------------------- seeds */

enum hm_err dlg_seed(struct db *db, const struct principal *p, int64_t cid, const json_t *texts,
		     int64_t now, struct field_errors *errs, json_t **ids)
{
	return dlg_seed_lang(db, p, cid, texts, NULL, now, errs, ids);
}

enum hm_err dlg_seed_lang(struct db *db, const struct principal *p, int64_t cid,
			  const json_t *texts, const char *lang, int64_t now,
			  struct field_errors *errs, json_t **ids)
{
	*ids = NULL;
	if (!json_is_array(texts)) {
		field_error_add(errs, "texts", "Please write a statement.");
		return HM_EINVAL;
	}
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *c = dlg_conversation(db, cid);
	if (!c)
		return dlg_fail(db, db_failed(db) ? HM_EDB : HM_ENOTFOUND);
	int may = dlg_may_moderate(p, c);
	int archived = str_eq(dlg_jstr(c, "status"), "archived");
	int64_t max = json_integer_value(json_object_get(c, "max_length"));
	json_decref(c);
	if (!may)
		return dlg_fail(db, HM_EFORBIDDEN);
	if (archived)
		return dlg_fail(db, HM_ECONFLICT);
	/* the lines, tidied, with their keys */
	size_t n = 0, cap = 16;
	char **lines = xmalloc(cap * sizeof(*lines)), **keys = xmalloc(cap * sizeof(*keys));
	size_t i;
	const json_t *t;
	json_array_foreach(texts, i, t) {
		const char *s = json_string_value(t);
		if (!s) {
			field_error_add(errs, "texts", "Please enter text here.");
			break;
		}
		while (*s) {
			size_t len = strcspn(s, "\n");
			char *line = dlg_tidy(s, len);
			s += len + (s[len] == '\n');
			if (line && !*line) {
				free(line);
				continue;
			}
			if (n == cap) {
				cap *= 2;
				lines = xrealloc(lines, cap * sizeof(*lines));
				keys = xrealloc(keys, cap * sizeof(*keys));
			}
			lines[n] = line;
			keys[n] = line ? dlg_text_key(line) : NULL;
			n++;
		}
	}
	if (!errs->n && n == 0)
		field_error_add(errs, "texts", "Please write a statement.");
	if (n > DLG_SEED_MAX)
		field_error_add(errs, "texts", "Please send at most 500 statements at once.");
	for (size_t k = 0; k < n && !errs->n; k++) {
		if (!text_ok(lines[k], max, "texts", errs))
			break;
		for (size_t j = 0; j < k; j++)
			if (str_eq(keys[j], keys[k]))
				field_error_add(errs, "texts",
						"The same statement is there twice.");
		int x = errs->n ? 0 : exists(db, cid, keys[k], 0);
		if (x < 0)
			e = HM_EDB;
		else if (x)
			field_error_add(errs, "texts",
					"A statement saying the same is in this conversation already.");
	}
	char ts[DLG_TS_SIZE];
	dlg_ts(now, ts);
	json_t *out = json_array();
	if (e == HM_OK && errs->n)
		e = HM_EINVAL;
	for (size_t k = 0; k < n && e == HM_OK; k++) {
		int64_t id;
		e = insert(db, cid, 0, 1, lines[k], keys[k], "accepted", lang, ts, &id);
		if (e == HM_OK)
			json_array_append_new(out, json_integer(id));
	}
	for (size_t k = 0; k < n; k++) {
		free(lines[k]);
		free(keys[k]);
	}
	free(lines);
	free(keys);
	if (e == HM_OK)
		e = dlg_touch(db, cid);
	if (e == HM_OK) {
		json_t *after = json_pack("{s:O}", "statements", out);
		e = audit_record_at(db, p, "statement.seed", "conversation", cid, NULL, after, now);
		json_decref(after);
	}
	if (e != HM_OK) {
		json_decref(out);
		return dlg_fail(db, e);
	}
	if ((e = db_commit(db)) != HM_OK) {
		json_decref(out);
		return e;
	}
	dlg_statements_changed();
	*ids = out;
	return HM_OK;
}

enum hm_err dlg_seed_edit(struct db *db, const struct principal *p, int64_t sid,
			  const char *text, int64_t now, struct field_errors *errs)
{
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *s = dlg_statement(db, sid);
	json_t *c = s ? dlg_conversation(db, json_integer_value(json_object_get(s, "conversation_id")))
		      : NULL;
	if (!c) {
		json_decref(s);
		return dlg_fail(db, db_failed(db) ? HM_EDB : HM_ENOTFOUND);
	}
	if (!dlg_may_moderate(p, c))
		e = HM_EFORBIDDEN;
	else if (!json_is_true(json_object_get(s, "by_organiser")) ||
		 json_integer_value(json_object_get(s, "n_votes")) > 0)
		e = HM_ECONFLICT;
	char *t = e == HM_OK && text ? dlg_tidy(text, strlen(text)) : NULL;
	char *key = t ? dlg_text_key(t) : NULL;
	if (e == HM_OK && text_ok(t, json_integer_value(json_object_get(c, "max_length")), "text",
				  errs)) {
		int x = exists(db, json_integer_value(json_object_get(c, "id")), key, sid);
		if (x < 0)
			e = HM_EDB;
		else if (x)
			field_error_add(errs, "text",
					"A statement saying the same is in this conversation already.");
	}
	if (e == HM_OK && errs->n)
		e = HM_EINVAL;
	if (e == HM_OK) {
		struct db_stmt *st = db_prepare(db, SQL_EDIT);
		if (!st)
			e = HM_EDB;
		else {
			db_bind_text(st, 1, t);
			db_bind_text(st, 2, key);
			db_bind_int(st, 3, sid);
			e = db_run(st);
		}
	}
	/* the translations were of the old text */
	json_t *trs = NULL;
	int changed = e == HM_OK && !str_eq(t, dlg_jstr(s, "text"));
	if (changed && !(trs = dlg_translations(db, sid)))
		e = HM_EDB;
	if (changed && e == HM_OK)
		e = dlg_translations_forget(db, sid); /* and the suggestions waiting */
	if (e == HM_OK)
		e = dlg_touch(db, json_integer_value(json_object_get(c, "id")));
	if (e == HM_OK) {
		json_t *before = json_pack("{s:O}", "text", json_object_get(s, "text"));
		if (json_object_size(trs))
			json_object_set(before, "translations", trs);
		json_t *after = json_pack("{s:s}", "text", t);
		e = audit_record_at(db, p, "statement.edit", "statement", sid, before, after, now);
		json_decref(before);
		json_decref(after);
	}
	json_decref(trs);
	free(t);
	free(key);
	json_decref(s);
	json_decref(c);
	if (e != HM_OK)
		return dlg_fail(db, e);
	if ((e = db_commit(db)) == HM_OK)
		dlg_statements_changed();
	return e;
}

/* ------------------------------------------------ participants' own */

enum hm_err dlg_submit(struct db *db, int64_t cid, const struct dlg_who *who, const char *text,
		       const char *lang, int64_t now, struct field_errors *errs, json_t **out)
{
	*out = NULL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *c = dlg_conversation(db, cid);
	if (!c)
		return dlg_fail(db, db_failed(db) ? HM_EDB : HM_ENOTFOUND);
	e = dlg_may_take_part(db, c, who);
	if (e == HM_OK && !json_is_true(json_object_get(c, "participants_submit")))
		e = HM_EFORBIDDEN;
	char *t = NULL, *key = NULL;
	if (e == HM_OK) {
		t = text ? dlg_tidy(text, strlen(text)) : NULL;
		key = t ? dlg_text_key(t) : NULL;
		if (text_ok(t, json_integer_value(json_object_get(c, "max_length")), "text", errs)) {
			int x = exists(db, cid, key, 0);
			if (x < 0)
				e = HM_EDB;
			else if (x)
				field_error_add(errs, "text",
						"A statement saying the same is in this conversation already.");
		}
		if (e == HM_OK && errs->n)
			e = HM_EINVAL;
	}
	int64_t pid = 0, id = 0;
	const char *status =
		str_eq(dlg_jstr(c, "moderation"), "permissive") ? "accepted" : "pending";
	if (e == HM_OK)
		e = dlg_participant_tx(db, c, who, now, &pid);
	if (e == HM_OK) {
		char ts[DLG_TS_SIZE];
		dlg_ts(now, ts);
		e = insert(db, cid, pid, 0, t, key, status, lang, ts, &id);
	}
	if (e == HM_OK)
		e = dlg_touch(db, cid);
	free(t);
	free(key);
	json_decref(c);
	if (e != HM_OK)
		return dlg_fail(db, e);
	if ((e = db_commit(db)) != HM_OK)
		return e;
	dlg_statements_changed();
	*out = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "status", status, "participant",
			 (json_int_t)pid);
	return HM_OK;
}

/* ---------------------------------------------------------- moderation */

enum hm_err dlg_moderate(struct db *db, const struct principal *p, int64_t sid,
			 const char *status, const char *reason, int64_t now)
{
	if (!dlg_in_list(status, dlg_stmt_statuses) || str_eq(status, "pending"))
		return HM_EINVAL;
	if (!reason)
		reason = "";
	if (strlen(reason) > DLG_REASON_MAX || !utf8_valid(reason, strlen(reason)))
		return HM_EINVAL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *s = dlg_statement(db, sid);
	json_t *c = s ? dlg_conversation(db, json_integer_value(json_object_get(s, "conversation_id")))
		      : NULL;
	if (!c) {
		json_decref(s);
		return dlg_fail(db, db_failed(db) ? HM_EDB : HM_ENOTFOUND);
	}
	if (!dlg_may_moderate(p, c))
		e = HM_EFORBIDDEN;
	char ts[DLG_TS_SIZE];
	dlg_ts(now, ts);
	if (e == HM_OK) {
		struct db_stmt *st = db_prepare(db, SQL_MODERATE);
		if (!st)
			e = HM_EDB;
		else {
			db_bind_text(st, 1, status);
			db_bind_text(st, 2, reason);
			db_bind_text(st, 3, ts);
			db_bind_int(st, 4, sid);
			e = db_run(st);
		}
	}
	if (e == HM_OK)
		e = dlg_touch(db, json_integer_value(json_object_get(c, "id")));
	if (e == HM_OK) {
		json_t *before = json_pack("{s:O, s:O}", "status", json_object_get(s, "status"),
					   "reason", json_object_get(s, "reason"));
		json_t *after = json_pack("{s:s, s:s}", "status", status, "reason", reason);
		e = audit_record_at(db, p, "statement.moderate", "statement", sid, before, after,
				    now);
		json_decref(before);
		json_decref(after);
	}
	json_decref(s);
	json_decref(c);
	if (e != HM_OK)
		return dlg_fail(db, e);
	if ((e = db_commit(db)) == HM_OK)
		dlg_statements_changed();
	return e;
}
