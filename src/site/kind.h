/*
 * kind.h — one kind of thing organisers edit (a series, an event, an
 * organisation…), described once by a struct kind: its fields and form,
 * how it is read and who may see and change it, its rules, how it is
 * stored, audited and deleted, and its addresses. The handlers and the
 * writes below serve every kind alike (kind.c, kind_form.c, kind_store.c);
 * a feature declares its kinds and routes to these handlers.
 */
#ifndef HM_SITE_KIND_H
#define HM_SITE_KIND_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "auth/auth.h"
#include "site/form.h"
#include "site/web.h"

struct db;

/* --------------------------------------------------------- field errors */

#define FIELD_ERRORS_MAX 32

/* What was wrong with the input, as the domain says it: one msgid per
 * field (field names are the input's keys; "" for the whole form). */
struct field_errors {
	int n;
	struct {
		char field[40];
		const char *msgid;
	} items[FIELD_ERRORS_MAX];
};

/* Adds a refusal for field, unless it has one (or there is no room). */
void field_error_add(struct field_errors *e, const char *field, const char *msgid);
/* The msgid for field, or NULL. */
const char *field_error_get(const struct field_errors *e, const char *field);

/* ---------------------------------------------------------- vocabulary */

/* The label of a stored value ("ngo" → "NGO", plural "NGOs"), as msgids. */
struct vocab {
	const char *key, *label, *plural;
};

/* ------------------------------------------------------ labels (kind.c) */

/* The translated label of a stored value ("ngo" → "NGO"), from the site's
 * statuses and the features' vocabularies; key itself when it has none. */
const char *adm_label(struct http_req *req, const char *key);
/* The same, plural ("Corporations") when plural is non-zero. */
const char *adm_label_n(struct http_req *req, const char *key, int plural);
/* [{value, label}…] for a NULL-terminated list of stored values. */
json_t *adm_options(struct http_req *req, const char *const *list);
/* The countries for a <select>, named in the reader's language and in its
 * order, after "— No country —" (value ""). Caller owns it. */
json_t *adm_country_options(struct http_req *req);
/* Adds status_label, status_class (for the badge) and is_<status>. */
void adm_decorate_status(struct http_req *req, json_t *o);
int adm_count_status(const json_t *rows, const char *status);

/* ------------------------------------------------- page frame (admin.c) */

/* Finishes an admin page: private, with the admin navigation marking
 * section, the CSRF token for its forms, and a notice from ?done=. */
enum hm_err adm_page(struct http_req *req, struct http_res *res, json_t *m, const char *tpl,
		     const char *title, const char *section);
/* Admins and organisers only; others get web_require's answer (the
 * sign-in page for a visitor, 403 for a participant). For a check inside
 * a handler; a route says WEB_STAFF. */
enum hm_err adm_gate_staff(struct http_req *req, struct http_res *res);
/* Answers a JSON call with model (stolen) and status. */
enum hm_err adm_api_answer(struct http_res *res, int status, json_t *model);
/* GET answers that depend on who asks: visitors share the page cache,
 * anything seen by a signed-in principal is private. */
void adm_api_cache(struct http_req *req, struct http_res *res);
/* A domain refusal as an answer. */
enum hm_err adm_domain_fail(struct http_res *res, enum hm_err e);
/* {values: {}, errors: {}, has_errors: false}: a form not yet sent. */
json_t *adm_empty_form(void);


/* ------------------------------------------------- input (kind_form.c) */

/* What a form or JSON body sent beyond its declared fields: which keys
 * were present (so an update changes only those) and the kind's list
 * field (the sectors of an event), which comes as repeated checkboxes or
 * a JSON array. */
struct adm_input {
	struct form f;
	json_t *present;  /* {key: true} */
	const char *list_field; /* its name, or NULL */
	json_t *list;     /* array, or NULL when not sent */
	json_t *extra;    /* the kind's json_extra keys a JSON body sent, or NULL */
	const char *const *json_extra;
	json_t *extra_errors; /* {key: message} of the json_extra keys, or NULL */
	const char *list_error;
};

