/*
 * admit.c — a registration's life: registering (its first status by the
 * mode and the admission rules), organisers' decisions, the person's own
 * changes, cancellation and confirmation of an offered seat. Each is one
 * transaction; a change that frees a seat offers it to the waiting list
 * in the same transaction.
 */
#include "features/registration/reg_internal.h"

#include "core/text.h"
#include "db/db.h"
#include "view/i18n.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char SQL_TAKEN[] = "SELECT 1 FROM registration WHERE event_id = ? AND email_key = ?";
static const char SQL_INSERT[] =
	"INSERT INTO registration (event_id, email, email_key, name, organisation_id, "
	"organisation, position, sector, country, gender, languages, accessibility, dietary, "
	"consent_directory, answers, lang, status, manage_salt, invitation_id, created_at, "
	"updated_at, status_at, wants_letter, delegation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_INVITATION_USE[] =
	"UPDATE registration_invitation SET used_at = ? WHERE id = ? AND used_at IS NULL";
static const char SQL_SELF_UPDATE[] =
	"UPDATE registration SET name = ?, organisation_id = ?, organisation = ?, position = ?, "
	"sector = ?, country = ?, gender = ?, languages = ?, accessibility = ?, dietary = ?, "
	"consent_directory = ?, answers = ?, updated_at = ?, wants_letter = ? WHERE id = ?";
static const char SQL_SET_STATUS[] =
	"UPDATE registration SET status = ?, offer_expires_at = NULL, status_at = ?, "
	"updated_at = ? WHERE id = ?";

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void bind_opt(struct db_stmt *st, int i, const char *s)
{
	if (s && *s)
		db_bind_text(st, i, s);
	else
		db_bind_null(st, i);
}

static struct reg_person person_in(const struct reg_input *in)
{
	struct reg_person p = {0};
	p.attr[REG_SECTOR] = in->sector;
	p.attr[REG_COUNTRY] = in->country;
	p.attr[REG_GENDER] = in->gender;
	p.attr[REG_REGION] = reg_region_of(in->country);
	return p;
}

static struct reg_person person_of(const json_t *r)
{
	struct reg_person p = {.id = json_integer_value(json_object_get(r, "id"))};
	p.attr[REG_SECTOR] = jstr(r, "sector");
	p.attr[REG_COUNTRY] = jstr(r, "country");
	p.attr[REG_GENDER] = jstr(r, "gender");
	p.attr[REG_REGION] = reg_region_of(p.attr[REG_COUNTRY]);
	return p;
}

/* What the quota at index which says, for a refusal: a msgid. */
static const char *verdict_why(enum reg_verdict v)
{
	switch (v) {
	case REG_FULL:
		return "The event is full.";
	case REG_CAP:
		return "This would pass a quota's cap.";
	case REG_RESERVED:
		return "The free seats are kept for a target.";
	default:
		return NULL;
	}
}

static enum hm_err fail(struct db *db, enum hm_err e)
{
	db_rollback(db);
	return e;
}

/* Inserts the person r (checked) for ev in the caller's transaction: one
 * per address (HM_EEXIST), the status by the mode and the rules, the
 * invitation used, audited, mailed. *id and *status (a static string),
 * salt (33 bytes) for the person's link. */
