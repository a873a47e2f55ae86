/*
 * events_admin.c — writes for series, events, organisations and their
 * roles in events, with the reads organisers need (drafts included). Each
 * write checks the actor's right, validates, runs in one transaction and
 * leaves an audit entry with the thing before and after.
 */
#include "events/events_admin.h"

#include "core/text.h"
#include "db/db.h"
#include "media/media.h"
#include "view/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

void admin_error_add(struct admin_errors *e, const char *field, const char *msgid)
{
	if (admin_error_get(e, field) || e->n >= ADMIN_ERRORS_MAX)
		return;
	snprintf(e->items[e->n].field, sizeof(e->items[e->n].field), "%s", field);
	e->items[e->n].msgid = msgid;
	e->n++;
}

const char *admin_error_get(const struct admin_errors *e, const char *field)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->items[i].field, field) == 0)
			return e->items[i].msgid;
	return NULL;
}

/* ================================================================== SQL */

enum admin_sql {
	SQL_SERIES_LIST,
	SQL_SERIES_ONE,
	SQL_SERIES_EVENTS,
	SQL_SERIES_ID,
	SQL_SERIES_SLUG_TAKEN,
	SQL_SERIES_INSERT,
	SQL_SERIES_UPDATE,
	SQL_EVENT_LIST,
	SQL_EVENT_ONE,
	SQL_EVENT_SECTORS,
	SQL_EVENT_ORGS,
	SQL_EVENT_SLUG_TAKEN,
	SQL_EVENT_INSERT,
	SQL_EVENT_UPDATE,
	SQL_SECTORS_CLEAR,
	SQL_SECTOR_INSERT,
	SQL_EO_INSERT,
	SQL_EO_DELETE,
	SQL_EO_CLEAR,
	SQL_ORG_LIST,
	SQL_ORG_ONE,
	SQL_ORG_EVENTS,
	SQL_ORG_ID,
	SQL_ORG_SLUG_TAKEN,
	SQL_ORG_INSERT,
	SQL_ORG_UPDATE,
	SQL_ORGANISERS,
	ADMIN_SQL__MAX
};

#define EVENT_LIST_COLS                                                                        \
	"e.id, coalesce(e.series_id, 0) AS series_id, e.slug, e.title, e.kind, e.status, "    \
	"e.starts_on, e.ends_on, e.date_precision, e.region, e.city, e.country, "               \
	"s.slug AS series, s.title AS series_title, s.status AS series_status, "               \
	"e.created_at, e.updated_at "

/* Roles are shown convener first; positions order entries within a role. */
#define ROLE_RANK                                                                              \
	"CASE eo.role WHEN 'convener' THEN 1 WHEN 'co-organiser' THEN 2 "                      \
	"WHEN 'partner' THEN 3 ELSE 4 END"