void adm_input_free(struct adm_input *in);
/* Reads a body against fields. json_extra (NULL-terminated, or NULL):
 * keys a JSON body may give any JSON value (lists, objects), passed on
 * as sent. partial: an update, where absent fields stay as they are
 * (their "required" errors are dropped). HM_EINVAL when some field is
 * bad. */
enum hm_err adm_input_read(struct http_req *req, const struct field *fields, size_t n,
			   const char *list_field, const char *const *json_extra, int partial,
			   struct adm_input *in);
/* The declared fields that were sent, as {name: value or null}, plus the
 * list field and the json_extra keys when sent. Caller owns it. */
json_t *adm_input_json(const struct adm_input *in);
/* Puts the domain's messages beside their fields (or over the form). */
void adm_input_errors(struct http_req *req, struct adm_input *in,
		      const struct field_errors *errs);
/* {values, errors, has_errors, error} with the list field. Caller owns it. */
json_t *adm_input_form_json(const struct adm_input *in);
/* The form model of a stored thing: its fields as strings, and its list
 * field (NULL: none). */
json_t *adm_values_of(const json_t *thing, const struct field *fields, size_t n,
		      const char *list_field);

enum adm_widget_kind { W_INPUT, W_TEXTAREA, W_SELECT, W_CHECKBOXES, W_FILE };

/* How one field is shown: its label and hint (msgids), widget, and the
 * fieldset it belongs to. */
struct adm_widget {
	const char *name;
	const char *label;
	const char *hint;
	enum adm_widget_kind kind;
	const char *type; /* W_INPUT: text, date, email, number, url */
	int fieldset;
	int required; /* shown as required though the API may leave it out (a default applies) */
};

/* "At most 200 characters." (the field descriptor's max_len), in the
 * request's language, said beside a field. */
const char *adm_limit_text(struct http_req *req, size_t max_len);
/* The fieldsets of a form for the shared template: each field with its
 * value and error from fj, and its options from options[name]. Caller
 * owns it. */
json_t *adm_fieldsets(struct http_req *req, const char *const *legends, size_t nlegends,
		      const struct adm_widget *w, size_t nw, const struct field *fields, size_t nf,
		      const json_t *fj, const json_t *options);

/* -------------------------------------------------------------- kinds */

/* One thing that keeps a row from being deleted: its status being status,
 * or (status NULL) count_sql, bound to its id, counting more than 0. The
 * reason as msgids: one (with %lld for the count, when there is one) and
 * many (NULL: the same); why is the feature's own number for it. A list of
 * rules ends with one whose one is NULL. */
struct kind_keep_rule {
	int why;
	const char *status;
	const char *count_sql;
	const char *one, *many;
};

/* Why one cannot be deleted: the rule that keeps it (NULL: it may be
 * deleted) and the count it speaks of (1 for a status). */
struct kind_keep_why {
	const struct kind_keep_rule *rule;
	int64_t n;
};

/* A status change a kind refuses: from status from (a new one counts as
 * in its defaults' status) to status to, with the sentence that says why
 * (a msgid). A list of rules ends with one whose from is NULL. */
struct kind_status_rule {
	const char *from, *to;
	const char *why;
};

/* One table's rows that go to the trash with a thing and come back with
 * it: select_sql (bound to the thing's id) reads them as they are,
 * insert_sql puts one back with the values of cols bound in that order.
 * The first part of a kind is the thing's own row; its "id" column is
 * bound to the id it comes back with. In the other parts, the column fk
 * holds the thing's id; their insert_sql adds nothing that names a row
 * gone since (INSERT … SELECT … WHERE it exists). A list ends with one
 * whose key is NULL. */
struct kind_part {
	const char *key;
	const char *select_sql;
	const char *insert_sql;
	const char *const *cols;
	const char *fk;
};

