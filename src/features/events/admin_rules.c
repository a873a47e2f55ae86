/*
 * admin_rules.c — the rules of series, events and organisations, with no
 * database: the stored vocabularies, field validation (the domain's own,
 * beneath the forms'), and who may see, edit and create what.
 */
#include "features/events/events_internal.h"

#include "core/text.h"
#include "media/media.h"
#include "view/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uloc.h>

/* ============================================================ vocabulary */

const char *const admin_event_kinds[] = {"consultation", "symposium", "other", NULL};
const char *const admin_event_statuses[] = {"draft", "published", "cancelled", NULL};
const char *const admin_series_statuses[] = {"draft", "published", NULL};
const char *const admin_sectors[] = {"government", "academia", "business", "ngo", "cultural",
				     "international", "media", "other", NULL};
const char *const admin_org_kinds[] = {"government", "academia", "business", "ngo", "cultural",
				       "international", "media", "other", NULL};
const char *const admin_org_roles[] = {"convener", "co-organiser", "partner", "sponsor", NULL};
const char *const admin_date_precisions[] = {"day", "month", NULL};

int admin_in_list(const char *const *list, const char *s)
{
	for (; s && list && *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* ================================================================ errors */


/* ============================================================ validators */

int admin_country_valid(const char *cc)
{
	if (!cc || strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z')
		return 0;
	/* ICU's list of ISO 3166 codes: it names "ZZ" and other reserved
	 * codes too ("Unknown Region"), so a display name is no test. */
	for (const char *const *c = uloc_getISOCountries(); c && *c; c++)
		if (strcmp(*c, cc) == 0)
			return 1;
	return 0;
}

int admin_url_valid(const char *url)
{
	const char *host;
	if (!url)
		return 0;
	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return 0;
	if (!*host || *host == '/' || strlen(url) > 1000)
		return 0;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || strchr("<>\"'`\\", *p))
			return 0;
	return 1;
}

enum rule_kind {
	RK_TEXT,      /* one line */
	RK_MULTILINE, /* Markdown or a paragraph */
	RK_SLUG,
	RK_REF,       /* the slug of another thing, looked up by the write */
	RK_DATE,
	RK_CHOICE,
	RK_TZ,
	RK_COUNTRY,
	RK_EMAIL,
	RK_INT,
	RK_URL,
	RK_MEDIA      /* the name of a stored image (an original, not a thumbnail) */
};

struct rule {
	const char *name;
	enum rule_kind kind;
	int required;
	size_t max;                 /* bytes */
	const char *const *choices; /* RK_CHOICE */
	int64_t min, max_int;       /* RK_INT */
};

static const struct rule event_rules[] = {
	{"title", RK_TEXT, 1, 200, NULL, 0, 0},
	{"slug", RK_SLUG, 0, SLUG_MAX, NULL, 0, 0},
	{"series", RK_REF, 0, SLUG_MAX, NULL, 0, 0},
	{"kind", RK_CHOICE, 1, 40, admin_event_kinds, 0, 0},
	{"theme", RK_TEXT, 0, 300, NULL, 0, 0},
	{"summary", RK_MULTILINE, 0, 2000, NULL, 0, 0},
	{"description_md", RK_MULTILINE, 0, 100000, NULL, 0, 0},
	{"region", RK_TEXT, 0, 200, NULL, 0, 0},
	{"city", RK_TEXT, 0, 200, NULL, 0, 0},
	{"country", RK_COUNTRY, 0, 2, NULL, 0, 0},
	{"venue", RK_TEXT, 0, 300, NULL, 0, 0},
	{"starts_on", RK_DATE, 1, 10, NULL, 0, 0},
	{"ends_on", RK_DATE, 1, 10, NULL, 0, 0},
	{"date_precision", RK_CHOICE, 1, 10, admin_date_precisions, 0, 0},
	{"timezone", RK_TZ, 1, 64, NULL, 0, 0},
	{"capacity", RK_INT, 0, 12, NULL, 0, 10000000},
	{"status", RK_CHOICE, 1, 20, admin_event_statuses, 0, 0},
	{"contact_name", RK_TEXT, 0, 200, NULL, 0, 0},
	{"contact_title", RK_TEXT, 0, 200, NULL, 0, 0},
	{"contact_org", RK_TEXT, 0, 200, NULL, 0, 0},
	{"contact_email", RK_EMAIL, 0, AUTH_EMAIL_MAX, NULL, 0, 0},
};

static const struct rule series_rules[] = {
	{"title", RK_TEXT, 1, 200, NULL, 0, 0},
	{"slug", RK_SLUG, 0, SLUG_MAX, NULL, 0, 0},
	{"summary", RK_MULTILINE, 0, 2000, NULL, 0, 0},
	{"organisation", RK_REF, 0, SLUG_MAX, NULL, 0, 0},
	{"status", RK_CHOICE, 1, 20, admin_series_statuses, 0, 0},
};

static const struct rule org_rules[] = {
	{"name", RK_TEXT, 1, 200, NULL, 0, 0},
	{"slug", RK_SLUG, 0, SLUG_MAX, NULL, 0, 0},
	{"acronym", RK_TEXT, 0, 40, NULL, 0, 0},
	{"kind", RK_CHOICE, 1, 40, admin_org_kinds, 0, 0},
	{"country", RK_COUNTRY, 0, 2, NULL, 0, 0},
	{"website", RK_URL, 0, 1000, NULL, 0, 0},
	{"description", RK_MULTILINE, 0, 20000, NULL, 0, 0},
	{"logo", RK_MEDIA, 0, MEDIA_NAME_SIZE, NULL, 0, 0},
};

static int has_controls(const char *s, int allow_newlines)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\t' || (allow_newlines && (*p == '\n' || *p == '\r')))
			continue;
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	}
	return 0;
}