static const char *const sql[ADMIN_SQL__MAX] = {
	[SQL_SERIES_LIST] =
		"SELECT s.id, s.slug, s.title, s.summary, s.status, o.slug AS organisation, "
		"o.name AS organisation_name, "
		"(SELECT count(*) FROM event e WHERE e.series_id = s.id) AS event_count, "
		"s.created_at, s.updated_at "
		"FROM series s LEFT JOIN organisation o ON o.id = s.organiser_id "
		"ORDER BY s.title, s.id",
	[SQL_SERIES_ONE] =
		"SELECT s.id, s.slug, s.title, s.summary, s.status, o.slug AS organisation, "
		"o.name AS organisation_name, "
		"(SELECT count(*) FROM event e WHERE e.series_id = s.id) AS event_count, "
		"s.created_at, s.updated_at "
		"FROM series s LEFT JOIN organisation o ON o.id = s.organiser_id WHERE s.slug = ?",
	[SQL_SERIES_EVENTS] = "SELECT " EVENT_LIST_COLS
			      "FROM event e JOIN series s ON s.id = e.series_id "
			      "WHERE e.series_id = ? ORDER BY e.starts_on DESC, e.id DESC",
	[SQL_SERIES_ID] = "SELECT id FROM series WHERE slug = ?",
	[SQL_SERIES_SLUG_TAKEN] = "SELECT 1 FROM series WHERE slug = ? AND id <> ?",
	[SQL_SERIES_INSERT] =
		"INSERT INTO series (slug, title, summary, organiser_id, status, created_at, "
		"updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[SQL_SERIES_UPDATE] = "UPDATE series SET slug = ?, title = ?, summary = ?, "
			      "organiser_id = ?, status = ?, updated_at = ? WHERE id = ?",
	[SQL_EVENT_LIST] = "SELECT " EVENT_LIST_COLS
			   "FROM event e LEFT JOIN series s ON s.id = e.series_id "
			   "ORDER BY e.starts_on DESC, e.id DESC",
	[SQL_EVENT_ONE] =
		"SELECT e.id, coalesce(e.series_id, 0) AS series_id, e.slug, e.title, e.kind, "
		"e.theme, e.summary, e.description_md, e.region, e.city, e.country, e.venue, "
		"e.starts_on, e.ends_on, e.date_precision, e.timezone, e.capacity, e.status, "
		"e.contact_name, e.contact_title, e.contact_org, e.contact_email, "
		"s.slug AS series, s.title AS series_title, s.status AS series_status, "
		"e.created_at, e.updated_at "
		"FROM event e LEFT JOIN series s ON s.id = e.series_id WHERE e.slug = ?",
	[SQL_EVENT_SECTORS] =
		"SELECT sector FROM event_sector WHERE event_id = ? ORDER BY position, sector",
	[SQL_EVENT_ORGS] =
		"SELECT o.slug, o.name, o.acronym, o.kind, o.country, eo.role, eo.position "
		"FROM event_organisation eo JOIN organisation o ON o.id = eo.organisation_id "
		"WHERE eo.event_id = ? ORDER BY " ROLE_RANK ", eo.position, o.name",
	[SQL_EVENT_SLUG_TAKEN] = "SELECT 1 FROM event WHERE slug = ? AND id <> ?",
	[SQL_EVENT_INSERT] =
		"INSERT INTO event (series_id, slug, title, kind, theme, summary, description_md, "
		"region, city, country, venue, starts_on, ends_on, date_precision, timezone, "
		"capacity, status, contact_name, contact_title, contact_org, contact_email, "
		"created_at, updated_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_EVENT_UPDATE] =
		"UPDATE event SET series_id = ?, slug = ?, title = ?, kind = ?, theme = ?, "
		"summary = ?, description_md = ?, region = ?, city = ?, country = ?, venue = ?, "
		"starts_on = ?, ends_on = ?, date_precision = ?, timezone = ?, capacity = ?, "
		"status = ?, contact_name = ?, contact_title = ?, contact_org = ?, "
		"contact_email = ?, updated_at = ? WHERE id = ?",
	[SQL_SECTORS_CLEAR] = "DELETE FROM event_sector WHERE event_id = ?",
	[SQL_SECTOR_INSERT] =
		"INSERT INTO event_sector (event_id, sector, position) VALUES (?, ?, ?)",
	[SQL_EO_INSERT] = "INSERT INTO event_organisation (event_id, organisation_id, role, "
			  "position) VALUES (?, ?, ?, ?)",
	[SQL_EO_DELETE] = "DELETE FROM event_organisation WHERE event_id = ? AND "
			  "organisation_id = ? AND role = ?",
	[SQL_EO_CLEAR] = "DELETE FROM event_organisation WHERE event_id = ?",
	[SQL_ORG_LIST] =
		"SELECT o.id, o.slug, o.name, o.acronym, o.kind, o.country, o.url AS website, o.logo, "
		"(SELECT count(*) FROM event_organisation eo WHERE eo.organisation_id = o.id) "
		"AS event_count, o.created_at, o.updated_at "
		"FROM organisation o ORDER BY o.name, o.id",
	[SQL_ORG_ONE] = "SELECT o.id, o.slug, o.name, o.acronym, o.kind, o.country, "
			"o.url AS website, o.logo, o.description, o.created_at, o.updated_at "
			"FROM organisation o WHERE o.slug = ?",
	[SQL_ORG_EVENTS] =
		"SELECT e.id, coalesce(e.series_id, 0) AS series_id, e.slug, e.title, e.status, "
		"e.starts_on, eo.role FROM event_organisation eo JOIN event e ON e.id = eo.event_id "
		"WHERE eo.organisation_id = ? ORDER BY e.starts_on DESC, eo.position",
	[SQL_ORG_ID] = "SELECT id FROM organisation WHERE slug = ?",
	[SQL_ORG_SLUG_TAKEN] = "SELECT 1 FROM organisation WHERE slug = ? AND id <> ?",
	[SQL_ORG_INSERT] =
		"INSERT INTO organisation (slug, name, acronym, kind, country, url, description, "
		"logo, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_ORG_UPDATE] = "UPDATE organisation SET slug = ?, name = ?, acronym = ?, kind = ?, "
			   "country = ?, url = ?, description = ?, logo = ?, updated_at = ? "
			   "WHERE id = ?",
	/* Grants live in the accounts module's table; this only reads them. */
	[SQL_ORGANISERS] =
		"SELECT a.id AS account_id, a.email, a.name, "
		"CASE WHEN r.event_id IS NOT NULL THEN 'event' ELSE 'series' END AS via "
		"FROM account_role r JOIN account a ON a.id = r.account_id "
		"WHERE r.role = 'organiser' AND (r.event_id = ? OR r.series_id = ?) "
		"ORDER BY via, a.email",
};

static struct db_stmt *prep(struct db *db, enum admin_sql i)
{
	return db_prepare(db, sql[i]);
}

/* ============================================================== helpers */