static enum hm_err insert_person(struct db *db, const struct principal *p, const json_t *ev,
				 const struct reg_input *r, int64_t invitation_id,
				 int64_t delegation_id, const char *lang, int64_t now, int64_t *id,
				 const char **status, char salt[33])
{
	int64_t event_id = json_integer_value(json_object_get(ev, "id"));
	const char *mode = jstr(json_object_get(ev, "registration"), "mode");
	char key[AUTH_EMAIL_MAX + 1];
	reg_key_of(r->email, key, sizeof(key));
	struct db_stmt *st = db_prepare(db, SQL_TAKEN);
	if (!st)
		return HM_EDB;
	db_bind_int(st, 1, event_id);
	db_bind_text(st, 2, key);
	int rc = db_step(st);
	db_done(st);
	if (rc != 0)
		return rc < 0 ? HM_EDB : HM_EEXIST;
	/* the status: organisers decide in approval mode and for delegations;
	 * otherwise the rules */
	enum hm_err e;
	*status = "pending";
	if (!str_eq(mode, "approval") && !delegation_id) {
		struct reg_room_buf rb;
		if ((e = reg_room_load(&rb, db, ev, 1)) != HM_OK) {
			reg_room_free(&rb);
			return e;
		}
		struct reg_person person = person_in(r);
		*status = reg_admit(&rb.room, &person, NULL) == REG_FITS ? "approved" : "waitlisted";
		reg_room_free(&rb);
	}
	unsigned char salt_bin[16];
	char ts[REG_TS_SIZE];
	randombytes_buf(salt_bin, sizeof(salt_bin));
	sodium_bin2hex(salt, 33, salt_bin, sizeof(salt_bin));
	reg_ts(now, ts);
	if (!(st = db_prepare(db, SQL_INSERT)))
		return HM_EDB;
	db_bind_int(st, 1, event_id);
	db_bind_text(st, 2, r->email);
	db_bind_text(st, 3, key);
	db_bind_text(st, 4, r->name);
	if (r->organisation_id)
		db_bind_int(st, 5, r->organisation_id);
	else
		db_bind_null(st, 5);
	db_bind_text(st, 6, r->organisation ? r->organisation : "");
	db_bind_text(st, 7, r->position ? r->position : "");
	bind_opt(st, 8, r->sector);
	bind_opt(st, 9, r->country);
	bind_opt(st, 10, r->gender);
	db_bind_text(st, 11, r->languages ? r->languages : "");
	db_bind_text(st, 12, r->accessibility ? r->accessibility : "");
	db_bind_text(st, 13, r->dietary ? r->dietary : "");
	db_bind_int(st, 14, r->consent);
	db_bind_text(st, 15, r->answers);
	db_bind_text(st, 16, lang && *lang ? lang : "en");
	db_bind_text(st, 17, *status);
	db_bind_text(st, 18, salt);
	if (invitation_id)
		db_bind_int(st, 19, invitation_id);
	else
		db_bind_null(st, 19);
	db_bind_text(st, 20, ts);
	db_bind_text(st, 21, ts);
	db_bind_text(st, 22, ts);
	db_bind_int(st, 23, r->wants_letter);
	if (delegation_id)
		db_bind_int(st, 24, delegation_id);
	else
		db_bind_null(st, 24);
	if ((e = db_run(st)) != HM_OK)
		return e;
	*id = db_last_insert_id(db);
	if (invitation_id) {
		if (!(st = db_prepare(db, SQL_INVITATION_USE)))
			return HM_EDB;
		db_bind_text(st, 1, ts);
		db_bind_int(st, 2, invitation_id);
		if ((e = db_run(st)) != HM_OK)
			return e;
	}
	json_t *after = json_pack("{s:s, s:I}", "status", *status, "event_id", (json_int_t)event_id);
	if (delegation_id)
		json_object_set_new(after, "delegation_id", json_integer(delegation_id));
	e = audit_record_at(db, p, "registration.create", "registration", *id, NULL, after, now);
	json_decref(after);
	if (e != HM_OK)
		return e;
	reg_mail_status(db, ev, *id, str_eq(*status, "pending") ? "received" : *status, NULL, now);
	return HM_OK;
}

/* Registration is open to p for ev at now: HM_OK, or HM_ECONFLICT with
 * the reason in errs. */
static enum hm_err may_register(const struct principal *p, const json_t *ev, int64_t now,
				struct field_errors *errs)
{
	const char *window = reg_window(ev, now);
	if (json_is_object(json_object_get(ev, "registration")) &&
	    (reg_may_manage(p, ev) || str_eq(window, "open")))
		return HM_OK;
	field_error_add(errs, "", str_eq(window, "not_yet") ? "Registration has not opened yet."
							    : "Registration for this event is closed.");
	return HM_ECONFLICT;
}

