/*
 * admin_audit.c — the audit log for administrators (/admin/audit and
 * /api/v1/audit): every change with who made it and when, filtered by
 * thing, actor, action and dates, by page, each shown as the fields it
 * changed.
 */
#include "auth/auth.h"
#include "site/feature.h"
#include "core/text.h"
#include "site/site.h"
#include "view/i18n.h"

#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* =========================================================== audit log */

/* The log's filters are optional: a NULL value matches everything. Each
 * is bound more than once, so one fixed statement serves every mix. */
#define AUDIT_WHERE                                                                            \
	"WHERE (CAST(? AS TEXT) IS NULL OR entity = ?) "                                      \
	"AND (CAST(? AS INTEGER) IS NULL OR entity_id = ?) "                                  \
	"AND (CAST(? AS TEXT) IS NULL OR actor = ?) "                                         \
	"AND (CAST(? AS TEXT) IS NULL OR substr(action, 1, length(?)) = ?) "                  \
	"AND (CAST(? AS TEXT) IS NULL OR at >= ?) "                                           \
	"AND (CAST(? AS TEXT) IS NULL OR at <= ?) "

enum audit_sql { SQL_AUDIT_PAGE, SQL_AUDIT_COUNT, SQL_AUDIT_ENTITIES, AUDIT_SQL__MAX };

static const char *const audit_sql[AUDIT_SQL__MAX] = {
	/* The names of the accounts that acted and were acted on, as they
	 * are now (NULL once gone: the entry keeps the e-mail). */
	[SQL_AUDIT_PAGE] = "SELECT l.id, l.at, l.actor, l.actor_account_id, l.action, l.entity, "
			   "l.entity_id, l.before_json, l.after_json, who.name AS actor_name, "
			   "acct.name AS account_name FROM audit_log l "
			   "LEFT JOIN account who ON who.id = l.actor_account_id "
			   "LEFT JOIN account acct ON l.entity = 'account' AND acct.id = l.entity_id "
			   "WHERE l.id IN (SELECT id FROM audit_log " AUDIT_WHERE
			   "ORDER BY id DESC LIMIT ? OFFSET ?) ORDER BY l.id DESC",
	[SQL_AUDIT_COUNT] = "SELECT count(*) FROM audit_log " AUDIT_WHERE,
	[SQL_AUDIT_ENTITIES] = "SELECT DISTINCT entity FROM audit_log ORDER BY entity",
};

static struct db_stmt *audit_prep(struct db *db, enum audit_sql i)
{
	return db_prepare(db, audit_sql[i]);
}

struct audit_filter {
	const char *entity, *actor, *action, *from, *to; /* NULL: any */
	int64_t entity_id;                                /* 0: any */
};

