/*
 * registration.c — the store of registration: settings, registrations and
 * their statuses, the waiting list filled by the admission rules
 * (admission.c), the person's own links. SQL in one list; each write is
 * one transaction, audited.
 */
#include "features/registration/registration.h"
#include "features/registration/admission.h"
#include "features/registration/reg_internal.h"

#include "core/text.h"
#include "db/db.h"
#include "features/events/events_admin.h"
#include "view/i18n.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unicode/uregion.h>

const char *const reg_modes[] = {"open", "approval", "invitation", NULL};
const char *const reg_statuses[] = {"pending",	 "approved", "waitlisted", "offered",
				    "declined", "cancelled", "expired",	   NULL};
const char *const reg_genders[] = {"female", "male", "other", "undisclosed", NULL};
const char *const reg_directories[] = {"none", "participants", "public", NULL};
const char *const reg_question_kinds[] = {"text", "choice", "multiple", "yesno", "date", NULL};
static const char *const attr_names[REG_NATTR] = {"sector", "country", "gender", "region"};

/* ---------------------------------------------------------------- SQL */

static const char SQL_EVENT_BY_SLUG[] =
	"SELECT e.id, e.series_id, e.slug, e.title, e.status, e.timezone, e.capacity, "
	"e.starts_on, e.ends_on, e.city, e.country, e.venue, s.mode, s.opens_at, s.closes_at, "
	"s.confirm_hours, s.directory, s.retention_days, s.questions, s.letter_org, "
	"s.letter_address, s.letter_signatory, s.letter_signatory_title "
	"FROM event e LEFT JOIN registration_setting s ON s.event_id = e.id WHERE e.slug = ?";
static const char SQL_EVENT_BY_ID[] =
	"SELECT e.id, e.series_id, e.slug, e.title, e.status, e.timezone, e.capacity, "
	"e.starts_on, e.ends_on, e.city, e.country, e.venue, s.mode, s.opens_at, s.closes_at, "
	"s.confirm_hours, s.directory, s.retention_days, s.questions, s.letter_org, "
	"s.letter_address, s.letter_signatory, s.letter_signatory_title "
	"FROM event e LEFT JOIN registration_setting s ON s.event_id = e.id WHERE e.id = ?";
static const char SQL_QUOTAS[] =
	"SELECT attribute, value, attribute2, value2, max_count, max_share, min_count, min_share "
	"FROM registration_quota WHERE event_id = ? ORDER BY position, id";
#define REG_COLS                                                                             \
	"id, event_id, name, email, organisation, organisation_id, position, sector, country, " \
	"gender, languages, accessibility, dietary, consent_directory, wants_letter, answers, "  \
	"lang, status, "                                                                        \
	"offer_expires_at, created_at, updated_at, status_at, checked_in_at, checked_in_by, "   \
	"erased_at, manage_salt, delegation_id "
static const char SQL_SEATED[] =
	"SELECT id, sector, country, gender, status_at FROM registration "
	"WHERE event_id = ? AND status IN ('approved', 'offered') ORDER BY id";
static const char SQL_WAITING[] =
	"SELECT id, sector, country, gender, status_at FROM registration "
	"WHERE event_id = ? AND status = 'waitlisted' ORDER BY status_at, id";
static const char SQL_LIST[] =
	"SELECT " REG_COLS "FROM registration WHERE event_id = ? "
	"AND (? IS NULL OR status = ?) AND (? IS NULL OR lower(name) LIKE ? OR lower(email) LIKE ? "
	"OR lower(organisation) LIKE ?) ORDER BY created_at, id";
static const char SQL_DIRECTORY[] =
	"SELECT name, organisation, position, sector, country FROM registration "
	"WHERE event_id = ? AND status = 'approved' AND consent_directory = 1 AND erased_at IS NULL "
	"ORDER BY lower(name), id";
static const char SQL_IS_PARTICIPANT[] =
	"SELECT id FROM registration WHERE event_id = ? AND email_key = ? AND status = 'approved'";
static const char SQL_GET[] = "SELECT " REG_COLS "FROM registration WHERE id = ?";
static const char SQL_SET_STATUS[] =
	"UPDATE registration SET status = ?, offer_expires_at = ?, status_at = ?, updated_at = ? "
	"WHERE id = ?";
static const char SQL_LAPSED[] =
	"SELECT id FROM registration WHERE event_id = ? AND status = 'offered' "
	"AND offer_expires_at <= ? ORDER BY id";
static const char SQL_ORG[] = "SELECT name, kind, country FROM organisation WHERE id = ?";
static const char SQL_ORG_BY_NAME[] =
	"SELECT id, name, kind FROM organisation WHERE lower(name) = lower(?) OR "
	"lower(acronym) = lower(?) ORDER BY id LIMIT 1";
