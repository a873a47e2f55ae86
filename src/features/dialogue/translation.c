/*
 * translation.c — the store of statements' translations (table
 * statement_translation, migration 0019): a moderator of the conversation
 * enters, changes and removes the version of a statement in another of
 * the site's languages, and sets the language the original is written in.
 * A translation a moderator enters is reviewed by entering it; every
 * change is audited ("statement.translate", "statement.language").
 * Participants may suggest one (statement_translation_suggestion), which
 * waits for a moderator to accept or dismiss it. Votes are the
 * statement's, whatever language it was read in.
 */
#include "features/dialogue/dlg_internal.h"

#include "core/text.h"
#include "db/db.h"
#include "view/i18n.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_OF[] =
	"SELECT lang, text FROM statement_translation WHERE statement_id = ? ORDER BY lang";
static const char SQL_OF_CONV[] =
	"SELECT t.statement_id, t.lang, t.text FROM statement_translation t "
	"JOIN statement s ON s.id = t.statement_id WHERE s.conversation_id = ? "
	"ORDER BY t.statement_id, t.lang";
static const char SQL_UPSERT[] =
	"INSERT INTO statement_translation (statement_id, lang, text, reviewed_by, created_at, "
	"updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (statement_id, lang) DO UPDATE SET "
	"text = excluded.text, reviewed_by = excluded.reviewed_by, updated_at = excluded.updated_at";
static const char SQL_DROP[] = "DELETE FROM statement_translation WHERE statement_id = ? AND lang = ?";
static const char SQL_DROP_ALL[] = "DELETE FROM statement_translation WHERE statement_id = ?";
static const char SQL_SET_LANG[] = "UPDATE statement SET lang = ? WHERE id = ?";
static const char SQL_SUGGEST[] =
	"INSERT INTO statement_translation_suggestion (statement_id, participant_id, lang, text, "
	"created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (statement_id, participant_id, lang) "
	"DO UPDATE SET text = excluded.text, created_at = excluded.created_at";
static const char SQL_SUGGESTION_OF[] =
	"SELECT id FROM statement_translation_suggestion "
	"WHERE statement_id = ? AND participant_id = ? AND lang = ?";
static const char SQL_SUGGESTIONS[] =
	"SELECT id, lang, text, participant_id AS participant, created_at "
	"FROM statement_translation_suggestion WHERE statement_id = ? ORDER BY lang, id";
static const char SQL_SUGGESTION_GET[] =
	"SELECT id, statement_id, lang, text, participant_id AS participant "
	"FROM statement_translation_suggestion WHERE id = ?";
static const char SQL_SUGGESTION_DROP[] = "DELETE FROM statement_translation_suggestion WHERE id = ?";
static const char SQL_SUGGESTIONS_DROP_LANG[] =
	"DELETE FROM statement_translation_suggestion WHERE statement_id = ? AND lang = ?";
static const char SQL_SUGGESTIONS_DROP_ALL[] =
	"DELETE FROM statement_translation_suggestion WHERE statement_id = ?";

json_t *dlg_translations(struct db *db, int64_t sid)
{
	struct db_stmt *st = db_prepare(db, SQL_OF);
	if (!st)
		return NULL;
	db_bind_int(st, 1, sid);
	json_t *out = json_object();
	int rc;
	while ((rc = db_step(st)) == 1)
		json_object_set_new(out, db_col_text(st, 0),
				    json_pack("{s:s}", "text", db_col_text(st, 1)));
	db_done(st);
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *dlg_conv_translations(struct db *db, int64_t cid)
{
	struct db_stmt *st = db_prepare(db, SQL_OF_CONV);
	if (!st)
		return NULL;
	db_bind_int(st, 1, cid);
	json_t *out = json_object();
	int rc;
	while ((rc = db_step(st)) == 1) {
		char k[24];
		snprintf(k, sizeof(k), "%lld", (long long)db_col_int(st, 0));
		json_t *one = json_object_get(out, k);
		if (!one)
			json_object_set_new(out, k, one = json_object());
		json_object_set_new(one, db_col_text(st, 1),
				    json_pack("{s:s}", "text", db_col_text(st, 2)));
	}
	db_done(st);
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* Runs sql bound to sid (and lang when not NULL). */
static enum hm_err run_sid(struct db *db, const char *sql, int64_t sid, const char *lang)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, sid);
	if (lang)
		db_bind_text(st, 2, lang);
	return db_run(st);
}

enum hm_err dlg_translations_forget(struct db *db, int64_t sid)
{
	enum hm_err e = run_sid(db, SQL_DROP_ALL, sid, NULL);
	return e == HM_OK ? run_sid(db, SQL_SUGGESTIONS_DROP_ALL, sid, NULL) : e;
}