struct kind {
	/* ---- addresses and answers */
	const char *key;          /* the API list's key: "series", "events"… */
	const char *entity;       /* of the audit entry: "series", "event", "organisation" */
	const char *missing;      /* the 404 message (a msgid) */
	const char *admin_path;   /* "/admin/series" */
	const char *api_path;     /* "/api/v1/series" */
	const char *done_created; /* the ?done= notice after creating one */
	/* What addresses one in the paths and the reads (get, snapshot):
	 * "slug" (NULL) or "id", the path parameter of that name. */
	const char *param;
	/* Where a form that saved goes: NULL, the thing's edit page with a
	 * notice; else this path (its list). */
	const char *saved_to;
	/* Where a status change goes when its buttons are on the list (the
	 * news list's Publish): this path with ?done=…&<entity>=<key>, and
	 * its JSON answer is the thing (api_item) rather than {slug, status};
	 * NULL: the edit page. */
	const char *status_to;
	/* ---- input: the declared fields, and one field sent as a list */
	const struct field *fields;
	size_t nfields;
	const char *list_field;
	/* Keys a JSON body may give as lists or objects (a session's
	 * "people"), passed to merge and take_extra as sent; NULL: none. */
	const char *const *json_extra;
	/* ---- reads */
	json_t *(*list)(struct db *db);
	json_t *(*get)(struct db *db, const char *slug);
	/* The thing as stored, for audit entries and answers. */
	json_t *(*snapshot)(struct db *db, const char *slug);
	/* ---- rights */
	enum auth_action edit_action;
	/* Who may see one; NULL: everyone. */
	int (*visible)(const struct principal *p, const json_t *t);
	void (*scope)(const json_t *t, struct auth_scope *out);
	/* 1 if p may change before (as snapshot gives it). */
	int (*may_edit)(struct db *db, const struct principal *p, const json_t *before);
	/* 1 if p may create one; NULL: decided by resolve. */
	int (*may_create)(const struct principal *p);
	/* The web's gate of a creation beyond the route's flags (answering
	 * as web_require does); NULL: none. */
	enum hm_err (*may_create_web)(struct http_req *req, struct http_res *res);
	/* Loads the one of the path for editing; NULL: get, visible (else
	 * 404) and edit_action in its scope (else web_require's answer). */
	enum hm_err (*for_edit)(struct http_req *req, struct http_res *res, json_t **out);
	/* ---- rules and writes */
	const char *const *statuses; /* for a status change */
	/* The field that says when a published one appears (a post's
	 * "published_at": later than now, it is scheduled); kind_publish_now
	 * sets it to now. NULL: it appears when published. */
	const char *publish_at;
	/* The changes of status refused (a draft is never cancelled into
	 * public view); NULL: none. */
	const struct kind_status_rule *status_rules;
	/* The record after a change: cur with the keys of in that the rules
	 * declare laid over it. Caller owns the result. */
	json_t *(*merge)(const json_t *cur, const json_t *in);
	/* What a new one starts from. */
	json_t *(*defaults)(void);
	/* Takes what in sends beyond the rules' fields into m; NULL: nothing. */
	void (*take_extra)(json_t *m, const json_t *in);
	/* Fills in what a change implies at its time now (a post published
	 * without a date is published now); NULL: nothing. */
	void (*complete)(json_t *m, const json_t *before, int64_t now);
	/* The field checks: the number of errors added. */
	int (*check)(const json_t *m, struct field_errors *errs);
	/* Reconciles m (an update) with a change someone saved since its
	 * editor read before: may take their values into m, or add errors
	 * and return HM_ECONFLICT (nothing is saved). NULL: the last save
	 * wins. */
	enum hm_err (*settle)(struct db *db, const json_t *before, json_t *m,
			      struct field_errors *errs);
	/* Looks up what m refers to and checks the right to refer to it: *ref
	 * is its id for write. May add errors and return HM_OK; NULL: none. */
	enum hm_err (*resolve)(struct db *db, const struct principal *p, const json_t *before,
			       const json_t *m, int64_t *ref, struct field_errors *errs);
	/* The address: a chosen slug must be free (slug_taken_sql: slug, id),
	 * a missing one is made from the field slug_from. NULL: it has no
	 * slug (a session is its id alone). */
	const char *slug_taken_sql;
	const char *slug_from;
	const char *slug_taken_msg;
	/* Its public address as the table of old addresses keeps it (the
	 * slug, kind_address_slug; a post's "yyyy/mm/dd/slug"), written to
	 * buf, or NULL when it has none yet. When it changes, kind_save keeps
	 * the old one (old_address.h) and kind_delete forgets them all. NULL:
	 * the kind keeps no old addresses. */
	const char *(*address)(const json_t *t, char *buf, size_t n);
	/* Its key (kind_key) by its id, for the 301 from an old address of
	 * its API item and edit page (bound to the id); NULL: none. */
	const char *key_by_id_sql;
	/* Stores m as row id (0: a new one); *id_out is its id. */
	enum hm_err (*write)(struct db *db, const json_t *m, int64_t ref, int64_t id,
			     const char *ts, int64_t *id_out);
	/* The audit action (before is NULL for a creation). */
	const char *(*action)(const json_t *before, const json_t *after);
	/* Who may delete one (before as snapshot gives it); NULL: admins only
	 * (AUTH_RECORD_DELETE). */
	int (*may_delete)(struct db *db, const struct principal *p, const json_t *before);
	/* ---- deleting: the statement (bound to the id), the
	 * audit action, what keeps one, and the rows that go with it, kept in
	 * the audit entry under gone_key (NULL: none) as gone_sql finds them */
	const char *delete_sql;
	const char *delete_action;
	const struct kind_keep_rule *keep;
	const char *gone_key;
	const char *gone_sql;
	/* What a deletion keeps in the trash (src/site/trash.c), restorable
	 * for TRASH_DAYS; NULL: a deletion is final. */
	const struct kind_part *trash;
	/* Who may restore one from the trash (t as it was deleted: its row is
	 * gone, so rights that read it cannot be asked); NULL: may_delete. */
	int (*may_restore)(struct db *db, const struct principal *p, const json_t *t);
	/* The field that names its uploaded image, kept while it is in the
	 * trash; NULL: none. */
	const char *media_field;
	/* ---- what people read: the field that names one ("title"), and
	 * where its public page is: public_path + "/" + its address (NULL:
	 * it has none) */
	const char *name_field;
	const char *public_path;
	/* ---- the web */
	/* Trims one for the API as the request's principal may see it. */
	void (*api_item)(struct http_req *req, json_t *t);
	/* Input beyond the fields (an uploaded logo); NULL: none. */
	void (*input_extra)(struct http_req *req, struct adm_input *in);
	/* The form page, new (t NULL) or edit, with fj (stolen) as its values
	 * (and, when the form asked for one, its "preview"). */
	enum hm_err (*form_page)(struct http_req *req, struct http_res *res, json_t *t,
				 json_t *fj);
	/* What a form sent, as the public would read it: a form that sends
	 * "preview" is shown again with this beside it, and nothing is saved
	 * (a page of its own, not a draft). NULL: no preview. */
	json_t *(*preview)(struct http_req *req, const struct form *f);
	/* The fields that take versions in other languages (translations.h);
	 * NULL: none. */
	const struct translatable *tr;
};