static const char *sval(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A string value, NULL when absent, null or empty. */
static const char *nonempty(const json_t *o, const char *key)
{
	const char *s = sval(o, key);
	return s && *s ? s : NULL;
}

static void now_text(int64_t now, char out[32])
{
	time_t t = (time_t)now;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The id of a row found by slug through stmt i, 0 when none, -1 on error. */
static int64_t id_by_slug(struct db *db, enum admin_sql i, const char *slug)
{
	struct db_stmt *st = prep(db, i);
	if (!st)
		return -1;
	db_bind_text(st, 1, slug);
	int rc = db_step(st);
	int64_t id = rc == 1 ? db_col_int(st, 0) : rc == 0 ? 0 : -1;
	db_done(st);
	return id;
}

/* 1 if slug is used by another row than id (through stmt i), -1 on error. */
static int slug_taken(struct db *db, enum admin_sql i, const char *slug, int64_t id)
{
	struct db_stmt *st = prep(db, i);
	if (!st)
		return -1;
	db_bind_text(st, 1, slug);
	db_bind_int(st, 2, id);
	int rc = db_step(st);
	db_done(st);
	return rc < 0 ? -1 : rc;
}

/* A free slug made from text: its slugify form, then -2, -3… Returns
 * NULL on a database error. */
static char *slug_derive(struct db *db, struct arena *a, enum admin_sql taken, const char *text,
			 int64_t id)
{
	char *base = slugify(a, text);
	for (int n = 1; n < 1000; n++) {
		char *s = base;
		if (n > 1) {
			char suffix[16];
			int sl = snprintf(suffix, sizeof(suffix), "-%d", n);
			size_t keep = strlen(base);
			if (keep + (size_t)sl > SLUG_MAX)
				keep = SLUG_MAX - (size_t)sl;
			while (keep > 0 && base[keep - 1] == '-')
				keep--;
			s = arena_printf(a, "%.*s%s", (int)keep, base, suffix);
		}
		int t = slug_taken(db, taken, s, id);
		if (t < 0)
			return NULL;
		if (!t)
			return s;
	}
	return NULL;
}

/* Binds a string field of o, NULL when absent or empty. */
static void bind_opt(struct db_stmt *st, int idx, const json_t *o, const char *key)
{
	db_bind_text(st, idx, nonempty(o, key));
}

/* Binds a NOT NULL text column: "" when absent. */
static void bind_text0(struct db_stmt *st, int idx, const json_t *o, const char *key)
{
	const char *s = sval(o, key);
	db_bind_text(st, idx, s ? s : "");
}

/* A capacity from a string or integer field; -1 for none. */
static int64_t int_field(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return json_integer_value(v);
	const char *s = json_string_value(v);
	if (!s || !*s)
		return -1;
	return strtoll(s, NULL, 10);
}

/* Ends a failed write: rolls back and returns e. */
static enum hm_err fail(struct db *db, enum hm_err e)
{
	db_rollback(db);
	return e;
}

/* ============================================================ validators */

int admin_date_valid(const char *s)
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}

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
		return n < r->min || n > r->max_int ? "This number is out of range." : NULL;
	}
	const char *s = json_string_value(v);
	if (!s)
		return "This value is not text.";
	if (!utf8_valid(s, strlen(s)))
		return "The text is not valid UTF-8.";
	if (strlen(s) > r->max)
		return "This is too long.";
	switch (r->kind) {
	case RK_TEXT:
		return has_controls(s, 0) ? "Line breaks and control characters are not allowed here."
					  : NULL;
	case RK_MULTILINE:
		return has_controls(s, 1) ? "Control characters are not allowed." : NULL;
	case RK_SLUG:
	case RK_REF:
		return slug_valid(s) ? NULL : "Use lower-case letters, digits and single hyphens only.";
	case RK_DATE:
		return admin_date_valid(s) ? NULL : "Enter a date as YYYY-MM-DD.";
	case RK_CHOICE:
		return admin_in_list(r->choices, s) ? NULL : "Choose one of the options.";
	case RK_TZ:
		return tz_valid(s) ? NULL : "Choose a known time zone, such as Asia/Shanghai.";
	case RK_COUNTRY:
		return admin_country_valid(s) ? NULL : "Enter a two-letter country code, such as CN.";
	case RK_EMAIL: {
		char norm[AUTH_EMAIL_MAX + 1];
		return auth_email_normalise(s, norm) == HM_OK
			       ? NULL
			       : "Enter an e-mail address such as name@example.org.";
	}
	case RK_INT: {
		char *end;
		long long n = strtoll(s, &end, 10);
		if (*end)
			return "Enter a whole number.";
		return n < r->min || n > r->max_int ? "This number is out of range." : NULL;
	}
	case RK_URL:
		return admin_url_valid(s) ? NULL
					  : "Enter an address starting with https:// or http://.";
	case RK_MEDIA:
		return media_name_is_original(s) && media_exists(s)
			       ? NULL
			       : "There is no uploaded image with this name.";
	}
	return NULL;
}

static int rules_check(const struct rule *rules, size_t n, const json_t *in,
		       struct admin_errors *errs)
{
	int before = errs->n;
	for (size_t i = 0; i < n; i++) {
		const struct rule *r = &rules[i];
		json_t *v = json_object_get(in, r->name);
		int empty = !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v));
		if (empty) {
			if (r->required)
				admin_error_add(errs, r->name, "This field is required.");
			continue;
		}
		const char *msg = rule_check(r, v);
		if (msg)
			admin_error_add(errs, r->name, msg);
	}
	return errs->n - before;
}

int admin_event_check(const json_t *in, struct admin_errors *errs)
{
	int before = errs->n;
	rules_check(event_rules, HM_ARRAY_LEN(event_rules), in, errs);
	const char *from = sval(in, "starts_on"), *to = sval(in, "ends_on");
	if (admin_date_valid(from) && admin_date_valid(to) && strcmp(to, from) < 0)
		admin_error_add(errs, "ends_on", "The event cannot end before it starts.");
	json_t *sectors = json_object_get(in, "sectors");
	if (sectors && !json_is_null(sectors)) {
		size_t i, j;
		json_t *s, *t;
		if (!json_is_array(sectors))
			admin_error_add(errs, "sectors", "Choose sectors from the list.");
		json_array_foreach(sectors, i, s) {
			if (!admin_in_list(admin_sectors, json_string_value(s))) {
				admin_error_add(errs, "sectors", "Choose sectors from the list.");
				break;
			}
			json_array_foreach(sectors, j, t) {
				if (j < i && json_equal(s, t))
					admin_error_add(errs, "sectors",
							"Choose each sector only once.");
			}
		}
	}
	return errs->n - before;
}

int admin_series_check(const json_t *in, struct admin_errors *errs)
{
	return rules_check(series_rules, HM_ARRAY_LEN(series_rules), in, errs);
}

int admin_org_check(const json_t *in, struct admin_errors *errs)
{
	return rules_check(org_rules, HM_ARRAY_LEN(org_rules), in, errs);
}

/* The record after an update: cur with the declared keys of in laid over
 * it (undeclared keys of in are dropped). Caller owns the result. */