static const char SQL_ORG_NAMES[] = "SELECT name FROM organisation ORDER BY name";

/* ---------------------------------------------------------------- small */

void reg_ts(int64_t t, char out[REG_TS_SIZE])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, REG_TS_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static _Atomic(char *) site_url;
static atomic_int per_address = REG_PER_ADDRESS;

void reg_limit_set(int n)
{
	atomic_store(&per_address, n);
}

int reg_limit(void)
{
	return atomic_load(&per_address);
}

void reg_site_url_set(const char *url)
{
	if (!url || !*url || atomic_load(&site_url))
		return;
	char *mine = xstrdup(url), *none = NULL;
	if (!atomic_compare_exchange_strong(&site_url, &none, mine))
		free(mine);
}

const char *reg_site_url(void)
{
	const char *u = atomic_load(&site_url);
	return u ? u : "http://localhost:8080";
}

void reg_key_of(const char *email, char *out, size_t n)
{
	size_t i = 0;
	for (; email && email[i] && i + 1 < n; i++)
		out[i] = (char)((email[i] >= 'A' && email[i] <= 'Z') ? email[i] + 32 : email[i]);
	out[i] = '\0';
}

/* The token of a registration's links: its id and a keyed hash of its
 * salt, so that every e-mail can carry the link and the store keeps no
 * usable secret per row. */
enum hm_err reg_token_of(struct db *db, int64_t id, const char *salt,
			 char out[REG_TOKEN_SIZE])
{
	unsigned char key[32], mac[24];
	enum hm_err e = auth_server_key(db, "registration", key);
	if (e != HM_OK)
		return e;
	crypto_generichash(mac, sizeof(mac), (const unsigned char *)salt, strlen(salt), key,
			   sizeof(key));
	sodium_memzero(key, sizeof(key));
	char b64[48];
	sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out, REG_TOKEN_SIZE, "%lld.%s", (long long)id, b64);
	return HM_OK;
}

/* The registration a token names, checked in constant time; NULL. */
static json_t *by_token(struct db *db, const char *token)
{
	if (!token || strlen(token) >= REG_TOKEN_SIZE)
		return NULL;
	char *end;
	long long id = strtoll(token, &end, 10);
	if (id <= 0 || *end != '.')
		return NULL;
	json_t *r = reg_get(db, id);
	char want[REG_TOKEN_SIZE];
	if (!r || reg_token_of(db, id, json_string_value(json_object_get(r, "manage_salt")),
			       want) != HM_OK ||
	    strlen(want) != strlen(token) || sodium_memcmp(want, token, strlen(want)) != 0) {
		json_decref(r);
		return NULL;
	}
	return r;
}

json_t *reg_by_token(struct db *db, const char *token)
{
	json_t *r = by_token(db, token);
	/* erased: nobody's any more */
	if (r && json_string_value(json_object_get(r, "erased_at"))) {
		json_decref(r);
		return NULL;
	}
	if (r)
		json_object_del(r, "manage_salt");
	return r;
}

static struct db_stmt *prep(struct db *db, const char *sql)
{
	return db_prepare(db, sql);
}

static void bind_opt(struct db_stmt *st, int i, const char *s)
{
	if (s && *s)
		db_bind_text(st, i, s);
	else
		db_bind_null(st, i);
}

/* ------------------------------------------------------------ events */

static json_t *quotas_of(struct db *db, int64_t event_id)
{
	struct db_stmt *st = prep(db, SQL_QUOTAS);
	if (!st)
		return NULL;
	db_bind_int(st, 1, event_id);
	json_t *list = json_array();
	int rc;
	while ((rc = db_step(st)) == 1) {
		json_t *q = json_object();
		const char *a2 = db_col_text(st, 2);
		json_object_set_new(q, "attribute",
				    a2 ? json_sprintf("%s,%s", db_col_text(st, 0), a2)
				       : json_string(db_col_text(st, 0)));
		json_object_set_new(q, "value",
				    a2 ? json_sprintf("%s,%s", db_col_text(st, 1), db_col_text(st, 3))
				       : json_string(db_col_text(st, 1)));
		if (!db_col_is_null(st, 4))
			json_object_set_new(q, "max", json_integer(db_col_int(st, 4)));
		if (!db_col_is_null(st, 5))
			json_object_set_new(q, "max_share", json_real(db_col_double(st, 5)));
		if (!db_col_is_null(st, 6))
			json_object_set_new(q, "min", json_integer(db_col_int(st, 6)));
		if (!db_col_is_null(st, 7))
			json_object_set_new(q, "min_share", json_real(db_col_double(st, 7)));
		json_array_append_new(list, q);
	}
	db_done(st);
	if (rc < 0) {
		json_decref(list);
		return NULL;
	}
	return list;
}

