/*
 * settings.c — how an event takes registrations: the mode, the window,
 * the capacity (the event's), the quotas and the organisers' questions,
 * checked and saved in one transaction, audited.
 */
#include "features/registration/reg_internal.h"

#include "core/text.h"
#include "db/db.h"
#include "features/events/events_admin.h"
#include "view/i18n.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_SETTING_UPSERT[] =
	"INSERT INTO registration_setting (event_id, mode, opens_at, closes_at, confirm_hours, "
	"directory, retention_days, questions, updated_at, letter_org, letter_address, "
	"letter_signatory, letter_signatory_title) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	"ON CONFLICT (event_id) DO UPDATE SET mode = excluded.mode, opens_at = excluded.opens_at, "
	"closes_at = excluded.closes_at, confirm_hours = excluded.confirm_hours, "
	"directory = excluded.directory, retention_days = excluded.retention_days, "
	"questions = excluded.questions, updated_at = excluded.updated_at, "
	"letter_org = excluded.letter_org, letter_address = excluded.letter_address, "
	"letter_signatory = excluded.letter_signatory, "
	"letter_signatory_title = excluded.letter_signatory_title";
static const char SQL_EVENT_CAPACITY[] =
	"UPDATE event SET capacity = ?, updated_at = ? WHERE id = ?";
static const char SQL_QUOTAS_DELETE[] = "DELETE FROM registration_quota WHERE event_id = ?";
static const char SQL_QUOTA_INSERT[] =
	"INSERT INTO registration_quota (event_id, position, attribute, value, attribute2, value2, "
	"max_count, max_share, min_count, min_share) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static const char *const attrs[] = {"sector", "country", "gender", "region", NULL};

/* A whole number from a JSON integer or a string of digits; 0 when not. */
static int int_of(const json_t *v, long long lo, long long hi, long long *out)
{
	if (json_is_integer(v))
		*out = json_integer_value(v);
	else if (json_is_string(v) && *json_string_value(v)) {
		char *end;
		*out = strtoll(json_string_value(v), &end, 10);
		if (*end)
			return 0;
	} else
		return 0;
	return *out >= lo && *out <= hi;
}

static int share_of(const json_t *v, double *out)
{
	if (json_is_number(v))
		*out = json_number_value(v);
	else if (json_is_string(v) && *json_string_value(v)) {
		char *end;
		*out = strtod(json_string_value(v), &end);
		if (*end)
			return 0;
	} else
		return 0;
	return isfinite(*out) && *out >= 0 && *out <= 1;
}

static int value_ok(const char *attr, const char *v)
{
	if (!v || !*v)
		return 0;
	if (str_eq(attr, "sector"))
		return admin_in_list(admin_sectors, v);
	if (str_eq(attr, "gender"))
		return admin_in_list(reg_genders, v);
	if (str_eq(attr, "country"))
		return admin_country_valid(v);
	return strlen(v) == 3 && v[0] >= '0' && v[0] <= '9' && v[1] >= '0' && v[1] <= '9' &&
	       v[2] >= '0' && v[2] <= '9';
}

/* One quota checked into its columns; a msgid when it is wrong. */
struct quota_cols {
	char a1[16], a2[16], v1[64], v2[64];
	long long max, min;
	double max_share, min_share;
	int has_max, has_min, has_max_share, has_min_share;
};

static const char *check_quota(const json_t *q, int has_capacity, struct quota_cols *c)
{
	memset(c, 0, sizeof(*c));
	const char *a = json_string_value(json_object_get(q, "attribute"));
	const char *v = json_string_value(json_object_get(q, "value"));
	if (!json_is_object(q) || !a || !v || strlen(a) >= 32 || strlen(v) >= 128)
		return "Each quota needs an attribute and a value.";
	const char *comma = strchr(a, ','), *vcomma = strchr(v, ',');
	if (!comma != !vcomma)
		return "A quota on two attributes needs two values, separated by a comma.";
	snprintf(c->a1, sizeof(c->a1), "%.*s", comma ? (int)(comma - a) : (int)strlen(a), a);
	snprintf(c->v1, sizeof(c->v1), "%.*s", vcomma ? (int)(vcomma - v) : (int)strlen(v), v);
	if (comma) {
		snprintf(c->a2, sizeof(c->a2), "%s", comma + 1);
		snprintf(c->v2, sizeof(c->v2), "%s", vcomma + 1);
	}
	if (!admin_in_list(attrs, c->a1) || (comma && (!admin_in_list(attrs, c->a2) ||
						       str_eq(c->a1, c->a2))))
		return "A quota's attribute is sector, country, gender or region, or two of them.";
	if (!value_ok(c->a1, c->v1) || (comma && !value_ok(c->a2, c->v2)))
		return "A quota's value is not one the attribute takes.";
	const json_t *x;
	if ((x = json_object_get(q, "max")) && !json_is_null(x) &&
	    !(c->has_max = int_of(x, 0, 1000000, &c->max)))
		return "A cap is a whole number of people, 0 or more.";
	if ((x = json_object_get(q, "min")) && !json_is_null(x) &&
	    !(c->has_min = int_of(x, 0, 1000000, &c->min)))
		return "A target is a whole number of people, 0 or more.";
	if ((x = json_object_get(q, "max_share")) && !json_is_null(x) &&
	    !(c->has_max_share = share_of(x, &c->max_share)))
		return "A share is a number from 0 to 1 (0.35 for 35 %).";
	if ((x = json_object_get(q, "min_share")) && !json_is_null(x) &&
	    !(c->has_min_share = share_of(x, &c->min_share)))
		return "A share is a number from 0 to 1 (0.35 for 35 %).";
	if (!c->has_max && !c->has_min && !c->has_max_share && !c->has_min_share)
		return "Give each quota a cap or a target.";
	if ((c->has_max_share || c->has_min_share) && !has_capacity)
		return "A share needs a capacity to be a share of.";
	return NULL;
}