/* In a transaction begun: statement sid and its conversation, for a
 * moderator of it. HM_OK with both (the caller frees), else the refusal
 * (nothing to free). */
static enum hm_err load(struct db *db, const struct principal *p, int64_t sid, json_t **s,
			json_t **c)
{
	*s = dlg_statement(db, sid);
	*c = *s ? dlg_conversation(db, json_integer_value(json_object_get(*s, "conversation_id")))
		: NULL;
	if (!*c) {
		json_decref(*s);
		*s = NULL;
		return db_failed(db) ? HM_EDB : HM_ENOTFOUND;
	}
	if (!dlg_may_moderate(p, *c)) {
		json_decref(*s);
		json_decref(*c);
		*s = *c = NULL;
		return HM_EFORBIDDEN;
	}
	return HM_OK;
}

/* A translation's text of statement s (of conversation c) into lang,
 * tidied into *out (malloc'd): 1, else 0 with the refusal in errs under
 * field. */
static int text_ok(const json_t *s, const json_t *c, const char *lang, const char *text,
		   struct field_errors *errs, const char *field, char **out)
{
	char *t = text ? dlg_tidy(text, strlen(text)) : NULL;
	int64_t max = DLG_TR_FACTOR * json_integer_value(json_object_get(c, "max_length"));
	int n0 = errs->n;
	if (str_eq(dlg_jstr(s, "lang"), lang))
		field_error_add(errs, field, "This is the language the original is written in: "
					     "edit the original instead.");
	else if (text && !t)
		field_error_add(errs, field, "Please enter text here.");
	else if (!t || !*t)
		field_error_add(errs, field, "Please write the translation.");
	else if ((int64_t)utf8_chars(t) > max)
		field_error_add(errs, field,
				"This translation is more than twice as long as the conversation's "
				"statements may be.");
	if (errs->n > n0) {
		free(t);
		return 0;
	}
	*out = t;
	return 1;
}

/* In the caller's transaction: statement s's (of conversation c) version
 * in lang becomes text, refusals in errs under field. */
static enum hm_err translate_tx(struct db *db, const struct principal *p, const json_t *s,
				const json_t *c, const char *lang, const char *text, int64_t now,
				struct field_errors *errs, const char *field, char **kept)
{
	int64_t sid = json_integer_value(json_object_get(s, "id"));
	char *t = NULL;
	if (!text_ok(s, c, lang, text, errs, field, &t))
		return HM_EINVAL;
	/* the suggestions into lang are answered */
	enum hm_err e = run_sid(db, SQL_SUGGESTIONS_DROP_LANG, sid, lang);
	json_t *all = dlg_translations(db, sid);
	const json_t *before = all ? json_object_get(all, lang) : NULL;
	if (!all)
		e = HM_EDB;
	char ts[DLG_TS_SIZE];
	dlg_ts(now, ts);
	if (e == HM_OK && !(before && str_eq(dlg_jstr(before, "text"), t))) {
		struct db_stmt *st = db_prepare(db, SQL_UPSERT);
		if (!st)
			e = HM_EDB;
		else {
			db_bind_int(st, 1, sid);
			db_bind_text(st, 2, lang);
			db_bind_text(st, 3, t);
			if (p && p->account_id)
				db_bind_int(st, 4, p->account_id);
			else
				db_bind_null(st, 4);
			db_bind_text(st, 5, ts);
			db_bind_text(st, 6, ts);
			e = db_run(st);
		}
		if (e == HM_OK) {
			json_t *was = before ? json_pack("{s:s, s:O}", "lang", lang, "text",
							 json_object_get(before, "text"))
					     : NULL;
			json_t *now_is = json_pack("{s:s, s:s}", "lang", lang, "text", t);
			e = audit_record_at(db, p, "statement.translate", "statement", sid, was, now_is,
					    now);
			json_decref(was);
			json_decref(now_is);
		}
	}
	json_decref(all);
	if (kept && e == HM_OK)
		*kept = t;
	else
		free(t);
	return e;
}

/* In the caller's transaction: removes statement sid's version in lang. */
static enum hm_err untranslate_tx(struct db *db, const struct principal *p, int64_t sid,
				  const char *lang, int64_t now)
{
	enum hm_err e = HM_OK;
	json_t *all = dlg_translations(db, sid);
	const json_t *before = all ? json_object_get(all, lang) : NULL;
	if (!all)
		e = HM_EDB;
	if (e == HM_OK && before) {
		struct db_stmt *st = db_prepare(db, SQL_DROP);
		if (!st)
			e = HM_EDB;
		else {
			db_bind_int(st, 1, sid);
			db_bind_text(st, 2, lang);
			e = db_run(st);
		}
		if (e == HM_OK) {
			json_t *was = json_pack("{s:s, s:O}", "lang", lang, "text",
						json_object_get(before, "text"));
			e = audit_record_at(db, p, "statement.translate", "statement", sid, was, NULL,
					    now);
			json_decref(was);
		}
	}
	json_decref(all);
	return e;
}