static json_t *merge(const json_t *cur, const json_t *in, const struct rule *rules, size_t n)
{
	json_t *m = json_deep_copy(cur);
	for (size_t i = 0; i < n; i++) {
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

int admin_is_staff(const struct principal *p)
{
	for (size_t i = 0; p && i < p->ngrants && i < AUTH_GRANTS_MAX; i++)
		if (p->grants[i].role == AUTH_ROLE_ADMIN || p->grants[i].role == AUTH_ROLE_ORGANISER)
			return 1;
	return 0;
}

int admin_event_visible(const struct principal *p, const json_t *ev)
{
	struct auth_scope sc;
	if (!str_eq(sval(ev, "status"), "draft"))
		return 1;
	admin_event_scope(ev, &sc);
	return auth_can(p, AUTH_DRAFT_READ, &sc);
}

int admin_series_visible(const struct principal *p, const json_t *s)
{
	struct auth_scope sc;
	if (str_eq(sval(s, "status"), "published"))
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
	if (!admin_is_staff(p) || p->read_only)
		return 0;
	if (auth_is_admin(p))
		return 1;
	size_t i;
	json_t *ev;
	json_array_foreach(json_object_get(org, "events"), i, ev) {
		struct auth_scope sc;
		admin_event_scope(ev, &sc);
		if (!auth_can(p, AUTH_EVENT_EDIT, &sc))
			return 0;
	}
	return 1;
}

/* ================================================================= reads */

json_t *admin_series_list(struct db *db)
{
	struct db_stmt *st = prep(db, SQL_SERIES_LIST);
	return st ? db_rows_json(st) : json_array();
}

json_t *admin_series_get(struct db *db, const char *slug)
{
	struct db_stmt *st = prep(db, SQL_SERIES_ONE);
	if (!st)
		return NULL;
	db_bind_text(st, 1, slug);
	json_t *s = db_one_json(st);
	if (!s)
		return NULL;
	st = prep(db, SQL_SERIES_EVENTS);
	if (st)
		db_bind_int(st, 1, json_integer_value(json_object_get(s, "id")));
	json_object_set_new(s, "events", st ? db_rows_json(st) : json_array());
	return s;
}

json_t *admin_event_list(struct db *db)
{
	struct db_stmt *st = prep(db, SQL_EVENT_LIST);
	return st ? db_rows_json(st) : json_array();
}

json_t *admin_event_get(struct db *db, const char *slug)
{
	struct db_stmt *st = prep(db, SQL_EVENT_ONE);
	if (!st)
		return NULL;
	db_bind_text(st, 1, slug);
	json_t *ev = db_one_json(st);
	if (!ev)
		return NULL;
	json_int_t id = json_integer_value(json_object_get(ev, "id"));
	json_t *sectors = json_array();
	if ((st = prep(db, SQL_EVENT_SECTORS))) {
		db_bind_int(st, 1, id);
		while (db_step(st) == 1)
			json_array_append_new(sectors, json_string(db_col_text(st, 0)));
		db_done(st);
	}
	json_object_set_new(ev, "sectors", sectors);
	if ((st = prep(db, SQL_EVENT_ORGS)))
		db_bind_int(st, 1, id);
	json_object_set_new(ev, "organisations", st ? db_rows_json(st) : json_array());
	return ev;
}

json_t *admin_org_list(struct db *db)
{
	struct db_stmt *st = prep(db, SQL_ORG_LIST);
	return st ? db_rows_json(st) : json_array();
}

json_t *admin_org_get(struct db *db, const char *slug)
{
	struct db_stmt *st = prep(db, SQL_ORG_ONE);
	if (!st)
		return NULL;
	db_bind_text(st, 1, slug);
	json_t *o = db_one_json(st);
	if (!o)
		return NULL;
	if ((st = prep(db, SQL_ORG_EVENTS)))
		db_bind_int(st, 1, json_integer_value(json_object_get(o, "id")));
	json_object_set_new(o, "events", st ? db_rows_json(st) : json_array());
	return o;
}

json_t *admin_event_organisers(struct db *db, int64_t event_id, int64_t series_id)
{
	struct db_stmt *st = prep(db, SQL_ORGANISERS);
	if (!st)
		return json_array();
	db_bind_int(st, 1, event_id);
	if (series_id)
		db_bind_int(st, 2, series_id);
	else
		db_bind_null(st, 2);
	return db_rows_json(st);
}

/* ================================================================ series */

/* The series' fields as stored, for audit entries and answers: what
 * admin_series_get gives without its events. */
static json_t *series_snapshot(struct db *db, const char *slug)
{
	json_t *s = admin_series_get(db, slug);
	if (s) {
		json_object_del(s, "events");
		json_object_del(s, "event_count");
	}
	return s;
}

/* Resolves the slug of "organisation" in m to an id (0: none); adds an
 * error when there is no such organisation. -1 on a database error. */
static int64_t ref_org(struct db *db, const json_t *m, const char *key, struct admin_errors *errs)
{
	const char *slug = nonempty(m, key);
	if (!slug)
		return 0;
	int64_t id = id_by_slug(db, SQL_ORG_ID, slug);
	if (id == 0)
		admin_error_add(errs, key, "There is no organisation with this address.");
	return id;
}

/* Checks the slug of m (chosen, else derived from text_key) against the
 * other rows and writes the one to use into m. HM_EEXIST when a chosen
 * slug is taken. */
static enum hm_err settle_slug(struct db *db, struct arena *a, json_t *m, enum admin_sql taken,
			       const char *text_key, int64_t id, const char *taken_msg,
			       struct admin_errors *errs)
{
	const char *slug = nonempty(m, "slug");
	if (slug) {
		int t = slug_taken(db, taken, slug, id);
		if (t < 0)
			return HM_EDB;
		if (t) {
			admin_error_add(errs, "slug", taken_msg);
			return HM_EEXIST;
		}
		return HM_OK;
	}
	char *derived = slug_derive(db, a, taken, sval(m, text_key), id);
	if (!derived)
		return HM_EDB;
	json_object_set_new(m, "slug", json_string(derived));
	return HM_OK;
}

/* Writes m (merged and checked) as series id (0: a new one). */
static enum hm_err series_write(struct db *db, const json_t *m, int64_t org_id, int64_t id,
				const char *ts, int64_t *id_out)
{
	struct db_stmt *st = prep(db, id ? SQL_SERIES_UPDATE : SQL_SERIES_INSERT);
	if (!st)
		return HM_EDB;
	int k = 1;
	db_bind_text(st, k++, sval(m, "slug"));
	db_bind_text(st, k++, sval(m, "title"));
	bind_text0(st, k++, m, "summary");
	if (org_id)
		db_bind_int(st, k++, org_id);
	else
		db_bind_null(st, k++);
	db_bind_text(st, k++, sval(m, "status"));
	if (!id)
		db_bind_text(st, k++, ts);
	db_bind_text(st, k++, ts);
	if (id)
		db_bind_int(st, k++, id);
	enum hm_err e = db_run(st);
	if (e == HM_OK && id_out)
		*id_out = id ? id : db_last_insert_id(db);
	return e;
}

static enum hm_err series_save(struct db *db, const struct principal *p, const char *slug,
			       const json_t *in, int64_t now, json_t **out,
			       struct admin_errors *errs)
{
	struct arena a;
	json_t *before = NULL, *m = NULL, *after = NULL;
	char ts[32];
	int64_t id = 0, org_id;
	enum hm_err e;

	if (out)
		*out = NULL;
	if (!json_is_object(in))
		return HM_EINVAL;
	arena_init(&a);
	if ((e = db_begin(db)) != HM_OK)
		goto out;
	if (slug) {
		struct auth_scope sc;
		if (!(before = series_snapshot(db, slug))) {
			e = fail(db, HM_ENOTFOUND);
			goto out;
		}
		admin_series_scope(before, &sc);
		if (!auth_can(p, AUTH_SERIES_EDIT, &sc)) {
			e = fail(db, HM_EFORBIDDEN);
			goto out;
		}
		id = json_integer_value(json_object_get(before, "id"));
		m = merge(before, in, series_rules, HM_ARRAY_LEN(series_rules));
		if (!nonempty(m, "slug"))
			json_object_set(m, "slug", json_object_get(before, "slug"));
	} else {
		if (!auth_can(p, AUTH_SERIES_CREATE, NULL)) {
			e = fail(db, HM_EFORBIDDEN);
			goto out;
		}
		json_t *defaults = json_pack("{s:s}", "status", "draft");
		m = merge(defaults, in, series_rules, HM_ARRAY_LEN(series_rules));
		json_decref(defaults);
	}
	if (admin_series_check(m, errs)) {
		e = fail(db, HM_EINVAL);
		goto out;
	}
	if ((org_id = ref_org(db, m, "organisation", errs)) < 0) {
		e = fail(db, HM_EDB);
		goto out;
	}
	e = settle_slug(db, &a, m, SQL_SERIES_SLUG_TAKEN, "title", id,
			"Another series already has this address.", errs);
	if (e != HM_OK || errs->n) {
		e = fail(db, e != HM_OK ? e : HM_EINVAL);
		goto out;
	}
	now_text(now, ts);
	if ((e = series_write(db, m, org_id, id, ts, &id)) != HM_OK) {
		e = fail(db, e);
		goto out;
	}
	after = series_snapshot(db, sval(m, "slug"));
	const char *action = !slug ? "series.create"
			     : !str_eq(sval(before, "status"), sval(after, "status"))
				     ? (str_eq(sval(after, "status"), "published") ? "series.publish"
										   : "series.unpublish")
				     : "series.update";
	if ((e = audit_record_at(db, p, action, "series", id, before, after, now)) != HM_OK ||
	    (e = db_commit(db)) != HM_OK) {
		e = fail(db, e);
		goto out;
	}
	if (out) {
		*out = after;
		after = NULL;
	}
out:
	json_decref(before);
	json_decref(m);
	json_decref(after);
	arena_free(&a);
	return e;
}

enum hm_err admin_series_create(struct db *db, const struct principal *p, const json_t *in,
				int64_t now, json_t **out, struct admin_errors *errs)
{
	return series_save(db, p, NULL, in, now, out, errs);
}

enum hm_err admin_series_update(struct db *db, const struct principal *p, const char *slug,
				const json_t *in, int64_t now, json_t **out,
				struct admin_errors *errs)
{
	return series_save(db, p, slug, in, now, out, errs);
}

enum hm_err admin_series_set_status(struct db *db, const struct principal *p, const char *slug,
				    const char *status, int64_t now)
{
	struct admin_errors errs = {0};
	if (!admin_in_list(admin_series_statuses, status))
		return HM_EINVAL;
	json_t *in = json_pack("{s:s}", "status", status);
	enum hm_err e = series_save(db, p, slug, in, now, NULL, &errs);
	json_decref(in);
	return e;
}

/* ================================================================ events */

/* The event's fields as stored, for audit entries and answers. */
static json_t *event_snapshot(struct db *db, const char *slug)
{
	return admin_event_get(db, slug);
}

/* Writes m (merged and checked) as event id (0: a new one), with its
 * sectors. */
static enum hm_err event_write(struct db *db, const json_t *m, int64_t series_id, int64_t id,
			       const char *ts, int64_t *id_out)
{
	struct db_stmt *st = prep(db, id ? SQL_EVENT_UPDATE : SQL_EVENT_INSERT);
	if (!st)
		return HM_EDB;
	int k = 1;
	if (series_id)
		db_bind_int(st, k++, series_id);
	else
		db_bind_null(st, k++);
	db_bind_text(st, k++, sval(m, "slug"));
	db_bind_text(st, k++, sval(m, "title"));
	db_bind_text(st, k++, sval(m, "kind"));
	bind_text0(st, k++, m, "theme");
	bind_text0(st, k++, m, "summary");
	bind_text0(st, k++, m, "description_md");
	bind_text0(st, k++, m, "region");
	bind_text0(st, k++, m, "city");
	bind_opt(st, k++, m, "country");
	bind_opt(st, k++, m, "venue");
	db_bind_text(st, k++, sval(m, "starts_on"));
	db_bind_text(st, k++, sval(m, "ends_on"));
	db_bind_text(st, k++, sval(m, "date_precision"));
	db_bind_text(st, k++, sval(m, "timezone"));
	int64_t cap = int_field(m, "capacity");
	if (cap >= 0)
		db_bind_int(st, k++, cap);
	else
		db_bind_null(st, k++);
	db_bind_text(st, k++, sval(m, "status"));
	bind_opt(st, k++, m, "contact_name");
	bind_opt(st, k++, m, "contact_title");
	bind_opt(st, k++, m, "contact_org");
	char email[AUTH_EMAIL_MAX + 1];
	const char *ce = nonempty(m, "contact_email");
	db_bind_text(st, k++, ce && auth_email_normalise(ce, email) == HM_OK ? email : NULL);
	if (!id)
		db_bind_text(st, k++, ts);
	db_bind_text(st, k++, ts);
	if (id)
		db_bind_int(st, k++, id);
	enum hm_err e = db_run(st);
	if (e != HM_OK)
		return e;
	if (!id)
		id = db_last_insert_id(db);
	*id_out = id;

	if (!(st = prep(db, SQL_SECTORS_CLEAR)))
		return HM_EDB;
	db_bind_int(st, 1, id);
	if ((e = db_run(st)) != HM_OK)
		return e;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(m, "sectors"), i, s) {
		if (!(st = prep(db, SQL_SECTOR_INSERT)))
			return HM_EDB;
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, json_string_value(s));
		db_bind_int(st, 3, (int64_t)i + 1);
		if ((e = db_run(st)) != HM_OK)
			return e;
	}
	return HM_OK;
}