/* Binds the filter from position 1; returns the next free position. */
static int bind_filter(struct db_stmt *st, const struct audit_filter *fl)
{
	int i = 1;
	const char *texts[] = {fl->entity, NULL, fl->actor, fl->action, fl->from, fl->to};
	for (size_t k = 0; k < HM_ARRAY_LEN(texts); k++) {
		if (k == 1) {
			if (fl->entity_id) {
				db_bind_int(st, i++, fl->entity_id);
				db_bind_int(st, i++, fl->entity_id);
			} else {
				db_bind_null(st, i++);
				db_bind_null(st, i++);
			}
			continue;
		}
		int times = k == 3 ? 3 : 2; /* the action is a prefix: three uses */
		for (int t = 0; t < times; t++)
			db_bind_text(st, i++, texts[k]);
	}
	return i;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* A value as one line for the diff: strings as they are, the rest as
 * compact JSON. */
static json_t *diff_value(const json_t *v)
{
	if (!v)
		return json_null();
	if (json_is_string(v))
		return json_string(json_string_value(v));
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_t *o = json_string(s ? s : "");
	free(s);
	return o;
}

/* [{key, before, after, kind: added|removed|changed}…] for the keys
 * whose values differ, in key order. Non-objects count as {"value": v}. */
json_t *site_audit_changes(json_t *before, json_t *after)
{
	json_t *b = json_is_object(before) ? json_incref(before)
		  : json_is_null(before) || !before ? json_object()
						     : json_pack("{s:O}", "value", before);
	json_t *a = json_is_object(after) ? json_incref(after)
		  : json_is_null(after) || !after ? json_object()
						   : json_pack("{s:O}", "value", after);
	json_t *keys = json_object(), *out = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(b, k, v)
		json_object_set_new(keys, k, json_true());
	json_object_foreach(a, k, v)
		json_object_set_new(keys, k, json_true());
	/* jansson keeps insertion order; sort for a stable diff. */
	size_t n = json_object_size(keys), i = 0;
	const char **sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	json_object_foreach(keys, k, v)
		sorted[i++] = k;
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	for (i = 0; i < n; i++) {
		json_t *bv = json_object_get(b, sorted[i]), *av = json_object_get(a, sorted[i]);
		if (bv && av && json_equal(bv, av))
			continue;
		const char *kind = !bv ? "added" : !av ? "removed" : "changed";
		json_array_append_new(out, json_pack("{s:s, s:o, s:o, s:s, s:b, s:b}", "key",
						     sorted[i], "before", diff_value(bv), "after",
						     diff_value(av), "kind", kind, "has_before",
						     bv != NULL, "has_after", av != NULL));
	}
	free(sorted);
	json_decref(keys);
	json_decref(a);
	json_decref(b);
	return out;
}

json_t *site_audit_changes_shown(struct http_req *req, json_t *before, json_t *after)
{
	json_t *changes = site_audit_changes(before, after), *c;
	size_t i;
	json_array_foreach(changes, i, c) {
		static const char *const keys[] = {"before", "after"};
		for (size_t k = 0; k < HM_ARRAY_LEN(keys); k++) {
			const char *v = json_string_value(json_object_get(c, keys[k]));
			if (v && strlen(v) == 20 && v[10] == 'T' && time_parse_rfc3339(v) >= 0)
				site_display_time(req, c, keys[k], keys[k]);
		}
	}
	return changes;
}

/* ------------------------------------------------------------ sentences */

/* What each action says, with {who} (the actor, a link to their account)
 * and {thing} (the thing's name, a link to its admin page) where they go in
 * the language's own order. */
static const struct {
	const char *action, *msgid;
} sentences[] = {
	{"account.create", N_("{who} made the account of {thing}")},
	{"account.update", N_("{who} changed the profile of {thing}")},
	{"account.invite", N_("{who} sent {thing} a new invitation")},
	{"account.role_grant", N_("{who} gave {thing} a role")},
	{"account.role_revoke", N_("{who} took a role from {thing}")},
	{"account.sign_out_everywhere", N_("{who} signed {thing} out everywhere")},
	{"api_token.create", N_("{who} made an API token")},
	{"api_token.revoke", N_("{who} revoked an API token")},
	{"auth.sign_in", N_("{who} signed in")},
	{"auth.sign_in_failed", N_("A sign-in as {thing} failed")},
	{"auth.sign_out", N_("{who} signed out")},
	{"category.create", N_("{who} made the category {thing}")},
	{"category.update", N_("{who} changed the category {thing}")},
	{"category.delete", N_("{who} deleted the category {thing}")},
	{"event.create", N_("{who} made the event {thing}")},
	{"event.update", N_("{who} changed the event {thing}")},
	{"event.publish", N_("{who} published the event {thing}")},
	{"event.unpublish", N_("{who} took the event {thing} back to draft")},
	{"event.delete", N_("{who} deleted the event {thing}")},
	{"series.create", N_("{who} made the series {thing}")},
	{"series.update", N_("{who} changed the series {thing}")},
	{"series.publish", N_("{who} published the series {thing}")},
	{"series.unpublish", N_("{who} took the series {thing} back to draft")},
	{"series.delete", N_("{who} deleted the series {thing}")},
	{"organisation.create", N_("{who} added the organisation {thing}")},
	{"organisation.update", N_("{who} changed the organisation {thing}")},
	{"organisation.delete", N_("{who} deleted the organisation {thing}")},
	{"post.create", N_("{who} wrote the post {thing}")},
	{"post.update", N_("{who} changed the post {thing}")},
	{"post.publish", N_("{who} published the post {thing}")},
	{"post.unpublish", N_("{who} unpublished the post {thing}")},
	{"post.delete", N_("{who} deleted the post {thing}")},
	{"mail.retry", N_("{who} sent the message {thing} again")},
	{"media.remove", N_("{who} removed the unused image {thing}")},
	{"record.delete", N_("{who} deleted {thing}")},
	{"settings.update", N_("{who} changed the site settings")},
};

/* The thing's name in the entry: its title, name or e-mail after the
 * change, else before it (a deletion); NULL when it names none. */
static const char *thing_name(json_t *row, json_t *before, json_t *after)
{
	static const char *const keys[] = {"title", "name", "subject", "email", "file", "slug"};
	const char *n = json_string_value(json_object_get(row, "account_name"));
	if (n)
		return n;
	for (size_t k = 0; k < HM_ARRAY_LEN(keys); k++) {
		const char *v = json_string_value(json_object_get(after, keys[k]));
		if (!v)
			v = json_string_value(json_object_get(before, keys[k]));
		if (v && *v)
			return v;
	}
	return NULL;
}

/* The admin page of the thing, where there is one (a thing deleted has
 * none). */
static json_t *thing_url(const char *entity, const char *action, json_int_t id, json_t *before,
			 json_t *after)
{
	const char *slug = json_string_value(json_object_get(after, "slug"));
	if (!slug)
		slug = json_string_value(json_object_get(before, "slug"));
	if (str_ends_with(action, ".delete") || str_eq(action, "media.remove"))
		return json_null();
	if (str_eq(entity, "account") && id)
		return json_sprintf("/admin/accounts/%lld", (long long)id);
	if (str_eq(entity, "mail") && id)
		return json_sprintf("/admin/outbox/%lld", (long long)id);
	if (str_eq(entity, "post") && id)
		return json_sprintf("/admin/news/%lld/edit", (long long)id);
	if (str_eq(entity, "category") && id)
		return json_sprintf("/admin/categories/%lld/edit", (long long)id);
	if (str_eq(entity, "settings"))
		return json_string("/admin/settings");
	if (slug && (str_eq(entity, "event") || str_eq(entity, "series") ||
		     str_eq(entity, "organisation")))
		return json_sprintf("/admin/%s/%s/edit",
				    str_eq(entity, "event") ? "events"
				    : str_eq(entity, "series") ? "series"
							       : "organisations",
				    slug);
	return json_null();
}

/* Adds to an entry: who (the actor's name, and who_url), thing (and
 * thing_url), summary (the sentence as text) and sentence, its pieces in
 * order ([{text}, {is_who}, {is_thing}]) for the page to link. */
static void audit_sentence(struct http_req *req, json_t *row, json_t *before, json_t *after)
{
	const char *action = json_string_value(json_object_get(row, "action"));
	const char *entity = json_string_value(json_object_get(row, "entity"));
	const char *actor = json_string_value(json_object_get(row, "actor"));
	json_int_t id = json_integer_value(json_object_get(row, "entity_id"));
	json_int_t actor_id = json_integer_value(json_object_get(row, "actor_account_id"));
	const char *who = json_string_value(json_object_get(row, "actor_name"));
	if (!who)
		who = str_eq(actor, "cli")	  ? web_t(req, "The command line")
		      : str_eq(actor, "system") ? web_t(req, "The server")
						: actor;
	const char *thing = thing_name(row, before, after);
	if (!thing)
		thing = id ? arena_printf(&req->pool, "%s %lld", entity, (long long)id) : entity;
	const char *msgid = NULL;
	for (size_t i = 0; i < HM_ARRAY_LEN(sentences) && !msgid; i++)
		if (str_eq(sentences[i].action, action))
			msgid = sentences[i].msgid;
	const char *text = msgid ? web_t(req, msgid)
				 : arena_printf(&req->pool, "{who} · %s · {thing}", action);
	json_t *pieces = json_array();
	struct buf sum;
	buf_init(&sum);
	buf_puts(&sum, "");
	for (const char *p = text; *p;) {
		const char *w = strstr(p, "{who}"), *t = strstr(p, "{thing}");
		const char *next = w && (!t || w < t) ? w : t;
		size_t n = next ? (size_t)(next - p) : strlen(p);
		if (n) {
			json_array_append_new(pieces, json_pack("{s:s%}", "text", p, n));
			buf_append(&sum, p, n);
		}
		if (!next)
			break;
		int is_who = next == w;
		json_array_append_new(pieces, json_pack("{s:b, s:b}", "is_who", is_who, "is_thing",
							!is_who));
		buf_puts(&sum, is_who ? who : thing);
		p = next + (is_who ? 5 : 7);
	}
	json_object_set_new(row, "who", json_string(who));
	json_object_set_new(row, "who_url", actor_id ? json_sprintf("/admin/accounts/%lld",
								    (long long)actor_id)
						     : json_null());
	json_object_set_new(row, "thing", json_string(thing));
	json_object_set_new(row, "thing_url", thing_url(entity, action, id, before, after));
	/* Kept for clients of the first version of this answer. */
	json_object_set_new(row, "entity_url", json_incref(json_object_get(row, "thing_url")));
	json_object_set_new(row, "summary", json_string(sum.data));
	json_object_set_new(row, "sentence", pieces);
	json_object_del(row, "actor_name");
	json_object_del(row, "account_name");
	buf_free(&sum);
}

static enum hm_err page_audit(struct http_req *req, struct http_res *res)
{
	struct audit_filter fl = {
		.entity = site_query_opt(req, "entity"),
		.actor = site_query_opt(req, "actor"),
		.action = site_query_opt(req, "action"),
		.from = site_query_opt(req, "from"),
		.to = site_query_opt(req, "to"),
	};
	const char *eid = site_query_opt(req, "entity_id");
	int page = web_page_param(req);
	if (!page)
		return http_fail(res, HM_EINVAL, "The page number must be a whole number from 1.");
	if ((fl.from && !text_date_valid(fl.from)) || (fl.to && !text_date_valid(fl.to)))
		return http_fail(res, HM_EINVAL, "Enter a date as YYYY-MM-DD.");
	if (eid) {
		int64_t n;
		if (!text_int_parse(eid, &n) || n <= 0)
			return http_fail(res, HM_EINVAL,
					 "The entity number must be a whole number from 1.");
		fl.entity_id = n;
	}
	if (fl.actor) {
		/* Accounts are recorded by their normalised e-mail. */
		char norm[AUTH_EMAIL_MAX + 1];
		if (auth_email_normalise(fl.actor, norm) == HM_OK)
			fl.actor = arena_strdup(&req->pool, norm);
	}
	json_t *filters = json_object();
	struct {
		const char *key, *value;
	} shown[] = {{"entity", fl.entity}, {"entity_id", eid}, {"actor", fl.actor},
		     {"action", fl.action}, {"from", fl.from}, {"to", fl.to}};
	struct buf base;
	char sep = '?';
	buf_init(&base);
	buf_puts(&base, "/admin/audit");
	for (size_t i = 0; i < HM_ARRAY_LEN(shown); i++) {
		if (!shown[i].value)
			continue;
		json_object_set_new(filters, shown[i].key, json_string(shown[i].value));
		buf_printf(&base, "%c%s=", sep, shown[i].key);
		sep = '&';
		url_encode(&base, shown[i].value);
	}
	/* Whole days: from its first second to the last second of "to". */
	if (fl.from)
		fl.from = arena_printf(&req->pool, "%sT00:00:00Z", fl.from);
	if (fl.to)
		fl.to = arena_printf(&req->pool, "%sT23:59:59Z", fl.to);

	int64_t total = 0;
	json_t *rows = json_array();
	if (db_begin_read(req->db) != HM_OK) {
		json_decref(rows);
		json_decref(filters);
		buf_free(&base);
		return HM_EDB;
	}
	struct db_stmt *st = audit_prep(req->db, SQL_AUDIT_COUNT);
	if (st) {
		bind_filter(st, &fl);
		if (db_step(st) == 1)
			total = db_col_int(st, 0);
		db_done(st);
	}
	if ((st = audit_prep(req->db, SQL_AUDIT_PAGE))) {
		int i = bind_filter(st, &fl);
		db_bind_int(st, i++, SITE_PER_PAGE);
		db_bind_int(st, i, (int64_t)(page - 1) * SITE_PER_PAGE);
		json_decref(rows);
		rows = db_rows_json(st);
	}
	json_t *entities = db_rows_json(audit_prep(req->db, SQL_AUDIT_ENTITIES));
	db_rollback(req->db);

	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *b = json_string_value(json_object_get(row, "before_json"));
		const char *a = json_string_value(json_object_get(row, "after_json"));
		json_t *before = b ? json_loads(b, JSON_DECODE_ANY, NULL) : NULL;
		json_t *after = a ? json_loads(a, JSON_DECODE_ANY, NULL) : NULL;
		json_object_set_new(row, "changes",
				    req->want_json ? site_audit_changes(before, after)
						   : site_audit_changes_shown(req, before, after));
		audit_sentence(req, row, before, after);
		json_object_set_new(row, "before", before ? before : json_null());
		json_object_set_new(row, "after", after ? after : json_null());
		json_object_del(row, "before_json");
		json_object_del(row, "after_json");
		site_display_time(req, row, "at", "at_display");
	}
	json_t *entity_choices = json_array();
	json_array_foreach(entities, i, row) {
		const char *name = json_string_value(json_object_get(row, "entity"));
		json_array_append_new(entity_choices, json_pack("{s:s, s:b}", "name", name, "selected",
								str_eq(name, fl.entity)));
	}
	json_decref(entities);
	json_t *m = json_pack("{s:o, s:o, s:o}", "entries", rows, "filters", filters, "entities",
			      entity_choices);
	site_paging(m, page, total, base.data);
	buf_free(&base);
	site_section(req, m, "audit");
	http_res_page(res, m, "admin/audit", web_t(req, "Audit log"));
	return HM_OK;
}

const struct route audit_routes[] = {
	{GET, "/admin/audit", page_audit, WEB_NEEDS(AUTH_AUDIT_READ)},
	{GET, "/api/v1/audit", page_audit, WEB_JSON | WEB_NEEDS(AUTH_AUDIT_READ)},
	WEB_ROUTES_END,
};