/* In the caller's transaction: statement s's original language. */
static enum hm_err set_lang_tx(struct db *db, const struct principal *p, const json_t *s,
			       const char *lang, int64_t now)
{
	const char *was = dlg_jstr(s, "lang");
	if (str_eq(was, lang))
		return HM_OK;
	int64_t sid = json_integer_value(json_object_get(s, "id"));
	struct db_stmt *st = db_prepare(db, SQL_SET_LANG);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, lang);
	db_bind_int(st, 2, sid);
	enum hm_err e = db_run(st);
	if (e == HM_OK) {
		json_t *before = json_pack("{s:s?}", "lang", was);
		json_t *after = json_pack("{s:s}", "lang", lang);
		e = audit_record_at(db, p, "statement.language", "statement", sid, before, after,
				    now);
		json_decref(before);
		json_decref(after);
	}
	return e;
}

/* 1 when lang is one of the site's languages; otherwise 0, with the
 * field's error. */
static int lang_known(const char *lang, struct field_errors *errs)
{
	if (lang && i18n_supported(lang))
		return 1;
	field_error_add(errs, "lang", "Choose one of the site's six languages.");
	return 0;
}

enum hm_err dlg_translate(struct db *db, const struct principal *p, int64_t sid, const char *lang,
			  const char *text, int64_t now, struct field_errors *errs, json_t **out)
{
	*out = NULL;
	if (!lang_known(lang, errs))
		return HM_EINVAL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *s, *c;
	if ((e = load(db, p, sid, &s, &c)) != HM_OK)
		return dlg_fail(db, e);
	char *t = NULL;
	e = translate_tx(db, p, s, c, lang, text, now, errs, "text", &t);
	json_decref(s);
	json_decref(c);
	if (e != HM_OK)
		return dlg_fail(db, e);
	if ((e = db_commit(db)) == HM_OK) {
		dlg_statements_changed();
		*out = json_pack("{s:s, s:{s:s}}", "lang", lang, "fields", "text", t);
	}
	free(t);
	return e;
}

enum hm_err dlg_translate_all(struct db *db, const struct principal *p, int64_t sid,
			      const char *own, json_t *versions, int64_t now,
			      struct field_errors *errs)
{
	if (own && !lang_known(own, errs))
		return HM_EINVAL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *s, *c;
	if ((e = load(db, p, sid, &s, &c)) != HM_OK)
		return dlg_fail(db, e);
	if (own && (e = set_lang_tx(db, p, s, own, now)) == HM_OK)
		json_object_set_new(s, "lang", json_string(own));
	const char *lang;
	json_t *v;
	enum hm_err refused = HM_OK;
	json_object_foreach(versions, lang, v) {
		if (e != HM_OK)
			break;
		if (!i18n_supported(lang) || str_eq(lang, dlg_jstr(s, "lang")))
			continue; /* the original's own language: its version stays, unused */
		const char *text = json_string_value(v);
		char field[40];
		snprintf(field, sizeof(field), "text_%s", lang);
		enum hm_err x = text && !dlg_blank(text)
					? translate_tx(db, p, s, c, lang, text, now, errs, field, NULL)
					: untranslate_tx(db, p, sid, lang, now);
		if (x == HM_EINVAL)
			refused = x;
		else
			e = x;
	}
	json_decref(s);
	json_decref(c);
	if (e == HM_OK)
		e = refused;
	if (e != HM_OK)
		return dlg_fail(db, e);
	if ((e = db_commit(db)) == HM_OK)
		dlg_statements_changed();
	return e;
}

enum hm_err dlg_untranslate(struct db *db, const struct principal *p, int64_t sid,
			    const char *lang, int64_t now)
{
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *s, *c;
	if ((e = load(db, p, sid, &s, &c)) != HM_OK)
		return dlg_fail(db, e);
	json_decref(s);
	json_decref(c);
	if ((e = untranslate_tx(db, p, sid, lang, now)) != HM_OK)
		return dlg_fail(db, e);
	if ((e = db_commit(db)) == HM_OK)
		dlg_statements_changed();
	return e;
}

enum hm_err dlg_statement_lang(struct db *db, const struct principal *p, int64_t sid,
			       const char *lang, int64_t now)
{
	if (!lang || !i18n_supported(lang))
		return HM_EINVAL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *s, *c;
	if ((e = load(db, p, sid, &s, &c)) != HM_OK)
		return dlg_fail(db, e);
	e = set_lang_tx(db, p, s, lang, now);
	json_decref(s);
	json_decref(c);
	if (e != HM_OK)
		return dlg_fail(db, e);
	if ((e = db_commit(db)) == HM_OK)
		dlg_statements_changed();
	return e;
}