/* The questions checked, each given an id; a new array or NULL (errs). */
static json_t *check_questions(const json_t *qs, struct field_errors *errs)
{
	if (!json_is_array(qs) || json_array_size(qs) > REG_QUESTIONS_MAX) {
		field_error_add(errs, "questions", "Send at most 30 questions, as a list.");
		return NULL;
	}
	json_t *out = json_array();
	size_t i;
	const json_t *q;
	json_array_foreach(qs, i, q) {
		const char *label = json_string_value(json_object_get(q, "label"));
		const char *kind = json_string_value(json_object_get(q, "kind"));
		const char *id = json_string_value(json_object_get(q, "id"));
		const json_t *options = json_object_get(q, "options");
		const char *stage = json_string_value(json_object_get(q, "stage"));
		const char *why = NULL;
		if (stage && !str_eq(stage, "registration") && !str_eq(stage, "approved"))
			why = "A question is asked at registration or of approved participants.";
		if (!label || !*label || strlen(label) > 300)
			why = "Each question needs a text of at most 300 characters.";
		else if (!admin_in_list(reg_question_kinds, kind))
			why = "A question is of kind text, choice, multiple, yesno or date.";
		else if (id && (!*id || strlen(id) > 32 || strspn(id, "abcdefghijklmnopqrstuvwxyz"
									 "0123456789_-") != strlen(id)))
			why = "A question's id is made of a to z, digits, - and _.";
		json_t *opts = json_array();
		if (!why && (str_eq(kind, "choice") || str_eq(kind, "multiple"))) {
			size_t j;
			const json_t *o;
			if (!json_is_array(options) || json_array_size(options) == 0 ||
			    json_array_size(options) > 30)
				why = "A choice needs from 1 to 30 options.";
			json_array_foreach(options, j, o) {
				const char *s = json_string_value(o);
				if (!s || !*s || strlen(s) > 200)
					why = "Each option is a text of at most 200 characters.";
				else
					json_array_append_new(opts, json_deep_copy(o));
			}
		}
		char gen[24];
		snprintf(gen, sizeof(gen), "q%zu", i + 1);
		json_t *one = json_pack("{s:s, s:s, s:s, s:b, s:o, s:s}", "id", id ? id : gen, "label",
					label ? label : "", "kind", kind ? kind : "", "required",
					json_is_true(json_object_get(q, "required")), "options", opts,
					"stage", str_eq(stage, "approved") ? "approved" : "registration");
		for (size_t k = 0; !why && k < json_array_size(out); k++)
			if (str_eq(json_string_value(json_object_get(json_array_get(out, k), "id")),
				   id ? id : gen))
				why = "Two questions have the same id.";
		json_array_append_new(out, one);
		if (why) {
			field_error_add(errs, "questions", why);
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

enum hm_err reg_settings_save(struct db *db, const struct principal *p, const json_t *ev,
			      const json_t *in, int64_t now, struct field_errors *errs)
{
	if (!reg_may_manage(p, ev))
		return HM_EFORBIDDEN;
	const json_t *old = json_object_get(ev, "registration");
	/* absent keys keep their value */
#define PICK(k) (json_object_get(in, k) ? json_object_get(in, k) : json_object_get(old, k))
	const char *mode = json_string_value(PICK("mode"));
	const char *directory = json_string_value(PICK("directory"));
	const json_t *jopens = PICK("opens_at"), *jcloses = PICK("closes_at");
	const char *opens = json_string_value(jopens), *closes = json_string_value(jcloses);
	long long hours = 72, retention = 180, capacity = -1;
	const json_t *jh = PICK("confirm_hours"), *jr = PICK("retention_days");
	const json_t *jc = json_object_get(in, "capacity") ? json_object_get(in, "capacity")
							    : json_object_get(ev, "capacity");
#undef PICK
	/* the letterhead: plain text, the address on several lines */
	static const char *const letter_keys[] = {"letter_org", "letter_address", "letter_signatory",
						  "letter_signatory_title"};
	const char *letter[4];
	for (int k = 0; k < 4; k++) {
		const json_t *v = json_object_get(in, letter_keys[k]) ? json_object_get(in, letter_keys[k])
								      : json_object_get(old, letter_keys[k]);
		letter[k] = json_string_value(v);
		if (v && !json_is_null(v) && !json_is_string(v))
			field_error_add(errs, letter_keys[k], "Write a text.");
		else if (letter[k] && (strlen(letter[k]) > (k == 1 ? 1000u : 300u) ||
				       !utf8_valid(letter[k], strlen(letter[k]))))
			field_error_add(errs, letter_keys[k], "Write at most 300 characters (1,000 for "
							      "the address).");
	}
	if (!mode)
		mode = "approval";
	if (!directory)
		directory = "none";
	if (!admin_in_list(reg_modes, mode))
		field_error_add(errs, "mode", "Choose open, approval or invitation.");
	if (!admin_in_list(reg_directories, directory))
		field_error_add(errs, "directory", "Choose among the options given.");
	if (jc && !json_is_null(jc) && !(json_is_string(jc) && !*json_string_value(jc)) &&
	    !int_of(jc, 0, 1000000, &capacity))
		field_error_add(errs, "capacity", "Write a whole number of seats, or nothing.");
	if (jh && !json_is_null(jh) && !int_of(jh, 1, 720, &hours))
		field_error_add(errs, "confirm_hours", "Write a number of hours from 1 to 720.");
	/* null or "": kept until the organisers say otherwise */
	if (jr && (json_is_null(jr) || (json_is_string(jr) && !*json_string_value(jr))))
		retention = -1;
	else if (jr && !int_of(jr, 1, 3650, &retention))
		field_error_add(errs, "retention_days", "Write a number of days from 1 to 3,650.");
	if (opens && !*opens)
		opens = NULL;
	if (closes && !*closes)
		closes = NULL;
	int64_t to = opens ? time_parse_rfc3339(opens) : 0, tc = closes ? time_parse_rfc3339(closes) : 0;
	if (to < 0 || (jopens && !json_is_null(jopens) && !json_is_string(jopens)))
		field_error_add(errs, "opens_at", "Write a time such as 2012-10-01T09:00:00Z.");
	if (tc < 0 || (jcloses && !json_is_null(jcloses) && !json_is_string(jcloses)))
		field_error_add(errs, "closes_at", "Write a time such as 2012-10-01T09:00:00Z.");
	if (opens && closes && to >= 0 && tc >= 0 && tc <= to)
		field_error_add(errs, "closes_at", "Registration must close after it opens.");
	const json_t *jq = json_object_get(in, "quotas") ? json_object_get(in, "quotas")
							  : json_object_get(old, "quotas");
	if (jq && !json_is_array(jq))
		field_error_add(errs, "quotas", "Send the quotas as a list.");
	else if (json_array_size(jq) > REG_QUOTAS_MAX)
		field_error_add(errs, "quotas", "Send at most 60 quotas.");
	struct quota_cols cols[REG_QUOTAS_MAX];
	size_t nq = 0, i;
	const json_t *q;
	if (json_is_array(jq) && json_array_size(jq) <= REG_QUOTAS_MAX)
		json_array_foreach(jq, i, q) {
			const char *why = check_quota(q, capacity >= 0, &cols[nq]);
			if (why) {
				field_error_add(errs, "quotas", why);
				break;
			}
			nq++;
		}
	const json_t *jqs = json_object_get(in, "questions") ? json_object_get(in, "questions")
							      : json_object_get(old, "questions");
	json_t *none = json_array();
	json_t *questions = check_questions(jqs ? jqs : none, errs);
	json_decref(none);
	if (errs->n) {
		json_decref(questions);
		return HM_EINVAL;
	}
	int64_t event_id = json_integer_value(json_object_get(ev, "id"));
	char ts[REG_TS_SIZE];
	reg_ts(now, ts);
	char *qtext = json_dumps(questions, JSON_COMPACT);
	enum hm_err e = db_begin(db);
	/* never fewer seats, nor a lower cap, than people seated already: the
	 * organisers decline or cancel some first */
	if (e == HM_OK) {
		json_t *probe = json_deep_copy(ev);
		json_object_set_new(probe, "capacity",
				    capacity >= 0 ? json_integer(capacity) : json_null());
		json_t *pr = json_object();
		json_object_set_new(pr, "quotas", jq ? json_deep_copy(jq) : json_array());
		json_object_set_new(probe, "registration", pr);
		struct reg_room_buf rb;
		if ((e = reg_room_load(&rb, db, probe, 0)) == HM_OK) {
			if (rb.room.capacity >= 0 && rb.room.nseated > (size_t)rb.room.capacity)
				field_error_add(errs, "capacity",
						"More people have a seat already. Decline or cancel "
						"some first.");
			for (size_t k = 0; k < rb.room.nquotas; k++) {
				int cap = reg_cap_seats(&rb.room.quotas[k], rb.room.capacity);
				if (cap >= 0 && reg_count(&rb.room, &rb.room.quotas[k]) > cap)
					field_error_add(errs, "quotas",
							"More people have a seat already than a cap "
							"allows. Decline or cancel some first.");
			}
		}
		reg_room_free(&rb);
		json_decref(probe);
		if (e == HM_OK && errs->n)
			e = HM_EINVAL;
	}
	struct db_stmt *st = e == HM_OK ? db_prepare(db, SQL_SETTING_UPSERT) : NULL;
	if (e == HM_OK && !st)
		e = HM_EDB;
	if (st) {
		db_bind_int(st, 1, event_id);
		db_bind_text(st, 2, mode);
		if (opens)
			db_bind_text(st, 3, opens);
		else
			db_bind_null(st, 3);
		if (closes)
			db_bind_text(st, 4, closes);
		else
			db_bind_null(st, 4);
		db_bind_int(st, 5, hours);
		db_bind_text(st, 6, directory);
		if (retention > 0)
			db_bind_int(st, 7, retention);
		else
			db_bind_null(st, 7);
		db_bind_text(st, 8, qtext ? qtext : "[]");
		db_bind_text(st, 9, ts);
		for (int k = 0; k < 4; k++)
			db_bind_text(st, 10 + k, letter[k] ? letter[k] : "");
		e = db_run(st);
	}
	if (e == HM_OK && (st = db_prepare(db, SQL_EVENT_CAPACITY))) {
		if (capacity >= 0)
			db_bind_int(st, 1, capacity);
		else
			db_bind_null(st, 1);
		db_bind_text(st, 2, ts);
		db_bind_int(st, 3, event_id);
		e = db_run(st);
	} else if (e == HM_OK)
		e = HM_EDB;
	if (e == HM_OK && (st = db_prepare(db, SQL_QUOTAS_DELETE))) {
		db_bind_int(st, 1, event_id);
		e = db_run(st);
	} else if (e == HM_OK)
		e = HM_EDB;
	for (size_t k = 0; e == HM_OK && k < nq; k++) {
		if (!(st = db_prepare(db, SQL_QUOTA_INSERT))) {
			e = HM_EDB;
			break;
		}
		struct quota_cols *c = &cols[k];
		db_bind_int(st, 1, event_id);
		db_bind_int(st, 2, (int64_t)k);
		db_bind_text(st, 3, c->a1);
		db_bind_text(st, 4, c->v1);
		if (c->a2[0]) {
			db_bind_text(st, 5, c->a2);
			db_bind_text(st, 6, c->v2);
		} else {
			db_bind_null(st, 5);
			db_bind_null(st, 6);
		}
		if (c->has_max)
			db_bind_int(st, 7, c->max);
		else
			db_bind_null(st, 7);
		if (c->has_max_share)
			db_bind_double(st, 8, c->max_share);
		else
			db_bind_null(st, 8);
		if (c->has_min)
			db_bind_int(st, 9, c->min);
		else
			db_bind_null(st, 9);
		if (c->has_min_share)
			db_bind_double(st, 10, c->min_share);
		else
			db_bind_null(st, 10);
		e = db_run(st);
	}
	free(qtext);
	json_decref(questions);
	json_t *after = NULL;
	if (e == HM_OK && !(after = reg_event_by_id(db, event_id)))
		e = HM_EDB;
	if (e == HM_OK)
		e = audit_record_at(db, p, "registration.settings", "event", event_id,
				    json_object_get(ev, "registration"),
				    json_object_get(after, "registration"), now);
	/* a larger room, or fewer caps, may free seats for the waiting list */
	if (e == HM_OK)
		e = reg_fill_seats_tx(db, after, now);
	json_decref(after);
	if (e != HM_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}