static json_t *event_row(struct db *db, struct db_stmt *st)
{
	if (!st)
		return NULL;
	if (db_step(st) != 1) {
		db_done(st);
		return NULL;
	}
	json_t *ev = json_object();
	static const char *const keys[] = {"id",	"series_id", "slug",	 "title",
					   "status",	"timezone",  "capacity", "starts_on",
					   "ends_on",	"city",	     "country",	 "venue"};
	for (int i = 0; i < (int)HM_ARRAY_LEN(keys); i++) {
		if (db_col_is_null(st, i))
			json_object_set_new(ev, keys[i], json_null());
		else if (i == 0 || i == 1 || i == 6)
			json_object_set_new(ev, keys[i], json_integer(db_col_int(st, i)));
		else
			json_object_set_new(ev, keys[i], json_string(db_col_text(st, i)));
	}
	if (db_col_is_null(st, 12)) {
		json_object_set_new(ev, "registration", json_null());
		db_done(st);
		return ev;
	}
	json_t *questions = json_loads(db_col_text(st, 18) ? db_col_text(st, 18) : "[]", 0, NULL);
	json_t *r = json_pack("{s:s, s:o, s:o, s:I, s:s, s:o, s:o}", "mode", db_col_text(st, 12),
			      "opens_at",
			      db_col_is_null(st, 13) ? json_null() : json_string(db_col_text(st, 13)),
			      "closes_at",
			      db_col_is_null(st, 14) ? json_null() : json_string(db_col_text(st, 14)),
			      "confirm_hours", (json_int_t)db_col_int(st, 15), "directory",
			      db_col_text(st, 16), "retention_days",
			      db_col_is_null(st, 17) ? json_null() : json_integer(db_col_int(st, 17)),
			      "questions", json_is_array(questions) ? questions : json_array());
	if (!json_is_array(questions))
		json_decref(questions);
	static const char *const letter[] = {"letter_org", "letter_address", "letter_signatory",
					     "letter_signatory_title"};
	for (int i = 0; i < 4; i++)
		json_object_set_new(r, letter[i], json_string(db_col_text(st, 19 + i) ? db_col_text(st, 19 + i) : ""));
	db_done(st);
	json_t *q = quotas_of(db, json_integer_value(json_object_get(ev, "id")));
	if (!q) {
		json_decref(r);
		json_decref(ev);
		return NULL;
	}
	json_object_set_new(r, "quotas", q);
	json_object_set_new(ev, "registration", r);
	return ev;
}

json_t *reg_event(struct db *db, const char *slug)
{
	struct db_stmt *st = prep(db, SQL_EVENT_BY_SLUG);
	if (st)
		db_bind_text(st, 1, slug);
	return event_row(db, st);
}

json_t *reg_event_by_id(struct db *db, int64_t event_id)
{
	struct db_stmt *st = prep(db, SQL_EVENT_BY_ID);
	if (st)
		db_bind_int(st, 1, event_id);
	return event_row(db, st);
}

