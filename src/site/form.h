/*
 * form.h — reading a submitted form (urlencoded, multipart, or a JSON
 * object for the API) against a declared table of fields: undeclared
 * fields are dropped, each value is checked for its kind, and the result
 * holds either typed-enough strings or one message per bad field, ready
 * for the template to show beside the field together with what was typed.
 */
#ifndef HM_FORM_H
#define HM_FORM_H

#include <jansson.h>
#include <stdint.h>

#include "http/http.h"

enum field_kind {
	FIELD_TEXT,      /* one line, no control characters */
	FIELD_MULTILINE, /* text with line breaks (Markdown) */
	FIELD_EMAIL,
	FIELD_PASSWORD,  /* never echoed back into the form */
	FIELD_SLUG,      /* [a-z0-9-], see slug_valid */
	FIELD_DATE,      /* YYYY-MM-DD */
	FIELD_DATETIME,  /* YYYY-MM-DDTHH:MM (a local time, from <input type=datetime-local>) */
	FIELD_INT,       /* whole number within [min, max] */
	FIELD_BOOL,      /* checkbox: present and not "0"/"false"/"off" means true */
	FIELD_URL,       /* http:// or https:// */
	FIELD_CHOICE,    /* one of choices */
	FIELD_TIMEZONE,  /* an IANA zone ICU knows */
	FIELD_COUNTRY,   /* ISO 3166-1 alpha-2, upper case */
	FIELD_FILE       /* a multipart file part */
};

struct field {
	const char *name;
	enum field_kind kind;
	int required;
	size_t max_len;              /* bytes; 0: 200 for one line, 100 000 for multiline */
	const char *const *choices;  /* FIELD_CHOICE: NULL-terminated */
	int64_t min, max;            /* FIELD_INT */
	const char *label;           /* for messages ("Title") — a msgid */
};

#define FORM_MAX_FIELDS 48

struct form_file {
	const char *filename, *content_type, *data;
	size_t len;
};

struct form {
	const struct field *fields;
	size_t n;
	const char *values[FORM_MAX_FIELDS]; /* NULL: absent (or empty, for optional fields) */
	const char *errors[FORM_MAX_FIELDS]; /* translated messages */
	struct form_file files[FORM_MAX_FIELDS];
	int nerrors;
	const char *csrf;   /* the "_csrf" field as sent */
	const char *error;  /* a message for the whole form (bad body…) */
	const char *lang;   /* the request's language, for the labels of the summary */
};

/* Reads the request body by its Content-Type and validates it. HM_OK when
 * every field is valid; HM_EINVAL when some are not (f->errors say which)
 * or the body is malformed (f->error). Strings live in req->pool. */
enum hm_err form_read(struct http_req *req, const struct field *fields, size_t n, struct form *f);

/* Every text field of an urlencoded or multipart body in order, repeated
 * names included (form_read keeps the first of each name only), in
 * req->pool; value_len is the value's length (a multipart value may hold
 * NUL bytes). An empty list for other bodies and for a body that cannot
 * be read. */
void form_pairs(struct http_req *req, struct kv_list *out);

/* The value of a declared field (NULL if absent or not declared). */
const char *form_get(const struct form *f, const char *name);
int64_t form_int(const struct form *f, const char *name, int64_t dflt);
int form_bool(const struct form *f, const char *name);

/* Adds a message to one field (for checks beyond its kind, e.g. a slug
 * already taken). */
void form_set_error(struct http_req *req, struct form *f, const char *name, const char *msgid);

/* {"values": {name: value…}, "errors": {name: message…}, "has_errors": bool,
 *  "error": message, "summary": [{field, href, label, message}…]} for
 *  templates and JSON answers: the summary lists each field's error in the
 *  form's order, linked to the field (href "#f-<name>", the id every form
 *  gives its fields). Passwords are never included. */
json_t *form_json(const struct form *f);
/* Adds to the summary of fj the error of a field beyond f's (a list field
 * sent as repeated checkboxes). */
void form_summary_add(json_t *fj, const char *field, const char *label, const char *message);

#endif