enum hm_err reg_register(struct db *db, const struct principal *p, const json_t *ev,
			 const json_t *in, const char *lang, int64_t now, struct field_errors *errs,
			 json_t **out)
{
	*out = NULL;
	enum hm_err e = may_register(p, ev, now, errs);
	if (e != HM_OK)
		return e;
	int manager = reg_may_manage(p, ev);
	struct arena a;
	arena_init(&a);
	struct reg_input r;
	reg_read_person(db, ev, in, 0, NULL, &a, &r, errs);
	if (!r.email)
		field_error_add(errs, "email", "Write your e-mail address.");
	int64_t event_id = json_integer_value(json_object_get(ev, "id"));
	const char *mode = jstr(json_object_get(ev, "registration"), "mode");
	int64_t invitation_id = 0;
	/* invitation: the link's token, for the address it was sent to */
	if (str_eq(mode, "invitation") && !manager && !errs->n) {
		json_t *inv = reg_invitation_by_token(db, event_id, jstr(in, "invitation"));
		char key[AUTH_EMAIL_MAX + 1], ikey[AUTH_EMAIL_MAX + 1];
		reg_key_of(r.email, key, sizeof(key));
		reg_key_of(jstr(inv, "email"), ikey, sizeof(ikey));
		if (!inv)
			field_error_add(errs, "",
					"Registration is by invitation: open the link of your "
					"invitation.");
		else if (!str_eq(ikey, key))
			field_error_add(errs, "email",
					"Register with the address your invitation was sent to.");
		else
			invitation_id = json_integer_value(json_object_get(inv, "id"));
		json_decref(inv);
	}
	if (errs->n) {
		arena_free(&a);
		return HM_EINVAL;
	}
	if ((e = db_begin(db)) != HM_OK) {
		arena_free(&a);
		return e;
	}
	int64_t id = 0;
	const char *status = NULL;
	char salt[33], token[REG_TOKEN_SIZE];
	e = insert_person(db, p, ev, &r, invitation_id, 0, lang, now, &id, &status, salt);
	arena_free(&a);
	if (e == HM_OK)
		e = reg_token_of(db, id, salt, token);
	if (e != HM_OK)
		return fail(db, e);
	if ((e = db_commit(db)) != HM_OK)
		return e;
	*out = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "status", status, "token", token);
	sodium_memzero(token, sizeof(token));
	return HM_OK;
}

/* ------------------------------------------------------------ delegations */

static const char SQL_DELEGATION_INSERT[] =
	"INSERT INTO registration_delegation (event_id, name, focal_name, focal_email, "
	"focal_email_key, organisation, sector, country, letter, letter_name, lang, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