int reg_may_manage(const struct principal *p, const json_t *ev)
{
	struct auth_scope sc = {
		.event_id = json_integer_value(json_object_get(ev, "id")),
		.series_id = json_integer_value(json_object_get(ev, "series_id")),
	};
	return auth_can(p, AUTH_REGISTRATION_MANAGE, &sc);
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

const char *reg_window(const json_t *ev, int64_t now)
{
	const json_t *r = json_object_get(ev, "registration");
	if (!json_is_object(r) || !str_eq(jstr(ev, "status"), "published"))
		return "none";
	const char *opens = jstr(r, "opens_at"), *closes = jstr(r, "closes_at");
	if (opens && time_parse_rfc3339(opens) > now)
		return "not_yet";
	if (closes && time_parse_rfc3339(closes) <= now)
		return "closed";
	/* after the event's last day (UTC), whatever the settings say */
	char today[REG_TS_SIZE];
	reg_ts(now, today);
	const char *ends = jstr(ev, "ends_on");
	if (ends && strncmp(ends, today, 10) < 0)
		return "closed";
	return "open";
}

/* ------------------------------------------------------------ rooms */

const char *reg_region_of(const char *country)
{
	/* ICU's copy of UN M49: the sub-region ("030" Eastern Asia) */
	if (!country || strlen(country) != 2)
		return NULL;
	UErrorCode err = U_ZERO_ERROR;
	const URegion *r = uregion_getRegionFromCode(country, &err);
	if (U_FAILURE(err) || !r)
		return NULL;
	const URegion *sub = uregion_getContainingRegionOfType(r, URGN_SUBCONTINENT);
	return sub ? uregion_getRegionCode(sub) : NULL;
}

static int attr_index(const char *name)
{
	for (int i = 0; i < REG_NATTR; i++)
		if (str_eq(attr_names[i], name))
			return i;
	return -1;
}

/* Reads the quotas of ev (as reg_event gives them) into room->quotas. */
static void room_quotas(struct reg_room_buf *rb, const json_t *ev)
{
	const json_t *qs = json_object_get(json_object_get(ev, "registration"), "quotas");
	size_t i;
	const json_t *q;
	rb->nquotas = 0;
	json_array_foreach(qs, i, q) {
		if (rb->nquotas >= REG_QUOTAS_MAX)
			break;
		struct reg_quota *o = &rb->quotas[rb->nquotas];
		char a[64], v[256];
		snprintf(a, sizeof(a), "%s", jstr(q, "attribute") ? jstr(q, "attribute") : "");
		snprintf(v, sizeof(v), "%s", jstr(q, "value") ? jstr(q, "value") : "");
		char *a2 = strchr(a, ','), *v2 = strchr(v, ',');
		if (a2)
			*a2++ = '\0';
		if (v2)
			*v2++ = '\0';
		o->attr = attr_index(a);
		o->attr2 = a2 ? attr_index(a2) : -1;
		if (o->attr < 0 || (a2 && o->attr2 < 0))
			continue;
		o->value = arena_strdup(&rb->pool, v);
		o->value2 = v2 ? arena_strdup(&rb->pool, v2) : NULL;
		const json_t *x;
		o->max = (x = json_object_get(q, "max")) ? (int)json_integer_value(x) : -1;
		o->max_share = (x = json_object_get(q, "max_share")) ? json_number_value(x) : -1;
		o->min = (x = json_object_get(q, "min")) ? (int)json_integer_value(x) : -1;
		o->min_share = (x = json_object_get(q, "min_share")) ? json_number_value(x) : -1;
		rb->nquotas++;
	}
	rb->room.quotas = rb->quotas;
	rb->room.nquotas = rb->nquotas;
}

static void person_from(struct reg_room_buf *rb, struct reg_person *p, struct db_stmt *st)
{
	p->id = db_col_int(st, 0);
	for (int a = 0; a < 3; a++)
		p->attr[a] = db_col_text(st, 1 + a) ? arena_strdup(&rb->pool, db_col_text(st, 1 + a))
						    : NULL;
	p->attr[REG_REGION] = reg_region_of(p->attr[REG_COUNTRY]);
	p->since = time_parse_rfc3339(db_col_text(st, 4));
}

static enum hm_err load_people(struct reg_room_buf *rb, struct db *db, const char *sql,
			       int64_t event_id, struct reg_person **out, size_t *n)
{
	struct db_stmt *st = prep(db, sql);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, event_id);
	size_t cap = 64;
	*n = 0;
	*out = arena_alloc(&rb->pool, cap * sizeof(**out));
	int rc;
	while ((rc = db_step(st)) == 1) {
		if (*n == cap) {
			struct reg_person *more = arena_alloc(&rb->pool, 2 * cap * sizeof(*more));
			memcpy(more, *out, cap * sizeof(*more));
			*out = more;
			cap *= 2;
		}
		person_from(rb, &(*out)[(*n)++], st);
	}
	db_done(st);
	return rc < 0 ? HM_EDB : HM_OK;
}

enum hm_err reg_room_load(struct reg_room_buf *rb, struct db *db, const json_t *ev,
			  int keep_targets)
{
	memset(rb, 0, sizeof(*rb));
	arena_init(&rb->pool);
	const json_t *cap = json_object_get(ev, "capacity");
	rb->room.capacity = json_is_integer(cap) ? (int)json_integer_value(cap) : -1;
	rb->room.keep_targets = keep_targets;
	room_quotas(rb, ev);
	struct reg_person *seated;
	enum hm_err e = load_people(rb, db, SQL_SEATED, json_integer_value(json_object_get(ev, "id")),
				    &seated, &rb->room.nseated);
	rb->room.seated = seated;
	return e;
}

void reg_room_free(struct reg_room_buf *rb)
{
	arena_free(&rb->pool);
}

/* Seats p in rb (after the store seated them). */
static void room_add(struct reg_room_buf *rb, const struct reg_person *p)
{
	struct reg_person *more =
		arena_alloc(&rb->pool, (rb->room.nseated + 1) * sizeof(*more));
	if (rb->room.nseated)
		memcpy(more, rb->room.seated, rb->room.nseated * sizeof(*more));
	more[rb->room.nseated++] = *p;
	rb->room.seated = more;
}