/* The audit action for a change of event status, else event.update. */
static const char *event_action(const json_t *before, const json_t *after)
{
	const char *was = sval(before, "status"), *now = sval(after, "status");
	if (!before)
		return "event.create";
	if (str_eq(was, now))
		return "event.update";
	if (str_eq(now, "published"))
		return "event.publish";
	if (str_eq(now, "cancelled"))
		return "event.cancel";
	return "event.unpublish";
}

static enum hm_err event_save(struct db *db, const struct principal *p, const char *slug,
			      const json_t *in, int64_t now, json_t **out,
			      struct admin_errors *errs)
{
	struct arena a;
	json_t *before = NULL, *m = NULL, *after = NULL;
	char ts[32];
	int64_t id = 0, series_id = 0;
	enum hm_err e;

	if (out)
		*out = NULL;
	if (!json_is_object(in))
		return HM_EINVAL;
	arena_init(&a);
	if ((e = db_begin(db)) != HM_OK)
		goto out;
	if (slug) {
		struct auth_scope sc;
		if (!(before = event_snapshot(db, slug))) {
			e = fail(db, HM_ENOTFOUND);
			goto out;
		}
		admin_event_scope(before, &sc);
		if (!auth_can(p, AUTH_EVENT_EDIT, &sc)) {
			e = fail(db, HM_EFORBIDDEN);
			goto out;
		}
		id = json_integer_value(json_object_get(before, "id"));
		m = merge(before, in, event_rules, HM_ARRAY_LEN(event_rules));
		if (!nonempty(m, "slug"))
			json_object_set(m, "slug", json_object_get(before, "slug"));
	} else {
		json_t *defaults = json_pack("{s:s, s:s, s:s, s:s, s:[]}", "kind", "consultation",
					     "date_precision", "day", "timezone", "UTC", "status",
					     "draft", "sectors");
		m = merge(defaults, in, event_rules, HM_ARRAY_LEN(event_rules));
		json_decref(defaults);
	}
	json_t *sectors = json_object_get(in, "sectors");
	if (sectors)
		json_object_set(m, "sectors", json_is_null(sectors) ? json_array() : sectors);
	if (admin_event_check(m, errs)) {
		e = fail(db, HM_EINVAL);
		goto out;
	}
	/* The series, and the right to put an event in it. */
	const char *series = nonempty(m, "series");
	if (series && (series_id = id_by_slug(db, SQL_SERIES_ID, series)) <= 0) {
		if (series_id < 0) {
			e = fail(db, HM_EDB);
			goto out;
		}
		admin_error_add(errs, "series", "There is no series with this address.");
		e = fail(db, HM_EINVAL);
		goto out;
	}
	int64_t old_series = json_integer_value(json_object_get(before, "series_id"));
	if (!slug || series_id != old_series) {
		struct auth_scope sc = {.series_id = series_id};
		if (!auth_can(p, AUTH_EVENT_CREATE, &sc)) {
			e = fail(db, HM_EFORBIDDEN);
			goto out;
		}
	}
	e = settle_slug(db, &a, m, SQL_EVENT_SLUG_TAKEN, "title", id,
			"Another event already has this address.", errs);
	if (e != HM_OK) {
		e = fail(db, e);
		goto out;
	}
	now_text(now, ts);
	if ((e = event_write(db, m, series_id, id, ts, &id)) != HM_OK) {
		e = fail(db, e);
		goto out;
	}
	after = event_snapshot(db, sval(m, "slug"));
	if ((e = audit_record_at(db, p, event_action(before, after), "event", id, before, after,
				 now)) != HM_OK ||
	    (e = db_commit(db)) != HM_OK) {
		e = fail(db, e);
		goto out;
	}
	if (out) {
		*out = after;
		after = NULL;
	}
out:
	json_decref(before);
	json_decref(m);
	json_decref(after);
	arena_free(&a);
	return e;
}