/* The path parameter that names one: "slug" or "id". */
static inline const char *kind_param(const struct kind *k)
{
	return k->param ? k->param : "slug";
}

/* The key of t in k's paths and reads: its id (written into buf) for a
 * kind addressed by id, else its slug. */
static inline const char *kind_key(const struct kind *k, const json_t *t, char buf[24])
{
	if (k->param && k->param[0] == 'i') {
		snprintf(buf, 24, "%lld", (long long)json_integer_value(json_object_get(t, "id")));
		return buf;
	}
	return json_string_value(json_object_get(t, "slug"));
}

/* ---------------------------------------------------- writes (kind_store.c) */

/* The address of a kind addressed by its slug: the slug. */
const char *kind_address_slug(const json_t *t, char *buf, size_t n);

/* Creates (slug NULL) or updates the thing (slug: its key, as kind_key
 * gives it): checks the right, merges in
 * over what is stored (or the defaults), checks, settles the slug,
 * writes, audits, all in one transaction. *out (optional) is the thing
 * as stored.
 *   HM_EINVAL     in is not an object, or errs says what is wrong
 *   HM_EEXIST     the chosen address is taken (errs says so)
 *   HM_ECONFLICT  a change of status k->status_rules refuse (errs says
 *                 why, on "status")
 *   HM_ENOTFOUND  no such slug;  HM_EFORBIDDEN  p may not
 *   HM_EDB        the database failed (nothing changed) */