/* --------------------------------------------------------- registrations */

static json_t *reg_row(struct db_stmt *st)
{
	json_t *r = db_row_json(st);
	json_t *ans = json_loads(jstr(r, "answers") ? jstr(r, "answers") : "{}", 0, NULL);
	json_object_set_new(r, "answers", json_is_object(ans) ? ans : json_object());
	if (!json_is_object(ans))
		json_decref(ans);
	json_object_set_new(r, "consent_directory",
			    json_boolean(json_integer_value(json_object_get(r, "consent_directory"))));
	json_object_set_new(r, "wants_letter",
			    json_boolean(json_integer_value(json_object_get(r, "wants_letter"))));
	return r;
}

json_t *reg_get(struct db *db, int64_t id)
{
	struct db_stmt *st = prep(db, SQL_GET);
	if (!st)
		return NULL;
	db_bind_int(st, 1, id);
	json_t *r = NULL;
	if (db_step(st) == 1)
		r = reg_row(st);
	db_done(st);
	return r;
}

json_t *reg_list(struct db *db, int64_t event_id, const char *status, const char *q)
{
	struct db_stmt *st = prep(db, SQL_LIST);
	if (!st)
		return NULL;
	db_bind_int(st, 1, event_id);
	bind_opt(st, 2, status);
	bind_opt(st, 3, status);
	char *like = NULL;
	if (q && *q) {
		char low[256];
		reg_key_of(q, low, sizeof(low));
		like = xasprintf("%%%s%%", low);
	}
	for (int i = 4; i <= 7; i++)
		bind_opt(st, i, like);
	json_t *list = json_array();
	int rc;
	while ((rc = db_step(st)) == 1) {
		json_t *r = reg_row(st);
		json_object_del(r, "manage_salt");
		json_array_append_new(list, r);
	}
	db_done(st);
	free(like);
	if (rc < 0) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* Sets the status of id (and the deadline of an offer), in the caller's
 * transaction. */
static enum hm_err set_status(struct db *db, int64_t id, const char *status,
			      const char *offer_until, int64_t now)
{
	char ts[REG_TS_SIZE];
	reg_ts(now, ts);
	struct db_stmt *st = prep(db, SQL_SET_STATUS);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, status);
	bind_opt(st, 2, offer_until);
	db_bind_text(st, 3, ts);
	db_bind_text(st, 4, ts);
	db_bind_int(st, 5, id);
	return db_run(st);
}

int seated_str(const char *s)
{
	return str_eq(s, "approved") || str_eq(s, "offered");
}

/* Offers free seats to the waiting list and expires lapsed offers, in the
 * caller's transaction. */
enum hm_err reg_fill_seats_tx(struct db *db, const json_t *ev, int64_t now)
{
	int64_t event_id = json_integer_value(json_object_get(ev, "id"));
	char ts[REG_TS_SIZE];
	reg_ts(now, ts);
	/* lapsed offers first: their seats are free again */
	struct db_stmt *st = prep(db, SQL_LAPSED);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, event_id);
	db_bind_text(st, 2, ts);
	int64_t lapsed[256];
	size_t nl = 0;
	int rc;
	while ((rc = db_step(st)) == 1 && nl < HM_ARRAY_LEN(lapsed))
		lapsed[nl++] = db_col_int(st, 0);
	db_done(st);
	if (rc < 0)
		return HM_EDB;
	enum hm_err e;
	for (size_t i = 0; i < nl; i++) {
		if ((e = set_status(db, lapsed[i], "expired", NULL, now)) != HM_OK)
			return e;
		audit_record_at(db, NULL, "registration.expired", "registration", lapsed[i], NULL,
				NULL, now);
		reg_mail_status(db, ev, lapsed[i], "expired", NULL, now);
	}
	if (!json_is_object(json_object_get(ev, "registration")))
		return HM_OK;
	/* no offers once the event has begun */
	if (strncmp(jstr(ev, "starts_on") ? jstr(ev, "starts_on") : "", ts, 10) <= 0)
		return HM_OK;
	struct reg_room_buf rb;
	int keep = str_eq(reg_window(ev, now), "open");
	if ((e = reg_room_load(&rb, db, ev, keep)) != HM_OK) {
		reg_room_free(&rb);
		return e;
	}
	struct reg_person *waiting;
	size_t nw;
	if ((e = load_people(&rb, db, SQL_WAITING, event_id, &waiting, &nw)) != HM_OK) {
		reg_room_free(&rb);
		return e;
	}
	int64_t hours = json_integer_value(
		json_object_get(json_object_get(ev, "registration"), "confirm_hours"));
	char until[REG_TS_SIZE];
	reg_ts(now + (hours > 0 ? hours : 72) * 3600, until);
	for (;;) {
		ptrdiff_t k = reg_pick(&rb.room, waiting, nw);
		if (k < 0)
			break;
		struct reg_person p = waiting[k];
		waiting[k] = waiting[--nw];
		if ((e = set_status(db, p.id, "offered", until, now)) != HM_OK)
			break;
		audit_record_at(db, NULL, "registration.offered", "registration", p.id, NULL, NULL,
				now);
		reg_mail_status(db, ev, p.id, "offered", NULL, now);
		room_add(&rb, &p);
	}
	reg_room_free(&rb);
	return e;
}