/* The msgid for a bad value of rule r, NULL when it is fine. v is a
 * non-empty string (or, for RK_INT, may come as an integer). */
static const char *rule_check(const struct rule *r, const json_t *v)
{
	if (r->kind == RK_INT && json_is_integer(v)) {
		json_int_t n = json_integer_value(v);
		return n < r->min || n > r->max_int ? N_("This number is out of range.") : NULL;
	}
	const char *s = json_string_value(v);
	if (!s)
		return N_("This value is not text.");
	if (!utf8_valid(s, strlen(s)))
		return N_("The text is not valid UTF-8.");
	if (strlen(s) > r->max)
		return N_("This is too long.");
	switch (r->kind) {
	case RK_TEXT:
		return has_controls(s, 0) ? N_("Line breaks and control characters are not allowed here.")
					  : NULL;
	case RK_MULTILINE:
		return has_controls(s, 1) ? N_("Control characters are not allowed.") : NULL;
	case RK_SLUG:
	case RK_REF:
		return slug_valid(s) ? NULL : N_("Use lower-case letters, digits and single hyphens only.");
	case RK_DATE:
		return text_date_valid(s) ? NULL : N_("Enter a date as YYYY-MM-DD.");
	case RK_CHOICE:
		return admin_in_list(r->choices, s) ? NULL : N_("Choose one of the options.");
	case RK_TZ:
		return tz_valid(s) ? NULL : N_("Choose a known time zone, such as Asia/Shanghai.");
	case RK_COUNTRY:
		return admin_country_valid(s) ? NULL : N_("Enter a two-letter country code, such as CN.");
	case RK_EMAIL: {
		char norm[AUTH_EMAIL_MAX + 1];
		return auth_email_normalise(s, norm) == HM_OK
			       ? NULL
			       : N_("Enter an e-mail address such as name@example.org.");
	}
	case RK_INT: {
		int64_t n;
		if (!text_int_parse(s, &n))
			return N_("Enter a whole number.");
		return n < r->min || n > r->max_int ? N_("This number is out of range.") : NULL;
	}
	case RK_URL:
		return admin_url_valid(s) ? NULL
					  : N_("Enter an address starting with https:// or http://.");
	case RK_MEDIA:
		return media_name_is_original(s) && media_exists(s)
			       ? NULL
			       : N_("There is no uploaded image with this name.");
	}
	return NULL;
}

static int rules_check(const struct rule *rules, size_t n, const json_t *in,
		       struct field_errors *errs)
{
	int before = errs->n;
	for (size_t i = 0; i < n; i++) {
		const struct rule *r = &rules[i];
		json_t *v = json_object_get(in, r->name);
		int empty = !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v));
		if (empty) {
			if (r->required)
				field_error_add(errs, r->name, "This field is required.");
			continue;
		}
		const char *msg = rule_check(r, v);
		if (msg)
			field_error_add(errs, r->name, msg);
	}
	return errs->n - before;
}

int admin_event_check(const json_t *in, struct field_errors *errs)
{
	int before = errs->n;
	rules_check(event_rules, HM_ARRAY_LEN(event_rules), in, errs);
	const char *from = admin_sval(in, "starts_on"), *to = admin_sval(in, "ends_on");
	if (text_date_valid(from) && text_date_valid(to) && strcmp(to, from) < 0)
		field_error_add(errs, "ends_on", "The event cannot end before it starts.");
	json_t *sectors = json_object_get(in, "sectors");
	if (sectors && !json_is_null(sectors)) {
		size_t i, j;
		json_t *s, *t;
		if (!json_is_array(sectors))
			field_error_add(errs, "sectors", "Choose sectors from the list.");
		json_array_foreach(sectors, i, s) {
			if (!admin_in_list(admin_sectors, json_string_value(s))) {
				field_error_add(errs, "sectors", "Choose sectors from the list.");
				break;
			}
			json_array_foreach(sectors, j, t) {
				if (j < i && json_equal(s, t))
					field_error_add(errs, "sectors",
							"Choose each sector only once.");
			}
		}
	}
	return errs->n - before;
}