enum hm_err kind_save(const struct kind *k, struct db *db, const struct principal *p,
		      const char *slug, const json_t *in, int64_t now, json_t **out,
		      struct field_errors *errs);
/* Why k refuses a change from status from to status to (a msgid), or
 * NULL when it takes it. */
const char *kind_status_refused(const struct kind *k, const char *from, const char *to);
/* kind_save of {"status": "published"} with k->publish_at set to now, to
 * the minute: a scheduled one (or a draft) appears at once, whatever time
 * it had. */
enum hm_err kind_publish_now(const struct kind *k, struct db *db, const struct principal *p,
			     const char *slug, int64_t now);
/* kind_save of {"status": status}; HM_EINVAL for a status not in
 * k->statuses, HM_ECONFLICT for a change k->status_rules refuse
 * (kind_status_refused says why). One already in that status stays as
 * it is, with nothing written or recorded. */
enum hm_err kind_set_status(const struct kind *k, struct db *db, const struct principal *p,
			    const char *slug, const char *status, int64_t now);
/* 1 if p may delete t (as k->snapshot gives it): k->may_delete, or an
 * administrator's right (AUTH_RECORD_DELETE). */
int kind_may_delete(const struct kind *k, struct db *db, const struct principal *p,
		    const json_t *t);
/* Why t (as k->snapshot gives it, with its "id") cannot be deleted. */
enum hm_err kind_keep(const struct kind *k, struct db *db, const json_t *t,
		      struct kind_keep_why *why);
/* Deletes the one with this slug: admins only (AUTH_RECORD_DELETE) or
 * whom k->may_delete admits, then
 * the keep rules (HM_ECONFLICT, *why says which), then the delete and its
 * audit entry with the row as it was and what goes with it, in one
 * transaction. */
enum hm_err kind_delete(const struct kind *k, struct db *db, const struct principal *p,
			const char *slug, int64_t now, struct kind_keep_why *why);
/* The same; a kind with a trash keeps what it deletes there, and
 * *trash_id (optional) is its entry (0: none). */
enum hm_err kind_delete_trash(const struct kind *k, struct db *db, const struct principal *p,
			      const char *slug, int64_t now, struct kind_keep_why *why,
			      int64_t *trash_id);

/* ------------------------------------------------ the trash (trash.c) */

/* How long a deleted thing can be restored, as WordPress keeps its trash. */
#define TRASH_DAYS 30

/* In a write transaction: keeps t (as k->snapshot gives it, with what
 * goes with it) and the rows of k->trash in the trash; *id its entry. */
enum hm_err trash_keep(const struct kind *k, struct db *db, const struct principal *p,
		       const json_t *t, int64_t now, int64_t *id);
/* Puts entry id of the trash back: the thing with the id it had (a new
 * one when that was taken since), what went with it and still can come
 * back, its old addresses; audited as "<entity>.restore". Whom the kind
 * lets delete it may restore it. *k_out and *out (optional): its kind and
 * the thing as stored.
 *   HM_ENOTFOUND  no such entry (or older than TRASH_DAYS)
 *   HM_EFORBIDDEN p may not;  HM_EEXIST  its address is taken since */
enum hm_err trash_restore(struct db *db, const struct principal *p, int64_t id, int64_t now,
			  const struct kind **k_out, json_t **out);
/* In a read transaction: [{id, entity, entity_id, name, deleted_at,
 * deleted_by, kind_label_key}…] of what p may restore, newest first.
 * NULL when a statement failed. */
json_t *trash_list(struct db *db, const struct principal *p, int64_t now);
/* Forgets what was deleted more than TRASH_DAYS before now. */
enum hm_err trash_purge(struct db *db, int64_t now);
/* The kind whose entity is entity, among the features' kinds; NULL. */
const struct kind *kind_by_entity(const char *entity);
/* The public address of t ("/events/shanghai-2012"), in buf, or NULL
 * when k has none or t has no address yet. */