enum hm_err reg_fill_seats(struct db *db, const json_t *ev, int64_t now)
{
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	if ((e = reg_fill_seats_tx(db, ev, now)) != HM_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

/* ------------------------------------------------------------ input */

static int text_ok(const char *s, size_t max, int multiline)
{
	if (!s)
		return 1;
	size_t n = strlen(s);
	if (n > max || !utf8_valid(s, n))
		return 0;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if ((*c < 0x20 && !(multiline && (*c == '\n' || *c == '\r' || *c == '\t'))) ||
		    *c == 0x7f)
			return 0;
	return 1;
}

int reg_date_ok(const char *s)
{
	int y, m, d;
	char tail;
	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    s[4] != '-' || s[7] != '-' || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
		return 0;
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (d > days[m - 1])
		return 0;
	return !(m == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)));
}

int reg_email_ok(const char *s)
{
	if (!s)
		return 0;
	size_t n = strlen(s);
	const char *at = strchr(s, '@');
	if (n < 3 || n > AUTH_EMAIL_MAX || !at || at == s || strchr(at + 1, '@') ||
	    !strchr(at + 1, '.') || at[1] == '.' || s[n - 1] == '.')
		return 0;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c <= 0x20 || *c >= 0x7f || strchr("<>()[]\\,;:\"", *c))
			return 0;
	return 1;
}

/* The string value of key in in (a JSON string, or a number as text); NULL
 * when absent, null or "". */
static const char *in_str(const json_t *in, const char *key, struct arena *a)
{
	const json_t *v = json_object_get(in, key);
	if (json_is_string(v))
		return *json_string_value(v) ? json_string_value(v) : NULL;
	if (json_is_integer(v))
		return arena_printf(a, "%lld", (long long)json_integer_value(v));
	return NULL;
}

static int in_bool(const json_t *in, const char *key)
{
	const json_t *v = json_object_get(in, key);
	if (json_is_boolean(v))
		return json_is_true(v);
	const char *s = json_string_value(v);
	return s && *s && !str_eq(s, "0") && !str_eq(s, "false") && !str_eq(s, "off");
}

/* The answers to the organisers' questions, checked; a new object. */
static json_t *check_answers(const json_t *questions, const json_t *given, int approved,
			     json_t *old, struct field_errors *errs)
{
	/* the answers of questions not asked now stay as they were */
	json_t *out = old ? json_deep_copy(old) : json_object();
	size_t i;
	const json_t *q;
	json_array_foreach(questions, i, q) {
		const char *id = jstr(q, "id"), *kind = jstr(q, "kind");
		if (!id || !kind || approved < 0 ||
		    (!approved && str_eq(jstr(q, "stage"), "approved")))
			continue;
		json_object_del(out, id);
		char field[40];
		snprintf(field, sizeof(field), "q_%s", id);
		const json_t *v = json_object_get(given, id);
		int required = json_is_true(json_object_get(q, "required"));
		const json_t *options = json_object_get(q, "options");
		if (str_eq(kind, "multiple")) {
			json_t *picked = json_array();
			size_t j;
			const json_t *x;
			if (json_is_string(v) && *json_string_value(v)) {
				json_array_append_new(picked, json_deep_copy(v));
			} else if (json_is_array(v)) {
				json_array_foreach(v, j, x) json_array_append_new(picked, json_deep_copy(x));
			}
			int bad = 0;
			json_array_foreach(picked, j, x) {
				int known = 0;
				size_t k;
				const json_t *o;
				json_array_foreach(options, k, o) known |= json_equal(o, x);
				bad |= !known;
			}
			if (bad)
				field_error_add(errs, field, "Choose among the options given.");
			else if (required && json_array_size(picked) == 0)
				field_error_add(errs, field, "Choose at least one.");
			if (json_array_size(picked))
				json_object_set(out, id, picked);
			json_decref(picked);
			continue;
		}
		const char *s = json_is_string(v) ? json_string_value(v) : NULL;
		if (json_is_boolean(v))
			s = json_is_true(v) ? "yes" : "no";
		if (!s || !*s) {
			if (required)
				field_error_add(errs, field, "Please answer this question.");
			continue;
		}
		int ok = 1;
		if (str_eq(kind, "text"))
			ok = text_ok(s, 2000, 1);
		else if (str_eq(kind, "yesno"))
			ok = str_eq(s, "yes") || str_eq(s, "no");
		else if (str_eq(kind, "date"))
			ok = reg_date_ok(s);
		else if (str_eq(kind, "choice")) {
			size_t k;
			const json_t *o;
			ok = 0;
			json_array_foreach(options, k, o) ok |= str_eq(json_string_value(o), s);
		}
		if (!ok) {
			field_error_add(errs, field,
					str_eq(kind, "date") ? "Write a date as YYYY-MM-DD."
					: str_eq(kind, "text") ? "Write at most 2,000 characters."
							       : "Choose among the options given.");
			continue;
		}
		json_object_set_new(out, id, json_string(s));
	}
	return out;
}