int admin_series_check(const json_t *in, struct field_errors *errs)
{
	return rules_check(series_rules, HM_ARRAY_LEN(series_rules), in, errs);
}

int admin_org_check(const json_t *in, struct field_errors *errs)
{
	return rules_check(org_rules, HM_ARRAY_LEN(org_rules), in, errs);
}

static const struct {
	const struct rule *rules;
	size_t n;
} rule_sets[] = {
	[RULES_EVENT] = {event_rules, HM_ARRAY_LEN(event_rules)},
	[RULES_SERIES] = {series_rules, HM_ARRAY_LEN(series_rules)},
	[RULES_ORG] = {org_rules, HM_ARRAY_LEN(org_rules)},
};

json_t *admin_merge(enum admin_rule_set set, const json_t *cur, const json_t *in)
{
	const struct rule *rules = rule_sets[set].rules;
	json_t *m = json_deep_copy(cur);
	for (size_t i = 0; i < rule_sets[set].n; i++) {
		json_t *v = json_object_get(in, rules[i].name);
		if (v)
			json_object_set(m, rules[i].name, v);
	}
	return m;
}

/* ================================================================ rights */

void admin_event_scope(const json_t *ev, struct auth_scope *out)
{
	memset(out, 0, sizeof(*out));
	out->event_id = json_integer_value(json_object_get(ev, "id"));
	out->series_id = json_integer_value(json_object_get(ev, "series_id"));
}

void admin_series_scope(const json_t *s, struct auth_scope *out)
{
	memset(out, 0, sizeof(*out));
	out->series_id = json_integer_value(json_object_get(s, "id"));
}

int admin_event_visible(const struct principal *p, const json_t *ev)
{
	struct auth_scope sc;
	if (!str_eq(admin_sval(ev, "status"), "draft"))
		return 1;
	admin_event_scope(ev, &sc);
	return auth_can(p, AUTH_DRAFT_READ, &sc);
}

int admin_series_visible(const struct principal *p, const json_t *s)
{
	struct auth_scope sc;
	if (str_eq(admin_sval(s, "status"), "published"))
		return 1;
	admin_series_scope(s, &sc);
	return auth_can(p, AUTH_DRAFT_READ, &sc);
}

int admin_may_create_event(const struct principal *p)
{
	for (size_t i = 0; p && i < p->ngrants && i < AUTH_GRANTS_MAX; i++) {
		struct auth_scope sc = {.series_id = p->grants[i].series_id};
		if (auth_can(p, AUTH_EVENT_CREATE, &sc))
			return 1;
	}
	return 0;
}

int admin_org_may_edit(const struct principal *p, const json_t *org)
{
	if (!auth_is_staff(p) || p->read_only)
		return 0;
	if (auth_is_admin(p))
		return 1;
	/* Everything that shows it must be theirs: the events it takes part
	 * in and the series it runs. One that nothing shows yet is its
	 * maker's, who adds it to an event next. */
	json_t *events = json_object_get(org, "events"), *series = json_object_get(org, "series");
	size_t i;
	json_t *t;
	if (!json_is_array(events) || !json_is_array(series))
		return 0; /* not as admin_org_get gives it: say no */
	json_array_foreach(events, i, t) {
		struct auth_scope sc;
		admin_event_scope(t, &sc);
		if (!auth_can(p, AUTH_EVENT_EDIT, &sc))
			return 0;
	}
	json_array_foreach(series, i, t) {
		struct auth_scope sc;
		admin_series_scope(t, &sc);
		if (!auth_can(p, AUTH_SERIES_EDIT, &sc))
			return 0;
	}
	if (json_array_size(events) || json_array_size(series))
		return 1;
	return json_integer_value(json_object_get(org, "created_by")) == p->account_id;
}

json_t *event_merge(const json_t *cur, const json_t *in)
{
	return admin_merge(RULES_EVENT, cur, in);
}

json_t *series_merge(const json_t *cur, const json_t *in)
{
	return admin_merge(RULES_SERIES, cur, in);
}

json_t *org_merge(const json_t *cur, const json_t *in)
{
	return admin_merge(RULES_ORG, cur, in);
}