const char *kind_public_url(const struct kind *k, const json_t *t, char *buf, size_t n);

/* ------------------------------------------------------- handlers (kind.c) */

/* The admin edit page of the thing key names, when the request's
 * principal may edit it (an organiser reading its public page); NULL for
 * everyone else, and at once for visitors, whose pages are shared. Reads
 * in a transaction of its own. */
const char *kind_edit_url(struct http_req *req, const struct kind *k, const char *key);

/* Loads the thing of the path ({slug}) for editing; *out is the caller's. */
enum hm_err adm_for_edit(struct http_req *req, struct http_res *res, const struct kind *k,
			 json_t **out);
/* GET …/{slug}/edit: the form with the stored values. */
enum hm_err adm_edit_page(struct http_req *req, struct http_res *res, const struct kind *k);
/* POST to the list (create) or to …/{slug} (update), and the API's POST
 * and PATCH: 303 to the edit page, or the thing as JSON (201 with its
 * Location when created); the form again with its errors (400, 409), or
 * with its preview (k->preview; 400 with errors), saving nothing. */
enum hm_err adm_save(struct http_req *req, struct http_res *res, const struct kind *k);
/* POST …/{slug}/publish and the like: sets status, then back to the edit
 * page (or k->status_to) with ?done=done, or {slug, status} (or the
 * thing). */
enum hm_err adm_set_status(struct http_req *req, struct http_res *res, const struct kind *k,
			   const char *status, const char *done);
/* POST …/{slug}/delete and the API's DELETE: admins only; 303 to the list
 * with ?done=deleted, or 204; 409 saying what keeps it. */
enum hm_err adm_delete(struct http_req *req, struct http_res *res, const struct kind *k);
/* The confirmation step of a deletion of t (site/confirm.h): what will
 * happen (its public page goes, its organisers lose their role, the trash
 * keeps it), or why it cannot be deleted (409), or 403. */
enum hm_err adm_delete_ask(struct http_req *req, struct http_res *res, const struct kind *k,
			   json_t *t);
/* The answer to a deletion: {deleted, trash_id, restore} (the API), or
 * 303 to the list with ?done=deleted&undo=<trash_id>. */
enum hm_err adm_deleted(struct http_req *req, struct http_res *res, const struct kind *k,
			int64_t trash_id);
/* The confirmation step of taking t back to draft; back: where "No" goes. */
enum hm_err adm_unpublish_ask(struct http_req *req, struct http_res *res, const struct kind *k,
			      const json_t *t, const char *back);
/* GET /api/v1/<kind>: {key: [what p may see]}. */
enum hm_err adm_api_list(struct http_req *req, struct http_res *res, const struct kind *k);
/* GET /api/v1/<kind>/{slug}: the thing (api_item applied), or view(thing)
 * when view is not NULL (view consumes it); 404 when p may not see it. */
enum hm_err adm_api_get(struct http_req *req, struct http_res *res, const struct kind *k,
			json_t *(*view)(json_t *t));

/* The same as route handlers, for the kind in the route's data
 * ({…, adm_h_save, WEB_STAFF | WEB_CSRF, &series_kind}), so a kind's
 * routes need no handlers of their own. publish and unpublish set the
 * status published and draft (taking back to draft asks first; cancelling
 * does too: the feature's own handler, which calls adm_set_status);
 * publish_now publishes at this minute (kind_publish_now). */
enum hm_err adm_h_edit(struct http_req *req, struct http_res *res);
enum hm_err adm_h_save(struct http_req *req, struct http_res *res);
enum hm_err adm_h_publish(struct http_req *req, struct http_res *res);
enum hm_err adm_h_unpublish(struct http_req *req, struct http_res *res);
/* POST …/{slug}/publish-now: kind_publish_now, answered as a publication. */
enum hm_err adm_h_publish_now(struct http_req *req, struct http_res *res);
enum hm_err adm_h_delete(struct http_req *req, struct http_res *res);
enum hm_err adm_h_api_list(struct http_req *req, struct http_res *res);
enum hm_err adm_h_api_get(struct http_req *req, struct http_res *res);

#endif