int reg_read_person(struct db *db, const json_t *ev, const json_t *in, int approved,
		    json_t *old_answers, struct arena *a, struct reg_input *out,
		    struct field_errors *errs)
{
	memset(out, 0, sizeof(*out));
	out->name = in_str(in, "name", a);
	out->email = in_str(in, "email", a);
	out->organisation = in_str(in, "organisation", a);
	out->position = in_str(in, "position", a);
	out->sector = in_str(in, "sector", a);
	out->country = in_str(in, "country", a);
	out->gender = in_str(in, "gender", a);
	out->languages = in_str(in, "languages", a);
	out->accessibility = in_str(in, "accessibility", a);
	out->dietary = in_str(in, "dietary", a);
	out->consent = in_bool(in, "consent_directory");
	out->wants_letter = in_bool(in, "wants_letter");
	const char *org_id = in_str(in, "organisation_id", a);
	if (org_id) {
		char *end;
		long long id = strtoll(org_id, &end, 10);
		struct db_stmt *st = *end || id <= 0 ? NULL : prep(db, SQL_ORG);
		if (st) {
			db_bind_int(st, 1, id);
			if (db_step(st) == 1) {
				out->organisation_id = id;
				out->organisation = arena_strdup(a, db_col_text(st, 0));
				if (!out->sector)
					out->sector = arena_strdup(a, db_col_text(st, 1));
			}
			db_done(st);
		}
		if (!out->organisation_id)
			field_error_add(errs, "organisation_id", "Choose an organisation from the list.");
	} else if (out->organisation) {
		/* a known organisation typed by its name or acronym is that one */
		struct db_stmt *st = prep(db, SQL_ORG_BY_NAME);
		if (st) {
			db_bind_text(st, 1, out->organisation);
			db_bind_text(st, 2, out->organisation);
			if (db_step(st) == 1) {
				out->organisation_id = db_col_int(st, 0);
				out->organisation = arena_strdup(a, db_col_text(st, 1));
				if (!out->sector)
					out->sector = arena_strdup(a, db_col_text(st, 2));
			}
			db_done(st);
		}
	}
	if (!out->name)
		field_error_add(errs, "name", "Write your name.");
	else if (!text_ok(out->name, 200, 0))
		field_error_add(errs, "name", "Write at most 200 characters, on one line.");
	if (out->email && !reg_email_ok(out->email))
		field_error_add(errs, "email", "Write an e-mail address such as name@example.org.");
	if (!text_ok(out->organisation, 200, 0))
		field_error_add(errs, "organisation", "Write at most 200 characters, on one line.");
	if (!text_ok(out->position, 200, 0))
		field_error_add(errs, "position", "Write at most 200 characters, on one line.");
	if (!out->sector)
		field_error_add(errs, "sector", "Choose the sector you work in.");
	else if (!admin_in_list(admin_sectors, out->sector))
		field_error_add(errs, "sector", "Choose among the options given.");
	if (!out->country)
		field_error_add(errs, "country", "Choose your country.");
	else if (!admin_country_valid(out->country))
		field_error_add(errs, "country", "Choose among the options given.");
	if (out->gender && !admin_in_list(reg_genders, out->gender))
		field_error_add(errs, "gender", "Choose among the options given.");
	if (!text_ok(out->languages, 200, 0))
		field_error_add(errs, "languages", "Write at most 200 characters, on one line.");
	if (!text_ok(out->accessibility, 1000, 1))
		field_error_add(errs, "accessibility", "Write at most 1,000 characters.");
	if (!text_ok(out->dietary, 1000, 1))
		field_error_add(errs, "dietary", "Write at most 1,000 characters.");
	const json_t *questions =
		json_object_get(json_object_get(ev, "registration"), "questions");
	json_t *given = json_object_get(in, "answers");
	json_t *answers = check_answers(questions, json_is_object(given) ? given : in, approved,
					old_answers, errs);
	char *dump = json_dumps(answers, JSON_COMPACT | JSON_SORT_KEYS);
	out->answers = arena_strdup(a, dump ? dump : "{}");
	free(dump);
	json_decref(answers);
	return errs->n;
}