enum hm_err reg_delegation_create(struct db *db, const struct principal *p, const json_t *ev,
				  const json_t *in, const void *letter, size_t letter_len,
				  const char *lang, int64_t now, struct field_errors *errs,
				  json_t **out)
{
	*out = NULL;
	enum hm_err e = may_register(p, ev, now, errs);
	if (e != HM_OK)
		return e;
	if (str_eq(jstr(json_object_get(ev, "registration"), "mode"), "invitation") &&
	    !reg_may_manage(p, ev)) {
		field_error_add(errs, "", "Registration is by invitation: open the link of your "
					  "invitation.");
		return HM_ECONFLICT;
	}
	const char *name = jstr(in, "name"), *focal_name = jstr(in, "focal_name");
	const char *focal_email = jstr(in, "focal_email");
	if (!name || !*name || strlen(name) > 200 || !utf8_valid(name, strlen(name)))
		field_error_add(errs, "name", "Write the delegation's name, in at most 200 characters.");
	if (!focal_name || !*focal_name || strlen(focal_name) > 200 ||
	    !utf8_valid(focal_name, strlen(focal_name)))
		field_error_add(errs, "focal_name", "Write the name of the focal point.");
	if (!reg_email_ok(focal_email))
		field_error_add(errs, "focal_email", "Write an e-mail address such as name@example.org.");
	if (!letter || letter_len < 5 || memcmp(letter, "%PDF-", 5) != 0)
		field_error_add(errs, "letter", "Attach the nomination letter as a PDF file.");
	else if (letter_len > REG_LETTER_MAX)
		field_error_add(errs, "letter", "The letter is over 5 MB: send a smaller PDF.");
	const json_t *delegates = json_object_get(in, "delegates");
	size_t n = json_array_size(delegates);
	if (n == 0 || n > REG_DELEGATES_MAX)
		field_error_add(errs, "delegates", "Name from 1 to 20 delegates.");
	struct arena a;
	arena_init(&a);
	struct reg_input *people = arena_alloc(&a, (n + 1) * sizeof(*people));
	/* the delegates' objects hold the strings people[] point to */
	json_t *held = json_array();
	for (size_t i = 0; i < n && i < REG_DELEGATES_MAX; i++) {
		/* each delegate with the delegation's organisation, sector and country */
		json_t *one = json_deep_copy(json_array_get(delegates, i));
		if (!json_is_object(one)) {
			json_decref(one);
			one = json_object();
		}
		static const char *const shared[] = {"organisation", "organisation_id", "sector",
						     "country"};
		for (size_t k = 0; k < HM_ARRAY_LEN(shared); k++)
			if (!json_object_get(one, shared[k]) && json_object_get(in, shared[k]))
				json_object_set(one, shared[k], json_object_get(in, shared[k]));
		struct field_errors mine = {0};
		/* the organisers' questions are the delegate's to answer, on their page */
		reg_read_person(db, ev, one, -1, NULL, &a, &people[i], &mine);
		if (!people[i].email)
			field_error_add(&mine, "email", "Write your e-mail address.");
		json_array_append_new(held, one);
		/* the first refusal of each delegate, under the form's name for it */
		for (int k = 0; k < mine.n && k < 1; k++) {
			char field[40];
			snprintf(field, sizeof(field), "%.30s_%zu",
				 str_eq(mine.items[k].field, "name") || str_eq(mine.items[k].field, "email") ||
						 str_eq(mine.items[k].field, "position") ||
						 str_eq(mine.items[k].field, "gender")
					 ? mine.items[k].field
					 : "delegation",
				 i + 1);
			field_error_add(errs, field, mine.items[k].msgid);
		}
		/* two delegates with one address */
		for (size_t j = 0; j < i && people[i].email; j++)
			if (people[j].email && strcasecmp(people[j].email, people[i].email) == 0) {
				char field[40];
				snprintf(field, sizeof(field), "email_%zu", i + 1);
				field_error_add(errs, field, "Two delegates have this address.");
			}
	}
	if (errs->n) {
		json_decref(held);
		arena_free(&a);
		return HM_EINVAL;
	}
	int64_t event_id = json_integer_value(json_object_get(ev, "id"));
	char ts[REG_TS_SIZE], key[AUTH_EMAIL_MAX + 1];
	reg_ts(now, ts);
	reg_key_of(focal_email, key, sizeof(key));
	if ((e = db_begin(db)) != HM_OK) {
		json_decref(held);
		arena_free(&a);
		return e;
	}
	struct db_stmt *st = db_prepare(db, SQL_DELEGATION_INSERT);
	if (!st)
		e = HM_EDB;
	else {
		db_bind_int(st, 1, event_id);
		db_bind_text(st, 2, name);
		db_bind_text(st, 3, focal_name);
		db_bind_text(st, 4, focal_email);
		db_bind_text(st, 5, key);
		bind_opt(st, 6, people[0].organisation);
		bind_opt(st, 7, people[0].sector);
		bind_opt(st, 8, people[0].country);
		/* as base64 text: both backends store it alike, and db copy moves it */
		size_t b64len = sodium_base64_encoded_len(letter_len, sodium_base64_VARIANT_ORIGINAL);
		char *b64 = xmalloc(b64len);
		sodium_bin2base64(b64, b64len, letter, letter_len, sodium_base64_VARIANT_ORIGINAL);
		db_bind_text(st, 9, b64);
		free(b64);
		db_bind_text(st, 10, jstr(in, "letter_name") ? jstr(in, "letter_name") : "letter.pdf");
		db_bind_text(st, 11, lang && *lang ? lang : "en");
		db_bind_text(st, 12, ts);
		e = db_run(st);
	}
	int64_t did = e == HM_OK ? db_last_insert_id(db) : 0;
	json_t *ids = json_array();
	for (size_t i = 0; e == HM_OK && i < n; i++) {
		int64_t id = 0;
		const char *status;
		char salt[33];
		e = insert_person(db, p, ev, &people[i], 0, did, lang, now, &id, &status, salt);
		if (e == HM_EEXIST) {
			char field[40];
			snprintf(field, sizeof(field), "email_%zu", i + 1);
			field_error_add(errs, field,
					"This address is registered for this event already.");
			e = HM_EINVAL;
		}
		if (e == HM_OK)
			json_array_append_new(ids, json_pack("{s:I, s:s}", "id", (json_int_t)id,
							     "status", status));
	}
	json_decref(held);
	arena_free(&a);
	if (e == HM_OK) {
		json_t *after = json_pack("{s:s, s:O}", "name", name, "registrations", ids);
		e = audit_record_at(db, p, "registration.delegation", "event", event_id, NULL, after,
				    now);
		json_decref(after);
	}
	if (e == HM_OK)
		reg_mail_delegation(db, ev, did, now);
	if (e != HM_OK) {
		json_decref(ids);
		return fail(db, e);
	}
	if ((e = db_commit(db)) != HM_OK) {
		json_decref(ids);
		return e;
	}
	*out = json_pack("{s:I, s:o}", "id", (json_int_t)did, "registrations", ids);
	return HM_OK;
}