enum hm_err admin_event_create(struct db *db, const struct principal *p, const json_t *in,
			       int64_t now, json_t **out, struct admin_errors *errs)
{
	return event_save(db, p, NULL, in, now, out, errs);
}

enum hm_err admin_event_update(struct db *db, const struct principal *p, const char *slug,
			       const json_t *in, int64_t now, json_t **out,
			       struct admin_errors *errs)
{
	return event_save(db, p, slug, in, now, out, errs);
}

enum hm_err admin_event_set_status(struct db *db, const struct principal *p, const char *slug,
				   const char *status, int64_t now)
{
	struct admin_errors errs = {0};
	if (!admin_in_list(admin_event_statuses, status))
		return HM_EINVAL;
	json_t *in = json_pack("{s:s}", "status", status);
	enum hm_err e = event_save(db, p, slug, in, now, NULL, &errs);
	json_decref(in);
	return e;
}

/* ================================================ organisations in events */

/* One entry of an event's list, as the SQL_EVENT_ORGS rows give it. */
static int entry_is(const json_t *o, const char *org, const char *role)
{
	return str_eq(sval(o, "slug"), org) && str_eq(sval(o, "role"), role);
}

static int role_rank(const char *role)
{
	for (int i = 0; admin_org_roles[i]; i++)
		if (str_eq(admin_org_roles[i], role))
			return i;
	return 99;
}

/* Sorts entries by role rank, keeping their order within a role. */
static void sort_by_role(json_t *list)
{
	size_t n = json_array_size(list);
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0; j--) {
			json_t *x = json_array_get(list, j - 1), *y = json_array_get(list, j);
			if (role_rank(sval(x, "role")) <= role_rank(sval(y, "role")))
				break;
			json_incref(x);
			json_array_set(list, j - 1, y);
			json_array_set_new(list, j, x);
		}
	}
}

/* Rewrites the event's organisations as list ([{slug, role}…]), with
 * positions 1…n in order. */