json_t *reg_directory(struct db *db, int64_t event_id)
{
	struct db_stmt *st = prep(db, SQL_DIRECTORY);
	if (!st)
		return NULL;
	db_bind_int(st, 1, event_id);
	return db_rows_json(st);
}

void reg_email_key(const char *email, char *out, size_t n)
{
	reg_key_of(email, out, n);
}

int64_t reg_participant_id(struct db *db, int64_t event_id, const char *email)
{
	if (!email || !*email)
		return 0;
	char key[AUTH_EMAIL_MAX + 1];
	reg_key_of(email, key, sizeof(key));
	struct db_stmt *st = prep(db, SQL_IS_PARTICIPANT);
	if (!st)
		return -1;
	db_bind_int(st, 1, event_id);
	db_bind_text(st, 2, key);
	int rc = db_step(st);
	int64_t id = rc == 1 ? db_col_int(st, 0) : 0;
	db_done(st);
	return rc < 0 ? -1 : id;
}

int reg_is_participant(struct db *db, int64_t event_id, const char *email)
{
	int64_t id = reg_participant_id(db, event_id, email);
	return id < 0 ? -1 : id > 0;
}

/* ------------------------------------------------------------ delegations */

static const char SQL_DELEGATIONS[] =
	"SELECT id, name, focal_name, focal_email, organisation, sector, country, created_at "
	"FROM registration_delegation WHERE event_id = ? ORDER BY id";
static const char SQL_DELEGATION_MEMBERS[] =
	"SELECT id, delegation_id, name, email, position, status FROM registration "
	"WHERE event_id = ? AND delegation_id IS NOT NULL ORDER BY delegation_id, id";
static const char SQL_DELEGATION_LETTER[] =
	"SELECT letter FROM registration_delegation WHERE event_id = ? AND id = ?";

json_t *reg_delegations(struct db *db, int64_t event_id)
{
	struct db_stmt *st = prep(db, SQL_DELEGATIONS);
	if (!st)
		return NULL;
	db_bind_int(st, 1, event_id);
	json_t *list = db_rows_json(st);
	if (!list || !(st = prep(db, SQL_DELEGATION_MEMBERS))) {
		json_decref(list);
		return NULL;
	}
	db_bind_int(st, 1, event_id);
	json_t *members = db_rows_json(st);
	if (!members) {
		json_decref(list);
		return NULL;
	}
	size_t i, j;
	json_t *d, *m;
	json_array_foreach(list, i, d) {
		json_t *mine = json_array();
		json_int_t id = json_integer_value(json_object_get(d, "id"));
		json_array_foreach(members, j, m) if (json_integer_value(json_object_get(
							      m, "delegation_id")) == id)
			json_array_append(mine, m);
		json_object_set_new(d, "members", mine);
	}
	json_decref(members);
	return list;
}

enum hm_err reg_delegation_letter(struct db *db, int64_t event_id, int64_t id, char **pdf,
				  size_t *len)
{
	*pdf = NULL;
	*len = 0;
	struct db_stmt *st = prep(db, SQL_DELEGATION_LETTER);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, event_id);
	db_bind_int(st, 2, id);
	int rc = db_step(st);
	enum hm_err e = rc < 0 ? HM_EDB : rc == 0 ? HM_ENOTFOUND : HM_OK;
	if (rc == 1) {
		const char *b64 = db_col_text(st, 0);
		size_t n = b64 ? strlen(b64) : 0;
		*pdf = xmalloc(n + 1);
		if (sodium_base642bin((unsigned char *)*pdf, n + 1, b64 ? b64 : "", n, NULL, len, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0) {
			free(*pdf);
			*pdf = NULL;
			e = HM_EINTERNAL;
		}
	}
	db_done(st);
	return e;
}

json_t *reg_org_names(struct db *db)
{
	struct db_stmt *st = prep(db, SQL_ORG_NAMES);
	return st ? db_rows_json(st) : NULL;
}