/* Sets the status of r (a row) to status in the caller's transaction,
 * audited and mailed; refills the room when a seat was freed. */
static enum hm_err change_status(struct db *db, const struct principal *p, const json_t *ev,
				 const json_t *r, const char *status, const char *message,
				 int64_t now)
{
	int64_t id = json_integer_value(json_object_get(r, "id"));
	char ts[REG_TS_SIZE];
	reg_ts(now, ts);
	struct db_stmt *st = db_prepare(db, SQL_SET_STATUS);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, status);
	db_bind_text(st, 2, ts);
	db_bind_text(st, 3, ts);
	db_bind_int(st, 4, id);
	enum hm_err e = db_run(st);
	if (e != HM_OK)
		return e;
	json_t *before = json_pack("{s:s}", "status", jstr(r, "status"));
	json_t *after = json_pack("{s:s}", "status", status);
	char action[64];
	snprintf(action, sizeof(action), "registration.%s", status);
	e = audit_record_at(db, p, action, "registration", id, before, after, now);
	json_decref(before);
	json_decref(after);
	if (e != HM_OK)
		return e;
	reg_mail_status(db, ev, id, status, message, now);
	const char *was = jstr(r, "status");
	int freed = (str_eq(was, "approved") || str_eq(was, "offered")) &&
		    !(str_eq(status, "approved") || str_eq(status, "offered"));
	return freed ? reg_fill_seats_tx(db, ev, now) : HM_OK;
}

enum hm_err reg_decide(struct db *db, const struct principal *p, int64_t id, const char *status,
		       const char *message, int64_t now, const char **why)
{
	*why = NULL;
	static const char *const decisions[] = {"pending",   "approved",  "declined",
						"waitlisted", "cancelled", NULL};
	int ok = 0;
	for (int i = 0; decisions[i]; i++)
		ok |= str_eq(decisions[i], status);
	if (!ok)
		return HM_EINVAL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	json_t *r = reg_get(db, id);
	json_t *ev = r ? reg_event_by_id(db, json_integer_value(json_object_get(r, "event_id")))
		       : NULL;
	if (!r || !ev) {
		json_decref(r);
		json_decref(ev);
		return fail(db, db_failed(db) ? HM_EDB : HM_ENOTFOUND);
	}
	if (!reg_may_manage(p, ev))
		e = HM_EFORBIDDEN;
	else if (jstr(r, "erased_at"))
		e = HM_ECONFLICT, *why = "This registration's personal data has been erased.";
	else if (str_eq(jstr(r, "status"), status))
		e = HM_OK; /* nothing to do, nothing recorded */
	else {
		if (str_eq(status, "approved") && !str_eq(jstr(r, "status"), "offered")) {
			/* organisers are held to the capacity and the caps, not to targets */
			struct reg_room_buf rb;
			if ((e = reg_room_load(&rb, db, ev, 0)) == HM_OK) {
				struct reg_person person = person_of(r);
				enum reg_verdict v = reg_admit(&rb.room, &person, NULL);
				if (v != REG_FITS)
					e = HM_ECONFLICT, *why = verdict_why(v);
			}
			reg_room_free(&rb);
		}
		if (e == HM_OK)
			e = change_status(db, p, ev, r, status, message, now);
	}
	json_decref(r);
	json_decref(ev);
	if (e != HM_OK)
		return fail(db, e);
	return db_commit(db);
}

/* The registration of token and its event, in a write transaction begun
 * here; HM_ENOTFOUND (rolled back). */
static enum hm_err self_begin(struct db *db, const char *token, json_t **r, json_t **ev)
{
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	*r = reg_by_token(db, token);
	*ev = *r ? reg_event_by_id(db, json_integer_value(json_object_get(*r, "event_id"))) : NULL;
	if (!*r || !*ev || jstr(*r, "erased_at")) {
		json_decref(*r);
		json_decref(*ev);
		return fail(db, db_failed(db) ? HM_EDB : HM_ENOTFOUND);
	}
	return HM_OK;
}

static enum hm_err self_end(struct db *db, json_t *r, json_t *ev, enum hm_err e)
{
	json_decref(r);
	json_decref(ev);
	if (e != HM_OK)
		return fail(db, e);
	return db_commit(db);
}