static enum hm_err eo_write(struct db *db, int64_t event_id, const json_t *list)
{
	struct db_stmt *st = prep(db, SQL_EO_CLEAR);
	enum hm_err e;
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, event_id);
	if ((e = db_run(st)) != HM_OK)
		return e;
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o) {
		int64_t org_id = id_by_slug(db, SQL_ORG_ID, sval(o, "slug"));
		if (org_id <= 0)
			return org_id < 0 ? HM_EDB : HM_ENOTFOUND;
		if (!(st = prep(db, SQL_EO_INSERT)))
			return HM_EDB;
		db_bind_int(st, 1, event_id);
		db_bind_int(st, 2, org_id);
		db_bind_text(st, 3, sval(o, "role"));
		db_bind_int(st, 4, (int64_t)i + 1);
		if ((e = db_run(st)) != HM_OK)
			return e;
	}
	return HM_OK;
}

enum eo_op { EO_ADD, EO_REMOVE, EO_MOVE, EO_SET };

/* The shared body of the list edits: loads the event and checks the
 * right, builds the new list by op, writes and audits it. */
static enum hm_err eo_change(struct db *db, const struct principal *p, const char *event,
			     enum eo_op op, const char *org, const char *role, int delta,
			     const json_t *set, int64_t now, struct admin_errors *errs)
{
	json_t *ev = NULL, *list = NULL, *after = NULL;
	struct auth_scope sc;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	if (!(ev = admin_event_get(db, event))) {
		e = HM_ENOTFOUND;
		goto undo;
	}
	admin_event_scope(ev, &sc);
	if (!auth_can(p, AUTH_EVENT_EDIT, &sc)) {
		e = HM_EFORBIDDEN;
		goto undo;
	}
	json_t *before = json_object_get(ev, "organisations");
	list = json_array();
	size_t i, found = (size_t)-1;
	json_t *o;
	json_array_foreach(before, i, o) {
		json_array_append_new(list, json_pack("{s:s, s:s}", "slug", sval(o, "slug"), "role",
						      sval(o, "role")));
		if (org && entry_is(o, org, role))
			found = i;
	}
	switch (op) {
	case EO_ADD: {
		int64_t org_id;
		if (!admin_in_list(admin_org_roles, role)) {
			e = HM_EINVAL;
			goto undo;
		}
		if ((org_id = id_by_slug(db, SQL_ORG_ID, org)) <= 0) {
			e = org_id < 0 ? HM_EDB : HM_ENOTFOUND;
			goto undo;
		}
		if (found != (size_t)-1) {
			e = HM_EEXIST;
			goto undo;
		}
		json_array_append_new(list, json_pack("{s:s, s:s}", "slug", org, "role", role));
		sort_by_role(list);
		break;
	}
	case EO_REMOVE:
		if (found == (size_t)-1) {
			e = HM_ENOTFOUND;
			goto undo;
		}
		json_array_remove(list, found);
		break;
	case EO_MOVE: {
		if (found == (size_t)-1) {
			e = HM_ENOTFOUND;
			goto undo;
		}
		size_t to = found + (size_t)(delta < 0 ? -1 : 1);
		json_t *a = json_array_get(list, found), *b = json_array_get(list, to);
		if (delta == 0 || !b || !str_eq(sval(a, "role"), sval(b, "role"))) {
			e = HM_ECONFLICT;
			goto undo;
		}
		json_incref(a);
		json_array_set(list, found, b);
		json_array_set_new(list, to, a);
		break;
	}
	case EO_SET:
		json_array_clear(list);
		json_array_foreach(set, i, o) {
			const char *slug = sval(o, "organisation"), *r = sval(o, "role");
			const char *msg = NULL;
			int64_t org_id = slug ? id_by_slug(db, SQL_ORG_ID, slug) : 0;
			if (org_id < 0) {
				e = HM_EDB;
				goto undo;
			}
			if (!json_is_object(o) || !slug || !org_id)
				msg = "There is no organisation with this address.";
			else if (!admin_in_list(admin_org_roles, r))
				msg = "Choose one of the roles.";
			for (size_t j = 0; !msg && j < json_array_size(list); j++)
				if (entry_is(json_array_get(list, j), slug, r))
					msg = "This organisation already has this role.";
			if (msg) {
				char field[40];
				snprintf(field, sizeof(field), "organisations.%zu", i);
				admin_error_add(errs, field, msg);
			} else {
				json_array_append_new(list, json_pack("{s:s, s:s}", "slug", slug,
								      "role", r));
			}
		}
		if (!json_is_array(set))
			admin_error_add(errs, "organisations", "Send a list of organisations.");
		if (errs->n) {
			e = HM_EINVAL;
			goto undo;
		}
		sort_by_role(list);
		break;
	}
	int64_t id = sc.event_id;
	if ((e = eo_write(db, id, list)) != HM_OK)
		goto undo;
	json_t *ev_after = admin_event_get(db, event);
	after = json_incref(json_object_get(ev_after, "organisations"));
	json_decref(ev_after);
	if ((e = audit_record_at(db, p, "event.organisations", "event", id, before, after, now)) !=
	    HM_OK)
		goto undo;
	if ((e = db_commit(db)) != HM_OK)
		goto undo;
	json_decref(ev);
	json_decref(list);
	json_decref(after);
	return HM_OK;
undo:
	db_rollback(db);
	json_decref(ev);
	json_decref(list);
	json_decref(after);
	return e;
}

enum hm_err admin_event_org_add(struct db *db, const struct principal *p, const char *event,
				const char *org, const char *role, int64_t now)
{
	return eo_change(db, p, event, EO_ADD, org, role, 0, NULL, now, NULL);
}

enum hm_err admin_event_org_remove(struct db *db, const struct principal *p, const char *event,
				   const char *org, const char *role, int64_t now)
{
	return eo_change(db, p, event, EO_REMOVE, org, role, 0, NULL, now, NULL);
}

enum hm_err admin_event_org_move(struct db *db, const struct principal *p, const char *event,
				 const char *org, const char *role, int delta, int64_t now)
{
	return eo_change(db, p, event, EO_MOVE, org, role, delta, NULL, now, NULL);
}