/* ------------------------------------------ participants' suggestions */

enum hm_err dlg_suggest(struct db *db, int64_t cid, const struct dlg_who *who, int64_t sid,
			const char *lang, const char *text, int64_t now, struct field_errors *errs,
			json_t **out)
{
	*out = NULL;
	if (!lang_known(lang, errs))
		return HM_EINVAL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *c = dlg_conversation(db, cid);
	if (!c)
		return dlg_fail(db, db_failed(db) ? HM_EDB : HM_ENOTFOUND);
	e = dlg_may_take_part(db, c, who);
	json_t *s = e == HM_OK ? dlg_statement(db, sid) : NULL;
	if (e == HM_OK && (!s || json_integer_value(json_object_get(s, "conversation_id")) != cid ||
			   !str_eq(dlg_jstr(s, "status"), "accepted")))
		e = db_failed(db) ? HM_EDB : HM_ENOTFOUND;
	json_t *trs = e == HM_OK ? dlg_translations(db, sid) : NULL;
	if (e == HM_OK && !trs)
		e = HM_EDB;
	if (e == HM_OK && json_object_get(trs, lang))
		e = HM_EEXIST;
	char *t = NULL;
	if (e == HM_OK && !text_ok(s, c, lang, text, errs, "text", &t))
		e = HM_EINVAL;
	int64_t pid = 0, id = 0;
	if (e == HM_OK)
		e = dlg_participant_tx(db, c, who, now, &pid);
	char ts[DLG_TS_SIZE];
	dlg_ts(now, ts);
	struct db_stmt *st = NULL;
	if (e == HM_OK && !(st = db_prepare(db, SQL_SUGGEST)))
		e = HM_EDB;
	if (st) {
		db_bind_int(st, 1, sid);
		db_bind_int(st, 2, pid);
		db_bind_text(st, 3, lang);
		db_bind_text(st, 4, t);
		db_bind_text(st, 5, ts);
		e = db_run(st);
	}
	if (e == HM_OK && !(st = db_prepare(db, SQL_SUGGESTION_OF)))
		e = HM_EDB;
	else if (e == HM_OK) {
		db_bind_int(st, 1, sid);
		db_bind_int(st, 2, pid);
		db_bind_text(st, 3, lang);
		if (db_step(st) == 1)
			id = db_col_int(st, 0);
		db_done(st);
		if (!id)
			e = HM_EDB;
	}
	free(t);
	json_decref(trs);
	json_decref(s);
	json_decref(c);
	if (e != HM_OK)
		return dlg_fail(db, e);
	if ((e = db_commit(db)) != HM_OK)
		return e;
	*out = json_pack("{s:I, s:I, s:s, s:s, s:I}", "id", (json_int_t)id, "statement",
			 (json_int_t)sid, "lang", lang, "status", "pending", "participant",
			 (json_int_t)pid);
	return HM_OK;
}

json_t *dlg_suggestions(struct db *db, int64_t sid)
{
	struct db_stmt *st = db_prepare(db, SQL_SUGGESTIONS);
	if (!st)
		return NULL;
	db_bind_int(st, 1, sid);
	return db_rows_json(st);
}

enum hm_err dlg_suggestion_decide(struct db *db, const struct principal *p, int64_t sid,
				  int64_t id, int accept, int64_t now, struct field_errors *errs)
{
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *s, *c;
	if ((e = load(db, p, sid, &s, &c)) != HM_OK)
		return dlg_fail(db, e);
	struct db_stmt *st = db_prepare(db, SQL_SUGGESTION_GET);
	json_t *g = NULL;
	if (st) {
		db_bind_int(st, 1, id);
		g = db_one_json(st);
		db_done(st);
	}
	if (!g || json_integer_value(json_object_get(g, "statement_id")) != sid)
		e = db_failed(db) ? HM_EDB : HM_ENOTFOUND;
	else if (accept)
		e = translate_tx(db, p, s, c, dlg_jstr(g, "lang"), dlg_jstr(g, "text"), now, errs,
				 "text", NULL);
	else if ((e = run_sid(db, SQL_SUGGESTION_DROP, id, NULL)) == HM_OK) {
		json_t *was = json_pack("{s:I, s:O, s:O}", "suggestion", (json_int_t)id, "lang",
					json_object_get(g, "lang"), "text", json_object_get(g, "text"));
		e = audit_record_at(db, p, "statement.suggestion.dismiss", "statement", sid, was, NULL,
				    now);
		json_decref(was);
	}
	json_decref(g);
	json_decref(s);
	json_decref(c);
	if (e != HM_OK)
		return dlg_fail(db, e);
	if ((e = db_commit(db)) == HM_OK)
		dlg_statements_changed();
	return e;
}
