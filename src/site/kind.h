/*
 * admin.h — what the admin pages and API of series, events and
 * organisations share (internal to src/web): labels of stored values, the
 * admin page frame and gates, reading a body that updates only what it
 * sends, the model of the shared form template, and struct adm_kind, the
 * table that lets one handler list, show, save, publish and delete every
 * kind.
 */
#ifndef HM_WEB_ADMIN_H
#define HM_WEB_ADMIN_H

#include <jansson.h>

#include "auth/auth.h"
#include "features/events/events_admin.h"
#include "site/form.h"
#include "site/web.h"

/* ------------------------------------------------------ labels (admin.c) */

/* The translated label of a stored value ("ngo" → "NGO"); key itself when
 * it has none. */
const char *adm_label(struct http_req *req, const char *key);
/* [{value, label}…] for a NULL-terminated list of stored values. */
json_t *adm_options(struct http_req *req, const char *const *list);
/* Adds status_label, status_class (for the badge) and is_<status>. */
void adm_decorate_status(struct http_req *req, json_t *o);
int adm_count_status(const json_t *rows, const char *status);

/* ------------------------------------------------- page frame (admin.c) */

/* Finishes an admin page: private, with the admin navigation marking
 * section, the CSRF token for its forms, and a notice from ?done=. */
enum hm_err adm_page(struct http_req *req, struct http_res *res, json_t *m, const char *tpl,
		     const char *title, const char *section);
/* Admins and organisers only; others get web_require's answer (the
 * sign-in page for a visitor, 403 for a participant). */
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


/* ---------------------------------------------------- input (admin_form.c) */

/* What a form or JSON body sent beyond its declared fields: which keys
 * were present (so an update changes only those) and the sectors, which
 * come as repeated checkboxes or a JSON array. */
struct adm_input {
	struct form f;
	json_t *present; /* {key: true} */
	json_t *sectors; /* array, or NULL when not sent */
	const char *sectors_error;
};

void adm_input_free(struct adm_input *in);
/* Reads a body against fields. partial: an update, where absent fields
 * stay as they are (their "required" errors are dropped). HM_EINVAL when
 * some field is bad. */
enum hm_err adm_input_read(struct http_req *req, const struct field *fields, size_t n,
			   int partial, struct adm_input *in);
/* The declared fields that were sent, as {name: value or null}, plus the
 * sectors when sent. Caller owns it. */
json_t *adm_input_json(const struct adm_input *in);
/* Puts the domain's messages beside their fields (or over the form). */
void adm_input_errors(struct http_req *req, struct adm_input *in,
		      const struct admin_errors *errs);
/* {values, errors, has_errors, error} with the sectors. Caller owns it. */
json_t *adm_input_form_json(const struct adm_input *in);
/* The form model of a stored thing: its fields as strings. */
json_t *adm_values_of(const json_t *thing, const struct field *fields, size_t n);

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

/* The fieldsets of a form for the shared template: each field with its
 * value and error from fj, and its options from options[name]. Caller
 * owns it. */
json_t *adm_fieldsets(struct http_req *req, const char *const *legends, size_t nlegends,
		      const struct adm_widget *w, size_t nw, const struct field *fields, size_t nf,
		      const json_t *fj, const json_t *options);

/* ------------------------------------------------------ kinds (admin.c) */

/* One kind of thing the admin edits (series, event, organisation): how
 * it is read, seen, edited and shown, so that the handlers below serve
 * every kind alike. */
struct adm_kind {
	const char *key;          /* the API list's key: "series", "events"… */
	const char *missing;      /* the 404 message (a msgid) */
	const char *admin_path;   /* "/admin/series" */
	const char *api_path;     /* "/api/v1/series" */
	const char *done_created; /* the ?done= notice after creating one */
	const struct field *fields;
	size_t nfields;
	enum auth_action edit_action;
	json_t *(*list)(struct db *db);
	json_t *(*get)(struct db *db, const char *slug);
	/* Who may see one; NULL: everyone. */
	int (*visible)(const struct principal *p, const json_t *t);
	void (*scope)(const json_t *t, struct auth_scope *out);
	/* Trims one for the API as p may see it. */
	void (*api_item)(const struct principal *p, json_t *t);
	/* Loads the one of the path for editing; NULL: get, visible (else
	 * 404) and edit_action in its scope (else web_require's answer). */
	enum hm_err (*for_edit)(struct http_req *req, struct http_res *res, json_t **out);
	/* The gate of a creation beyond the route's flags; NULL: none. */
	enum hm_err (*may_create)(struct http_req *req, struct http_res *res);
	/* Input beyond the fields (an uploaded logo); NULL: none. */
	void (*input_extra)(struct http_req *req, struct adm_input *in);
	enum hm_err (*create)(struct db *db, const struct principal *p, const json_t *in,
			      int64_t now, json_t **out, struct admin_errors *errs);
	enum hm_err (*update)(struct db *db, const struct principal *p, const char *slug,
			      const json_t *in, int64_t now, json_t **out,
			      struct admin_errors *errs);
	enum hm_err (*set_status)(struct db *db, const struct principal *p, const char *slug,
				  const char *status, int64_t now);
	/* Why one cannot be deleted (admin_event_keep…), and deleting it. */
	enum hm_err (*keep)(struct db *db, const json_t *t, struct admin_keep_why *why);
	enum hm_err (*remove)(struct db *db, const struct principal *p, const char *slug,
			      int64_t now, struct admin_keep_why *why);
	/* The form page, new (t NULL) or edit, with fj (stolen) as its values. */
	enum hm_err (*form_page)(struct http_req *req, struct http_res *res, json_t *t,
				 json_t *fj);
};


/* Loads the thing of the path ({slug}) for editing; *out is the caller's. */
enum hm_err adm_for_edit(struct http_req *req, struct http_res *res, const struct adm_kind *k,
			 json_t **out);
/* GET …/{slug}/edit: the form with the stored values. */
enum hm_err adm_edit_page(struct http_req *req, struct http_res *res, const struct adm_kind *k);
/* POST to the list (create) or to …/{slug} (update), and the API's POST
 * and PATCH: 303 to the edit page, or the thing as JSON (201 with its
 * Location when created); the form again with its errors (400, 409). */
enum hm_err adm_save(struct http_req *req, struct http_res *res, const struct adm_kind *k);
/* POST …/{slug}/publish and the like: sets status, then back to the edit
 * page with ?done=done, or {slug, status}. */
enum hm_err adm_set_status(struct http_req *req, struct http_res *res, const struct adm_kind *k,
			   const char *status, const char *done);
/* POST …/{slug}/delete and the API's DELETE: admins only; 303 to the list
 * with ?done=deleted, or 204; 409 saying what keeps it. */
enum hm_err adm_delete(struct http_req *req, struct http_res *res, const struct adm_kind *k);
/* GET /api/v1/<kind>: {key: [what p may see]}. */
enum hm_err adm_api_list(struct http_req *req, struct http_res *res, const struct adm_kind *k);
/* GET /api/v1/<kind>/{slug}: the thing (api_item applied), or view(thing)
 * when view is not NULL (view consumes it); 404 when p may not see it. */
enum hm_err adm_api_get(struct http_req *req, struct http_res *res, const struct adm_kind *k,
			json_t *(*view)(json_t *t));

#endif