enum hm_err admin_event_org_set(struct db *db, const struct principal *p, const char *event,
				const json_t *list, int64_t now, struct admin_errors *errs)
{
	return eo_change(db, p, event, EO_SET, NULL, NULL, 0, list, now, errs);
}

/* ======================================================= event organisers */

/* Naming an event's organisers is for admins and the organisers of its
 * series; auth_role_grant checks the same rule again itself. */
/* Loads the event's scope and checks the right to name its organisers. */
static enum hm_err organisers_scope(struct db *db, const struct principal *p, const char *event,
				    struct auth_scope *sc)
{
	enum hm_err e = auth_scope_event(db, event, sc);
	if (e != HM_OK)
		return e;
	return auth_can(p, AUTH_SERIES_EDIT, sc) ? HM_OK : HM_EFORBIDDEN;
}

enum hm_err admin_event_organiser_grant(struct db *db, const struct principal *p,
					const char *event, const char *email, int64_t now)
{
	struct auth_scope sc;
	int64_t account_id;
	enum hm_err e = organisers_scope(db, p, event, &sc);
	if (e != HM_OK)
		return e;
	if ((e = auth_account_find(db, email, &account_id)) != HM_OK)
		return e;
	struct auth_grant g = {.role = AUTH_ROLE_ORGANISER, .event_id = sc.event_id};
	return auth_role_grant(db, p, account_id, &g, now);
}

enum hm_err admin_event_organiser_revoke(struct db *db, const struct principal *p,
					 const char *event, int64_t account_id, int64_t now)
{
	struct auth_scope sc;
	enum hm_err e = organisers_scope(db, p, event, &sc);
	if (e != HM_OK)
		return e;
	struct auth_grant g = {.role = AUTH_ROLE_ORGANISER, .event_id = sc.event_id};
	return auth_role_revoke(db, p, account_id, &g, now);
}

/* ========================================================= organisations */

static json_t *org_snapshot(struct db *db, const char *slug)
{
	json_t *o = admin_org_get(db, slug);
	if (o)
		json_object_del(o, "events");
	return o;
}

static enum hm_err org_write(struct db *db, const json_t *m, int64_t id, const char *ts,
			     int64_t *id_out)
{
	struct db_stmt *st = prep(db, id ? SQL_ORG_UPDATE : SQL_ORG_INSERT);
	if (!st)
		return HM_EDB;
	int k = 1;
	db_bind_text(st, k++, sval(m, "slug"));
	db_bind_text(st, k++, sval(m, "name"));
	bind_opt(st, k++, m, "acronym");
	db_bind_text(st, k++, sval(m, "kind"));
	bind_opt(st, k++, m, "country");
	bind_opt(st, k++, m, "website");
	bind_text0(st, k++, m, "description");
	bind_opt(st, k++, m, "logo");
	if (!id)
		db_bind_text(st, k++, ts);
	db_bind_text(st, k++, ts);
	if (id)
		db_bind_int(st, k++, id);
	enum hm_err e = db_run(st);
	if (e == HM_OK)
		*id_out = id ? id : db_last_insert_id(db);
	return e;
}

static enum hm_err org_save(struct db *db, const struct principal *p, const char *slug,
			    const json_t *in, int64_t now, json_t **out, struct admin_errors *errs)
{
	struct arena a;
	json_t *before = NULL, *m = NULL, *after = NULL;
	char ts[32];
	int64_t id = 0;
	enum hm_err e;

	if (out)
		*out = NULL;
	if (!json_is_object(in))
		return HM_EINVAL;
	arena_init(&a);
	if ((e = db_begin(db)) != HM_OK)
		goto out;
	if (slug) {
		json_t *full = admin_org_get(db, slug);
		if (!full) {
			e = fail(db, HM_ENOTFOUND);
			goto out;
		}
		int may = admin_org_may_edit(p, full);
		json_decref(full);
		if (!may) {
			e = fail(db, HM_EFORBIDDEN);
			goto out;
		}
		before = org_snapshot(db, slug);
		id = json_integer_value(json_object_get(before, "id"));
		m = merge(before, in, org_rules, HM_ARRAY_LEN(org_rules));
		if (!nonempty(m, "slug"))
			json_object_set(m, "slug", json_object_get(before, "slug"));
	} else {
		if (!admin_is_staff(p) || p->read_only) {
			e = fail(db, HM_EFORBIDDEN);
			goto out;
		}
		json_t *defaults = json_pack("{s:s}", "kind", "other");
		m = merge(defaults, in, org_rules, HM_ARRAY_LEN(org_rules));
		json_decref(defaults);
	}
	if (admin_org_check(m, errs)) {
		e = fail(db, HM_EINVAL);
		goto out;
	}
	e = settle_slug(db, &a, m, SQL_ORG_SLUG_TAKEN, "name", id,
			"Another organisation already has this address.", errs);
	if (e != HM_OK) {
		e = fail(db, e);
		goto out;
	}
	now_text(now, ts);
	if ((e = org_write(db, m, id, ts, &id)) != HM_OK) {
		e = fail(db, e);
		goto out;
	}
	after = org_snapshot(db, sval(m, "slug"));
	if ((e = audit_record_at(db, p, slug ? "organisation.update" : "organisation.create",
				 "organisation", id, before, after, now)) != HM_OK ||
	    (e = db_commit(db)) != HM_OK) {
		e = fail(db, e);
		goto out;
	}
	if (out) {
		*out = after;
		after = NULL;
	}
out:
	json_decref(before);
	json_decref(m);
	json_decref(after);
	arena_free(&a);
	return e;
}

enum hm_err admin_org_create(struct db *db, const struct principal *p, const json_t *in,
			     int64_t now, json_t **out, struct admin_errors *errs)
{
	return org_save(db, p, NULL, in, now, out, errs);
}

enum hm_err admin_org_update(struct db *db, const struct principal *p, const char *slug,
			     const json_t *in, int64_t now, json_t **out,
			     struct admin_errors *errs)
{
	return org_save(db, p, slug, in, now, out, errs);
}