enum hm_err reg_self_update(struct db *db, const char *token, const json_t *in, int64_t now,
			    struct field_errors *errs)
{
	json_t *r, *ev;
	enum hm_err e = self_begin(db, token, &r, &ev);
	if (e != HM_OK)
		return e;
	const char *s = jstr(r, "status");
	if (str_eq(s, "declined") || str_eq(s, "cancelled") || str_eq(s, "expired"))
		return self_end(db, r, ev, HM_ECONFLICT);
	struct arena a;
	arena_init(&a);
	struct reg_input x;
	if (reg_read_person(db, ev, in, str_eq(s, "approved"), json_object_get(r, "answers"), &a,
			    &x, errs)) {
		arena_free(&a);
		return self_end(db, r, ev, HM_EINVAL);
	}
	/* a seated person whose new answers pass a cap keeps the old ones */
	int64_t id = json_integer_value(json_object_get(r, "id"));
	if (seated_str(s) && (!str_eq(x.sector, jstr(r, "sector")) ||
			      !str_eq(x.country, jstr(r, "country")) ||
			      !str_eq(x.gender, jstr(r, "gender")))) {
		struct reg_room_buf rb;
		if ((e = reg_room_load(&rb, db, ev, 0)) == HM_OK) {
			/* judged as if their seat were free */
			struct reg_person *others =
				arena_alloc(&rb.pool, (rb.room.nseated + 1) * sizeof(*others));
			size_t n = 0;
			for (size_t i = 0; i < rb.room.nseated; i++)
				if (rb.room.seated[i].id != id)
					others[n++] = rb.room.seated[i];
			rb.room.seated = others;
			rb.room.nseated = n;
			struct reg_person person = person_in(&x);
			if (reg_admit(&rb.room, &person, NULL) == REG_CAP)
				field_error_add(errs, "sector",
						"This change would pass a quota's cap. Ask the "
						"organisers.");
		}
		reg_room_free(&rb);
		if (e == HM_OK && errs->n)
			e = HM_EINVAL;
	}
	char ts[REG_TS_SIZE];
	reg_ts(now, ts);
	struct db_stmt *st = e == HM_OK ? db_prepare(db, SQL_SELF_UPDATE) : NULL;
	if (e == HM_OK && !st)
		e = HM_EDB;
	if (st) {
		db_bind_text(st, 1, x.name);
		if (x.organisation_id)
			db_bind_int(st, 2, x.organisation_id);
		else
			db_bind_null(st, 2);
		db_bind_text(st, 3, x.organisation ? x.organisation : "");
		db_bind_text(st, 4, x.position ? x.position : "");
		bind_opt(st, 5, x.sector);
		bind_opt(st, 6, x.country);
		bind_opt(st, 7, x.gender);
		db_bind_text(st, 8, x.languages ? x.languages : "");
		db_bind_text(st, 9, x.accessibility ? x.accessibility : "");
		db_bind_text(st, 10, x.dietary ? x.dietary : "");
		db_bind_int(st, 11, x.consent);
		db_bind_text(st, 12, x.answers);
		db_bind_text(st, 13, ts);
		db_bind_int(st, 14, x.wants_letter);
		db_bind_int(st, 15, id);
		if ((e = db_run(st)) == HM_OK)
			e = audit_record_at(db, NULL, "registration.update", "registration", id, NULL,
					    NULL, now);
	}
	arena_free(&a);
	return self_end(db, r, ev, e);
}

enum hm_err reg_self_cancel(struct db *db, const char *token, int64_t now)
{
	json_t *r, *ev;
	enum hm_err e = self_begin(db, token, &r, &ev);
	if (e != HM_OK)
		return e;
	const char *s = jstr(r, "status");
	if (str_eq(s, "declined") || str_eq(s, "cancelled") || str_eq(s, "expired"))
		e = HM_ECONFLICT;
	else
		e = change_status(db, NULL, ev, r, "cancelled", NULL, now);
	return self_end(db, r, ev, e);
}

enum hm_err reg_self_confirm(struct db *db, const char *token, int64_t now)
{
	json_t *r, *ev;
	enum hm_err e = self_begin(db, token, &r, &ev);
	if (e != HM_OK)
		return e;
	const char *until = jstr(r, "offer_expires_at");
	if (!str_eq(jstr(r, "status"), "offered") || !until || time_parse_rfc3339(until) <= now)
		e = HM_ECONFLICT;
	else
		e = change_status(db, NULL, ev, r, "approved", NULL, now);
	return self_end(db, r, ev, e);
}
